//! Declared template parameters, and the validation that turns raw request strings into values.
//!
//! Raw input is hostile: every value is checked against its declaration before any rendering
//! starts, and what comes out ([`Params`]) is the only thing the later stages ever see.

use crate::color::parse_color;
use crate::error::{Error, Result};
use crate::xml::is_xml_char;

/// Default cap on a text value, in characters (after whitespace is collapsed).
pub const DEFAULT_MAX_LENGTH: usize = 300;
/// Cap on an image reference (URL, asset name or data URI), in bytes. Room for a small
/// avatar as a data URI in a POST body; a GET URI is capped at 8 KiB before this.
pub const MAX_IMAGE_REF_LEN: usize = 48 * 1024;
/// Cap on any raw value before it is even looked at, in bytes: bounds the work done on junk.
pub const MAX_RAW_LEN: usize = 64 * 1024;

/// What a parameter holds, which decides how its value is validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    /// Free text: cleaned, whitespace-collapsed, length-capped.
    Text,
    /// `#rgb`, `#rrggbb`, `#rrggbbaa` or a CSS named color.
    Color,
    /// A finite number, optionally bounded by `min` and `max`.
    Number,
    /// An image reference: an `http(s)://` URL, an asset name or a `data:` URI.
    Image,
    /// One of the words the declaration's `options` lists (`light dark`), e.g. a `theme`.
    Choice,
}

/// The param whose value picks one of a template's `<og:theme>` presets.
pub const THEME_PARAM: &str = "theme";

impl ParamKind {
    /// Parses `text`, `color`, `number`, `image` or `choice`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => ParamKind::Text,
            "color" => ParamKind::Color,
            "number" => ParamKind::Number,
            "image" => ParamKind::Image,
            "choice" => ParamKind::Choice,
            _ => return None,
        })
    }
}

/// One parameter as a template declares it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ParamSpec {
    /// The name requests use.
    pub name: String,
    /// What values it takes.
    pub kind: ParamKind,
    /// Used when the request leaves the parameter out or sends it empty (after cleaning).
    pub default: String,
    /// Text only: the longest value accepted, in characters.
    pub max_length: usize,
    /// Number only: the inclusive lower bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Number only: the inclusive upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// A short human description, shown by `ogmill templates`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Choice only: the values accepted, the default among them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The default under each `<og:theme>` that sets this param (theme name -> value), in
    /// place of `default` when the request's `theme` is that one.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub theme_defaults: std::collections::BTreeMap<String, String>,
}

/// A validated value, in its canonical text form.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The param's kind.
    pub kind: ParamKind,
    /// Canonical form: cleaned text, lowercase `#rrggbb[aa]`/named color, shortest number.
    pub text: String,
}

/// All of a template's parameters, validated, defaults applied, in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    values: Vec<(String, Value)>,
}

