//! The error of a whole command: each layer's error, converted at the edge, and its exit code.

use crate::chart::ChartError;
use crate::engine::RenderError;
use crate::manifest::ManifestError;
use crate::output::OutputError;
use crate::values::ValuesError;

/// Exit code for errors in the inputs (chart, values, templates, rendered YAML, files).
pub const EXIT_ERROR: u8 = 1;
/// Exit code for usage errors (bad flags or arguments).
pub const EXIT_USAGE: u8 = 2;

/// Each layer's error is boxed: they carry reports, and results stay small on the happy path.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Chart(Box<ChartError>),
    #[error(transparent)]
    Values(Box<ValuesError>),
    #[error(transparent)]
    Render(Box<RenderError>),
    #[error(transparent)]
    Manifest(Box<ManifestError>),
    #[error(transparent)]
    Output(Box<OutputError>),
    #[error(transparent)]
    Edit(Box<crate::edit::EditError>),
    /// A problem with the command line itself.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
}

macro_rules! boxed_from {
    ($($variant:ident($error:ty)),* $(,)?) => {
        $(impl From<$error> for Error {
            fn from(e: $error) -> Self {
                Error::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Chart(ChartError),
    Values(ValuesError),
    Render(RenderError),
    Manifest(ManifestError),
    Output(OutputError),
    Edit(crate::edit::EditError),
);

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            _ => EXIT_ERROR,
        }
    }
}
