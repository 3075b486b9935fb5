//! `ogmill bench`: the template author's profiler.

use ogmill_core::Renderer;

use crate::cli::BenchArgs;

pub(crate) fn run(renderer: &Renderer, args: BenchArgs) -> anyhow::Result<()> {
    let options = ogmill::bench::BenchOptions {
        templates: args.names,
        threads: args.threads,
        iterations: args.iterations,
        baseline: !args.no_baseline,
        output: args.encoding.params(),
        titles: match &args.titles {
            Some(path) => super::check::read_titles(path)?,
            None => vec![],
        },
    };
    let reports = ogmill::bench::run(renderer, &options)?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&reports)?)?;
    } else {
        out_raw!("{}", ogmill::bench::table(&reports))?;
    }
    Ok(())
}
