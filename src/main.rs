#![forbid(unsafe_code)]

mod cli;
mod progress;

use std::io::Write;
use std::path::PathBuf;

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use cli::{BenchArgs, BuildArgs, Cli, Command, RenderArgs, SignArgs};
use ogmill::config::Config;
use ogmill_core::{RenderRequest, Renderer};
use ogmill_server::AppState;

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("ogmill: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = cli.config.resolve()?;
    init_logging(&config)?;
    let command = cli.command.unwrap_or(Command::Serve);
    // `serve --dev` in a checkout edits the templates there, not the compiled-in copies.
    let dev = matches!(command, Command::Serve) && config.dev == Some(true);
    if dev && config.templates.is_none() && std::path::Path::new("svg-templates").is_dir() {
        config.templates = Some(PathBuf::from("svg-templates"));
    }
    // Likewise the fonts: the same files as the compiled-in ones, read from disk so that
    // changing one reloads.
    let bundled = config.no_bundled_fonts != Some(true);
    if dev && bundled && config.fonts.is_none() && std::path::Path::new("fonts").is_dir() {
        config.fonts = Some(vec![PathBuf::from("fonts")]);
        config.no_bundled_fonts = Some(true);
    }
    let renderer = Renderer::new(config.engine_options())?;
    match command {
        Command::Serve => serve(&config, renderer),
        Command::Render(args) => render(&config, &renderer, args),
        Command::Templates { json } => templates(&renderer, json),
        Command::Build(args) => build(&config, &renderer, args),
        Command::Sign(args) => sign(&config, &renderer, args),
        Command::Bench(args) => bench(&renderer, args),
        Command::Check { titles } => check(&renderer, titles.as_deref()),
    }
}

