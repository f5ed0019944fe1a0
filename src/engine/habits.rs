//! Errors a Helm user meets first in a Tera chart, said in their words. Go template syntax
//! (`{{ .Values.x }}`, `{{- if ... }}`, `{{ printf "%s" x }}`, `| nindent 4`, `| default "x"`)
//! gets a bare message from Tera's parser; [`explain`] recognises the habit in the tag where
//! the error is, points at it and says what to write instead. Also: which tag a template
//! leaves open ([`unclosed_tag`]), why a component cannot see `Values` ([`component_hint`]),
//! and ktera's name for a Helm function's ([`helm_name_hint`]).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Helm's names for functions whose ktera names differ (the README's table; a unit test checks
/// that each ktera name is registered).
const HELM_NAMES: &[(&str, &str)] = &[
    ("toYaml", "to_yaml"),
    ("toJson", "to_json"),
    ("mustToJson", "to_json"),
    ("toPrettyJson", "to_json"),
    ("fromYaml", "from_yaml"),
    ("fromYamlArray", "from_yaml_array"),
    ("fromJson", "from_json"),
    ("fromJsonArray", "from_json_array"),
    ("trimSuffix", "trim_suffix"),
    ("trimPrefix", "trim_prefix"),
    ("trimAll", "trim_all"),
    ("b64enc", "b64encode"),
    ("b64dec", "b64decode"),
    ("sha256sum", "sha256"),
    ("sha1sum", "sha1"),
    ("toString", "to_string"),
    ("int", "to_int"),
    ("int64", "to_int"),
    ("float64", "to_float"),
    ("hasKey", "has_key"),
    ("set", "insert"),
    ("unset", "remove"),
    ("splitList", "split"),
    ("sortAlpha", "sort_alpha"),
    ("regexMatch", "regex_match"),
    ("regexFind", "regex_find"),
    ("regexFindAll", "regex_find_all"),
    ("regexReplaceAll", "regex_replace_all"),
    ("regexSplit", "regex_split"),
    ("regexQuoteMeta", "regex_quote_meta"),
    ("semverCompare", "semver_compare"),
    ("uniq", "unique"),
    ("mustUniq", "unique"),
    ("kindOf", "kind_of"),
    ("typeOf", "type_of"),
    ("mergeOverwrite", "merge"),
    ("untilStep", "until_step"),
    ("fail", "throw"),
];

/// Go's actions: the words after `{{` that open, continue or close a block, or call a template.
const GO_ACTIONS: &[&str] = &[
    "if", "else", "end", "range", "with", "define", "include", "template", "block",
];

/// Tera's own words: a word followed by a value is not a Go call when it is one of these.
const TERA_WORDS: &[&str] = &[
    "not", "and", "or", "in", "is", "if", "else", "true", "false", "none", "True", "False",
];

/// A Helm habit found on the line of an error: what it is, what to write instead, and where it
/// is on the line (0-based column and width, in characters).
#[derive(Debug, PartialEq, Eq)]
pub struct Habit {
    pub message: String,
    pub hint: String,
    pub column: usize,
    pub width: usize,
}

