//! Single flight: one piece of work per key at a time, shared by everyone who asks for that
//! key while it runs. Renders (the pool) and image loads (the image store) both use it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::{BoxFuture, FutureExt, Shared, WeakShared};

/// The work under way for a key, as every waiter awaits it.
pub type Flight<T> = Shared<BoxFuture<'static, T>>;

type Flights<T> = Mutex<HashMap<String, (u64, WeakShared<BoxFuture<'static, T>>)>>;

/// Flights by key. Held weakly, so a flight every waiter gave up on (timeouts) is dropped,
/// and what it held freed, instead of being kept alive by this map.
pub struct SingleFlight<T: Clone> {
    flights: Arc<Flights<T>>,
    next_id: AtomicU64,
}

impl<T: Clone + Send + Sync + 'static> Default for SingleFlight<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    pub fn new() -> Self {
        SingleFlight {
            flights: Arc::default(),
            next_id: AtomicU64::new(0),
        }
    }

    /// The flight for `key`: the one under way, or a new one from `start`, which is called
    /// only when none is (and may refuse, e.g. when a queue is full).
    pub fn join<E>(
        &self,
        key: &str,
        start: impl FnOnce() -> Result<BoxFuture<'static, T>, E>,
    ) -> Result<Flight<T>, E> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(flight) = flights.get(key).and_then(|(_, weak)| weak.upgrade()) {
            return Ok(flight);
        }
        // Before the guard exists: a guard dropped under this lock would deadlock.
        let work = start()?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let guard = FlightGuard {
            flights: self.flights.clone(),
            key: key.to_owned(),
            id,
        };
        let flight = async move {
            let _guard = guard;
            work.await
        }
        .boxed()
        .shared();
        let weak = flight.downgrade().expect("the flight is alive");
        flights.insert(key.to_owned(), (id, weak));
        Ok(flight)
    }

    /// Whether work for `key` is under way (a request for it would join it).
    pub fn is_flying(&self, key: &str) -> bool {
        let flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        flights
            .get(key)
            .is_some_and(|(_, weak)| weak.upgrade().is_some())
    }
}

/// Takes a flight out of the map when it finishes or every waiter has dropped it; the id
/// keeps it from removing a newer flight for the same key.
struct FlightGuard<T: Clone> {
    flights: Arc<Flights<T>>,
    key: String,
    id: u64,
}

impl<T: Clone> Drop for FlightGuard<T> {
    fn drop(&mut self) {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if flights.get(&self.key).is_some_and(|(id, _)| *id == self.id) {
            flights.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn concurrent_askers_share_one_run_and_a_finished_flight_is_gone() {
        let sf = SingleFlight::<u32>::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let start = |runs: Arc<AtomicUsize>, rx: Option<tokio::sync::oneshot::Receiver<()>>| {
            move || {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(
                    async move {
                        if let Some(rx) = rx {
                            let _ = rx.await;
                        }
                        7
                    }
                    .boxed(),
                )
            }
        };
        let a = sf.join("k", start(runs.clone(), Some(rx))).unwrap();
        let b = sf.join("k", start(runs.clone(), None)).unwrap();
        assert!(sf.is_flying("k"));
        tx.send(()).unwrap();
        assert_eq!((a.await, b.await), (7, 7));
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the second asker joined");
        assert!(!sf.is_flying("k"));
        let c = sf.join("k", start(runs.clone(), None)).unwrap();
        assert_eq!(c.await, 7);
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "a new flight after the first ended"
        );
    }

    #[tokio::test]
    async fn a_refused_start_leaves_no_flight_and_an_abandoned_one_is_dropped() {
        let sf = SingleFlight::<u32>::new();
        assert_eq!(
            sf.join("k", || Err::<BoxFuture<'static, u32>, _>("full"))
                .err(),
            Some("full")
        );
        assert!(!sf.is_flying("k"));
        let never = sf
            .join("k", || Ok::<_, ()>(std::future::pending::<u32>().boxed()))
            .unwrap();
        assert!(sf.is_flying("k"));
        drop(never);
        assert!(!sf.is_flying("k"), "every waiter gave up");
    }
}
