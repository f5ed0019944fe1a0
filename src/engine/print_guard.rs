//! Printing a null is an error, as printing an undefined value is: Tera prints null as
//! nothing, which hides a missing value exactly where strict rendering should show it (a
//! values file's `tag:` left empty renders `image: 'nginx:'`). Tera has no hook on what
//! `{{ }}` prints, so before a template is compiled each print's expression is wrapped in the
//! filter `ktera_printable`, which fails on null and undefined: `{{ x }}` compiles as
//! `{{ (x) | ktera_printable }}`. Prints whose last filter never gives null (`quote`,
//! `to_yaml`, `nindent`, ...) are left as written. The filter also prints a `semver` version as
//! its text.
//!
//! Text joined with `~` is printed too, in effect: Tera joins null and undefined as nothing
//! (`Values.image.repository ~ ":" ~ Values.image.tagg` gives `nginx:`). So each operand of a
//! `~` that could be null goes through the same filter, in prints and in `{% %}` tags alike:
//! `a ~ b` compiles as `(a) | ktera_printable ~ (b) | ktera_printable`.
//!
//! A comparison with a literal is checked the same way: Tera calls a boolean or a number
//! unequal to a string without a word, where Helm's `eq` refuses them, so
//! `Values.enabled == "true"` compiles as
//! `(Values.enabled) | ktera_comparable(with="string") == "true"`.
//!
//! The wrapping moves what follows it on the line; [`Shift`]s record where text was inserted
//! so that error positions are given back in the file as written.

use tera::{TeraResult, Value};

use super::tera_text::{Literal, Operands, outside_strings};

/// The filter each print goes through.
pub const FILTER: &str = "ktera_printable";

/// The filter a side of `==` or `!=` goes through when the other side is a literal: Tera
/// compares a boolean or a number with a string as unequal without a word (Helm refuses the
/// comparison), so `Values.enabled == "true"` would always be false.
pub const COMPARABLE: &str = "ktera_comparable";

const SUFFIX: &str = ") | ktera_printable";
const PATH_SUFFIX: &str = " | ktera_printable";

/// Filters whose result is never null or undefined: a print ending in one needs no check.
const NEVER_NULL: &[&str] = &[
    "quote",
    "squote",
    "to_yaml",
    "to_json",
    "nindent",
    "indent",
    "default",
    "or_empty",
    "to_string",
    "str",
    "b64encode",
    "b64decode",
    "sha256",
    "sha1",
    "trunc",
    "trim",
    "trim_suffix",
    "trim_prefix",
    "trim_all",
    "upper",
    "lower",
    "title",
    "replace",
    "join",
    "length",
    "tpl",
    "required",
    "int",
    "to_int",
    "float",
    "to_float",
    "regex_replace_all",
];

/// Text inserted at `column` (0-based, in characters, in the wrapped text) of `line` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

/// A template's text with its prints wrapped, and where text was inserted: (byte offset in
/// the text as written, characters inserted there), turned into [`Shift`]s by [`shifts`]
/// only when an error needs them.
pub struct Guarded {
    pub source: String,
    pub inserts: Vec<(usize, usize)>,
}

/// Where `inserts` put text, as lines and columns of the wrapped text.
pub fn shifts(written: &str, inserts: &[(usize, usize)]) -> Vec<Shift> {
    let mut out = Vec::with_capacity(inserts.len());
    let (mut line, mut line_start, mut scanned) = (1, 0, 0);
    let mut added_on_line = 0;
    for &(offset, len) in inserts {
        let offset = offset.min(written.len());
        for (i, b) in written.as_bytes()[scanned..offset].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = scanned + i + 1;
                added_on_line = 0;
            }
        }
        scanned = offset;
        let column = written
            .get(line_start..offset)
            .map_or(0, |t| t.chars().count())
            + added_on_line;
        out.push(Shift { line, column, len });
        added_on_line += len;
    }
    out
}