impl Params {
    /// The value of param `name`, if the template declares it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Name/value pairs in declaration order: a stable form for cache keys and signatures.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Validates raw `(name, value)` pairs against `specs`. A declared name given twice is an
    /// error (which one was meant is a guess); what happens to undeclared names is `unknown`'s
    /// choice. Returns the params and the undeclared names that were ignored.
    pub fn resolve(
        template: &str,
        specs: &[ParamSpec],
        raw: &[(String, String)],
        unknown: UnknownParams,
    ) -> Result<(Self, Vec<String>)> {
        let mut given: Vec<Option<&str>> = vec![None; specs.len()];
        let mut ignored = vec![];
        for (name, value) in raw {
            let Some(i) = specs.iter().position(|s| &s.name == name) else {
                if unknown == UnknownParams::Ignore {
                    ignored.push(name.clone());
                    continue;
                }
                return Err(Error::UnknownParam {
                    template: template.to_owned(),
                    name: truncate_for_message(name),
                    known: specs
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            if given[i].replace(value).is_some() {
                return Err(Error::DuplicateParam { name: name.clone() });
            }
        }
        // The theme first: it decides the defaults of the params it presets.
        let theme = match specs.iter().position(|s| s.name == THEME_PARAM) {
            Some(i) => Some(specs[i].validate(given[i].unwrap_or(""))?.text),
            None => None,
        };
        let values = specs
            .iter()
            .zip(given)
            .map(|(spec, raw)| {
                let value = spec.validate_under(raw.unwrap_or(""), theme.as_deref())?;
                Ok((spec.name.clone(), value))
            })
            .collect::<Result<_>>()?;
        Ok((Params { values }, ignored))
    }
}

/// What [`Params::resolve`] does with a name the template does not declare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnknownParams {
    /// An error that names the param and what the template takes: it catches typos such as
    /// `titel`. The CLI's choice.
    #[default]
    Reject,
    /// Skipped, and so left out of the canonical params and any cache key built from them:
    /// shared links pick up `utm_*` and cache-buster params. The server's choice.
    Ignore,
}

impl ParamSpec {
    /// Validates one raw value; an empty one (after cleaning) takes the default.
    pub fn validate(&self, raw: &str) -> Result<Value> {
        self.validate_under(raw, None)
    }

    /// As [`ParamSpec::validate`], with the default `theme` presets, if it sets this param.
    pub fn validate_under(&self, raw: &str, theme: Option<&str>) -> Result<Value> {
        if raw.len() > MAX_RAW_LEN {
            return Err(self.invalid(format!(
                "the value is {} bytes; far over any limit",
                raw.len()
            )));
        }
        let text = match self.kind {
            ParamKind::Text => clean_text_keeping_breaks(raw),
            _ => raw.trim().to_owned(),
        };
        if text.is_empty() {
            let preset = theme.and_then(|t| self.theme_defaults.get(t));
            return Ok(Value {
                kind: self.kind,
                text: preset.unwrap_or(&self.default).clone(),
            });
        }
        let text = match self.kind {
            ParamKind::Text => self.check_length(text)?,
            ParamKind::Color => parse_color(&text).ok_or_else(|| {
                self.invalid(format!(
                    "'{}' is not a color; use #rgb, #rrggbb, #rrggbbaa or a CSS color name",
                    truncate_for_message(&text)
                ))
            })?,
            ParamKind::Number => format_number(self.parse_number(&text)?),
            ParamKind::Image => self.check_image_ref(text)?,
            ParamKind::Choice => self.check_choice(text)?,
        };
        Ok(Value {
            kind: self.kind,
            text,
        })
    }

    fn invalid(&self, reason: String) -> Error {
        Error::InvalidValue {
            param: self.name.clone(),
            reason,
        }
    }

    fn check_length(&self, text: String) -> Result<String> {
        let len = text.chars().count();
        if len > self.max_length {
            return Err(Error::TooLong {
                param: self.name.clone(),
                len,
                max: self.max_length,
            });
        }
        Ok(text)
    }

    fn parse_number(&self, text: &str) -> Result<f64> {
        let n: f64 = text
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite())
            .ok_or_else(|| {
                self.invalid(format!(
                    "'{}' is not a finite number",
                    truncate_for_message(text)
                ))
            })?;
        if self.min.is_some_and(|min| n < min) || self.max.is_some_and(|max| n > max) {
            let range = format!(
                "{} to {}",
                self.min.map_or("-inf".into(), format_number),
                self.max.map_or("inf".into(), format_number)
            );
            return Err(self.invalid(format!("{} is outside {range}", format_number(n))));
        }
        Ok(n)
    }

    fn check_choice(&self, text: String) -> Result<String> {
        let lower = text.to_ascii_lowercase();
        if self.options.contains(&lower) {
            return Ok(lower);
        }
        Err(self.invalid(format!(
            "'{}' is not one of {}",
            truncate_for_message(&text),
            self.options.join(", ")
        )))
    }

    fn check_image_ref(&self, text: String) -> Result<String> {
        if text.len() > MAX_IMAGE_REF_LEN {
            return Err(self.invalid(format!(
                "the image reference is {} bytes; the limit is {MAX_IMAGE_REF_LEN}",
                text.len()
            )));
        }
        let lower = text.to_ascii_lowercase();
        let is_url = lower.starts_with("https://") || lower.starts_with("http://");
        let is_data = lower.starts_with("data:image/");
        let is_asset = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && !text.starts_with('.');
        if !(is_url || is_data || is_asset) || text.chars().any(|c| c.is_control()) {
            return Err(self.invalid(
                "an image must be an http(s) URL, a data:image/ URI or an asset file name".into(),
            ));
        }
        Ok(text)
    }
}

/// Turns a JSON object of values into raw pairs: strings as they are, numbers and booleans as
/// their text, `null` as absent. The error names what is wrong.
pub fn pairs_from_json(value: &serde_json::Value) -> Result<Vec<(String, String)>, String> {
    use serde_json::Value as J;
    let Some(obj) = value.as_object() else {
        return Err("the values must be a JSON object of name: value".into());
    };
    let scalar = |k: &str, v: &J| -> Result<Option<String>, String> {
        Ok(match v {
            J::String(s) => Some(s.clone()),
            J::Number(n) => Some(n.to_string()),
            J::Bool(b) => Some(b.to_string()),
            J::Null => None,
            J::Array(_) | J::Object(_) => {
                return Err(format!(
                    "the value of '{}' must be a string, number or boolean",
                    truncate_for_message(k)
                ))
            }
        })
    };
    let mut out = Vec::with_capacity(obj.len());
    for (k, v) in obj {
        match v {
            // A layer's properties, as the hosted render APIs take them:
            // `{"title": {"text": "…", "color": "#fff"}}` is `title.text`, `title.color`.
            J::Object(layer) => {
                for (p, v) in layer {
                    let key = format!("{k}.{p}");
                    if let Some(v) = scalar(&key, v)? {
                        out.push((key, v));
                    }
                }
            }
            v => {
                if let Some(v) = scalar(k, v)? {
                    out.push((k.clone(), v));
                }
            }
        }
    }
    Ok(out)
}

/// Properties of a layer that are its content: `title.text` sets the param `title`.
const CONTENT_PROPERTIES: &[&str] = &[
    "text",
    "image",
    "image_url",
    "imageUrl",
    "src",
    "url",
    "value",
];

/// Renames the hosted render APIs' `layer.property` keys to the template's params: a
/// content property (`text`, `image`, `src`…) sets the param named after the layer; any
/// other property sets the param `layer-property` or `layer_property` (`title.backgroundColor`
/// sets `title-background-color`), or the layer's own param when the property is `color`
/// and that param is a color. A key that matches nothing, or whose param is also given by
/// name, is left as it is, so the server ignores it and names it in
/// `X-Ogmill-Ignored-Params`.
pub fn map_layer_keys(specs: &[ParamSpec], pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let declared = |n: &str| specs.iter().find(|s| s.name == n);
    let given: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| !k.contains('.'))
        .map(|(k, _)| k.clone())
        .collect();
    let mut taken: Vec<String> = vec![];
    pairs
        .into_iter()
        .map(|(k, v)| {
            let Some((layer, prop)) = k.split_once('.') else {
                return (k, v);
            };
            let kebab = kebab(prop);
            let candidates = [
                (CONTENT_PROPERTIES.contains(&prop)).then(|| layer.to_owned()),
                (prop == "color" && declared(layer).is_some_and(|s| s.kind == ParamKind::Color))
                    .then(|| layer.to_owned()),
                Some(format!("{layer}-{kebab}")),
                Some(format!("{layer}_{}", kebab.replace('-', "_"))),
            ];
            let target = candidates
                .into_iter()
                .flatten()
                .find(|n| declared(n).is_some() && !given.contains(n) && !taken.contains(n));
            match target {
                Some(t) => {
                    taken.push(t.clone());
                    (t, v)
                }
                None => (k, v),
            }
        })
        .collect()
}

