//! The shared tier: rendered cards in Redis, so a fleet of instances renders each card once.
//!
//! Redis can only ever make a response faster, never fail it: every command has a tight
//! timeout, any error or timeout counts as a miss, and after a failure the tier stands aside
//! (no command at all, so no added latency) until a background reconnect, retried with
//! exponential backoff, succeeds. Values that do not decode are misses, and the render that
//! follows overwrites them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use redis::aio::MultiplexedConnection;

use super::metrics::Metrics;

/// Marks our values: anything else under one of our keys is ignored and overwritten.
/// Version 2 added the missing-glyph count (4 bytes, big-endian) before the PNG; version 3
/// the fit (`X-Ogmill-Fit`, 2-byte big-endian length, then its bytes) after the count.
const MAGIC: &[u8] = b"ogmill-card-3\n";
#[cfg(test)]
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Deletes a lock only if it holds the given owner.
/// A token bucket in a hash (`tokens`, `ts` in ms), refilled by Redis's own clock so
/// instances with skewed clocks agree; it expires once it would be full again.
const SPEND: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local spent = 0
if tokens >= 1 then
  tokens = tokens - 1
  spent = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return {spent, tostring(tokens)}
"#;

const UNLOCK: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/// How the tier behaves. Every field has a flag, an `OGMILL_*` variable and a TOML key.
#[derive(Clone, Debug, PartialEq)]
pub struct RedisOptions {
    /// `redis://host:port/db`.
    pub url: String,
    /// Prepended to every key. Default: `ogmill:`.
    pub prefix: String,
    /// Longest a connect or a command may take before it counts as a miss. Default: 50 ms.
    pub timeout: Duration,
    /// How long an instance that lost the render lock waits for the winner's card before it
    /// renders the card itself. Default: 500 ms.
    pub lock_wait: Duration,
    /// Longest pause between reconnect attempts (backoff doubles from 100 ms). Default: 5 s.
    pub max_backoff: Duration,
}

impl RedisOptions {
    pub fn new(url: impl Into<String>) -> Self {
        RedisOptions {
            url: url.into(),
            prefix: "ogmill:".into(),
            timeout: Duration::from_millis(50),
            lock_wait: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
        }
    }
}

pub struct RedisTier {
    client: redis::Client,
    /// This instance's name in the render locks it takes, so it only ever releases its own.
    instance: String,
    options: RedisOptions,
    link: Mutex<Link>,
    metrics: Arc<Metrics>,
    /// Writes started by `put` and not finished: a draining server waits for them, so a
    /// card it rendered is not rendered again by the rest of the fleet.
    writes: tokio::sync::watch::Sender<usize>,
}

/// The connection, or when to try again.
struct Link {
    conn: Option<MultiplexedConnection>,
    connecting: bool,
    failures: u32,
    retry_at: Instant,
}

/// What the lock step decided.
pub enum Lock {
    /// Ours (or Redis is unavailable): render.
    Render,
    /// Another instance is rendering: wait for its card.
    Wait,
}

impl RedisTier {
    /// Checks the URL; connects lazily, in the background.
    pub fn new(options: RedisOptions, metrics: Arc<Metrics>) -> Result<Arc<Self>, String> {
        let client = redis::Client::open(options.url.as_str())
            .map_err(|e| format!("redis-url '{}': {e}", options.url))?;
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(Arc::new(RedisTier {
            client,
            instance: format!("{:x}-{started:x}", std::process::id()),
            options,
            link: Mutex::new(Link {
                conn: None,
                connecting: false,
                failures: 0,
                retry_at: Instant::now(),
            }),
            metrics,
            writes: tokio::sync::watch::Sender::new(0),
        }))
    }

    /// Connects now rather than on the first request: otherwise the requests that arrive
    /// while that first connection is made all go without Redis and render on their own.
    pub async fn connect_early(self: &Arc<Self>) {
        let _ = self.connection().await;
    }

    /// Waits at most `limit` for the card writes in flight (at shutdown).
    pub async fn flush(&self, limit: Duration) {
        let mut pending = self.writes.subscribe();
        let _ = tokio::time::timeout(limit, pending.wait_for(|n| *n == 0)).await;
    }

    pub fn options(&self) -> &RedisOptions {
        &self.options
    }

