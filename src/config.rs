//! One config struct for flags, `OGMILL_*` variables and the TOML file, so the three stay in
//! step: every setting is a field, its flag is `--field-name`, its variable `OGMILL_FIELD_NAME`
//! and its TOML key `field-name` (a test checks the rule). Precedence: flag, then variable,
//! then the file, then the default written in the matching `Options`/`ServerOptions` field.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use bytesize::ByteSize;

use ogmill_core::encode::Compression;
use ogmill_server::ServerOptions;

/// Every setting, each optional: `None` means "not given here".
#[derive(clap::Args, serde::Deserialize, serde::Serialize, Debug, Clone, Default, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// A TOML file of these settings (keys as the flags, without --)
    #[arg(long, global = true, env = "OGMILL_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Directory of *.svg templates [default: the bundled templates]
    #[arg(long, global = true, env = "OGMILL_TEMPLATES", value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Extra font directories; repeatable or comma-separated
    #[arg(
        long,
        visible_alias = "fonts-dir",
        global = true,
        env = "OGMILL_FONTS",
        value_delimiter = ',',
        value_name = "DIR"
    )]
    pub fonts: Option<Vec<PathBuf>>,
    /// Do not load the bundled fonts
    #[arg(long, global = true, env = "OGMILL_NO_BUNDLED_FONTS", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub no_bundled_fonts: Option<bool>,
    /// Also load the system's fonts (last in the fallback chain; output then depends on the machine)
    #[arg(long, global = true, env = "OGMILL_SYSTEM_FONTS", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub system_fonts: Option<bool>,
    /// Refuse a template whose text names a font family no loaded font has, instead of
    /// drawing it with the closest loaded family and saying so
    #[arg(long, global = true, env = "OGMILL_STRICT_FONTS", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub strict_fonts: Option<bool>,
    /// PNG compression: fast, balanced or high [default: fast]
    #[arg(long, global = true, env = "OGMILL_COMPRESSION")]
    pub compression: Option<Compression>,
    /// How far a color may move per channel so a card fits a 256-color palette (gradients dither); 0 is exact [default: 1]
    #[arg(
        long,
        global = true,
        env = "OGMILL_PALETTE_TOLERANCE",
        value_name = "N"
    )]
    pub palette_tolerance: Option<u8>,

    /// Address to listen on [default: 127.0.0.1:3000]
    #[arg(long, global = true, env = "OGMILL_BIND", value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// Port to listen on, on --bind's address; PORT (which most platforms set) is read too [default: 3000]
    #[arg(long, global = true, env = "OGMILL_PORT", value_name = "PORT")]
    pub port: Option<u16>,
    /// Bytes of drawn template backgrounds kept in memory, e.g. 128MiB [default: 64 MiB]
    #[arg(
        long,
        global = true,
        env = "OGMILL_LAYER_CACHE_SIZE",
        value_name = "BYTES"
    )]
    pub layer_cache_size: Option<ByteSize>,
    /// Bytes of rendered PNGs kept in memory, e.g. 256MiB [default: 256 MiB]
    #[arg(long, global = true, env = "OGMILL_CACHE_SIZE", value_name = "BYTES")]
    pub cache_size: Option<ByteSize>,
    /// How long a rendered PNG stays in the memory cache, e.g. 1h [default: 24h]
    #[arg(long, global = true, env = "OGMILL_CACHE_TTL", value_name = "DURATION")]
    pub cache_ttl: Option<HumanDuration>,
    /// Cache-Control of rendered images [default: public, max-age=86400, s-maxage=86400, stale-while-revalidate=604800]
    #[arg(
        long,
        global = true,
        env = "OGMILL_CACHE_CONTROL",
        value_name = "VALUE"
    )]
    pub cache_control: Option<String>,
    /// Renders at once [default: number of cores]
    #[arg(long, global = true, env = "OGMILL_CONCURRENCY", value_name = "N")]
    pub concurrency: Option<usize>,
    /// Renders that may wait for a slot before requests get 503 [default: 64]
    #[arg(long, global = true, env = "OGMILL_QUEUE", value_name = "N")]
    pub queue: Option<usize>,
    /// Longest wait for a render, queue included, before the fallback image; a render still
    /// drawing this long after it began is stopped [default: 10s]
    #[arg(
        long,
        global = true,
        env = "OGMILL_RENDER_TIMEOUT",
        value_name = "DURATION"
    )]
    pub render_timeout: Option<HumanDuration>,
    /// Longest time a whole request may take, body included (then 408) [default: 30s]
    #[arg(
        long,
        global = true,
        env = "OGMILL_REQUEST_TIMEOUT",
        value_name = "DURATION"
    )]
    pub request_timeout: Option<HumanDuration>,
    /// Longest time a client may take to send its request headers, and a new connection its first request [default: 10s]
    #[arg(
        long,
        global = true,
        env = "OGMILL_HEADER_TIMEOUT",
        value_name = "DURATION"
    )]
    pub header_timeout: Option<HumanDuration>,
    /// Close a connection with no request in flight for this long [default: 60s]
    #[arg(
        long,
        global = true,
        env = "OGMILL_IDLE_TIMEOUT",
        value_name = "DURATION"
    )]
    pub idle_timeout: Option<HumanDuration>,
    /// Open connections at most; more wait to be accepted [default: 1024]
    #[arg(long, global = true, env = "OGMILL_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Open connections one client address may hold; trusted proxies are not counted [default: 256]
    #[arg(
        long,
        global = true,
        env = "OGMILL_MAX_CONNECTIONS_PER_CLIENT",
        value_name = "N"
    )]
    pub max_connections_per_client: Option<usize>,
    /// Largest POST body [default: 64 KiB]
    #[arg(
        long,
        global = true,
        env = "OGMILL_MAX_BODY_SIZE",
        value_name = "BYTES"
    )]
    pub max_body_size: Option<ByteSize>,
    /// Time in-flight requests get to finish after SIGTERM/SIGINT [default: 10s]
    #[arg(
        long,
        global = true,
        env = "OGMILL_SHUTDOWN_GRACE",
        value_name = "DURATION"
    )]
    pub shutdown_grace: Option<HumanDuration>,
    /// PNG served when a render fails [default: the default template with --site-name]
    #[arg(
        long,
        global = true,
        env = "OGMILL_FALLBACK_IMAGE",
        value_name = "FILE"
    )]
    pub fallback_image: Option<PathBuf>,
    /// Site name drawn on the default fallback image
    #[arg(long, global = true, env = "OGMILL_SITE_NAME", value_name = "NAME")]
    pub site_name: Option<String>,
    /// Keys accepted by POST /v1/{template}; repeatable or comma-separated [default: none, open]
    #[arg(
        long,
        global = true,
        env = "OGMILL_API_KEYS",
        value_delimiter = ',',
        value_name = "KEY",
        hide_env_values = true
    )]
    pub api_keys: Option<Vec<String>>,
    /// Renders per client (its API key, else its address), e.g. 10/s or 600/min; cache hits are free [default: none]
    #[arg(long, global = true, env = "OGMILL_RATE_LIMIT", value_name = "RATE")]
    pub rate_limit: Option<Text<ogmill_server::ratelimit::Rate>>,
    /// Renders a client may make at once before its rate applies [default: the rate's count]
    #[arg(long, global = true, env = "OGMILL_RATE_LIMIT_BURST", value_name = "N")]
    pub rate_limit_burst: Option<u32>,
    /// Limits for particular API keys as KEY=RATE; repeatable or comma-separated
    #[arg(
        long,
        global = true,
        env = "OGMILL_RATE_LIMIT_KEYS",
        value_delimiter = ',',
        value_name = "KEY=RATE",
        hide_env_values = true
    )]
    pub rate_limit_keys: Option<Vec<Text<ogmill_server::ratelimit::KeyRate>>>,
    /// Proxies (CIDR) whose X-Forwarded-For names the client; repeatable or comma-separated [default: none]
    #[arg(
        long,
        global = true,
        env = "OGMILL_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub trusted_proxies: Option<Vec<Text<ipnet::IpNet>>>,
    /// The server's public origin (`https://og.example.com`) for the URLs it hands out [default: the request's Host]
    #[arg(long, global = true, env = "OGMILL_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Longest expiresIn of a delivery=signed URL, e.g. 7d [default: 30d]
    #[arg(
        long,
        global = true,
        env = "OGMILL_MAX_SIGNED_EXPIRY",
        value_name = "DURATION"
    )]
    pub max_signed_expiry: Option<HumanDuration>,
    /// Keys for signed URLs: sign with the first, accept any; repeatable or comma-separated
    #[arg(
        long,
        visible_alias = "signing-key",
        global = true,
        env = "OGMILL_SIGNING_KEYS",
        value_delimiter = ',',
        value_name = "KEY",
        hide_env_values = true
    )]
    pub signing_keys: Option<Vec<String>>,
    /// Refuse unsigned, tampered and expired URLs with 403 (needs --signing-key)
    #[arg(long, global = true, env = "OGMILL_REQUIRE_SIGNATURE", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub require_signature: Option<bool>,
    /// Development mode: watch the templates and font dirs and reload on change (pushed to
    /// open playground pages); sign URLs and check pages (loopback allowed) in the playground.
    /// Templates come from ./svg-templates and fonts from ./fonts when they exist and
    /// --templates and --fonts are not given
    #[arg(long, global = true, env = "OGMILL_DEV", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub dev: Option<bool>,
    /// Let --dev bind a non-loopback address and answer any Host and Origin (DNS rebinding and cross-site requests are then possible: never on the internet)
    #[arg(long, global = true, env = "OGMILL_DEV_PUBLIC", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub dev_public: Option<bool>,
    /// On /api/og without a format (no suffix, no format=), send WebP to clients whose Accept
    /// lists image/webp, PNG to the rest, with Vary: Accept. Off by default: some crawlers
    /// say they accept WebP and then do not show it
    #[arg(long, global = true, env = "OGMILL_ACCEPT_FORMATS", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub accept_formats: Option<bool>,
    /// Directory of image assets that image params may name [default: assets]
    #[arg(long, global = true, env = "OGMILL_ASSETS", value_name = "DIR")]
    pub assets: Option<PathBuf>,
    /// Only fetch images from these exact hosts; repeatable or comma-separated [default: any public host]
    #[arg(
        long,
        global = true,
        env = "OGMILL_IMAGE_ALLOW_HOSTS",
        value_delimiter = ',',
        value_name = "HOST"
    )]
    pub image_allow_hosts: Option<Vec<String>>,
    /// Let image URLs reach private, loopback and link-local addresses (tests, intranets)
    #[arg(long, global = true, env = "OGMILL_ALLOW_PRIVATE_NETWORKS", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub allow_private_networks: Option<bool>,
    /// Draw SVG images from URLs and data URIs (after stricter checks); assets' SVG is always drawn
    #[arg(long, global = true, env = "OGMILL_ALLOW_REMOTE_SVG", num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub allow_remote_svg: Option<bool>,
    /// Hosts whose images may come from private addresses while others may not; repeatable or comma-separated
    #[arg(
        long,
        global = true,
        env = "OGMILL_IMAGE_PRIVATE_HOSTS",
        value_delimiter = ',',
        value_name = "HOST"
    )]
    pub image_private_hosts: Option<Vec<String>>,
    /// Longest wait to connect to an image's server [default: 2s]
    #[arg(
        long,
        global = true,
        env = "OGMILL_IMAGE_CONNECT_TIMEOUT",
        value_name = "DURATION"
    )]
    pub image_connect_timeout: Option<HumanDuration>,
    /// Longest whole image fetch, redirects included [default: 4s]
    #[arg(
        long,
        global = true,
        env = "OGMILL_IMAGE_TIMEOUT",
        value_name = "DURATION"
    )]
    pub image_timeout: Option<HumanDuration>,
    /// Largest image file [default: 8 MiB]
    #[arg(
        long,
        global = true,
        env = "OGMILL_IMAGE_MAX_SIZE",
        value_name = "BYTES"
    )]
    pub image_max_size: Option<ByteSize>,
    /// Largest image in pixels, read from its header before decoding [default: 16000000]
    #[arg(long, global = true, env = "OGMILL_IMAGE_MAX_PIXELS", value_name = "N")]
    pub image_max_pixels: Option<u64>,
    /// Bytes of prepared images kept in memory [default: 64 MiB]
    #[arg(
        long,
        global = true,
        env = "OGMILL_IMAGE_CACHE_SIZE",
        value_name = "BYTES"
    )]
    pub image_cache_size: Option<ByteSize>,
    /// Bytes images being decoded at once may take; more wait [default: 256 MiB]
    #[arg(
        long,
        global = true,
        env = "OGMILL_IMAGE_DECODE_MEMORY",
        value_name = "BYTES"
    )]
    pub image_decode_memory: Option<ByteSize>,
    /// Cache-Control of a card drawn with a placeholder image [default: public, max-age=300]
    #[arg(
        long,
        global = true,
        env = "OGMILL_DEGRADED_CACHE_CONTROL",
        value_name = "VALUE"
    )]
    pub degraded_cache_control: Option<String>,
    /// A Redis shared by every instance, e.g. redis://127.0.0.1:6379/0 [default: none]
    #[arg(
        long,
        global = true,
        env = "OGMILL_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,
    /// Prefix of every Redis key [default: ogmill:]
    #[arg(
        long,
        global = true,
        env = "OGMILL_REDIS_PREFIX",
        value_name = "PREFIX"
    )]
    pub redis_prefix: Option<String>,
    /// Longest a Redis connect or command may take before it counts as a miss [default: 50ms]
    #[arg(
        long,
        global = true,
        env = "OGMILL_REDIS_TIMEOUT",
        value_name = "DURATION"
    )]
    pub redis_timeout: Option<HumanDuration>,
    /// How long to wait for another instance rendering the same card [default: 500ms]
    #[arg(
        long,
        global = true,
        env = "OGMILL_REDIS_LOCK_WAIT",
        value_name = "DURATION"
    )]
    pub redis_lock_wait: Option<HumanDuration>,
    /// Log filter, e.g. info or ogmill=debug [default: info]
    #[arg(long, global = true, env = "OGMILL_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

