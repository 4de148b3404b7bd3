//! Redaction of what a server or a request said, before it reaches an error message or a log.
//!
//! Text is redacted by what it is: JSON is parsed and the value of every key that carries a
//! secret replaced; a form body (`a=1&b=2`) is parsed likewise; anything else is scanned, at
//! character boundaries, for `key=value` / `"key": "value"` pairs. In every form, a credential
//! after `Bearer` or `Basic` and any JWT-shaped string (`eyJ….….…`) are masked too.

use serde_json::Value;

/// What replaces a secret.
pub const MASK: &str = "[redacted]";

/// Keys whose values are secrets (compared without regard to case).
const SECRET_KEYS: [&str; 13] = [
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "client_secret",
    "client_assertion",
    "assertion",
    "code_verifier",
    "code",
    "device_code",
    "password",
    "private_key",
    "authorization",
];

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key.trim()))
}

/// `text` with every secret it carries masked. Never panics, whatever the text.
pub fn redact(text: &str) -> String {
    let trimmed = text.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(mut value) = serde_json::from_str::<Value>(text)
    {
        redact_json(&mut value);
        return value.to_string();
    }
    if looks_like_form(text) {
        return redact_form(text);
    }
    redact_text(text)
}

fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) && !v.is_null() {
                    *v = Value::String(MASK.to_owned());
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::String(s) => {
            let masked = mask_credentials(s);
            if masked != *s {
                *s = masked;
            }
        }
        _ => {}
    }
}

/// One line with no spaces, every `&`-separated part a `key=value`.
fn looks_like_form(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && text.split('&').all(|part| part.contains('='))
}

fn redact_form(text: &str) -> String {
    text.split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = url::form_urlencoded::parse(key.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            if is_secret_key(&name) && !value.is_empty() {
                format!("{key}={MASK}")
            } else {
                format!("{key}={}", mask_credentials(value))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Free text: `key` followed by `=`, `:` or quotes, then a value up to a delimiter.
fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, key_len)) = next_secret_key(rest) {
        let after_key = start + key_len;
        let tail = &rest[after_key..];
        let lead = tail.len() - tail.trim_start_matches([' ', ':', '=', '"', '\'']).len();
        let separated = tail[..lead].contains([':', '=']);
        out.push_str(&rest[..after_key]);
        if !separated {
            rest = tail;
            continue;
        }
        out.push_str(&tail[..lead]);
        let value = &tail[lead..];
        let mut end = value_end(value);
        // `Authorization: Bearer …`: the scheme and its credential go together.
        if is_scheme(&value[..end]) && value[end..].starts_with(' ') {
            end += 1 + value_end(&value[end + 1..]);
        }
        if end > 0 {
            out.push_str(MASK);
        }
        rest = &value[end..];
    }
    out.push_str(rest);
    mask_credentials(&out)
}

/// Where a value that starts `value` ends: at a delimiter (all ASCII, so a char boundary).
fn value_end(value: &str) -> usize {
    value
        .find(['"', '\'', '&', ',', '}', ' ', ';', '\n', '\r', '\t'])
        .unwrap_or(value.len())
}

/// `Bearer` or `Basic`, any case: an HTTP authentication scheme whose credential follows.
fn is_scheme(word: &str) -> bool {
    word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic")
}

/// Where the next secret key starts in `text` as a whole word, and its length.
fn next_secret_key(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_ascii_lowercase(); // same byte offsets: only ASCII letters change
    let mut best: Option<(usize, usize)> = None;
    for key in SECRET_KEYS {
        let found = lower.match_indices(key).find(|(at, _)| {
            let before = lower[..*at].chars().next_back();
            let after = lower[at + key.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        });
        if let Some((at, _)) = found
            && best.is_none_or(|(b, len)| at < b || (at == b && key.len() > len))
        {
            best = Some((at, key.len()));
        }
    }
    best
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Masks the credential after `Bearer ` or `Basic ` and every JWT-shaped word.
fn mask_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_scheme = false;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core = word.trim_matches(|c: char| !is_token_char(c));
        if !core.is_empty() && (previous_scheme || is_jwt(core)) {
            out.push_str(&word.replacen(core, MASK, 1));
        } else {
            out.push_str(word);
        }
        previous_scheme = is_scheme(core);
    }
    out
}

/// Characters of a token68 credential (RFC 7235 §2.1) or a JWT.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+' | '/' | '=')
}

/// Three base64url segments, the first a JSON object's start (`eyJ`).
fn is_jwt(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[..2].iter().all(|p| p.len() >= 4)
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
        })
}

#[cfg(test)]
mod tests;
