//! Loading a template: read and parse the file, compile it to pieces (`compile`), resolve
//! its slots' fonts as usvg draws them (`probe`) and find its layers (`layers`).

use std::path::Path;

use super::compile::{parse_params, svg_size, Compiler};
use super::probe::Probe;
use super::*;
use crate::error::{position_of, Position, Problem, TemplateError, TemplateErrorKind};
use crate::error::{Error, Result};

impl Template {
    /// Reads and validates a template file. `usvg` holds the fonts it may use: slots' font
    /// properties are resolved the way usvg resolves them when drawing. Image files it links
    /// are read from its own directory and embedded; they must lie inside `root` (the
    /// templates directory).
    pub fn load(path: &Path, root: &Path, usvg: &usvg::Options) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|error| Error::Io {
            path: path.to_owned(),
            error,
        })?;
        // A file that is not UTF-8 is a broken template, said like the others.
        let source = String::from_utf8(bytes).map_err(|e| {
            Error::from(super::TemplateError {
                path: path.to_owned(),
                position: None,
                kind: super::TemplateErrorKind::Invalid(format!(
                    "not UTF-8 text (byte {} is not): save the SVG as UTF-8",
                    e.utf8_error().valid_up_to()
                )),
            })
        })?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let base = path.parent().unwrap_or(root);
        let links = crate::linked::Links {
            base,
            root,
            named: "the templates directory",
        };
        Ok(Self::parse_linked(&name, path, &source, usvg, Some(links))?)
    }

    /// Parses and validates a template from its source; `path` is only for messages. It
    /// may not link image files (it has no directory): [`Template::parse_in`] reads them.
    pub fn parse(
        name: &str,
        path: &Path,
        source: &str,
        usvg: &usvg::Options,
    ) -> Result<Self, TemplateError> {
        Self::parse_linked(name, path, source, usvg, None)
    }

    /// [`Template::parse`] for a template whose linked image files are read from `dir` (and
    /// must lie inside it), and embedded.
    pub fn parse_in(
        name: &str,
        path: &Path,
        source: &str,
        dir: &Path,
        usvg: &usvg::Options,
    ) -> Result<Self, TemplateError> {
        let links = crate::linked::Links {
            base: dir,
            root: dir,
            named: "the resources directory",
        };
        Self::parse_linked(name, path, source, usvg, Some(links))
    }

    fn parse_linked(
        name: &str,
        path: &Path,
        source: &str,
        usvg: &usvg::Options,
        links: Option<crate::linked::Links>,
    ) -> Result<Self, TemplateError> {
        let fail = |position, kind| TemplateError {
            path: path.to_owned(),
            position,
            kind,
        };
        if crate::xml::declares_entities(source) {
            let why = "the DOCTYPE declares entities or an internal subset, which templates may not; delete it (design tools' exports never need it)";
            return Err(fail(None, TemplateErrorKind::Invalid(why.into())));
        }
        // A bare `<!DOCTYPE svg PUBLIC …>` (Affinity, older Illustrator) is harmless; what a
        // DTD could do harm with, entity declarations, is refused above.
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(source, opts).map_err(|e| {
            let pos = e.pos();
            let at = Position {
                line: pos.row,
                column: pos.col,
            };
            fail(Some(at), TemplateErrorKind::Xml(e))
        })?;
        let root = doc.root_element();
        if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
            return Err(fail(Some(position_of(root)), TemplateErrorKind::NotSvg));
        }
        if let Some(why) = crate::cost::oversized_geometry(&doc) {
            return Err(fail(None, TemplateErrorKind::Invalid(why)));
        }
        Self::compile(name, path, source, root, usvg, links).map_err(|p| {
            let at = p.at.or(Some(position_of(root)));
            fail(at, TemplateErrorKind::Invalid(p.message))
        })
    }

    fn compile(
        name: &str,
        path: &Path,
        source: &str,
        root: roxmltree::Node,
        usvg: &usvg::Options,
        links: Option<crate::linked::Links>,
    ) -> Result<Self, Problem> {
        let (width, height) = svg_size(root)?;
        let private = match root.attribute((OG_NS, "cache")) {
            None | Some("public") => false,
            Some("private") => true,
            Some(other) => {
                return Err(
                    format!("og:cache=\"{other}\" must be \"public\" or \"private\"").into(),
                )
            }
        };
        let params = parse_params(root)?;
        let mut compiler = Compiler::new(&params, root, source, links, SplitPoint::First);
        compiler.element(root, true)?;
        let probe = Probe::new(&compiler, usvg)?;
        for slot in compiler.slots.iter_mut() {
            probe.resolve_font(slot, usvg)?;
        }
        let layers = compiler.layers(&probe, root);
        let pictures_absent = Self::compile_pictures_absent(&params, root, source, usvg, links)
            .filter(|v| v.first_dynamic != compiler.first_dynamic());
        let (pieces, slots, images, linked_hash) = compiler.into_parts();
        Ok(Template {
            name: name.to_owned(),
            path: path.to_owned(),
            hash: linked_hash,
            params,
            slots,
            image_slots: images,
            private,
            width,
            height,
            pieces,
            layers,
            pictures_absent: pictures_absent.map(|v| v.layered),
        })
    }

    /// The template compiled again with image slots without initials counted as static
    /// (`SplitPoint::PastPlaceholders`), when that splits it: requests without those pictures then
    /// draw the placeholders once, into the background. None when it does not split, or
    /// fails where the first compile did not (it cannot, but a second opinion is no reason
    /// to refuse a template).
    fn compile_pictures_absent(
        params: &[ParamSpec],
        root: roxmltree::Node,
        source: &str,
        usvg: &usvg::Options,
        links: Option<crate::linked::Links>,
    ) -> Option<Variant> {
        let placeholders = root.descendants().any(|n| {
            n.attribute((OG_NS, "image")).is_some() && n.attribute((OG_NS, "initials")).is_none()
        });
        if !placeholders {
            return None;
        }
        let mut compiler = Compiler::new(params, root, source, links, SplitPoint::PastPlaceholders);
        compiler.element(root, true).ok()?;
        let probe = Probe::new(&compiler, usvg).ok()?;
        let layers = compiler.layers(&probe, root).ok()?;
        let first_dynamic = compiler.first_dynamic();
        let (pieces, ..) = compiler.into_parts();
        Some(Variant {
            first_dynamic,
            layered: Layered { pieces, layers },
        })
    }
}

/// A second compile and what sets it apart.
struct Variant {
    first_dynamic: Option<roxmltree::NodeId>,
    layered: Layered,
}
