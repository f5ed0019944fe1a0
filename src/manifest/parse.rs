//! Parsing what templates render: each template's output split into documents, each document
//! parsed into a [`Manifest`]. Errors name the template file and the line of its output.

use serde_yaml::Value;

use super::Manifest;
use super::split::{DocumentText, split_documents};
use crate::diagnostic;
use crate::error::Error;
use crate::pool;
use crate::yaml::{self, Keys};

/// What one template rendered, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct RenderedText<'a> {
    /// Relative to `templates/`.
    pub name: &'a str,
    /// For `# Source:`.
    pub source_name: &'a str,
    /// The template file on disk.
    pub path: &'a str,
    pub text: &'a str,
}

/// Parses a template's rendered text into its documents. Errors name the template file and the
/// line of its rendered output (and the template line when that text appears in the source).
pub fn parse_rendered(
    rendered: &RenderedText<'_>,
    template_source: &str,
) -> Result<Vec<Manifest>, Error> {
    parse_rendered_all(&[(*rendered, template_source)])
}

/// Below this much rendered text per core, parsing on one thread is as fast.
const MIN_BYTES_PER_THREAD: usize = 64 * 1024;

/// [`parse_rendered`] for many templates' outputs (each with its template source), in order.
/// Parsing is the costliest stage of a render, so documents are spread over the cores when
/// there is enough text; the first error in document order wins, whatever the scheduling.
pub fn parse_rendered_all(templates: &[(RenderedText<'_>, &str)]) -> Result<Vec<Manifest>, Error> {
    let mut jobs = Vec::new();
    let mut bytes = 0;
    for (rendered, source) in templates {
        for (index, doc) in split_documents(rendered.text).into_iter().enumerate() {
            bytes += doc.text.len();
            jobs.push((rendered, *source, index, doc));
        }
    }
    let worth = bytes / MIN_BYTES_PER_THREAD;
    let parsed = pool::map(&jobs, worth, |(rendered, source, index, doc)| {
        parse_document(rendered, source, *index, doc)
    });
    let mut manifests = Vec::with_capacity(parsed.len());
    for manifest in parsed {
        manifests.extend(manifest?);
    }
    Ok(manifests)
}

/// One document of a template's output; `None` for an empty (null) document.
fn parse_document(
    rendered: &RenderedText<'_>,
    template_source: &str,
    index: usize,
    doc: &DocumentText<'_>,
) -> Result<Option<Manifest>, Error> {
    // Helm trims each document and ends it with one newline before anything reads it: a block
    // scalar at the end (`conf: |+`, `rules: |`) then has that one newline, as in Helm's output.
    let trimmed = doc.text.trim_end();
    let owned;
    let text = if doc.text.len() == trimmed.len() + 1 && doc.text.ends_with('\n') {
        doc.text
    } else {
        owned = format!("{trimmed}\n");
        owned.as_str()
    };
    let doc = &DocumentText { text, ..*doc };
    let value = match yaml::read_document(doc.text, Keys::Resolved) {
        Some(value) => value,
        None => read_with_serde_yaml(rendered, template_source, doc)?,
    };
    let kind = match &value {
        Value::Mapping(m) => m
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        Value::Null => return Ok(None),
        other => {
            return Err(Error::input(format!(
                "document {} of the rendered output (line {}) is {}, not a Kubernetes object",
                index + 1,
                doc.first_line,
                describe(other)
            ))
            .in_file(rendered.path)
            .with_hint("each document must be a mapping with apiVersion, kind and metadata"));
        }
    };
    Ok(Some(Manifest {
        source_name: rendered.source_name.to_string(),
        template_name: rendered.name.to_string(),
        kind,
        value,
    }))
}

/// The slow path of [`parse_document`], for what the fast reader leaves: serde_yaml reads the
/// document and names the place of any error.
fn read_with_serde_yaml(
    rendered: &RenderedText<'_>,
    template_source: &str,
    doc: &DocumentText<'_>,
) -> Result<Value, Error> {
    let error = |(line_in_doc, column): (usize, usize), problem: String| {
        let line = doc.first_line + line_in_doc.saturating_sub(1);
        // The place is in the rendered output, which is in no file: the snippet shows it.
        Error::input(format!("the rendered output is not valid YAML: {problem}"))
            .in_file(rendered.path)
            .with_snippet(format!(
                "  at line {line}, column {column} of what this template rendered:\n{}{}",
                diagnostic::snippet_hiding_secrets(rendered.text, line, column, doc.text),
                source_hint(rendered.text, line, template_source),
            ))
            .with_hint(format!(
                "look at the template around that place; `ktera template --show-only {}` shows what it renders once the YAML is valid",
                super::show_only_path(rendered.source_name)
            ))
    };
    // Refused in one pass: libyaml takes minutes on 100,000 nested `[`.
    if let Some(place) = yaml::too_deep_flow(doc.text, yaml::MAX_FLOW_DEPTH) {
        return Err(error(
            place,
            format!(
                "flow collections (`[`, `{{`) nest deeper than {} levels",
                yaml::MAX_FLOW_DEPTH
            ),
        ));
    }
    serde_yaml::from_str(doc.text).map_err(|e| {
        let (mut line_in_doc, mut column) =
            diagnostic::yaml_error_location(doc.text, &e).unwrap_or((1, 1));
        if let Some(key) = diagnostic::duplicate_key_name(&e.to_string()) {
            (line_in_doc, column) =
                diagnostic::duplicate_key_location(doc.text, line_in_doc, column, &key);
        }
        let mut problem = problem_only(&e);
        if crate::secret::text_may_hold_secret(doc.text) {
            problem = diagnostic::hide_quoted(&problem);
        }
        error((line_in_doc, column), problem)
    })
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "empty".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(s) => format!("the text {:?}", truncate(s, 40)),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(max).collect::<String>())
    }
}

