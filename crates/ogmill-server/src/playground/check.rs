//! "Check a page": fetch a page (the dev playground allows loopback), read its Open Graph
//! and Twitter tags, and say what a crawler will make of them.

use scraper::{Html, Selector};
use url::Url;

use crate::images::fetch::{FetchOptions, Fetcher};

/// Pages are read up to this many bytes.
const MAX_PAGE: u64 = 2 * 1024 * 1024;
/// Images are read up to this many bytes, past X's (5 MB) and Facebook's (8 MB) limits.
const MAX_IMAGE: u64 = 16 * 1024 * 1024;

#[derive(Debug, serde::Serialize)]
pub struct Report {
    pub url: String,
    /// `og:*`, `twitter:*` and the page title, as found.
    pub tags: Vec<(String, String)>,
    pub problems: Vec<Problem>,
    pub image: Option<ImageInfo>,
}

#[derive(Debug, serde::Serialize)]
pub struct Problem {
    /// `error`: the card will not show or show wrong; `warning`: worse than it could be.
    pub level: &'static str,
    pub message: String,
}

#[derive(Debug, serde::Serialize)]
pub struct ImageInfo {
    pub url: String,
    pub bytes: Option<usize>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub format: Option<String>,
}

pub struct Checker {
    pages: Fetcher,
    images: Fetcher,
}

impl Checker {
    pub fn new(
        connect_timeout: std::time::Duration,
        timeout: std::time::Duration,
    ) -> Result<Self, String> {
        let options = |max_bytes| FetchOptions {
            connect_timeout,
            timeout,
            max_bytes,
            allow_hosts: vec![],
            allow_private_networks: false,
            private_hosts: vec![],
            allow_loopback: true,
        };
        Ok(Checker {
            pages: Fetcher::new(options(MAX_PAGE))?,
            images: Fetcher::new(options(MAX_IMAGE))?,
        })
    }

    /// Fetches and checks the page at `url`; `Err` says why there is nothing to check.
    pub async fn check(&self, url: &str) -> Result<Report, String> {
        let url = Url::parse(url.trim()).map_err(|e| format!("'{url}' is not a URL: {e}"))?;
        let page = self
            .pages
            .fetch(url.clone())
            .await
            .map_err(|e| format!("cannot fetch the page: {e}"))?;
        let tags = read_tags(&String::from_utf8_lossy(&page.bytes));
        let mut report = Report {
            url: url.to_string(),
            problems: problems(&tags),
            tags,
            image: None,
        };
        if let Some(src) = tag(&report.tags, "og:image").or(tag(&report.tags, "twitter:image")) {
            report.image = Some(self.image(&url, src, &mut report.problems).await);
        }
        Ok(report)
    }

    async fn image(&self, page: &Url, src: &str, problems: &mut Vec<Problem>) -> ImageInfo {
        let mut info = ImageInfo {
            url: src.to_owned(),
            bytes: None,
            width: None,
            height: None,
            format: None,
        };
        let Ok(url) = page.join(src) else {
            problems.push(error(format!("og:image '{src}' is not a URL")));
            return info;
        };
        info.url = url.to_string();
        let fetched = match self.images.fetch(url).await {
            Ok(f) => f,
            Err(e) => {
                problems.push(error(format!("cannot fetch the image: {e}")));
                return info;
            }
        };
        let n = fetched.bytes.len();
        info.bytes = Some(n);
        match crate::images::sniff(&fetched.bytes) {
            Ok(format) => {
                let name = format!("{format:?}").to_lowercase();
                let reader =
                    image::ImageReader::with_format(std::io::Cursor::new(&fetched.bytes), format);
                if let Ok((w, h)) = reader.into_dimensions() {
                    (info.width, info.height) = (Some(w), Some(h));
                    for f in ogmill_core::tools::platforms::judge(&name, w, h, n as u64) {
                        let message = format!("{}: {}", f.platform, f.message);
                        problems.push(if f.refused {
                            error(message)
                        } else {
                            warning(message)
                        });
                    }
                }
                info.format = Some(name);
            }
            Err(e) => problems.push(error(format!("the image cannot be shown: {e}"))),
        }
        info
    }
}

fn error(message: String) -> Problem {
    Problem {
        level: "error",
        message,
    }
}

fn warning(message: String) -> Problem {
    Problem {
        level: "warning",
        message,
    }
}

fn tag<'a>(tags: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `<meta property|name="og:…|twitter:…" content="…">` and `<title>`, in page order.
fn read_tags(html: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let mut tags = vec![];
    if let Some(title) = doc.select(&Selector::parse("title").expect("valid")).next() {
        tags.push((
            "title".into(),
            title.text().collect::<String>().trim().to_owned(),
        ));
    }
    for meta in doc.select(&Selector::parse("meta").expect("valid")) {
        let el = meta.value();
        let Some(name) = el.attr("property").or(el.attr("name")) else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        if name.starts_with("og:") || name.starts_with("twitter:") {
            tags.push((name, el.attr("content").unwrap_or("").trim().to_owned()));
        }
    }
    tags
}

