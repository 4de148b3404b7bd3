//! Sign-ins waiting for the browser, tracked per attempt so that each can be cancelled and none
//! can cancel, or forget, another: a second sign-in of the same connection gets its own
//! cancellation token, and the first one ending removes only its own.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio_util::sync::CancellationToken;

/// The sign-ins in progress, by connection id.
#[derive(Debug, Default)]
pub(crate) struct SignIns {
    next: AtomicU64,
    live: Mutex<HashMap<String, Vec<(u64, CancellationToken)>>>,
}

/// One sign-in attempt; it stops being tracked when dropped.
#[derive(Debug)]
pub(crate) struct Attempt<'a> {
    sign_ins: &'a SignIns,
    connection_id: String,
    number: u64,
    cancel: CancellationToken,
}

impl SignIns {
    /// Tracks a new sign-in of `connection_id`.
    pub(crate) fn begin(&self, connection_id: &str) -> Attempt<'_> {
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        let cancel = CancellationToken::new();
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(connection_id.to_owned())
            .or_default()
            .push((number, cancel.clone()));
        Attempt {
            sign_ins: self,
            connection_id: connection_id.to_owned(),
            number,
            cancel,
        }
    }

    /// Cancels every sign-in of `connection_id` in progress; returns how many there were.
    pub(crate) fn cancel(&self, connection_id: &str) -> usize {
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let attempts = live.get(connection_id).map_or(&[][..], Vec::as_slice);
        for (_, token) in attempts {
            token.cancel();
        }
        attempts.len()
    }

    /// How many sign-ins of `connection_id` are in progress.
    pub(crate) fn count(&self, connection_id: &str) -> usize {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(connection_id)
            .map_or(0, Vec::len)
    }
}

impl Attempt<'_> {
    /// Resolves when this attempt is cancelled.
    pub(crate) fn cancelled(&self) -> tokio_util::sync::WaitForCancellationFutureOwned {
        self.cancel.clone().cancelled_owned()
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        let mut live = self.sign_ins.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(attempts) = live.get_mut(&self.connection_id) {
            attempts.retain(|(n, _)| *n != self.number);
            if attempts.is_empty() {
                live.remove(&self.connection_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_attempt_ending_leaves_the_second_cancellable() {
        let sign_ins = SignIns::default();
        let first = sign_ins.begin("c1");
        let second = sign_ins.begin("c1");
        assert_eq!(sign_ins.count("c1"), 2);
        drop(first);
        assert_eq!(sign_ins.count("c1"), 1);
        assert_eq!(sign_ins.cancel("c1"), 1);
        assert!(second.cancel.is_cancelled());
        drop(second);
        assert_eq!(sign_ins.count("c1"), 0);
        assert_eq!(sign_ins.cancel("c1"), 0, "nothing left to cancel");
    }

    #[test]
    fn cancelling_one_connection_leaves_the_others() {
        let sign_ins = SignIns::default();
        let a = sign_ins.begin("a");
        let b = sign_ins.begin("b");
        sign_ins.cancel("a");
        assert!(a.cancel.is_cancelled());
        assert!(!b.cancel.is_cancelled());
    }
}
