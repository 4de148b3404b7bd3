//! The Coupa-like API: `GET /api/{users,suppliers,invoices,accounts}` with small fixtures.
//!
//! - A bearer token is required: missing, unknown or expired gives 401 with
//!   `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3).
//! - A token without the resource's scope gives 403 `insufficient_scope`, naming the scope.
//! - `limit` (at most 50, as Coupa) and `offset` page the records.
//! - JSON with `Accept: application/json`; XML otherwise, as Coupa answers.
//! - With a rate limit configured (the demo has Coupa's: 25 a second, bursts of 20), a call
//!   past it gets 429 and no `Retry-After`, as Coupa answers.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Shared;
use crate::config::RateLimit;

/// The most records one call returns (Coupa's limit).
pub const MAX_LIMIT: usize = 50;

/// A resource, the scope it needs and its records.
fn resource(name: &str) -> Option<(&'static str, Vec<Value>)> {
    Some(match name {
        "users" => (
            "core.user.read",
            vec![
                json!({"id": 1, "login": "amy.admin", "email": "amy.admin@example.com", "firstname": "Amy", "lastname": "Admin", "active": true}),
                json!({"id": 2, "login": "ben.buyer", "email": "ben.buyer@example.com", "firstname": "Ben", "lastname": "Buyer", "active": true}),
                json!({"id": 3, "login": "cara.approver", "email": "cara@example.com", "firstname": "Cara", "lastname": "Approver", "active": true}),
                json!({"id": 4, "login": "dan.ap", "email": "dan.ap@example.com", "firstname": "Dan", "lastname": "Payables", "active": false}),
                json!({"id": 5, "login": "eve.integration", "email": "eve@example.com", "firstname": "Eve", "lastname": "Integration", "active": true}),
            ],
        ),
        "suppliers" => (
            "core.supplier.read",
            vec![
                json!({"id": 101, "name": "Northwind Office Supply", "number": "S-0101", "status": "active"}),
                json!({"id": 102, "name": "Contoso Logistics", "number": "S-0102", "status": "active"}),
                json!({"id": 103, "name": "Fabrikam Parts", "number": "S-0103", "status": "inactive"}),
                json!({"id": 104, "name": "Tailspin Travel", "number": "S-0104", "status": "active"}),
            ],
        ),
        "invoices" => (
            "core.invoice.read",
            vec![
                json!({"id": 5001, "invoice-number": "INV-5001", "status": "approved", "total": "1200.00", "currency": "USD", "supplier-id": 101}),
                json!({"id": 5002, "invoice-number": "INV-5002", "status": "pending_approval", "total": "86.40", "currency": "EUR", "supplier-id": 102}),
                json!({"id": 5003, "invoice-number": "INV-5003", "status": "draft", "total": "15000.00", "currency": "USD", "supplier-id": 104}),
            ],
        ),
        "accounts" => (
            "core.accounting.read",
            vec![
                json!({"id": 11, "name": "Office supplies", "code": "6100", "active": true}),
                json!({"id": 12, "name": "Travel", "code": "6200", "active": true}),
                json!({"id": 13, "name": "Consulting", "code": "6300", "active": false}),
            ],
        ),
        _ => return None,
    })
}

/// The API's rate limit state: calls left, refilled continuously up to the burst.
#[derive(Debug)]
pub(crate) struct Bucket {
    calls: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket for `limit` (empty, and never read, when there is none).
    pub(crate) fn full(limit: Option<RateLimit>) -> Bucket {
        Bucket {
            calls: limit.map_or(0.0, |l| f64::from(l.burst)),
            at: Instant::now(),
        }
    }

    /// Takes one call at `now`, or says there is none left.
    fn take(&mut self, limit: RateLimit, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.calls = (self.calls + elapsed * limit.per_second).min(f64::from(limit.burst));
        self.at = now;
        if self.calls >= 1.0 {
            self.calls -= 1.0;
            true
        } else {
            false
        }
    }
}

