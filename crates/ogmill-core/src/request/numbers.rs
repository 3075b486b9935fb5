//! How a number param reads in text: `{{stars|compact}}` draws 12345 as `12.3k`,
//! `{{price|thousands}}` as `12,345`.

/// A way to write a number in a text slot, chosen in the template after a `|`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberFormat {
    /// `12.3k`, `4.5M`, `1.2B`: one decimal at most, none when it is `.0`; below 1,000 as is.
    Compact,
    /// `12,345` and `1,234,567.5`: thousands grouped with commas.
    Thousands,
}

impl NumberFormat {
    /// `compact` or `thousands`.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "compact" => Some(NumberFormat::Compact),
            "thousands" => Some(NumberFormat::Thousands),
            _ => None,
        }
    }

    /// `n` written this way.
    pub(crate) fn apply(self, n: f64) -> String {
        match self {
            NumberFormat::Compact => compact(n),
            NumberFormat::Thousands => thousands(n),
        }
    }
}

fn compact(n: f64) -> String {
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    if a < 1000.0 {
        return crate::request::params::format_number(n);
    }
    const UNITS: [(f64, &str); 4] = [(1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T")];
    let mut i = UNITS.iter().rposition(|(u, _)| a >= *u).unwrap_or(0);
    let mut v = (a / UNITS[i].0 * 10.0).round() / 10.0;
    // 999,950 rounds to 1000.0k: that is 1M.
    if v >= 1000.0 && i + 1 < UNITS.len() {
        i += 1;
        v = (a / UNITS[i].0 * 10.0).round() / 10.0;
    }
    let digits = if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    format!("{sign}{digits}{}", UNITS[i].1)
}

fn thousands(n: f64) -> String {
    let text = crate::request::params::format_number(n);
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.contains(['e', 'E']) || int.len() <= 3 {
        return text;
    }
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_thousands_read_as_people_write_them() {
        let c = |n| NumberFormat::Compact.apply(n);
        assert_eq!(
            [
                c(0.0),
                c(999.0),
                c(12.5),
                c(1000.0),
                c(12345.0),
                c(999_950.0),
                c(4_500_000.0),
                c(-2500.0),
                c(1.2e9)
            ],
            ["0", "999", "12.5", "1k", "12.3k", "1M", "4.5M", "-2.5k", "1.2B"]
        );
        let t = |n| NumberFormat::Thousands.apply(n);
        assert_eq!(
            [t(999.0), t(12345.0), t(1_234_567.5), t(-1000.0)],
            ["999", "12,345", "1,234,567.5", "-1,000"]
        );
        assert_eq!(NumberFormat::parse("compact"), Some(NumberFormat::Compact));
        assert_eq!(NumberFormat::parse("money"), None);
    }
}
