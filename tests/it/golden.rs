//! Golden images: each template with fixed values against a reference PNG in tests/golden.
//!
//! Fonts are pinned (the bundled Inter, compiled in). Pixels may differ by at most
//! `TOLERANCE` per channel. On failure the actual image and a diff image are written to
//! target/golden-diff/. Set OGMILL_BLESS=1 to regenerate the references (and docs/scripts.png, docs/gallery.png):
//! a blessed run writes them and fails, so it can never pass by itself.

use std::path::PathBuf;

use ogmill_core::RenderRequest;

use crate::support::{decode_png, renderer, RenderReq};

const TOLERANCE: u8 = 2;

/// One card per script for the contact sheet (docs/scripts.png): (golden name, tag, corpus id).
const SCRIPTS: &[(&str, &str, &str)] = &[
    ("script-vietnamese", "VIETNAMESE", "vi-diacritics"),
    ("script-greek", "GREEK", "el-greek"),
    ("script-cyrillic", "CYRILLIC", "ru-cyrillic"),
    ("script-chinese", "CHINESE", "zh-hans"),
    ("script-japanese", "JAPANESE", "ja-mixed"),
    ("script-korean", "KOREAN", "ko-hangul"),
    ("script-arabic", "ARABIC", "ar-mixed"),
    ("script-hebrew", "HEBREW", "he-mixed"),
    ("script-devanagari", "DEVANAGARI", "hi-devanagari"),
    ("script-thai", "THAI", "th-thai"),
    ("script-emoji", "EMOJI", "emoji-zwj"),
    ("script-bengali", "BENGALI", "bn-bengali"),
    ("script-tamil", "TAMIL", "ta-tamil"),
    ("script-telugu", "TELUGU", "te-telugu"),
    ("script-gujarati", "GUJARATI", "gu-gujarati"),
    ("script-gurmukhi", "GURMUKHI", "pa-gurmukhi"),
    ("script-kannada", "KANNADA", "kn-kannada"),
    ("script-malayalam", "MALAYALAM", "ml-malayalam"),
    ("script-sinhala", "SINHALA", "si-sinhala"),
    ("script-khmer", "KHMER", "km-khmer"),
    ("script-lao", "LAO", "lo-lao"),
    ("script-myanmar", "MYANMAR", "my-myanmar"),
    ("script-armenian", "ARMENIAN", "hy-armenian"),
    ("script-georgian", "GEORGIAN", "ka-georgian"),
    ("script-ethiopic", "ETHIOPIC", "am-ethiopic"),
    ("script-symbols", "SYMBOLS", "symbols-math"),
    ("script-mixed", "MIXED", "mixed-scripts"),
];

fn script_cases() -> Vec<(&'static str, RenderRequest)> {
    let titles = crate::support::titles();
    SCRIPTS
        .iter()
        .map(|(name, tag, id)| {
            let title = &titles
                .iter()
                .find(|t| t.id == *id)
                .expect("in the corpus")
                .text;
            let params = [
                ("title", title.as_str()),
                ("tag", tag),
                ("author", "ogmill"),
                ("date", "2026-11-24"),
            ];
            (*name, RenderRequest::new("blog", &params))
        })
        .collect()
}

/// Each gallery template with its defaults, light and dark: `gallery-NAME`, `gallery-NAME-dark`.
fn gallery_cases() -> Vec<(&'static str, RenderRequest)> {
    let mut cases = vec![];
    for name in crate::gallery::GALLERY {
        for (suffix, theme) in [("", "light"), ("-dark", "dark")] {
            let case: &'static str = format!("gallery-{name}{suffix}").leak();
            cases.push((case, RenderRequest::new(name, &[("theme", theme)])));
        }
    }
    cases
}

fn cases() -> Vec<(&'static str, RenderRequest)> {
    let mut cases = fixed_cases();
    cases.extend(script_cases());
    cases.extend(gallery_cases());
    cases
}

