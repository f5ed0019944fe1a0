//! Tera expressions as the emitter builds them: the text, how tightly it binds (so that an
//! operand is put in parentheses only where Tera would read it otherwise), and what it is known
//! to hold (so that a print or a concatenation is written plainly where that is safe).

/// Binding strength of a Tera expression, as Tera's parser ranks operators (higher binds
/// tighter). A filter (`x | f`) binds tighter than every binary operator.
pub const ATOM: u8 = 100;
pub const FILTER: u8 = 17;
pub const MUL: u8 = 13;
pub const ADD: u8 = 11;
pub const CMP: u8 = 7;
/// `in`, `is`, and prefix `not`.
pub const TEST: u8 = 5;
pub const AND: u8 = 3;
pub const OR: u8 = 1;
pub const TERNARY: u8 = 0;

/// A Masterminds version, as Helm's templates hold one: `semver` gives a pointer
/// (`*semver.Version`), `IncMajor`, `IncMinor` and `IncPatch` give a value (`semver.Version`), on
/// which a template can call none of the pointer methods (`Original`, `Compare`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Pointer,
    Value,
}

impl Version {
    /// Go's name of the type, as Helm's error names it.
    fn go_type(self) -> &'static str {
        match self {
            Version::Pointer => "*semver.Version",
            Version::Value => "semver.Version",
        }
    }

    /// Whether Helm's template can read `name` of such a version without arguments (methods
    /// with arguments, such as `Compare`, are calls: see the emitter's `method`).
    fn has(self, name: &str) -> bool {
        const VALUE: [&str; 14] = [
            "Major",
            "Minor",
            "Patch",
            "Prerelease",
            "Metadata",
            "String",
            "IncMajor",
            "IncMinor",
            "IncPatch",
            "SetPrerelease",
            "SetMetadata",
            "MarshalJSON",
            "MarshalText",
            "Value",
        ];
        const POINTER: [&str; 10] = [
            "Original",
            "Compare",
            "LessThan",
            "LessThanEqual",
            "GreaterThan",
            "GreaterThanEqual",
            "Equal",
            "Scan",
            "UnmarshalJSON",
            "UnmarshalText",
        ];
        VALUE.contains(&name) || self == Version::Pointer && POINTER.contains(&name)
    }

    /// Helm's error for a field or method the version does not have, or `None`.
    pub fn missing(self, name: &str) -> Option<String> {
        (!self.has(name)).then(|| format!("can't evaluate field {name} in type {}", self.go_type()))
    }
}

/// What a value is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Float,
    Bool,
    /// A number read from a values file: printed as written.
    Number,
    List,
    Map,
    Nil,
    /// Anything, as far as the template tells.
    Any,
}

#[derive(Debug, Clone)]
pub struct T {
    pub text: String,
    pub prec: u8,
    pub kind: Kind,
    /// It may be undefined or null (a missing value, `index` of a missing key, ...).
    pub nullable: bool,
    /// A name with attribute accesses (`Values.image`, `host`): `.field` can follow it.
    pub path: bool,
    /// A list that is never null (a list literal, `until`, `split`): `range` needs no `items`.
    pub sure_list: bool,
    /// A version `semver` or an `Inc...` method gave.
    pub version: Option<Version>,
    /// A define's `.` that some caller passes as nil (`{{ template "x" }}`): Go reads a field
    /// of a nil `.` as nothing, so its fields are read with `?.`.
    pub nil_dot: bool,
}

impl T {
    pub fn atom(text: impl Into<String>, kind: Kind) -> T {
        T {
            text: text.into(),
            prec: ATOM,
            kind,
            nullable: matches!(kind, Kind::Nil | Kind::Any),
            path: false,
            sure_list: false,
            version: None,
            nil_dot: false,
        }
    }

    /// A value that is never null (a function result of a known kind).
    pub fn sure(text: impl Into<String>, kind: Kind) -> T {
        T {
            nullable: kind == Kind::Nil,
            ..T::atom(text, kind)
        }
    }

