//! Rendered manifests: split a template's output into YAML documents, parse them, identify each
//! object by (API group, kind, namespace, name) and order them as Helm installs them.

use serde_yaml::Value;

use crate::diagnostic;
use crate::parallel;
use crate::yaml::{self, Keys};

/// Identity of a Kubernetes object: what `kubectl apply` keys on. The API version is not part of
/// it (only its group is), so `apps/v1` and `apps/v1beta1` Deployments are the same object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// API group: "" for the core group (`v1`), "apps" for `apps/v1`.
    pub group: String,
    pub kind: String,
    /// Empty when the document has no `metadata.namespace`.
    pub namespace: String,
    pub name: String,
}

impl ObjectId {
    /// The identity of a parsed document; `None` when it has no `kind` or no `metadata.name`.
    pub fn of(doc: &Value) -> Option<ObjectId> {
        let kind = doc.get("kind")?.as_str()?.to_string();
        let meta = doc.get("metadata")?;
        let name = meta.get("name")?.as_str()?.to_string();
        let namespace = meta
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let group = match api_version.rsplit_once('/') {
            Some((group, _version)) => group.to_string(),
            None => String::new(),
        };
        Some(ObjectId {
            group,
            kind,
            namespace,
            name,
        })
    }
}

impl std::fmt::Display for ObjectId {
    /// `apps/Deployment dominos-service-backend/backend-app`, `/Namespace backend`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} ", self.group, self.kind)?;
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        write!(f, "{}", self.name)
    }
}

/// Kinds in the order Helm installs them (Helm's `InstallOrder`); other kinds come after these,
/// sorted by kind name, and objects of one kind keep their template order.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// One parsed document of a template's output.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// `backend/templates/deployment.yaml`, for `# Source:`.
    pub source_name: String,
    /// Relative to `templates/`: `deployment.yaml`.
    pub template_name: String,
    pub kind: String,
    pub value: Value,
}

impl Manifest {
    pub fn id(&self) -> Option<ObjectId> {
        ObjectId::of(&self.value)
    }

    /// The `helm.sh/hook` annotation's events (`pre-install`, `test`...); empty for plain objects.
    pub fn hook_events(&self) -> Vec<&str> {
        self.annotation("helm.sh/hook")
            .map(|events| {
                events
                    .split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn is_hook(&self) -> bool {
        !self.hook_events().is_empty()
    }

    /// Helm's test hooks: `test` and the older `test-success`.
    pub fn is_test_hook(&self) -> bool {
        self.hook_events()
            .iter()
            .any(|e| *e == "test" || *e == "test-success")
    }

    /// `helm.sh/hook-weight`, 0 when absent or not a number (as Helm).
    pub fn hook_weight(&self) -> i64 {
        self.annotation("helm.sh/hook-weight")
            .and_then(|w| w.trim().parse().ok())
            .unwrap_or(0)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// `report` holds the message, the snippet and the hint, written where the facts are known.
    #[error("{path}: the rendered output is not valid YAML: {report}")]
    InvalidYaml {
        path: String,
        line: usize,
        column: usize,
        report: String,
    },
    #[error(
        "{path}: document {index} of the rendered output (line {line}) is {found}, not a Kubernetes object\n  hint: each document must be a mapping with apiVersion, kind and metadata"
    )]
    NotAnObject {
        path: String,
        index: usize,
        line: usize,
        found: String,
    },
}

/// A YAML document of a template's output and the 1-based line where its text starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentText<'a> {
    pub first_line: usize,
    pub text: &'a str,
}

/// Splits a YAML stream on `---` lines (a comment may follow the marker); `...` ends a document.
pub fn split_documents(stream: &str) -> Vec<DocumentText<'_>> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut first_line = 1;
    let mut offset = 0;
    for (line_no, line) in (1..).zip(stream.split_inclusive('\n')) {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = bare == "---"
            || bare == "..."
            || bare.starts_with("--- #")
            || bare.starts_with("---\t#")
            || (bare.starts_with("---") && bare[3..].trim().is_empty());
        if marker {
            docs.push(DocumentText {
                first_line,
                text: &stream[start..offset],
            });
            start = offset + line.len();
            first_line = line_no + 1;
        }
        offset += line.len();
    }
    docs.push(DocumentText {
        first_line,
        text: &stream[start..],
    });
    docs.retain(|d| has_content(d.text));
    docs
}

