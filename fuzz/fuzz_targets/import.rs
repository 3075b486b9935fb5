//! A design tool's export -> `ogmill import` -> the template it makes, loaded.
//! Properties: no panic anywhere; an import that succeeds makes a template that loads or is
//! refused with a typed error. Seed it with the real exports:
//! `cargo fuzz run --sanitizer none import work ../tests/designs/real`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ogmill_core::tools::import::{import, ImportOptions};
use ogmill_core::{Options, Renderer};

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(Options::default()).expect("bundled templates load"))
}

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let Ok(imported) = import(&source, renderer().usvg_options(), &ImportOptions::default())
    else {
        return;
    };
    // The template it made goes through the same load as a file in --templates (parse,
    // validate, resolve fonts with usvg); drawing it is left to the tests, since a renderer
    // per input (fonts loaded, backgrounds drawn) ran 3 inputs a second.
    let _ = ogmill_core::template::Template::parse(
        "design",
        std::path::Path::new("design.svg"),
        &imported.svg,
        renderer().usvg_options(),
    );
});
