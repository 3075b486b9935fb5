//! A card's life in the server, from its key to stored bytes: the memory tier, the Redis
//! tier (and its render lock across a fleet), one render per key on the pool, and storing
//! what was drawn in both tiers. `routes/flow.rs` asks it for a card and maps the answer to
//! HTTP; this module knows no request and sends no header.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::HeaderValue;
use ogmill_core::fit::SlotFit;
use ogmill_core::request::output::Format;
use ogmill_core::{CardKey, Inputs, Renderer, Resolved};

use crate::cache::Cache;
use crate::images::Prepared;
use crate::pool::{Card, Failure, Job, Pool};
use crate::redis::{Lock, RedisTier, Stored};
use crate::FaultHook;

/// Where a stored card was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// This instance's memory cache.
    Memory,
    /// The fleet's Redis tier (the card is now in memory too).
    Redis,
}

/// Who may share a card: decides single flight and storing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Drawn once per key however many ask, and stored in both tiers.
    Shared,
    /// Drawn once per key, never stored: a card drawn with a placeholder picture is not the
    /// card its key names.
    Unstored,
    /// Drawn for this request alone and never stored (a personalised card).
    Private,
}

/// A card to draw: the snapshot of the renderer that resolved it, the request, its pictures.
pub struct Order {
    pub renderer: Arc<Renderer>,
    pub resolved: Resolved,
    pub images: Vec<Option<Prepared>>,
}

/// The cards of this instance and of the fleet. Cheap to share; one per server.
pub struct CardService {
    cache: Arc<Cache>,
    redis: Option<Arc<RedisTier>>,
    pool: Pool,
    /// How long a request waits for its render.
    render_timeout: Duration,
    /// How long Redis keeps a card.
    cache_ttl: Duration,
    pub(crate) fault: Option<FaultHook>,
}

impl CardService {
    /// A request waits `render_timeout` for its draw; Redis keeps a card `cache_ttl`.
    pub fn new(
        cache: Cache,
        redis: Option<Arc<RedisTier>>,
        pool: Pool,
        render_timeout: Duration,
        cache_ttl: Duration,
    ) -> Self {
        CardService {
            cache: Arc::new(cache),
            redis,
            pool,
            render_timeout,
            cache_ttl,
            fault: None,
        }
    }

    /// The stored card for `key`, from memory, else from Redis (waiting, while another
    /// instance holds the key's render lock, for the card it stores). `None` means "draw it
    /// here": also when Redis is away or this instance is already drawing it.
    pub async fn stored(
        &self,
        key: &CardKey,
        etag: &HeaderValue,
        format: Format,
    ) -> Option<(Arc<Card>, Tier)> {
        if let Some(card) = self.cache.get(key) {
            return Some((card, Tier::Memory));
        }
        let redis = self.redis.as_ref()?;
        let rkey = redis.card_key(key);
        let stored = match redis.get(&rkey).await {
            Some(stored) => stored,
            None if self.pool.is_flying(key.as_str()) => return None,
            None => match redis.lock(&rkey, self.render_timeout).await {
                Lock::Render => return None,
                Lock::Wait => redis.wait_for(&rkey).await?,
            },
        };
        let card = Arc::new(card_from_redis(stored, etag, format));
        self.cache.insert(key.clone(), card.clone());
        Some((card, Tier::Redis))
    }

    /// Draws the card on the pool (joining a draw of the same key already under way unless
    /// it is private) and stores it as `sharing` says, even when every waiter has given up
    /// by then, so the work is not wasted. A draw past the render timeout is
    /// [`Failure::Stopped`] for this request.
    pub async fn draw(
        &self,
        key: &CardKey,
        etag: HeaderValue,
        order: Order,
        sharing: Sharing,
    ) -> Result<Arc<Card>, Failure> {
        let store = (sharing == Sharing::Shared).then(|| self.store_for(key));
        let job = self.job(order, etag, store);
        let shared = (sharing != Sharing::Private).then_some(key.as_str());
        let run = self.pool.run(shared, job);
        match tokio::time::timeout(self.render_timeout, run).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure::Stopped),
        }
    }

    /// Drops the cards in memory that `stale` accepts (a hot reload's changed templates).
    pub fn forget(&self, stale: impl Fn(&CardKey) -> bool) {
        self.cache.remove_where(stale);
    }

    /// Where a drawn card goes: both tiers, under the key.
    fn store_for(&self, key: &CardKey) -> Store {
        Store {
            cache: self.cache.clone(),
            key: key.clone(),
            redis: self
                .redis
                .as_ref()
                .map(|r| (r.clone(), r.card_key(key), self.cache_ttl)),
        }
    }

    /// The blocking part: draw, make the card, store it.
    fn job(&self, order: Order, etag: HeaderValue, store: Option<Store>) -> Job {
        let fault = self.fault.clone();
        Box::new(move |stop| {
            let Order {
                renderer,
                resolved,
                images,
            } = order;
            if let Some(hook) = &fault {
                hook(&resolved.template().name);
            }
            let started = Instant::now();
            let inputs = Inputs {
                images: &images,
                stages: None,
                stop: Some(stop),
            };
            let rendered = renderer.render(&resolved, inputs)?;
            let card = Arc::new(Card {
                content_type: rendered.format.content_type(),
                missing_glyphs: missing_glyphs(&rendered.fits),
                fit: HeaderValue::from_str(&ogmill_core::fit::summary(&rendered.fits)).ok(),
                bytes: rendered.bytes.into(),
                etag,
                render_time: started.elapsed(),
            });
            if let Some(store) = store {
                store.put(&card);
            }
            Ok(card)
        })
    }
}

/// Where a drawn card is kept, taken by the blocking job.
struct Store {
    cache: Arc<Cache>,
    key: CardKey,
    redis: Option<(Arc<RedisTier>, String, Duration)>,
}

impl Store {
    fn put(self, card: &Arc<Card>) {
        self.cache.insert(self.key, card.clone());
        if let Some((redis, rkey, ttl)) = self.redis {
            let stored = Stored {
                bytes: card.bytes.clone(),
                missing_glyphs: card.missing_glyphs as u32,
                fit: card
                    .fit
                    .as_ref()
                    .and_then(|f| f.to_str().ok())
                    .unwrap_or("")
                    .to_owned(),
            };
            redis.put(rkey, stored, ttl);
        }
    }
}

/// A card as Redis kept it. A WebP request may have been answered with the smaller PNG of
/// the same pixels, so the media type comes from the bytes when they say it.
fn card_from_redis(stored: Stored, etag: &HeaderValue, format: Format) -> Card {
    let content_type = Format::of_bytes(&stored.bytes)
        .unwrap_or(format)
        .content_type();
    Card {
        bytes: stored.bytes,
        content_type,
        etag: etag.clone(),
        render_time: Duration::ZERO,
        missing_glyphs: stored.missing_glyphs as usize,
        fit: (!stored.fit.is_empty())
            .then(|| HeaderValue::from_str(&stored.fit).ok())
            .flatten(),
    }
}

/// Distinct characters no loaded font could draw, over every text slot.
fn missing_glyphs(fits: &[SlotFit]) -> usize {
    let mut missing: Vec<char> = fits.iter().flat_map(|f| f.missing.clone()).collect();
    missing.sort_unstable();
    missing.dedup();
    missing.len()
}