fn fixed_cases() -> Vec<(&'static str, RenderRequest)> {
    vec![
        ("default", RenderRequest::new("default", &[("title", "Hello, world"), ("site", "ogmill.dev")])),
        ("default-long", RenderRequest::new("default", &[(
            "title",
            "Every page on your site could have a unique social preview image: blog posts with their titles, \
             product pages with photos and prices, and user profiles with avatars and stats, all generated on demand and cached",
        )])),
        ("blog", RenderRequest::new("blog", &[
            ("title", "Next.js Dynamic Image Generation: OG Images, Social Cards & More"),
            ("author", "Jane Doe"),
            ("date", "2026-11-23"),
            ("tag", "ENGINEERING"),
        ])),
        ("product", RenderRequest::new("product", &[
            ("name", "Aurora Wireless Headphones"),
            ("price", "$249"),
            ("badge", "NEW"),
            ("accent", "#7c3aed"),
        ])),
        ("profile", RenderRequest::new("profile", &[
            ("username", "@janedoe"),
            ("bio", "Designer and engineer. Building tools that make the web a little more beautiful."),
            ("stats", "1.2k followers · 48 posts"),
        ])),
        // Templates at their own sizes: 1080x1080 and 1200x600.
        ("square", RenderRequest::new("square", &[
            ("title", "Every page of your site gets its own preview card"),
            ("site", "ogmill.dev"),
        ])),
        ("wide", RenderRequest::new("wide", &[
            ("description", "Rendered on your own machine from an SVG template, no vendor API and no keys."),
            ("site", "ogmill.dev"),
        ])),
        // An asset (JPEG, wider than its square frame: cover crops the sides) ...
        ("product-photo", RenderRequest::new("product", &[
            ("name", "Desk Lamp"),
            ("price", "$49"),
            ("image", "photo.jpg"),
        ])),
        // ... and a data URI (PNG with transparent corners, cropped to the circle).
        ("profile-avatar", RenderRequest::new("profile", &[
            ("username", "Ada Lovelace"),
            ("bio", "First programmer."),
            ("avatar", &avatar_data_uri()),
        ])),
    ]
}

fn avatar_data_uri() -> String {
    use base64::Engine;
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/assets/avatar.png"
    ))
    .unwrap();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// Renders with images from tests/data/assets, as the server and CLI would load them.
fn render(req: &RenderRequest) -> Vec<u8> {
    static LOADER: std::sync::OnceLock<ogmill_images::Loader> = std::sync::OnceLock::new();
    let loader = LOADER.get_or_init(|| {
        ogmill_images::Loader::new(ogmill_images::ImageOptions {
            assets_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/assets"),
            ..Default::default()
        })
        .unwrap()
    });
    // Exact pixels: the tolerance is for rendering differences, not palette rounding
    // (which has its own test below).
    static EXACT: std::sync::OnceLock<ogmill_core::Renderer> = std::sync::OnceLock::new();
    let renderer = EXACT.get_or_init(|| {
        ogmill_core::Renderer::new(ogmill_core::Options {
            palette_tolerance: 0,
            ..Default::default()
        })
        .unwrap()
    });
    let resolved = renderer.resolve(req).expect("valid");
    let (images, problems) = resolved.load_images(loader);
    assert!(problems.is_empty(), "{problems:?}");
    renderer
        .render(
            &resolved,
            ogmill_core::Inputs {
                images: &images,
                ..ogmill_core::Inputs::default()
            },
        )
        .expect("renders")
        .bytes
}

/// One test per case, so a failure names its card and the others still run.
macro_rules! golden {
    ($($case:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $case() {
                check($name);
            }
        )*
        /// Every case has a test (a new case without one would never be checked).
        #[test]
        fn every_case_has_a_test() {
            let tested = [$($name),*];
            for (name, _) in cases() {
                assert!(tested.contains(&name), "golden case '{name}' has no test in golden!");
            }
        }
    };
}