/// What `ktera_printable` does with a printed value. An undefined value is named after the
/// fact: a path of the template's objects from the context ([`undefined_path`]), a path of a
/// loop's or a `set`'s variable by rendering the template again with its text
/// ([`explaining`]), since only the render knows the variable. The common print carries no
/// argument to evaluate.
pub fn check(value: Value, _: &tera::Kwargs, state: &tera::State) -> TeraResult<Value> {
    if value.is_undefined() {
        let explained = EXPLAINED_PATH.with_borrow(|path| {
            let path = path.as_deref()?;
            let (first, fields) = path.split_once('.').unwrap_or((path, ""));
            Some(match state.get::<Value>(first) {
                Ok(Some(root)) => missing_field(root, fields)?,
                // A `set` of an undefined value, or a name never set: Tera's state does not
                // tell them apart.
                _ if fields.is_empty() => format!("Variable `{first}` is undefined"),
                _ => format!("Variable `{first}` is not defined"),
            })
        });
        return Err(tera::Error::message(
            explained.as_deref().unwrap_or(UNDEFINED),
        ));
    }
    if value.is_none() {
        return Err(tera::Error::message("Tried to render a value that is null"));
    }
    // A version prints as its text, as Helm prints a semver `Version`.
    if let Some(version) = super::functions::semver_text(&value) {
        return Ok(Value::from(version));
    }
    Ok(value)
}

/// What `ktera_comparable` does with one side of a comparison whose other side is a literal
/// (`with`: `string`, `number` or `boolean`): a value of another kind is an error; a null or
/// undefined value passes, as do the values themselves.
pub fn comparable(value: Value, kwargs: &tera::Kwargs, _: &tera::State) -> TeraResult<Value> {
    let with: String = kwargs.must_get("with")?;
    let kind = if value.is_string() {
        Literal::String
    } else if value.is_bool() {
        Literal::Bool
    } else if value.is_number() {
        Literal::Number
    } else {
        return Ok(value);
    };
    if kind.name() == with {
        return Ok(value);
    }
    let shown = if value.is_string() {
        format!("{:?}", value.as_str().unwrap_or_default())
    } else {
        value.to_string()
    };
    Err(tera::Error::message(format!(
        "a {} ({shown}) is compared with a {with}: the two are never equal",
        kind.name()
    )))
}

