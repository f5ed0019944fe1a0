//! Loading values documents (values.yaml, `-f` files) into plain data: string keys, no tags,
//! finite numbers, integers kept exact, YAML merge keys (`<<`) applied, duplicate keys refused.
//!
//! The document is read as YAML 1.2 (`yes`, `on`, `y`, `0755` stay strings), and a custom
//! serde visitor builds the value so that each refusal is reported where the offending node
//! is: serde_yaml attaches the position of the node being visited to a visitor's error.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_yaml::{Mapping, Value};

use crate::diagnostic;
use crate::error::Error;
use crate::input;
use crate::yaml::{Keys, read_document};

/// Starts a message raised from inside the visitor, so it can be told from serde_yaml's own
/// and its path prefix dropped (the snippet already shows the place). A newline in the
/// message separates the hint.
const OWN: char = '\u{1}';

/// serde_yaml's nesting limit, which it checks only after parsing the whole document.
const MAX_DEPTH: usize = 128;

/// Parses a values document (values.yaml or a -f file). `origin` is the path shown in errors.
///
/// An empty or comment-only document is an empty mapping. The top level must be a mapping.
pub fn parse_values(text: &str, origin: &str) -> Result<Value, Error> {
    // libyaml misreads a document after a byte order mark as several documents.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() as u64 > input::MAX_INPUT_BYTES {
        return Err(input::too_large(origin));
    }
    // The fast reader takes the common documents; the rest, and every error, go to serde_yaml.
    match read_document(text, Keys::Strings) {
        Some(Value::Null) => Ok(Value::Mapping(Mapping::new())),
        Some(value @ Value::Mapping(_)) => Ok(value),
        _ => parse_values_with_serde_yaml(text, origin),
    }
}

/// [`parse_values`] without the fast reader: what the fast reader's answers are tested against.
#[doc(hidden)]
pub fn parse_values_with_serde_yaml(text: &str, origin: &str) -> Result<Value, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some((line, column)) = crate::yaml::too_deep_flow(text, MAX_DEPTH) {
        return Err(
            Error::input(format!("values nest deeper than {MAX_DEPTH} levels"))
                .in_text(origin, text, line, column)
                .with_hint("flatten the structure"),
        );
    }
    let value = ValueSeed
        .deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(|err| yaml_error(text, origin, &err))?;
    match value {
        Value::Null => Ok(Value::Mapping(Mapping::new())),
        Value::Mapping(_) => Ok(value),
        other => {
            let (line, column) = first_content(text);
            Err(Error::input(format!(
                "the top level is {}, but values must be a mapping of names to values",
                describe(&other)
            ))
            .in_text(origin, text, line, column)
            .with_hint("write `name: value` pairs at the top level, as in `replicas: 2`"))
        }
    }
}

/// Reads and parses a values file; the error names the path when it cannot be read, is larger
/// than [`input::MAX_INPUT_BYTES`] or is not UTF-8.
pub fn load_values_file(path: &Path) -> Result<Value, Error> {
    parse_values(&read_values_text(path)?, &path.display().to_string())
}

/// A values file's text, not parsed.
pub fn read_values_text(path: &Path) -> Result<String, Error> {
    let shown = path.display().to_string();
    input::read_file_text(path).map_err(|f| {
        f.error_or(&shown, |e| {
            Error::io(format!("cannot read values file {shown}: {e}"), e)
        })
    })
}

fn yaml_error(text: &str, origin: &str, err: &serde_yaml::Error) -> Error {
    let location = err.location().map(|l| (l.line(), l.column()));
    let mut full = err.to_string();
    if let Some((line, column)) = location {
        full = full.replacen(&format!(" at line {line} column {column}"), "", 1);
    }
    // libyaml names where the enclosing construct began: "while parsing X at line L ...".
    if let Some(at) = full.find(", while ") {
        let (head, tail) = full.split_at(at);
        full = format!(
            "{head}{}",
            tail.replacen(" at line ", " that starts at line ", 1)
        );
    }
    let (message, hint) = match full.split_once(OWN) {
        Some((_path, own)) => match own.split_once('\n') {
            Some((message, hint)) => (message.to_string(), hint.to_string()),
            None => (own.to_string(), String::new()),
        },
        None => {
            let hint = hint_for(&full);
            (full, hint)
        }
    };
    let error = Error::input(message).with_hint(hint);
    match location.map(|(line, column)| diagnostic::within_text(text, line, column)) {
        Some((line, column)) => error.in_text(origin, text, line, column),
        None => error.in_file(origin),
    }
}

