//! A manifest: the list of cards a site wants, as a JSON array, NDJSON or CSV. Every entry
//! names a `template` and an `output` path; every other field is a param. An entry that
//! cannot be read is kept as an error with its place in the file, so the rest still build.

use std::path::Path;

/// One card to render, as the manifest gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Where it is in the manifest, for messages: `entry 3` (JSON) or `line 4` (NDJSON, CSV).
    pub origin: String,
    pub template: String,
    /// Relative to the output directory; checked later.
    pub output: String,
    pub params: Vec<(String, String)>,
}

/// An entry that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadEntry {
    pub origin: String,
    pub reason: String,
}

/// The manifest's formats; [`Format::sniff`] tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonArray,
    NdJson,
    Csv,
}

impl Format {
    /// A `.csv` name means CSV; otherwise the first character decides: `[` a JSON array,
    /// `{` NDJSON, anything else CSV.
    pub fn sniff(path: &Path, text: &str) -> Format {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            return Format::Csv;
        }
        match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('[') => Format::JsonArray,
            Some('{') => Format::NdJson,
            _ => Format::Csv,
        }
    }
}

/// Reads every entry; `Err` only when the file as a whole cannot be read.
pub fn parse(format: Format, text: &str) -> Result<Vec<Result<Entry, BadEntry>>, String> {
    let text = text.trim_start_matches('\u{feff}');
    match format {
        Format::JsonArray => {
            let items: Vec<serde_json::Value> = serde_json::from_str(text)
                .map_err(|e| format!("not a JSON array of objects: {e}"))?;
            Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| from_json(format!("entry {}", i + 1), v))
                .collect())
        }
        Format::NdJson => Ok(text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                let origin = format!("line {}", i + 1);
                match serde_json::from_str(line) {
                    Ok(v) => from_json(origin, &v),
                    Err(e) => Err(BadEntry {
                        origin,
                        reason: format!("not a JSON object: {e}"),
                    }),
                }
            })
            .collect()),
        Format::Csv => parse_csv(text),
    }
}

/// A JSON object: `template`, `output`, and the params, either beside them or in a
/// `params` object.
fn from_json(origin: String, value: &serde_json::Value) -> Result<Entry, BadEntry> {
    let bad = |reason: String| BadEntry {
        origin: origin.clone(),
        reason,
    };
    let Some(obj) = value.as_object() else {
        return Err(bad("must be a JSON object".into()));
    };
    let mut rest = obj.clone();
    let template = take_string(&mut rest, "template").map_err(bad)?;
    let output = take_string(&mut rest, "output").map_err(bad)?;
    let nested = rest.remove("params");
    let mut params = ogmill_core::request::params::pairs_from_json(&rest.into()).map_err(bad)?;
    if let Some(nested) = nested {
        params.extend(
            ogmill_core::request::params::pairs_from_json(&nested)
                .map_err(|e| bad(format!("params: {e}")))?,
        );
    }
    Ok(Entry {
        origin,
        template,
        output,
        params,
    })
}

fn take_string(
    obj: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<String, String> {
    match obj.remove(key) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s),
        Some(_) => Err(format!("'{key}' must be a non-empty string")),
        None => Err(format!("'{key}' is missing")),
    }
}

/// CSV with a header row; an empty cell means "not given" (so a manifest can mix templates
/// whose params differ).
fn parse_csv(text: &str) -> Result<Vec<Result<Entry, BadEntry>>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("the CSV header row cannot be read: {e}"))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(t_col), Some(o_col)) = (column("template"), column("output")) else {
        return Err("the CSV header row must name a 'template' and an 'output' column".into());
    };
    let mut out = vec![];
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.push(Err(BadEntry {
                    origin: format!("line {line}"),
                    reason: e.to_string(),
                }));
                continue;
            }
        };
        let origin = format!("line {}", record.position().map_or(0, |p| p.line()));
        let cell = |i: usize| record.get(i).unwrap_or("").to_owned();
        let (template, output) = (cell(t_col), cell(o_col));
        if template.is_empty() || output.is_empty() {
            out.push(Err(BadEntry {
                origin,
                reason: "'template' and 'output' must not be empty".into(),
            }));
            continue;
        }
        let params = headers
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != t_col && i != o_col)
            .filter(|&(i, _)| !record.get(i).unwrap_or("").is_empty())
            .map(|(i, h)| (h.trim().to_owned(), cell(i)))
            .collect();
        out.push(Ok(Entry {
            origin,
            template,
            output,
            params,
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_formats_read_the_same_entries() {
        let json = r#"[{"template":"blog","output":"a.png","title":"Hi","views":3},
                      {"template":"blog","output":"b.png","params":{"title":"Yo"}}]"#;
        let nd = "{\"template\":\"blog\",\"output\":\"a.png\",\"title\":\"Hi\",\"views\":3}\n\n{\"template\":\"blog\",\"output\":\"b.png\",\"title\":\"Yo\"}\n";
        let csv = "template,output,title,views\nblog,a.png,Hi,3\nblog,b.png,Yo,\n";
        let read = |f: Format, t: &str| -> Vec<(String, Vec<(String, String)>)> {
            parse(f, t)
                .unwrap()
                .into_iter()
                .map(|e| {
                    let mut e = e.unwrap();
                    e.params.sort();
                    (e.output, e.params)
                })
                .collect()
        };
        let want = read(Format::JsonArray, json);
        assert_eq!(want[0].1.len(), 2);
        assert_eq!(want[1].1, [("title".to_owned(), "Yo".to_owned())]);
        assert_eq!(read(Format::NdJson, nd), want);
        assert_eq!(read(Format::Csv, csv), want);
        assert_eq!(
            Format::sniff(Path::new("m.json"), " [ ]"),
            Format::JsonArray
        );
        assert_eq!(Format::sniff(Path::new("m.txt"), "{}"), Format::NdJson);
        assert_eq!(Format::sniff(Path::new("m.csv"), "[x]"), Format::Csv);
    }

    #[test]
    fn a_bad_entry_is_reported_with_its_place_and_the_rest_are_kept() {
        let nd = "{\"template\":\"blog\",\"output\":\"a.png\"}\nnot json\n{\"output\":\"c.png\"}\n";
        let entries = parse(Format::NdJson, nd).unwrap();
        assert!(entries[0].is_ok());
        let e = entries[1].as_ref().unwrap_err();
        assert_eq!(e.origin, "line 2");
        let e = entries[2].as_ref().unwrap_err();
        assert_eq!(
            (e.origin.as_str(), e.reason.as_str()),
            ("line 3", "'template' is missing")
        );
        let csv = "template,output,title\nblog,a.png,x\nblog,b.png\n";
        let entries = parse(Format::Csv, csv).unwrap();
        assert_eq!(entries[1].as_ref().unwrap_err().origin, "line 3");
        assert!(parse(Format::Csv, "a,b\n1,2\n").is_err());
        assert!(parse(Format::JsonArray, "[1,").is_err());
    }
}
