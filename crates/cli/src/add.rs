//! `connmgr add` and `connmgr secret set`: the same validation as the app's form, every error
//! said with the flag it comes from; secrets only from standard input.

use std::io::Read;

use connmgr_core::model::assertion::{AssertionField, SigningAlgorithm};
use connmgr_core::model::connection::{
    ClientAuth, Connection, ConnectionDraft, ConnectionSettings, ExtraParam, GrantType, ParamStage,
    Provider, SecretUpdate,
};
use connmgr_core::model::transfer::ExportedConnection;
use connmgr_core::{Secret, Workspace};

use crate::args::{AddArgs, ClientAuthArg, GrantArg, SigningAlgArg};
use crate::failure::Failure;
use crate::{open, out, out_json};

/// The longest secret read from standard input: far more than any client secret.
const SECRET_MAX: u64 = 64 * 1024;

/// Creates a connection from `--file` and the flags; prints its id (or `--json` the connection).
/// A generic server given by `--issuer` alone gets its endpoints from the issuer's metadata
/// (RFC 8414); the endpoint flags given override what it says.
pub async fn add(ws: &Workspace, args: &AddArgs) -> Result<(), Failure> {
    let (mut settings, from_key_file) = settings(args)?;
    if settings.provider == Provider::Generic
        && !settings.issuer.is_empty()
        && settings.metadata.is_none()
        && args.token_url.is_none()
    {
        let found = ws.discover(&settings).await?;
        for warning in &found.warnings {
            remark(warning);
        }
        let explicit = settings;
        settings = found.settings;
        // What was typed wins over what the server says.
        for (target, typed) in [
            (&mut settings.authorization_url, &args.authorization_url),
            (&mut settings.revocation_url, &args.revocation_url),
            (
                &mut settings.device_authorization_url,
                &args.device_authorization_url,
            ),
        ] {
            if let Some(v) = typed {
                v.clone_into(target);
            }
        }
        if args.client_auth.is_some() || args.key.is_some() {
            settings.client_auth = explicit.client_auth;
        }
        settings.require_iss |= explicit.require_iss;
    }
    if args.file.as_deref() == Some("-") && args.secret_from_stdin {
        return Err(Failure::usage(
            "--file - and --secret-from-stdin both read standard input; give the file by its path.",
        ));
    }
    let public = args.client_auth == Some(ClientAuthArg::None);
    if public && args.secret_from_stdin {
        return Err(Failure::usage(
            "--client-auth none is a public client: it has no secret to read.",
        ));
    }
    if args.key.is_some() && args.secret_from_stdin {
        return Err(Failure::usage(
            "--key and --secret-from-stdin: a client signs with a key or sends a secret, not both.",
        ));
    }
    if from_key_file.is_some() && (args.secret_from_stdin || args.key.is_some()) {
        return Err(Failure::usage(
            "--service-key gives the client secret: leave out --secret-from-stdin and --key.",
        ));
    }
    let client_secret = if let Some(update) = from_key_file {
        update
    } else if let Some(key) = &args.key {
        SecretUpdate::ImportKey {
            key_file: key.clone(),
            certificate_file: args.certificate.clone(),
        }
    } else if args.secret_from_stdin {
        SecretUpdate::Replace {
            value: read_secret()?,
        }
    } else {
        SecretUpdate::Keep
    };
    let draft = ConnectionDraft {
        id: None,
        settings,
        client_secret,
        redirect_port_text: None,
    };
    let saved = save_checked(ws, &draft)?;
    if args.json {
        out_json(&saved)
    } else {
        out(format!("{}\n", saved.id))
    }
}