    pub fn name(text: impl Into<String>, kind: Kind, nullable: bool) -> T {
        T {
            nullable,
            path: true,
            ..T::atom(text, kind)
        }
    }

    pub fn op(text: impl Into<String>, prec: u8, kind: Kind) -> T {
        T {
            text: text.into(),
            prec,
            kind,
            nullable: matches!(kind, Kind::Nil | Kind::Any),
            path: false,
            sure_list: false,
            version: None,
            nil_dot: false,
        }
    }

    pub fn nil() -> T {
        T::atom("none", Kind::Nil)
    }

    pub fn string(value: &str) -> T {
        T::sure(string_literal(value), Kind::Str)
    }

    pub fn with_nullable(mut self, nullable: bool) -> T {
        self.nullable = nullable;
        self
    }

    pub fn with_version(mut self, version: Version) -> T {
        self.version = Some(version);
        self
    }

    pub fn with_sure_list(mut self) -> T {
        self.sure_list = true;
        self.kind = Kind::List;
        self.nullable = false;
        self
    }

    /// The text, in parentheses when it binds less tightly than `min`.
    pub fn at(&self, min: u8) -> String {
        if self.prec >= min {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }

    /// `self | filter`, where `filter` is the filter with its arguments (`default(value=1)`).
    pub fn filter(&self, filter: &str, kind: Kind) -> T {
        T {
            nullable: matches!(kind, Kind::Nil | Kind::Any),
            ..T::op(format!("{} | {filter}", self.at(FILTER)), FILTER, kind)
        }
    }

    /// A field of this value: `base.name`, or `base["name"]` where Tera cannot write it so.
    pub fn field(&self, name: &str) -> T {
        // What Helm cannot read of a version fails where Helm fails (`(semver
        // "1.2.3").IncPatch.Original`); a map would give nothing.
        if let Some(message) = self.version.and_then(|v| v.missing(name)) {
            return T::atom(
                format!("throw(message={})", string_literal(&message)),
                Kind::Any,
            );
        }
        // Masterminds' argument-free methods that compute a version (`(semver v).IncMinor`); the
        // others (`Major`, `String`, ...) are keys of the map `semver` gives.
        if let Some(part) = name.strip_prefix("Inc")
            && matches!(part, "Major" | "Minor" | "Patch")
        {
            let text = format!(
                "{} | semver_inc(part=\"{}\")",
                self.at(FILTER),
                part.to_lowercase()
            );
            return T::op(text, FILTER, Kind::Map)
                .with_nullable(false)
                .with_version(Version::Value);
        }
        let text = if self.path && super::names::is_identifier(name) && !is_literal_word(name) {
            format!("{}.{name}", self.text)
        } else {
            format!("{}[{}]", self.at(ATOM), string_literal(name))
        };
        T {
            path: self.path && super::names::is_identifier(name) && !is_literal_word(name),
            ..T::name(text, Kind::Any, true)
        }
    }

    /// A field that is nothing when this value is missing or null (`base?.name`), as Go reads
    /// a field of a parenthesised value (`(.Values.a).b`).
    pub fn field_or_nothing(&self, name: &str) -> T {
        if self.path
            && self.version.is_none()
            && super::names::is_identifier(name)
            && !is_literal_word(name)
        {
            T::name(format!("{}?.{name}", self.text), Kind::Any, true)
        } else {
            self.field(name)
        }
    }

    /// For a keyword argument, a list item or a map value: any expression is fine there.
    pub fn arg(&self) -> String {
        self.text.clone()
    }

    pub fn is_str(&self) -> bool {
        self.kind == Kind::Str && !self.nullable
    }

    pub fn is_int(&self) -> bool {
        self.kind == Kind::Int && !self.nullable
    }
}

/// Words Tera's lexer reads as literals, which cannot follow a `.`.
fn is_literal_word(name: &str) -> bool {
    matches!(name, "true" | "True" | "false" | "False")
}

pub use crate::engine::string_literal;
use crate::engine::tera_text::outside_strings;

/// A float as a Tera literal: decimal digits with a `.` (Tera reads no exponent).
pub fn float_literal(f: f64) -> String {
    if !f.is_finite() {
        return "none".to_string();
    }
    let text = format!("{}", f.abs());
    let text = if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    };
    if f.is_sign_negative() && f != 0.0 {
        format!("-{text}")
    } else {
        text
    }
}