fn bearer_error(status: StatusCode, challenge: String, description: &str) -> Response {
    let mut resp = (
        status,
        axum::Json(json!({ "errors": [{ "message": description }] })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    shared.stats.api_requests.fetch_add(1, Ordering::Relaxed);
    if let Some(limit) = shared.config.api_rate_limit {
        let allowed = shared
            .api_bucket
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(limit, Instant::now());
        if !allowed {
            let message = format!(
                "rate limit exceeded: at most {} requests a second, {} at once",
                limit.per_second, limit.burst
            );
            return (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(json!({"errors": [{"message": message}]})),
            )
                .into_response();
        }
    }
    let Some((scope, records)) = resource(&name) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"errors": [{"message": "no such resource"}]})),
        )
            .into_response();
    };

    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let Some(token) = token else {
        return bearer_error(
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"connmgr-sandbox\"".to_owned(),
            "a bearer token is required",
        );
    };
    let issued = shared
        .tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&token)
        .cloned();
    let Some(issued) = issued else {
        return bearer_error(
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"connmgr-sandbox\", error=\"invalid_token\", error_description=\"unknown token\"".to_owned(),
            "the access token is not valid",
        );
    };
    if issued.expires_at <= Instant::now() {
        return bearer_error(
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"connmgr-sandbox\", error=\"invalid_token\", error_description=\"the token expired\"".to_owned(),
            "the access token expired",
        );
    }
    if !issued.scopes.iter().any(|s| s == scope) {
        return bearer_error(
            StatusCode::FORBIDDEN,
            format!(
                "Bearer realm=\"connmgr-sandbox\", error=\"insufficient_scope\", scope=\"{scope}\""
            ),
            &format!("this call needs the scope {scope}"),
        );
    }

    tracing::debug!(client = %issued.client_id, resource = %name, "API call");
    let number = |key: &str, default: usize| -> Result<usize, String> {
        query.get(key).map_or(Ok(default), |v| {
            v.parse::<usize>()
                .map_err(|_| format!("{key} must be a whole number"))
        })
    };
    let (limit, offset) = match (number("limit", MAX_LIMIT), number("offset", 0)) {
        (Ok(limit), Ok(offset)) => (limit.min(MAX_LIMIT), offset),
        (Err(msg), _) | (_, Err(msg)) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"errors": [{"message": msg}]})),
            )
                .into_response();
        }
    };
    let page: Vec<Value> = records.into_iter().skip(offset).take(limit).collect();

    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if wants_json {
        axum::Json(Value::Array(page)).into_response()
    } else {
        let singular = name.trim_end_matches('s');
        (
            [(header::CONTENT_TYPE, "application/xml")],
            to_xml(&name, singular, &page),
        )
            .into_response()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn to_xml(plural: &str, singular: &str, records: &[Value]) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{plural} type=\"array\">\n");
    for r in records {
        out.push_str(&format!("  <{singular}>\n"));
        if let Some(map) = r.as_object() {
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push_str(&format!("    <{k}>{}</{k}>\n", escape(&text)));
            }
        }
        out.push_str(&format!("  </{singular}>\n"));
    }
    out.push_str(&format!("</{plural}>\n"));
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_bucket_allows_a_burst_then_refills_at_the_rate() {
        let limit = RateLimit::COUPA;
        let mut bucket = Bucket::full(Some(limit));
        let t0 = bucket.at;
        let allowed = (0..25).filter(|_| bucket.take(limit, t0)).count();
        assert_eq!(allowed, 20, "a burst of 20 at one instant, no more");
        assert!(
            !bucket.take(limit, t0 + Duration::from_millis(20)),
            "half a call regained in 20 ms at 25 a second"
        );
        assert!(
            bucket.take(limit, t0 + Duration::from_millis(45)),
            "a whole call regained by 45 ms"
        );
        let later = t0 + Duration::from_secs(60);
        let allowed = (0..25).filter(|_| bucket.take(limit, later)).count();
        assert_eq!(allowed, 20, "an idle minute refills only up to the burst");
    }
}
