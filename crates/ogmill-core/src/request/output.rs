//! What a render writes: the image format, its quality, and the pixel density.
//!
//! Three built-in request params choose them on every template (a template that declares a
//! param of the same name keeps it for itself): `format` (`png`, `webp`, `jpeg`/`jpg`, `pdf`),
//! `quality` (1-100: JPEG, and lossy WebP) and `scale` (1, 2 or 3: device pixel ratio; a PDF
//! is vector, so its page is the template's size whatever the scale).

use crate::error::{Error, Result};

/// Largest output side in pixels; a template and scale that would pass it are refused.
pub const MAX_SIDE: u32 = 4096;

/// An image format ogmill writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// PNG: lossless, indexed when the card fits a palette. Default.
    #[default]
    Png,
    /// WebP: lossless, or lossy at [`Output::quality`] when one is given.
    Webp,
    /// JPEG at [`Output::quality`] (default [`DEFAULT_JPEG_QUALITY`]): for photo cards.
    Jpeg,
    /// PDF: vector, text selectable, fonts subset and embedded (the `pdf` feature).
    Pdf,
}

/// JPEG quality when the request gives none.
pub const DEFAULT_JPEG_QUALITY: u8 = 85;

/// What `format` takes in this build.
const FORMATS: &str = if cfg!(feature = "pdf") {
    "must be png, webp, jpeg or pdf"
} else {
    "must be png, webp or jpeg (this build has no PDF output)"
};

impl Format {
    /// Parses a format name or file extension: `png`, `webp`, `jpeg`, `jpg` or `pdf` (any case;
    /// `pdf` only in builds with the `pdf` feature).
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            "jpeg" | "jpg" => Some(Format::Jpeg),
            "pdf" if cfg!(feature = "pdf") => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The format a file name's extension asks for: `None` without an extension, an error
    /// naming the formats for one that is not a format ogmill writes (`card.gif` must not
    /// become a PNG named `.gif`).
    pub fn for_path(path: &std::path::Path) -> Result<Option<Format>, String> {
        let Some(ext) = path.extension() else {
            return Ok(None);
        };
        let ext = ext.to_string_lossy();
        Format::parse(&ext).map(Some).ok_or_else(|| {
            format!(
                "{}: '.{ext}' is not a format ogmill writes; use .png, .webp, .jpg (or .jpeg) or .pdf",
                path.display()
            )
        })
    }

    /// Its name, as `format=` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Jpeg => "jpeg",
            Format::Pdf => "pdf",
        }
    }

    /// Its file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            other => other.name(),
        }
    }

    /// The format of encoded bytes, read from their first bytes.
    pub fn of_bytes(bytes: &[u8]) -> Option<Format> {
        match bytes {
            [0x89, b'P', b'N', b'G', ..] => Some(Format::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Format::Webp),
            [0xff, 0xd8, 0xff, ..] => Some(Format::Jpeg),
            [b'%', b'P', b'D', b'F', ..] => Some(Format::Pdf),
            _ => None,
        }
    }

    /// Its media type, for `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Pdf => "application/pdf",
        }
    }
}

/// How a card is written: format, quality and scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Output {
    /// The image format. Default: PNG.
    pub format: Format,
    /// 1-100, for lossy formats. Default: `None` (the format's default).
    pub quality: Option<u8>,
    /// Device pixel ratio: the template's size times this, 1 to 3. Default: 1.
    pub scale: u8,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            format: Format::Png,
            quality: None,
            scale: 1,
        }
    }
}

impl Output {
    /// The names of the built-in params that set it.
    pub const PARAMS: [&'static str; 3] = ["format", "quality", "scale"];

    /// Sets the field a built-in param names from its raw value; a bad value is an error
    /// naming the param and what it takes.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let invalid = |reason: &str| Error::InvalidValue {
            param: name.to_owned(),
            reason: reason.to_owned(),
        };
        let value = value.trim();
        match name {
            "format" => {
                self.format = Format::parse(value).ok_or_else(|| invalid(FORMATS))?;
            }
            "quality" => {
                let q: u8 = value
                    .parse()
                    .ok()
                    .filter(|q| (1..=100).contains(q))
                    .ok_or_else(|| invalid("must be a whole number from 1 to 100"))?;
                self.quality = Some(q);
            }
            "scale" => {
                self.scale = value
                    .parse()
                    .ok()
                    .filter(|s| (1..=3).contains(s))
                    .ok_or_else(|| invalid("must be 1, 2 or 3"))?;
            }
            _ => unreachable!("not a built-in output param: {name}"),
        }
        Ok(())
    }

    /// Checks what the fields allow together, once all are set.
    pub fn check(&self) -> Result<()> {
        if self.quality.is_some() && matches!(self.format, Format::Png | Format::Pdf) {
            return Err(Error::InvalidValue {
                param: "quality".into(),
                reason: format!(
                    "applies to jpeg and webp; {} is lossless",
                    self.format.name()
                ),
            });
        }
        Ok(())
    }

    /// The output size of a template `width` x `height` user units, or an error past
    /// [`MAX_SIDE`].
    pub fn size(&self, width: f32, height: f32) -> Result<(u32, u32)> {
        let px = |v: f32| (v * f32::from(self.scale)).round().max(1.0);
        let (w, h) = (px(width), px(height));
        if w > MAX_SIDE as f32 || h > MAX_SIDE as f32 {
            return Err(Error::InvalidValue {
                param: "scale".into(),
                reason: format!(
                    "{w}x{h} pixels is over the limit of {MAX_SIDE} per side; use a smaller scale"
                ),
            });
        }
        Ok((w as u32, h as u32))
    }

    /// A short suffix for cache keys: empty for the default, so PNG keys stay as they were.
    pub fn key_suffix(&self) -> String {
        if *self == Output::default() {
            return String::new();
        }
        let q = self.quality.map_or(String::new(), |q| format!(",q{q}"));
        format!("/out={},x{}{q}", self.format.name(), self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_and_bad_values_name_the_param() {
        let mut o = Output::default();
        o.set("format", "WEBP").unwrap();
        o.set("scale", "2").unwrap();
        assert_eq!((o.format, o.scale), (Format::Webp, 2));
        for (name, bad) in [
            ("format", "gif"),
            ("quality", "0"),
            ("quality", "101"),
            ("scale", "4"),
        ] {
            let err = Output::default().set(name, bad).unwrap_err().to_string();
            assert!(err.contains(&format!("'{name}'")), "{err}");
        }
        let mut q = Output::default();
        q.set("quality", "70").unwrap();
        assert!(q.check().is_err(), "quality on png");
        q.set("format", "jpg").unwrap();
        assert!(q.check().is_ok());
    }

    #[test]
    fn size_scales_and_is_capped() {
        let mut o = Output::default();
        assert_eq!(o.size(1200.0, 630.0).unwrap(), (1200, 630));
        o.scale = 3;
        assert_eq!(o.size(1200.0, 630.0).unwrap(), (3600, 1890));
        assert!(o.size(1920.0, 1080.0).is_err(), "5760 px wide");
        assert_eq!(Output::default().key_suffix(), "");
    }
}
