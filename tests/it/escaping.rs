//! Hostile values are drawn as literal text and never become markup, links or file reads.

use ogmill_core::{Error, RenderRequest};

use crate::support::{renderer, RenderReq};

/// The text that the title slot of the filled SVG draws, as usvg sees it.
fn drawn_title(title: &str) -> (String, usvg::Tree) {
    let r = renderer();
    let resolved = r
        .resolve(&RenderRequest::new("default", &[("title", title)]))
        .unwrap();
    let (svg, _) = r.fill(&resolved, &[]).unwrap();
    let tree = usvg::Tree::from_str(&svg, r.usvg_options()).unwrap();
    let mut texts = vec![];
    collect_text(tree.root(), &mut texts);
    (texts.join(" "), tree)
}

fn collect_text(g: &usvg::Group, out: &mut Vec<String>) {
    for n in g.children() {
        match n {
            usvg::Node::Group(g) => collect_text(g, out),
            usvg::Node::Text(t) => out.extend(t.chunks().iter().map(|c| c.text().to_owned())),
            _ => {}
        }
    }
}

fn has_image(g: &usvg::Group) -> bool {
    g.children().iter().any(|n| match n {
        usvg::Node::Image(_) => true,
        usvg::Node::Group(g) => has_image(g),
        _ => false,
    })
}

#[test]
fn markup_in_a_title_is_drawn_literally() {
    for title in [
        r#"</text><image href="/etc/hostname" width="1200" height="630"/><text>"#,
        "Tom & Jerry",
        r#"Tom & Jerry <script>alert("x")</script> 'quotes' "double""#,
        "]]> <!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]> &e; &amp; &#x41;",
        "\" onload=\"alert(1)\" x=\"",
    ] {
        let (drawn, tree) = drawn_title(title);
        // Lines may break inside a run of punctuation, so compare without the line joins.
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squash(&drawn), squash(title), "drawn text differs");
        assert!(!has_image(tree.root()), "{title}: an image node appeared");
    }
}

#[test]
fn characters_xml_cannot_carry_are_removed() {
    let (drawn, _) = drawn_title("a\u{0}b\u{1B}c\u{FFFE}d\u{FFFF}e\u{7}");
    assert_eq!(drawn, "abcde");
}

#[test]
fn colors_accept_only_hex_and_names() {
    let r = renderer();
    for ok in ["#fff", "#10b981", "#10b98180", "tomato", "RebeccaPurple"] {
        r.render_req(&RenderRequest::new("default", &[("accent", ok)]))
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        "red\" onload=\"x",
        "url(#glow)",
        "rgb(0,0,0)",
        "#12345",
        "javascript:x",
        "red;x",
    ] {
        let err = r
            .render_req(&RenderRequest::new("default", &[("accent", bad)]))
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidValue { param, .. } if param == "accent"),
            "{bad}: {err}"
        );
        assert!(err.is_client_error());
    }
}

#[test]
fn errors_name_the_param_and_the_limit() {
    let r = renderer();
    let err = r
        .render_req(&RenderRequest::new("blog", &[("author", &"x".repeat(61))]))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "'author' is 61 characters long; the limit is 60"
    );
    let err = r
        .render_req(&RenderRequest::new("blog", &[("autor", "x")]))
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown parameter 'autor'") && err.to_string().contains("author"),
        "{err}"
    );
    let err = r
        .render_req(&RenderRequest::new("../../etc/passwd", &[]))
        .unwrap_err();
    assert!(matches!(err, Error::UnknownTemplate { .. }), "{err}");
    let err = r
        .render_req(&RenderRequest::new(
            "blog",
            &[("title", &"é".repeat(100_000))],
        ))
        .unwrap_err();
    assert!(err.is_client_error(), "{err}");
}

#[test]
fn image_values_never_reach_the_svg() {
    let r = renderer();
    let resolved = r
        .resolve(&RenderRequest::new(
            "product",
            &[("image", "https://169.254.169.254/latest/meta-data")],
        ))
        .unwrap();
    let (svg, _) = r.fill(&resolved, &[]).unwrap();
    assert!(!svg.contains("169.254"), "the URL reached the SVG");
    let err = r
        .render_req(&RenderRequest::new(
            "product",
            &[("image", "file:///etc/passwd")],
        ))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
}
