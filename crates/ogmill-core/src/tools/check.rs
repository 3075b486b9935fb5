//! What `ogmill check` reports: per template, the characters no loaded font draws, with its
//! default values and with each of a list of titles in its first text param; and what the
//! platforms cards are shared to make of its card.

use crate::request::params::{ParamKind, UnknownParams};
use crate::{RenderRequest, Renderer, Result};

/// One template's findings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GlyphReport {
    /// The template's name.
    pub template: String,
    /// Characters no loaded font draws, in the order first met.
    pub missing: Vec<char>,
    /// Cases the template refused, as `label: reason` (a title longer than a param allows is
    /// cut to it first, so these are other problems).
    pub errors: Vec<String>,
}

impl GlyphReport {
    /// Nothing missing and nothing refused.
    pub fn is_ok(&self) -> bool {
        self.missing.is_empty() && self.errors.is_empty()
    }
}

/// Fits every template of `renderer` with its defaults, then with each of `titles` in its
/// first text param (cut to that param's length limit: this is a glyph check, not a length
/// check), and collects what no font draws.
pub fn missing_glyphs(renderer: &Renderer, titles: &[String]) -> Result<Vec<GlyphReport>> {
    let mut reports = vec![];
    for t in renderer.templates() {
        let mut report = GlyphReport {
            template: t.name.clone(),
            ..GlyphReport::default()
        };
        let mut cases = vec![(String::from("defaults"), vec![])];
        if let Some(param) = t.params.iter().find(|p| p.kind == ParamKind::Text) {
            for (i, title) in titles.iter().enumerate() {
                let title: String = title.chars().take(param.max_length).collect();
                cases.push((
                    format!("title {}", i + 1),
                    vec![(param.name.clone(), title)],
                ));
            }
        }
        for (label, params) in cases {
            let req = RenderRequest {
                template: t.name.clone(),
                params,
                unknown: UnknownParams::Reject,
            };
            let resolved = match renderer.resolve(&req) {
                Ok(r) => r,
                Err(e) => {
                    report.errors.push(format!("{label}: {e}"));
                    continue;
                }
            };
            let (_, fits) = renderer.place(&resolved)?;
            for c in fits.iter().flat_map(|f| f.missing.iter()) {
                if !report.missing.contains(c) {
                    report.missing.push(*c);
                }
            }
        }
        reports.push(report);
    }
    Ok(reports)
}

/// One template's card at its default values, judged by each platform.
#[derive(Clone, Debug)]
pub struct PlatformReport {
    /// The template's name.
    pub template: String,
    /// The card's width in pixels.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// Its PNG's size.
    pub bytes: u64,
    /// What is not simply shown, platform by platform ([`crate::tools::platforms::judge`]).
    pub findings: Vec<crate::tools::platforms::Finding>,
}

/// Renders every template at its defaults (PNG, its own size) and asks each platform.
pub fn platforms(renderer: &Renderer) -> Result<Vec<PlatformReport>> {
    let mut reports = vec![];
    for t in renderer.templates() {
        let req = RenderRequest::new(&t.name, &[]);
        let card = renderer.render(&renderer.resolve(&req)?, crate::Inputs::default())?;
        let format = format!("{:?}", card.format).to_lowercase();
        let bytes = card.bytes.len() as u64;
        reports.push(PlatformReport {
            template: t.name.clone(),
            width: card.width,
            height: card.height,
            bytes,
            findings: crate::tools::platforms::judge(&format, card.width, card.height, bytes),
        });
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_characters_no_font_draws_and_only_those() {
        let r = Renderer::new(crate::Options::default()).unwrap();
        let titles = vec!["Hello".to_owned(), "Linear B \u{10000}\u{10001}".to_owned()];
        let reports = missing_glyphs(&r, &titles).unwrap();
        assert_eq!(reports.len(), r.templates().count());
        for report in &reports {
            assert_eq!(report.missing, vec!['\u{10000}', '\u{10001}'], "{report:?}");
            assert!(report.errors.is_empty(), "{report:?}");
        }
        let clean = missing_glyphs(&r, &titles[..1]).unwrap();
        assert!(clean.iter().all(GlyphReport::is_ok), "{clean:?}");
    }

    #[test]
    fn the_built_in_cards_show_everywhere_and_the_square_one_is_cropped() {
        let r = Renderer::new(crate::Options::default()).unwrap();
        let reports = platforms(&r).unwrap();
        let blog = reports.iter().find(|p| p.template == "blog").unwrap();
        assert_eq!((blog.width, blog.height), (1200, 630));
        assert!(blog.findings.is_empty(), "{blog:?}");
        let square = reports.iter().find(|p| p.template == "square").unwrap();
        assert!(!square.findings.is_empty());
        assert!(square.findings.iter().all(|f| !f.refused), "{square:?}");
    }
}