/// Advice for serde_yaml's and libyaml's own messages.
fn hint_for(message: &str) -> String {
    let hint = if message.contains("recursion limit") {
        "values nest deeper than 128 levels; flatten the structure"
    } else if message.contains("repetition limit") {
        "aliases expand to too much data; write the repeated values out or use fewer aliases"
    } else if message.contains("more than one document") {
        "a values file holds one YAML document: remove the `---` separators or split the file"
    } else if message.contains("tab character") {
        "YAML indents with spaces only: replace the tab with spaces"
    } else if message.contains("cannot start any token") {
        "YAML does not allow this character here (tabs cannot indent; quote values starting \
         with `@`, `` ` `` or `%`)"
    } else if message.contains("unknown anchor") {
        "define the anchor (`&name`) before the alias (`*name`) that uses it"
    } else {
        "fix the YAML here: check the indentation, a missing `:`, or an unclosed quote or bracket"
    };
    hint.to_string()
}

/// Line and column of the first line that holds data, for errors about the whole document.
fn first_content(text: &str) -> (usize, usize) {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start_matches('\u{feff}').trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('%') {
            continue;
        }
        if trimmed.starts_with("---") && trimmed[3..].trim().is_empty() {
            continue;
        }
        let column = line.chars().count() - trimmed.chars().count() + 1;
        return (index + 1, column);
    }
    (1, 1)
}

/// What a values node is, in words: "a list", "a mapping".
pub(super) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn own<E: de::Error>(message: &str, hint: &str) -> E {
    E::custom(format!("{OWN}{message}\n{hint}"))
}

/// Builds a values node. Tags are dropped (Helm ignores them too), keeping the tagged value.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a values node")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Err(too_big(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Err(too_big(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        if v.is_finite() {
            Ok(Value::from(v))
        } else {
            Err(own(
                "infinity and NaN cannot be values (JSON and Kubernetes have no such numbers)",
                "quote it to keep it as a string, as in \".inf\"",
            ))
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        ValueSeed.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(ValueSeed)? {
            items.push(item);
        }
        Ok(Value::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Mapping::new();
        // Keys written in this mapping; keys brought in by `<<` may be overridden by them.
        let mut written: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key_seed(KeySeed { written: &written })? {
            let value = map.next_value_seed(ValueSeed)?;
            if key == "<<" {
                merge_key(&mut out, &written, value)?;
            } else {
                written.insert(key.clone());
                out.insert(Value::String(key), value);
            }
        }
        Ok(Value::Mapping(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, variant): (de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant_seed(ValueSeed)
    }
}

fn too_big<E: de::Error>(v: impl fmt::Display) -> E {
    own(
        &format!("the integer {v} does not fit in 64 bits"),
        &format!("quote it to keep it as a string, as in \"{v}\""),
    )
}

/// Applies a YAML merge key: the entries of the mapping (or of each mapping in a list, the
/// first winning) that this mapping does not already have. Keys written later still override.
fn merge_key<E: de::Error>(
    out: &mut Mapping,
    written: &HashSet<String>,
    value: Value,
) -> Result<(), E> {
    let sources = match value {
        Value::Mapping(m) => vec![m],
        Value::Sequence(items) => {
            let mut maps = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Mapping(m) => maps.push(m),
                    _ => return Err(merge_key_error()),
                }
            }
            maps
        }
        _ => return Err(merge_key_error()),
    };
    for source in sources {
        for (k, v) in source {
            let taken = k.as_str().is_some_and(|k| written.contains(k)) || out.contains_key(&k);
            if !taken {
                out.insert(k, v);
            }
        }
    }
    Ok(())
}

fn merge_key_error<E: de::Error>() -> E {
    own(
        "the merge key `<<` in this mapping takes a mapping or a list of mappings",
        "write `<<: *anchor` or `<<: [*a, *b]`, or quote \"<<\" to use it as a plain key",
    )
}

