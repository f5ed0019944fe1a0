//! `ktera values`: print the final merged values of a chart.

use super::ExitStatus;
use crate::cli::ValuesArgs;
use crate::error::Error;
use crate::pipeline;
use crate::values::ValueSources;

pub fn run(args: &ValuesArgs) -> Result<ExitStatus, Error> {
    let sources = ValueSources::from(&args.values);
    let (_, merged) =
        pipeline::load_with_values(&args.chart, &sources, &mut std::io::stdin().lock())?;
    super::print(&crate::yaml::emit_document(&merged))?;
    Ok(ExitStatus::Success)
}
