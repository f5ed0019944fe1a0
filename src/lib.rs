//! ktera: render Kubernetes manifests from a chart of Tera templates and per-environment values.
//!
//! Data flows one way: load ([`chart`]) -> merge values ([`values`]) -> render ([`render`]) ->
//! parse and order ([`manifest`]) -> emit ([`yaml`]). [`diff`] compares two manifest sets.

pub mod chart;
pub mod cli;
pub mod diff;
pub mod edit;
pub mod lint;
pub mod manifest;
pub mod render;
pub mod values;
pub mod yaml;
