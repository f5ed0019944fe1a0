//! `ktera render` (being written).

use crate::error::Error;

pub fn run(_args: &crate::cli::RenderArgs) -> Result<(), Error> {
    Err(Error::Other("ktera render is not available yet".into()))
}
