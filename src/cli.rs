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
    /// Render every card of a manifest (JSON array, NDJSON or CSV) into a directory
    Build(BuildArgs),
    /// Print a signed URL for a template and values (uses the first --signing-key), or a new
    /// key with --new-key
    Sign(SignArgs),
    /// Measure render latency, throughput, PNG size and stages per template
    Bench(BenchArgs),
    /// Make a template of a design tool's SVG export: texts become fitted slots, pictures
    /// image slots
    Import(ImportArgs),
    /// List the font families ogmill draws with (bundled and --fonts), or add one with
    /// `fonts add FAMILY`
    Fonts(FontsArgs),
    /// Exit 0 if the server on --bind (or --url) answers /healthz: a container's HEALTHCHECK,
    /// for images that have no curl
    Healthcheck {
        /// The URL to ask [default: http://<--bind>/healthz, 0.0.0.0 asked as 127.0.0.1]
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Lint every template: its defaults and optional titles must draw with no missing glyph
    Check {
        /// Titles to try in each template's first text param: one per line, or the
        /// `id, script, dir, title` TSV of the shared corpus
        #[arg(long, value_name = "FILE")]
        titles: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct FontsArgs {
    #[command(subcommand)]
    pub action: Option<FontsAction>,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum FontsAction {
    /// Fetch an open-licence family from Fontsource (its npm package) into a font directory
    Add(FontsAddArgs),
}

#[derive(Args, Debug)]
pub struct FontsAddArgs {
    /// Families as Fontsource names them (`Work Sans`, `ibm-plex-mono`); see fontsource.org
    #[arg(value_name = "FAMILY", required = true)]
    pub families: Vec<String>,
    /// Where to put them, one directory per family [default: the first --fonts directory,
    /// else ./fonts]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Only these scripts' files, comma-separated (latin, latin-ext, cyrillic, greek,
    /// vietnamese…) [default: all]
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub subsets: Vec<String>,
    /// Only these weights, comma-separated (400,700) [default: all]
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub weights: Vec<u16>,
    /// The npm registry to fetch from
    #[arg(
        long,
        env = "OGMILL_NPM_REGISTRY",
        default_value = "https://registry.npmjs.org",
        value_name = "URL"
    )]
    pub registry: String,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The exported design (an SVG file from Figma, Illustrator, Inkscape, Penpot, Affinity…)
    #[arg(value_name = "DESIGN.svg")]
    pub design: PathBuf,
    /// The template's name [default: the design's file name]
    #[arg(long)]
    pub name: Option<String>,
    /// Where to write NAME.svg [default: the --templates directory, else ./svg-templates if
    /// it exists, else .]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also make color params of named shapes with a plain fill
    #[arg(long)]
    pub colors: bool,
    /// Bind every text as a param [default: the 12 most prominent]
    #[arg(long)]
    pub all_texts: bool,
    /// Which pictures become image params: `suggested` leaves a picture behind the whole
    /// card (a backdrop) as part of the design, drawn once; `all` binds every one
    #[arg(long, value_name = "WHICH", default_value = "suggested", value_parser = ["suggested", "all"])]
    pub image_params: String,
    /// Replace NAME.svg if it exists (params keep the names you gave them there)
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Templates to measure [default: all]
    #[arg(value_name = "TEMPLATE")]
    pub names: Vec<String>,
    /// Threads rendering at once
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Renders per template
    #[arg(long, default_value_t = 100)]
    pub iterations: usize,
    /// Skip the plain-pipeline baseline
    #[arg(long)]
    pub no_baseline: bool,
    /// Titles for each template's first text param, a new one per render (one per line, or
    /// the shared corpus's TSV): measures cold text, where the defaults measure warm caches
    #[arg(long, value_name = "FILE")]
    pub titles: Option<PathBuf>,
    #[command(flatten)]
    pub encoding: OutputArgs,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The manifest: entries with `template`, `output` and one field per param; "-" reads stdin
    pub manifest: PathBuf,
    /// Directory the cards are written to (paths in the manifest are relative to it)
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Render every entry, even those unchanged since the last build
    #[arg(long)]
    pub force: bool,
    /// Threads rendering at once [default: number of cores]
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// Print a new random signing key (32 bytes, URL-safe base64) instead of a URL
    #[arg(long, conflicts_with_all = ["template", "params", "expires_in"])]
    pub new_key: bool,
    /// Template name
    #[arg(required_unless_present = "new_key")]
    pub template: Option<String>,
    /// Values as NAME=VALUE
    #[arg(value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Where the server is reached
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:3000")]
    pub base_url: String,
    /// Make the URL expire after this long, e.g. 1h or 30d
    #[arg(long, value_name = "DURATION")]
    pub expires_in: Option<ogmill::config::HumanDuration>,
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
    /// Output file; "-" writes to standard output; its extension (.png, .webp, .jpg, .pdf) picks
    /// the format unless --format does [default: TEMPLATE.png]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub encoding: OutputArgs,
    /// Write the filled SVG instead of a PNG (for debugging templates)
    #[arg(long)]
    pub svg: bool,
}

/// How cards are written: the built-in `format`, `quality` and `scale` params as flags.
#[derive(Args, Debug, Default)]
pub struct OutputArgs {
    /// Image format: png, webp (lossless unless --quality), jpeg or pdf (vector) [default: png]
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Quality for jpeg (default 85) and lossy webp, 1-100
    #[arg(long, value_name = "N")]
    pub quality: Option<String>,
    /// Pixel density: 1, 2 or 3 times the template's size [default: 1]
    #[arg(long, value_name = "N")]
    pub scale: Option<String>,
}

impl OutputArgs {
    /// The flags given, as the params a request takes.
    pub fn params(&self) -> Vec<(String, String)> {
        [
            ("format", &self.format),
            ("quality", &self.quality),
            ("scale", &self.scale),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_owned(), v.clone()?)))
        .collect()
    }
}
