//! The font database: the bundled fonts (compiled into the binary) plus any configured dirs.
//! System fonts are loaded only when asked for, so by default output is the same on every machine.
//!
//! Below the templates, which resolve their families here: the text primitives too, a
//! string's runs by the font that covers them ([`coverage`]) and its language.

pub mod coverage;
pub(crate) mod lang;
pub(crate) mod runs;

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};

/// Inter, the face the bundled templates draw Latin, Greek and Cyrillic with: the
/// `latin-fonts` feature alone (1 MB) is enough for them in Latin scripts.
#[cfg(feature = "latin-fonts")]
const INTER: &[(&str, &[u8])] = &[
    (
        "Inter-Regular.otf",
        include_bytes!("../../../../fonts/Inter-Regular.otf"),
    ),
    (
        "Inter-Medium.otf",
        include_bytes!("../../../../fonts/Inter-Medium.otf"),
    ),
    (
        "Inter-SemiBold.otf",
        include_bytes!("../../../../fonts/Inter-SemiBold.otf"),
    ),
    (
        "Inter-Bold.otf",
        include_bytes!("../../../../fonts/Inter-Bold.otf"),
    ),
];
#[cfg(not(feature = "latin-fonts"))]
const INTER: &[(&str, &[u8])] = &[];

/// The Noto faces for the other scripts, symbols and emoji (the `bundled-fonts` feature).
#[cfg(feature = "bundled-fonts")]
const NOTO: &[(&str, &[u8])] = &[
    (
        "NotoSansArabic-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansArabic-Regular.ttf"),
    ),
    (
        "NotoSansArabic-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansArabic-Bold.ttf"),
    ),
    (
        "NotoSansHebrew-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansHebrew-Regular.ttf"),
    ),
    (
        "NotoSansHebrew-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansHebrew-Bold.ttf"),
    ),
    (
        "NotoSansDevanagari-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansDevanagari-Regular.ttf"),
    ),
    (
        "NotoSansDevanagari-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansDevanagari-Bold.ttf"),
    ),
    (
        "NotoSansThai-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansThai-Regular.ttf"),
    ),
    (
        "NotoSansThai-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansThai-Bold.ttf"),
    ),
    (
        "NotoSansBengali-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansBengali-Regular.ttf"),
    ),
    (
        "NotoSansBengali-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansBengali-Bold.ttf"),
    ),
    (
        "NotoSansTamil-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansTamil-Regular.ttf"),
    ),
    (
        "NotoSansTamil-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansTamil-Bold.ttf"),
    ),
    (
        "NotoSansTelugu-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansTelugu-Regular.ttf"),
    ),
    (
        "NotoSansTelugu-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansTelugu-Bold.ttf"),
    ),
    (
        "NotoSansGujarati-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansGujarati-Regular.ttf"),
    ),
    (
        "NotoSansGujarati-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansGujarati-Bold.ttf"),
    ),
    (
        "NotoSansGurmukhi-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansGurmukhi-Regular.ttf"),
    ),
    (
        "NotoSansGurmukhi-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansGurmukhi-Bold.ttf"),
    ),
    (
        "NotoSansKannada-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansKannada-Regular.ttf"),
    ),
    (
        "NotoSansKannada-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansKannada-Bold.ttf"),
    ),
    (
        "NotoSansMalayalam-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansMalayalam-Regular.ttf"),
    ),
    (
        "NotoSansMalayalam-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansMalayalam-Bold.ttf"),
    ),
    (
        "NotoSansSinhala-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansSinhala-Regular.ttf"),
    ),
    (
        "NotoSansSinhala-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansSinhala-Bold.ttf"),
    ),
    (
        "NotoSansKhmer-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansKhmer-Regular.ttf"),
    ),
    (
        "NotoSansKhmer-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansKhmer-Bold.ttf"),
    ),
    (
        "NotoSansLao-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansLao-Regular.ttf"),
    ),
    (
        "NotoSansLao-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansLao-Bold.ttf"),
    ),
    (
        "NotoSansMyanmar-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansMyanmar-Regular.ttf"),
    ),
    (
        "NotoSansMyanmar-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansMyanmar-Bold.ttf"),
    ),
    (
        "NotoSansArmenian-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansArmenian-Regular.ttf"),
    ),
    (
        "NotoSansArmenian-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansArmenian-Bold.ttf"),
    ),
    (
        "NotoSansGeorgian-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansGeorgian-Regular.ttf"),
    ),
    (
        "NotoSansGeorgian-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansGeorgian-Bold.ttf"),
    ),
    (
        "NotoSansEthiopic-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansEthiopic-Regular.ttf"),
    ),
    (
        "NotoSansEthiopic-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansEthiopic-Bold.ttf"),
    ),
    (
        "NotoSansCJKsc-Regular.otf",
        include_bytes!("../../../../fonts/NotoSansCJKsc-Regular.otf"),
    ),
    (
        "NotoSansCJKsc-Bold.otf",
        include_bytes!("../../../../fonts/NotoSansCJKsc-Bold.otf"),
    ),
    (
        "NotoSansCJKjp-Regular.otf",
        include_bytes!("../../../../fonts/NotoSansCJKjp-Regular.otf"),
    ),
    (
        "NotoSansCJKjp-Bold.otf",
        include_bytes!("../../../../fonts/NotoSansCJKjp-Bold.otf"),
    ),
    (
        "NotoSansCJKtc-Regular.otf",
        include_bytes!("../../../../fonts/NotoSansCJKtc-Regular.otf"),
    ),
    (
        "NotoSansCJKtc-Bold.otf",
        include_bytes!("../../../../fonts/NotoSansCJKtc-Bold.otf"),
    ),
    (
        "NotoSansCJKkr-Regular.otf",
        include_bytes!("../../../../fonts/NotoSansCJKkr-Regular.otf"),
    ),
    (
        "NotoSansCJKkr-Bold.otf",
        include_bytes!("../../../../fonts/NotoSansCJKkr-Bold.otf"),
    ),
    (
        "NotoColorEmoji.ttf",
        include_bytes!("../../../../fonts/NotoColorEmoji.ttf"),
    ),
    // Symbols and math last, after the emoji font: a character both have (☀, ❤) keeps its
    // emoji look; these draw what no other font has (∀ ∈ ℝ ⇒ ⌘ ⏎).
    (
        "NotoSansMath-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansMath-Regular.ttf"),
    ),
    (
        "NotoSansSymbols-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansSymbols-Regular.ttf"),
    ),
    (
        "NotoSansSymbols-Bold.ttf",
        include_bytes!("../../../../fonts/NotoSansSymbols-Bold.ttf"),
    ),
    (
        "NotoSansSymbols2-Regular.ttf",
        include_bytes!("../../../../fonts/NotoSansSymbols2-Regular.ttf"),
    ),
];
#[cfg(not(feature = "bundled-fonts"))]
const NOTO: &[(&str, &[u8])] = &[];