/// `backgroundColor` -> `background-color`.
fn kebab(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Removes characters XML cannot carry (and C1 controls, which only ever draw as boxes),
/// collapses whitespace runs to one space, and trims. No-break spaces are kept: they are
/// meaningful to line breaking.
pub fn clean_text(raw: &str) -> String {
    clean(raw, false)
}

/// As [`clean_text`], but a whitespace run holding a line break (`\n`, `\r`, U+2028,
/// U+2029) becomes one `\n`: what a text param keeps, for slots with
/// `og:white-space="pre-line"`.
pub fn clean_text_keeping_breaks(raw: &str) -> String {
    clean(raw, true)
}

fn clean(raw: &str, keep_breaks: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    // Within a run of whitespace: whether it held a space, and how many line breaks.
    let (mut space, mut breaks) = (false, 0usize);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_xml_char(c) || ('\u{80}'..='\u{9F}').contains(&c) {
            continue;
        }
        if c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}') {
            // Each break is kept, so a blank line (two in a run) stays one, as CSS's
            // pre-line keeps it; `\r\n` is one break.
            let crlf = c == '\r' && chars.peek() == Some(&'\n');
            if keep_breaks && matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') && !crlf {
                breaks += 1;
            } else if !crlf {
                space = true;
            }
            continue;
        }
        if !out.is_empty() {
            if breaks > 0 {
                out.extend(std::iter::repeat_n('\n', breaks));
            } else if space {
                out.push(' ');
            }
        }
        (space, breaks) = (false, 0);
        out.push(c);
    }
    out
}

/// Shortest round-tripping form, with `-0` folded into `0`.
pub fn format_number(n: f64) -> String {
    if n == 0.0 {
        return "0".into();
    }
    format!("{n}")
}

