//! What the places a card is shared to accept, so `ogmill check` and the playground's page
//! checker can say what a crawler will refuse, crop or shrink before anyone shares a link.
//!
//! The figures are what the platforms' own documentation and their crawlers' observed
//! behaviour agree on as of 2026. Where sources disagree (WebP on Facebook, LinkedIn and
//! Slack), the format is left out: a warning that turns out unneeded costs less than a
//! card that does not show.

/// One platform's limits for a link-preview image.
#[derive(Clone, Copy, Debug)]
pub struct Platform {
    /// As users call it.
    pub name: &'static str,
    /// Formats its crawler shows, lowercase (`png`, `jpeg`, `webp`, `gif`).
    pub formats: &'static [&'static str],
    /// Larger files are not shown.
    pub max_bytes: u64,
    /// Smaller images are not shown (width, height).
    pub min: (u32, u32),
    /// Smaller images get a small thumbnail instead of the large card.
    pub large_min: (u32, u32),
    /// Larger images are refused (width, height); `u32::MAX` for no limit.
    pub max: (u32, u32),
    /// The width:height the large card shows, where other shapes are cropped to it (Slack
    /// and Discord scale the whole image instead).
    pub ratio: Option<f32>,
}

const MB: u64 = 1024 * 1024;

/// The platforms checked, in the order reported.
pub const PLATFORMS: &[Platform] = &[
    Platform {
        name: "X",
        formats: &["png", "jpeg", "webp", "gif"],
        max_bytes: 5 * MB,
        min: (300, 157),
        large_min: (300, 157),
        max: (4096, 4096),
        ratio: Some(2.0),
    },
    Platform {
        name: "Facebook",
        formats: &["png", "jpeg", "gif"],
        max_bytes: 8 * MB,
        min: (200, 200),
        large_min: (600, 315),
        max: (u32::MAX, u32::MAX),
        ratio: Some(1.91),
    },
    Platform {
        name: "LinkedIn",
        formats: &["png", "jpeg"],
        max_bytes: 5 * MB,
        min: (200, 200),
        large_min: (200, 200),
        max: (u32::MAX, u32::MAX),
        ratio: Some(1.91),
    },
    Platform {
        name: "Slack",
        formats: &["png", "jpeg", "gif"],
        max_bytes: 8 * MB,
        min: (1, 1),
        large_min: (500, 261),
        max: (u32::MAX, u32::MAX),
        ratio: None,
    },
    Platform {
        name: "Discord",
        formats: &["png", "jpeg", "webp", "gif"],
        max_bytes: 8 * MB,
        min: (1, 1),
        large_min: (1, 1),
        max: (u32::MAX, u32::MAX),
        ratio: None,
    },
];

/// How much a card's width:height may differ from a platform's before it is cropped
/// noticeably (1200x630 on X's 2:1 is 5% off, which X shows whole).
const RATIO_SLACK: f32 = 0.08;

/// What a platform will do with an image, when it is not simply showing it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// [`Platform::name`].
    pub platform: &'static str,
    /// Refused: the card does not show at all there.
    pub refused: bool,
    /// What happens, as a sentence after the platform's name: `crops the large card to 2:1…`.
    pub message: String,
}

/// What each platform makes of an image of this `format` (lowercase), size and byte count.
pub fn judge(format: &str, width: u32, height: u32, bytes: u64) -> Vec<Finding> {
    let mut out = vec![];
    for p in PLATFORMS {
        let mut say = |refused, message: String| {
            out.push(Finding {
                platform: p.name,
                refused,
                message,
            })
        };
        if !p.formats.contains(&format) {
            say(
                true,
                format!("does not show {format} images (use png or jpeg)"),
            );
        }
        if bytes > p.max_bytes {
            say(
                true,
                format!(
                    "refuses images over {} MB; this one is {:.1} MB",
                    p.max_bytes / MB,
                    bytes as f64 / MB as f64
                ),
            );
        }
        if width < p.min.0 || height < p.min.1 {
            say(
                true,
                format!("shows no image smaller than {}x{}", p.min.0, p.min.1),
            );
        } else if width > p.max.0 || height > p.max.1 {
            say(
                true,
                format!("refuses images larger than {}x{}", p.max.0, p.max.1),
            );
        } else if width < p.large_min.0 || height < p.large_min.1 {
            say(
                false,
                format!(
                    "shows a small thumbnail below {}x{}, not the large card",
                    p.large_min.0, p.large_min.1
                ),
            );
        }
        let ratio = width as f32 / height.max(1) as f32;
        if let Some(card) = p.ratio.filter(|r| (ratio / r - 1.0).abs() > RATIO_SLACK) {
            say(
                false,
                format!("crops the large card to {card}:1; this image is {ratio:.2}:1"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_1200x630_png_of_60_kb_shows_everywhere() {
        assert_eq!(judge("png", 1200, 630, 60_000), vec![]);
    }

    #[test]
    fn webp_squares_and_big_files_are_named_per_platform() {
        let webp = judge("webp", 1200, 630, 60_000);
        let refusing: Vec<_> = webp
            .iter()
            .filter(|f| f.refused)
            .map(|f| f.platform)
            .collect();
        assert_eq!(refusing, ["Facebook", "LinkedIn", "Slack"]);
        let square = judge("png", 1080, 1080, 60_000);
        assert!(square
            .iter()
            .all(|f| !f.refused && f.message.contains("crops")));
        let cropping: Vec<_> = square.iter().map(|f| f.platform).collect();
        assert_eq!(cropping, ["X", "Facebook", "LinkedIn"]);
        let big = judge("png", 2400, 1260, 6 * MB);
        let refusing: Vec<_> = big
            .iter()
            .filter(|f| f.refused)
            .map(|f| f.platform)
            .collect();
        assert_eq!(refusing, ["X", "LinkedIn"]);
        let small = judge("jpeg", 400, 210, 20_000);
        assert!(small.iter().any(|f| f.platform == "Facebook" && !f.refused));
        assert!(small
            .iter()
            .any(|f| f.platform == "Slack" && f.message.contains("thumbnail")));
    }
}
