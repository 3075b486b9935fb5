//! `ogmill sign`: a signed URL for a card.

use anyhow::Context;
use ogmill::config::Config;
use ogmill_core::{RenderRequest, Renderer};

use super::render::pair;
use crate::cli::SignArgs;

pub(crate) fn run(config: &Config, renderer: &Renderer, args: SignArgs) -> anyhow::Result<()> {
    let keys = config.signing_keys.clone().unwrap_or_default();
    let signer = ogmill_core::signature::Signer::new(&keys)
        .context("no signing key: pass --signing-key KEY or set OGMILL_SIGNING_KEYS")?;
    let params = args
        .params
        .iter()
        .map(|p| pair(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Sign only what the server would render: a typo fails here, not in production.
    let req = RenderRequest {
        template: args.template.clone(),
        params: params.clone(),
        ..RenderRequest::default()
    };
    renderer.resolve(&req)?;
    let exp = args
        .expires_in
        .map(|d| ogmill_core::signature::now() + d.0.as_secs());
    let query = signer.signed_query(&args.template, &params, exp);
    let base = args.base_url.trim_end_matches('/');
    out!("{base}/api/og/{}?{query}", args.template)?;
    Ok(())
}