/// Keyword arguments of every registered filter and function, by name (built once, on an
/// error's path).
struct Signatures {
    filters: HashMap<&'static str, &'static [&'static str]>,
    functions: HashMap<&'static str, &'static [&'static str]>,
}

fn signatures() -> &'static Signatures {
    static TABLE: OnceLock<Signatures> = OnceLock::new();
    TABLE.get_or_init(|| {
        let registered = super::signatures();
        Signatures {
            filters: registered.filters.into_iter().collect(),
            functions: registered.functions.into_iter().collect(),
        }
    })
}

/// ktera's name for a Helm name (the same name when it is not one that differs).
fn ktera_name(helm: &str) -> &str {
    HELM_NAMES
        .iter()
        .find(|(h, _)| *h == helm)
        .map_or(helm, |(_, k)| k)
}

/// The Helm habit in the tag of `line` where an error is, at `column` (0-based, characters).
pub fn explain(line: &str, column: usize) -> Option<Habit> {
    let at = line
        .char_indices()
        .nth(column)
        .map_or(line.len(), |(i, _)| i);
    // The tag holding the error: the last `{{` or `{%` that opens at or before it.
    let start = line
        .match_indices("{{")
        .chain(line.match_indices("{%"))
        .map(|(i, _)| i)
        .filter(|&i| i <= at)
        .max()?;
    let tag = &line[start..];
    let tag = tag_text(tag);
    let (message, hint, from, to) = go_action(tag)
        .or_else(|| go_call(tag))
        .or_else(|| dotted_object(tag))
        .or_else(|| positional_argument(tag))?;
    let column = line[..start + from].chars().count();
    let width = tag[from..to].chars().count();
    Some(Habit {
        message,
        hint,
        column,
        width,
    })
}

/// A tag starting `text`, up to and with its closing `}}` or `%}` (the rest of the line when
/// it does not close on it).
fn tag_text(text: &str) -> &str {
    let close = if text.starts_with("{{") { "}}" } else { "%}" };
    text[2..]
        .find(close)
        .map_or(text, |end| &text[..end + 2 + close.len()])
}

/// The text after a tag's opening and its `-`, and where it starts in `tag`.
fn tag_body(tag: &str) -> (&str, usize) {
    let after = &tag[2..];
    let after = after.strip_prefix('-').unwrap_or(after);
    let body = after.trim_start();
    (body, tag.len() - body.len())
}

/// `{{ if ... }}`, `{{- range ... }}`, `{{ end }}`, `{{ include "x" . }}`: Go's actions.
fn go_action(tag: &str) -> Option<(String, String, usize, usize)> {
    if !tag.starts_with("{{") {
        return None;
    }
    let (body, _) = tag_body(tag);
    let word = leading_word(body);
    let instead = match word {
        "if" => "`{% if ... %}` ... `{% elif ... %}` ... `{% else %}` ... `{% endif %}`",
        "else" => "`{% else %}` (and `{% elif x %}` for `else if x`)",
        "end" => {
            "`{% endif %}`, `{% endfor %}` or `{% endcomponent name %}`, closing the tag it ends"
        }
        "range" => {
            "`{% for item in list %}` ... `{% endfor %}`; over a map, `{% for key, value in map | items %}` goes in Go's order (keys sorted)"
        }
        "with" => "`{% if x %}` ... `{% endif %}`, naming `x` inside",
        "define" | "block" => {
            "a component: `{% component name(@Values) %}` ... `{% endcomponent name %}` in a `_helpers.tera`"
        }
        "include" | "template" => {
            "a component call: `{{ <name /> }}`, which pipes as `{{ <name /> | nindent(width=4) }}`"
        }
        _ => return None,
    };
    Some((
        format!("`{{{{ {word} }}}}` is Go template syntax, which ktera does not read"),
        format!("Tera's tags use `{{% %}}`: write {instead}"),
        0,
        tag.len(),
    ))
}

/// `{{ printf "%s-%s" a b }}`, `{{ toYaml .Values.x }}`, `{{ default "x" .Values.y }}`: a
/// function called with its arguments after its name.
fn go_call(tag: &str) -> Option<(String, String, usize, usize)> {
    if !tag.starts_with("{{") {
        return None;
    }
    let (body, offset) = tag_body(tag);
    let name = leading_word(body);
    if name.is_empty() || TERA_WORDS.contains(&name) || GO_ACTIONS.contains(&name) {
        return None;
    }
    let rest = &body[name.len()..];
    let first = rest.trim_start();
    if first.len() == rest.len() || !starts_argument(first) {
        return None;
    }
    let (args, used) = go_arguments(first);
    if args.is_empty() {
        return None;
    }
    let ktera = ktera_name(name);
    let table = signatures();
    let filter = table.filters.get_key_value(ktera);
    let function = table.functions.get_key_value(ktera);
    let piped = filter.is_some() && !matches!(name, "printf" | "print" | "println");
    let suggestion = match (name, filter, function) {
        ("printf", _, _) => format!(
            "`printf(format={}, values=[{}])`",
            args[0],
            args[1..].join(", ")
        ),
        ("print" | "println", _, _) => format!("`{name}(values=[{}])`", args.join(", ")),
        (_, Some((ktera, accepted)), _) if args.len() <= accepted.len() + 1 => {
            // Sprig's piped value is the last argument; the others are the filter's.
            let (value, others) = args.split_last()?;
            format!("`{value} | {}`", call(ktera, accepted, others))
        }
        (_, None, Some((ktera, accepted))) if args.len() <= accepted.len() => {
            format!("`{}`", call(ktera, accepted, &args))
        }
        _ => return None,
    };
    let end = offset + name.len() + (rest.len() - first.len()) + used;
    let written = tag[offset..end].trim_end();
    Some((
        format!("`{written}` calls a function the Go way, which ktera does not read"),
        if piped {
            format!(
                "ktera's filters take the value through `|` and every argument by name: write {suggestion}"
            )
        } else {
            format!("ktera's functions take every argument by name: write {suggestion}")
        },
        offset,
        offset + written.len(),
    ))
}

/// `name(first=a, second=b)`, or `name` when there is nothing to pass.
fn call(name: &str, accepted: &[&str], args: &[String]) -> String {
    if args.is_empty() {
        return name.to_string();
    }
    let named: Vec<String> = accepted
        .iter()
        .zip(args)
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    format!("{name}({})", named.join(", "))
}

/// Whether `text` starts a Go argument: a string, a number, a path, a variable, a parenthesis.
fn starts_argument(text: &str) -> bool {
    text.starts_with(['"', '\'', '`', '.', '$', '('])
        || text.starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

/// Go's space-separated arguments at the start of `text`, up to a pipe or the tag's end, each
/// in Tera's spelling (`.Values.x` is `Values.x`); and how many bytes they took.
fn go_arguments(text: &str) -> (Vec<String>, usize) {
    let mut args = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty()
            || trimmed.starts_with(['|', '}'])
            || trimmed.starts_with("-}}")
            || !starts_argument(trimmed)
        {
            break;
        }
        let len = argument_len(trimmed);
        if len == 0 {
            break;
        }
        let arg = &trimmed[..len];
        let arg = arg.strip_prefix('$').unwrap_or(arg);
        let arg = arg.strip_prefix('.').unwrap_or(arg);
        args.push(if arg.is_empty() { "." } else { arg }.to_string());
        rest = &trimmed[len..];
    }
    (args, text.len() - rest.len())
}

/// The length of the argument starting `text`: a quoted string, a parenthesised group, or a
/// run up to white space, a pipe or a brace.
fn argument_len(text: &str) -> usize {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
                if depth == 0 {
                    return i + 1;
                }
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth <= 0 {
                    return i + 1;
                }
            }
            c if depth == 0 && (c.is_whitespace() || c == '|' || c == '}') => return i,
            _ => {}
        }
    }
    text.len()
}

