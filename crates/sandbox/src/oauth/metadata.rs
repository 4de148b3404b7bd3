//! The authorization server's metadata (RFC 8414) at its well-known addresses: RFC 8414's and
//! OpenID Connect's, path-aware when the issuer has a path
//! (`/.well-known/oauth-authorization-server/realms/acme`), and OpenID's own form under the
//! issuer (`/realms/acme/.well-known/openid-configuration`). The root forms answer 404 for an
//! issuer with a path, as a multi-tenant server does.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;

/// `GET /.well-known/{rest}`: RFC 8414 §3.1's and OpenID's path-aware forms.
pub(crate) async fn well_known(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
) -> Response {
    let path = &shared.config.issuer_path;
    let wanted = [
        format!("oauth-authorization-server{path}"),
        format!("openid-configuration{path}"),
    ];
    if shared.config.publish_metadata && wanted.contains(&rest) {
        document(&shared)
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

/// `GET {issuer path}/.well-known/openid-configuration`.
pub(crate) async fn under_issuer(State(shared): State<Arc<Shared>>) -> Response {
    if shared.config.publish_metadata {
        document(&shared)
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

fn document(shared: &Shared) -> Response {
    let base = shared.base_url();
    let mut scopes: Vec<&str> = shared
        .config
        .clients
        .iter()
        .flat_map(|c| c.scopes.iter().map(String::as_str))
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    let issuer = shared
        .config
        .metadata_issuer
        .clone()
        .unwrap_or_else(|| shared.issuer());
    let body = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/oauth2/authorizations/new"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "device_authorization_endpoint": format!("{base}/oauth2/device_authorization"),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "grant_types_supported": [
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "token_endpoint_auth_methods_supported": shared.config.auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
        "code_challenge_methods_supported": shared.config.pkce_methods,
        "authorization_response_iss_parameter_supported": shared.config.send_iss,
    });
    ([(header::CACHE_CONTROL, "max-age=300")], axum::Json(body)).into_response()
}
