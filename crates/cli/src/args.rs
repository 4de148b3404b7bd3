//! The command line, declared once: `--help`, the shell completions and the man page all come
//! from these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Printed after `--help`: what each exit code means (the README says the same).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  ok
  1  anything else
  2  usage: a wrong argument, or settings that do not pass validation
  3  no such connection
  4  needs a person: sign in (in the app), or enter the client secret
  5  the server refused (its OAuth error code is printed)
  6  network or TLS
  7  keyring unavailable or locked

Errors go to standard error, one line: the code, the message and what to do. Standard output
holds only the result.";

/// Connection Manager's OAuth 2.0 connections on the command line: the same connections, keyring
/// entries and renewal lock as the app.
#[derive(Debug, Parser)]
#[command(name = "connmgr", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What `connmgr` does.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the saved connections.
    List {
        /// One JSON array of connection summaries.
        #[arg(long)]
        json: bool,
    },
    /// Show a connection's settings, endpoints and token state (never a secret).
    Show {
        /// The connection's name (any case) or id.
        name: String,
        /// The connection as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Create a connection, with the same validation as the app's form.
    Add(Box<AddArgs>),
    /// Import connections from an export file (no secrets: set them after).
    Import {
        /// The export file.
        file: PathBuf,
        /// What to do with a connection whose name is taken.
        #[arg(long, value_enum, default_value_t = OnConflict::Skip)]
        on_conflict: OnConflict,
    },
    /// Export connections (all, or the ones named) to a file, without secrets.
    Export {
        /// Names or ids; all connections when none is given.
        names: Vec<String>,
        /// The file to write.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// The provider presets: each one's id, fields and what to know about it.
    Presets {
        /// One preset's details (its fields, how to create the client, quirks).
        id: Option<String>,
    },
    /// Set a connection's client secret, or import its private key.
    Secret {
        #[command(subcommand)]
        action: SecretAction,
    },
    /// Test a connection step by step: reach the host, get a token, call the API.
    Test {
        /// The connection's name or id.
        name: String,
        /// The report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Sign in: through the system browser (authorization code), or with a code entered on
    /// another device (the device-code grant).
    SignIn {
        /// The connection's name or id.
        name: String,
        /// Use the device-code grant even when the connection signs in through the browser.
        #[arg(long)]
        device: bool,
        /// Open no browser: print the address to open instead.
        #[arg(long)]
        no_browser: bool,
    },
    /// Print a usable access token, renewed first when it is about to expire.
    Token {
        /// The connection's name or id.
        name: String,
        /// How to print it.
        #[arg(long, value_enum, default_value_t = TokenFormat::Raw)]
        format: TokenFormat,
        /// Renew first when the token has less than this many seconds left.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        min_valid: u64,
        /// Get a new token even when the cached one is still good.
        #[arg(long)]
        renew: bool,
    },
    /// A git credential helper: `git config credential.helper '!connmgr git-credential'`.
    GitCredential {
        /// What git asks.
        #[arg(value_enum)]
        operation: GitOperation,
    },
    /// Forget a connection's tokens (revoked at the server first when it can).
    Forget {
        /// The connection's name or id.
        name: String,
    },
    /// Delete a connection and its secrets (its tokens revoked first when the server can).
    Delete {
        /// The connection's name or id.
        name: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Print shell completions.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of connmgr, or of one of its commands (`connmgr man token`).
    Man {
        /// The command whose page to print.
        command: Option<String>,
    },
}

/// `connmgr add`: from one connection object of the export format, or from flags named after
/// the form's fields.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// One connection object of the export format (`{"settings": …}`), or `-` for standard
    /// input. The flags below then change what it says.
    #[arg(long, value_name = "FILE")]
    pub file: Option<String>,
    /// Name.
    #[arg(long)]
    pub name: Option<String>,
    /// A Coupa instance: its subdomain (acme) or URL (https://acme.coupahost.com).
    #[arg(long, value_name = "SUBDOMAIN_OR_URL")]
    pub coupa: Option<String>,
    /// Token URL (any OAuth 2.0 server; for Coupa, an override).
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// Authorization URL (authorization code).
    #[arg(long, value_name = "URL")]
    pub authorization_url: Option<String>,
    /// API base URL (the connection test calls its test path under it).
    #[arg(long, value_name = "URL")]
    pub api_base_url: Option<String>,
    /// A provider preset (`connmgr presets` lists them): its endpoints, client authentication,
    /// scopes and quirks, from the values of its fields (--preset-field).
    #[arg(long, value_name = "ID")]
    pub preset: Option<String>,
    /// A preset's field (repeatable), e.g. `instance=acme` for ServiceNow.
    #[arg(long = "preset-field", value_name = "FIELD=VALUE", requires = "preset")]
    pub preset_fields: Vec<String>,
    /// The server's credential file (SAP BTP's service key JSON): its URL, client ID and
    /// client secret. With --preset sap-btp.
    #[arg(long, value_name = "FILE", requires = "preset")]
    pub service_key: Option<String>,
    /// The server's issuer, exactly as its metadata names it. For a server given by its issuer
    /// alone (no --coupa, no --token-url), its metadata fills in the endpoints (RFC 8414).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Refuse a sign-in answer without `iss` (the server always sends it).
    #[arg(long)]
    pub require_iss: bool,
    /// Device authorization URL (the device-code grant).
    #[arg(long, value_name = "URL")]
    pub device_authorization_url: Option<String>,
    /// Where tokens are revoked on delete and forget.
    #[arg(long, value_name = "URL")]
    pub revocation_url: Option<String>,
    /// The path the connection test calls, e.g. /api/users?limit=1.
    #[arg(long, value_name = "PATH")]
    pub test_path: Option<String>,
    /// Client ID.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Grant type.
    #[arg(long, value_enum)]
    pub grant: Option<GrantArg>,
    /// Client authentication: secret in the body, HTTP Basic, a signed assertion with a
    /// private key (RFC 7523), or none (a public client).
    #[arg(long, value_enum)]
    pub client_auth: Option<ClientAuthArg>,
    /// The private key (PEM: PKCS#8, or PKCS#1 for RSA) a signed assertion is made with; it is
    /// stored in the keyring. With --client-auth private-key-jwt.
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// The key's certificate (PEM), when it is not in the key's file: its expiry is watched and
    /// its thumbprint can be sent (--x5t).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub certificate: Option<String>,
    /// The signed assertion's algorithm (RS256 by default; ES256 for an EC key).
    #[arg(long, value_enum)]
    pub signing_alg: Option<SigningAlgArg>,
    /// The assertion header's `kid`: the id the server knows the key by (NetSuite's
    /// certificate ID).
    #[arg(long, value_name = "KID")]
    pub key_id: Option<String>,
    /// Send the certificate's SHA-256 thumbprint as `x5t#S256` (Microsoft Entra).
    #[arg(long)]
    pub x5t: bool,
    /// The assertion's `aud`, when the server wants other than its token endpoint's URL.
    #[arg(long, value_name = "AUDIENCE")]
    pub assertion_audience: Option<String>,
    /// A claim the assertion carries beyond the standard ones (repeatable), e.g.
    /// `scope={scopes_comma}` for NetSuite. `{scopes}`, `{scopes_comma}` and `{scopes_array}`
    /// stand for the connection's scopes.
    #[arg(long = "assertion-claim", value_name = "NAME=VALUE")]
    pub assertion_claims: Vec<String>,
    /// A header field the assertion carries beyond `alg`, `typ`, `kid` and `x5t#S256`
    /// (repeatable).
    #[arg(long = "assertion-header", value_name = "NAME=VALUE")]
    pub assertion_header: Vec<String>,
    /// A scope to request (repeat the flag for more).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// A host (and its subdomains) this connection may send credentials to (repeatable).
    #[arg(long = "valid-domain", value_name = "DOMAIN")]
    pub valid_domains: Vec<String>,
    /// A fixed redirect port (authorization code); a random one by default.
    #[arg(long, value_name = "PORT")]
    pub redirect_port: Option<u16>,
    /// A parameter the server wants beyond OAuth's own, with the request it goes with
    /// (repeatable): `authorization:prompt=consent`, `token:audience=https://api.example.com`,
    /// `refresh:resource=…`. Never a secret: it is kept in the connections file.
    #[arg(long = "param", value_name = "STAGE:NAME=VALUE")]
    pub params: Vec<String>,
    /// Do not renew the token by itself before it expires.
    #[arg(long)]
    pub no_auto_refresh: bool,
    /// Read the client secret from standard input (never from an argument).
    #[arg(long)]
    pub secret_from_stdin: bool,
    /// Print the new connection as JSON instead of its id.
    #[arg(long)]
    pub json: bool,
}

/// `connmgr secret …`.
#[derive(Debug, Subcommand)]
pub enum SecretAction {
    /// Read the client secret from standard input and store it in the keyring; or, with
    /// --key, import the private key of a connection that signs assertions.
    Set {
        /// The connection's name or id.
        name: String,
        /// Import this private key (PEM) instead of reading a secret.
        #[arg(long, value_name = "FILE")]
        key: Option<String>,
        /// The key's certificate (PEM), when it is not in the key's file.
        #[arg(long, value_name = "FILE", requires = "key")]
        certificate: Option<String>,
    },
}

/// `--on-conflict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnConflict {
    /// Leave the file's connection out.
    Skip,
    /// Add it under a free name ("Acme (2)").
    Rename,
    /// Replace the saved connection with it.
    Replace,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenFormat {
    /// The token bytes alone, no newline.
    Raw,
    /// `Authorization: Bearer …`.
    Header,
    /// `{"accessToken", "tokenType", "expiresAt", "scopes", "hasRefreshToken"}`.
    Json,
    /// A curl command for the connection's test request.
    Curl,
    /// `export CONNMGR_ACCESS_TOKEN=…` lines for a shell's `eval`.
    Env,
    /// kubectl's ExecCredential (client.authentication.k8s.io/v1).
    ExecCredential,
}

/// `--grant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GrantArg {
    /// System to system, with the client's secret.
    ClientCredentials,
    /// A person signs in through the browser (with PKCE).
    AuthorizationCode,
    /// A person enters a code on another device (RFC 8628).
    DeviceCode,
}

/// `--client-auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientAuthArg {
    /// `client_secret_post`.
    Body,
    /// `client_secret_basic`.
    Basic,
    /// `private_key_jwt`: a JWT signed with the client's private key (give --key).
    PrivateKeyJwt,
    /// A public client: no secret.
    None,
}

/// `--signing-alg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SigningAlgArg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    #[value(name = "RS256", alias = "rs256")]
    Rs256,
    /// RSASSA-PSS with SHA-256.
    #[value(name = "PS256", alias = "ps256")]
    Ps256,
    /// ECDSA on P-256 with SHA-256.
    #[value(name = "ES256", alias = "es256")]
    Es256,
}

/// `connmgr git-credential OPERATION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GitOperation {
    /// Answer with a token for the host git asks about.
    Get,
    /// Nothing to do: the tokens are kept by connmgr.
    Store,
    /// The token was refused: forget the cached access token so the next one is new.
    Erase,
}