fn init_logging(config: &Config) -> anyhow::Result<()> {
    let filter = config.log.as_deref().unwrap_or("info");
    // usvg warns once per glyph it cannot find; ogmill reports those itself (the fit's
    // `missing`, X-Ogmill-Missing-Glyphs, `ogmill check`), so keep its log to errors.
    let filter = if filter.contains("usvg") {
        filter.to_owned()
    } else {
        format!("{filter},usvg=error")
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .with_context(|| format!("log filter '{filter}' is not valid"))?;
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    Ok(())
}

fn serve(config: &Config, renderer: Renderer) -> anyhow::Result<()> {
    let options = config.server_options();
    let state = AppState::new(Arc::new(renderer), options.clone())?;
    let engine = config.engine_options();
    let watched: Vec<PathBuf> = engine
        .templates_dir
        .iter()
        .chain(&engine.font_dirs)
        .cloned()
        .collect();
    let _watch = if options.dev {
        if watched.is_empty() {
            tracing::warn!("--dev: nothing to watch (bundled templates; give --templates DIR)");
        }
        Some(ogmill_server::watch::watch(
            state.clone(),
            engine,
            &watched,
        )?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.bind)
            .await
            .with_context(|| format!("cannot listen on {}", options.bind))?;
        let addr = listener.local_addr()?;
        let names: Vec<_> = state
            .renderer()
            .templates()
            .map(|t| t.name.clone())
            .collect();
        tracing::info!(
            templates = %names.join(", "),
            concurrency = options.concurrency,
            "ogmill listening on http://{addr}  (playground: http://{addr}/, or try http://{addr}/api/og?title=Hello)"
        );
        if options.dev {
            let dirs: Vec<String> = watched.iter().map(|d| d.display().to_string()).collect();
            tracing::info!(watching = %dirs.join(", "), "dev mode: changes reload and refresh open playground pages");
        }
        ogmill_server::serve(listener, state, shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

fn render(config: &Config, renderer: &Renderer, args: RenderArgs) -> anyhow::Result<()> {
    let mut params = match &args.params_file {
        Some(path) => read_params_file(path)?,
        None => vec![],
    };
    for p in &args.params {
        let (k, v) = pair(p)?;
        params.retain(|(name, _)| *name != k); // the command line overrides the file
        params.push((k, v));
    }
    let req = RenderRequest {
        template: args.template.clone(),
        params,
        ..RenderRequest::default()
    };
    let resolved = renderer.resolve(&req)?;
    let images = if resolved.template.image_slots.is_empty() {
        vec![]
    } else {
        let loader = ogmill_server::images::Loader::new(config.image_options())
            .map_err(anyhow::Error::msg)?;
        let (images, problems) = loader.load_for(&resolved, renderer.options().width);
        for (param, problem) in problems {
            eprintln!("warning: image '{param}' drawn as a placeholder: {problem}");
        }
        images
    };
    let (bytes, fits) = if args.svg {
        let (svg, fits) = renderer.fill_with(&resolved, &images)?;
        (svg.into_bytes(), fits)
    } else {
        let r = renderer.render_with(&resolved, &images)?;
        (r.png, r.fits)
    };
    let ext = if args.svg { "svg" } else { "png" };
    let out = args
        .output
        .unwrap_or_else(|| PathBuf::from(format!("{}.{ext}", args.template)));
    if out.as_os_str() == "-" {
        std::io::stdout().write_all(&bytes)?;
    } else {
        std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    }
    for f in fits {
        let cut = if f.truncated { ", truncated" } else { "" };
        eprintln!("  {}: {}px, {} line(s){cut}", f.slot, f.font_size, f.lines);
        if !f.missing.is_empty() {
            let cps = ogmill_core::coverage::codepoints(&f.missing);
            eprintln!("warning: {}: no loaded font draws {cps}", f.slot);
        }
    }
    Ok(())
}

fn pair(p: &str) -> anyhow::Result<(String, String)> {
    let (k, v) = p
        .split_once('=')
        .with_context(|| format!("'{p}' must look like NAME=VALUE"))?;
    Ok((k.to_owned(), v.to_owned()))
}

/// Reads a JSON object of values from a file.
fn read_params_file(path: &std::path::Path) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    ogmill_core::params::pairs_from_json(&value)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn templates(renderer: &Renderer, json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<_> = renderer.templates().map(|t| t.describe()).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for t in renderer.templates() {
        println!("{}", t.name);
        for p in &t.params {
            let kind = format!("{:?}", p.kind).to_lowercase();
            let limits = match p.kind {
                ogmill_core::params::ParamKind::Text => format!("max {} chars", p.max_length),
                ogmill_core::params::ParamKind::Number => format!(
                    "{}..{}",
                    p.min.map_or(String::new(), |n| n.to_string()),
                    p.max.map_or(String::new(), |n| n.to_string())
                ),
                _ => String::new(),
            };
            let default = if p.default.is_empty() {
                "(none)".to_owned()
            } else {
                format!("{:?}", p.default)
            };
            println!(
                "  {:<12} {:<7} default {:<40} {limits}",
                p.name, kind, default
            );
            if !p.description.is_empty() {
                println!("  {:<12} {}", "", p.description);
            }
        }
    }
    Ok(())
}

fn build(config: &Config, renderer: &Renderer, args: BuildArgs) -> anyhow::Result<()> {
    use ogmill::build::{self, BuildOptions};
    let entries = build::read_manifest(&args.manifest)?;
    let mut options = BuildOptions::new(&args.out);
    options.force = args.force;
    if let Some(jobs) = args.jobs {
        options.jobs = jobs.max(1);
    }
    let images =
        ogmill_server::images::Loader::new(config.image_options()).map_err(anyhow::Error::msg)?;
    let progress = progress::Display::new();
    let summary = build::run(renderer, &entries, &options, Some(&images), &|p| {
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

fn sign(config: &Config, renderer: &Renderer, args: SignArgs) -> anyhow::Result<()> {
    let keys = config.signing_keys.clone().unwrap_or_default();
    let signer = ogmill_core::signature::Signer::new(&keys)
        .context("no signing key: pass --signing-key KEY or set OGMILL_SIGNING_KEYS")?;
    let params = args
        .params
        .iter()
        .map(|p| pair(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Sign only what the server would render: a typo fails here, not in production.
    let req = RenderRequest {
        template: args.template.clone(),
        params: params.clone(),
        ..RenderRequest::default()
    };
    renderer.resolve(&req)?;
    let exp = args
        .expires_in
        .map(|d| ogmill_core::signature::now() + d.0.as_secs());
    let query = signer.signed_query(&args.template, &params, exp);
    let base = args.base_url.trim_end_matches('/');
    println!("{base}/api/og/{}?{query}", args.template);
    Ok(())
}

fn bench(renderer: &Renderer, args: BenchArgs) -> anyhow::Result<()> {
    let options = ogmill::bench::BenchOptions {
        templates: args.names,
        threads: args.threads,
        iterations: args.iterations,
        baseline: !args.no_baseline,
    };
    let reports = ogmill::bench::run(renderer, &options)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print!("{}", ogmill::bench::table(&reports));
    }
    Ok(())
}

/// Every template with its defaults, and with each title in its first text param: any
/// character no font draws is listed, and the exit status is 1.
fn check(renderer: &Renderer, titles: Option<&std::path::Path>) -> anyhow::Result<()> {
    let titles: Vec<String> = match titles {
        None => vec![],
        Some(path) => read_titles(path)?,
    };
    let mut problems = 0;
    for t in renderer.templates() {
        let first_text = t
            .params
            .iter()
            .find(|p| p.kind == ogmill_core::params::ParamKind::Text);
        let mut cases = vec![(String::from("defaults"), vec![])];
        if let Some(param) = first_text {
            for (i, title) in titles.iter().enumerate() {
                // Cut to the param's limit: this is a glyph check, not a length check.
                let title: String = title.chars().take(param.max_length).collect();
                cases.push((
                    format!("title {}", i + 1),
                    vec![(param.name.clone(), title)],
                ));
            }
        }
        let mut missing: Vec<char> = vec![];
        let mut failed = false;
        for (label, params) in cases {
            let req = RenderRequest {
                template: t.name.clone(),
                params,
                unknown: ogmill_core::params::UnknownParams::Reject,
            };
            let resolved = match renderer.resolve(&req) {
                Ok(r) => r,
                Err(e) => {
                    println!("{}: {label}: {e}", t.name);
                    failed = true;
                    continue;
                }
            };
            let (_, fits) = renderer.place(&resolved)?;
            for c in fits.iter().flat_map(|f| f.missing.iter()) {
                if !missing.contains(c) {
                    missing.push(*c);
                }
            }
        }
        if missing.is_empty() {
            if !failed {
                println!("{}: ok", t.name);
            }
        } else {
            failed = true;
            let sample: String = missing.iter().take(40).collect();
            println!(
                "{}: {} character(s) no loaded font draws: {} ({sample})",
                t.name,
                missing.len(),
                ogmill_core::coverage::codepoints(&missing[..missing.len().min(40)])
            );
        }
        problems += usize::from(failed);
    }
    if problems > 0 {
        anyhow::bail!("{problems} template(s) have problems; add fonts with --fonts DIR");
    }
    Ok(())
}

/// One title per line, or the title column of an `id, script, dir, title` TSV.
fn read_titles(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let tsv = text.lines().next().is_some_and(|l| l.starts_with("id\t"));
    Ok(text
        .lines()
        .skip(usize::from(tsv))
        .map(|l| {
            if tsv {
                l.splitn(4, '\t').nth(3).unwrap_or("")
            } else {
                l
            }
        })
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned)
        .collect())
}
