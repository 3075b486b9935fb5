//! `ogmill` for Python: a thin layer over `ogmill_core::Renderer`. Values arrive as Python
//! objects and leave as `bytes`; everything else (validation, fit, drawing, encoding) is the
//! core's, so a card here is byte for byte the card `ogmill render` writes. Rendering runs
//! with the GIL released, so a thread pool renders on every core.

use std::path::PathBuf;
use std::sync::Arc;

use ogmill_core::fonts::FontData;
use ogmill_core::request::output::Format;
use ogmill_core::{Error, Inputs, Options, RenderRequest, Renderer as Core};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

create_exception!(
    _ogmill,
    OgmillError,
    PyException,
    "Base of every error ogmill raises."
);
create_exception!(
    _ogmill,
    TemplateError,
    OgmillError,
    "A template does not load, or the request names one that is not loaded."
);
create_exception!(
    _ogmill,
    ParamError,
    OgmillError,
    "A value is invalid for its param, or the template takes no param of that name."
);
create_exception!(_ogmill, FontError, OgmillError, "Fonts cannot be loaded.");
create_exception!(
    _ogmill,
    RenderError,
    OgmillError,
    "A failure inside the renderer that no value causes."
);

/// The core's error as the Python exception a caller can act on, with the server's message.
fn to_py(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::UnknownTemplate { .. } | Error::Template(_) | Error::BrokenTemplate { .. } => {
            TemplateError::new_err(message)
        }
        e if e.is_client_error() => ParamError::new_err(message),
        Error::Font(_) => FontError::new_err(message),
        Error::Io { .. } => OgmillError::new_err(message),
        _ => RenderError::new_err(message),
    }
}

/// Renders cards from templates. Build one and share it: loading fonts and drawing every
/// template's background once is the slow part.
#[pyclass(frozen, module = "ogmill")]
struct Renderer {
    core: Arc<Core>,
    /// Where image params that are file names are read from.
    assets: Option<PathBuf>,
}

#[pymethods]
impl Renderer {
    #[new]
    #[pyo3(signature = (templates=None, fonts=None, *, bundled_fonts=true, assets=None,
                        strict_fonts=false, palette_tolerance=1, compression="fast"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        templates: Option<&Bound<'_, PyAny>>,
        fonts: Option<Vec<Bound<'_, PyAny>>>,
        bundled_fonts: bool,
        assets: Option<PathBuf>,
        strict_fonts: bool,
        palette_tolerance: u8,
        compression: &str,
    ) -> PyResult<Self> {
        let mut options = Options {
            bundled_fonts,
            strict_fonts,
            palette_tolerance,
            compression: compression
                .parse()
                .map_err(|e: String| ParamError::new_err(format!("compression: {e}")))?,
            ..Options::default()
        };
        match templates {
            None => {}
            Some(t) if t.is_instance_of::<PyDict>() => {
                for (name, source) in t.downcast::<PyDict>()?.iter() {
                    options
                        .templates
                        .push((name.extract::<String>()?, source.extract::<String>()?));
                }
            }
            Some(t) => options.templates_dir = Some(t.extract::<PathBuf>()?),
        }
        for font in fonts.unwrap_or_default() {
            if let Ok(bytes) = font.downcast::<PyBytes>() {
                options.fonts.push(FontData::new(bytes.as_bytes().to_vec()));
                continue;
            }
            let path: PathBuf = font.extract().map_err(|_| {
                PyTypeError::new_err(
                    "fonts: each entry is bytes, or the path of a font file or a directory of them",
                )
            })?;
            if path.is_dir() {
                options.font_dirs.push(path);
            } else {
                let bytes = std::fs::read(&path)
                    .map_err(|e| FontError::new_err(format!("{}: {e}", path.display())))?;
                options.fonts.push(FontData::new(bytes));
            }
        }
        let core = py.allow_threads(|| Core::new(options)).map_err(to_py)?;
        Ok(Renderer {
            core: Arc::new(core),
            assets,
        })
    }

    /// The card's bytes. `params` maps param names to values (`str()` of anything but
    /// `None`, which is left out).
    #[pyo3(signature = (template, params=None, *, format="png", quality=None, scale=1))]
    fn render<'py>(
        &self,
        py: Python<'py>,
        template: &str,
        params: Option<&Bound<'py, PyDict>>,
        format: &str,
        quality: Option<u8>,
        scale: u8,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let req = request(template, params, format, quality, scale)?;
        let bytes = self.render_request(py, req)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Renders to `path`, the format chosen by its extension (`.png`, `.webp`, `.jpg`,
    /// `.pdf`); returns the number of bytes written.
    #[pyo3(signature = (path, template, params=None, *, quality=None, scale=1))]
    fn render_to(
        &self,
        py: Python<'_>,
        path: PathBuf,
        template: &str,
        params: Option<&Bound<'_, PyDict>>,
        quality: Option<u8>,
        scale: u8,
    ) -> PyResult<usize> {
        let format = Format::for_path(&path)
            .map_err(ParamError::new_err)?
            .unwrap_or(Format::Png);
        let req = request(template, params, format.name(), quality, scale)?;
        let bytes = self.render_request(py, req)?;
        py.allow_threads(|| std::fs::write(&path, &bytes))
            .map_err(|e| OgmillError::new_err(format!("{}: {e}", path.display())))?;
        Ok(bytes.len())
    }

    /// A key naming the bytes `render` would return for these arguments: equal keys mean
    /// equal bytes (template content, fonts, settings and values all count), so a build can
    /// skip cards whose key has not changed.
    #[pyo3(signature = (template, params=None, *, format="png", quality=None, scale=1))]
    fn key(
        &self,
        template: &str,
        params: Option<&Bound<'_, PyDict>>,
        format: &str,
        quality: Option<u8>,
        scale: u8,
    ) -> PyResult<String> {
        let req = request(template, params, format, quality, scale)?;
        let resolved = self.core.resolve(&req).map_err(to_py)?;
        Ok(self.core.key(&resolved).as_str().to_owned())
    }

    /// Every template and its params, as `ogmill templates --json` lists them.
    fn templates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list: Vec<_> = self.core.templates().map(|t| t.describe()).collect();
        let json = serde_json::to_string(&list).map_err(|e| RenderError::new_err(e.to_string()))?;
        py.import("json")?
            .call_method1("loads", (PyString::new(py, &json),))
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.core.templates().map(|t| t.name.as_str()).collect();
        format!("ogmill.Renderer(templates=[{}])", names.join(", "))
    }
}

