//! `ktera convert`: Helm charts (Go `text/template` with Sprig and Helm's functions) to ktera
//! charts (Tera 2). This is its first half: a faithful reader of Go templates and the scope
//! analysis the translation needs. `docs/convert.md` describes the translation.
//!
//! - [`parse`]: one file to a tree ([`ast`]) with lines and columns, accepting exactly what
//!   Helm's Go parser accepts; its [`Error`](crate::error::Error) says where and what to do
//!   otherwise.
//! - [`print`]: a tree back to Go template text (it parses to the same tree), and the compact
//!   form the tests compare.
//! - [`scope`]: for a whole chart (subcharts included, as Helm shares `define`s among them),
//!   what `.`, `$` and each variable hold at every use, and what each `define` is called with.
//! - [`functions`]: the names of the functions a Helm template can call.

pub mod ast;
pub mod chart;
pub mod emit;
pub mod functions;
mod lex;
mod literal;
pub mod parse;
pub mod print;
pub(crate) mod render_order;
pub mod report;
pub mod runtime;
pub mod scope;
pub mod source;
mod values_stage;
pub mod verify;

pub use parse::parse;

#[cfg(test)]
mod tests;
