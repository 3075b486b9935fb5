//! Prepared images by reference and frame: a byte-bounded LRU with per-entry lifetimes
//! (the origin's `max-age` within bounds), with concurrent loads of the same image
//! coalesced into one. Failures are remembered briefly so a broken URL is not hammered.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::FutureExt;

use super::fetch::{FetchOptions, Fetcher};
use super::{parse_source, prepare, Frame, ImageProblem, Prepared, Source};
use crate::flight::SingleFlight;
use crate::lru_bytes::ByteLru;
use ogmill_core::images::SvgTrust;

/// How images are had. Every field has a flag, an `OGMILL_*` variable and a TOML key.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageOptions {
    /// Where asset names are looked up (name only, no paths). Default: `assets`.
    pub assets_dir: PathBuf,
    /// Exact host names URLs may point at; empty allows every public host. Default: empty.
    pub allow_hosts: Vec<String>,
    /// Let URLs reach private, loopback and link-local addresses. Default: `false`.
    pub allow_private_networks: bool,
    /// Draw an SVG that arrives by URL or data URI (a logo hosted elsewhere), after the
    /// checks of [`ogmill_core::images::prepare_svg`] for untrusted SVG. Assets are always
    /// drawn as vector. Default: `false`: such SVG is refused.
    pub allow_remote_svg: bool,
    /// Hosts that may be private while others may not (an intranet server). Default: none.
    pub private_hosts: Vec<String>,
    /// Longest wait for a connection. Default: 2 s.
    pub connect_timeout: Duration,
    /// Longest whole fetch, redirects included. Default: 4 s.
    pub timeout: Duration,
    /// Largest image file, however it arrives. Default: 8 MiB.
    pub max_bytes: u64,
    /// Largest image, in pixels, read from its header before decoding. Default: 16 million.
    pub max_pixels: u64,
    /// Bytes of prepared images kept in memory. Default: 64 MiB.
    pub cache_bytes: u64,
    /// Bounds on how long a fetched image is kept, whatever its `max-age`. Default: 1 min..1 day.
    pub min_ttl: Duration,
    pub max_ttl: Duration,
    /// How long a failure is remembered before the image is tried again. Default: 30 s.
    pub failure_ttl: Duration,
    /// Bytes that images being decoded at once may take (each counts its pixels, from its
    /// header, twice over); more wait. Default: 256 MiB.
    pub decode_memory: u64,
}

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions {
            assets_dir: PathBuf::from("assets"),
            allow_hosts: vec![],
            allow_private_networks: false,
            allow_remote_svg: false,
            private_hosts: vec![],
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(4),
            max_bytes: 8 * 1024 * 1024,
            max_pixels: 16_000_000,
            cache_bytes: 64 * 1024 * 1024,
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(24 * 60 * 60),
            failure_ttl: Duration::from_secs(30),
            decode_memory: 256 * 1024 * 1024,
        }
    }
}

type Outcome = Result<Prepared, ImageProblem>;

pub struct ImageStore {
    options: ImageOptions,
    /// KiB of decoding under way, bounded by `decode_memory`: decodes run outside the
    /// render slots, so without it 40 requests decoding 4000x4000 images took 1 GB at once.
    decoding: Arc<tokio::sync::Semaphore>,
    fetcher: Fetcher,
    cache: ByteLru<String, Outcome>,
    flights: SingleFlight<Outcome>,
}

impl ImageStore {
    pub fn new(options: ImageOptions) -> Result<Arc<Self>, String> {
        let fetcher = Fetcher::new(FetchOptions {
            connect_timeout: options.connect_timeout,
            timeout: options.timeout,
            max_bytes: options.max_bytes,
            allow_hosts: options.allow_hosts.clone(),
            allow_private_networks: options.allow_private_networks,
            private_hosts: options.private_hosts.clone(),
            allow_loopback: false,
        })?;
        let budget = options
            .decode_memory
            .div_ceil(1024)
            .clamp(1, u64::from(u32::MAX)) as usize;
        Ok(Arc::new(ImageStore {
            decoding: Arc::new(tokio::sync::Semaphore::new(budget)),
            cache: ByteLru::new(options.cache_bytes),
            fetcher,
            options,
            flights: SingleFlight::new(),
        }))
    }

    pub fn options(&self) -> &ImageOptions {
        &self.options
    }

    /// The image `reference` prepared for `frame`: from the cache, from a load already under
    /// way, or loaded now. Never panics the caller; a failure is an [`ImageProblem`].
    pub async fn load(self: &Arc<Self>, reference: &str, frame: Frame) -> Outcome {
        let key = format!(
            "{}x{}:{:?}:{reference}",
            frame.width, frame.height, frame.fit
        );
        if let (Some(hit), _) = self.cache.get(&key) {
            return hit;
        }
        let flight = self.flights.join(&key, || {
            let store = self.clone();
            let (reference, key) = (reference.to_owned(), key.clone());
            // Spawned, so a load finishes and is cached even when every waiter has gone.
            let load = tokio::spawn(async move { store.load_now(reference, frame, key).await });
            Ok::<_, std::convert::Infallible>(
                async move {
                    load.await
                        .unwrap_or_else(|_| Err(ImageProblem::Corrupt("the loader failed".into())))
                }
                .boxed(),
            )
        });
        let Ok(flight) = flight;
        flight.await
    }

