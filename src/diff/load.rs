//! Reading a side: a file, a directory of .yaml/.yml files (and of the files `kubectl diff`
//! writes for `KUBECTL_EXTERNAL_DIFF`), or standard input, parsed into documents. Parse errors give the file, line and column and the parser's message with any
//! quoted text removed; they never show the document's content.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::document::{Document, check_unique};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::manifest::{DocumentText, split_documents};
use crate::pool;
use crate::yaml::{Keys, read_document};

/// How standard input is named in origins and messages.
pub const STDIN: &str = "<stdin>";

/// Splits a multi-document YAML stream, drops empty and comment-only documents, parses each
/// (duplicate keys are errors) and expands the items of `kind: List` documents. Two documents
/// with one identity are an error.
pub fn parse_manifests(text: &str, origin: &str) -> Result<Vec<Document>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chunks = split_documents(text);
    let values = parse_chunks(&chunks, origin)?;
    let mut documents = Vec::with_capacity(values.len());
    for (chunk, mut value) in chunks.iter().zip(values) {
        if value.is_null() {
            continue;
        }
        let place = format!("{origin}:{}", chunk.content_line);
        match list_items(&mut value) {
            Some(items) => documents.extend(
                items
                    .into_iter()
                    .enumerate()
                    .filter(|(_, item)| !item.is_null())
                    .map(|(i, item)| Document::new(item, format!("{place} items[{i}]"))),
            ),
            None => documents.push(Document::new(value, place)),
        }
    }
    check_unique(&documents)?;
    Ok(documents)
}

/// Below this many documents per core, parsing on one thread is as fast.
const MIN_DOCUMENTS_PER_THREAD: usize = 32;