impl Renderer {
    /// Resolves, loads the request's images and renders, with the GIL released for the
    /// work; an image that cannot be had is drawn as the slot's placeholder, with a warning.
    fn render_request(&self, py: Python<'_>, req: RenderRequest) -> PyResult<Vec<u8>> {
        let core = &self.core;
        let assets = self.assets.clone();
        let (result, problems) = py.allow_threads(|| {
            let resolved = match core.resolve(&req) {
                Ok(r) => r,
                Err(e) => return (Err(e), vec![]),
            };
            let (images, problems) = resolved.local_images(assets.as_deref());
            let inputs = Inputs {
                images: &images,
                ..Inputs::default()
            };
            (core.render(&resolved, inputs).map(|r| r.bytes), problems)
        });
        for (param, problem) in problems {
            let message = format!("image '{param}' drawn as a placeholder: {problem}");
            PyErr::warn(
                py,
                &py.get_type::<PyUserWarning>(),
                &std::ffi::CString::new(message).unwrap_or_default(),
                1,
            )?;
        }
        result.map_err(to_py)
    }
}

/// A request from Python values: params by `str()`, and the output options as the server
/// takes them (`format`, `quality`, `scale` are params of every template).
fn request(
    template: &str,
    params: Option<&Bound<'_, PyDict>>,
    format: &str,
    quality: Option<u8>,
    scale: u8,
) -> PyResult<RenderRequest> {
    let mut pairs = vec![];
    for (name, value) in params.into_iter().flat_map(|d| d.iter()) {
        if value.is_none() {
            continue;
        }
        let name: String = name.extract()?;
        let text = if let Ok(b) = value.extract::<bool>() {
            // Python's str(True) is "True"; a template's booleans read "true".
            b.to_string()
        } else {
            value.str()?.to_string()
        };
        pairs.push((name, text));
    }
    pairs.push(("format".into(), format.to_owned()));
    if let Some(q) = quality {
        pairs.push(("quality".into(), q.to_string()));
    }
    if scale != 1 {
        pairs.push(("scale".into(), scale.to_string()));
    }
    Ok(RenderRequest {
        template: template.to_owned(),
        params: pairs,
        ..RenderRequest::default()
    })
}

#[pymodule]
fn _ogmill(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Renderer>()?;
    m.add("OgmillError", py.get_type::<OgmillError>())?;
    m.add("TemplateError", py.get_type::<TemplateError>())?;
    m.add("ParamError", py.get_type::<ParamError>())?;
    m.add("FontError", py.get_type::<FontError>())?;
    m.add("RenderError", py.get_type::<RenderError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
