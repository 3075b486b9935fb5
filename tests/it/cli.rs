//! The built `ogmill` binary, run into a temp dir as a user would.

use std::process::Command;

use crate::support::decode_png;

fn ogmill() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ogmill"))
}

#[test]
fn render_writes_a_card_from_params() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("card.png");
    let status = ogmill()
        .args(["render", "blog", "--param"])
        .arg("title=Next.js Dynamic Image Generation: OG Images, Social Cards & More")
        .args([
            "--param",
            "author=Jane Doe",
            "--param",
            "date=2026-11-23",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let img = decode_png(&std::fs::read(&out).unwrap());
    assert_eq!(img.dimensions(), (1200, 630));
    assert!(String::from_utf8_lossy(&status.stderr).contains("title: 76px, 3 line(s)"));
}

#[test]
fn render_takes_values_from_a_json_file_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("values.json");
    std::fs::write(
        &json,
        r#"{"name": "Desk Lamp", "price": 49, "badge": "NEW", "image": null}"#,
    )
    .unwrap();
    let out = ogmill()
        .current_dir(dir.path())
        .args([
            "render",
            "product",
            "--params",
            "values.json",
            "-p",
            "badge=-20%",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("product.png").exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("badge: ") && stderr.contains("name: 64px"),
        "{stderr}"
    );
}

#[test]
fn bad_input_exits_non_zero_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    for (args, msg) in [
        (&["render", "nope"][..], "unknown template 'nope'"),
        (
            &["render", "blog", "-p", "titel=x"],
            "unknown parameter 'titel'",
        ),
        (
            &["render", "blog", "-p", "title"],
            "must look like NAME=VALUE",
        ),
        (
            &["render", "default", "-p", "accent=blue;"],
            "invalid value for 'accent'",
        ),
    ] {
        let out = ogmill()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(msg), "{args:?}: {stderr}");
    }
}

#[test]
fn templates_lists_every_template_with_its_params() {
    let out = ogmill().arg("templates").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "default",
        "blog",
        "product",
        "profile",
        "title",
        "max 300 chars",
        "avatar",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    let out = ogmill().args(["templates", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 4);
    let blog = list
        .iter()
        .find(|t| t["name"] == "blog")
        .expect("blog listed");
    assert_eq!(blog["params"][0]["name"], "title");
    assert_eq!(blog["params"][0]["kind"], "text");
    assert_eq!(blog["params"][0]["max_length"], 300);
}

#[test]
fn a_broken_templates_dir_fails_start_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.svg"), "<svg").unwrap();
    let out = ogmill()
        .arg("--templates")
        .arg(dir.path())
        .arg("templates")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.svg"));
}
