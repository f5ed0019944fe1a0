//! What can go wrong while reading the two sides. Messages name the file and the place, and never
//! quote the content of a document (it may be a Secret).

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(
        "{path}: no such file or directory; pass a manifest file, a directory of .yaml/.yml \
         files, or - for standard input"
    )]
    NotFound { path: String },

    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("{path}: the directory holds no .yaml or .yml file; pass a directory of manifests")]
    EmptyDirectory { path: String },

    #[error("{path} is {what}, not rendered manifests; {hint}")]
    SourceDirectory {
        path: String,
        what: &'static str,
        hint: String,
    },

    #[error("both sides are - (standard input); at most one side can be read from standard input")]
    StdinTwice,

    #[error("{origin}:{line}:{column}: not valid UTF-8; save the file as UTF-8")]
    NotUtf8 {
        origin: String,
        line: usize,
        column: usize,
    },

    #[error("{origin}:{line}:{column}: invalid YAML: {message}; fix the document and run again")]
    Yaml {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error(
        "{id} is defined twice, at {first} and at {second}; a manifest set defines each object \
         once: remove or rename one of them"
    )]
    DuplicateObject {
        id: String,
        first: String,
        second: String,
    },

    #[error("cannot write the report: {0}")]
    Output(#[source] io::Error),
}
