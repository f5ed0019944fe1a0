//! ktera: render Kubernetes manifests from a chart of Tera templates and per-environment values.
//!
//! Data flows one way (docs/architecture.md draws it):
//!
//! ```text
//! load chart -> merge values -> render -> split/parse -> order -> emit
//!  [chart]       [values]      [engine]    [manifest]   [manifest]  [yaml, output]
//! ```
//!
//! [`pipeline`] runs it for one chart and one [`release`]; [`project`] plans and runs it for
//! every release of `ktera.yaml`. Beside it stand libraries that take manifests or files and
//! know nothing of the command line: [`diff`] (semantic comparison), [`lint`] (Kubernetes
//! schemas and cross-object checks), [`edit`] (`ktera set` on a values file), and the bridge in
//! from Helm, [`convert`] (Go templates to Tera). [`commands`] is
//! the only module that reads [`cli`] types or prints; `main.rs` runs one command. Every layer
//! returns the one [`error::Error`], placed in the user's file by a [`diagnostic::Diagnostic`];
//! `main.rs` alone prints it and picks the exit code.

// The lint holds everywhere but in the memory cap's allocator wrapper (`memory`), which allows itself.
#![deny(unsafe_code)]

pub mod chart;
pub mod cli;
pub mod commands;
pub mod convert;
pub mod diagnostic;
pub mod diff;
pub mod edit;
pub mod engine;
pub mod error;
pub mod import;
pub mod input;
pub mod json;
pub mod kustomize;
pub mod lint;
pub mod manifest;
pub mod memory;
pub mod output;
pub mod pipeline;
pub mod pool;
pub mod project;
pub mod release;
pub mod remote;
pub mod secret;
pub mod values;
pub mod yaml;
