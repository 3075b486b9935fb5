//! `ogmill render`: one card to a file or standard output.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use ogmill::config::Config;
use ogmill_core::request::output::Format;
use ogmill_core::{Inputs, RenderRequest, Renderer};

use crate::cli::RenderArgs;

pub(crate) fn run(config: &Config, renderer: &Renderer, args: RenderArgs) -> anyhow::Result<()> {
    let mut params = match &args.params_file {
        Some(path) => read_params_file(path)?,
        None => vec![],
    };
    for p in &args.params {
        let (k, v) = pair(p)?;
        params.retain(|(name, _)| *name != k); // the command line overrides the file
        params.push((k, v));
    }
    // The output's extension picks the format unless --format does; an extension that is
    // no format is an error (`.svg` only with --svg, which writes the filled SVG).
    let by_ext = match args
        .output
        .as_deref()
        .filter(|o| *o != std::path::Path::new("-"))
    {
        Some(o) if args.svg => {
            if o.extension().is_some_and(|e| e != "svg") {
                anyhow::bail!("{}: --svg writes an SVG file; name it .svg", o.display());
            }
            None
        }
        Some(o) => Format::for_path(o).map_err(anyhow::Error::msg)?,
        None => None,
    };
    if let Some(f) = by_ext.filter(|_| args.encoding.format.is_none()) {
        params.retain(|(k, _)| k != "format");
        params.push(("format".into(), f.name().into()));
    }
    for (name, value) in args.encoding.params() {
        params.retain(|(k, _)| *k != name);
        params.push((name, value));
    }
    let req = RenderRequest {
        template: args.template.clone(),
        params,
        ..RenderRequest::default()
    };
    let resolved = renderer.resolve(&req)?;
    let images = if resolved.template().image_slots.is_empty() {
        vec![]
    } else {
        let loader =
            ogmill_images::Loader::new(config.image_options()).map_err(anyhow::Error::msg)?;
        let (images, problems) = resolved.load_images(&loader);
        for (param, problem) in problems {
            eprintln!("warning: image '{param}' drawn as a placeholder: {problem}");
        }
        images
    };
    let (bytes, fits) = if args.svg {
        let (svg, fits) = renderer.fill(&resolved, &images)?;
        (svg.into_bytes(), fits)
    } else {
        let inputs = Inputs {
            images: &images,
            ..Inputs::default()
        };
        let r = renderer.render(&resolved, inputs)?;
        (r.bytes, r.fits)
    };
    let ext = if args.svg {
        "svg"
    } else {
        resolved.output().format.extension()
    };
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
        if f.lines == 0 {
            eprintln!("  {}: empty", f.slot);
            continue;
        }
        let cut = if f.truncated { ", truncated" } else { "" };
        eprintln!("  {}: {}px, {} line(s){cut}", f.slot, f.font_size, f.lines);
        if !f.missing.is_empty() {
            let cps = ogmill_core::fonts::coverage::codepoints(&f.missing);
            eprintln!("warning: {}: no loaded font draws {cps}", f.slot);
        }
    }
    Ok(())
}

pub(crate) fn pair(p: &str) -> anyhow::Result<(String, String)> {
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
    ogmill_core::request::params::pairs_from_json(&value)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}
