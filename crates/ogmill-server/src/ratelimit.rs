//! Per-client limits on renders: a token bucket per client (its API key, else its address),
//! spent only by a render (a cache hit or a 304 costs nothing), kept in a bounded LRU so a
//! flood of addresses cannot grow it without end.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use lru::LruCache;
use sha2::Digest;

/// Buckets kept; a bucket is about 100 bytes with its key, so 100k clients are ~10 MB.
const MAX_CLIENTS: usize = 100_000;

/// A rate: `10/s`, `600/min`, `36000/h`, with a burst (the bucket's size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Renders per window.
    pub count: u32,
    /// The window in seconds.
    pub window: u32,
    /// Renders allowed at once before the rate applies. Default: `count`.
    pub burst: u32,
}

impl Rate {
    /// Parses `N/s`, `N/min` or `N/h` (`N/second`, `N/minute`, `N/hour` too).
    pub fn parse(s: &str) -> Result<Rate, String> {
        let bad = || format!("rate '{s}' is not like 10/s, 600/min or 1000/h");
        let (n, unit) = s.trim().split_once('/').ok_or_else(bad)?;
        let count: u32 = n.trim().parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        let window = match unit.trim() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            _ => return Err(bad()),
        };
        Ok(Rate {
            count,
            window,
            burst: count,
        })
    }

    fn per_second(&self) -> f64 {
        f64::from(self.count) / f64::from(self.window)
    }
}

impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Rate::parse(s)
    }
}

/// A limit for one API key: `KEY=RATE`.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRate {
    /// The key, as clients send it.
    pub key: String,
    /// Its rate.
    pub rate: Rate,
}

impl std::str::FromStr for KeyRate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (key, rate) = s
            .rsplit_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or("a key's limit is KEY=RATE, e.g. partner-key=100/s")?;
        Ok(KeyRate {
            key: key.to_owned(),
            rate: rate.parse()?,
        })
    }
}

/// Who a request counts against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Client(pub String);

/// The limits and their buckets.
pub struct Limiter {
    default: Option<Rate>,
    /// By the key's digest, so no key sits in memory in the clear twice.
    per_key: HashMap<String, Rate>,
    buckets: Mutex<LruCache<Client, Bucket>>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// What a render may do under the client's limit.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// No limit applies to this client.
    Unlimited,
    /// A token was spent; this many are left, and the bucket is full again in `reset` s.
    Allowed {
        rate: Rate,
        remaining: u32,
        reset: u64,
    },
    /// Over the limit: the next token comes in `retry_after` seconds.
    Limited { rate: Rate, retry_after: u64 },
}

impl Limiter {
    /// `default` for every client; `per_key` overrides by API key (in the clear; digested here).
    pub fn new(default: Option<Rate>, per_key: &HashMap<String, Rate>) -> Self {
        Limiter {
            default,
            per_key: per_key.iter().map(|(k, r)| (key_digest(k), *r)).collect(),
            buckets: Mutex::new(LruCache::new(
                NonZeroUsize::new(MAX_CLIENTS).expect("not zero"),
            )),
        }
    }

    /// Whether any limit is configured.
    pub fn is_active(&self) -> bool {
        self.default.is_some() || !self.per_key.is_empty()
    }

    /// Whether `key` (in the clear) has a rate of its own (`--rate-limit-keys`).
    pub fn has_own_rate(&self, key: &str) -> bool {
        self.per_key.contains_key(&key_digest(key))
    }

    /// The rate that applies to `client`, if any.
    pub fn rate_for(&self, client: &Client) -> Option<Rate> {
        client
            .0
            .strip_prefix("key:")
            .and_then(|d| self.per_key.get(d))
            .copied()
            .or(self.default)
    }

    /// The verdict for a bucket that has `tokens` left after trying to spend one.
    pub fn verdict(rate: Rate, spent: bool, tokens: f64) -> Verdict {
        if spent {
            let missing = f64::from(rate.burst) - tokens;
            Verdict::Allowed {
                rate,
                remaining: tokens.max(0.0).floor() as u32,
                reset: (missing / rate.per_second()).ceil().max(0.0) as u64,
            }
        } else {
            let wait = (1.0 - tokens) / rate.per_second();
            Verdict::Limited {
                rate,
                retry_after: wait.ceil().max(1.0) as u64,
            }
        }
    }

