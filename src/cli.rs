//! Command-line surface: the commands, over the one [`Config`] of flags, `OGMILL_*`
//! variables and TOML keys.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use ogmill::config::Config;

#[derive(Parser, Debug)]
#[command(
    name = "ogmill",
    version,
    about = "Open Graph images and social cards from SVG templates",
    after_help = "With no command, ogmill serves (ogmill serve)."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve images over HTTP (the default command)
    Serve,
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