thread_local! {
    /// The printed path of a variable being explained ([`explaining`]).
    static EXPLAINED_PATH: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `render` (the render of a template that failed on an undefined print of `path`, again)
/// with the undefined value named from `path` and the variables in scope.
pub fn explaining<R>(path: &str, render: impl FnOnce() -> R) -> R {
    EXPLAINED_PATH.with_borrow_mut(|p| *p = Some(path.to_string()));
    let result = render();
    EXPLAINED_PATH.with_borrow_mut(|p| *p = None);
    result
}

/// Whether `printed` is a path of a loop's or a `set`'s variable, which only the render can
/// explain.
pub fn is_variable_path(printed: &str) -> bool {
    is_plain_path(printed) && !OBJECTS.contains(&printed.split('.').next().unwrap_or_default())
}

/// What `ktera_printable` says of an undefined value; [`undefined_path`] says more when the
/// printed expression is a path of the template's objects.
pub const UNDEFINED: &str = "Tried to render a variable that is undefined";

/// The objects of a template's context: a printed path starting at one is named from the
/// context.
const OBJECTS: &[&str] = &[
    "Values",
    "Release",
    "Chart",
    "Capabilities",
    "Template",
    "Files",
    "Root",
    "Subcharts",
];

/// Tera's words for a printed path whose last field is missing (`Field `name` is not defined.
/// Available fields: tag`), found in the template's context; `None` when the path does not
/// start at an object of the context (a loop variable).
pub fn undefined_path(path: &str, context: &tera::Context) -> Option<String> {
    if !is_plain_path(path) {
        return None;
    }
    let (first, fields) = path.split_once('.')?;
    missing_field(context.get(first)?.clone(), fields)
}

/// Where in the printed path `printed` is the field that `message` (`Field `name` is not
/// defined...`) names: its column and width in characters, within `printed`.
pub fn missing_field_place(printed: &str, message: &str) -> Option<(usize, usize)> {
    let field = message
        .strip_prefix("Field `")
        .and_then(|m| m.split('`').next())?;
    let mut column = 0;
    for (i, segment) in printed.split('.').enumerate() {
        if i > 0 && segment == field {
            return Some((column, field.chars().count()));
        }
        column += segment.chars().count() + 1;
    }
    None
}

/// Tera's words for the first of `fields` (dotted) missing under `current`.
fn missing_field(mut current: Value, fields: &str) -> Option<String> {
    for field in fields.split('.').filter(|f| !f.is_empty()) {
        match current.get_from_path(field) {
            Some(next) => current = next.clone(),
            None => {
                let mut message = format!("Field `{field}` is not defined.");
                if let Some(map) = current.as_map() {
                    let names: Vec<String> = map
                        .keys()
                        .map(|k| super::go::strval(&k.as_value()))
                        .collect();
                    if !names.is_empty() {
                        message.push_str(&format!(" Available fields: {}", names.join(", ")));
                    }
                }
                return Some(message);
            }
        }
    }
    None
}

/// `Values.image.tag`: names joined by dots, nothing else.
fn is_plain_path(expr: &str) -> bool {
    if expr.is_ascii() {
        // The common case, byte by byte: every print of every template is asked.
        let mut name_starts = true;
        for &b in expr.as_bytes() {
            let fits = match b {
                b'.' => !std::mem::replace(&mut name_starts, true),
                _ if name_starts => {
                    name_starts = false;
                    b.is_ascii_alphabetic() || b == b'_'
                }
                _ => b.is_ascii_alphanumeric() || b == b'_',
            };
            if !fits {
                return false;
            }
        }
        // Not empty, and no name left empty at the end.
        return !name_starts;
    }
    !expr.is_empty()
        && expr.split('.').all(|part| {
            part.starts_with(|c: char| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// Copies the written text, keeping count of how much, and inserts.
struct Writer {
    out: String,
    written: usize,
    inserts: Vec<(usize, usize)>,
}

impl Writer {
    fn push(&mut self, text: &str) {
        self.written += text.len();
        self.out.push_str(text);
    }

    fn insert(&mut self, text: &str) {
        self.inserts.push((self.written, text.chars().count()));
        self.out.push_str(text);
    }

    /// Copies `text` (a print's expression or a tag), each operand of a `~` join that could
    /// be null wrapped in the check, and each side of an `==` or `!=` against a literal in
    /// [`COMPARABLE`].
    fn push_checked(&mut self, text: &str) {
        let found = Operands::of(text);
        let joined = found.joined.into_iter().filter(|&(start, end)| {
            let operand = &text[start..end];
            // A bracketed join (`(a ~ b) ~ c`) gives text; its own operands are checked.
            let joined_group = operand
                .strip_prefix('(')
                .and_then(|o| o.strip_suffix(')'))
                .is_some_and(has_top_level_join);
            !joined_group && needs_check(operand, is_plain_path(operand))
        });
        let mut wraps: Vec<(usize, usize, String)> = joined
            .map(|(start, end)| (start, end, SUFFIX.to_string()))
            .collect();
        wraps.extend(found.compared.into_iter().map(|(start, end, literal)| {
            let suffix = format!(") | {COMPARABLE}(with=\"{}\")", literal.name());
            (start, end, suffix)
        }));
        if wraps.is_empty() {
            self.push(text);
            return;
        }
        // Opens and closes in text order; where operands nest (`(a ~ b) ~ c`), the outer one
        // opens first and closes last.
        let mut marks: Vec<(usize, bool, usize, &str)> = Vec::with_capacity(wraps.len() * 2);
        for (start, end, suffix) in &wraps {
            marks.push((*start, true, usize::MAX - end, "("));
            marks.push((*end, false, usize::MAX - start, suffix));
        }
        marks.sort_unstable_by_key(|&(at, opens, nesting, _)| (at, opens, nesting));
        let mut copied = 0;
        for (at, _, _, inserted) in marks {
            self.push(&text[copied..at]);
            copied = at;
            self.insert(inserted);
        }
        self.push(&text[copied..]);
    }
}

/// Wraps every print of `source` that could print a null.
pub fn guard(source: &str) -> Guarded {
    let mut w = Writer {
        out: String::with_capacity(source.len() + source.len() / 8),
        written: 0,
        inserts: Vec::new(),
    };
    let mut rest = source;
    while let Some(at) = rest.find('{') {
        w.push(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("{#") {
            let end = rest.find("#}").map_or(rest.len(), |e| e + 2);
            w.push(&rest[..end]);
            rest = &rest[end..];
        } else if rest.starts_with("{%") {
            let end = tag_end(rest, "%}").map_or(rest.len(), |e| e + 2);
            let tag = &rest[..end];
            let body_end = if tag.len() >= 4 && tag.ends_with("%}") {
                tag.len() - 2
            } else {
                tag.len()
            };
            w.push("{%");
            w.push_checked(&tag[2..body_end]);
            w.push(&tag[body_end..]);
            rest = &rest[end..];
            if is_raw(tag) {
                let end = raw_end(rest);
                w.push(&rest[..end]);
                rest = &rest[end..];
            }
        } else if rest.starts_with("{{") {
            let Some(close) = tag_end(rest, "}}") else {
                w.push(rest);
                rest = "";
                continue;
            };
            let open = if rest[2..].starts_with('-') { 3 } else { 2 };
            let mut expr_end = close;
            if expr_end > open && rest[..expr_end].ends_with('-') {
                expr_end -= 1;
            }
            let expr = &rest[open..expr_end.max(open)];
            w.push(&rest[..open]);
            let plain = is_plain_path(expr.trim());
            if needs_check(expr, plain) {
                let leading = expr.len() - expr.trim_start().len();
                w.push(&expr[..leading]);
                let printed = expr[leading..].trim_end();
                if plain {
                    // `Values.image.tag | ktera_printable`: a filter binds to a whole path.
                    w.push(printed);
                    w.insert(PATH_SUFFIX);
                } else {
                    w.insert("(");
                    w.push_checked(printed);
                    w.insert(SUFFIX);
                }
                w.push(&expr[leading + expr[leading..].trim_end().len()..]);
            } else {
                w.push_checked(expr);
            }
            w.push(&rest[expr_end.max(open)..close + 2]);
            rest = &rest[close + 2..];
        } else {
            w.push("{");
            rest = &rest[1..];
        }
    }
    w.push(rest);
    Guarded {
        source: w.out,
        inserts: w.inserts,
    }
}

/// Where `close` ends the tag starting `text`, outside string literals.
fn tag_end(text: &str, close: &str) -> Option<usize> {
    // Past the tag's opening `{{` or `{%`.
    let body = text.get(2..)?;
    outside_strings(body)
        .find(|&(i, _)| body.as_bytes()[i..].starts_with(close.as_bytes()))
        .map(|(i, _)| i + 2)
}

fn is_raw(tag: &str) -> bool {
    let inner = tag
        .trim_start_matches("{%")
        .trim_end_matches("%}")
        .trim_matches('-')
        .trim();
    inner == "raw"
}

/// The end of a `{% raw %}` block's content: the start of its `{% endraw %}`.
fn raw_end(text: &str) -> usize {
    let mut from = 0;
    while let Some(at) = text[from..].find("{%") {
        let start = from + at;
        if let Some(end) = tag_end(&text[start..], "%}") {
            let tag = &text[start..start + end + 2];
            let inner = tag
                .trim_start_matches("{%")
                .trim_end_matches("%}")
                .trim_matches('-')
                .trim();
            if inner == "endraw" {
                return start;
            }
            from = start + end + 2;
        } else {
            break;
        }
    }
    text.len()
}

/// Whether a print's value may be null: not when it is a literal, a component's text, or the
/// result of a filter that never gives null. `plain`: whether the trimmed `expr` is a plain
/// path ([`is_plain_path`]).
fn needs_check(expr: &str, plain: bool) -> bool {
    let expr = expr.trim();
    if expr.is_empty() {
        return false;
    }
    if expr.starts_with('<') && expr.ends_with("/>") {
        return false;
    }
    let starts_literal =
        expr.starts_with(['"', '\'', '`']) || expr.starts_with(|c: char| c.is_ascii_digit());
    if starts_literal && !expr.contains('|') && !expr.contains(' ') {
        return false;
    }
    if has_top_level_word(expr, "if") {
        return true;
    }
    // A join gives text: its operands are checked instead ([`Writer::push_joined`]).
    if expr.contains('~') && has_top_level_join(expr) {
        return false;
    }
    // Helm's objects other than Values hold no nulls.
    if plain
        && ["Release.", "Chart.", "Capabilities.", "Template."]
            .iter()
            .any(|root| expr.starts_with(root))
    {
        return false;
    }
    match last_filter(expr) {
        Some(name) => !NEVER_NULL.contains(&name),
        None => true,
    }
}

/// The name of the last filter applied at the top level of `expr`.
fn last_filter(expr: &str) -> Option<&str> {
    let mut depth = 0i32;
    let mut last_pipe = None;
    for (i, b) in outside_strings(expr) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'|' if depth == 0 => last_pipe = Some(i),
            _ => {}
        }
    }
    let after = expr[last_pipe? + 1..].trim_start();
    let end = after
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(after.len());
    // Something else follows the filter at the top level (`x | f ~ y`): not its result.
    let tail = after[end..].trim_start();
    let tail = if tail.starts_with('(') {
        matching_paren_rest(tail)
    } else {
        tail
    };
    if !tail.trim().is_empty() {
        return None;
    }
    Some(&after[..end])
}

/// What follows the parenthesised arguments at the start of `text`.
fn matching_paren_rest(text: &str) -> &str {
    let mut depth = 0i32;
    for (i, b) in outside_strings(text) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[i + 1..];
                }
            }
            _ => {}
        }
    }
    ""
}

