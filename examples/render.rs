//! Renders a card with the core alone: `cargo run --example render -- "Hello, world"`.
//! Writes card.bytes; no server, no async runtime, no network.

use ogmill_core::{Inputs, Options, RenderRequest, Renderer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let title = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Hello, world".into());
    let renderer = Renderer::new(Options::default())?;
    let request = RenderRequest::new("blog", &[("title", &title), ("author", "ogmill")]);
    let card = renderer.render(&renderer.resolve(&request)?, Inputs::default())?;
    std::fs::write("card.bytes", &card.bytes)?;
    println!(
        "card.bytes: {}x{}, {} bytes",
        card.width,
        card.height,
        card.bytes.len()
    );
    Ok(())
}
