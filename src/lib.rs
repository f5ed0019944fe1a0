//! ktera: render Kubernetes manifests from a chart of Tera templates and per-environment values.
//!
//! Data flows one way: load ([`chart`]) -> merge values ([`values`]) -> render ([`render`]) ->
//! parse and order ([`manifest`]) -> emit ([`yaml`], [`output`]). [`diff`] compares two manifest
//! sets; [`commands`] holds one function per command.

// Only the memory cap's allocator wrapper (`memory`) may use `unsafe`.
#![deny(unsafe_code)]

pub mod chart;
pub mod cli;
pub mod commands;
pub mod convert;
pub mod diagnostic;
pub mod diff;
pub mod edit;
pub mod error;
pub mod kustomize;
pub mod lint;
pub mod manifest;
pub mod memory;
pub mod output;
pub mod parallel;
pub mod pipeline;
pub mod project;
pub mod release;
pub mod render;
pub mod values;
pub mod yaml;
