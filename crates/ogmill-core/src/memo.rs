//! Work kept across requests, bounded by the bytes it takes, not by a count: drawn
//! backgrounds of layered templates (a 1200x630 canvas is 3 MB, a 3x one 27 MB) and text
//! measurements (a few hundred bytes each).

use std::sync::Mutex;

use lru::LruCache;

/// How full a cache is, for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheUsage {
    /// Bytes held (values and keys).
    pub bytes: u64,
    /// Entries held.
    pub entries: usize,
    /// Entries dropped to stay under the budget, since start.
    pub evicted: u64,
}

/// A least-recently-used map whose budget is bytes; each value says what it costs.
pub(crate) struct Memo<V> {
    inner: Mutex<Inner<V>>,
    max_bytes: u64,
}

struct Inner<V> {
    lru: LruCache<String, (V, u64)>,
    usage: CacheUsage,
}

impl<V: Clone> Memo<V> {
    pub(crate) fn new(max_bytes: u64) -> Self {
        Memo {
            inner: Mutex::new(Inner {
                lru: LruCache::unbounded(),
                usage: CacheUsage::default(),
            }),
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<V>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, key: &str) -> Option<V> {
        self.lock().lru.get(key).map(|(v, _)| v.clone())
    }

    /// Keeps `value` (costing `cost` bytes besides its key) unless it alone is over the
    /// budget, dropping the least recently used entries until the rest fit.
    pub(crate) fn put(&self, key: String, value: V, cost: u64) {
        let cost = cost + key.len() as u64 + 64;
        let mut inner = self.lock();
        if cost > self.max_bytes {
            // Grown past the budget (a value re-counted): not kept, not left at its old cost.
            if let Some((_, old)) = inner.lru.pop(&key) {
                inner.usage.bytes -= old;
                inner.usage.entries -= 1;
            }
            return;
        }
        if let Some((_, old)) = inner.lru.put(key, (value, cost)) {
            inner.usage.bytes -= old;
            inner.usage.entries -= 1;
        }
        inner.usage.bytes += cost;
        inner.usage.entries += 1;
        while inner.usage.bytes > self.max_bytes {
            let Some((_, (_, old))) = inner.lru.pop_lru() else {
                break;
            };
            inner.usage.bytes -= old;
            inner.usage.entries -= 1;
            inner.usage.evicted += 1;
        }
    }

    pub(crate) fn usage(&self) -> CacheUsage {
        self.lock().usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_bytes_and_the_oldest_goes_first() {
        // Each entry: 400 + its one-byte key + 64 of bookkeeping = 465 bytes.
        let cache = Memo::new(1000);
        cache.put("a".into(), 1, 400);
        cache.put("b".into(), 2, 400);
        assert_eq!(cache.get("a"), Some(1)); // a is now the most recent
        cache.put("c".into(), 3, 400);
        assert_eq!(cache.get("b"), None, "the least recently used went");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
        assert_eq!(
            cache.usage(),
            CacheUsage {
                bytes: 930,
                entries: 2,
                evicted: 1
            }
        );
        cache.put("big".into(), 4, 2000);
        assert_eq!(cache.get("big"), None, "over the whole budget: not kept");
        cache.put("a".into(), 5, 400);
        assert_eq!(cache.usage().bytes, 930, "replacing counts once");
        assert_eq!(cache.get("a"), Some(5));
    }
}