/// serde_yaml's problem without the places it names: those count lines from the document's
/// start, not the template output's.
fn problem_only(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

/// When the offending rendered line is written literally once in the template, point at it.
fn source_hint(rendered: &str, line: usize, source: &str) -> String {
    let Some(wanted) = rendered.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    if wanted.trim().is_empty() {
        return String::new();
    }
    let mut hits = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_end() == wanted.trim_end());
    match (hits.next(), hits.next()) {
        (Some((n, _)), None) => format!("\n  (that line is line {} of the template)", n + 1),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_on_many_threads_keeps_order_and_the_first_error() {
        // Enough text for several threads: 400 templates of 2 documents, about 400 KB.
        let padding = "x".repeat(400);
        let texts: Vec<(String, String)> = (0..400)
            .map(|i| {
                let text = format!(
                    "kind: A\nmetadata: {{name: a{i}}}\ndata: {{p: {padding}}}\n---\nkind: B\nmetadata: {{name: b{i}}}\ndata: {{p: {padding}}}\n"
                );
                (format!("t{i}.yaml"), text)
            })
            .collect();
        fn items(texts: &[(String, String)]) -> Vec<(RenderedText<'_>, &str)> {
            texts
                .iter()
                .map(|(name, text)| {
                    let rendered = RenderedText {
                        name,
                        source_name: name,
                        path: name,
                        text,
                    };
                    (rendered, "")
                })
                .collect()
        }
        let parsed = parse_rendered_all(&items(&texts)).unwrap_or_default();
        let names: Vec<String> = parsed
            .iter()
            .filter_map(|m| m.id().map(|id| id.name))
            .collect();
        let expected: Vec<String> = (0..400)
            .flat_map(|i| [format!("a{i}"), format!("b{i}")])
            .collect();
        assert_eq!(names, expected);

        let mut broken = texts.clone();
        broken[390].1.push_str("---\n[not closed\n");
        broken[30].1.push_str("---\n- a list\n");
        let error = parse_rendered_all(&items(&broken)).map(|_| ()).unwrap_err();
        assert_eq!(error.diagnostic().file, "t30.yaml", "{error}");
        assert!(
            error.message().contains("not a Kubernetes object"),
            "{error}"
        );
    }
}