/// The word (letters, digits, `_`) at the start of `text`.
fn leading_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// `.Values.x`, `$.Release.Name`: Go's dot.
fn dotted_object(tag: &str) -> Option<(String, String, usize, usize)> {
    let objects = [
        "Values",
        "Release",
        "Chart",
        "Capabilities",
        "Template",
        "Files",
    ];
    let mut found: Option<(usize, &str)> = None;
    for object in objects {
        for prefix in ["$.", "."] {
            let dotted = format!("{prefix}{object}");
            let mut from = 0;
            while let Some(i) = tag[from..].find(&dotted) {
                let at = from + i;
                from = at + dotted.len();
                let before = tag[..at].chars().last();
                let after = tag[at + dotted.len()..].chars().next();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ')' || c == ']')
                    || after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                if found.is_none_or(|(first, _)| at < first) {
                    found = Some((at, object));
                }
            }
        }
    }
    let (at, object) = found?;
    let path_len = tag[at..]
        .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '_' || c == '$'))
        .unwrap_or(tag.len() - at);
    let path = &tag[at..at + path_len];
    let ktera = path.trim_start_matches('$').trim_start_matches('.');
    let hint = if object == "Files" {
        "`.Files.Get \"f\"` is `files_get(path=\"f\")`; see the README's table of Helm's functions"
            .to_string()
    } else {
        format!("ktera's objects have no leading dot: write `{ktera}`")
    };
    Some((
        format!("`{path}` is Go template syntax, which ktera does not read"),
        hint,
        at,
        at + path_len,
    ))
}

