//! The YAML layer: what the emitter writes reads back the same (`roundtrip`), and the fast reader
//! reads what it takes as serde_yaml does (`reader`).

mod reader;
mod roundtrip;