    async fn load_now(self: Arc<Self>, reference: String, frame: Frame, key: String) -> Outcome {
        let (outcome, ttl) = match self.bytes(&reference).await {
            Ok((bytes, ttl, local)) => {
                let max_pixels = self.options.max_pixels;
                let trust = match (local, self.options.allow_remote_svg) {
                    (true, _) => Some(SvgTrust::Local),
                    (false, true) => Some(SvgTrust::Remote),
                    (false, false) => None,
                };
                let kib = |b: u64| u32::try_from(b.div_ceil(1024)).unwrap_or(u32::MAX);
                let budget = kib(self.options.decode_memory).max(1);
                let cost = ogmill_core::images::decode_cost(&bytes)
                    .map_or(1, kib)
                    .clamp(1, budget);
                let permit = self.decoding.clone().acquire_many_owned(cost).await;
                let prepared = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    std::panic::catch_unwind(|| {
                        // A logo from the assets directory stays vector, and so does an
                        // SVG from a request when the operator allows it (with stricter
                        // checks); otherwise `prepare` refuses SVG, as always.
                        match trust {
                            Some(trust) if ogmill_core::images::is_svg(&bytes) => {
                                ogmill_core::images::prepare_svg(&bytes, trust)
                            }
                            _ => prepare(&bytes, frame, max_pixels),
                        }
                    })
                    .unwrap_or_else(|_| Err(ImageProblem::Corrupt("the decoder failed".into())))
                })
                .await
                .unwrap_or_else(|_| Err(ImageProblem::Corrupt("the decoder failed".into())));
                (prepared, ttl)
            }
            Err(problem) => (Err(problem), self.options.failure_ttl),
        };
        let (outcome, ttl) = match outcome {
            Ok(p) => (Ok(p), ttl),
            Err(e) => (Err(e), self.options.failure_ttl),
        };
        let size = key.len() as u64
            + outcome.as_ref().map_or(0, |p| {
                (p.png.len() + p.svg.as_ref().map_or(0, |s| s.len())) as u64
            });
        self.cache.insert(key, outcome.clone(), size, ttl);
        outcome
    }

    /// Every image slot of a resolved request, loaded at once: one entry per slot (`None`
    /// when the param is empty or its image cannot be had), and the problems by param.
    pub async fn load_for(
        self: &Arc<Self>,
        resolved: &ogmill_core::renderer::Resolved,
    ) -> (Vec<Option<Prepared>>, Vec<(String, ImageProblem)>) {
        let loads = resolved
            .wanted_images()
            .into_iter()
            .map(|(reference, frame)| self.load(reference, frame));
        resolved.place_images(futures_util::future::join_all(loads).await)
    }

    /// The raw bytes of a reference, how long what is made of them may be kept, and
    /// whether they are a local asset (trusted enough to stay vector).
    async fn bytes(&self, reference: &str) -> Result<(Vec<u8>, Duration, bool), ImageProblem> {
        let o = &self.options;
        match parse_source(reference, o.max_bytes)? {
            Source::Data(bytes) => Ok((bytes, o.max_ttl, false)),
            Source::Asset(name) => {
                let path = o.assets_dir.join(&name);
                let max = o.max_bytes;
                let read = tokio::task::spawn_blocking(move || read_capped(&path, max))
                    .await
                    .map_err(|_| ImageProblem::NoAsset(name.clone()))?;
                read.map(|b| (b, o.max_ttl, true)).map_err(|e| match e {
                    ImageProblem::NoAsset(_) => ImageProblem::NoAsset(name),
                    other => other,
                })
            }
            Source::Url(url) => {
                let fetched = self.fetcher.fetch(url).await?;
                let ttl = fetched
                    .max_age
                    .unwrap_or(Duration::from_secs(3600))
                    .clamp(o.min_ttl, o.max_ttl);
                Ok((fetched.bytes, ttl, false))
            }
        }
    }
}

/// Reads an asset, refusing anything but a regular file and anything over `max` bytes.
fn read_capped(path: &std::path::Path, max: u64) -> Result<Vec<u8>, ImageProblem> {
    use std::io::Read;
    let missing = || ImageProblem::NoAsset(String::new());
    let meta = std::fs::metadata(path).map_err(|_| missing())?;
    if !meta.is_file() {
        return Err(missing());
    }
    if meta.len() > max {
        return Err(ImageProblem::TooLarge(max));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(|_| missing())?
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| missing())?;
    if bytes.len() as u64 > max {
        return Err(ImageProblem::TooLarge(max));
    }
    Ok(bytes)
}

/// The store for synchronous callers (the CLI, `ogmill build`): its own small runtime, on
/// which any number of threads may block at once.
pub struct Loader {
    store: Arc<ImageStore>,
    runtime: tokio::runtime::Runtime,
}

impl Loader {
    pub fn new(options: ImageOptions) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the image loader: {e}"))?;
        // reqwest's client must be built inside a runtime context.
        let store = runtime.block_on(async { ImageStore::new(options) })?;
        Ok(Loader { store, runtime })
    }
}

/// The store as the core's image source, blocking: several pictures are fetched at once.
impl ogmill_core::images::ImageSource for Loader {
    fn load(&self, reference: &str, frame: Frame) -> Outcome {
        self.runtime.block_on(self.store.load(reference, frame))
    }

    fn load_all(&self, wanted: &[(&str, Frame)]) -> Vec<Outcome> {
        let loads = wanted.iter().map(|&(r, f)| self.store.load(r, f));
        self.runtime.block_on(futures_util::future::join_all(loads))
    }
}
