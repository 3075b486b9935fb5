//! What one connection may hold: a slot among the server's connections, a slot among its
//! client's, and time. hyper's own header timeout starts only once it has recognised
//! HTTP/1, so a socket that sends nothing, or only the HTTP/2 preface, would hold its slot
//! forever; the [`Watch`] here closes a connection that has sent no request in time, or has
//! had none in flight for too long, whatever the protocol.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Requests seen and in flight on one connection, and when the last one ended.
#[derive(Clone)]
pub(crate) struct Watch(Arc<Activity>);

struct Activity {
    opened: Instant,
    requests: AtomicU64,
    in_flight: AtomicUsize,
    /// Milliseconds after `opened` at which the last request ended.
    last_done_ms: AtomicU64,
}

/// Held while a request is served; its drop marks the end.
pub(crate) struct InFlight(Watch);

impl Watch {
    pub(crate) fn new() -> Self {
        Watch(Arc::new(Activity {
            opened: Instant::now(),
            requests: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            last_done_ms: AtomicU64::new(0),
        }))
    }

    /// A request has arrived (its head is read).
    pub(crate) fn start(&self) -> InFlight {
        self.0.requests.fetch_add(1, Ordering::Relaxed);
        self.0.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    /// Completes when the connection should be closed: no request within `first` of opening,
    /// or none in flight for `idle`. Requests in flight are bounded by the request timeout,
    /// so they never count as idle.
    pub(crate) async fn expired(&self, first: Duration, idle: Duration) {
        let a = &self.0;
        loop {
            let now = Instant::now();
            let deadline = if a.requests.load(Ordering::Relaxed) == 0 {
                a.opened + first
            } else if a.in_flight.load(Ordering::Acquire) > 0 {
                now + idle
            } else {
                a.opened + Duration::from_millis(a.last_done_ms.load(Ordering::Relaxed)) + idle
            };
            if deadline <= now {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &(self.0).0;
        let ms = a.opened.elapsed().as_millis().min(u128::from(u64::MAX)) as u64;
        a.last_done_ms.fetch_max(ms, Ordering::Relaxed);
        a.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Open connections per client address, capped so one address cannot take every slot.
#[derive(Clone)]
pub(crate) struct PerClient {
    cap: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection's place in its client's count; freed on drop.
pub(crate) struct ClientSlot {
    owner: PerClient,
    addr: IpAddr,
}

impl PerClient {
    pub(crate) fn new(cap: usize) -> Self {
        PerClient {
            cap: cap.max(1),
            open: Arc::default(),
        }
    }

    /// A slot for `addr`, or `None` when it already holds `cap` connections.
    pub(crate) fn take(&self, addr: IpAddr) -> Option<ClientSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(addr).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(ClientSlot {
            owner: self.clone(),
            addr,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.owner.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.addr);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_cap_slots_and_gets_them_back() {
        let per = PerClient::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let one = per.take(a).unwrap();
        let _two = per.take(a).unwrap();
        assert!(per.take(a).is_none());
        assert!(per.take(b).is_some());
        drop(one);
        assert!(per.take(a).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_expires_and_a_busy_one_does_not() {
        let first = Duration::from_secs(10);
        let idle = Duration::from_secs(60);
        let silent = Watch::new();
        let t0 = Instant::now();
        silent.expired(first, idle).await;
        assert_eq!(t0.elapsed(), first);

        let busy = Watch::new();
        let req = busy.start();
        let watching = tokio::spawn({
            let busy = busy.clone();
            async move { busy.expired(first, idle).await }
        });
        tokio::time::sleep(Duration::from_secs(300)).await;
        assert!(!watching.is_finished(), "a request in flight is not idle");
        drop(req);
        let t1 = Instant::now();
        watching.await.unwrap();
        assert!(t1.elapsed() <= idle + Duration::from_secs(1));
    }
}
