//! Plain `y`, `yes`, `on`, `n`, `no`, `off` (lower, capitalised or upper case) in a values file:
//! Helm reads values files as YAML 1.1, where these words are booleans; ktera reads YAML 1.2,
//! where they are strings, and a string is true in an `if` (`enabled: no` turns the feature
//! on). `ktera convert` reports them in values.yaml and in `--verify -f` files, `ktera lint`
//! in the chart's values.yaml and `-f` files; each is found here, once.

use serde_yaml::Value;

use super::Segment;

/// One plain YAML 1.1 boolean word where a values file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Yaml11Boolean {
    pub line: usize,
    pub column: usize,
    /// As written: `no`.
    pub word: String,
    /// What Helm reads it as.
    pub helm: bool,
    /// On the last word listed: how many more the file holds, not listed ([`MAX_LISTED`]).
    pub more: usize,
}

impl Yaml11Boolean {
    /// What differs and what to write instead.
    pub fn message(&self) -> String {
        let mut message = format!(
            "Helm reads `{0}` as the boolean {1} (YAML 1.1); ktera reads the string \"{0}\", which an `if` takes as true: write {1}, or quote it if a string is meant",
            self.word, self.helm
        );
        if self.more > 0 {
            message.push_str(&format!(
                " ({} more plain yes/no/on/off/y/n values follow in this file, not listed)",
                self.more
            ));
        }
        message
    }
}

/// Every plain boolean word of each values file, given as (name, text), with the file's name.
/// A file that is not a values document is an error, as rendering with it would be.
pub fn yaml11_booleans_in_files(
    files: &[(String, String)],
) -> Result<Vec<(String, Yaml11Boolean)>, crate::error::Error> {
    let mut found = Vec::new();
    for (name, text) in files {
        let values = super::parse_values(text, name)?;
        found.extend(
            yaml11_booleans(&values, text)
                .into_iter()
                .map(|b| (name.clone(), b)),
        );
    }
    Ok(found)
}

/// go-yaml v2's (Helm's reader's) boolean words; `yEs` and `oFF` are strings there too.
const TRUE: [&str; 8] = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"];
const FALSE: [&str; 8] = ["n", "N", "no", "No", "NO", "off", "Off", "OFF"];

/// How many words of one file are listed: each is found by reading the file again up to it, so
/// a file of thousands of them would take minutes; the rest are counted on the last one listed.
pub const MAX_LISTED: usize = 25;

/// Every plain boolean word among the values of `values`, read from `text`, in file order (the
/// first [`MAX_LISTED`]). Quoted words and block text are strings for Helm too, and are left out.
pub fn yaml11_booleans(values: &Value, text: &str) -> Vec<Yaml11Boolean> {
    let mut found: Vec<Yaml11Boolean> = Vec::new();
    let mut unlisted = 0;
    for (path, word, helm) in boolean_words(values) {
        if found.len() == MAX_LISTED {
            unlisted += 1;
            continue;
        }
        let Some((line, mut column)) = crate::yaml::locate(text, &path) else {
            continue;
        };
        let node: String = text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or_default()
            .chars()
            .skip(column.saturating_sub(1))
            .collect();
        // An anchored node (`&x no`) starts at its anchor: the word follows it.
        let mut written = node.as_str();
        if let Some(anchored) = written.strip_prefix('&') {
            let name = anchored.find([' ', '\t']).unwrap_or(anchored.len());
            written = anchored[name..].trim_start_matches([' ', '\t']);
            column += node[..node.len() - written.len()].chars().count();
        }
        // An alias (`b: *x`) is found where its anchor's word stands: once is enough.
        if written.starts_with(word) && !found.iter().any(|b| (b.line, b.column) == (line, column))
        {
            found.push(Yaml11Boolean {
                line,
                column,
                word: word.to_string(),
                helm,
                more: 0,
            });
        }
    }
    found.sort_by_key(|b| (b.line, b.column));
    if let Some(last) = found.last_mut() {
        last.more = unlisted;
    }
    found
}

/// The string values that are YAML 1.1 boolean words, with their paths, in document order.
fn boolean_words(values: &Value) -> Vec<(Vec<Segment>, &str, bool)> {
    let mut words = Vec::new();
    let mut todo = vec![(values, Vec::new())];
    while let Some((value, path)) = todo.pop() {
        match value {
            // Children go on the stack last first, so that they come off in document order.
            Value::Mapping(map) => {
                let entries: Vec<_> = map.iter().collect();
                for (key, child) in entries.into_iter().rev() {
                    if let Some(key) = key.as_str() {
                        let mut at = path.clone();
                        at.push(Segment::Key(key.to_string()));
                        todo.push((child, at));
                    }
                }
            }
            Value::Sequence(items) => {
                for (i, child) in items.iter().enumerate().rev() {
                    let mut at = path.clone();
                    at.push(Segment::Index(i));
                    todo.push((child, at));
                }
            }
            Value::String(word) => {
                if TRUE.contains(&word.as_str()) {
                    words.push((path, word.as_str(), true));
                } else if FALSE.contains(&word.as_str()) {
                    words.push((path, word.as_str(), false));
                }
            }
            _ => {}
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::yaml11_booleans;

    /// (line, column, word, what Helm reads) of each word found in `text`.
    fn found(text: &str) -> Vec<(usize, usize, String, bool)> {
        let values = crate::values::parse_values(text, "values.yaml").expect("values");
        yaml11_booleans(&values, text)
            .into_iter()
            .map(|b| (b.line, b.column, b.word, b.helm))
            .collect()
    }

    #[test]
    fn plain_words_are_found_where_they_stand() {
        let text =
            "enabled: no\nname: \"no\"\nmode: On\nodd: oFF\nlist:\n  - off\ntext: |\n  yes\n";
        assert_eq!(
            found(text),
            [
                (1, 10, "no".to_string(), false),
                (3, 7, "On".to_string(), true),
                (6, 5, "off".to_string(), false)
            ]
        );
    }

    #[test]
    fn past_the_listed_number_the_rest_are_counted_on_the_last() {
        let text = format!(
            "on: first\nlist:\n{}",
            "  - no\n".repeat(super::MAX_LISTED + 5)
        );
        let values = crate::values::parse_values(&text, "values.yaml").expect("values");
        let found = yaml11_booleans(&values, &text);
        assert_eq!(found.len(), super::MAX_LISTED);
        assert_eq!((found[0].line, found[0].column), (3, 5));
        let last = found.last().expect("listed");
        assert_eq!((last.line, last.more), (super::MAX_LISTED + 2, 5));
        assert!(
            last.message().ends_with(
                "(5 more plain yes/no/on/off/y/n values follow in this file, not listed)"
            ),
            "{}",
            last.message()
        );
        assert_eq!(found[0].more, 0);
    }

    #[test]
    fn an_anchored_word_is_found_at_the_word() {
        // Helm 3.17.3 reads a, b (its alias) and e[0] as booleans, f as a string; the alias is
        // the anchored word, reported once where it is written.
        let text = "a: &x no\nb: *x\ne:\n  - &y  yes\nf: &z !!str no\n";
        assert_eq!(
            found(text),
            [
                (1, 7, "no".to_string(), false),
                (4, 9, "yes".to_string(), true)
            ]
        );
    }
}
