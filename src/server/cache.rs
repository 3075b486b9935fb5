//! The memory tier: rendered cards by cache key, bounded by total bytes, each with a TTL.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;

use super::metrics::Metrics;
use super::pool::Card;

/// What an entry costs beyond its PNG and key: the LRU node, the `Card` and its headers.
const ENTRY_OVERHEAD: u64 = 256;

pub struct Cache {
    inner: Mutex<Inner>,
    max_bytes: u64,
    ttl: Duration,
    metrics: Arc<Metrics>,
}

struct Inner {
    // Unbounded in count: the byte budget is what bounds it.
    lru: LruCache<String, Entry>,
    bytes: u64,
}

struct Entry {
    card: Arc<Card>,
    expires: Instant,
}

impl Cache {
    pub fn new(max_bytes: u64, ttl: Duration, metrics: Arc<Metrics>) -> Self {
        Cache {
            inner: Mutex::new(Inner {
                lru: LruCache::unbounded(),
                bytes: 0,
            }),
            max_bytes,
            ttl,
            metrics,
        }
    }

    /// The card under `key`, unless it has expired; counts a hit or a miss.
    pub fn get(&self, key: &str) -> Option<Arc<Card>> {
        let mut inner = self.lock();
        let found = match inner.lru.get(key) {
            Some(e) if e.expires > Instant::now() => Some(e.card.clone()),
            Some(_) => {
                inner.remove(key);
                None
            }
            None => None,
        };
        self.publish(&inner);
        drop(inner);
        match &found {
            Some(_) => self.metrics.cache_hits.inc(),
            None => self.metrics.cache_misses.inc(),
        };
        found
    }

    /// Stores `card`, evicting the least recently used cards until it fits. A card larger
    /// than the whole budget is not stored.
    pub fn insert(&self, key: String, card: Arc<Card>) {
        let size = cost(&key, &card);
        if size > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        inner.remove(&key);
        let mut evicted = 0;
        while inner.bytes + size > self.max_bytes {
            let Some((k, e)) = inner.lru.pop_lru() else {
                break;
            };
            inner.bytes -= cost(&k, &e.card);
            evicted += 1;
        }
        let expires = Instant::now() + self.ttl;
        inner.lru.put(key, Entry { card, expires });
        inner.bytes += size;
        self.publish(&inner);
        drop(inner);
        self.metrics.cache_evictions.inc_by(evicted);
    }

    fn publish(&self, inner: &Inner) {
        self.metrics.cache_bytes.set(inner.bytes as i64);
        self.metrics.cache_entries.set(inner.lru.len() as i64);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the LRU half-updated in a way that
        // matters more than losing the cache, so keep serving from it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    fn remove(&mut self, key: &str) {
        if let Some(e) = self.lru.pop(key) {
            self.bytes -= cost(key, &e.card);
        }
    }
}

fn cost(key: &str, card: &Card) -> u64 {
    (key.len() + card.png.len()) as u64 + ENTRY_OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(bytes: usize) -> Arc<Card> {
        Arc::new(Card {
            png: vec![0; bytes].into(),
            etag: "\"x\"".parse().unwrap(),
            render_time: Duration::ZERO,
        })
    }

    #[test]
    fn evicts_least_recently_used_to_stay_under_the_byte_budget() {
        let m = Arc::new(Metrics::new());
        let per = 1000 + 1 + ENTRY_OVERHEAD;
        let cache = Cache::new(3 * per, Duration::from_secs(60), m.clone());
        for k in ["a", "b", "c"] {
            cache.insert(k.into(), card(1000));
        }
        assert!(cache.get("a").is_some()); // a is now the most recent
        cache.insert("d".into(), card(1000));
        assert!(cache.get("b").is_none(), "b was least recently used");
        for k in ["a", "c", "d"] {
            assert!(cache.get(k).is_some(), "{k}");
        }
        assert_eq!(m.cache_bytes.get() as u64, 3 * per);
        assert_eq!(m.cache_evictions.get(), 1);
        cache.insert("huge".into(), card(10 * 1000));
        assert!(cache.get("huge").is_none());
        assert!(cache.get("a").is_some(), "an oversized card evicts nothing");
    }

    #[test]
    fn expired_cards_are_misses_and_free_their_bytes() {
        let m = Arc::new(Metrics::new());
        let cache = Cache::new(1 << 20, Duration::from_millis(30), m.clone());
        cache.insert("a".into(), card(10));
        assert!(cache.get("a").is_some());
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("a").is_none());
        assert_eq!(m.cache_bytes.get(), 0);
        assert_eq!((m.cache_hits.get(), m.cache_misses.get()), (1, 1));
    }
}