/// Saves a draft once the core's validation passes; otherwise every error, each with its
/// flag, in the form's order, the last one ending the command.
fn save_checked(ws: &Workspace, draft: &ConnectionDraft) -> Result<Connection, Failure> {
    let verdict = ws.validate(draft)?;
    // Every error, each with its flag, in the form's order; the last one ends the command.
    let mut failures: Vec<Failure> = verdict
        .errors
        .iter()
        .map(|e| Failure {
            code: "validation_failed".to_owned(),
            message: format!("{}: {}", flag(&e.field), e.message),
            exit: 2,
        })
        .collect();
    if let Some(last) = failures.pop() {
        for failure in &failures {
            failure.report();
        }
        return Err(last);
    }
    for warning in &verdict.warnings {
        remark(&format!("{}: {}", flag(&warning.field), warning.message));
    }
    Ok(ws.save(draft)?)
}

/// Reads the client secret from standard input and stores it (`connmgr secret set NAME`), or
/// imports the private key of a connection that signs assertions (`--key FILE`).
pub fn set_secret(
    ws: &Workspace,
    name: &str,
    key: Option<&str>,
    certificate: Option<&str>,
) -> Result<(), Failure> {
    let c = open::find(ws, name)?;
    let client_secret = match key {
        Some(file) => SecretUpdate::ImportKey {
            key_file: file.to_owned(),
            certificate_file: certificate.map(str::to_owned),
        },
        None => SecretUpdate::Replace {
            value: read_secret()?,
        },
    };
    let draft = ConnectionDraft {
        id: Some(c.id.clone()),
        settings: c.settings.clone(),
        client_secret,
        redirect_port_text: None,
    };
    let saved = save_checked(ws, &draft)?;
    let what = match &saved.settings.assertion.key {
        Some(facts) if key.is_some() => format!(
            "The private key ({}, thumbprint {}) of \u{201c}{}\u{201d} is stored in the system keyring.\n",
            crate::browse::key_kind(facts),
            facts.thumbprint,
            c.settings.name
        ),
        _ => format!(
            "The client secret of \u{201c}{}\u{201d} is stored in the system keyring.\n",
            c.settings.name
        ),
    };
    out(what)
}

/// The settings `--file` holds, changed by the flags; without `--file`, a new connection's.
/// With `--service-key`, also the change that takes the client secret from that file.
fn settings(args: &AddArgs) -> Result<(ConnectionSettings, Option<SecretUpdate>), Failure> {
    let mut s = match &args.file {
        Some(file) => from_file(file)?,
        None => {
            let mut s = ConnectionSettings::new_coupa();
            if args.coupa.is_none() {
                s.provider = Provider::Generic;
                s.valid_domains.clear();
                s.scopes.clear();
            }
            s
        }
    };
    let secret = match &args.preset {
        Some(id) => with_preset(&mut s, id, args)?,
        None => None,
    };
    let set = |target: &mut String, value: &Option<String>| {
        if let Some(v) = value {
            v.clone_into(target);
        }
    };
    set(&mut s.name, &args.name);
    if let Some(coupa) = &args.coupa {
        s.provider = Provider::Coupa;
        coupa.clone_into(&mut s.subdomain);
    }
    set(&mut s.token_url, &args.token_url);
    set(&mut s.authorization_url, &args.authorization_url);
    set(&mut s.api_base_url, &args.api_base_url);
    set(&mut s.issuer, &args.issuer);
    set(&mut s.revocation_url, &args.revocation_url);
    set(
        &mut s.device_authorization_url,
        &args.device_authorization_url,
    );
    set(&mut s.client_id, &args.client_id);
    if let Some(path) = &args.test_path {
        path.clone_into(&mut s.test_request.path);
    }
    if let Some(grant) = args.grant {
        s.grant_type = match grant {
            GrantArg::ClientCredentials => GrantType::ClientCredentials,
            GrantArg::AuthorizationCode => GrantType::AuthorizationCode,
            GrantArg::DeviceCode => GrantType::DeviceCode,
        };
    }
    if let Some(auth) = args.client_auth {
        s.client_auth = match auth {
            ClientAuthArg::Body => ClientAuth::Body,
            ClientAuthArg::Basic => ClientAuth::Basic,
            ClientAuthArg::PrivateKeyJwt => ClientAuth::PrivateKeyJwt,
            ClientAuthArg::None => ClientAuth::None,
        };
    } else if args.key.is_some() {
        s.client_auth = ClientAuth::PrivateKeyJwt;
    }
    let a = &mut s.assertion;
    if let Some(alg) = args.signing_alg {
        a.algorithm = match alg {
            SigningAlgArg::Rs256 => SigningAlgorithm::RS256,
            SigningAlgArg::Ps256 => SigningAlgorithm::PS256,
            SigningAlgArg::Es256 => SigningAlgorithm::ES256,
        };
    }
    set(&mut a.key_id, &args.key_id);
    set(&mut a.audience, &args.assertion_audience);
    a.certificate_thumbprint |= args.x5t;
    for claim in &args.assertion_claims {
        a.claims.push(field(claim, "--assertion-claim")?);
    }
    for header in &args.assertion_header {
        a.header.push(field(header, "--assertion-header")?);
    }
    if !args.scopes.is_empty() {
        s.scopes.clone_from(&args.scopes);
    }
    if !args.valid_domains.is_empty() {
        s.valid_domains.clone_from(&args.valid_domains);
    }
    if args.redirect_port.is_some() {
        s.redirect_port = args.redirect_port;
    }
    s.require_iss |= args.require_iss;
    if args.no_auto_refresh {
        s.auto_refresh = false;
    }
    for param in &args.params {
        s.extra_params.push(extra_param(param)?);
    }
    Ok((s, secret))
}

