//! A project: the environments of `ktera.yaml`, the releases each one renders, and the tree of
//! rendered files they go to (`ktera render`).
//!
//! - `file` reads and checks the project file;
//! - [`plan`] decides what to render (environments × releases, each chart compiled once) and
//!   renders it on all cores;
//! - `secrets` keeps Secret data out of the committed tree;
//! - [`tree`] is the output tree: what ktera wrote before, checking it against a fresh render,
//!   writing it all or nothing and pruning what is gone;
//! - [`report`] says what happened, as text or JSON.

mod file;
pub mod plan;
pub mod report;
mod secrets;
pub mod tree;

pub use file::{DEFAULT_OUTPUT, Environment, Project, ReleaseSpec, check_env_name};
