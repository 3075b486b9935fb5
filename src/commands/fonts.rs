//! `ogmill fonts`: the families a template can name, and `fonts add` to fetch one.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use ogmill::config::Config;
use ogmill::fontsource;
use ogmill_core::Renderer;

use crate::cli::FontsAddArgs;

/// One family as the list shows it.
#[derive(serde::Serialize)]
struct Family {
    family: String,
    weights: Vec<u16>,
    italic: bool,
    faces: usize,
    bundled: bool,
}

fn families(db: &fontdb::Database, bundled: &fontdb::Database) -> Vec<Family> {
    let mut by_name: BTreeMap<String, Family> = BTreeMap::new();
    for face in db.faces() {
        let Some((name, _)) = face.families.first() else {
            continue;
        };
        let f = by_name.entry(name.clone()).or_insert_with(|| Family {
            family: name.clone(),
            weights: vec![],
            italic: false,
            faces: 0,
            bundled: bundled
                .faces()
                .any(|b| b.families.first() == face.families.first()),
        });
        f.faces += 1;
        f.italic |= face.style != fontdb::Style::Normal;
        if !f.weights.contains(&face.weight.0) {
            f.weights.push(face.weight.0);
        }
    }
    let mut list: Vec<Family> = by_name.into_values().collect();
    for f in &mut list {
        f.weights.sort_unstable();
    }
    list
}

pub(crate) fn list(renderer: &Renderer, json: bool) -> anyhow::Result<()> {
    let bundled = if renderer.options().bundled_fonts {
        ogmill_core::fonts::load(true, &[])?
    } else {
        Default::default()
    };
    let list = families(renderer.fontdb(), &bundled);
    if json {
        out!("{}", serde_json::to_string_pretty(&list)?)?;
        return Ok(());
    }
    for f in &list {
        let weights: Vec<String> = f.weights.iter().map(u16::to_string).collect();
        out!(
            "{:<28} {:<36} {:<7} {:>3} face{} {}",
            f.family,
            weights.join(" "),
            if f.italic { "italic" } else { "" },
            f.faces,
            if f.faces == 1 { " " } else { "s" },
            if f.bundled { "bundled" } else { "" }
        )?;
    }
    Ok(())
}

pub(crate) fn add(config: &Config, args: &FontsAddArgs) -> anyhow::Result<()> {
    let dir = args
        .dir
        .clone()
        .or_else(|| config.fonts.as_ref().and_then(|d| d.first().cloned()))
        .unwrap_or_else(|| PathBuf::from("fonts"));
    for family in &args.families {
        let req = fontsource::Request {
            family: family.clone(),
            subsets: args.subsets.clone(),
            weights: args.weights.clone(),
            registry: args.registry.clone(),
        };
        let added = fontsource::add(&req, &dir).with_context(|| format!("adding '{family}'"))?;
        // Loaded as a server would load them: proof they draw, and the family's real name.
        let db = ogmill_core::fonts::load(false, std::slice::from_ref(&added.dir))
            .with_context(|| format!("loading what was added to {}", added.dir.display()))?;
        let names: Vec<String> = families(&db, &Default::default())
            .into_iter()
            .map(|f| f.family)
            .collect();
        let mut weights: Vec<u16> = added.files.iter().map(|f| f.weight).collect();
        weights.sort_unstable();
        weights.dedup();
        let mut subsets: Vec<&str> = added.files.iter().map(|f| f.subset.as_str()).collect();
        subsets.sort_unstable();
        subsets.dedup();
        let italic = added.files.iter().any(|f| f.italic);
        out!(
            "added {} {} to {}: {} files, weights {}{}, {} subset{} ({})",
            added.package,
            added.version,
            added.dir.display(),
            added.files.len(),
            weights
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            if italic { " and italics" } else { "" },
            subsets.len(),
            if subsets.len() == 1 { "" } else { "s" },
            shorten(&subsets)
        )?;
        if let Some(license) = &added.license {
            out!("  licence: {}", added.dir.join(license).display())?;
        }
        out!(
            "  draw with font-family=\"{}\"; load with --fonts {} (or OGMILL_FONTS={})",
            names.join("\", \""),
            dir.display(),
            dir.display()
        )?;
    }
    Ok(())
}

/// A list that may run to a hundred parts (CJK), cut to its first few.
fn shorten(items: &[&str]) -> String {
    if items.len() <= 8 {
        return items.join(", ");
    }
    format!("{}, … {} more", items[..6].join(", "), items.len() - 6)
}