/// What is missing or wrong in the tags themselves (the image is checked after fetching).
fn problems(tags: &[(String, String)]) -> Vec<Problem> {
    let mut out = vec![];
    let has = |n: &str| tag(tags, n).is_some_and(|v| !v.is_empty());
    for (name, why) in [
        (
            "og:title",
            "the card has no title (crawlers fall back to <title>, if any)",
        ),
        ("og:image", "the card has no image"),
    ] {
        if !has(name) {
            out.push(error(format!("{name} is missing: {why}")));
        }
    }
    for (name, why) in [
        ("og:description", "the card has no description line"),
        (
            "og:url",
            "shares of this page under other URLs are counted apart",
        ),
        ("og:type", "`website` or `article` is expected"),
        (
            "og:image:alt",
            "screen readers have nothing to say about the image",
        ),
        (
            "twitter:card",
            "X shows a small card; use summary_large_image",
        ),
    ] {
        if !has(name) {
            out.push(warning(format!("{name} is missing: {why}")));
        }
    }
    for name in ["og:image", "twitter:image"] {
        if let Some(src) = tag(tags, name).filter(|v| !v.is_empty()) {
            let absolute = Url::parse(src).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !absolute {
                out.push(error(format!(
                    "{name} '{src}' is relative: crawlers need an absolute https:// URL"
                )));
            } else if let Some(host) = Url::parse(src).ok().and_then(|u| local_host(&u)) {
                out.push(warning(format!(
                    "{name} points at {host}, which only this machine can reach: crawlers fetch the image from the internet, so give the page your public origin before it is shared (ogUrl's base, --public-url)"
                )));
            }
        }
    }
    if has("og:image") {
        match (tag(tags, "og:image:width"), tag(tags, "og:image:height")) {
            (Some(w), Some(h)) if (w, h) != ("1200", "630") => out.push(warning(format!(
                "og:image:width/height say {w}x{h}; the card is 1200x630"
            ))),
            (Some(_), Some(_)) => {}
            _ => out.push(warning(
                "og:image:width and og:image:height are missing: the first share shows no image until the crawler has fetched it".into(),
            )),
        }
    }
    if let Some(card) = tag(tags, "twitter:card").filter(|c| *c != "summary_large_image") {
        out.push(warning(format!(
            "twitter:card is '{card}': X shows a small square; use summary_large_image"
        )));
    }
    out
}

/// The host of `url` when only this machine or its network can reach it: `localhost` (and
/// `*.localhost`), loopback, private, link-local and unspecified addresses.
fn local_host(url: &Url) -> Option<String> {
    use url::Host;
    let local = match url.host()? {
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Host::Ipv4(a) => {
            a.is_loopback() || a.is_private() || a.is_link_local() || a.is_unspecified()
        }
        Host::Ipv6(a) => {
            a.is_loopback() || a.is_unspecified() || (a.segments()[0] & 0xfe00) == 0xfc00
        }
    };
    local.then(|| url.host_str().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_and_judged() {
        let html = r#"<html><head><title> Post </title>
            <meta property="og:title" content="Hello">
            <meta property="og:image" content="/og.png">
            <meta name="twitter:card" content="summary">
            <meta name="description" content="not og"></head></html>"#;
        let tags = read_tags(html);
        assert_eq!(tags[0], ("title".into(), "Post".into()));
        assert_eq!(tag(&tags, "og:title"), Some("Hello"));
        assert_eq!(tag(&tags, "description"), None);
        let p = problems(&tags);
        let text: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            text.iter().any(|m| m.contains("'/og.png' is relative")),
            "{text:?}"
        );
        assert!(text
            .iter()
            .any(|m| m.contains("og:image:width and og:image:height are missing")));
        assert!(text.iter().any(|m| m.contains("twitter:card is 'summary'")));
        assert!(!text.iter().any(|m| m.starts_with("og:title")));
    }

    /// What the playground's meta snippet writes on a dev server points at this machine:
    /// said, since no crawler can fetch it; a public origin is not.
    #[test]
    fn an_image_on_this_machine_is_flagged() {
        for (src, flagged) in [
            ("http://127.0.0.1:3000/api/og/blog?title=x", true),
            ("http://localhost:3000/og.png", true),
            ("http://app.localhost/og.png", true),
            ("http://[::1]:3000/og.png", true),
            ("http://192.168.1.20/og.png", true),
            ("https://example.com/og.png", false),
            ("https://8.8.8.8/og.png", false),
        ] {
            let tags = vec![("og:image".to_owned(), src.to_owned())];
            let p = problems(&tags);
            let said = p
                .iter()
                .any(|p| p.message.contains("only this machine can reach"));
            assert_eq!(
                said,
                flagged,
                "{src}: {:?}",
                p.iter().map(|p| &p.message).collect::<Vec<_>>()
            );
        }
    }
}
