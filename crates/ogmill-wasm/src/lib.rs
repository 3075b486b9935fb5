//! `ogmill-wasm`: the core as WebAssembly, for edge runtimes (workerd, Vercel Edge), Deno,
//! browsers and Node. Single-threaded and synchronous: the JavaScript layer (`index.js`)
//! gives the documented async API and the shapes of the Node package's.
//!
//! Fonts and templates come in as bytes and strings; nothing here touches a file system, a
//! clock or a thread. Adding a font rebuilds the core renderer on the next render (its font
//! database is immutable once built, so renders share it without locks).

use ogmill_core::fonts::FontData;
use ogmill_core::request::params::UnknownParams;
use ogmill_core::{Error, Inputs, Options, RenderRequest, Renderer as Core};
use wasm_bindgen::prelude::*;

/// Renders cards; build one per isolate and keep it.
#[wasm_bindgen]
pub struct Renderer {
    options: Options,
    core: Option<Core>,
}

/// A rendered card; the JavaScript layer reads it into a plain object.
#[wasm_bindgen]
pub struct Card {
    data: Vec<u8>,
    content_type: String,
    width: u32,
    height: u32,
    fit: String,
    warnings: String,
}

#[wasm_bindgen]
impl Card {
    /// The encoded image (copied out of wasm memory).
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> Vec<u8> {
        self.data.clone()
    }
    /// Its media type.
    #[wasm_bindgen(getter, js_name = contentType)]
    pub fn content_type(&self) -> String {
        self.content_type.clone()
    }
    /// Width in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.height
    }
    /// What the fit decided per text slot, as JSON.
    #[wasm_bindgen(getter, js_name = fitJson)]
    pub fn fit_json(&self) -> String {
        self.fit.clone()
    }
    /// Image params drawn as their placeholder, and why, as a JSON list.
    #[wasm_bindgen(getter, js_name = warningsJson)]
    pub fn warnings_json(&self) -> String {
        self.warnings.clone()
    }
}

/// An `Error` with a stable `code`, as the Node package throws.
fn error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name("OgmillError");
    let _ = js_sys::Reflect::set(&e, &"code".into(), &code.into());
    e.into()
}

fn core_error(e: &Error) -> JsValue {
    error(e.code(), &e.to_string())
}

#[wasm_bindgen]
impl Renderer {
    /// An empty renderer: with `bundled_templates`, the bundled templates; with
    /// `bundled_fonts`, Inter.
    #[wasm_bindgen(constructor)]
    pub fn new(bundled_templates: bool, bundled_fonts: bool) -> Renderer {
        let templates = if bundled_templates {
            ogmill_core::renderer::BUNDLED_TEMPLATES
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect()
        } else {
            vec![]
        };
        Renderer {
            options: Options {
                templates,
                bundled_fonts,
                clock: None,
                ..Options::default()
            },
            core: None,
        }
    }

    /// Adds (or replaces) a template by name.
    #[wasm_bindgen(js_name = addTemplate)]
    pub fn add_template(&mut self, name: String, source: String) {
        self.options.templates.retain(|(n, _)| *n != name);
        self.options.templates.push((name, source));
        self.core = None;
    }

    /// Adds a font (TrueType, OpenType or a collection), used from the next render on.
    #[wasm_bindgen(js_name = addFont)]
    pub fn add_font(&mut self, bytes: Vec<u8>) {
        self.options.fonts.push(FontData::new(bytes));
        self.core = None;
    }

    /// Loads what was added; a bad template or font throws here (also done by the first
    /// render).
    pub fn load(&mut self) -> Result<(), JsValue> {
        self.core()?;
        Ok(())
    }

    /// Every template and its params, as JSON (`ogmill templates --json`).
    #[wasm_bindgen(js_name = templatesJson)]
    pub fn templates_json(&mut self) -> Result<String, JsValue> {
        let core = self.core()?;
        let list: Vec<_> = core.templates().map(|t| t.describe()).collect();
        Ok(serde_json::to_string(&list).unwrap_or_default())
    }

    /// Renders `template` with `params`, a JSON object of strings (the output options,
    /// `format`, `quality`, `scale`, are params of every template).
    pub fn render(&mut self, template: String, params_json: &str) -> Result<Card, JsValue> {
        let params: Vec<(String, String)> =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(params_json)
                .map_err(|e| error("BAD_PARAM", &format!("params: {e}")))?
                .into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k, s)),
                    serde_json::Value::Null => None,
                    other => Some((k, other.to_string())),
                })
                .collect();
        let core = self.core()?;
        let req = RenderRequest {
            template,
            params,
            unknown: UnknownParams::Reject,
        };
        let resolved = core.resolve(&req).map_err(|e| core_error(&e))?;
        // Images come as data URIs; there are no asset files or URL fetches here.
        let (images, problems) = resolved.local_images(None);
        let inputs = Inputs {
            images: &images,
            ..Inputs::default()
        };
        let rendered = core.render(&resolved, inputs).map_err(|e| core_error(&e))?;
        let fit: Vec<_> = rendered
            .fits
            .iter()
            .map(|f| {
                serde_json::json!({
                    "slot": f.slot,
                    "fontSize": f.font_size,
                    "lines": f.lines,
                    "truncated": f.truncated,
                    "missing": f.missing.iter().collect::<String>(),
                })
            })
            .collect();
        Ok(Card {
            content_type: rendered.format.content_type().to_owned(),
            width: rendered.width,
            height: rendered.height,
            fit: serde_json::Value::Array(fit).to_string(),
            warnings: serde_json::Value::from_iter(
                problems
                    .iter()
                    .map(|(param, p)| format!("image '{param}' drawn as a placeholder: {p}")),
            )
            .to_string(),
            data: rendered.bytes,
        })
    }
}

impl Renderer {
    fn core(&mut self) -> Result<&Core, JsValue> {
        if self.core.is_none() {
            let core = Core::new(self.options.clone()).map_err(|e| core_error(&e))?;
            self.core = Some(core);
        }
        Ok(self.core.as_ref().expect("just built"))
    }
}