golden! {
    default => "default",
    default_long => "default-long",
    blog => "blog",
    product => "product",
    profile => "profile",
    square => "square",
    wide => "wide",
    product_photo => "product-photo",
    profile_avatar => "profile-avatar",
    script_vietnamese => "script-vietnamese",
    script_greek => "script-greek",
    script_cyrillic => "script-cyrillic",
    script_chinese => "script-chinese",
    script_japanese => "script-japanese",
    script_korean => "script-korean",
    script_arabic => "script-arabic",
    script_hebrew => "script-hebrew",
    script_devanagari => "script-devanagari",
    script_thai => "script-thai",
    script_emoji => "script-emoji",
    script_mixed => "script-mixed",
    script_bengali => "script-bengali",
    script_tamil => "script-tamil",
    script_telugu => "script-telugu",
    script_gujarati => "script-gujarati",
    script_gurmukhi => "script-gurmukhi",
    script_kannada => "script-kannada",
    script_malayalam => "script-malayalam",
    script_sinhala => "script-sinhala",
    script_khmer => "script-khmer",
    script_lao => "script-lao",
    script_myanmar => "script-myanmar",
    script_armenian => "script-armenian",
    script_georgian => "script-georgian",
    script_ethiopic => "script-ethiopic",
    script_symbols => "script-symbols",
    gallery_docs => "gallery-docs",
    gallery_docs_dark => "gallery-docs-dark",
    gallery_changelog => "gallery-changelog",
    gallery_changelog_dark => "gallery-changelog-dark",
    gallery_event => "gallery-event",
    gallery_event_dark => "gallery-event-dark",
    gallery_episode => "gallery-episode",
    gallery_episode_dark => "gallery-episode-dark",
    gallery_quote => "gallery-quote",
    gallery_quote_dark => "gallery-quote-dark",
    gallery_job => "gallery-job",
    gallery_job_dark => "gallery-job-dark",
    gallery_repo => "gallery-repo",
    gallery_repo_dark => "gallery-repo-dark",
    gallery_pricing => "gallery-pricing",
    gallery_pricing_dark => "gallery-pricing-dark",
    gallery_lesson => "gallery-lesson",
    gallery_lesson_dark => "gallery-lesson-dark",
    gallery_newsletter => "gallery-newsletter",
    gallery_newsletter_dark => "gallery-newsletter-dark",
    gallery_launch => "gallery-launch",
    gallery_launch_dark => "gallery-launch-dark",
    gallery_minimal => "gallery-minimal",
    gallery_minimal_dark => "gallery-minimal-dark",
}

fn blessing() -> bool {
    std::env::var_os("OGMILL_BLESS").is_some()
}

/// Renders case `name` and compares it with its reference. Blessing writes the reference and
/// then fails, as resvg's harness does, so a blessed run can never pass by itself.
fn check(name: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (_, req) = cases()
        .into_iter()
        .find(|(n, _)| *n == name)
        .expect("a case of that name");
    let png = render(&req);
    let reference = root.join(format!("tests/golden/{name}.png"));
    if blessing() {
        std::fs::write(&reference, &png).unwrap();
        panic!(
            "blessed: wrote {}; run again without OGMILL_BLESS to check",
            reference.display()
        );
    }
    assert!(
        reference.exists(),
        "missing {}; run with OGMILL_BLESS=1 to create it",
        reference.display()
    );
    let actual = decode_png(&png);
    let expected = decode_png(&std::fs::read(&reference).unwrap());
    if let Some(msg) = compare(name, &actual, &expected, &root) {
        panic!("golden mismatch: {msg}");
    }
}

/// docs/scripts.png, the contact sheet of the script references, is made from the committed
/// references; blessing rewrites it (and fails, like every blessed case).
#[test]
fn script_sheet_matches_the_references() {
    let names: Vec<&str> = SCRIPTS.iter().map(|(name, ..)| *name).collect();
    check_sheet("docs/scripts.png", &names, 3, 0);
}

/// docs/gallery.png: each gallery template light and dark, side by side.
#[test]
fn gallery_sheet_matches_the_references() {
    let names: Vec<&str> = gallery_cases().into_iter().map(|(name, _)| name).collect();
    check_sheet("docs/gallery.png", &names, 4, 16);
}

fn check_sheet(path: &str, names: &[&str], cols: u32, gap: u32) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sheet = contact_sheet(&root, names, cols, gap);
    let path = root.join(path);
    if blessing() {
        sheet.save(&path).unwrap();
        panic!("blessed: wrote {}", path.display());
    }
    let committed = decode_png(&std::fs::read(&path).unwrap());
    let name = path.file_stem().unwrap().to_string_lossy();
    if let Some(msg) = compare(&format!("{name}-sheet"), &sheet, &committed, &root) {
        panic!("{} is not the sheet of tests/golden: {msg}", path.display());
    }
}

/// The references `names` at a third of their size, `cols` to a row, `gap` pixels apart on grey.
fn contact_sheet(root: &std::path::Path, names: &[&str], cols: u32, gap: u32) -> image::RgbaImage {
    let (w, h) = (400 + gap, 210 + gap);
    let rows = (names.len() as u32).div_ceil(cols);
    let mut sheet = image::RgbaImage::from_pixel(
        w * cols + gap,
        h * rows + gap,
        image::Rgba(if gap > 0 {
            [148, 163, 184, 255]
        } else {
            [0; 4]
        }),
    );
    for (i, name) in names.iter().enumerate() {
        let card =
            decode_png(&std::fs::read(root.join(format!("tests/golden/{name}.png"))).unwrap());
        let small = image::imageops::resize(&card, 400, 210, image::imageops::FilterType::Lanczos3);
        let (x, y) = ((i as u32 % cols) * w + gap, (i as u32 / cols) * h + gap);
        image::imageops::overlay(&mut sheet, &small, x.into(), y.into());
    }
    sheet
}

