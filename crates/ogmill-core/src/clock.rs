//! Where stage timings ([`crate::Stages`]) come from. std's clock panics on
//! `wasm32-unknown-unknown`, which has none, so the renderer reads time only through a
//! [`Clock`] the caller may supply (a worker can pass `performance.now()`), and records no
//! timings without one.

use std::time::Duration;

/// A monotonic clock: time since any fixed origin.
pub type Clock = fn() -> Duration;

/// The process's monotonic clock (std's `Instant`), on targets that have one.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) fn monotonic() -> Duration {
    static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    ORIGIN.get_or_init(std::time::Instant::now).elapsed()
}

/// The clock [`crate::Options`] starts with: [`monotonic`] where std has a clock, none on
/// `wasm32-unknown-unknown`.
pub(crate) fn default_clock() -> Option<Clock> {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    return Some(monotonic);
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    return None;
}

/// Adds the time since the last lap to a stage; does nothing without a clock.
pub(crate) struct Laps {
    clock: Option<Clock>,
    last: Duration,
}

impl Laps {
    pub(crate) fn start(clock: Option<Clock>) -> Self {
        Laps {
            clock,
            last: clock.map_or(Duration::ZERO, |c| c()),
        }
    }

    /// Adds the time since the start or the last lap to `stage`.
    pub(crate) fn lap(&mut self, stage: &mut Duration) {
        if let Some(clock) = self.clock {
            let now = clock();
            *stage += now.saturating_sub(self.last);
            self.last = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_add_a_supplied_clock_and_nothing_without_one() {
        fn ten_ms_ticks() -> Duration {
            use std::sync::atomic::{AtomicU64, Ordering};
            static T: AtomicU64 = AtomicU64::new(0);
            Duration::from_millis(T.fetch_add(10, Ordering::Relaxed))
        }
        let mut stage = Duration::ZERO;
        let mut laps = Laps::start(Some(ten_ms_ticks));
        laps.lap(&mut stage);
        laps.lap(&mut stage);
        assert_eq!(stage, Duration::from_millis(20));
        let mut none = Laps::start(None);
        none.lap(&mut stage);
        assert_eq!(stage, Duration::from_millis(20));
    }
}
