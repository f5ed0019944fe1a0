//! `ktera set` (being written).

use crate::error::Error;

pub fn run(_args: &crate::cli::SetArgs) -> Result<(), Error> {
    Err(Error::Other("ktera set is not available yet".into()))
}
