#![forbid(unsafe_code)]

mod cli;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Parser;

use cli::{Cli, Command, RenderArgs};
use ogmill::{RenderRequest, Renderer};

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("ogmill: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let renderer = Renderer::new(cli.engine.options())?;
    match cli.command {
        Command::Render(args) => render(&renderer, args),
        Command::Templates { json } => templates(&renderer, json),
    }
}

fn render(renderer: &Renderer, args: RenderArgs) -> anyhow::Result<()> {
    let mut params = match &args.params_file {
        Some(path) => read_params_file(path)?,
        None => vec![],
    };
    for p in &args.params {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("--param '{p}' must look like NAME=VALUE"))?;
        params.retain(|(name, _)| name != k); // the command line overrides the file
        params.push((k.to_owned(), v.to_owned()));
    }
    let req = RenderRequest {
        template: args.template.clone(),
        params,
    };
    let (bytes, fits) = if args.svg {
        let resolved = renderer.resolve(&req)?;
        let (svg, fits) = renderer.fill(&resolved)?;
        (svg.into_bytes(), fits)
    } else {
        let r = renderer.render(&req)?;
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
    }
    Ok(())
}

/// Reads a JSON object of values; strings, numbers and booleans are taken as their text.
fn read_params_file(path: &std::path::Path) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let Some(obj) = value.as_object() else {
        bail!("{} must hold a JSON object of name: value", path.display());
    };
    let mut out = vec![];
    for (k, v) in obj {
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            _ => bail!(
                "{}: value of '{k}' must be a string, number or boolean",
                path.display()
            ),
        };
        out.push((k.clone(), v));
    }
    Ok(out)
}

fn templates(renderer: &Renderer, json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<_> = renderer
            .templates()
            .map(|t| serde_json::json!({ "name": t.name, "params": t.params, "slots": t.slots }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for t in renderer.templates() {
        println!("{}", t.name);
        for p in &t.params {
            let kind = format!("{:?}", p.kind).to_lowercase();
            let limits = match p.kind {
                ogmill::params::ParamKind::Text => format!("max {} chars", p.max_length),
                ogmill::params::ParamKind::Number => format!(
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