/// Whether this build carries any bundled fonts.
pub const HAS_BUNDLED: bool = cfg!(feature = "latin-fonts");

/// The fonts in `fonts/` this build embeds (see the `bundled-fonts` and `latin-fonts`
/// features), by file name, so a binary renders the same from any directory.
pub fn bundled_fonts() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    INTER.iter().chain(NOTO).copied()
}

/// Font bytes handed in by the caller ([`crate::Options::fonts`]): shared, never copied.
#[derive(Clone)]
pub struct FontData(pub Arc<dyn AsRef<[u8]> + Send + Sync>);

impl FontData {
    /// Font bytes from anything that holds them (`Vec<u8>`, `&'static [u8]`…).
    pub fn new(bytes: impl AsRef<[u8]> + Send + Sync + 'static) -> Self {
        FontData(Arc::new(bytes))
    }
}

impl std::fmt::Debug for FontData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontData({} bytes)", (*self.0).as_ref().len())
    }
}

/// The family that generic names (`sans-serif`, …) and unstyled text resolve to.
pub const DEFAULT_FAMILY: &str = "Inter";

/// Loads the bundled fonts (when `bundled`) and every font file in `dirs`.
pub fn load(bundled: bool, dirs: &[PathBuf]) -> Result<Arc<fontdb::Database>> {
    load_all(bundled, &[], dirs, false)
}