/// One signing key, read when neither `--signing-key` nor `OGMILL_SIGNING_KEYS` is given.
pub const SINGLE_KEY_VAR: &str = "OGMILL_SIGNING_KEY";

/// What went wrong reading the config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{0}")]
    SigningKey(ogmill_core::request::signature::KeyError),
    #[error("PORT='{0}' is not a port number (1-65535)")]
    Port(String),
}

impl Config {
    /// Reads the TOML file named by `config` (if any) and lays these values over it, then
    /// refuses signing keys anyone could guess, whatever the command: a key in the
    /// environment is checked even by `render` or `build`, so a broken deploy is told early.
    pub fn resolve(mut self) -> Result<Config, ConfigError> {
        if self.port.is_none() {
            // Heroku, Cloud Run, Render, Railway and Fly set PORT for the process.
            if let Some(p) = std::env::var("PORT").ok().filter(|p| !p.trim().is_empty()) {
                let port = p.trim().parse().map_err(|_| ConfigError::Port(p.clone()))?;
                self.port = Some(port);
            }
        }
        if self.signing_keys.is_none() {
            // The name the Next.js example and other tools use for a single key.
            if let Some(key) = std::env::var_os(SINGLE_KEY_VAR) {
                self.signing_keys = Some(vec![key.to_string_lossy().into_owned()]);
            }
        }
        let out = match self.config.clone() {
            None => self,
            Some(path) => self.over(Config::from_file(&path)?),
        };
        if let Some(keys) = &out.signing_keys {
            ogmill_core::request::signature::check_keys(keys).map_err(ConfigError::SigningKey)?;
        }
        Ok(out)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_owned(),
            error,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
    }