    /// Spends one token of `client`'s bucket in this instance, if it has a limit.
    pub fn spend(&self, client: &Client, now: Instant) -> Verdict {
        let Some(rate) = self.rate_for(client) else {
            return Verdict::Unlimited;
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.get_or_insert_mut(client.clone(), || Bucket {
            tokens: f64::from(rate.burst),
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate.per_second()).min(f64::from(rate.burst));
        bucket.updated = now;
        let spent = bucket.tokens >= 1.0;
        if spent {
            bucket.tokens -= 1.0;
        }
        Self::verdict(rate, spent, bucket.tokens)
    }

    /// Clients with a bucket, for `/metrics`.
    pub fn clients(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

fn key_digest(key: &str) -> String {
    let d = sha2::Sha256::digest(key.as_bytes());
    d.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// The key in `Authorization: Bearer KEY` or a `dma-api-key` header, as the hosted render
/// API's clients send it (the one place that reads those headers).
pub(crate) fn key_in_headers(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").map(str::trim));
    bearer.or_else(|| headers.get("dma-api-key").and_then(|v| v.to_str().ok()))
}

/// The API key a request carries (`Authorization: Bearer`, a `dma-api-key` header or query
/// param), whether or not it is valid; [`identify`] decides.
fn api_key<'a>(headers: &'a HeaderMap, query: Option<&'a str>) -> Option<String> {
    if let Some(k) = key_in_headers(headers) {
        return Some(k.to_owned());
    }
    query?
        .split('&')
        .find_map(|p| p.strip_prefix("dma-api-key="))
        .map(|k| {
            percent_encoding::percent_decode_str(k)
                .decode_utf8_lossy()
                .into_owned()
        })
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last address
/// in `X-Forwarded-For` that is not one (a client can write anything at the left of it).
fn address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> String {
    let Some(mut addr) = peer else {
        return "unknown".into();
    };
    let is_trusted = |a: &IpAddr| trusted.iter().any(|n| n.contains(a));
    if is_trusted(&addr) {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        for a in forwarded.into_iter().rev() {
            addr = a;
            if !is_trusted(&a) {
                break;
            }
        }
    }
    addr.to_string()
}

/// Who this request counts against: `key:<digest>` when it carries a key that `is_valid`
/// accepts, else `ip:<address>`. An unknown key counts as its address: were any key a
/// bucket, a client would get a fresh bucket per made-up key.
pub fn identify(
    req: &Request,
    trusted: &[ipnet::IpNet],
    is_valid: impl Fn(&str) -> bool,
) -> Client {
    if let Some(k) = api_key(req.headers(), req.uri().query()).filter(|k| is_valid(k)) {
        return Client(format!("key:{}", key_digest(&k)));
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    Client(format!("ip:{}", address(peer, req.headers(), trusted)))
}

/// Puts the [`Client`] in the request's extensions, for the render routes.
pub(crate) async fn tag_client(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let client = identify(&req, &state.options().trusted_proxies, |key| {
        state.0.limiter.has_own_rate(key) || crate::routes::auth::is_api_key(&state, key)
    });
    req.extensions_mut().insert(client);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rates_parse_and_buckets_refill() {
        assert_eq!(Rate::parse("600/min").unwrap().window, 60);
        assert!(Rate::parse("0/s").is_err() && Rate::parse("5 per s").is_err());
        let rate = Rate {
            count: 2,
            window: 1,
            burst: 2,
        };
        let l = Limiter::new(Some(rate), &HashMap::new());
        let c = Client("ip:1.2.3.4".into());
        let t0 = Instant::now();
        assert!(matches!(
            l.spend(&c, t0),
            Verdict::Allowed { remaining: 1, .. }
        ));
        assert!(matches!(
            l.spend(&c, t0),
            Verdict::Allowed { remaining: 0, .. }
        ));
        assert_eq!(
            l.spend(&c, t0),
            Verdict::Limited {
                rate,
                retry_after: 1
            }
        );
        // Half a second later, one token is back.
        assert!(matches!(
            l.spend(&c, t0 + Duration::from_millis(500)),
            Verdict::Allowed { .. }
        ));
        let other = Client("ip:5.6.7.8".into());
        assert!(
            matches!(l.spend(&other, t0), Verdict::Allowed { .. }),
            "buckets are per client"
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "6.6.6.6, 1.2.3.4, 10.0.0.7".parse().unwrap(),
        );
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let stranger: IpAddr = "9.9.9.9".parse().unwrap();
        assert_eq!(address(Some(proxy), &h, &trusted), "1.2.3.4");
        assert_eq!(address(Some(stranger), &h, &trusted), "9.9.9.9");
    }
}
