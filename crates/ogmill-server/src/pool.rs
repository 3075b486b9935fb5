//! Where renders run: at most `concurrency` at once on tokio's blocking pool, at most `queue`
//! more waiting for a slot (past that, the request is shed at once), and one render per cache
//! key at a time: requests for a key already being rendered wait for that render. A render
//! that runs past `limit` is stopped (its [`Stop`] raised), so an expensive card gives its
//! worker back instead of holding it after its requests got the timeout fallback.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use bytes::Bytes;
use futures_util::future::FutureExt;
use ogmill_core::Stop;
use tokio::sync::Semaphore;

use super::flight::SingleFlight;
use super::metrics::Metrics;

/// A rendered card, as the cache keeps it and responses send it.
#[derive(Debug)]
pub struct Card {
    /// The encoded card.
    pub bytes: Bytes,
    /// Its media type (`image/png`, `image/webp`, `image/jpeg`, `application/pdf`).
    pub content_type: &'static str,
    pub etag: HeaderValue,
    pub render_time: Duration,
    /// Distinct characters no loaded font could draw.
    pub missing_glyphs: usize,
    /// What the fit decided per text slot (`X-Ogmill-Fit`).
    pub fit: Option<HeaderValue>,
}

/// Why a render produced no card.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The queue was full; the render never started.
    Shed,
    /// The render panicked; the message.
    Panic(String),
    /// The renderer returned an error (request errors are caught before a render starts).
    Error(String),
    /// The render ran past the pool's limit and was stopped.
    Stopped,
}

/// A render: runs on a blocking thread until the [`Stop`] it is given is raised, stores its
/// card where it belongs, returns it.
pub type Job = Box<dyn FnOnce(&Stop) -> ogmill_core::Result<Arc<Card>> + Send + 'static>;

type Outcome = Result<Arc<Card>, Failure>;

pub struct Pool {
    /// How long one render may draw before it is stopped.
    limit: Duration,
    workers: Arc<Semaphore>,
    admission: Arc<Semaphore>,
    /// A flight every waiter gave up on (timeouts) is dropped, and its queue slot freed.
    flights: SingleFlight<Outcome>,
    metrics: Arc<Metrics>,
}

impl Pool {
    pub fn new(concurrency: usize, queue: usize, limit: Duration, metrics: Arc<Metrics>) -> Self {
        Pool {
            limit,
            workers: Arc::new(Semaphore::new(concurrency)),
            admission: Arc::new(Semaphore::new(concurrency + queue)),
            flights: SingleFlight::new(),
            metrics,
        }
    }

    /// Runs `job`, or, when a render for `key` is already under way, waits for that one and
    /// drops `job`. `key` is `None` for renders that must not be shared (private ones).
    pub async fn run(&self, key: Option<&str>, job: Job) -> Outcome {
        let Some(key) = key else {
            return self.start(job)?.await;
        };
        let flight = self
            .flights
            .join(key, || self.start(job).map(FutureExt::boxed))?;
        flight.await
    }

    /// Whether a render for `key` is under way here (a request for it would join it).
    pub fn is_flying(&self, key: &str) -> bool {
        self.flights.is_flying(key)
    }

    /// Takes a queue slot now (or sheds), then waits for a worker and renders.
    fn start(&self, job: Job) -> Result<impl Future<Output = Outcome> + Send + 'static, Failure> {
        let Ok(admitted) = self.admission.clone().try_acquire_owned() else {
            self.metrics.shed.inc();
            return Err(Failure::Shed);
        };
        let workers = self.workers.clone();
        let metrics = self.metrics.clone();
        let queued = Queued::new(metrics.clone());
        let limit = self.limit;
        Ok(async move {
            let worker = workers.acquire_owned().await.expect("never closed");
            drop(queued);
            // The timer is its own task, so it fires even when every request waiting for
            // this render has given up and dropped this future; after the render it is a
            // flag nobody reads.
            let stop = Stop::new();
            let timer = stop.clone();
            tokio::spawn(async move {
                tokio::time::sleep(limit).await;
                timer.stop();
            });
            let render = tokio::task::spawn_blocking(move || {
                // The permits live in the render, not in the task awaiting it: a request that
                // times out goes away, but its slot stays taken until the CPU work ends.
                let _permits = (admitted, worker);
                run_job(job, &stop, &metrics)
            });
            render
                .await
                .unwrap_or_else(|e| Err(Failure::Panic(e.to_string())))
        })
    }
}

fn run_job(job: Job, stop: &Stop, metrics: &Metrics) -> Outcome {
    metrics.renders_in_flight.inc();
    let result = catch_unwind(AssertUnwindSafe(|| job(stop)));
    metrics.renders_in_flight.dec();
    match result {
        Ok(Ok(card)) => {
            metrics.render_outcome("ok");
            metrics
                .render_seconds
                .observe(card.render_time.as_secs_f64());
            Ok(card)
        }
        Ok(Err(ogmill_core::Error::Stopped)) => {
            metrics.render_outcome("stopped");
            Err(Failure::Stopped)
        }
        Ok(Err(e)) => {
            metrics.render_outcome("error");
            Err(Failure::Error(e.to_string()))
        }
        Err(panic) => {
            metrics.render_outcome("panic");
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Err(Failure::Panic(msg))
        }
    }
}

/// Counts a render in the `renders_queued` gauge from admission until it gets a worker or
/// is given up.
struct Queued(Arc<Metrics>);

impl Queued {
    fn new(metrics: Arc<Metrics>) -> Self {
        metrics.renders_queued.inc();
        Queued(metrics)
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.renders_queued.dec();
    }
}
