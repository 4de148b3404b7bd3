//! Time as the core keeps it: [`Timestamp`], a moment in UTC to the millisecond, written as
//! RFC 3339 (`2026-11-24T10:45:00.123Z`) only on the wire and in files. Arithmetic is checked: a
//! moment past what can be written (year 9999) is an error for the caller to report, never a
//! panic.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// A moment in UTC, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

/// The latest moment a timestamp may hold: the end of year 9999, the last RFC 3339 can write.
const LATEST_YEAR: i32 = 9999;

impl Timestamp {
    /// Now.
    pub fn now() -> Self {
        Self::from_system(SystemTime::now()).unwrap_or(Timestamp(OffsetDateTime::UNIX_EPOCH))
    }

    /// `t`, or `None` when it cannot be written (before 1970 or after year 9999).
    pub fn from_system(t: SystemTime) -> Option<Self> {
        let since = t.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        let millis = i64::try_from(since.as_millis()).ok()?;
        let at = OffsetDateTime::UNIX_EPOCH.checked_add(time::Duration::milliseconds(millis))?;
        (at.year() <= LATEST_YEAR).then_some(Timestamp(at))
    }

    /// The same moment as a [`SystemTime`].
    pub fn to_system(self) -> SystemTime {
        let millis = (self.0 - OffsetDateTime::UNIX_EPOCH).whole_milliseconds();
        let millis = u64::try_from(millis).unwrap_or(0);
        SystemTime::UNIX_EPOCH + Duration::from_millis(millis)
    }

    /// `d` later, or `None` past year 9999.
    pub fn checked_add(self, d: Duration) -> Option<Self> {
        let d = time::Duration::try_from(d).ok()?;
        let at = self.0.checked_add(d)?;
        (at.year() <= LATEST_YEAR).then_some(Timestamp(at))
    }

    /// How long after `earlier` this is (zero when it is not after).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::try_from(self.0 - earlier.0).unwrap_or_default()
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Reads RFC 3339 (any offset, any precision); `None` when `text` is not a moment this
    /// type can hold.
    pub fn parse(text: &str) -> Option<Self> {
        let at = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
        let at = at.to_offset(time::UtcOffset::UTC);
        let at = at.replace_millisecond(at.millisecond()).ok()?;
        (at.year() >= 1970 && at.year() <= LATEST_YEAR).then_some(Timestamp(at))
    }

    /// For a file name: `20261124T104500.123Z`.
    pub fn file_stamp(self) -> String {
        self.to_string()
            .chars()
            .filter(|c| *c != '-' && *c != ':')
            .collect()
    }

    /// The date alone: `2026-11-24`.
    pub fn date(self) -> String {
        self.to_string().chars().take(10).collect()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        match self.0.format(&format) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("not an RFC 3339 time between 1970 and 9999"))
    }
}

/// An RFC 3339 string for the UI.
impl specta::Type for Timestamp {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reads_and_writes_rfc_3339_to_the_millisecond() {
        let t = Timestamp::parse("2026-11-24T12:45:00.123456+02:00").expect("a time");
        assert_eq!(t.to_string(), "2026-11-24T10:45:00.123Z");
        let json = serde_json::to_string(&t).expect("json");
        assert_eq!(json, "\"2026-11-24T10:45:00.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).expect("back"), t);
        assert_eq!(t.file_stamp(), "20261124T104500.123Z");
        assert_eq!(t.date(), "2026-11-24");
    }

    #[test]
    fn what_cannot_be_written_is_refused_not_a_panic() {
        assert!(Timestamp::parse("yesterday").is_none());
        assert!(Timestamp::parse("").is_none());
        assert!(serde_json::from_str::<Timestamp>("\"soon\"").is_err());
        let now = Timestamp::now();
        assert!(now.checked_add(Duration::from_secs(u64::MAX)).is_none());
        assert!(
            now.checked_add(Duration::from_secs(10_000 * 365 * 86_400))
                .is_none()
        );
        let year = Duration::from_secs(365 * 86_400);
        assert!(now.checked_add(year).is_some_and(|t| t.since(now) == year));
        assert_eq!(
            now.since(now.checked_add(year).expect("later")),
            Duration::ZERO
        );
    }

    #[test]
    fn system_times_round_trip() {
        let now = Timestamp::now();
        assert_eq!(Timestamp::from_system(now.to_system()), Some(now));
        assert!(Timestamp::from_system(SystemTime::UNIX_EPOCH - Duration::from_secs(1)).is_none());
    }
}
