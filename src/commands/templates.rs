//! `ogmill templates`: every template and its params.

use ogmill_core::Renderer;

pub(crate) fn run(renderer: &Renderer, json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<_> = renderer.templates().map(|t| t.describe()).collect();
        out!("{}", serde_json::to_string_pretty(&list)?)?;
        return Ok(());
    }
    for t in renderer.templates() {
        out!("{}", t.name)?;
        for s in t.substituted_fonts() {
            out!(
                "  font: {s} (no loaded font has {}; add it with --fonts DIR, or `ogmill fonts add` for an open font)",
                s.asked
            )?;
        }
        for p in &t.params {
            let kind = format!("{:?}", p.kind).to_lowercase();
            let limits = match p.kind {
                ogmill_core::request::params::ParamKind::Text => {
                    format!("max {} chars", p.max_length)
                }
                ogmill_core::request::params::ParamKind::Number => format!(
                    "{}..{}",
                    p.min.map_or(String::new(), |n| n.to_string()),
                    p.max.map_or(String::new(), |n| n.to_string())
                ),
                ogmill_core::request::params::ParamKind::Choice => p.options.join(" | "),
                _ => String::new(),
            };
            let default = if p.default.is_empty() {
                "(none)".to_owned()
            } else {
                format!("{:?}", p.default)
            };
            out!(
                "  {:<12} {:<7} default {:<40} {limits}",
                p.name,
                kind,
                default
            )?;
            if !p.description.is_empty() {
                out!("  {:<12} {}", "", p.description)?;
            }
        }
    }
    Ok(())
}