/// The bundled fonts (when `bundled`), then the caller's `fonts` as bytes, the font files
/// in `dirs`, and the system's fonts when `system`.
pub fn load_all(
    bundled: bool,
    fonts: &[FontData],
    dirs: &[PathBuf],
    system: bool,
) -> Result<Arc<fontdb::Database>> {
    let mut db = fontdb::Database::new();
    if bundled && !HAS_BUNDLED {
        return Err(Error::Font(
            "this build of ogmill has no bundled fonts (the bundled-fonts or latin-fonts feature): pass fonts as bytes or directories".into(),
        ));
    }
    if bundled {
        for (_, data) in bundled_fonts() {
            // Borrowed from the binary: no copy of ~24 MB per database.
            db.load_font_source(fontdb::Source::Binary(Arc::new(data)));
        }
    }
    for font in fonts {
        let before = db.len();
        db.load_font_source(fontdb::Source::Binary(font.0.clone()));
        if db.len() == before {
            return Err(Error::Font(format!(
                "font {} of the fonts given as bytes is not a font ogmill can read (TrueType, OpenType or a collection)",
                fonts.iter().position(|f| Arc::ptr_eq(&f.0, &font.0)).map_or(0, |i| i + 1)
            )));
        }
    }
    for dir in dirs {
        if !dir.is_dir() {
            return Err(Error::Font(format!(
                "font directory {} does not exist",
                dir.display()
            )));
        }
        let before = db.len();
        db.load_fonts_dir(dir);
        load_web_fonts(&mut db, dir)?;
        if db.len() == before {
            return Err(Error::Font(format!(
                "no font files found in {}",
                dir.display()
            )));
        }
    }
    if system {
        db.load_system_fonts();
    }
    if db.is_empty() {
        return Err(Error::Font(
            "no fonts loaded: enable the bundled fonts or give a font dir".into(),
        ));
    }
    set_generic_families(&mut db);
    Ok(Arc::new(db))
}

/// Points each generic family (`serif`, `monospace`…) at the closest loaded family of its
/// class, so generic text draws with what is loaded instead of a family that is not.
pub fn set_generic_families(db: &mut fontdb::Database) {
    let pick = |db: &fontdb::Database, class| closest_family(db, class).unwrap_or_default();
    let sans = pick(db, FontClass::Sans);
    let serif = pick(db, FontClass::Serif);
    let mono = pick(db, FontClass::Mono);
    let script = pick(db, FontClass::Script);
    let display = pick(db, FontClass::Display);
    db.set_sans_serif_family(sans);
    db.set_serif_family(serif);
    db.set_monospace_family(mono);
    db.set_cursive_family(script);
    db.set_fantasy_family(display);
}

/// The kind of face a family name asks for, which decides what stands in for it when it is
/// not loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FontClass {
    /// Sans-serif text faces (the default).
    Sans,
    /// Serif text faces.
    Serif,
    /// Monospaced faces.
    Mono,
    /// Handwriting and script faces (`cursive`).
    Script,
    /// Heavy or condensed display faces (`fantasy`).
    Display,
}

/// The class a font stack asks for: a generic family in it decides; else words in the names
/// (`Menlo`, `Courier` are mono; `Georgia`, `Times`, `... Serif` serif; `Chancery`, `Script`
/// script; `Anton`, `Bebas`, `Impact` display); else sans.
pub fn class_of(families: &[&str]) -> FontClass {
    for f in families {
        match f.trim().to_ascii_lowercase().as_str() {
            "monospace" => return FontClass::Mono,
            "serif" => return FontClass::Serif,
            "cursive" => return FontClass::Script,
            "fantasy" => return FontClass::Display,
            "sans-serif" | "system-ui" => return FontClass::Sans,
            _ => {}
        }
    }
    const WORDS: &[(FontClass, &[&str])] = &[
        (
            FontClass::Mono,
            &[
                "mono",
                "code",
                "courier",
                "menlo",
                "consolas",
                "typewriter",
                "terminal",
            ],
        ),
        (
            FontClass::Script,
            &[
                "script",
                "chancery",
                "hand",
                "brush",
                "pacifico",
                "lobster",
                "caveat",
                "calligraph",
            ],
        ),
        (
            FontClass::Display,
            &[
                "anton",
                "bebas",
                "impact",
                "oswald",
                "display",
                "poster",
                "league gothic",
            ],
        ),
        (
            FontClass::Sans,
            &[
                "sans",
                "grotesk",
                "grotesque",
                "gothic",
                "helvetica",
                "arial",
                "gill",
            ],
        ),
        (
            FontClass::Serif,
            &[
                "serif",
                "times",
                "georgia",
                "garamond",
                "baskerville",
                "didot",
                "bodoni",
                "playfair",
                "merriweather",
                "roman",
                "caslon",
                "minion",
                "palatino",
                "book",
            ],
        ),
    ];
    for f in families {
        let name = f.to_ascii_lowercase();
        for (class, words) in WORDS {
            if words.iter().any(|w| name.contains(w)) {
                return *class;
            }
        }
    }
    FontClass::Sans
}

