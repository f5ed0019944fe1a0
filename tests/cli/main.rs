//! The integration tests, one test binary with a module per command or concern (as ripgrep and
//! just keep theirs): every test file linking the whole crate on its own made 21 binaries to
//! link after each change (docs/performance.md, "Test build").
//!
//! Most modules run the real `ktera` binary on files in temporary directories; `regressions`,
//! `values_properties`, `helm::values` and `yaml` call the library. Fixtures stay beside this
//! folder: `tests/fixtures/`, `tests/golden/`, `tests/bad-inputs/`.

mod common;

mod argocd_plugin;
mod bad_inputs;
mod chart_model;
mod color;
mod compare;
mod completion;
mod convert;
mod create;
mod dependency;
mod diff;
mod docs_examples;
mod engine;
mod errors;
mod example_kinds;
mod gitlab_ci;
mod golden;
mod habits;
mod helm;
mod import;
mod lint;
mod package;
mod pre_commit;
mod project_schema;
mod pull_push;
mod regressions;
mod render;
mod renovate;
mod set;
mod skips;
mod template;
mod values_properties;
mod version;
mod yaml;
