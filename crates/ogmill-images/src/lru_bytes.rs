//! A least-recently-used map bounded by the bytes its values cost, each entry with its own
//! expiry. The server's card cache and the image cache are both one of these.

use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// What an entry costs beyond its value and key: the LRU node and bookkeeping.
pub const ENTRY_OVERHEAD: u64 = 256;

pub struct ByteLru<K, V> {
    inner: Mutex<Inner<K, V>>,
    max_bytes: u64,
}

struct Inner<K, V> {
    // Unbounded in count: the byte budget is what bounds it.
    lru: LruCache<K, Entry<V>>,
    bytes: u64,
}

struct Entry<V> {
    value: V,
    cost: u64,
    expires: Instant,
}

/// What an operation left behind, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub bytes: u64,
    pub entries: usize,
    pub evicted: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> ByteLru<K, V> {
    pub fn new(max_bytes: u64) -> Self {
        ByteLru {
            inner: Mutex::new(Inner {
                lru: LruCache::unbounded(),
                bytes: 0,
            }),
            max_bytes,
        }
    }

    /// The value under `key`, unless it has expired (an expired entry is dropped).
    pub fn get<Q>(&self, key: &Q) -> (Option<V>, Usage)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut inner = self.lock();
        let found = match inner.lru.get(key) {
            Some(e) if e.expires > Instant::now() => Some(e.value.clone()),
            Some(_) => {
                inner.remove(key);
                None
            }
            None => None,
        };
        (found, inner.usage(0))
    }

    /// Stores `value` for `ttl`, evicting the least recently used entries until it fits.
    /// `size` is what the value and its key hold in bytes (the entry's bookkeeping is added).
    /// A value larger than the whole budget is not kept.
    pub fn insert(&self, key: K, value: V, size: u64, ttl: Duration) -> Usage {
        let cost = size + ENTRY_OVERHEAD;
        let mut inner = self.lock();
        if cost > self.max_bytes {
            return inner.usage(0);
        }
        inner.remove(&key);
        let mut evicted = 0;
        while inner.bytes + cost > self.max_bytes {
            let Some((_, e)) = inner.lru.pop_lru() else {
                break;
            };
            inner.bytes -= e.cost;
            evicted += 1;
        }
        let expires = Instant::now() + ttl;
        inner.lru.put(
            key,
            Entry {
                value,
                cost,
                expires,
            },
        );
        inner.bytes += cost;
        inner.usage(evicted)
    }

    /// Drops every entry whose key `stale` accepts (a reloaded template's old cards).
    pub fn remove_where(&self, stale: impl Fn(&K) -> bool) -> Usage {
        let mut inner = self.lock();
        let keys: Vec<K> = inner
            .lru
            .iter()
            .filter(|(k, _)| stale(k))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &keys {
            inner.remove(k);
        }
        inner.usage(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while holding the lock cannot leave the LRU half-updated in a way that
        // matters more than losing the cache, so keep serving from it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<K: Hash + Eq, V> Inner<K, V> {
    fn remove<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(e) = self.lru.pop(key) {
            self.bytes -= e.cost;
        }
    }

    fn usage(&self, evicted: u64) -> Usage {
        Usage {
            bytes: self.bytes,
            entries: self.lru.len(),
            evicted,
        }
    }
}