/// The loaded family that best stands in for `class`: one of that class if any is loaded,
/// else [`DEFAULT_FAMILY`] when loaded, else the first text family loaded.
pub fn closest_family(db: &fontdb::Database, class: FontClass) -> Option<String> {
    let families = loaded_families(db);
    let is = |name: &str, words: &[&str]| {
        let n = name.to_ascii_lowercase();
        words.iter().any(|w| n.contains(w))
    };
    let of_class = |name: &String| match class {
        FontClass::Mono => {
            db.faces()
                .any(|f| f.monospaced && f.families.iter().any(|(n, _)| n == name))
                || is(name, &["mono", "code"])
        }
        FontClass::Serif => is(name, &["serif"]) && !is(name, &["sans"]),
        FontClass::Script => is(name, &["script", "hand", "chancery"]),
        FontClass::Display => is(name, &["display", "anton", "bebas", "oswald"]),
        FontClass::Sans => name == DEFAULT_FAMILY || is(name, &["sans"]) && !is(name, &["mono"]),
    };
    let text = |name: &&String| !is(name, &["emoji", "symbol", "math"]);
    families
        .iter()
        .filter(text)
        .find(|n| of_class(n) && (class != FontClass::Sans || *n == DEFAULT_FAMILY))
        .or_else(|| families.iter().filter(text).find(|n| of_class(n)))
        .or_else(|| families.iter().find(|n| *n == DEFAULT_FAMILY))
        .or_else(|| families.iter().find(text))
        .cloned()
}

/// Families drawn to the same advance widths, so one stands in for another without moving
/// a line break: fontconfig's metric aliases (30-metric-aliases.conf), and Vera, which DejaVu
/// extends. A design exported on a machine with one names it; the other is often what is
/// open (on Fontsource: Arimo, Tinos, Cousine, DejaVu Sans, Carlito, Caladea, Gelasio).
const METRIC_TWINS: &[&[&str]] = &[
    &[
        "Arial",
        "Helvetica",
        "Liberation Sans",
        "Arimo",
        "Nimbus Sans",
        "Nimbus Sans L",
        "Albany",
    ],
    &[
        "Arial Narrow",
        "Helvetica Narrow",
        "Liberation Sans Narrow",
        "Nimbus Sans Narrow",
    ],
    &[
        "Times New Roman",
        "Times",
        "Liberation Serif",
        "Tinos",
        "Nimbus Roman",
        "Nimbus Roman No9 L",
        "Thorndale",
    ],
    &[
        "Courier New",
        "Courier",
        "Liberation Mono",
        "Cousine",
        "Nimbus Mono PS",
        "Nimbus Mono L",
        "Cumberland",
    ],
    &["Bitstream Vera Sans", "DejaVu Sans", "Verajja"],
    &["Bitstream Vera Serif", "DejaVu Serif"],
    &["Bitstream Vera Sans Mono", "DejaVu Sans Mono"],
    &["Calibri", "Carlito"],
    &["Cambria", "Caladea"],
    &["Georgia", "Gelasio"],
    &[
        "Palatino",
        "Palatino Linotype",
        "TeX Gyre Pagella",
        "P052",
        "URW Palladio L",
    ],
    &[
        "Bookman",
        "ITC Bookman",
        "TeX Gyre Bonum",
        "URW Bookman",
        "URW Bookman L",
    ],
    &[
        "Zapf Chancery",
        "ITC Zapf Chancery",
        "URW Chancery L",
        "Z003",
        "TeX Gyre Chorus",
    ],
    &[
        "New Century Schoolbook",
        "Century Schoolbook",
        "C059",
        "TeX Gyre Schola",
        "Century Schoolbook L",
    ],
    &[
        "Avant Garde",
        "ITC Avant Garde Gothic",
        "URW Gothic",
        "URW Gothic L",
        "TeX Gyre Adventor",
    ],
];