/// Returns a failure message (after writing actual and diff images), or None when equal.
fn compare(
    name: &str,
    actual: &image::RgbaImage,
    expected: &image::RgbaImage,
    root: &std::path::Path,
) -> Option<String> {
    if actual.dimensions() != expected.dimensions() {
        return Some(format!(
            "{name}: size {:?} != reference {:?}",
            actual.dimensions(),
            expected.dimensions()
        ));
    }
    let mut diff = image::RgbaImage::new(actual.width(), actual.height());
    let mut bad = 0u64;
    for (x, y, a) in actual.enumerate_pixels() {
        let e = expected.get_pixel(x, y);
        let off = a.0.iter().zip(e.0).any(|(a, e)| a.abs_diff(e) > TOLERANCE);
        bad += off as u64;
        let grey = (a.0[0] as u16 + a.0[1] as u16 + a.0[2] as u16) / 12;
        diff.put_pixel(
            x,
            y,
            if off {
                image::Rgba([255, 0, 0, 255])
            } else {
                image::Rgba([grey as u8; 4]).map_alpha(255)
            },
        );
    }
    if bad == 0 {
        return None;
    }
    let dir = root.join("target/golden-diff");
    std::fs::create_dir_all(&dir).unwrap();
    actual.save(dir.join(format!("{name}.actual.png"))).unwrap();
    diff.save(dir.join(format!("{name}.diff.png"))).unwrap();
    Some(format!(
        "{name}: {bad} pixels differ by more than {TOLERANCE}; see {}",
        dir.display()
    ))
}

trait MapAlpha {
    fn map_alpha(self, a: u8) -> Self;
}

impl MapAlpha for image::Rgba<u8> {
    fn map_alpha(mut self, a: u8) -> Self {
        self.0[3] = a;
        self
    }
}

#[test]
fn cards_are_indexed_pngs_near_the_exact_rgb_image_with_smooth_gradients() {
    let color_type = |png: &[u8]| {
        let reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (1200, 630));
        info.color_type
    };
    let exact = ogmill_core::Renderer::new(ogmill_core::Options {
        palette_tolerance: 0,
        ..Default::default()
    })
    .unwrap();
    let req = RenderRequest::new("blog", &[]);
    let indexed = renderer().render_req(&req).unwrap().bytes;
    let rgb = exact.render_req(&req).unwrap().bytes;
    assert_eq!(color_type(&indexed), png::ColorType::Indexed);
    assert_eq!(
        color_type(&rgb),
        png::ColorType::Rgb,
        "1,098 colors do not fit 256 exactly"
    );
    assert!(
        indexed.len() * 2 < rgb.len(),
        "{} vs {} bytes",
        indexed.len(),
        rgb.len()
    );
    let (a, b) = (decode_png(&indexed), decode_png(&rgb));
    let worst = a
        .pixels()
        .zip(b.pixels())
        .flat_map(|(p, q)| (0..3).map(move |c| p[c].abs_diff(q[c])))
        .max();
    // Tolerance 1: an entry within 1, or a dither partner within 2 * 1 + 1.
    assert!(worst <= Some(3), "at most 3 levels per channel: {worst:?}");
    // The dark glow, which showed rings when its colors were merged to entries 2-3 levels
    // apart: 4x4 blocks (the dither's cell) keep their mean, within a quarter level on average.
    let block_mean = |img: &image::RgbaImage, bx: u32, by: u32, c: usize| {
        let sum: u32 = (0..16)
            .map(|k| u32::from(img.get_pixel(bx + k % 4, by + k / 4)[c]))
            .sum();
        sum as f32 / 16.0
    };
    let (mut worst, mut sum, mut n) = (0f32, 0f32, 0f32);
    for by in (340..628).step_by(4) {
        for bx in (800..1196).step_by(4) {
            for c in 0..3 {
                let d = (block_mean(&a, bx, by, c) - block_mean(&b, bx, by, c)).abs();
                (worst, sum, n) = (worst.max(d), sum + d, n + 1.0);
            }
        }
    }
    assert!(
        worst <= 1.5 && sum / n <= 0.25,
        "glow blocks moved: worst {worst}, mean {}",
        sum / n
    );
}