    /// Every field set here wins over the same field in `base`.
    pub fn over(self, base: Config) -> Config {
        // Round-trip through JSON objects so a new field needs no line here.
        let (Ok(serde_json::Value::Object(top)), Ok(serde_json::Value::Object(mut merged))) =
            (serde_json::to_value(&self), serde_json::to_value(&base))
        else {
            unreachable!("Config serializes to an object");
        };
        for (k, v) in top {
            if !v.is_null() {
                merged.insert(k, v);
            }
        }
        let mut out: Config = serde_json::from_value(merged.into()).expect("round trip");
        out.config = self.config.or(base.config);
        out
    }

    /// The renderer's options.
    pub fn engine_options(&self) -> ogmill_core::Options {
        let d = ogmill_core::Options::default();
        ogmill_core::Options {
            templates_dir: self.templates.clone().or(d.templates_dir),
            bundled_fonts: !self.no_bundled_fonts.unwrap_or(!d.bundled_fonts),
            font_dirs: self.fonts.clone().unwrap_or(d.font_dirs),
            system_fonts: self.system_fonts.unwrap_or(d.system_fonts),
            compression: self.compression.unwrap_or(d.compression),
            palette_tolerance: self.palette_tolerance.unwrap_or(d.palette_tolerance),
            layer_cache_bytes: self.layer_cache_size.map_or(d.layer_cache_bytes, |b| b.0),
            strict_fonts: self.strict_fonts.unwrap_or(d.strict_fonts),
            ..d
        }
    }

