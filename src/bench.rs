//! `ogmill bench`: renders each template in-process, many times, and reports latency
//! percentiles, throughput, PNG size and where the time goes, beside the plain pipeline
//! (usvg parse + resvg render + tiny-skia `encode_png` of the same filled SVG) measured in
//! the same run, so figures from a noisy machine still compare.

use std::time::{Duration, Instant};

use ogmill_core::renderer::Stages;
use ogmill_core::{Inputs, RenderRequest, Renderer, Result};

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Templates to measure; empty means all.
    pub templates: Vec<String>,
    /// Threads rendering at once (throughput); latency is per render. Default: 1.
    pub threads: usize,
    /// Renders per template. Default: 100.
    pub iterations: usize,
    /// Also time the plain pipeline, on a fifth of the iterations. Default: true.
    pub baseline: bool,
    /// Built-in output params for every render (`format`, `quality`, `scale`), e.g.
    /// `[("format", "webp")]`. Default: none (PNG at 1x).
    pub output: Vec<(String, String)>,
    /// Titles for the template's first text param, one per render in turn (cut to the
    /// param's length limit). Default: none, every render uses the default values, so
    /// everything a render keeps (drawn backgrounds, text measurements) is warm.
    pub titles: Vec<String>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            templates: vec![],
            threads: 1,
            iterations: 100,
            baseline: true,
            output: vec![],
            titles: vec![],
        }
    }
}

/// One template's figures; times in milliseconds.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub template: String,
    /// The format measured (`png`, `webp`, `jpeg`).
    pub format: String,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub images_per_sec: f64,
    /// The encoded card's size.
    pub bytes: usize,
    /// Median per render of each stage.
    pub fit: f64,
    pub fill: f64,
    pub raster: f64,
    pub encode: f64,
    /// Renders encoded whole instead of over the background's cached rows (see
    /// [`Stages::encoded_whole`]), of `renders`.
    pub encoded_whole: u32,
    pub renders: usize,
    /// Median of the plain pipeline, and its PNG size.
    pub baseline: Option<f64>,
    pub baseline_png_bytes: Option<usize>,
}

/// Measures every requested template with its default values.
pub fn run(renderer: &Renderer, options: &BenchOptions) -> Result<Vec<Report>> {
    let names: Vec<String> = if options.templates.is_empty() {
        renderer.templates().map(|t| t.name.clone()).collect()
    } else {
        options.templates.clone()
    };
    names
        .iter()
        .map(|n| measure(renderer, n, options))
        .collect()
}

/// The requests a bench cycles through: the default one, or one per title in the template's
/// first text param.
fn with_titles(
    renderer: &Renderer,
    req: &RenderRequest,
    resolved: &ogmill_core::renderer::Resolved,
    titles: &[String],
) -> Result<Vec<ogmill_core::renderer::Resolved>> {
    let t = resolved.template();
    let param = t
        .params
        .iter()
        .find(|p| p.kind == ogmill_core::request::params::ParamKind::Text);
    let Some(param) = param.filter(|_| !titles.is_empty()) else {
        return Ok(vec![resolved.clone()]);
    };
    titles
        .iter()
        .filter(|title| !title.trim().is_empty())
        .map(|title| {
            let mut req = req.clone();
            let cut: String = title.chars().take(param.max_length).collect();
            req.params.push((param.name.clone(), cut));
            renderer.resolve(&req)
        })
        .collect()
}

