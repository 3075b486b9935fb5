//! `ogmill check`: characters no loaded font draws, per template, and what X, Facebook,
//! LinkedIn, Slack and Discord make of each template's card.

use anyhow::Context;
use ogmill_core::Renderer;

/// Every template with its defaults, and with each title in its first text param: any
/// character no font draws is listed, and the exit status is 1.
pub(crate) fn run(renderer: &Renderer, titles: Option<&std::path::Path>) -> anyhow::Result<()> {
    let titles: Vec<String> = match titles {
        None => vec![],
        Some(path) => read_titles(path)?,
    };
    let reports = ogmill_core::tools::check::missing_glyphs(renderer, &titles)?;
    for t in renderer.templates() {
        for s in t.substituted_fonts() {
            out!(
                "{}: warning: font {s}: no loaded font has {} (`ogmill fonts add` fetches an open font; or add its files with --fonts DIR; --strict-fonts makes this an error)",
                t.name, s.asked
            )?;
        }
    }
    for r in &reports {
        for e in &r.errors {
            out!("{}: {e}", r.template)?;
        }
        if !r.missing.is_empty() {
            let shown = &r.missing[..r.missing.len().min(40)];
            let sample: String = shown.iter().collect();
            out!(
                "{}: {} character(s) no loaded font draws: {} ({sample})",
                r.template,
                r.missing.len(),
                ogmill_core::fonts::coverage::codepoints(shown)
            )?;
        } else if r.errors.is_empty() {
            out!("{}: ok", r.template)?;
        }
    }
    let mut problems = reports.iter().filter(|r| !r.is_ok()).count();
    for (name, reason) in renderer.broken_templates() {
        out!("{name}: error: it does not load: {reason}")?;
        problems += 1;
    }
    for p in ogmill_core::tools::check::platforms(renderer)? {
        for f in &p.findings {
            let level = if f.refused { "error" } else { "warning" };
            out!(
                "{}: {level}: {} {} ({}x{} PNG, {} KB)",
                p.template,
                f.platform,
                f.message,
                p.width,
                p.height,
                p.bytes / 1024
            )?;
        }
        problems += usize::from(p.findings.iter().any(|f| f.refused));
    }
    if problems > 0 {
        anyhow::bail!(
            "{problems} template(s) have problems: add fonts with --fonts DIR for missing \
             characters; a card a platform refuses needs a smaller size or file"
        );
    }
    Ok(())
}

/// One title per line, or the title column of an `id, script, dir, title` TSV.
pub(crate) fn read_titles(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
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
