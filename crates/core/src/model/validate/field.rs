//! Field names, as the UI knows them, and their labels in the form.

/// Name your connection.
pub const NAME: &str = "name";
/// URL subdomain (Coupa).
pub const SUBDOMAIN: &str = "subdomain";
/// Authorization URL.
pub const AUTHORIZATION_URL: &str = "authorizationUrl";
/// Token URL.
pub const TOKEN_URL: &str = "tokenUrl";
/// API base URL.
pub const API_BASE_URL: &str = "apiBaseUrl";
/// Issuer.
pub const ISSUER: &str = "issuer";
/// Revocation URL.
pub const REVOCATION_URL: &str = "revocationUrl";
/// Device authorization URL.
pub const DEVICE_AUTHORIZATION_URL: &str = "deviceAuthorizationUrl";
/// Client ID.
pub const CLIENT_ID: &str = "clientId";
/// Client secret.
pub const CLIENT_SECRET: &str = "clientSecret";
/// Client authentication.
pub const CLIENT_AUTH: &str = "clientAuth";
/// Private key (a signed assertion's).
pub const CLIENT_KEY: &str = "clientKey";
/// The signed assertion's settings (algorithm, key ID, audience, header fields, claims).
pub const ASSERTION: &str = "assertion";
/// Valid domain names.
pub const VALID_DOMAINS: &str = "validDomains";
/// Scopes.
pub const SCOPES: &str = "scopes";
/// Redirect port.
pub const REDIRECT_PORT: &str = "redirectPort";
/// Test request.
pub const TEST_REQUEST: &str = "testRequest";
/// Extra parameters.
pub const EXTRA_PARAMS: &str = "extraParams";
/// The provider preset; its fields are `preset.<field id>`.
pub const PRESET: &str = "preset";

/// Each field and its label in the form, in the form's order.
pub const LABELS: &[(&str, &str)] = &[
    (NAME, "Name"),
    (PRESET, "Provider"),
    (SUBDOMAIN, "URL subdomain"),
    (AUTHORIZATION_URL, "Authorization URL"),
    (TOKEN_URL, "Token URL"),
    (API_BASE_URL, "API base URL"),
    (ISSUER, "Issuer"),
    (REVOCATION_URL, "Revocation URL"),
    (CLIENT_ID, "Client ID"),
    (CLIENT_SECRET, "Client secret"),
    (CLIENT_AUTH, "Client authentication"),
    (CLIENT_KEY, "Private key"),
    (ASSERTION, "Signed assertion"),
    (DEVICE_AUTHORIZATION_URL, "Device authorization URL"),
    (VALID_DOMAINS, "Valid domain names"),
    (SCOPES, "Scopes"),
    (REDIRECT_PORT, "Redirect port"),
    (TEST_REQUEST, "Test request"),
    (EXTRA_PARAMS, "Extra parameters"),
];

/// A field's label in the form; a preset's own field (`preset.<id>`) by its preset label
/// when one of the presets has it, else the field's name.
pub fn label(field: &str) -> String {
    if let Some((_, label)) = LABELS.iter().find(|(f, _)| *f == field) {
        return (*label).to_owned();
    }
    if let Some(id) = field.strip_prefix("preset.")
        && let Some(f) = crate::presets::all()
            .iter()
            .flat_map(|p| p.fields.iter())
            .find(|f| f.id == id)
    {
        return f.label.to_owned();
    }
    field.to_owned()
}