/// Members of [`METRIC_TWINS`] that Fontsource packs (`ogmill fonts add` fetches them).
const OPEN_TWINS: &[&str] = &[
    "Arimo",
    "Tinos",
    "Cousine",
    "DejaVu Sans",
    "DejaVu Serif",
    "Carlito",
    "Caladea",
    "Gelasio",
];

/// A family name as design tools' spellings of it compare: lower case, without spaces,
/// dashes and underscores (`sourcesanspro`, `Source-Sans-Pro`, `Source Sans Pro`).
fn family_key(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The [`METRIC_TWINS`] group `name` belongs to, and its key there. A face name
/// (`Arial-BoldMT`, as Illustrator writes) names its family before the dash, and Monotype's
/// PostScript names end in `MT` or `PSMT` (`ArialMT`, `TimesNewRomanPSMT`, as Affinity writes).
fn twin_group(name: &str) -> Option<(&'static [&'static str], String)> {
    let family = name.split('-').next().unwrap_or(name);
    let unsuffixed = family
        .strip_suffix("PSMT")
        .or_else(|| family.strip_suffix("MT"))
        .unwrap_or(family);
    [name, family, unsuffixed].into_iter().find_map(|n| {
        let wanted = family_key(n);
        let group = METRIC_TWINS
            .iter()
            .find(|g| g.iter().any(|f| family_key(f) == wanted))?;
        Some((*group, wanted))
    })
}

/// An open family with the same advance widths as `name`, to suggest fetching when `name`
/// is not loaded: `Bitstream Vera Sans` -> `DejaVu Sans`, `Arial` -> `Arimo`.
pub fn open_twin(name: &str) -> Option<&'static str> {
    let (group, _) = twin_group(name)?;
    group.iter().copied().find(|f| OPEN_TWINS.contains(f))
}

/// A loaded family with the same advance widths as one of `asked` (fontconfig's metric aliases),
/// to draw a missing family with before falling back to one of its class.
pub fn metric_twin(db: &fontdb::Database, asked: &[&str]) -> Option<String> {
    asked.iter().find_map(|name| {
        let (group, wanted) = twin_group(name)?;
        group
            .iter()
            .filter(|f| family_key(f) != wanted)
            .find_map(|f| find_family(db, f))
    })
}

/// The loaded families' names (each face's first), in load order.
pub fn loaded_families(db: &fontdb::Database) -> Vec<String> {
    let mut names: Vec<String> = vec![];
    for face in db.faces() {
        if let Some((name, _)) = face.families.first() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// The loaded family `name` means, matched as design tools write names: exactly, else
/// ignoring case, spaces, dashes and underscores (`sourcesanspro`, `Source-Sans-Pro` and
/// `SourceSansPro` all find `Source Sans Pro`). Generic names give the family they map to.
pub fn find_family(db: &fontdb::Database, name: &str) -> Option<String> {
    let name = name.trim();
    // CSS's generic names, and fontconfig's aliases that Linux tools write (Inkscape's
    // `font-family:Sans`).
    let generic = match name.to_ascii_lowercase().as_str() {
        "serif" => Some(FontClass::Serif),
        "sans-serif" | "sans" => Some(FontClass::Sans),
        "monospace" | "mono" => Some(FontClass::Mono),
        "cursive" => Some(FontClass::Script),
        "fantasy" => Some(FontClass::Display),
        _ => None,
    };
    if let Some(class) = generic {
        return closest_family(db, class);
    }
    let wanted = family_key(name);
    let mut loose = None;
    for face in db.faces() {
        for (family, _) in &face.families {
            if family.eq_ignore_ascii_case(name) {
                return Some(family.clone());
            }
            if loose.is_none() && family_key(family) == wanted {
                loose = Some(family.clone());
            }
        }
    }
    loose
}

/// WOFF and WOFF2 files under `dir` (fontdb reads only TrueType and OpenType), decoded at
/// load with wuff, a pure-Rust port of Google's woff2 library: sites keep their brand fonts
/// as web fonts. A file that does not decode stops start-up with its name.
fn load_web_fonts(db: &mut fontdb::Database, dir: &std::path::Path) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Font(format!("cannot read font directory {}: {e}", dir.display())))?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            load_web_fonts(db, &path)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let decode = match ext.as_deref() {
            Some("woff2") => wuff::decompress_woff2,
            Some("woff") => wuff::decompress_woff1,
            _ => continue,
        };
        let bad = |why: String| Error::Font(format!("{}: {why}", path.display()));
        let bytes = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
        let font = decode(&bytes).map_err(|e| bad(format!("not a valid web font ({e:?})")))?;
        db.load_font_data(font);
    }
    Ok(())
}

