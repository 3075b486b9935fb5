//! ogmill in Python as a user meets it: `pip install ./crates/ogmill-py` into a fresh
//! virtual environment (maturin from PyPI builds it), then the package's pytest suite: cards
//! byte for byte as the CLI's, the documented exceptions, a thread pool, and real
//! `mkdocs build --strict` runs with the `ogmill` plugin.
//!
//! Needs Python 3.9+ with venv and pip, and PyPI (`.ci/test` checks). The environment is made
//! once under `target/py-venv` and the package reinstalled each run (its build shares
//! `target/`, in the dev profile, so it costs the binding and little else).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const TOOLS: &[&str] = &[
    "maturin==1.16.0",
    "mkdocs==1.6.1",
    "mkdocs-material==9.6.14",
    "pytest==8.3.5",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} did not start: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The virtual environment's python, with the package installed from this checkout.
fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let venv = root().join("target/py-venv");
        let py = venv.join("bin/python");
        if !py.exists() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        }
        let have = Command::new(&py)
            .args(["-c", "import maturin, mkdocs, material, pytest; from importlib.metadata import version; assert version(\"maturin\") == \"1.16.0\""])
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            run(Command::new(&py)
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                .args(TOOLS));
        }
        // The user's command, with the build in the dev profile and the workspace's target
        // dir so it reuses what the tests already compiled.
        run(Command::new(&py)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-build-isolation",
                "--force-reinstall",
                "--no-deps",
            ])
            .arg(root().join("crates/ogmill-py"))
            .env("MATURIN_PEP517_ARGS", "--profile dev")
            // As in an activated environment: pip's build backend runs `maturin` from PATH.
            .env("PATH", with_venv_path(&venv))
            .env("CARGO_TARGET_DIR", root().join("target")));
        py
    })
}

/// PATH with the environment's `bin` first.
fn with_venv_path(venv: &Path) -> std::ffi::OsString {
    let mut paths = vec![venv.join("bin")];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("paths without ':'")
}

/// The package's own tests (`crates/ogmill-py/tests`, pytest): the module byte for byte
/// against the CLI, its errors, threads, bytes in; and real `mkdocs build --strict` runs
/// with the plain theme and mkdocs-material.
#[test]
fn the_python_package_passes_its_tests_in_a_fresh_environment() {
    run(Command::new(python())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root().join("crates/ogmill-py/tests"))
        .env("OGMILL_BIN", env!("CARGO_BIN_EXE_ogmill"))
        .current_dir(root()));
}