    /// The server's options.
    pub fn server_options(&self) -> ServerOptions {
        let d = ServerOptions::default();
        let dur = |v: Option<HumanDuration>, d: Duration| v.map_or(d, |h| h.0);
        ServerOptions {
            bind: {
                let bind = self.bind.unwrap_or(d.bind);
                SocketAddr::new(bind.ip(), self.port.unwrap_or(bind.port()))
            },
            cache_bytes: self.cache_size.map_or(d.cache_bytes, |b| b.0),
            cache_ttl: dur(self.cache_ttl, d.cache_ttl),
            cache_control: self.cache_control.clone().unwrap_or(d.cache_control),
            concurrency: self.concurrency.unwrap_or(d.concurrency).max(1),
            queue: self.queue.unwrap_or(d.queue),
            render_timeout: dur(self.render_timeout, d.render_timeout),
            request_timeout: dur(self.request_timeout, d.request_timeout),
            header_timeout: dur(self.header_timeout, d.header_timeout),
            idle_timeout: dur(self.idle_timeout, d.idle_timeout),
            max_connections: self.max_connections.unwrap_or(d.max_connections).max(1),
            max_connections_per_client: self
                .max_connections_per_client
                .unwrap_or(d.max_connections_per_client)
                .max(1),
            max_body_bytes: self
                .max_body_size
                .map_or(d.max_body_bytes, |b| b.0 as usize),
            shutdown_grace: dur(self.shutdown_grace, d.shutdown_grace),
            fallback_image: self.fallback_image.clone().or(d.fallback_image),
            site_name: self.site_name.clone().unwrap_or(d.site_name),
            api_keys: self.api_keys.clone().unwrap_or(d.api_keys),
            signing_keys: self.signing_keys.clone().unwrap_or(d.signing_keys),
            require_signature: self.require_signature.unwrap_or(d.require_signature),
            dev: self.dev.unwrap_or(d.dev),
            dev_public: self.dev_public.unwrap_or(d.dev_public),
            accept_formats: self.accept_formats.unwrap_or(d.accept_formats),
            rate_limit: self
                .rate_limit
                .as_ref()
                .map(|r| ogmill_server::ratelimit::Rate {
                    burst: self.rate_limit_burst.unwrap_or(r.1.count).max(1),
                    ..r.1
                }),
            rate_limit_keys: self
                .rate_limit_keys
                .iter()
                .flatten()
                .map(|k| (k.1.key.clone(), k.1.rate))
                .collect(),
            trusted_proxies: self.trusted_proxies.iter().flatten().map(|c| c.1).collect(),
            public_url: self.public_url.clone().or(d.public_url),
            max_signed_expiry: dur(self.max_signed_expiry, d.max_signed_expiry),
            images: self.image_options(),
            redis: self.redis_url.as_ref().map(|url| {
                let d = ogmill_server::redis::RedisOptions::new(url.clone());
                ogmill_server::redis::RedisOptions {
                    prefix: self.redis_prefix.clone().unwrap_or(d.prefix),
                    timeout: dur(self.redis_timeout, d.timeout),
                    lock_wait: dur(self.redis_lock_wait, d.lock_wait),
                    ..d
                }
            }),
            degraded_cache_control: self
                .degraded_cache_control
                .clone()
                .unwrap_or(d.degraded_cache_control),
        }
    }

