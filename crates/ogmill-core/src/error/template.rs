//! Why a template cannot be used, and where in its file.

use std::fmt;
use std::path::PathBuf;

/// A line and column in a template file, both from 1 (as editors count them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: u32,
    /// The column in characters, from 1.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A template file that cannot be loaded: which file, where in it, and what is wrong.
/// Displayed as `path:line:column: reason`, the shape editors and terminals link.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {kind}", path.display(), position.map(|p| format!(":{p}")).unwrap_or_default())]
pub struct TemplateError {
    /// The template's file (for a bundled template, its path in the repository).
    pub path: PathBuf,
    /// Where the problem is: the element at fault, or the XML error's place.
    pub position: Option<Position>,
    /// What is wrong.
    pub kind: TemplateErrorKind,
}

/// What is wrong with a template.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateErrorKind {
    /// The file is not well-formed XML (or declares a DTD, which is refused).
    #[error("not well-formed XML: {0}")]
    Xml(roxmltree::Error),
    /// The root is not an SVG element.
    #[error("the root element must be <svg xmlns=\"http://www.w3.org/2000/svg\">")]
    NotSvg,
    /// An `og:` attribute, a param declaration or a slot is invalid; the message says which
    /// and why.
    #[error("{0}")]
    Invalid(String),
    /// It loads, but drawing it with its default values fails.
    #[error("does not render with its defaults: {0}")]
    DoesNotRender(Box<crate::Error>),
    /// A templates directory holds no `.svg` file.
    #[error("no .svg templates in this directory")]
    NoTemplates,
}

/// A problem met while compiling, with the element it is about once known: an element's
/// check fails with a message, and the nearest element that sees it gives its position.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) at: Option<Position>,
    pub(crate) message: String,
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem { at: None, message }
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Self {
        Problem::from(message.to_owned())
    }
}

impl Problem {
    /// Places the problem at `node` unless an inner element placed it already.
    pub(crate) fn at(mut self, node: roxmltree::Node) -> Self {
        self.at.get_or_insert_with(|| position_of(node));
        self
    }
}

pub(crate) fn position_of(node: roxmltree::Node) -> Position {
    let pos = node.document().text_pos_at(node.range().start);
    Position {
        line: pos.row,
        column: pos.col,
    }
}