/// Makes `s` a connection of the preset `id` with the `--preset-field` values and, with
/// `--service-key`, the file's; returns the client secret the file gives.
fn with_preset(
    s: &mut ConnectionSettings,
    id: &str,
    args: &AddArgs,
) -> Result<Option<SecretUpdate>, Failure> {
    let preset = connmgr_core::presets::get(id).ok_or_else(|| {
        let ids: Vec<&str> = connmgr_core::presets::all()
            .iter()
            .map(|p| p.id.as_str())
            .collect();
        Failure::usage(format!(
            "--preset {id}: no such preset; choose one of {}.",
            ids.join(", ")
        ))
    })?;
    *s = connmgr_core::presets::choose(s, preset);
    let mut values = std::collections::BTreeMap::new();
    let mut secret = None;
    if let Some(file) = &args.service_key {
        // The fields and client ID now; the core reads the secret itself when it saves.
        let read = connmgr_core::presets::read_service_key_file(preset, file)
            .map_err(|why| Failure::usage(format!("--service-key {file}: {why}.")))?;
        values.extend(read.values);
        s.client_id = read.client_id;
        secret = Some(SecretUpdate::ImportServiceKey { file: file.clone() });
    }
    for pair in &args.preset_fields {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            Failure::usage(format!("--preset-field {pair}: write it as FIELD=VALUE."))
        })?;
        if !preset.fields.iter().any(|f| f.id == name) {
            let names: Vec<&str> = preset.fields.iter().map(|f| f.id.as_str()).collect();
            return Err(Failure::usage(format!(
                "--preset-field {name}: {} has {}.",
                preset.label,
                if names.is_empty() {
                    "no fields".to_owned()
                } else {
                    format!("the fields {}", names.join(", "))
                }
            )));
        }
        values.insert(name.to_owned(), value.to_owned());
    }
    match s.preset.as_mut() {
        Some(choice) => choice.values.extend(values),
        // Coupa's choices: the instance is the Coupa provider's URL subdomain.
        None => {
            if let Some(instance) = values.remove("instance") {
                s.subdomain = instance;
            }
        }
    }
    Ok(secret)
}