/// How deep list literals nest in the Tera expression `text` (`[1, [2]]` is 2; maps, calls and
/// indexing `a["k"]` do not count). Tera refuses more than 2.
pub fn list_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    // For each open `[`: whether it opened a literal (else an index).
    let mut open: Vec<bool> = Vec::new();
    let mut previous = b' ';
    for (_, b) in outside_strings(text) {
        match b {
            b'[' => {
                // After a name, a call, an index or a string: an index. Bytes of multi-byte
                // characters count as letters.
                let index = previous.is_ascii_alphanumeric()
                    || previous >= 0x80
                    || matches!(previous, b'_' | b')' | b']' | b'"' | b'\'' | b'`');
                open.push(!index);
                if !index {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            b']' if open.pop() == Some(true) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            previous = b;
        }
    }
    deepest
}

/// `[a, b]`.
pub fn list(items: &[T]) -> String {
    let inner: Vec<String> = items.iter().map(T::arg).collect();
    format!("[{}]", inner.join(", "))
}

/// A map literal `{"k": v, ...}`. A `}` never follows another directly: `}}` would end a
/// `{{ ... }}` tag.
pub fn map(entries: &[(String, T)]) -> String {
    if entries.is_empty() {
        return "{}".to_string();
    }
    let inner: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {}", string_literal(k), v.arg()))
        .collect();
    let mut text = format!("{{{}", inner.join(", "));
    if text.ends_with('}') {
        text.push(' ');
    }
    text.push('}');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_read_back_in_tera() {
        assert_eq!(string_literal("a\"b\\c\n\t"), r#""a\"b\\c\n\t""#);
        assert_eq!(float_literal(1e3), "1000.0");
        assert_eq!(float_literal(1.5), "1.5");
        assert_eq!(float_literal(-0.25), "-0.25");
        assert_eq!(float_literal(1e-7), "0.0000001");
    }

    #[test]
    fn list_depth_counts_list_literals_only() {
        assert_eq!(list_depth("Values.a"), 0);
        assert_eq!(list_depth("[1, [2]]"), 2);
        assert_eq!(list_depth("[a[\"k\"], b[0], f(x)[1]]"), 1);
        assert_eq!(list_depth("{\"a\": [[1]]}"), 2);
        assert_eq!(
            list_depth("concat(lists=[[printf(format=\"%s\", values=[x])]])"),
            3
        );
        assert_eq!(list_depth("[\"[[[\", '[', `]`]"), 1);
    }

    #[test]
    fn operands_get_parentheses_only_where_needed() {
        let sum = T::op("a + b", ADD, Kind::Int);
        assert_eq!(sum.filter("upper", Kind::Str).text, "(a + b) | upper");
        let name = T::name("Values.x", Kind::Any, true);
        assert_eq!(name.filter("upper", Kind::Str).text, "Values.x | upper");
        assert_eq!(name.field("a-b").text, r#"Values.x["a-b"]"#);
        assert_eq!(name.field("true").text, r#"Values.x["true"]"#);
        assert_eq!(name.field("tag").text, "Values.x.tag");
        let call = T::sure("f(x=1)", Kind::Map);
        assert_eq!(call.field("a").text, r#"f(x=1)["a"]"#);
    }

    #[test]
    fn maps_never_close_with_two_braces() {
        let inner = T::sure(map(&[("b".into(), T::string("c"))]), Kind::Map);
        assert_eq!(map(&[("a".into(), inner)]), r#"{"a": {"b": "c"} }"#);
    }
}