    /// The key a card is stored under: prefix, template, its content hash, and a digest of
    /// the full cache key (params, fonts, settings), so a changed template is a new key.
    pub fn card_key(&self, key: &ogmill_core::CardKey) -> String {
        use sha2::Digest;
        let (template, template_hash) = (key.template(), key.template_hash());
        let digest = sha2::Sha256::digest(key.as_str().as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}card:{template}:{template_hash:016x}:{hex}",
            self.options.prefix
        )
    }

    /// The card under `key`, if Redis has a valid one and answers in time.
    pub async fn get(self: &Arc<Self>, key: &str) -> Option<Stored> {
        let value: Option<Vec<u8>> = self.command("get", redis::cmd("GET").arg(key)).await?;
        let found = value.and_then(|v| decode(&v));
        match &found {
            Some(_) => self.metrics.redis_hits.inc(),
            None => self.metrics.redis_misses.inc(),
        };
        found
    }

    /// Stores a card under `key` for `ttl`, off the response path; drops our render lock.
    pub fn put(self: &Arc<Self>, key: String, card: Stored, ttl: Duration) {
        let tier = self.clone();
        self.writes.send_modify(|n| *n += 1);
        tokio::spawn(async move {
            let _done = WriteDone(&tier.writes);
            let value = encode(&card);
            let ms = ttl.as_millis().max(1) as u64;
            let set = redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .arg("PX")
                .arg(ms)
                .clone();
            if tier.command::<()>("set", &set).await.is_some() {
                tier.metrics.redis_writes.inc();
            }
            // Only if the lock is still ours: after a render that outlived the lock, another
            // instance may hold it now.
            let unlock = redis::cmd("EVAL")
                .arg(UNLOCK)
                .arg(1)
                .arg(tier.lock_key(&key))
                .arg(&tier.instance)
                .clone();
            let _ = tier.command::<i64>("unlock", &unlock).await;
        });
    }

    /// Takes the short render lock for `key` (`SET NX PX`), held at most `hold`.
    pub async fn lock(self: &Arc<Self>, key: &str, hold: Duration) -> Lock {
        let cmd = redis::cmd("SET")
            .arg(self.lock_key(key))
            .arg(&self.instance)
            .arg("NX")
            .arg("PX")
            .arg(hold.as_millis().max(1) as u64)
            .clone();
        match self.command::<Option<String>>("lock", &cmd).await {
            Some(None) => Lock::Wait,
            _ => Lock::Render,
        }
    }

    /// Polls for the lock holder's card for at most `lock_wait`.
    pub async fn wait_for(self: &Arc<Self>, key: &str) -> Option<Stored> {
        let deadline = Instant::now() + self.options.lock_wait;
        while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if let Some(card) = self.get(key).await {
                return Some(card);
            }
        }
        None
    }

    /// Spends a token of a rate-limit bucket shared by every instance: whether it was
    /// spent, and the tokens left. `None` when Redis is away (the caller falls back to its
    /// own buckets, never to refusing everyone).
    pub async fn spend(
        self: &Arc<Self>,
        client: &str,
        rate: crate::ratelimit::Rate,
    ) -> Option<(bool, f64)> {
        let per_ms = f64::from(rate.count) / (f64::from(rate.window) * 1000.0);
        let cmd = redis::cmd("EVAL")
            .arg(SPEND)
            .arg(1)
            .arg(format!("{}rate:{client}", self.options.prefix))
            .arg(per_ms.to_string())
            .arg(rate.burst)
            .clone();
        let (spent, left): (i64, String) = self.command("ratelimit", &cmd).await?;
        Some((spent == 1, left.parse().unwrap_or(0.0)))
    }

    fn lock_key(&self, card_key: &str) -> String {
        format!("{}lock:{}", self.options.prefix, card_key)
    }

    /// Runs a command within the timeout; `None` on any failure, which is counted and
    /// makes the tier stand aside until it reconnects.
    async fn command<T: redis::FromRedisValue>(
        self: &Arc<Self>,
        op: &'static str,
        cmd: &redis::Cmd,
    ) -> Option<T> {
        let mut conn = self.connection().await?;
        match tokio::time::timeout(self.options.timeout, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                self.failed(op, &e.to_string());
                None
            }
            Err(_) => {
                self.failed(op, "timed out");
                None
            }
        }
    }

    /// The live connection. Without one, the first caller after the backoff connects (within
    /// the timeout); everyone else goes without Redis meanwhile, at no cost.
    async fn connection(self: &Arc<Self>) -> Option<MultiplexedConnection> {
        {
            let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(conn) = &link.conn {
                return Some(conn.clone());
            }
            if link.connecting || Instant::now() < link.retry_at {
                return None;
            }
            link.connecting = true;
        }
        self.connect().await
    }

    async fn connect(self: &Arc<Self>) -> Option<MultiplexedConnection> {
        let t = Some(self.options.timeout);
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(t)
            .set_response_timeout(t);
        let attempt = self
            .client
            .get_multiplexed_async_connection_with_config(&config);
        let result = tokio::time::timeout(self.options.timeout * 2, attempt).await;
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        link.connecting = false;
        match result {
            Ok(Ok(conn)) => {
                link.conn = Some(conn.clone());
                link.failures = 0;
                tracing::info!(url = %self.options.url, "connected to redis");
                Some(conn)
            }
            Ok(Err(e)) => {
                self.back_off(&mut link, "connect", &e.to_string());
                None
            }
            Err(_) => {
                self.back_off(&mut link, "connect", "timed out");
                None
            }
        }
    }

    fn failed(&self, op: &'static str, why: &str) {
        let mut link = self.link.lock().unwrap_or_else(|e| e.into_inner());
        link.conn = None;
        self.back_off(&mut link, op, why);
    }

    fn back_off(&self, link: &mut Link, op: &'static str, why: &str) {
        self.metrics.redis_error(op);
        link.failures = link.failures.saturating_add(1);
        let exp = 100u64.saturating_mul(1 << link.failures.min(16));
        let pause = Duration::from_millis(exp).min(self.options.max_backoff);
        link.retry_at = Instant::now() + pause;
        tracing::warn!(
            op,
            error = why,
            retry_in_ms = pause.as_millis() as u64,
            "redis unavailable; serving without it"
        );
    }
}