/// False for documents of only blank lines and comments.
fn has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

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
) -> Result<Vec<Manifest>, ManifestError> {
    parse_rendered_all(&[(*rendered, template_source)])
}

/// Below this much rendered text per core, parsing on one thread is as fast.
const MIN_BYTES_PER_THREAD: usize = 64 * 1024;

/// [`parse_rendered`] for many templates' outputs (each with its template source), in order.
/// Parsing is the costliest stage of a render, so documents are spread over the cores when
/// there is enough text; the first error in document order wins, whatever the scheduling.
pub fn parse_rendered_all(
    templates: &[(RenderedText<'_>, &str)],
) -> Result<Vec<Manifest>, ManifestError> {
    let mut jobs = Vec::new();
    let mut bytes = 0;
    for (rendered, source) in templates {
        for (index, doc) in split_documents(rendered.text).into_iter().enumerate() {
            bytes += doc.text.len();
            jobs.push((rendered, *source, index, doc));
        }
    }
    let parse_group = |group: &[(&RenderedText<'_>, &str, usize, DocumentText<'_>)]| {
        let mut out = Vec::with_capacity(group.len());
        for (rendered, source, index, doc) in group {
            out.extend(parse_document(rendered, source, *index, doc)?);
        }
        Ok::<_, ManifestError>(out)
    };
    let threads = (bytes / MIN_BYTES_PER_THREAD).min(jobs.len());
    // Counting the cores reads cgroup files: only worth it when there is text to share.
    let threads = match threads {
        0 | 1 => threads,
        _ => std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(threads),
    };
    if threads <= 1 {
        return parse_group(&jobs);
    }
    // Contiguous groups of about equal text, so results concatenate in order.
    let share = bytes.div_ceil(threads);
    let mut groups = Vec::with_capacity(threads);
    let (mut start, mut size) = (0, 0);
    for (i, job) in jobs.iter().enumerate() {
        size += job.3.text.len();
        if size >= share && groups.len() + 1 < threads {
            groups.push(&jobs[start..=i]);
            (start, size) = (i + 1, 0);
        }
    }
    groups.push(&jobs[start..]);
    parallel::map_groups(&groups, &parse_group)
}

/// One document of a template's output; `None` for an empty (null) document.
fn parse_document(
    rendered: &RenderedText<'_>,
    template_source: &str,
    index: usize,
    doc: &DocumentText<'_>,
) -> Result<Option<Manifest>, ManifestError> {
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
            return Err(ManifestError::NotAnObject {
                path: rendered.path.to_string(),
                index: index + 1,
                line: doc.first_line,
                found: describe(other),
            });
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
) -> Result<Value, ManifestError> {
    serde_yaml::from_str(doc.text).map_err(|e| {
        let (mut line_in_doc, mut column) =
            diagnostic::yaml_error_location(doc.text, &e).unwrap_or((1, 1));
        if let Some(key) = diagnostic::duplicate_key_name(&e.to_string()) {
            (line_in_doc, column) =
                diagnostic::duplicate_key_location(doc.text, line_in_doc, column, &key);
        }
        let line = doc.first_line + line_in_doc.saturating_sub(1);
        ManifestError::InvalidYaml {
            path: rendered.path.to_string(),
            line,
            column,
            report: format!(
                "{}\n  at line {line}, column {column} of what this template rendered:\n{}{}\n  hint: look at the template around that place; `ktera template --show-only templates/{}` shows what it renders once the YAML is valid",
                problem_only(&e),
                diagnostic::snippet_hiding_secrets(rendered.text, line, column, doc.text),
                source_hint(rendered.text, line, template_source),
                rendered.name,
            ),
        }
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

/// Orders manifests as Helm prints them: plain objects in install order, then hooks by weight
/// (then install order); stable otherwise.
pub fn sort_install_order(manifests: &mut [Manifest]) {
    // Each key once per object: reading the hook annotations looks up three nested keys.
    manifests.sort_by_cached_key(|m| {
        let hook = m.is_hook();
        let weight = if hook { m.hook_weight() } else { 0 };
        // Known kinds by rank, then unknown kinds by name.
        let kind = match INSTALL_ORDER.iter().position(|k| *k == m.kind) {
            Some(rank) => (0, rank, String::new()),
            None => (1, 0, m.kind.clone()),
        };
        (hook, weight, kind)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_first_lines_and_drops_empty_documents() {
        let docs = split_documents("# only a comment\n---\na: 1\n--- # next\n\nb: 2\n---\n");
        assert_eq!(
            docs,
            vec![
                DocumentText {
                    first_line: 3,
                    text: "a: 1\n"
                },
                DocumentText {
                    first_line: 5,
                    text: "\nb: 2\n"
                },
            ]
        );
    }

    #[test]
    fn kinds_sort_in_helm_install_order_and_stay_stable() {
        let m = |kind: &str, name: &str| Manifest {
            source_name: name.into(),
            template_name: name.into(),
            kind: kind.into(),
            value: Value::Null,
        };
        let mut list = vec![
            m("Deployment", "d1"),
            m("Widget", "w"),
            m("Service", "s"),
            m("Deployment", "d2"),
            m("Namespace", "n"),
            m("Apple", "a"),
        ];
        sort_install_order(&mut list);
        let names: Vec<_> = list.iter().map(|m| m.source_name.as_str()).collect();
        assert_eq!(names, ["n", "s", "d1", "d2", "a", "w"]);
    }

    #[test]
    fn hooks_come_after_plain_objects_by_weight() {
        let m = |kind: &str, name: &str, hook: Option<(&str, &str)>| {
            let annotations = hook
                .map(|(h, w)| {
                    format!("annotations: {{helm.sh/hook: '{h}', helm.sh/hook-weight: '{w}'}}")
                })
                .unwrap_or_default();
            Manifest {
                source_name: name.into(),
                template_name: name.into(),
                kind: kind.into(),
                value: serde_yaml::from_str(&format!(
                    "kind: {kind}\nmetadata: {{name: {name}, {annotations}}}"
                ))
                .unwrap_or(Value::Null),
            }
        };
        let mut list = vec![
            m("Job", "late", Some(("post-install", "5"))),
            m("Job", "migrate", Some(("pre-install,pre-upgrade", "-1"))),
            m("Pod", "test", Some(("test", "0"))),
            m("Deployment", "app", None),
            m("Namespace", "ns", None),
        ];
        sort_install_order(&mut list);
        let names: Vec<_> = list.iter().map(|m| m.source_name.as_str()).collect();
        assert_eq!(names, ["ns", "app", "migrate", "test", "late"]);
        assert!(list[3].is_test_hook());
        assert_eq!(list[2].hook_events(), ["pre-install", "pre-upgrade"]);
    }

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
        assert!(
            matches!(&error, ManifestError::NotAnObject { path, .. } if path == "t30.yaml"),
            "{error}"
        );
    }

    #[test]
    fn identity_uses_the_api_group_only() {
        let doc: Value =
            serde_yaml::from_str("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}")
                .unwrap_or(Value::Null);
        let id = ObjectId::of(&doc);
        assert_eq!(
            id.map(|i| i.to_string()),
            Some("apps/Deployment x".to_string())
        );
    }
}