/// Parses the documents, spread over the cores when there are many (parsing is the costly
/// stage). The first error in document order wins.
fn parse_chunks(chunks: &[DocumentText<'_>], origin: &str) -> Result<Vec<Value>, Error> {
    let worth = chunks.len() / MIN_DOCUMENTS_PER_THREAD;
    pool::map(chunks, worth, |chunk| {
        match read_document(chunk.text, Keys::Resolved) {
            Some(value) => Ok(value),
            None => {
                check_depth(chunk.text, origin, chunk.first_line)?;
                serde_yaml::from_str(chunk.text)
                    .map_err(|error| yaml_error(&error, origin, chunk.first_line))
            }
        }
    })
    .into_iter()
    .collect()
}

/// A file, a directory (its .yaml/.yml files and kubectl's object files, recursively, in path
/// order) or `-` (standard input). Anything that is not a directory is read as a file, so
/// `<(command)` works too.
pub fn load_side(arg: &str, stdin: &mut dyn Read) -> Result<Vec<Document>, Error> {
    if arg == "-" {
        let text = crate::input::read_text(stdin).map_err(|failure| {
            failure.error_or(STDIN, |e| Error::io(format!("cannot read {STDIN}: {e}"), e))
        })?;
        return parse_manifests(&text, STDIN);
    }
    let path = Path::new(arg);
    let metadata = fs::metadata(path).map_err(|error| read_error(path, error))?;
    if !metadata.is_dir() {
        return parse_file(path);
    }
    let mut files = Vec::new();
    collect_yaml_files(path, &mut files, &mut HashSet::new())?;
    if files.is_empty() {
        return Err(Error::input(
            "the directory holds no .yaml or .yml file (nor a file kubectl diff writes, such as \
             apps.v1.Deployment.default.web); pass a directory of manifests",
        )
        .in_file(arg));
    }
    files.sort();
    if let Some(error) = files.iter().find_map(|file| source_directory(file)) {
        return Err(error);
    }
    let mut documents = Vec::new();
    for file in &files {
        documents.extend(parse_file(file)?);
    }
    check_unique(&documents)?;
    Ok(documents)
}

/// Kustomize and chart sources are not manifests: comparing them would mislead (patches look
/// like objects), so say how to get the manifests instead.
fn source_directory(file: &Path) -> Option<Error> {
    let name = file.file_name()?.to_str()?;
    let dir = file.parent()?.display().to_string();
    let (what, hint) = match name {
        "kustomization.yaml" | "kustomization.yml" => (
            "a Kustomize directory",
            format!(
                "build it first (kubectl kustomize {dir} | ktera diff - OTHER) or use \
                 ktera compare --kustomize {dir}"
            ),
        ),
        "Chart.yaml" => (
            "a chart",
            format!("render it first (ktera template {dir} -f VALUES | ktera diff - OTHER)"),
        ),
        _ => return None,
    };
    Some(Error::input(format!("{dir} is {what}, not rendered manifests")).with_hint(hint))
}

fn parse_file(path: &Path) -> Result<Vec<Document>, Error> {
    let origin = path.display().to_string();
    let text = crate::input::read_file_text(path)
        .map_err(|failure| failure.error_or(&origin, |error| read_error(path, error)))?;
    let mut documents = parse_manifests(&text, &origin)?;
    let by_kubectl = path
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(is_kubectl_object_file);
    for document in &mut documents {
        document.written_by_kubectl_diff = by_kubectl;
    }
    Ok(documents)
}

fn read_error(path: &Path, error: io::Error) -> Error {
    let path = path.display().to_string();
    if error.kind() == io::ErrorKind::NotFound {
        Error::io(
            "no such file or directory; pass a manifest file, a directory of .yaml/.yml files, \
             or - for standard input",
            error,
        )
        .in_file(path)
    } else {
        Error::io(format!("cannot read {path}: {error}"), error)
    }
}

/// Follows symbolic links, visiting each real directory once (a link loop ends there).
fn collect_yaml_files(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    visited: &mut HashSet<PathBuf>,
) -> Result<(), Error> {
    let real = fs::canonicalize(dir).map_err(|error| read_error(dir, error))?;
    if !visited.insert(real) {
        return Ok(());
    }
    let entries = fs::read_dir(dir).map_err(|error| read_error(dir, error))?;
    for entry in entries {
        let path = entry.map_err(|error| read_error(dir, error))?.path();
        match fs::metadata(&path) {
            Ok(metadata) if metadata.is_dir() => collect_yaml_files(&path, files, visited)?,
            Ok(_) if is_manifest(&path) => files.push(path),
            Ok(_) => {}
            // A dangling link is only an error when it claims to be a manifest.
            Err(error) if is_manifest(&path) => return Err(read_error(&path, error)),
            Err(_) => {}
        }
    }
    Ok(())
}

/// A file a directory side reads: `.yaml`/`.yml`, or one `kubectl diff` writes.
fn is_manifest(path: &Path) -> bool {
    is_yaml(path)
        || path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(is_kubectl_object_file)
}

/// The name `kubectl diff` gives the file of one object in the two directories it hands
/// `KUBECTL_EXTERNAL_DIFF`: `[GROUP.]VERSION.KIND.NAMESPACE.NAME`, no extension
/// (`apps.v1.Deployment.default.web`, `v1.ConfigMap.default.cfg`, `v1.Namespace..prod` for an
/// object without a namespace). Its content is the object's YAML, or nothing when the object
/// is absent on that side. Other files without a `.yaml`/`.yml` extension (a README, a
/// Makefile) are left alone: a version (`v1`, `v2beta1`) followed by a kind (`Deployment`) is
/// what tells the two apart.
fn is_kubectl_object_file(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    let is_version = |part: &str| {
        let Some(rest) = part.strip_prefix('v') else {
            return false;
        };
        let major = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        if major.len() == rest.len() {
            return false;
        }
        let stage = major
            .strip_prefix("alpha")
            .or_else(|| major.strip_prefix("beta"));
        match stage {
            Some(number) => !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
            None => major.is_empty(),
        }
    };
    let is_kind = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_uppercase())
            && part.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    (0..parts.len().saturating_sub(3)).any(|i| {
        parts[..i].iter().all(|group| !group.is_empty())
            && is_version(parts[i])
            && is_kind(parts[i + 1])
            && !parts[i + 3].is_empty()
    })
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// The items of a `kind: List` document, taken out of it; `None` for any other document.
pub fn list_items(value: &mut Value) -> Option<Vec<Value>> {
    if value.get("kind").and_then(Value::as_str) != Some("List") {
        return None;
    }
    match value.get_mut("items") {
        Some(Value::Sequence(items)) => Some(std::mem::take(items)),
        Some(Value::Null) | None => Some(Vec::new()),
        Some(_) => None,
    }
}

/// A parse error located in the file (serde_yaml counts lines from the document's start) with
/// its message freed of quoted input.
fn yaml_error(error: &serde_yaml::Error, origin: &str, first_line: usize) -> Error {
    let offset = first_line.saturating_sub(1);
    let mut message = crate::diagnostic::hide_quoted(&shift_lines(&error.to_string(), offset));
    let (line, column) = match error.location() {
        Some(location) => {
            let (line, column) = (location.line() + offset, location.column());
            // The location leads the message; do not repeat it at its end.
            message = message.replacen(&format!(" at line {line} column {column}"), "", 1);
            (line, column)
        }
        None => (first_line, 1),
    };
    // No snippet: the document may be a Secret.
    Error::input(format!(
        "invalid YAML: {message}; fix the document and run again"
    ))
    .with_diagnostic(Diagnostic::at(origin, line, column))
}

/// Flow collections nested past serde_yaml's limit, refused in one pass (libyaml takes minutes
/// on 100,000 `[`), placed in the file; no snippet, as for every parse error here.
fn check_depth(text: &str, origin: &str, first_line: usize) -> Result<(), Error> {
    match crate::yaml::too_deep_flow(text, crate::yaml::MAX_FLOW_DEPTH) {
        Some((line, column)) => Err(Error::input(format!(
            "invalid YAML: flow collections (`[`, `{{`) nest deeper than {} levels; flatten the document",
            crate::yaml::MAX_FLOW_DEPTH
        ))
        .with_diagnostic(Diagnostic::at(origin, line + first_line - 1, column))),
        None => Ok(()),
    }
}

/// Adds `offset` to every `line N column M` of a parser message.
fn shift_lines(message: &str, offset: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(found) = rest.find("line ") {
        let (before, after) = rest.split_at(found + "line ".len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let number = after.get(..digits).and_then(|d| d.parse::<usize>().ok());
        rest = match number {
            Some(n) if after[digits..].starts_with(" column ") => {
                out.push_str(&(n + offset).to_string());
                &after[digits..]
            }
            _ => after,
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Document>, Error> {
        parse_manifests(text, "f.yaml")
    }

    #[test]
    fn documents_with_origins() {
        let docs = parse("# Source: a\nkind: A\nmetadata: {name: a}\n---\n---\nkind: B\n").unwrap();
        let origins: Vec<&str> = docs.iter().map(|d| d.origin.as_str()).collect();
        assert_eq!(origins, ["f.yaml:2", "f.yaml:6"]);
        assert!(docs[0].id.is_some() && docs[1].id.is_none());
    }

    #[test]
    fn many_documents_keep_their_order_and_first_error() {
        let text: String = (0..500)
            .map(|i| format!("---\nkind: A\nmetadata: {{name: a{i}}}\n"))
            .collect();
        let docs = parse(&text).unwrap();
        assert_eq!(docs.len(), 500);
        assert!(
            docs.iter()
                .enumerate()
                .all(|(i, d)| d.origin == format!("f.yaml:{}", 3 * i + 2))
        );
        let broken = text
            .replace("name: a100}", "name: a100")
            .replace("name: a400}", "name: a400");
        let message = parse(&broken).unwrap_err().to_string();
        assert!(message.starts_with("f.yaml:30"), "{message}");
    }

    #[test]
    fn null_documents_are_dropped() {
        assert!(parse("---\n~\n---\nnull\n").unwrap().is_empty());
    }

    #[test]
    fn lists_are_expanded() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- {kind: A, metadata: {name: a}}\n- {kind: A, metadata: {name: b}}\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].origin, "f.yaml:1 items[1]");
        assert!(parse("kind: List\nitems: []\n").unwrap().is_empty());
    }

    #[test]
    fn error_lines_count_from_the_file() {
        let text = "a: 1\n---\nb: 2\n  c: 3\n";
        let error = parse(text).unwrap_err();
        let place = error.diagnostic();
        assert_eq!((place.line, place.column), (Some(4), Some(4)), "{error}");
        let message = error.to_string();
        assert!(
            message.starts_with("f.yaml:4:4: invalid YAML: "),
            "{message}"
        );
        assert!(!message.contains("at line 4 column 4"), "{message}");
    }

    #[test]
    fn context_lines_are_shifted_too() {
        let text = "a: 1\n---\nb: 'open\n";
        let message = parse(text).unwrap_err().to_string();
        assert!(
            message.contains("quoted scalar at line 3 column 4"),
            "{message}"
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let message = parse("a: 1\na: 2\n").unwrap_err().to_string();
        assert!(
            message.contains(r#"duplicate entry with key "a""#),
            "{message}"
        );
    }

    #[test]
    fn errors_never_quote_values() {
        let text = "kind: Secret\ndata:\n  password: !!int hunter2\n";
        let message = parse(text).unwrap_err().to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.starts_with("f.yaml:3:"), "{message}");
    }

    #[test]
    fn hide_quoted_spans() {
        assert_eq!(
            crate::diagnostic::hide_quoted(r#"invalid value: string "a\"b", expected x"#),
            r#"invalid value: string "…", expected x"#
        );
        assert_eq!(crate::diagnostic::hide_quoted("integer `5`"), "integer `…`");
        assert_eq!(
            crate::diagnostic::hide_quoted(r#"duplicate entry with key "k""#),
            r#"duplicate entry with key "k""#
        );
    }

    #[test]
    fn shift_only_line_column_pairs() {
        assert_eq!(
            shift_lines("x at line 2 column 3, y at line 1 column 1, line 7", 10),
            "x at line 12 column 3, y at line 11 column 1, line 7"
        );
    }

    #[test]
    fn bom_and_crlf() {
        let docs = parse("\u{feff}kind: A\r\nmetadata: {name: a}\r\n---\r\nkind: B\r\n").unwrap();
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn not_utf8_is_located() {
        let mut input: &[u8] = b"a: 1\nb: \xff\n";
        let message = load_side("-", &mut input).unwrap_err().to_string();
        assert!(message.starts_with("<stdin>:2:4: not UTF-8"), "{message}");
    }

    #[test]
    fn kustomize_and_chart_directories_are_refused() {
        let message = source_directory(Path::new("k/overlays/prod/kustomization.yaml"))
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.starts_with("k/overlays/prod is a Kustomize directory, not rendered manifests\n  hint: build it first"),
            "{message}"
        );
        assert!(
            message.contains("kubectl kustomize k/overlays/prod"),
            "{message}"
        );
        assert!(source_directory(Path::new("c/Chart.yaml")).is_some());
        assert!(source_directory(Path::new("c/deployment.yaml")).is_none());
    }

    #[test]
    fn kubectl_object_files_and_nothing_else() {
        for name in [
            "apps.v1.Deployment.default.web",
            "v1.ConfigMap.default.cfg",
            "v1.Namespace..prod",
            "v1.ConfigMap.default.app.config.v2",
            "autoscaling.v2.HorizontalPodAutoscaler.prod.web",
            "networking.k8s.io.v1.Ingress.prod.web",
            "apiextensions.k8s.io.v1.CustomResourceDefinition..widgets.example.com",
            "example.com.v1beta1.Widget.default.w",
        ] {
            assert!(is_kubectl_object_file(name), "{name}");
        }
        for name in [
            "README",
            "Makefile",
            "notes.txt",
            "v1.ConfigMap",
            "v1.ConfigMap.default.",
            "v1.configmap.default.cfg",
            "version.v1x.Deployment.default.web",
            ".v1.ConfigMap.default.cfg",
            "v1beta.ConfigMap.default.cfg",
        ] {
            assert!(!is_kubectl_object_file(name), "{name}");
        }
    }

    #[test]
    fn stdin_side() {
        let mut input: &[u8] = b"kind: A\nmetadata: {name: a}\n";
        let docs = load_side("-", &mut input).unwrap();
        assert_eq!(docs[0].origin, "<stdin>:1");
    }
}
