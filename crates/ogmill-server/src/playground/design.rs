//! Design mode (`--dev` only): open a design tool's export, choose what becomes a param,
//! preview it with any values, and save it into the templates directory, where hot reload
//! serves it. The choices are `ogmill_core::tools::import`'s; this is their HTTP face.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lru::LruCache;

use super::super::{ApiError, AppState};
use ogmill_core::request::params::UnknownParams;
use ogmill_core::tools::import::{Choice, Design, ImportOptions, MAX_DESIGN_BYTES};
use ogmill_core::{Inputs, RenderRequest};

/// Designs being worked on, by id: a few, since one person edits in a dev server.
fn designs() -> &'static Mutex<LruCache<String, Arc<Design>>> {
    static DESIGNS: OnceLock<Mutex<LruCache<String, Arc<Design>>>> = OnceLock::new();
    DESIGNS.get_or_init(|| Mutex::new(LruCache::new(NonZeroUsize::new(8).expect("not zero"))))
}

fn dev_only(state: &AppState) -> Result<(), ApiError> {
    if state.options().dev {
        Ok(())
    } else {
        Err(ApiError::NotFound(
            "design mode (start the server with --dev to turn designs into templates)".into(),
        ))
    }
}

fn design(id: &str) -> Result<Arc<Design>, ApiError> {
    let mut all = designs().lock().unwrap_or_else(|e| e.into_inner());
    all.get(id).cloned().ok_or_else(|| {
        ApiError::NotFound(format!(
            "design {id} (open the design again: the server keeps the last few)"
        ))
    })
}

#[derive(serde::Deserialize)]
pub(super) struct OpenQuery {
    #[serde(default)]
    colors: bool,
}

/// `POST /playground/design`: the design's SVG as the body. Answers with its id, size,
/// elements (each with what import suggests) and warnings.
pub(super) async fn open(
    State(state): State<AppState>,
    Query(q): Query<OpenQuery>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    dev_only(&state)?;
    if body.len() > MAX_DESIGN_BYTES {
        return Err(ApiError::PayloadTooLarge {
            max: MAX_DESIGN_BYTES,
        });
    }
    let source = String::from_utf8(body.to_vec()).map_err(|_| {
        ApiError::BadRequest("the design is not UTF-8 text: send the .svg file".into())
    })?;
    let renderer = state.renderer();
    let opts = ImportOptions {
        colors: q.colors,
        ..ImportOptions::default()
    };
    let read =
        tokio::task::spawn_blocking(move || Design::read(&source, renderer.usvg_options(), &opts))
            .await
            .map_err(|_| ApiError::BadRequest("reading the design failed".into()))?
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let id = format!("{:016x}", rand_id());
    let reply = serde_json::json!({
        "id": id,
        "width": read.width,
        "height": read.height,
        "elements": read.elements,
        "warnings": read.warnings,
    });
    designs()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .put(id, Arc::new(read));
    Ok(Json(reply))
}

/// An id no one guesses by counting (the designs are the developer's own, but still).
fn rand_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

#[derive(serde::Deserialize)]
pub(super) struct PreviewBody {
    choices: Vec<Choice>,
    #[serde(default)]
    values: Vec<(String, String)>,
}

/// `POST /playground/design/{id}/preview`: the card these choices make, drawn with
/// `values` (params left out show the design's own sample).
pub(super) async fn preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<PreviewBody>,
) -> Result<Response, ApiError> {
    dev_only(&state)?;
    let d = design(&id)?;
    let svg = d.template(&body.choices).map_err(ApiError::BadRequest)?;
    let renderer = state.renderer();
    let rendered = tokio::task::spawn_blocking(move || {
        let req = RenderRequest {
            template: "design-preview".into(),
            params: body
                .values
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            unknown: UnknownParams::Ignore,
        };
        let resolved = renderer.resolve_draft("design-preview", &svg, &req)?;
        renderer.render(&resolved, Inputs::default())
    })
    .await
    .map_err(|_| ApiError::BadRequest("drawing the preview failed".into()))??;
    let fits: Vec<String> = rendered
        .fits
        .iter()
        .map(|f| {
            format!(
                "{} {} {}{}",
                f.slot,
                f.font_size,
                f.lines,
                if f.truncated { " cut" } else { "" }
            )
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::HeaderName::from_static("x-ogmill-fit"),
                fits.join(", "),
            ),
        ],
        rendered.bytes,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct SaveBody {
    name: String,
    choices: Vec<Choice>,
    /// Replace a template of that name (the page asks the person first).
    #[serde(default)]
    replace: bool,
}

/// `POST /playground/design/{id}/save`: writes `NAME.svg` into the templates directory,
/// never outside it and never over a template unless `replace`; hot reload then serves it.
pub(super) async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<SaveBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    dev_only(&state)?;
    let name = body.name.trim();
    if !ogmill_core::template::valid_name(name) {
        return Err(ApiError::BadRequest(format!(
            "'{name}' cannot name a template: use ASCII letters, digits, '-' and '_'"
        )));
    }
    let renderer = state.renderer();
    let Some(dir) = renderer.options().templates_dir.clone() else {
        return Err(ApiError::BadRequest(
            "this server serves the bundled templates: start it with --dev --templates DIR to save designs there".into(),
        ));
    };
    let d = design(&id)?;
    let svg = d.template(&body.choices).map_err(ApiError::BadRequest)?;
    // It must load as the server will load it, before it reaches the directory.
    let check = RenderRequest {
        template: name.to_owned(),
        ..RenderRequest::default()
    };
    renderer.resolve_draft(name, &svg, &check)?;
    let target = dir.join(format!("{name}.svg"));
    // The link itself, not what it points at: a dangling link exists, and a link is never
    // written through (it could point anywhere on the machine).
    match std::fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(ApiError::Conflict(format!(
                "{name}.svg in the templates directory is a symbolic link; it is not replaced from the playground"
            )))
        }
        Ok(_) if !body.replace => {
            return Err(ApiError::Conflict(format!(
                "a template named '{name}' exists; save under another name, or replace it"
            )))
        }
        _ => {}
    }
    // A fresh, exclusively created file under a random name (never a planted link), moved
    // into place in one step.
    tempfile::Builder::new()
        .prefix(".ogmill-design-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .and_then(|mut tmp| {
            std::io::Write::write_all(&mut tmp, svg.as_bytes())?;
            tmp.persist(&target).map(drop).map_err(|e| e.error)
        })
        .map_err(|e| {
            tracing::warn!(error = %e, path = %target.display(), "saving a design");
            ApiError::BadRequest(format!(
                "cannot write {name}.svg in the templates directory: {e}"
            ))
        })?;
    Ok(Json(serde_json::json!({
        "saved": name,
        "url": format!("/api/og/{name}"),
    })))
}
