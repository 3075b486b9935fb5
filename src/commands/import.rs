//! `ogmill import`: a design tool's export becomes a template in the templates directory.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use ogmill::config::Config;
use ogmill_core::import::{import, ImportOptions, MAX_DESIGN_BYTES};
use ogmill_core::{Options, Renderer};

use crate::cli::ImportArgs;

pub(crate) fn run(config: &Config, renderer: &Renderer, args: ImportArgs) -> anyhow::Result<()> {
    let design = &args.design;
    let size = std::fs::metadata(design)
        .with_context(|| format!("reading {}", design.display()))?
        .len();
    if size > MAX_DESIGN_BYTES as u64 {
        bail!(
            "{}: {size} bytes; designs over 10 MiB are refused",
            design.display()
        );
    }
    let source =
        std::fs::read_to_string(design).with_context(|| format!("reading {}", design.display()))?;
    let name = match &args.name {
        Some(n) => n.clone(),
        None => design
            .file_stem()
            .and_then(|s| s.to_str())
            .map(template_name)
            .unwrap_or_else(|| "design".into()),
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("--name '{name}': use ASCII letters, digits, '-' and '_' (it is the URL's template name)");
    }
    let dir = out_dir(config, args.out.as_deref());
    let target = dir.join(format!("{name}.svg"));
    let previous = match std::fs::read_to_string(&target) {
        Ok(text) if args.force => Some(text),
        Ok(_) => bail!(
            "{} exists; pass --force to replace it (params keep the names you gave them there)",
            target.display()
        ),
        Err(_) => None,
    };
    let opts = ImportOptions {
        colors: args.colors,
        previous,
    };
    let imported = import(&source, renderer.usvg_options(), &opts)
        .with_context(|| format!("importing {}", design.display()))?;
    check_it_loads(&name, &imported.svg, config)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(&target, &imported.svg)
        .with_context(|| format!("writing {}", target.display()))?;
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    out!("| param | kind | box (x y w h, px) | lines | sample |")?;
    out!("|---|---|---|---|---|")?;
    for s in &imported.slots {
        let rect = match s.kind {
            "color" => "-".to_owned(),
            _ => s.rect.map(|v| v.round().to_string()).join(" "),
        };
        let lines = if s.kind == "text" {
            s.lines.to_string()
        } else {
            "-".into()
        };
        let sample: String = s.sample.chars().take(48).collect();
        out!("| {} | {} | {rect} | {lines} | {sample} |", s.param, s.kind)?;
    }
    out!("wrote {}", target.display())?;
    let query: Vec<String> = imported
        .slots
        .iter()
        .filter(|s| s.kind == "text")
        .take(1)
        .map(|s| format!("?{}=Hello", s.param))
        .collect();
    out!(
        "try it: ogmill serve --templates {} and open /api/og/{name}{}",
        dir.display(),
        query.join("")
    )?;
    Ok(())
}

/// The design's file name as a template name: `OG Card (final).svg` → `og-card-final`.
fn template_name(stem: &str) -> String {
    let s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join("-")
}

fn out_dir(config: &Config, out: Option<&Path>) -> PathBuf {
    if let Some(out) = out {
        return out.to_owned();
    }
    if let Some(t) = &config.templates {
        return t.clone();
    }
    if Path::new("svg-templates").is_dir() {
        return PathBuf::from("svg-templates");
    }
    PathBuf::from(".")
}

/// Loads and draws the new template alone, with the same fonts, before it is written.
fn check_it_loads(name: &str, svg: &str, config: &Config) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("ogmill-import-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).context("creating a temporary directory")?;
    std::fs::write(tmp.join(format!("{name}.svg")), svg)?;
    let loaded = Renderer::new(Options {
        templates_dir: Some(tmp.clone()),
        ..config.engine_options()
    });
    let _ = std::fs::remove_dir_all(&tmp);
    loaded.context(
        "the imported template does not load (a bug in ogmill import: please report it with the design)",
    )?;
    Ok(())
}