/// `| nindent 4`, `| default "x"`, `| trimSuffix "-"`: a filter's argument passed the Go way.
fn positional_argument(tag: &str) -> Option<(String, String, usize, usize)> {
    let mut from = 0;
    while let Some(i) = tag[from..].find('|') {
        let pipe = from + i;
        from = pipe + 1;
        let after = &tag[pipe + 1..];
        let name_text = after.trim_start();
        let name = leading_word(name_text);
        if name.is_empty() {
            continue;
        }
        let tail = &name_text[name.len()..];
        let first = tail.trim_start();
        if first.len() == tail.len() || first.is_empty() {
            continue;
        }
        let starts_value = first.starts_with(['"', '\'', '.', '$', '-', '('])
            || first.starts_with(|c: char| c.is_ascii_digit());
        if !starts_value || first.starts_with("-}}") || first.starts_with("-%}") {
            continue;
        }
        let (args, used) = go_arguments(first);
        if args.is_empty() {
            continue;
        }
        let ktera = ktera_name(name);
        let suggestion = match signatures().filters.get_key_value(ktera) {
            Some((ktera, &[])) => {
                format!("`{ktera}` (it takes no arguments)")
            }
            Some((ktera, accepted)) => format!("`{}`", call(ktera, accepted, &args)),
            None => format!(
                "`{name}(name={})` with the argument's name",
                args.join(", ")
            ),
        };
        let name_at = tag.len() - name_text.len();
        let end = tag.len() - (first.len() - used);
        let written = tag[name_at..end].trim_end();
        return Some((
            format!("`| {written}` passes an argument the Go way, which ktera does not read"),
            format!("ktera's filters take keyword arguments: write {suggestion}"),
            name_at,
            name_at + written.len(),
        ));
    }
    None
}

/// For a Tera error that reads a Go action's word as a value (`{{- if .Values.x }}` parses as
/// a print of `if`, which is undefined), the habit on that line.
pub fn misread_action(message: &str, line: &str, column: usize) -> Option<Habit> {
    let variable = message
        .strip_prefix("Variable `")
        .and_then(|m| m.split('`').next());
    let undefined = variable.is_some() || message == super::print_guard::UNDEFINED;
    let habit = explain(line, column).filter(|_| undefined)?;
    let at = line
        .char_indices()
        .nth(habit.column)
        .map_or(line.len(), |(i, _)| i);
    let (body, _) = tag_body(line[at..].starts_with("{{").then_some(&line[at..])?);
    let word = leading_word(body);
    (GO_ACTIONS.contains(&word) && variable.is_none_or(|v| v == word)).then_some(habit)
}

/// For an unknown filter or function with a Helm name (`toYaml`), ktera's name; for another
/// unknown name, the nearest one ktera has. `None` for any other message.
pub fn helm_name_hint(message: &str) -> Option<String> {
    let (function, rest) = [("Unknown filter `", false), ("Unknown function `", true)]
        .iter()
        .find_map(|&(kind, function)| Some((function, message.split_once(kind)?.1)))?;
    let name = rest.split('`').next()?;
    if let Some((_, ktera)) = HELM_NAMES.iter().find(|(helm, _)| *helm == name) {
        return Some(format!(
            "`{name}` is Helm's name; ktera's is `{ktera}` (the README's table lists them all)"
        ));
    }
    let table = signatures();
    let (names, others) = if function {
        (&table.functions, &table.filters)
    } else {
        (&table.filters, &table.functions)
    };
    // A filter called as a function, or the other way round.
    if others.contains_key(name) {
        return Some(if function {
            format!("`{name}` is a filter: write `value | {name}(...)`")
        } else {
            format!("`{name}` is a function: write `{name}(...)`")
        });
    }
    let near = crate::diagnostic::did_you_mean(name, names.keys().copied())?;
    Some(format!(
        "did you mean `{near}`? (the README's table lists ktera's filters and functions)"
    ))
}

/// A block tag that a template leaves open at its end.
#[derive(Debug)]
pub struct OpenTag {
    pub message: String,
    pub hint: String,
    /// Where the tag starts: 1-based line, 0-based column and width in characters.
    pub line: usize,
    pub column: usize,
    pub width: usize,
}

