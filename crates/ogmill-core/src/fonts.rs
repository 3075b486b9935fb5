//! The font database: the bundled fonts (compiled into the binary) plus any configured dirs.
//! System fonts are loaded only when asked for, so by default output is the same on every machine.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};

/// The fonts in `fonts/`, embedded so the binary renders correctly from any directory.
pub const BUNDLED: &[(&str, &[u8])] = &[
    (
        "Inter-Regular.otf",
        include_bytes!("../../../fonts/Inter-Regular.otf"),
    ),
    (
        "Inter-Medium.otf",
        include_bytes!("../../../fonts/Inter-Medium.otf"),
    ),
    (
        "Inter-SemiBold.otf",
        include_bytes!("../../../fonts/Inter-SemiBold.otf"),
    ),
    (
        "Inter-Bold.otf",
        include_bytes!("../../../fonts/Inter-Bold.otf"),
    ),
    (
        "NotoSansArabic-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansArabic-Regular.ttf"),
    ),
    (
        "NotoSansArabic-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansArabic-Bold.ttf"),
    ),
    (
        "NotoSansHebrew-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansHebrew-Regular.ttf"),
    ),
    (
        "NotoSansHebrew-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansHebrew-Bold.ttf"),
    ),
    (
        "NotoSansDevanagari-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansDevanagari-Regular.ttf"),
    ),
    (
        "NotoSansDevanagari-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansDevanagari-Bold.ttf"),
    ),
    (
        "NotoSansThai-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansThai-Regular.ttf"),
    ),
    (
        "NotoSansThai-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansThai-Bold.ttf"),
    ),
    (
        "NotoSansBengali-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansBengali-Regular.ttf"),
    ),
    (
        "NotoSansBengali-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansBengali-Bold.ttf"),
    ),
    (
        "NotoSansTamil-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansTamil-Regular.ttf"),
    ),
    (
        "NotoSansTamil-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansTamil-Bold.ttf"),
    ),
    (
        "NotoSansTelugu-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansTelugu-Regular.ttf"),
    ),
    (
        "NotoSansTelugu-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansTelugu-Bold.ttf"),
    ),
    (
        "NotoSansGujarati-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansGujarati-Regular.ttf"),
    ),
    (
        "NotoSansGujarati-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansGujarati-Bold.ttf"),
    ),
    (
        "NotoSansGurmukhi-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansGurmukhi-Regular.ttf"),
    ),
    (
        "NotoSansGurmukhi-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansGurmukhi-Bold.ttf"),
    ),
    (
        "NotoSansKannada-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansKannada-Regular.ttf"),
    ),
    (
        "NotoSansKannada-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansKannada-Bold.ttf"),
    ),
    (
        "NotoSansMalayalam-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansMalayalam-Regular.ttf"),
    ),
    (
        "NotoSansMalayalam-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansMalayalam-Bold.ttf"),
    ),
    (
        "NotoSansSinhala-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansSinhala-Regular.ttf"),
    ),
    (
        "NotoSansSinhala-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansSinhala-Bold.ttf"),
    ),
    (
        "NotoSansKhmer-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansKhmer-Regular.ttf"),
    ),
    (
        "NotoSansKhmer-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansKhmer-Bold.ttf"),
    ),
    (
        "NotoSansLao-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansLao-Regular.ttf"),
    ),
    (
        "NotoSansLao-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansLao-Bold.ttf"),
    ),
    (
        "NotoSansMyanmar-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansMyanmar-Regular.ttf"),
    ),
    (
        "NotoSansMyanmar-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansMyanmar-Bold.ttf"),
    ),
    (
        "NotoSansArmenian-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansArmenian-Regular.ttf"),
    ),
    (
        "NotoSansArmenian-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansArmenian-Bold.ttf"),
    ),
    (
        "NotoSansGeorgian-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansGeorgian-Regular.ttf"),
    ),
    (
        "NotoSansGeorgian-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansGeorgian-Bold.ttf"),
    ),
    (
        "NotoSansEthiopic-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansEthiopic-Regular.ttf"),
    ),
    (
        "NotoSansEthiopic-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansEthiopic-Bold.ttf"),
    ),
    (
        "NotoSansCJKsc-Regular.otf",
        include_bytes!("../../../fonts/NotoSansCJKsc-Regular.otf"),
    ),
    (
        "NotoSansCJKsc-Bold.otf",
        include_bytes!("../../../fonts/NotoSansCJKsc-Bold.otf"),
    ),
    (
        "NotoSansCJKjp-Regular.otf",
        include_bytes!("../../../fonts/NotoSansCJKjp-Regular.otf"),
    ),
    (
        "NotoSansCJKjp-Bold.otf",
        include_bytes!("../../../fonts/NotoSansCJKjp-Bold.otf"),
    ),
    (
        "NotoSansCJKtc-Regular.otf",
        include_bytes!("../../../fonts/NotoSansCJKtc-Regular.otf"),
    ),
    (
        "NotoSansCJKtc-Bold.otf",
        include_bytes!("../../../fonts/NotoSansCJKtc-Bold.otf"),
    ),
    (
        "NotoSansCJKkr-Regular.otf",
        include_bytes!("../../../fonts/NotoSansCJKkr-Regular.otf"),
    ),
    (
        "NotoSansCJKkr-Bold.otf",
        include_bytes!("../../../fonts/NotoSansCJKkr-Bold.otf"),
    ),
    (
        "NotoColorEmoji.ttf",
        include_bytes!("../../../fonts/NotoColorEmoji.ttf"),
    ),
    // Symbols and math last, after the emoji font: a character both have (☀, ❤) keeps its
    // emoji look; these draw what no other font has (∀ ∈ ℝ ⇒ ⌘ ⏎).
    (
        "NotoSansMath-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansMath-Regular.ttf"),
    ),
    (
        "NotoSansSymbols-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansSymbols-Regular.ttf"),
    ),
    (
        "NotoSansSymbols-Bold.ttf",
        include_bytes!("../../../fonts/NotoSansSymbols-Bold.ttf"),
    ),
    (
        "NotoSansSymbols2-Regular.ttf",
        include_bytes!("../../../fonts/NotoSansSymbols2-Regular.ttf"),
    ),
];

