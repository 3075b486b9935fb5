//! The core's modules import in no circle: a request's walk runs one way (params, template,
//! text, paint, encode), and a module lower down never reaches back up. Read from the `use`
//! lines and paths of `src/` (comments and test modules left out): among the top-level
//! modules, and among the files of each folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What the crate root re-exports, by the module it comes from.
const ROOT: &[(&str, &str)] = &[
    ("Error", "error"),
    ("Result", "error"),
    ("Stop", "stop"),
    ("Clock", "clock"),
    ("Lang", "fonts"),
    ("CardKey", "renderer"),
    ("Inputs", "renderer"),
    ("Options", "renderer"),
    ("RenderRequest", "renderer"),
    ("Rendered", "renderer"),
    ("Renderer", "renderer"),
    ("Resolved", "renderer"),
    ("Stages", "renderer"),
];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file: no test module, no comments.
fn code(path: &Path) -> String {
    let src = std::fs::read_to_string(path).unwrap();
    let src = src.split("#[cfg(test)]\nmod ").next().unwrap();
    src.lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names after each `prefix` (`crate::`, `super::`), with `{a, b::c}` groups opened.
fn targets(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        // `super::super::` and the like are not sibling paths.
        if i >= 2 && &code[i - 2..i] == "::" {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').filter_map(|p| {
                let name = p.trim().split("::").next()?.trim();
                (!name.is_empty()).then(|| name.to_owned())
            }));
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// A circle in `graph`, if any, as the modules on it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut c = path[at..].to_vec();
            c.push(n.to_owned());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_owned());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut vec![], &mut done))
}

#[test]
fn the_core_s_modules_import_in_no_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rs_files(&src, &mut files);
    let root: BTreeMap<&str, &str> = ROOT.iter().copied().collect();
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut folders: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for path in &files {
        let rel = path.strip_prefix(&src).unwrap();
        let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap()).collect();
        if parts == ["lib.rs"] {
            continue;
        }
        let module = parts[0].trim_end_matches(".rs").to_owned();
        let code = code(path);
        let deps = top.entry(module.clone()).or_default();
        for t in targets(&code, "crate::") {
            let t = root.get(t.as_str()).map_or(t.clone(), |m| m.to_string());
            let is_module = src.join(&t).is_dir() || src.join(format!("{t}.rs")).exists();
            if is_module && t != module {
                deps.insert(t);
            }
        }
        if parts.len() == 2 && parts[1] != "mod.rs" {
            let file = parts[1].trim_end_matches(".rs").to_owned();
            let siblings = folders.entry(module.clone()).or_default();
            let deps = siblings.entry(file.clone()).or_default();
            // A sibling is reached as `super::x` or by its full path, `crate::folder::x`.
            let mut near = targets(&code, "super::");
            near.extend(targets(&code, &format!("crate::{module}::")));
            for t in near {
                if t != file && src.join(&module).join(format!("{t}.rs")).exists() {
                    deps.insert(t);
                }
            }
        }
    }
    assert!(top.len() > 12, "{} modules read", top.len());
    if let Some(c) = circle(&top) {
        panic!("the core's modules import in a circle: {}", c.join(" -> "));
    }
    for (folder, graph) in &folders {
        if let Some(c) = circle(graph) {
            panic!("{folder}/ imports in a circle: {}", c.join(" -> "));
        }
    }
}

/// The check finds a circle when there is one.
#[test]
fn a_circle_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
            .iter()
            .fold(BTreeMap::new(), |mut g, (a, b)| {
                g.entry(a.to_string())
                    .or_insert_with(BTreeSet::new)
                    .insert(b.to_string());
                g
            });
    assert_eq!(circle(&graph).unwrap().join(" "), "a b c a");
    assert_eq!(
        targets(
            "use crate::{a, b::c}; crate::d::e; super::super::x",
            "crate::"
        )
        .len(),
        3
    );
}
