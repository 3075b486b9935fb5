//! The cache of layered templates' drawn backgrounds, bounded by the bytes its pixels take
//! (a 1200x630 canvas is 3 MB, a 3x one 27 MB: a count bound would be no bound at all).

use std::sync::{Arc, Mutex};

use lru::LruCache;

/// How full the cache is, for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayerCacheUsage {
    /// Bytes of pixels held.
    pub bytes: u64,
    /// Backgrounds held.
    pub entries: usize,
    /// Backgrounds dropped to stay under the budget, since start.
    pub evicted: u64,
}

pub(crate) struct Backgrounds {
    inner: Mutex<Inner>,
    max_bytes: u64,
}

struct Inner {
    lru: LruCache<String, Arc<tiny_skia::Pixmap>>,
    usage: LayerCacheUsage,
}

fn cost(p: &tiny_skia::Pixmap) -> u64 {
    p.data().len() as u64
}

impl Backgrounds {
    pub(crate) fn new(max_bytes: u64) -> Self {
        Backgrounds {
            inner: Mutex::new(Inner {
                lru: LruCache::unbounded(),
                usage: LayerCacheUsage::default(),
            }),
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get(&self, key: &str) -> Option<Arc<tiny_skia::Pixmap>> {
        self.lock().lru.get(key).cloned()
    }

    /// Keeps `bg` unless it alone is over the budget, dropping the least recently used
    /// backgrounds until the rest fit.
    pub(crate) fn put(&self, key: String, bg: Arc<tiny_skia::Pixmap>) {
        let size = cost(&bg);
        if size > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.lru.put(key, bg) {
            inner.usage.bytes -= cost(&old);
            inner.usage.entries -= 1;
        }
        inner.usage.bytes += size;
        inner.usage.entries += 1;
        while inner.usage.bytes > self.max_bytes {
            let Some((_, old)) = inner.lru.pop_lru() else {
                break;
            };
            inner.usage.bytes -= cost(&old);
            inner.usage.entries -= 1;
            inner.usage.evicted += 1;
        }
    }

    pub(crate) fn usage(&self) -> LayerCacheUsage {
        self.lock().usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_bytes_and_the_oldest_goes_first() {
        let canvas = || Arc::new(tiny_skia::Pixmap::new(10, 10).unwrap()); // 400 bytes
        let cache = Backgrounds::new(1000);
        cache.put("a".into(), canvas());
        cache.put("b".into(), canvas());
        assert!(cache.get("a").is_some()); // a is now the most recent
        cache.put("c".into(), canvas());
        assert!(cache.get("b").is_none(), "the least recently used went");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
        assert_eq!(
            cache.usage(),
            LayerCacheUsage {
                bytes: 800,
                entries: 2,
                evicted: 1
            }
        );
        let big = Arc::new(tiny_skia::Pixmap::new(20, 20).unwrap()); // 1600 bytes
        cache.put("big".into(), big);
        assert!(
            cache.get("big").is_none(),
            "over the whole budget: not kept"
        );
        cache.put("a".into(), canvas());
        assert_eq!(cache.usage().bytes, 800, "replacing counts once");
    }
}
