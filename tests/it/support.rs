//! Shared helpers: one renderer for the whole binary, pixel access, the titles corpus.

use std::sync::{Arc, OnceLock};

use ogmill_core::fit::SlotFit;
use ogmill_core::raster::rasterize;
use ogmill_core::template::TextSlot;
use ogmill_core::{Options, RenderRequest, Renderer};

pub fn renderer() -> &'static Renderer {
    shared_renderer()
}

/// The same renderer, as the server's state holds it.
pub fn shared_renderer() -> &'static Arc<Renderer> {
    static R: OnceLock<Arc<Renderer>> = OnceLock::new();
    R.get_or_init(|| Arc::new(Renderer::new(Options::default()).expect("bundled templates load")))
}

/// A title from `tests/data/titles.tsv` (a copy of the shared corpus) or
/// `tests/data/scripts.tsv` (the same columns: one title per script the shared corpus lacks,
/// and symbols).
pub struct Title {
    pub id: String,
    pub script: String,
    pub text: String,
}

pub fn titles() -> Vec<Title> {
    let shared = include_str!("../data/titles.tsv");
    let scripts = include_str!("../data/scripts.tsv");
    [shared, scripts]
        .iter()
        .flat_map(|data| data.lines().skip(1))
        .filter(|l| !l.is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.splitn(4, '\t').collect();
            Title {
                id: cols[0].to_owned(),
                script: cols.get(1).unwrap_or(&"").to_string(),
                text: cols.get(3).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

pub fn decode_png(bytes: &[u8]) -> image::RgbaImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .expect("valid PNG")
        .to_rgba8()
}

/// Inclusive pixel bounds: (x0, y0, x1, y1).
pub type Bounds = (u32, u32, u32, u32);

/// Pixel-wise bounding box of where two same-sized pixmaps differ: (x0, y0, x1, y1) inclusive.
pub fn diff_bounds(a: &tiny_skia::Pixmap, b: &tiny_skia::Pixmap) -> Option<Bounds> {
    let w = a.width();
    let mut bounds: Option<Bounds> = None;
    for (i, (pa, pb)) in a.pixels().iter().zip(b.pixels()).enumerate() {
        if pa != pb {
            let (x, y) = (i as u32 % w, i as u32 / w);
            bounds = Some(match bounds {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    bounds
}

/// A card with and without its title: the pixels that differ are the title's ink.
pub struct TitleLayers {
    pub with: tiny_skia::Pixmap,
    pub without: tiny_skia::Pixmap,
    pub slot: TextSlot,
    pub fit: SlotFit,
    pub lines: Vec<String>,
}

/// Renders `template` with `params` (which must include `title`), and again with the title
/// slot left empty.
pub fn title_layers(template: &str, params: &[(&str, &str)]) -> TitleLayers {
    let r = renderer();
    let resolved = r.resolve(&RenderRequest::new(template, params)).unwrap();
    let (placed, fits) = r.place(&resolved).unwrap();
    let i = resolved
        .template()
        .slots
        .iter()
        .position(|s| s.name == "title")
        .unwrap();
    let mut blank = placed.clone();
    blank[i].lines.clear();
    let draw = |placed| {
        let svg = resolved.template().fill(resolved.params(), placed, &[]);
        rasterize(&svg, r.usvg_options(), 1200, 630).unwrap()
    };
    TitleLayers {
        with: draw(&placed),
        without: draw(&blank),
        slot: resolved.template().slots[i].clone(),
        fit: fits[i].clone(),
        lines: placed[i].lines.iter().map(|l| l.text.clone()).collect(),
    }
}

/// The bundled templates' names, sorted as listings sort them.
pub fn bundled_names() -> Vec<&'static str> {
    let mut names: Vec<_> = ogmill_core::renderer::BUNDLED_TEMPLATES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    names.sort();
    names
}

/// Copies the bundled `svg-templates/` into `to`, for tests that edit templates.
pub fn copy_templates(to: &std::path::Path) {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("svg-templates");
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// npm `packages` installed once into `target/<dir>` (kept between runs); the install is
/// skipped when every path in `marks` (relative to that dir) exists.
#[cfg(feature = "external-tests")]
pub fn npm_tools(dir: &str, packages: &[&str], marks: &[&str]) -> std::path::PathBuf {
    // Tests run in parallel threads: two npm installs into one directory break each other
    // (ENOTEMPTY, half-written packages), so one install at a time, and the second caller
    // finds the first one's packages.
    static NPM: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = NPM.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(dir);
    if !marks.iter().all(|m| dir.join(m).exists()) {
        std::fs::create_dir_all(&dir).unwrap();
        let out = std::process::Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&dir)
            .args(packages)
            .output()
            .expect("npm runs (apt-get install nodejs npm)");
        assert!(
            out.status.success(),
            "npm install {packages:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

/// Resolves and renders a request with no images: what most tests need from the one
/// render entry point.
pub trait RenderReq {
    fn render_req(&self, req: &RenderRequest) -> ogmill_core::Result<ogmill_core::Rendered>;
}

impl RenderReq for Renderer {
    fn render_req(&self, req: &RenderRequest) -> ogmill_core::Result<ogmill_core::Rendered> {
        self.render(&self.resolve(req)?, ogmill_core::Inputs::default())
    }
}

/// The largest difference in any channel between two decoded images of one size.
pub fn max_channel_diff(a: &image::RgbaImage, b: &image::RgbaImage) -> u8 {
    assert_eq!(a.dimensions(), b.dimensions());
    a.as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

/// A free loopback port (bound and released: another process could take it first, which the
/// tests using it would report as a failure to listen).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`; fails the test after `limit`.
#[cfg(feature = "external-tests")]
pub fn wait_for_port(port: u16, what: &str, limit: std::time::Duration) {
    let deadline = std::time::Instant::now() + limit;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not listen on {port} within {limit:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A child process killed (SIGKILL) and reaped when dropped, so a test that fails leaves no
/// server behind holding a port or a pipe.
pub struct Process(pub std::process::Child);

impl Process {
    /// Sends `signal` (a name such as `TERM`) with kill(1).
    #[cfg(feature = "external-tests")]
    pub fn signal(&self, signal: &str) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.0.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{signal}");
    }

    /// Its exit status, once it exits; fails the test after `limit`.
    #[cfg(feature = "external-tests")]
    pub fn wait_within(&mut self, limit: std::time::Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "did not exit within {limit:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl std::ops::Deref for Process {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Process {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The status of a raw HTTP/1 request to a test server, read off its status line; 30 s for
/// an answer (a hang guard, not a speed bound).
pub fn raw_status(addr: std::net::SocketAddr, request: &str) -> u16 {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut head = [0u8; 12];
    conn.read_exact(&mut head).expect("an answer within 30 s");
    std::str::from_utf8(&head[9..12]).unwrap().parse().unwrap()
}

/// The status of a GET of `path` on a test server.
pub fn http_status(addr: std::net::SocketAddr, path: &str) -> u16 {
    raw_status(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
    )
}

/// A process's resident memory in MB (0 once it is gone).
pub fn rss_mb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
        / 1024
}

/// Why a renderer over one template file (`name`, holding `bytes`) does not load.
pub fn load_error(name: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    Renderer::new(ogmill_core::Options {
        templates_dir: Some(dir.path().to_owned()),
        ..ogmill_core::Options::default()
    })
    .err()
    .unwrap_or_else(|| panic!("{name} loaded"))
    .to_string()
}
