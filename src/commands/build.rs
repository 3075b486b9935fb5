//! `ogmill build`: every card of a manifest, at build time.

use ogmill::config::Config;
use ogmill_core::Renderer;

use crate::cli::BuildArgs;
use crate::progress;

pub(crate) fn run(config: &Config, renderer: &Renderer, args: BuildArgs) -> anyhow::Result<()> {
    use ogmill::build::{self, BuildOptions};
    let entries = build::read_manifest(&args.manifest)?;
    let mut options = BuildOptions::new(&args.out);
    options.force = args.force;
    if let Some(jobs) = args.jobs {
        options.jobs = jobs.max(1);
    }
    let images = ogmill_images::Loader::new(config.image_options()).map_err(anyhow::Error::msg)?;
    let progress = progress::Display::new();
    let summary = build::run(renderer, &entries, &options, &images, &|p| {
        progress.update(p)
    })?;
    progress.finish();
    for f in &summary.degraded {
        eprintln!("warning: {}: {}", f.origin, f.reason);
    }
    for f in &summary.failed {
        eprintln!("failed: {}: {}", f.origin, f.reason);
    }
    let secs = summary.elapsed.as_secs_f64();
    eprintln!(
        "rendered {}, skipped {}, failed {} in {:.2} s ({:.1} images/s), {} written to {}",
        summary.rendered,
        summary.skipped,
        summary.failed.len(),
        secs,
        summary.rendered as f64 / secs.max(1e-9),
        bytesize::ByteSize(summary.bytes),
        args.out.display()
    );
    if !summary.failed.is_empty() {
        anyhow::bail!(
            "{} of {} entries failed",
            summary.failed.len(),
            entries.len()
        );
    }
    Ok(())
}