/// Whether `expr` joins with `~` outside string literals and brackets.
fn has_top_level_join(expr: &str) -> bool {
    let mut depth = 0i32;
    outside_strings(expr).any(|(_, b)| {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
        b == b'~' && depth == 0
    })
}

/// Whether `word` is one of the words of `expr` outside string literals and brackets.
fn has_top_level_word(expr: &str, word: &str) -> bool {
    let mut depth = 0i32;
    let mut start = None;
    for (i, b) in outside_strings(expr) {
        // Bytes of multi-byte characters count as letters.
        let word_char = b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        if word_char && depth == 0 {
            start.get_or_insert(i);
            continue;
        }
        if start.take().is_some_and(|s| &expr[s..i] == word) {
            return true;
        }
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
    }
    start.is_some_and(|s| &expr[s..] == word)
}

/// A column (0-based, characters) of the wrapped text as a column of the text as written.
pub fn original_column(shifts: &[Shift], line: usize, column: usize) -> usize {
    let mut removed = 0;
    for shift in shifts.iter().filter(|s| s.line == line) {
        if column >= shift.column + shift.len {
            removed += shift.len;
        } else if column >= shift.column {
            return shift.column - removed;
        }
    }
    column - removed
}

/// For an error of `ktera_printable` (reported at its inserted text), the printed expression
/// as written: its line and its start and end columns (0-based). `None` when the position is
/// not in a wrapping's closing text, or the expression spans lines.
pub fn printed_expression(
    shifts: &[Shift],
    source_line: &str,
    line: usize,
    column: usize,
) -> Option<(usize, usize)> {
    let closing = shifts.iter().position(|s| {
        s.line == line && column >= s.column && column < s.column + s.len && s.len > 1
    })?;
    let end = original_column(shifts, line, shifts[closing].column);
    let opening = closing
        .checked_sub(1)
        .map(|i| shifts[i])
        .filter(|o| o.line == line && o.len == 1);
    let start = match opening {
        Some(o) => original_column(shifts, line, o.column + 1),
        // A path has no opening parenthesis: it starts after the `{{ ` before it.
        None => {
            let before: String = source_line.chars().take(end).collect();
            let open = before.rfind("{{")?;
            let after = &before[open + 2..];
            let skip = after.len() - after.trim_start_matches(['-', ' ', '\t']).len();
            before[..open + 2 + skip].chars().count()
        }
    };
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `render` fuzz target: a multi-byte character inside a tag panicked.
    #[test]
    fn a_tag_with_multi_byte_text_ends_where_its_close_is() {
        let tag = "{% for i in range(en\u{fffd}d=3) %}---";
        assert_eq!(tag_end(tag, "%}"), Some(tag.len() - 5));
        assert_eq!(tag_end("{% \u{fffd}", "%}"), None);
    }

    #[test]
    fn prints_that_may_be_null_are_wrapped() {
        let written =
            "a: {{ Values.x }}\nb: {{- Values.y ~ 1 -}} {{ Values.z | quote }} {{ <c /> }}";
        let g = guard(written);
        let shifts = shifts(written, &g.inserts);
        assert_eq!(
            g.source,
            "a: {{ Values.x | ktera_printable }}\nb: {{- (Values.y) | ktera_printable ~ 1 -}} {{ Values.z | quote }} {{ <c /> }}"
        );
        // `Values.x` starts at column 6 (0-based) as written and wrapped; `Values.y` on line 2
        // after the inserted `(`.
        assert_eq!(original_column(&shifts, 1, 6), 6);
        assert_eq!(original_column(&shifts, 2, 8), 7);
        // `Values.z` on line 2: after two insertions.
        let z = g
            .source
            .lines()
            .nth(1)
            .expect("line")
            .find("Values.z")
            .expect("z");
        assert_eq!(
            original_column(&shifts, 2, z),
            "b: {{- Values.y ~ 1 -}} {{ ".len()
        );
    }

    #[test]
    fn paths_are_checked_without_an_argument() {
        assert_eq!(
            guard("{{ item.name }} {{ y }} {{ Values.a.b }} {{ Release.Name }}").source,
            "{{ item.name | ktera_printable }} {{ y | ktera_printable }} {{ Values.a.b | ktera_printable }} {{ Release.Name }}"
        );
        assert!(is_variable_path("item.name") && is_variable_path("y"));
        assert!(!is_variable_path("Values.a.b") && !is_variable_path("item | upper"));
    }

    #[test]
    fn a_missing_field_is_found_in_the_printed_path() {
        let message = "Field `port` is not defined. Available fields: name";
        assert_eq!(missing_field_place("Values.port", message), Some((7, 4)));
        assert_eq!(
            missing_field_place("Values.a.port.x", message),
            Some((9, 4))
        );
        assert_eq!(missing_field_place("port", message), None);
        assert_eq!(missing_field_place("Values.port", "Tried to render"), None);
    }

    #[test]
    fn raw_blocks_comments_and_strings_are_left_alone() {
        for text in [
            "{% raw %}{{ x }}{% endraw %}",
            "{# {{ x }} #}",
            "{% set a = \"{{ x }}\" %}",
            "{{ 'a' }}",
            "{{ x | default(value=\"}}\") }}",
        ] {
            assert_eq!(guard(text).source, text, "{text}");
        }
        assert_eq!(
            guard("{{ a if b else c | quote }}").source,
            "{{ (a if b else c | quote) | ktera_printable }}"
        );
        assert_eq!(
            guard("{{ x | quote ~ y }}").source,
            "{{ x | quote ~ (y) | ktera_printable }}"
        );
    }

    #[test]
    fn each_operand_of_a_join_that_may_be_null_is_checked_in_prints_and_tags() {
        assert_eq!(
            guard(r#"{% set image = Values.image.repository ~ ":" ~ Values.image.tag %}"#).source,
            r#"{% set image = (Values.image.repository) | ktera_printable ~ ":" ~ (Values.image.tag) | ktera_printable %}"#
        );
        assert_eq!(
            guard(r#"{{ "v" ~ Chart.Version ~ x | quote ~ 1 }}"#).source,
            r#"{{ "v" ~ Chart.Version ~ x | quote ~ 1 }}"#
        );
        assert_eq!(
            guard("{{ (a ~ b) ~ f(c ~ d) }}").source,
            "{{ ((a) | ktera_printable ~ (b) | ktera_printable) ~ (f((c) | ktera_printable ~ (d) | ktera_printable)) | ktera_printable }}"
        );
        // A join under a condition: the print is checked as a whole too.
        assert_eq!(
            guard("{{ a ~ b if c else d }}").source,
            "{{ ((a) | ktera_printable ~ (b) | ktera_printable if c else d) | ktera_printable }}"
        );
    }

    mod generated {
        use proptest::prelude::*;

        use super::super::{COMPARABLE, FILTER, check, comparable, guard};

        /// A Tera expression of names that are all defined and not null, literals, joins,
        /// arithmetic, comparisons, logic, filters, calls, brackets and conditions.
        fn expression(depth: u32) -> BoxedStrategy<String> {
            let leaf = prop_oneof![
                Just("a".to_string()),
                Just("b".to_string()),
                Just("n".to_string()),
                Just("m.k".to_string()),
                Just("m.n".to_string()),
                Just("m[\"k\"]".to_string()),
                Just("l[0]".to_string()),
                Just("\"s~t\"".to_string()),
                Just("'q'".to_string()),
                Just("2".to_string()),
                Just("1.5".to_string()),
                Just("true".to_string()),
            ];
            if depth == 0 {
                return leaf.boxed();
            }
            let inner = || expression(depth - 1);
            // `~` and the operators next to its rank most often: where a wrapping could move
            // an operand across one, the results differ.
            let op = prop_oneof![
                4 => Just("~"),
                2 => Just("+"),
                2 => Just("*"),
                1 => Just("=="),
                1 => Just("!="),
                1 => Just("<"),
                1 => Just("and"),
                1 => Just("or"),
                1 => Just("in"),
            ];
            let filter = prop_oneof![Just("upper"), Just("lower"), Just("length"), Just("trim")];
            prop_oneof![
                3 => leaf,
                3 => (inner(), op, inner()).prop_map(|(l, op, r)| format!("{l} {op} {r}")),
                1 => (inner(), filter).prop_map(|(e, f)| format!("{e} | {f}")),
                1 => (inner(), inner()).prop_map(|(e, d)| format!("{e} | default(value={d})")),
                1 => inner().prop_map(|e| format!("{e} is string")),
                1 => inner().prop_map(|e| format!("-{e}")),
                1 => inner().prop_map(|e| format!("({e})")),
                1 => inner().prop_map(|e| format!("not {e}")),
                1 => (inner(), inner()).prop_map(|(a, b)| format!("[{a}, {b}]")),
                1 => inner().prop_map(|e| format!("{{\"x\": {e}}}")),
                1 => (inner(), inner(), inner())
                    .prop_map(|(a, c, b)| format!("{a} if {c} else {b}")),
            ]
            .boxed()
        }

        fn render(source: &str) -> Option<Result<String, String>> {
            let mut tera = tera::Tera::new();
            tera.register_filter(
                FILTER,
                |v: tera::Value, kwargs: tera::Kwargs, state: &tera::State| {
                    check(v, &kwargs, state)
                },
            );
            tera.register_filter(
                COMPARABLE,
                |v: tera::Value, kwargs: tera::Kwargs, state: &tera::State| {
                    comparable(v, &kwargs, state)
                },
            );
            tera.add_raw_template("t", source).ok()?;
            let mut context = tera::Context::new();
            context.insert("a", "x");
            context.insert("b", "y");
            context.insert("n", &3);
            context.insert("l", &vec!["e"]);
            let mut m = std::collections::BTreeMap::new();
            m.insert("k", tera::Value::from("v"));
            m.insert("n", tera::Value::from(2));
            context.insert("m", &m);
            Some(tera.render("t", &context).map_err(|e| format!("{e:?}")))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]

            /// The checks change nothing where every value is defined and not null: what
            /// compiles as written compiles wrapped, and renders the same text or fails alike,
            /// but for a comparison of a value with a literal of another kind, which fails.
            #[test]
            fn wrapping_keeps_what_a_template_means(expr in expression(3)) {
                for source in [
                    format!("{{{{ {expr} }}}}"),
                    format!("{{% set v = {expr} %}}{{{{ v }}}}"),
                    format!("{{% if {expr} %}}y{{% else %}}n{{% endif %}}"),
                ] {
                    let written = render(&source);
                    let wrapped = render(&guard(&source).source);
                    match (written, wrapped) {
                        (None, _) => {}
                        (Some(_), None) => prop_assert!(false, "{source} no longer compiles: {}", guard(&source).source),
                        (Some(Ok(_)), Some(Err(e))) => prop_assert!(
                            e.contains(") is compared with a "),
                            "{source} now fails: {e}"
                        ),
                        (Some(Ok(w)), Some(g)) => prop_assert_eq!(Ok(w), g, "{}", source),
                        (Some(Err(_)), Some(g)) => prop_assert!(g.is_err(), "{source} now renders"),
                    }
                }
            }
        }
    }
}
