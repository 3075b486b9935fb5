//! XML escaping and cleaning of untrusted text before it goes into a filled template.

/// Whether `c` may appear in an XML 1.0 document (the `Char` production).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes `s` for use as element content.
pub(crate) fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Escapes `s` for use inside a double- or single-quoted attribute value.
pub(crate) fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A literal newline or tab in an attribute is normalised to a space by XML parsers;
            // writing them as references keeps the value exact.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

/// Whether a DOCTYPE declares entities or an internal subset: those could expand without
/// bound or pull in files. A bare `<!DOCTYPE svg PUBLIC …>` (Affinity's) declares nothing.
pub(crate) fn declares_entities(source: &str) -> bool {
    source.find("<!DOCTYPE").is_some_and(|start| {
        let rest = &source[start..];
        rest[..rest.find('>').unwrap_or(rest.len())].contains('[')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping_neutralises_markup() {
        let mut out = String::new();
        escape_text("</text><image href=\"/etc/hostname\"/>&x;", &mut out);
        assert_eq!(
            out,
            "&lt;/text&gt;&lt;image href=\"/etc/hostname\"/&gt;&amp;x;"
        );
    }

    #[test]
    fn attr_escaping_closes_no_quotes() {
        let mut out = String::new();
        escape_attr("\" onload='x' a=\"", &mut out);
        assert!(!out.contains('"') && !out.contains('\''), "{out}");
    }

    #[test]
    fn xml_chars() {
        assert!(!is_xml_char('\u{0}'));
        assert!(!is_xml_char('\u{1B}'));
        assert!(!is_xml_char('\u{FFFE}'));
        assert!(!is_xml_char('\u{FFFF}'));
        assert!(is_xml_char('\n'));
        assert!(is_xml_char('é'));
        assert!(is_xml_char('😀'));
    }
}