fn truncate_for_message(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(MAX).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_keys_map_to_params_by_their_property() {
        let named = |name: &str, kind| ParamSpec {
            name: name.into(),
            ..spec(kind)
        };
        let specs = [
            named("title", ParamKind::Text),
            named("title-color", ParamKind::Color),
            named("hero", ParamKind::Image),
            named("accent", ParamKind::Color),
        ];
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let got = map_layer_keys(
            &specs,
            pairs(&[
                ("title.text", "Hi"),
                ("title.color", "#fff"),
                ("hero.image", "https://x/y.png"),
                ("accent.color", "#f00"),
                ("title.backgroundColor", "transparent"),
                ("hero.opacity", "1"),
            ]),
        );
        assert_eq!(
            got,
            pairs(&[
                ("title", "Hi"),
                ("title-color", "#fff"),
                ("hero", "https://x/y.png"),
                ("accent", "#f00"),
                ("title.backgroundColor", "transparent"),
                ("hero.opacity", "1"),
            ])
        );
        // A param given by name wins over a layer key for it, which is then left unknown.
        let both = map_layer_keys(
            &specs,
            pairs(&[("title", "Direct"), ("title.text", "Layer")]),
        );
        assert_eq!(both, pairs(&[("title", "Direct"), ("title.text", "Layer")]));
        let nested =
            pairs_from_json(&serde_json::json!({"title": {"text": "Hi", "color": "#fff"}, "n": 1}))
                .unwrap();
        assert_eq!(
            nested,
            pairs(&[("n", "1"), ("title.color", "#fff"), ("title.text", "Hi")])
        );
    }

    fn spec(kind: ParamKind) -> ParamSpec {
        ParamSpec {
            name: "p".into(),
            kind,
            default: "dflt".into(),
            max_length: 10,
            min: Some(0.0),
            max: Some(100.0),
            description: String::new(),
            options: vec![],
            theme_defaults: Default::default(),
        }
    }

    #[test]
    fn text_is_cleaned_collapsed_and_capped() {
        assert_eq!(clean_text("  a \t\n b\u{0}c\u{FFFF}\u{85}  "), "a bc");
        assert_eq!(clean_text("a\u{A0}b"), "a\u{A0}b");
        assert_eq!(
            clean_text_keeping_breaks(" a \r\n\n b\tc \u{2028}d\n"),
            "a\n\nb c\nd"
        );
        assert_eq!(clean_text_keeping_breaks("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(clean_text_keeping_breaks("a\n \t b"), "a\nb");
        let s = spec(ParamKind::Text);
        assert_eq!(s.validate("   ").unwrap().text, "dflt");
        assert_eq!(s.validate("0123456789").unwrap().text, "0123456789");
        let err = s.validate("0123456789a").unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooLong {
                    len: 11,
                    max: 10,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("'p'") && err.to_string().contains("10"));
    }

    #[test]
    fn numbers_must_be_finite_and_in_range() {
        let s = spec(ParamKind::Number);
        assert_eq!(s.validate("42.50").unwrap().text, "42.5");
        assert_eq!(s.validate("-0").unwrap().text, "0");
        for bad in [
            "NaN", "inf", "-inf", "infinity", "1e309", "abc", "101", "-1", "0x10",
        ] {
            assert!(s.validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn image_refs() {
        let s = spec(ParamKind::Image);
        for ok in [
            "https://example.com/a.png",
            "logo.png",
            "data:image/png;base64,AAAA",
        ] {
            assert!(s.validate(ok).is_ok(), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "../x.png",
            "/etc/passwd",
            "javascript:alert(1)",
            ".env",
        ] {
            assert!(s.validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolve_rejects_unknown_and_duplicates() {
        let specs = vec![spec(ParamKind::Text)];
        let raw = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let reject = UnknownParams::Reject;
        let (p, _) = Params::resolve("t", &specs, &raw(&[]), reject).unwrap();
        assert_eq!(p.get("p").unwrap().text, "dflt");
        let err = Params::resolve("t", &specs, &raw(&[("q", "x")]), reject).unwrap_err();
        assert!(
            err.to_string().contains("'q'") && err.to_string().contains("p"),
            "{err}"
        );
        let err =
            Params::resolve("t", &specs, &raw(&[("p", "a"), ("p", "b")]), reject).unwrap_err();
        assert!(matches!(err, Error::DuplicateParam { .. }));
    }

    #[test]
    fn ignored_names_leave_the_params_unchanged() {
        let specs = vec![spec(ParamKind::Text)];
        let raw = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let ignore = UnknownParams::Ignore;
        let (plain, none) = Params::resolve("t", &specs, &raw(&[("p", "a")]), ignore).unwrap();
        let given = raw(&[("v", "1"), ("p", "a"), ("v", "2"), ("utm", "x")]);
        let (with_extra, ignored) = Params::resolve("t", &specs, &given, ignore).unwrap();
        assert!(none.is_empty());
        assert_eq!(plain, with_extra);
        assert_eq!(ignored, ["v", "v", "utm"]);
        let dup = raw(&[("p", "a"), ("p", "b")]);
        assert!(Params::resolve("t", &specs, &dup, ignore).is_err());
    }
}