/// The block tag a template leaves open at its end (the innermost): `{% if %}`, where it
/// opens. Comments and raw blocks are skipped.
pub fn unclosed_tag(source: &str) -> Option<OpenTag> {
    // (word, start offset, length of the tag)
    let mut open: Vec<(&str, usize, usize)> = Vec::new();
    let mut consumed = 0;
    while let Some(at) = source[consumed..].find('{') {
        let start = consumed + at;
        let rest = &source[start..];
        if rest.starts_with("{#") {
            let Some(end) = rest.find("#}") else { break };
            consumed = start + end + 2;
            continue;
        }
        if !rest.starts_with("{%") {
            consumed = start + 1;
            continue;
        }
        let Some(end) = rest[2..].find("%}") else {
            break;
        };
        let inner = rest[2..2 + end].trim_matches('-').trim();
        let word = leading_word(inner);
        consumed = start + 2 + end + 2;
        match word {
            "if" | "for" | "component" | "block" | "macro" | "filter" | "raw" => {
                open.push((word, start, end + 4));
                if word == "raw" {
                    // A raw block's text is not tags; it ends at its `{% endraw %}`.
                    let body = &source[consumed..];
                    let end_tag = body.match_indices("{%").map(|(i, _)| i).find(|&i| {
                        leading_word(body[i + 2..].trim_start_matches('-').trim_start()) == "endraw"
                    });
                    match end_tag {
                        Some(i) => consumed += i,
                        None => break,
                    }
                }
            }
            w if w.starts_with("end") => {
                open.pop();
            }
            _ => {}
        }
    }
    let (word, start, len) = open.pop()?;
    let line = source[..start].matches('\n').count() + 1;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..start].chars().count();
    let width = source[start..start + len]
        .lines()
        .next()
        .map_or(1, |t| t.chars().count());
    Some(OpenTag {
        message: format!("`{{% {word} %}}` is never closed"),
        hint: format!("add `{{% end{word} %}}` where its body ends"),
        line,
        column,
        width,
    })
}

/// For an undefined name inside a component: the component's signature is where it comes in.
pub fn component_hint(message: &str, source: &str, line: usize) -> Option<String> {
    let name = message
        .strip_prefix("Variable `")
        .and_then(|m| m.split('`').next())?;
    let component = enclosing_component(source, line)?;
    let object = [
        "Values",
        "Release",
        "Chart",
        "Capabilities",
        "Template",
        "Root",
        "Subcharts",
    ]
    .contains(&name);
    Some(if object {
        format!(
            "a component sees only its arguments: take the caller's `{name}` by declaring `@{name}` in its signature, `{{% component {component}(@{name}) %}}`"
        )
    } else {
        format!(
            "a component sees only its arguments: declare `{name}` in `{{% component {component}(...) %}}` and pass it, `<{component} {name}={{...}} />`"
        )
    })
}

