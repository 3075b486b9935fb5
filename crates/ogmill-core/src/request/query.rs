//! Raw request input -> name/value pairs for a [`RenderRequest`](crate::RenderRequest).

/// A query string or a JSON body that cannot be read as name/value pairs. The message names
/// the part at fault and is safe to show the requester.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// Splits an `application/x-www-form-urlencoded` query into pairs: `+` is a space, `%XX` a
/// byte, and a malformed escape (`%ZZ`, a trailing `%4`) stays as written. A name or value
/// that does not decode to UTF-8 is an error that names it, not a silent U+FFFD.
pub fn parse(raw: &str) -> Result<Vec<(String, String)>, QueryError> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name).map_err(|_| {
                QueryError(format!(
                    "a parameter name is not valid UTF-8 after percent-decoding: '{}'",
                    shorten(name)
                ))
            })?;
            let value = decode(value).map_err(|_| {
                QueryError(format!(
                    "the value of '{}' is not valid UTF-8 after percent-decoding",
                    shorten(&name)
                ))
            })?;
            Ok((name, value))
        })
        .collect()
}

fn decode(s: &str) -> Result<String, std::str::Utf8Error> {
    let spaced = s.replace('+', " ");
    Ok(percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()?
        .into_owned())
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// Turns a JSON object of values into pairs: strings as they are, numbers and booleans as
/// their text, `null` as absent. Anything else names the offending key.
pub fn from_json(value: &serde_json::Value) -> Result<Vec<(String, String)>, QueryError> {
    crate::request::params::pairs_from_json(value).map_err(QueryError)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn decodes_plus_percent_and_keeps_malformed_escapes() {
        let got = parse("title=Hello+World%21&x=%ZZ&y=%4&&z&a=%E2%9C%93").unwrap();
        let want = [
            ("title", "Hello World!"),
            ("x", "%ZZ"),
            ("y", "%4"),
            ("z", ""),
            ("a", "✓"),
        ];
        assert_eq!(got, pairs(&want));
        assert_eq!(parse("t=a%2Bb%20c").unwrap(), pairs(&[("t", "a+b c")]));
    }

    #[test]
    fn invalid_utf8_names_the_param() {
        for q in ["title=%FF%FE", "title=%C0%AF", "title=%ED%A0%80"] {
            let err = parse(q).unwrap_err().to_string();
            assert!(
                err.contains("'title'") && err.contains("UTF-8"),
                "{q}: {err}"
            );
        }
        assert!(parse("%FF=1").is_err());
    }
}