/// Counts a write as finished when dropped, however its task ends.
struct WriteDone<'a>(&'a tokio::sync::watch::Sender<usize>);

impl Drop for WriteDone<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// A card as Redis keeps it.
#[derive(Debug, PartialEq)]
pub struct Stored {
    /// The encoded card.
    pub bytes: Bytes,
    /// What `X-Ogmill-Missing-Glyphs` said when it was rendered.
    pub missing_glyphs: u32,
    /// What `X-Ogmill-Fit` said (ASCII; empty when there was none).
    pub fit: String,
}

fn encode(card: &Stored) -> Vec<u8> {
    let fit = &card.fit.as_bytes()[..card.fit.len().min(u16::MAX as usize)];
    let mut value = Vec::with_capacity(MAGIC.len() + 6 + fit.len() + card.bytes.len());
    value.extend_from_slice(MAGIC);
    value.extend_from_slice(&card.missing_glyphs.to_be_bytes());
    value.extend_from_slice(&(fit.len() as u16).to_be_bytes());
    value.extend_from_slice(fit);
    value.extend_from_slice(&card.bytes);
    value
}

/// Our card, or `None` for anything else (old formats, garbage, truncated values).
fn decode(value: &[u8]) -> Option<Stored> {
    let rest = value.strip_prefix(MAGIC)?;
    let (count, rest) = rest.split_first_chunk::<4>()?;
    let (len, rest) = rest.split_first_chunk::<2>()?;
    let (fit, image) = rest.split_at_checked(usize::from(u16::from_be_bytes(*len)))?;
    // PNG, WebP, JPEG or PDF, told by its bytes (the key names which the request asked for).
    if !image.starts_with(b"%PDF-") {
        ogmill_core::images::sniff(image).ok()?;
    }
    Some(Stored {
        bytes: Bytes::copy_from_slice(image),
        missing_glyphs: u32::from_be_bytes(*count),
        fit: std::str::from_utf8(fit).ok()?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_round_trip_and_anything_else_is_a_miss() {
        let card = Stored {
            bytes: Bytes::from_static(b"\x89PNG\r\n\x1a\nrest"),
            missing_glyphs: 3,
            fit: "title 64 3 truncated".into(),
        };
        assert_eq!(decode(&encode(&card)), Some(card));
        let mut old = b"ogmill-card-2\n\0\0\0\0".to_vec();
        old.extend_from_slice(PNG_SIGNATURE);
        assert_eq!(decode(&old), None, "format 2 is re-rendered");
        let mut cut = encode(&Stored {
            bytes: Bytes::new(),
            missing_glyphs: 0,
            fit: "x".repeat(9),
        });
        cut.truncate(MAGIC.len() + 8);
        assert_eq!(decode(&cut), None, "a fit longer than the value");
    }
}
