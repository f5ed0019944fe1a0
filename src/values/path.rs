//! A path to a node of a YAML document by mapping keys and list indexes, as `--set` writes it:
//! `image.tag`, `hosts[0].name`, `a\.b`. `ktera set` edits values files at such paths, and
//! ktera.yaml's errors are located by them.
//!
//! Its own type, not the field paths of diff and lint reports ([`crate::diff::FieldPath`]):
//! every path here is one `--set` can write, which cannot pick a list item by a field
//! (`containers[name=web]`) or hold a key that is not a string.

use std::fmt;

/// One step of a key path: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path as the user writes it: `image.tag`, `hosts[0].name`, `a\.b`.
pub struct PathDisplay<'a>(pub &'a [Segment]);

impl fmt::Display for PathDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    for c in key.chars() {
                        if matches!(c, '.' | '[' | ']' | '=' | ',' | '\\') {
                            f.write_str("\\")?;
                        }
                        write!(f, "{c}")?;
                    }
                }
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}
