//! Timestamps as the store and the UI use them: RFC 3339 in UTC, and a compact form for file
//! names.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// Now, as RFC 3339 with milliseconds: `2026-11-24T10:45:00.123Z`.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// `delay` from now, as RFC 3339 with milliseconds.
pub fn rfc3339_after(delay: std::time::Duration) -> String {
    humantime::format_rfc3339_millis(SystemTime::now() + delay).to_string()
}

/// Now, for a file name: `20261124T104500.123Z`.
pub fn file_stamp() -> String {
    now_rfc3339()
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect()
}

/// A value that differs on every call within this process (for temporary file names).
pub fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{nanos:x}{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}