    /// How image params are had (the server, `render` and `build` share it).
    pub fn image_options(&self) -> ogmill_images::ImageOptions {
        let d = ogmill_images::ImageOptions::default();
        let dur = |v: Option<HumanDuration>, d: Duration| v.map_or(d, |h| h.0);
        ogmill_images::ImageOptions {
            assets_dir: self.assets.clone().unwrap_or(d.assets_dir),
            allow_hosts: self.image_allow_hosts.clone().unwrap_or(d.allow_hosts),
            allow_private_networks: self
                .allow_private_networks
                .unwrap_or(d.allow_private_networks),
            allow_remote_svg: self.allow_remote_svg.unwrap_or(d.allow_remote_svg),
            private_hosts: self.image_private_hosts.clone().unwrap_or(d.private_hosts),
            connect_timeout: dur(self.image_connect_timeout, d.connect_timeout),
            timeout: dur(self.image_timeout, d.timeout),
            max_bytes: self.image_max_size.map_or(d.max_bytes, |b| b.0),
            max_pixels: self.image_max_pixels.unwrap_or(d.max_pixels),
            cache_bytes: self.image_cache_size.map_or(d.cache_bytes, |b| b.0),
            decode_memory: self.image_decode_memory.map_or(d.decode_memory, |b| b.0),
            ..d
        }
    }
}

