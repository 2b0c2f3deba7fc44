//! A deadline that long work checks, and that its owner can cancel early.
//!
//! `zhsearch serve` gives every request one: it expires when the server's
//! `--timeout` passes, and it is cancelled as soon as the server answers
//! 503 or the client goes away. Work that holds a clone checks it at points
//! where stopping is safe and cheap (every few thousand documents collected,
//! between hits while building snippets) and gives up with [`Cancelled`].
//! Checking costs one relaxed atomic load and one clock read.
//!
//! ```
//! use std::time::Duration;
//! use zhsearch::deadline::Deadline;
//!
//! let deadline = Deadline::after(Duration::from_secs(10));
//! let worker = deadline.clone();
//! assert!(worker.check().is_ok());
//! deadline.cancel(); // the answer went out: stop
//! assert!(worker.check().is_err());
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// When work must stop. Clones share the same state: cancelling one
/// cancels all.
#[derive(Debug, Clone)]
pub struct Deadline {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    at: Option<Instant>,
    cancelled: AtomicBool,
}

/// Work stopped because its [`Deadline`] passed or was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped: its deadline passed or it was cancelled")]
pub struct Cancelled;

impl Deadline {
    /// A deadline that never passes by itself (it can still be cancelled).
    pub fn never() -> Deadline {
        Deadline::new(None)
    }

    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline::new(Instant::now().checked_add(limit))
    }

    fn new(at: Option<Instant>) -> Deadline {
        Deadline {
            inner: Arc::new(Inner {
                at,
                cancelled: AtomicBool::new(false),
            }),
        }
    }

    /// The instant it passes, if it passes by itself.
    pub fn at(&self) -> Option<Instant> {
        self.inner.at
    }

    /// Stops the work now, wherever it next checks.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether the work should stop.
    pub fn is_over(&self) -> bool {
        self.inner.cancelled.load(Ordering::Relaxed)
            || self.inner.at.is_some_and(|at| Instant::now() >= at)
    }

    /// `Err(Cancelled)` once the work should stop.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_over() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_passes_by_itself() {
        let deadline = Deadline::after(Duration::from_millis(20));
        assert_eq!(deadline.check(), Ok(()));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(deadline.check(), Err(Cancelled));
    }

    #[test]
    fn cancelling_one_clone_stops_every_clone() {
        let deadline = Deadline::never();
        let worker = deadline.clone();
        assert!(!worker.is_over());
        deadline.cancel();
        assert!(worker.is_over());
        assert_eq!(worker.at(), None);
    }
}