/// The face to draw `c` with when the faces in `tried` (the first one the text's own) lack
/// it: another face of the same family, weight and style first, then usvg's default (the
/// first face of the same style that has it). Web fonts come split by script (Fontsource
/// and Google Fonts ship `latin`, `latin-ext`, `cyrillic`… files of one family), and
/// usvg's default alone drew the `latin-ext` letters of such a family in whichever other
/// family was loaded first.
pub(crate) fn fallback(
    c: char,
    tried: &[fontdb::ID],
    db: &mut Arc<fontdb::Database>,
) -> Option<fontdb::ID> {
    let same_family = {
        let db: &fontdb::Database = db;
        let base = db.face(*tried.first()?)?;
        let family = &base.families.first()?.0;
        db.faces()
            .filter(|f| !tried.contains(&f.id))
            .filter(|f| f.style == base.style && f.weight == base.weight)
            .filter(|f| f.families.first().is_some_and(|(name, _)| name == family))
            .find(|f| has_char(db, f.id, c))
            .map(|f| f.id)
    };
    same_family.or_else(|| (usvg::FontResolver::default_fallback_selector())(c, tried, db))
}

/// Whether face `id` maps `c` to a glyph.
fn has_char(db: &fontdb::Database, id: fontdb::ID, c: char) -> bool {
    db.with_face_data(id, |data, index| {
        skrifa::FontRef::from_index(data, index)
            .is_ok_and(|font| skrifa::MetadataProvider::charmap(&font).map(c).is_some())
    })
    .unwrap_or(false)
}

/// Whether any loaded face belongs to `family` (as [`find_family`] matches names).
pub fn has_family(db: &fontdb::Database, family: &str) -> bool {
    find_family(db, family).is_some()
}

#[cfg(test)]
mod twin_tests {
    use super::*;

    /// A database whose one face calls itself `family`.
    fn db_with(family: &str) -> fontdb::Database {
        let mut db = fontdb::Database::new();
        db.load_font_data(include_bytes!("../../../../fonts/Inter-Bold.otf").to_vec());
        let mut info = db.faces().next().unwrap().clone();
        info.families = vec![(family.to_owned(), fontdb::Language::English_UnitedStates)];
        let mut renamed = fontdb::Database::new();
        renamed.push_face_info(info);
        renamed
    }

    #[test]
    fn a_missing_family_finds_its_loaded_metric_twin() {
        let db = db_with("Arimo");
        assert_eq!(metric_twin(&db, &["Arial"]), Some("Arimo".into()));
        assert_eq!(metric_twin(&db, &["Arial-BoldMT"]), Some("Arimo".into()));
        assert_eq!(metric_twin(&db, &["ArialMT"]), Some("Arimo".into()));
        assert_eq!(metric_twin(&db, &["helvetica"]), Some("Arimo".into()));
        assert_eq!(
            metric_twin(&db, &["Verdana", "Arial"]),
            Some("Arimo".into())
        );
        assert_eq!(metric_twin(&db, &["Times New Roman"]), None);
        assert_eq!(metric_twin(&db, &["Myriad Pro"]), None);
        let db = db_with("DejaVu Sans");
        assert_eq!(
            metric_twin(&db, &["Bitstream Vera Sans"]),
            Some("DejaVu Sans".into())
        );
        assert_eq!(metric_twin(&db, &["Bitstream Vera Serif"]), None);
    }
}
