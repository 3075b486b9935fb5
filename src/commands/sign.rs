//! `ogmill sign`: a signed URL for a card.

use anyhow::Context;
use ogmill::config::Config;
use ogmill_core::{RenderRequest, Renderer};

use super::render::pair;
use crate::cli::SignArgs;

/// Prints 32 bytes from the OS's random source as URL-safe base64: a key for
/// `--signing-key`/`OGMILL_SIGNING_KEYS` and the site that signs.
pub(crate) fn new_key() -> anyhow::Result<()> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    out!(
        "{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )?;
    Ok(())
}

pub(crate) fn run(config: &Config, renderer: &Renderer, args: SignArgs) -> anyhow::Result<()> {
    let keys = config.signing_keys.clone().unwrap_or_default();
    // Config::resolve has refused empty and short keys; this says what to do when none.
    let signer = ogmill_core::request::signature::Signer::new(&keys)?;
    let template = args.template.context("name the template to sign")?;
    let params = args
        .params
        .iter()
        .map(|p| pair(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Sign only what the server would render: a typo fails here, not in production.
    let req = RenderRequest {
        template: template.clone(),
        params: params.clone(),
        ..RenderRequest::default()
    };
    renderer.resolve(&req)?;
    let exp = args
        .expires_in
        .map(|d| ogmill_core::request::signature::now() + d.0.as_secs());
    let query = signer.signed_query(&template, &params, exp);
    let base = args.base_url.trim_end_matches('/');
    out!("{base}/api/og/{template}?{query}")?;
    Ok(())
}
