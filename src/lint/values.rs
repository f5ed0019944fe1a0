//! Checks of the values files themselves, before anything is rendered: a plain `no`, `off`,
//! `yes`, `on`, `y` or `n` is a boolean for Helm and for every YAML 1.1 reader, and a string for
//! ktera (true in an `if`): a warning where it stands, with what to write instead.

use super::finding::{Finding, Severity, ValuesPlace};
use crate::error::Error;

/// The findings of the values files given as (name, text), in file order.
pub fn check(files: &[(String, String)]) -> Result<Vec<Finding>, Error> {
    Ok(crate::values::yaml11_booleans_in_files(files)?
        .into_iter()
        .map(|(file, b)| {
            let place = ValuesPlace {
                file,
                line: b.line,
                column: b.column,
            };
            Finding::in_values(Severity::Warning, place, b.message())
        })
        .collect())
}