/// Reads a mapping key as a string, as Helm does (`200:` and `true:` become "200" and "true"),
/// refusing keys that are null, lists or mappings, and keys already written in this mapping.
struct KeySeed<'a> {
    written: &'a HashSet<String>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl KeySeed<'_> {
    fn check<E: de::Error>(&self, key: String) -> Result<String, E> {
        if key != "<<" && self.written.contains(&key) {
            return Err(own(
                &format!("duplicate key `{key}`: it is already set in this mapping"),
                "each key may appear once in a mapping: remove or rename one of them",
            ));
        }
        Ok(key)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.check(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        self.check(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Err(own(
            "a key cannot be null (empty, `~` or `null`)",
            "write a name before the `:`, or quote it (\"null\") to use it as a name",
        ))
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<String, A::Error> {
        Err(complex_key())
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<String, A::Error> {
        Err(complex_key())
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (_tag, variant): (de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}

fn complex_key<E: de::Error>() -> E {
    own(
        "a key must be a name, not a list or a mapping",
        "use a plain name as the key, as in `name: value`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Value {
        match parse_values(text, "v.yaml") {
            Ok(v) => v,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    fn error(text: &str) -> String {
        match parse_values(text, "v.yaml") {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_and_comment_only_are_empty_mappings() {
        for text in ["", "\n", "# only a comment\n", "---\n", "~\n"] {
            assert_eq!(parse(text), Value::Mapping(Mapping::new()), "{text:?}");
        }
    }

    #[test]
    fn keeps_written_order_and_exact_integers() {
        let v = parse("z: 1000000\na: 9007199254740993\nm: -42\n");
        let keys: Vec<_> = v
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, [Some("z"), Some("a"), Some("m")]);
        assert_eq!(v["z"].as_u64(), Some(1_000_000));
        assert_eq!(v["a"].as_u64(), Some(9_007_199_254_740_993));
        assert_eq!(v["m"].as_i64(), Some(-42));
    }

    #[test]
    fn yaml_1_1_forms_stay_strings() {
        let v = parse("y: yes\nn: on\nmode: 0755\nsep: 1_000\n");
        assert_eq!(v["y"], Value::from("yes"));
        assert_eq!(v["n"], Value::from("on"));
        assert_eq!(v["mode"], Value::from("0755"));
        assert_eq!(v["sep"], Value::from("1_000"));
    }

    #[test]
    fn scalar_keys_become_strings() {
        let v = parse("200: ok\ntrue: t\n1.5: f\n-3: n\n");
        let keys: Vec<_> = v
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(keys, ["200", "true", "1.5", "-3"].map(Value::from));
    }

    #[test]
    fn tags_are_dropped() {
        let v = parse("a: !custom {x: 1}\nb: !!str 12\nc: !thing 3\n");
        assert_eq!(v["a"]["x"].as_u64(), Some(1));
        assert_eq!(v["b"], Value::from("12"));
        assert_eq!(v["c"].as_u64(), Some(3));
    }

    #[test]
    fn merge_keys_apply_and_written_keys_win() {
        let v = parse(
            "base: &b {cpu: 1, mem: 2}\nweb:\n  <<: *b\n  mem: 3\nmany:\n  <<: [{a: 1}, {a: 2, b: 2}]\n",
        );
        assert_eq!(v["web"]["cpu"].as_u64(), Some(1));
        assert_eq!(v["web"]["mem"].as_u64(), Some(3));
        assert_eq!(v["many"]["a"].as_u64(), Some(1));
        assert_eq!(v["many"]["b"].as_u64(), Some(2));
        assert!(error("a:\n  <<: 1\n").contains("merge key"));
    }

    #[test]
    fn duplicate_key_points_at_the_second() {
        let e = error("a: 1\nb:\n  c: 1\n  c: 2\n");
        assert!(e.starts_with("v.yaml:4:3: duplicate key `c`"), "{e}");
        assert!(e.contains("4 |   c: 2"), "{e}");
        // After normalisation, 1 and "1" are the same key.
        assert!(error("1: a\n\"1\": b\n").contains("duplicate key `1`"));
    }

    #[test]
    fn refusals_name_the_place() {
        let e = error("a: 1\nbig: 99999999999999999999\n");
        assert!(
            e.starts_with("v.yaml:2:6: the integer 99999999999999999999 does not fit"),
            "{e}"
        );
        assert!(e.contains("quote it"), "{e}");
        assert!(error("x: .inf\n").starts_with("v.yaml:1:4: infinity and NaN"));
        assert!(error("ok: 1\n~: c\n").starts_with("v.yaml:2:1: a key cannot be null"));
        assert!(error("? [1, 2]\n: x\n").contains("a key must be a name"));
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let e = error("# list\n- 1\n- 2\n");
        assert!(e.starts_with("v.yaml:2:1: the top level is a list"), "{e}");
        assert!(error("just text").contains("the top level is a string"));
    }

    #[test]
    fn syntax_errors_show_the_line() {
        let e = error("a: 1\nb: [1, 2\n");
        assert!(e.starts_with("v.yaml:"), "{e}");
        assert!(e.contains("2 | b: [1, 2"), "{e}");
        assert!(
            e.contains("flow sequence that starts at line 2 column 4"),
            "{e}"
        );
    }

    #[test]
    fn crlf_and_bom_are_read() {
        let v = parse("\u{feff}a: 1\r\nb: x\r\n");
        assert_eq!(v["b"], Value::from("x"));
        assert_eq!(parse("\u{feff}a: 1\nb: x\n")["b"], Value::from("x"));
        let e = error("a: 1\r\nb: [\r\n");
        assert!(e.contains("1 | a: 1") || e.contains("2 | b: ["), "{e}");
        assert!(!e.contains('\r'), "{e:?}");
    }

    #[test]
    fn tabs_are_explained() {
        let e = error("a: 1\n\tb: 2\n");
        assert!(e.starts_with("v.yaml:2:1: found a tab character"), "{e}");
        assert!(
            e.contains("plain scalar that starts at line 1 column 4"),
            "{e}"
        );
        assert!(e.contains("replace the tab with spaces"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("a: {}", "[".repeat(10_000));
        assert!(error(&text).contains("values nest deeper than 128 levels"));
        // Block nesting is left to serde_yaml's own limit.
        let block = format!("a:\n{}x", "- ".repeat(10_000));
        assert!(error(&block).contains("recursion limit"));
    }

    #[test]
    fn deep_flow_nesting_is_refused_quickly() {
        let e = error(&format!("a: 1\nb: {}", "{a: ".repeat(1_000_000)));
        assert!(
            e.starts_with("v.yaml:2:516: values nest deeper than 128 levels"),
            "{e}"
        );
        assert!(e.len() < 500, "the snippet must not print the whole line");
        // Brackets inside scalars, quotes and comments do not count.
        let inside = "[".repeat(200);
        let text = format!("a: x{inside}\nb: '{inside}'\nc: \"{inside}\"\n# {inside}\nd: [[1]]\n");
        assert_eq!(
            parse(&text)["d"],
            serde_yaml::from_str::<Value>("[[1]]").unwrap_or(Value::Null)
        );
        // Nor inside block scalars, through the path that does not use the fast reader (the
        // anchor sends it there); brackets after the scalar still do.
        let block = format!("e: &x 1\na: |\n  {inside}\n\n  {inside}\nb: >-\n    {inside}\nc: 1\n");
        assert!(parse_values_with_serde_yaml(&block, "v.yaml").is_ok());
        assert!(crate::yaml::too_deep_flow(&format!("{block}d: {inside}"), MAX_DEPTH).is_some());
        let wide =
            format!("e: &x 1\né: |\n  é{inside}\n") + &format!("{}\n", "a: |x: >y: ".repeat(1000));
        assert!(crate::yaml::too_deep_flow(&wide, MAX_DEPTH).is_none());
    }

    proptest::proptest! {
        /// The depth scan only refuses what serde_yaml would refuse too.
        #[test]
        fn depth_scan_has_no_false_alarms(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "[", "[", "[", "[", "[", "[", "[", "[", "[", "[", "[", "[", "{a: ", "{a: ", "{a: ", "{a: ", "{a: ", "{a: ", "{a: ", "{a: ", "]", "{a: ", "}", "x[", "a[0]", ": ", "- ", "'[", "'", "\"[\"", "# [", "\n",
                "\n  ", ", ", "k: |\n  [", "\"", "\\", "é: >-\n   é[", "|", "> # c\n", "\n\n   ",
            ]),
            300..1200,
        )) {
            let text = parts.concat();
            // Weighted towards openers, so that about half the inputs go too deep.
            if crate::yaml::too_deep_flow(&text, MAX_DEPTH).is_some() {
                proptest::prop_assert!(serde_yaml::from_str::<Value>(&text).is_err(), "{text:?}");
            }
        }
    }

    #[test]
    fn errors_at_the_end_name_the_last_line() {
        let e = error("a: 1\nb: [\n");
        assert!(e.starts_with("v.yaml:2:5: "), "{e}");
        assert!(e.contains("2 | b: [\n  |     ^"), "{e}");
    }

    #[test]
    fn oversized_values_are_refused_before_parsing() {
        let limit = usize::try_from(input::MAX_INPUT_BYTES).unwrap_or(usize::MAX);
        let text = format!("a: {}\n", "x".repeat(limit));
        assert!(error(&text).starts_with("v.yaml: larger than 256 MiB"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(error(&text).contains("repetition limit"));
    }

    #[test]
    fn several_documents_are_refused() {
        assert!(error("a: 1\n---\nb: 2\n").contains("---"));
    }

    #[test]
    fn unreadable_and_non_utf8_files_name_the_path() {
        let dir = std::env::temp_dir().join(format!("ktera-values-parse-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let missing = dir.join("missing.yaml");
        let e = load_values_file(&missing)
            .map(|_| ())
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("missing.yaml")));
        let latin1 = dir.join("latin1.yaml");
        let _ = std::fs::write(&latin1, b"a: 1\nb: caf\xe9\n");
        let e = load_values_file(&latin1)
            .map(|_| ())
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("latin1.yaml:2:7: not UTF-8")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