/// A setting parsed from its text and kept with it, so the TOML file reads and writes the
/// text as given (`10/s`, `10.0.0.0/8`).
#[derive(Clone, Debug, PartialEq)]
pub struct Text<T>(pub String, pub T);

impl<T: FromStr> FromStr for Text<T>
where
    T::Err: std::fmt::Display,
{
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.trim()
            .parse::<T>()
            .map(|v| Text(s.trim().to_owned(), v))
            .map_err(|e| format!("'{s}': {e}"))
    }
}

impl<T> serde::Serialize for Text<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, T: FromStr> serde::Deserialize<'de> for Text<T>
where
    T::Err: std::fmt::Display,
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A duration written for people: `30s`, `1h 30m`, `250ms`; a bare number is seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Ok(secs) = s.trim().parse::<u64>() {
            return Ok(HumanDuration(Duration::from_secs(secs)));
        }
        humantime::parse_duration(s)
            .map(HumanDuration)
            .map_err(|e| format!("'{s}' is not a duration such as 30s, 5m or 1h: {e}"))
    }
}

impl serde::Serialize for HumanDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(self.0).to_string())
    }
}

impl<'de> serde::Deserialize<'de> for HumanDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Secs(n) => Ok(HumanDuration(Duration::from_secs(n))),
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(clap::Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    fn full() -> Config {
        Config {
            config: None,
            templates: Some("t".into()),
            fonts: Some(vec!["f".into()]),
            no_bundled_fonts: Some(true),
            system_fonts: Some(true),
            strict_fonts: Some(true),
            compression: Some(Compression::High),
            palette_tolerance: Some(0),
            bind: Some("0.0.0.0:8080".parse().unwrap()),
            port: Some(8081),
            layer_cache_size: Some(ByteSize::mib(8)),
            cache_size: Some(ByteSize::mib(1)),
            cache_ttl: Some(HumanDuration(Duration::from_secs(60))),
            cache_control: Some("no-cache".into()),
            concurrency: Some(3),
            queue: Some(4),
            render_timeout: Some(HumanDuration(Duration::from_secs(1))),
            request_timeout: Some(HumanDuration(Duration::from_secs(2))),
            header_timeout: Some(HumanDuration(Duration::from_secs(3))),
            idle_timeout: Some(HumanDuration(Duration::from_secs(7))),
            max_connections: Some(5),
            max_connections_per_client: Some(3),
            max_body_size: Some(ByteSize::kib(1)),
            shutdown_grace: Some(HumanDuration(Duration::from_secs(4))),
            fallback_image: Some("fallback.png".into()),
            site_name: Some("example.com".into()),
            api_keys: Some(vec!["k1".into(), "k2".into()]),
            signing_keys: Some(vec!["signing-key-0123456789".into()]),
            require_signature: Some(true),
            dev: Some(true),
            dev_public: Some(true),
            accept_formats: Some(true),
            assets: Some("a".into()),
            image_allow_hosts: Some(vec!["img.example.com".into()]),
            allow_private_networks: Some(true),
            allow_remote_svg: Some(true),
            image_private_hosts: Some(vec!["images.internal".into()]),
            image_connect_timeout: Some(HumanDuration(Duration::from_secs(1))),
            image_timeout: Some(HumanDuration(Duration::from_secs(2))),
            image_max_size: Some(ByteSize::mib(2)),
            image_max_pixels: Some(1000),
            image_cache_size: Some(ByteSize::mib(3)),
            image_decode_memory: Some(ByteSize::mib(5)),
            degraded_cache_control: Some("no-store".into()),
            redis_url: Some("redis://127.0.0.1:6379/0".into()),
            redis_prefix: Some("site:".into()),
            redis_timeout: Some(HumanDuration(Duration::from_millis(20))),
            redis_lock_wait: Some(HumanDuration(Duration::from_millis(200))),
            log: Some("debug".into()),
            rate_limit: Some("10/s".parse().unwrap()),
            rate_limit_burst: Some(20),
            rate_limit_keys: Some(vec!["partner=100/s".parse().unwrap()]),
            trusted_proxies: Some(vec!["10.0.0.0/8".parse().unwrap()]),
            public_url: Some("https://og.example.com".into()),
            max_signed_expiry: Some(HumanDuration(Duration::from_secs(60))),
        }
    }

    #[test]
    fn flags_variables_and_toml_keys_follow_one_rule() {
        let toml_keys: Vec<String> = match toml::Value::try_from(full()).unwrap() {
            toml::Value::Table(t) => t.keys().cloned().collect(),
            _ => unreachable!(),
        };
        let cmd = Cli::command();
        let mut flags = vec![];
        for arg in cmd.get_arguments() {
            let long = arg.get_long().expect("every setting has a long flag");
            let env = arg.get_env().expect("every setting has a variable");
            let expected = format!("OGMILL_{}", long.to_uppercase().replace('-', "_"));
            assert_eq!(env.to_str().unwrap(), expected, "--{long}");
            if long != "config" {
                flags.push(long.to_owned());
            }
        }
        flags.sort();
        let mut keys = toml_keys.clone();
        keys.sort();
        assert_eq!(flags, keys);
    }

    /// docs/configuration.md's table lists every flag of the struct, and nothing else.
    #[test]
    fn the_configuration_page_lists_exactly_the_settings() {
        let page = include_str!("../docs/configuration.md");
        let documented: std::collections::BTreeSet<String> = page
            .lines()
            .filter_map(|l| l.strip_prefix("| `--"))
            .map(|l| l.split([' ', '`']).next().unwrap().to_owned())
            .collect();
        let cmd = Cli::command();
        let settings: Vec<Vec<String>> = cmd
            .get_arguments()
            .filter(|a| a.get_long().is_some_and(|l| l != "config"))
            .map(|a| {
                let mut names = vec![a.get_long().unwrap().to_owned()];
                names.extend(
                    a.get_all_aliases()
                        .unwrap_or_default()
                        .into_iter()
                        .map(str::to_owned),
                );
                names
            })
            .collect();
        let undocumented: Vec<_> = settings
            .iter()
            .filter(|names| !names.iter().any(|n| documented.contains(n)))
            .map(|names| &names[0])
            .collect();
        let unknown: Vec<_> = documented
            .iter()
            .filter(|d| !settings.iter().flatten().any(|n| n == *d))
            .collect();
        assert!(
            undocumented.is_empty() && unknown.is_empty(),
            "docs/configuration.md: missing {undocumented:?}, no such setting {unknown:?}"
        );
    }

    #[test]
    fn a_toml_file_round_trips_and_flags_win_over_it() {
        let text = toml::to_string(&full()).unwrap();
        let file: Config = toml::from_str(&text).unwrap();
        assert_eq!(file, full());
        let cli = Cli::try_parse_from(["x", "--bind", "127.0.0.1:9", "--queue", "0"]).unwrap();
        let merged = cli.config.over(file);
        assert_eq!(merged.bind, Some("127.0.0.1:9".parse().unwrap()));
        assert_eq!(merged.queue, Some(0));
        assert_eq!(
            merged.concurrency,
            Some(3),
            "unset flags keep the file's value"
        );
        let server = merged.server_options();
        assert_eq!(server.cache_bytes, 1024 * 1024);
        assert_eq!(server.render_timeout, Duration::from_secs(1));
        assert_eq!(server.api_keys, ["k1", "k2"]);
        assert!(!merged.engine_options().bundled_fonts);
    }

    #[test]
    fn unknown_keys_and_bad_values_in_the_file_are_errors() {
        let err = toml::from_str::<Config>("bnid = \"x\"").unwrap_err();
        assert!(err.message().contains("bnid"), "{err}");
        let err = toml::from_str::<Config>("cache-ttl = \"soon\"").unwrap_err();
        assert!(err.message().contains("soon"), "{err}");
        let ok: Config = toml::from_str("cache-ttl = 90\ncache-size = \"1 MiB\"").unwrap();
        assert_eq!(ok.cache_ttl, Some(HumanDuration(Duration::from_secs(90))));
        assert_eq!(ok.cache_size, Some(ByteSize::mib(1)));
    }

    #[test]
    fn nothing_given_means_the_documented_defaults() {
        let c = Cli::try_parse_from(["x"]).unwrap().config;
        assert_eq!(c.server_options(), ServerOptions::default());
        let d = ogmill_core::Options::default();
        let o = c.engine_options();
        assert_eq!(
            (o.bundled_fonts, o.compression),
            (d.bundled_fonts, d.compression)
        );
    }
}