/// `NAME=VALUE` as an assertion's claim or header field.
fn field(text: &str, flag: &str) -> Result<AssertionField, Failure> {
    let (name, value) = text.split_once('=').ok_or_else(|| {
        Failure::usage(format!(
            "{flag} {text}: write it as NAME=VALUE, e.g. scope={{scopes_comma}}."
        ))
    })?;
    Ok(AssertionField {
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// `STAGE:NAME=VALUE` as an extra parameter (`authorization:prompt=consent`).
fn extra_param(text: &str) -> Result<ExtraParam, Failure> {
    let wrong = || {
        Failure::usage(format!(
            "--param {text}: write it as authorization|token|refresh:NAME=VALUE, e.g. authorization:prompt=consent."
        ))
    };
    let (stage, pair) = text.split_once(':').ok_or_else(wrong)?;
    let (name, value) = pair.split_once('=').ok_or_else(wrong)?;
    let stage = match stage {
        "authorization" => ParamStage::Authorization,
        "token" => ParamStage::Token,
        "refresh" => ParamStage::Refresh,
        _ => return Err(wrong()),
    };
    Ok(ExtraParam {
        stage,
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// One connection object of the export format (`{"settings": …, "needsClientSecret": …}`), or
/// its bare settings.
fn from_file(file: &str) -> Result<ConnectionSettings, Failure> {
    let text = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .take(connmgr_core::model::transfer::MAX_FILE_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("Standard input could not be read: {e}.")))?;
        text
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| Failure::usage(format!("{file} could not be read: {e}.")))?
    };
    if let Ok(exported) = serde_json::from_str::<ExportedConnection>(&text) {
        return Ok(exported.settings);
    }
    serde_json::from_str::<ConnectionSettings>(&text).map_err(|e| {
        Failure::usage(format!(
            "{file} is not one connection of the export format ({{\"settings\": …}}): {e}."
        ))
    })
}

/// The client secret from standard input: one line (its end of line dropped), not empty.
fn read_secret() -> Result<Secret, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .take(SECRET_MAX)
        .read_to_string(&mut text)
        .map_err(|e| {
            Failure::usage(format!(
                "The secret could not be read from standard input: {e}."
            ))
        })?;
    let value = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text);
    if value.is_empty() {
        return Err(Failure::usage(
            "Standard input held no secret: pipe the client secret in, e.g. `connmgr secret set NAME < secret.txt`.",
        ));
    }
    Ok(Secret::new(value))
}

/// The flag a form field is set with.
fn flag(field: &str) -> String {
    if let Some(id) = field.strip_prefix("preset.") {
        return format!("--preset-field {id}");
    }
    use connmgr_core::model::validate::field as f;
    match field {
        f::NAME => "--name",
        f::SUBDOMAIN => "--coupa",
        f::AUTHORIZATION_URL => "--authorization-url",
        f::TOKEN_URL => "--token-url",
        f::API_BASE_URL => "--api-base-url",
        f::ISSUER => "--issuer",
        f::REVOCATION_URL => "--revocation-url",
        f::DEVICE_AUTHORIZATION_URL => "--device-authorization-url",
        f::EXTRA_PARAMS => "--param",
        f::CLIENT_ID => "--client-id",
        f::CLIENT_SECRET => "--secret-from-stdin",
        f::CLIENT_KEY => "--key",
        f::CLIENT_AUTH => "--client-auth",
        f::ASSERTION => "signed assertion",
        f::PRESET => "--preset",
        f::VALID_DOMAINS => "--valid-domain",
        f::SCOPES => "--scope",
        f::REDIRECT_PORT => "--redirect-port",
        f::TEST_REQUEST => "--test-path",
        other => other,
    }
    .to_owned()
}

/// A remark on standard error that does not stop the command (a discovery warning).
#[expect(
    clippy::print_stderr,
    reason = "standard error is where a command line tool makes remarks"
)]
fn remark(text: &str) {
    eprintln!("connmgr: warning: {text}");
}
