//! The memory tier: rendered cards by cache key, bounded by total bytes, each with a TTL.

use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use ogmill_core::CardKey;

use super::metrics::Metrics;
use super::pool::Card;
#[cfg(test)]
use crate::lru_bytes::ENTRY_OVERHEAD;
use crate::lru_bytes::{ByteLru, Usage};

/// A key of the cache: what it holds in bytes counts toward the budget.
pub trait Key: Hash + Eq + Clone {
    fn bytes(&self) -> u64;
}

impl Key for CardKey {
    fn bytes(&self) -> u64 {
        (self.as_str().len() + self.template().len()) as u64
    }
}

impl Key for String {
    fn bytes(&self) -> u64 {
        self.len() as u64
    }
}

/// Cards by their [`CardKey`] (typed: a reload drops a template's cards by its name and
/// hash, not by matching the key's text).
pub struct Cache<K = CardKey> {
    lru: ByteLru<K, Arc<Card>>,
    ttl: Duration,
    metrics: Arc<Metrics>,
}

impl<K: Key> Cache<K> {
    pub fn new(max_bytes: u64, ttl: Duration, metrics: Arc<Metrics>) -> Self {
        Cache {
            lru: ByteLru::new(max_bytes),
            ttl,
            metrics,
        }
    }

    /// The card under `key`, unless it has expired; counts a hit or a miss.
    pub fn get<Q>(&self, key: &Q) -> Option<Arc<Card>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (found, usage) = self.lru.get(key);
        self.publish(usage);
        match &found {
            Some(_) => self.metrics.cache_hits.inc(),
            None => self.metrics.cache_misses.inc(),
        };
        found
    }

    /// Stores `card`, evicting the least recently used cards until it fits. A card larger
    /// than the whole budget is not stored.
    pub fn insert(&self, key: K, card: Arc<Card>) {
        let size = card.bytes.len() as u64 + key.bytes();
        let usage = self.lru.insert(key, card, size, self.ttl);
        self.publish(usage);
    }

    /// Drops the cards whose key `stale` accepts.
    pub fn remove_where(&self, stale: impl Fn(&K) -> bool) {
        let usage = self.lru.remove_where(stale);
        self.publish(usage);
    }

    fn publish(&self, usage: Usage) {
        self.metrics.cache_bytes.set(usage.bytes as i64);
        self.metrics.cache_entries.set(usage.entries as i64);
        self.metrics.cache_evictions.inc_by(usage.evicted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(bytes: usize) -> Arc<Card> {
        Arc::new(Card {
            bytes: vec![0; bytes].into(),
            content_type: "image/png",
            etag: "\"x\"".parse().unwrap(),
            render_time: Duration::ZERO,
            missing_glyphs: 0,
            fit: None,
        })
    }

    #[test]
    fn evicts_least_recently_used_to_stay_under_the_byte_budget() {
        let m = Arc::new(Metrics::new());
        let per = 1000 + 1 + ENTRY_OVERHEAD;
        let cache = Cache::<String>::new(3 * per, Duration::from_secs(60), m.clone());
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
        let cache = Cache::<String>::new(1 << 20, Duration::from_millis(30), m.clone());
        cache.insert("a".into(), card(10));
        assert!(cache.get("a").is_some());
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("a").is_none());
        assert_eq!(m.cache_bytes.get(), 0);
        assert_eq!((m.cache_hits.get(), m.cache_misses.get()), (1, 1));
    }
}