/// The name of the component whose body holds `line` (1-based), if one does.
fn enclosing_component(source: &str, line: usize) -> Option<String> {
    let mut current: Option<String> = None;
    for (i, text) in source.lines().enumerate().take(line) {
        let mut rest = text;
        while let Some(at) = rest.find("{%") {
            let after = rest[at + 2..].trim_start_matches('-').trim_start();
            if let Some(def) = after.strip_prefix("component ") {
                let name: String = def
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                current = Some(name);
            } else if after.starts_with("endcomponent") && i + 1 < line {
                current = None;
            }
            rest = &rest[at + 2..];
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The habit found for an error at the first occurrence of `at` on `line`.
    fn habit(line: &str, at: &str) -> Habit {
        let column = line[..line.find(at).expect("at")].chars().count();
        explain(line, column).unwrap_or_else(|| panic!("no habit in {line:?}"))
    }

    /// The text a habit points at.
    fn pointed(line: &str, habit: &Habit) -> String {
        line.chars().skip(habit.column).take(habit.width).collect()
    }

    #[test]
    fn go_habits_are_named_and_pointed_at() {
        let line = "  name: {{ .Values.name }}";
        let h = habit(line, ".Values");
        assert_eq!(pointed(line, &h), ".Values.name");
        assert!(h.hint.contains("write `Values.name`"), "{}", h.hint);

        let line = "{{- if .Values.enabled }}";
        let h = habit(line, "if");
        assert_eq!(pointed(line, &h), line);
        assert!(h.hint.contains("{% if ... %}"), "{}", h.hint);

        let line = "  labels: {{ Values.x | nindent 4 }}";
        let h = habit(line, "4");
        assert_eq!(pointed(line, &h), "nindent 4");
        assert!(h.hint.contains("`nindent(width=4)`"), "{}", h.hint);

        let line = r#"a: {{ Values.x | default "x" | quote }}"#;
        let h = habit(line, "\"x\"");
        assert_eq!(pointed(line, &h), r#"default "x""#);
        assert!(h.hint.contains(r#"`default(value="x")`"#), "{}", h.hint);

        let line = r#"{{ Values.x | trimSuffix "-" }}"#;
        assert!(
            habit(line, "\"-\"")
                .hint
                .contains(r#"`trim_suffix(suffix="-")`"#)
        );
        let line = r#"{{ Values.x | replace "a" "b" }}"#;
        assert!(
            habit(line, "\"a\"")
                .hint
                .contains(r#"`replace(from="a", to="b")`"#)
        );
    }

    #[test]
    fn go_calls_are_written_as_filters_and_functions() {
        let line = r#"  name: {{ printf "%s-%s" Release.Name Values.suffix }}"#;
        let h = habit(line, "\"%s");
        assert_eq!(
            pointed(line, &h),
            r#"printf "%s-%s" Release.Name Values.suffix"#
        );
        assert!(
            h.hint
                .contains(r#"`printf(format="%s-%s", values=[Release.Name, Values.suffix])`"#),
            "{}",
            h.hint
        );
        let line = r#"{{ default "nginx" Values.image | quote }}"#;
        let h = habit(line, "\"nginx\"");
        assert_eq!(pointed(line, &h), r#"default "nginx" Values.image"#);
        assert!(
            h.hint
                .contains(r#"`Values.image | default(value="nginx")`"#),
            "{}",
            h.hint
        );
        let line = "{{ toYaml Values.resources }}";
        let h = habit(line, "Values");
        assert!(
            h.hint.contains("`Values.resources | to_yaml`"),
            "{}",
            h.hint
        );
        let line = r#"{{ semverCompare ">=1.21" Capabilities.KubeVersion.Version }}"#;
        let h = habit(line, "\">=");
        assert!(
            h.hint.contains(
                r#"`semver_compare(constraint=">=1.21", version=Capabilities.KubeVersion.Version)`"#
            ),
            "{}",
            h.hint
        );
    }

    #[test]
    fn only_the_tag_of_the_error_is_read() {
        // A Go-looking text in another tag or outside tags is not the error's.
        let line = r#"x: ".Values" {{ Values.a | quote }} {{ Values.b | nindent 4 }}"#;
        let h = habit(line, "4");
        assert_eq!(pointed(line, &h), "nindent 4");
        assert!(explain("{{ Values.x | quote }}", 5).is_none());
        assert!(explain("no tag here", 3).is_none());
        assert!(explain("{{ not Values.x }}", 7).is_none());
    }

    #[test]
    fn every_helm_name_maps_to_a_registered_name() {
        let table = signatures();
        for (helm, ktera) in HELM_NAMES {
            assert!(
                table.filters.contains_key(ktera) || table.functions.contains_key(ktera),
                "{helm} -> {ktera} is not registered"
            );
        }
    }

    #[test]
    fn the_open_tag_and_the_component_are_found() {
        let open = unclosed_tag("a\n  {% if x %}\n{% for y in z %}{% endfor %}\n").expect("open");
        assert_eq!(open.message, "`{% if %}` is never closed");
        assert_eq!((open.line, open.column, open.width), (2, 2, 10));
        assert!(unclosed_tag("{% if x %}{% endif %}").is_none());
        assert!(unclosed_tag("{# {% if x %} #}{% raw %}{% for %}{% endraw %}").is_none());
        let source = "{% component app.name(x) %}\n{{ Values.a }}\n{% endcomponent app.name %}\n";
        let hint = component_hint("Variable `Values` is not defined.", source, 2).expect("hint");
        assert!(hint.contains("`@Values`"), "{hint}");
        assert!(hint.contains("app.name"), "{hint}");
        assert!(component_hint("Variable `Values` is not defined.", source, 4).is_none());
    }
}
