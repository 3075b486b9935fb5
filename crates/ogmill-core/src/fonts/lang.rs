//! The language of a slot's text, for the one choice it changes: which CJK face draws Han
//! characters. 直 and 骨 are drawn differently in Japanese and in Chinese, and a Japanese
//! reader notices at once.

/// A text's language as far as glyph shapes go: `lang=` on a request, `og:lang` on a slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    /// From the text: Japanese when it has kana (hiragana or katakana), which only Japanese
    /// writes, Korean when it has Hangul, which only Korean writes; otherwise the default
    /// face. Han alone is never guessed: the same characters are Chinese or Japanese.
    #[default]
    Auto,
    /// Japanese: Noto Sans CJK JP.
    Ja,
    /// Chinese, simplified forms: Noto Sans CJK SC (the default face).
    ZhHans,
    /// Chinese, traditional forms (Taiwan, Hong Kong, Macau): Noto Sans CJK TC.
    ZhHant,
    /// Korean: Noto Sans CJK KR (hanja in Korean shapes, every Hangul syllable).
    Ko,
}

/// The face Japanese text is drawn with.
pub(crate) const JAPANESE_FAMILY: &str = "Noto Sans CJK JP";
/// The face Traditional Chinese text is drawn with.
pub(crate) const TRADITIONAL_CHINESE_FAMILY: &str = "Noto Sans CJK TC";
/// The face Korean text is drawn with.
pub(crate) const KOREAN_FAMILY: &str = "Noto Sans CJK KR";

impl Lang {
    /// Parses a BCP 47 tag as far as it matters here: `ja`, `ja-JP`, `zh`, `zh-CN`,
    /// `zh-Hans`, `zh-TW`, `zh-HK`, `zh-Hant`, `ko`, `auto`; any other language is `Auto`
    /// (its text draws the same whatever the tag). `None` for what is not a language tag.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        if tag.is_empty()
            || tag.len() > 35
            || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return None;
        }
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        Some(match primary {
            "auto" if rest.is_empty() => Lang::Auto,
            "ja" => Lang::Ja,
            "ko" => Lang::Ko,
            "zh" if rest
                .iter()
                .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo")) =>
            {
                Lang::ZhHant
            }
            "zh" => Lang::ZhHans,
            p if (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()) => {
                Lang::Auto
            }
            _ => return None,
        })
    }

    /// This language for `text`: `Auto` becomes `Ja` when the text has kana, else `Ko` when
    /// it has Hangul.
    pub fn for_text(self, text: &str) -> Lang {
        match self {
            Lang::Auto if text.chars().any(is_kana) => Lang::Ja,
            Lang::Auto if text.chars().any(is_hangul) => Lang::Ko,
            given => given,
        }
    }

    /// The CJK family to put before the default one in a slot's chain, if any.
    pub fn preferred_family(self) -> Option<&'static str> {
        match self {
            Lang::Ja => Some(JAPANESE_FAMILY),
            Lang::ZhHant => Some(TRADITIONAL_CHINESE_FAMILY),
            Lang::Ko => Some(KOREAN_FAMILY),
            Lang::Auto | Lang::ZhHans => None,
        }
    }
}

/// Hangul syllables and jamo: only Korean is written with them.
fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Hiragana, katakana and their extensions: only Japanese is written with them.
fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_as_far_as_shapes_go() {
        assert_eq!(Lang::parse("ja-JP"), Some(Lang::Ja));
        assert_eq!(Lang::parse("zh_TW"), Some(Lang::ZhHant));
        assert_eq!(Lang::parse("zh-Hant-HK"), Some(Lang::ZhHant));
        assert_eq!(Lang::parse("zh"), Some(Lang::ZhHans));
        assert_eq!(Lang::parse("ko-KR"), Some(Lang::Ko));
        assert_eq!(Lang::parse("en-US"), Some(Lang::Auto));
        assert_eq!(Lang::parse("auto"), Some(Lang::Auto));
        assert_eq!(Lang::parse("<script>"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn kana_make_auto_japanese_and_han_alone_does_not() {
        assert_eq!(Lang::Auto.for_text("骨のある記事"), Lang::Ja);
        assert_eq!(Lang::Auto.for_text("骨科医院"), Lang::Auto);
        assert_eq!(Lang::ZhHans.for_text("骨のある記事"), Lang::ZhHans);
        assert_eq!(Lang::Auto.for_text("한국어 제목"), Lang::Ko);
        assert_eq!(Lang::Auto.for_text("日本の한글"), Lang::Ja, "kana first");
    }
}
