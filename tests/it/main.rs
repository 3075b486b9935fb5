//! One integration-test binary; each module is named for what it tests.

mod browser;
mod build;
mod cli;
mod escaping;
mod fit;
mod golden;
mod hostile;
mod http;
mod images;
mod redis;
mod scripts;
mod support;
mod templates;
mod typescript;
