//! Command-line surface: flags and `OGMILL_*` variables, parsed into values the library takes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use ogmill::encode::Compression;

#[derive(Parser, Debug)]
#[command(
    name = "ogmill",
    version,
    about = "Open Graph images and social cards from SVG templates"
)]
pub struct Cli {
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings shared by every command that renders.
#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    /// Directory of *.svg templates [default: the bundled templates]
    #[arg(long, global = true, env = "OGMILL_TEMPLATES", value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Extra directory of font files; repeatable (env: comma-separated)
    #[arg(
        long = "fonts",
        global = true,
        env = "OGMILL_FONTS",
        value_delimiter = ',',
        value_name = "DIR"
    )]
    pub font_dirs: Vec<PathBuf>,
    /// Do not load the bundled Inter fonts
    #[arg(long, global = true, env = "OGMILL_NO_BUNDLED_FONTS")]
    pub no_bundled_fonts: bool,
    /// PNG compression
    #[arg(long, global = true, env = "OGMILL_COMPRESSION", value_enum, default_value_t = Compression::default())]
    pub compression: Compression,
}

impl EngineArgs {
    pub fn options(&self) -> ogmill::Options {
        ogmill::Options {
            templates_dir: self.templates.clone(),
            bundled_fonts: !self.no_bundled_fonts,
            font_dirs: self.font_dirs.clone(),
            compression: self.compression,
            ..ogmill::Options::default()
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Render one image to a PNG file
    Render(RenderArgs),
    /// List the templates and their parameters
    Templates {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Template name (file stem in the templates directory)
    pub template: String,
    /// A value as NAME=VALUE; repeatable
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A JSON object of values (given --param values come after it)
    #[arg(long = "params", value_name = "FILE")]
    pub params_file: Option<PathBuf>,
    /// Output file; "-" writes the PNG to standard output [default: TEMPLATE.png]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the filled SVG instead of a PNG (for debugging templates)
    #[arg(long)]
    pub svg: bool,
}
