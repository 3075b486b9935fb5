//! The hardened fetcher: http(s) only, no proxy from the environment, every destination
//! vetted on the address actually connected to, at most 3 redirects (each vetted again),
//! tight timeouts, and a byte cap enforced while reading.
//!
//! Vetting happens in two places so that no path skips it: IP literals (which never reach
//! DNS) are checked on the parsed URL, where `2130706433`, `0x7f000001` and `127.1` have
//! already become `127.0.0.1`; host names are checked in the DNS resolver we give reqwest,
//! which refuses a name if any of its addresses is not public and hands reqwest only the
//! vetted addresses to connect to, so a second lookup cannot be rebound.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Name, Resolve, Resolving};

use super::address;
use super::ImageProblem;

/// At most this many redirects are followed.
pub const MAX_REDIRECTS: usize = 3;

/// How the fetcher behaves. Defaults are in [`super::ImageOptions`].
#[derive(Clone, Debug)]
pub struct FetchOptions {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_bytes: u64,
    /// Exact host names allowed; empty allows every public host.
    pub allow_hosts: Vec<String>,
    /// Lets private, loopback and link-local addresses through (tests, intranets).
    pub allow_private_networks: bool,
    /// Hosts (exactly as in the URL) that may be private while others may not: an
    /// intranet image server, or a test's own server.
    pub private_hosts: Vec<String>,
    /// Lets loopback addresses through, and no other private ones: the dev playground's
    /// page checker, which looks at pages served on this machine.
    pub allow_loopback: bool,
}

/// A fetched body and how long its origin says it may be kept.
#[derive(Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub max_age: Option<Duration>,
}

pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Self, String> {
        // reqwest is built without a crypto provider (its default, aws-lc, is a C build of
        // several minutes); ring is ours. Installing fails only when one is installed
        // already, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("ogmill/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(VettingResolver {
                allow_private: options.allow_private_networks,
                private_hosts: options.private_hosts.clone(),
                allow_loopback: options.allow_loopback,
            }))
            .build()
            .map_err(|e| format!("cannot build the image fetcher: {e}"))?;
        Ok(Fetcher { client, options })
    }

    /// Fetches `url` within the total timeout, following at most [`MAX_REDIRECTS`].
    pub async fn fetch(&self, url: url::Url) -> Result<Fetched, ImageProblem> {
        tokio::time::timeout(self.options.timeout, self.follow(url))
            .await
            .unwrap_or(Err(ImageProblem::Timeout))
    }

    async fn follow(&self, mut url: url::Url) -> Result<Fetched, ImageProblem> {
        for _ in 0..=MAX_REDIRECTS {
            self.vet(&url)?;
            let res = self
                .client
                .get(url.clone())
                .send()
                .await
                .map_err(classify)?;
            let status = res.status();
            if status.is_redirection() {
                let location = res
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or(ImageProblem::Status(status.as_u16()))?;
                url = url
                    .join(location)
                    .map_err(|_| ImageProblem::Fetch("a redirect to an invalid URL".into()))?;
                continue;
            }
            if !status.is_success() {
                return Err(ImageProblem::Status(status.as_u16()));
            }
            return self.read(res).await;
        }
        Err(ImageProblem::Blocked(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// Scheme, allow-list and IP literals; names are vetted by the resolver.
    fn vet(&self, url: &url::Url) -> Result<(), ImageProblem> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ImageProblem::Blocked(format!(
                "{}: only http and https are fetched",
                url.scheme()
            )));
        }
        let host = url
            .host()
            .ok_or_else(|| ImageProblem::Blocked("a URL without a host".into()))?;
        let o = &self.options;
        if !o.allow_hosts.is_empty() && !is_listed(&o.allow_hosts, url.host_str()) {
            return Err(ImageProblem::Blocked(format!(
                "{} is not on the allowed hosts list",
                url.host_str().unwrap_or("")
            )));
        }
        let literal = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        };
        let exempt = o.allow_private_networks || is_listed(&o.private_hosts, url.host_str());
        let refusal =
            |ip| address::refusal(ip).filter(|_| !(o.allow_loopback && address::is_loopback(ip)));
        match literal.and_then(refusal) {
            Some(why) if !exempt => Err(ImageProblem::Blocked(why)),
            _ => Ok(()),
        }
    }

    /// Reads the body, stopping as soon as it passes the cap, whatever Content-Length said.
    async fn read(&self, mut res: reqwest::Response) -> Result<Fetched, ImageProblem> {
        let max = self.options.max_bytes;
        if res.content_length().is_some_and(|n| n > max) {
            return Err(ImageProblem::TooLarge(max));
        }
        let max_age = max_age(res.headers());
        let mut bytes = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(classify)? {
            if bytes.len() as u64 + chunk.len() as u64 > max {
                return Err(ImageProblem::TooLarge(max));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched { bytes, max_age })
    }
}

/// Exact, case-insensitive host match on the parsed URL's host (so `good.com@evil.com`
/// is `evil.com`, and `127.1` is `127.0.0.1`).
fn is_listed(list: &[String], host: Option<&str>) -> bool {
    let host = host.unwrap_or("");
    list.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// `Cache-Control: max-age=N` (`no-store`/`no-cache` count as 0).
fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let cc = headers
        .get(reqwest::header::CACHE_CONTROL)?
        .to_str()
        .ok()?
        .to_ascii_lowercase();
    let mut age = None;
    for d in cc.split(',').map(str::trim) {
        if d == "no-store" || d == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(n) = d.strip_prefix("max-age=") {
            age = n
                .trim_matches('"')
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs);
        }
    }
    age
}

/// Maps reqwest's error to what the requester is told: a refusal by our resolver stays a
/// refusal; everything else is a timeout or a plain fetch failure.
fn classify(e: reqwest::Error) -> ImageProblem {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(b) = err.downcast_ref::<Refused>() {
            return ImageProblem::Blocked(b.0.clone());
        }
        source = err.source();
    }
    if e.is_timeout() {
        ImageProblem::Timeout
    } else if e.is_connect() {
        ImageProblem::Fetch("cannot connect".into())
    } else {
        ImageProblem::Fetch("the connection failed".into())
    }
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Resolves with the system resolver, then refuses the name if any address is not public.
struct VettingResolver {
    allow_private: bool,
    private_hosts: Vec<String>,
    allow_loopback: bool,
}

impl Resolve for VettingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private || is_listed(&self.private_hosts, Some(&host));
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .collect();
            if !allow_private {
                let refused = |ip| {
                    address::refusal(ip).filter(|_| !(allow_loopback && address::is_loopback(ip)))
                };
                if let Some(why) = addrs.iter().find_map(|a| refused(a.ip())) {
                    // The operator's log gets the address; the response only the verdict,
                    // so it cannot map which internal names resolve where.
                    tracing::info!(%host, %why, "image host refused: not a public address");
                    let msg = format!("{host} is not allowed (not a public address)");
                    return Err(Box::new(Refused(msg)) as Box<dyn std::error::Error + Send + Sync>);
                }
            }
            Ok(Box::new(addrs.into_iter()) as Box<dyn Iterator<Item = SocketAddr> + Send>)
        })
    }
}
