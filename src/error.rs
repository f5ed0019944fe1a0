//! The error of a whole command: each layer's error, converted at the edge, and its exit code.

use crate::chart::ChartError;
use crate::manifest::ManifestError;
use crate::output::OutputError;
use crate::render::RenderError;
use crate::values::ValuesError;

/// Exit code for errors in the inputs (chart, values, templates, rendered YAML, files).
pub const EXIT_ERROR: u8 = 1;
/// Exit code for usage errors (bad flags or arguments).
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Values(#[from] ValuesError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A problem with the command line itself.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            _ => EXIT_ERROR,
        }
    }
}