/// The family that generic names (`sans-serif`, …) and unstyled text resolve to.
pub const DEFAULT_FAMILY: &str = "Inter";

/// Loads the bundled fonts (when `bundled`) and every font file in `dirs`.
pub fn load(bundled: bool, dirs: &[PathBuf]) -> Result<Arc<fontdb::Database>> {
    load_with(bundled, dirs, false)
}

/// As [`load`], and the system's fonts too when `system`.
pub fn load_with(bundled: bool, dirs: &[PathBuf], system: bool) -> Result<Arc<fontdb::Database>> {
    let mut db = fontdb::Database::new();
    if bundled {
        for (_, data) in BUNDLED {
            // Borrowed from the binary: no copy of ~24 MB per database.
            db.load_font_source(fontdb::Source::Binary(Arc::new(*data)));
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
    for set in [
        fontdb::Database::set_sans_serif_family,
        fontdb::Database::set_serif_family,
        fontdb::Database::set_monospace_family,
        fontdb::Database::set_cursive_family,
        fontdb::Database::set_fantasy_family,
    ] {
        set(&mut db, DEFAULT_FAMILY);
    }
    Ok(Arc::new(db))
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

/// Whether any loaded face belongs to `family` (case-insensitive, generic names included).
pub fn has_family(db: &fontdb::Database, family: &str) -> bool {
    let generic = matches!(
        family,
        "serif" | "sans-serif" | "monospace" | "cursive" | "fantasy"
    );
    let target = if generic { DEFAULT_FAMILY } else { family };
    db.faces().any(|f| {
        f.families
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(target))
    })
}
