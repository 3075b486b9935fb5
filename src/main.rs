#![forbid(unsafe_code)]

mod cli;
mod commands;
mod progress;

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command, FontsAction, FontsArgs};
use ogmill::config::Config;
use ogmill_core::Renderer;

/// jemalloc rather than the system allocator. Under a sustained mix of hits, misses and
/// hostile requests glibc's malloc kept ~260 MB of freed memory beyond the caches' own
/// (megabyte canvases freed between long-lived cached cards), and RSS crept to 736 MB in 5
/// minutes; jemalloc returns it (flat at ~510 MB) and renders ~20% more cards a second.
/// mimalloc held more (840 MB). Measured with benches/soak.sh: BENCHMARKS.md, "Memory under
/// load".
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        // A reader that stopped early (`ogmill templates | head`) is not an error.
        let broken_pipe = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if broken_pipe {
            std::process::exit(0);
        }
        eprintln!("ogmill: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Making a key needs no settings: a broken key in the environment is what it mends.
    if let Some(Command::Sign(args)) = &cli.command {
        if args.new_key {
            return commands::sign::new_key();
        }
    }
    let mut config = cli.config.resolve()?;
    // Adding a font needs no renderer: the fonts it would load may be what is missing.
    if let Some(Command::Fonts(FontsArgs {
        action: Some(FontsAction::Add(args)),
        ..
    })) = &cli.command
    {
        return commands::fonts::add(&config, args);
    }
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
    // A dev server may start on an empty or new templates directory: designs saved from the
    // playground go there.
    if let Some(dir) = config.templates.as_ref().filter(|d| dev && !d.exists()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the templates directory {}", dir.display()))?;
        eprintln!(
            "created {}: save a design there from the playground's design mode",
            dir.display()
        );
    }
    // Loaded by the commands that render; a health probe runs every few seconds and needs none.
    // A server fails fast on a broken template; a command that uses one template of many
    // goes on with the others, warns once per broken one, and fails only if it asks for one.
    let serving = matches!(command, Command::Serve);
    let load = || -> anyhow::Result<Renderer> {
        let renderer = Renderer::new(ogmill_core::Options {
            skip_broken_templates: !serving,
            allow_no_templates: dev,
            // Over HTTP a client takes either: never a WebP larger than the PNG.
            webp_never_larger: serving,
            ..config.engine_options()
        })?;
        for (name, reason) in renderer.broken_templates() {
            eprintln!("warning: template '{name}' is skipped: {reason}");
        }
        Ok(renderer)
    };
    match command {
        Command::Serve => commands::serve::run(&config, load()?),
        Command::Render(args) => commands::render::run(&config, &load()?, args),
        Command::Templates { json } => commands::templates::run(&load()?, json),
        Command::Build(args) => commands::build::run(&config, &load()?, args),
        Command::Sign(args) => commands::sign::run(&config, &load()?, args),
        Command::Bench(args) => commands::bench::run(&load()?, args),
        Command::Check { titles } => commands::check::run(&load()?, titles.as_deref()),
        Command::Import(args) => commands::import::run(&config, &load()?, args),
        Command::Healthcheck { url } => commands::healthcheck::run(&config, url.as_deref()),
        Command::Fonts(args) => commands::fonts::list(&load()?, args.json),
    }
}

fn init_logging(config: &Config) -> anyhow::Result<()> {
    let filter = config.log.as_deref().unwrap_or("info");
    // usvg warns once per glyph it cannot find; ogmill reports those itself (the fit's
    // `missing`, X-Ogmill-Missing-Glyphs, `ogmill check`), so keep its log to errors.
    let mut filter = filter.to_owned();
    if !filter.contains("usvg") {
        filter.push_str(",usvg=error");
    }
    // simplecss warns at every parse of a stylesheet with `@font-face` or `@media` (Penpot
    // and Figma exports carry them): noise an operator cannot act on; import says it once.
    if !filter.contains("simplecss") {
        filter.push_str(",simplecss=error");
    }
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