fn measure(renderer: &Renderer, name: &str, options: &BenchOptions) -> Result<Report> {
    let req = RenderRequest {
        template: name.to_owned(),
        params: options.output.clone(),
        ..RenderRequest::default()
    };
    let resolved = renderer.resolve(&req)?;
    // One render first: backgrounds and font caches warm, as on a running server.
    let bytes = renderer.render(&resolved, Inputs::default())?.bytes.len();
    let requests = with_titles(renderer, &req, &resolved, &options.titles)?;
    let iterations = options.iterations.max(1);
    let threads = options.threads.clamp(1, iterations);
    let started = Instant::now();
    let samples: Vec<(Duration, Stages)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                let n = iterations / threads + usize::from(i < iterations % threads);
                let requests = &requests;
                scope.spawn(move || -> Result<Vec<(Duration, Stages)>> {
                    (0..n)
                        .map(|j| {
                            let resolved = &requests[(j * threads + i) % requests.len()];
                            let mut stages = Stages::default();
                            let t = Instant::now();
                            let inputs = Inputs {
                                images: &[],
                                stages: Some(&mut stages),
                                ..Inputs::default()
                            };
                            renderer.render(resolved, inputs)?;
                            Ok((t.elapsed(), stages))
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a bench thread panicked"))
            .collect::<Result<Vec<_>>>()
            .map(|v| v.into_iter().flatten().collect())
    })?;
    let wall = started.elapsed();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut total: Vec<f64> = samples.iter().map(|(d, _)| ms(*d)).collect();
    let stage =
        |f: fn(&Stages) -> Duration| median(samples.iter().map(|(_, s)| ms(f(s))).collect());
    let (baseline, baseline_png_bytes) = if options.baseline {
        let (t, bytes) = plain_pipeline(renderer, &resolved, (iterations / 5).max(3))?;
        (Some(t), Some(bytes))
    } else {
        (None, None)
    };
    total.sort_by(f64::total_cmp);
    Ok(Report {
        template: name.to_owned(),
        format: resolved.output().format.name().to_owned(),
        p50: percentile(&total, 0.50),
        p95: percentile(&total, 0.95),
        p99: percentile(&total, 0.99),
        images_per_sec: samples.len() as f64 / wall.as_secs_f64(),
        bytes,
        fit: stage(|s| s.fit),
        fill: stage(|s| s.fill),
        raster: stage(|s| s.raster),
        encode: stage(|s| s.encode),
        encoded_whole: samples.iter().map(|(_, s)| s.encoded_whole).sum(),
        renders: samples.len(),
        baseline,
        baseline_png_bytes,
    })
}

/// The same card through the plain pipeline: median ms and PNG bytes.
fn plain_pipeline(
    renderer: &Renderer,
    resolved: &ogmill_core::renderer::Resolved,
    runs: usize,
) -> Result<(f64, usize)> {
    let (svg, _) = renderer.fill(resolved, &[])?;
    let (w, h) = resolved.size();
    let mut times = vec![];
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let pixmap = ogmill_core::raster::rasterize(&svg, renderer.usvg_options(), w, h)?;
        let png = pixmap
            .encode_png()
            .map_err(|e| ogmill_core::Error::Encode {
                format: "png",
                reason: e.to_string(),
            })?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        bytes = png.len();
    }
    Ok((median(times), bytes))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The reports as a Markdown table.
pub fn table(reports: &[Report]) -> String {
    let mut out = String::from(
        "| template | format | p50 ms | p95 ms | p99 ms | images/s | bytes | fit | fill | raster | encode | plain pipeline ms (ratio) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in reports {
        let baseline = match r.baseline {
            Some(b) => format!("{b:.1} ({:.2}x)", r.p50 / b),
            None => "-".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {baseline} |\n",
            r.template, r.format, r.p50, r.p95, r.p99, r.images_per_sec, r.bytes, r.fit, r.fill, r.raster, r.encode
        ));
    }
    let whole: Vec<String> = reports
        .iter()
        .filter(|r| r.encoded_whole > 0)
        .map(|r| format!("{} {} of {}", r.template, r.encoded_whole, r.renders))
        .collect();
    if !whole.is_empty() {
        out.push_str(&format!(
            "\nEncoded whole, not over the background's cached rows (the card's colors did not fit \
             its palette, or the background has more than 256 colors): {}.\n",
            whole.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[3.0], 0.95), 3.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
    }
}
