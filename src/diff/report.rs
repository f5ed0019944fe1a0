//! The result of a comparison and its two renderings: text for people, JSON for machines.
//! Secret values are masked here, at printing time, unless `show_secrets` is set; the masks
//! `kubectl diff` wrote in their place are said to be kubectl's, whatever the options.

use std::cell::Cell;
use std::io::{self, Write};

use serde_json::json;
use serde_yaml::Value;

use super::format::{Mask, compact_masked, printable, to_json_masked};
use super::path::Segment;
use super::secret::{self, KubectlMask};
use super::text;
use super::tree::{Change, Op};

/// One object of either side and how it compares.
pub(crate) struct Object {
    /// The identity as printed: `apps/Deployment shop/backend-app`.
    pub title: String,
    pub left_origin: Option<String>,
    pub right_origin: Option<String>,
    /// A Secret on either side: its data values are masked.
    pub secret: bool,
    /// Read on either side from a file `kubectl diff` wrote: its Secret data holds kubectl's
    /// masks unless kubectl ran with `--show-secrets`.
    pub kubectl_masks: bool,
    pub status: Status,
}

pub(crate) enum Status {
    Equal,
    Changed(Vec<Change>),
    OnlyLeft,
    OnlyRight,
}

/// The comparison of two manifest sets, objects in identity order. It holds the values
/// themselves (Secret data included), so it has no `Debug`; print it with its renderings.
pub struct Report {
    pub(crate) objects: Vec<Object>,
    left_label: String,
    right_label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub equal: usize,
    pub changed: usize,
    pub only_left: usize,
    pub only_right: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportOptions {
    /// ANSI colours (red removed, green added, yellow changed).
    pub color: bool,
    /// Print Secret `data`/`stringData` values instead of their sizes.
    pub show_secrets: bool,
}

impl Report {
    pub(crate) fn new(objects: Vec<Object>) -> Report {
        Report {
            objects,
            left_label: "left".to_string(),
            right_label: "right".to_string(),
        }
    }

    /// Names the sides in the text report (`only in values/prod.yaml`); "left" and "right"
    /// otherwise.
    pub fn with_labels(mut self, left: impl Into<String>, right: impl Into<String>) -> Report {
        self.left_label = left.into();
        self.right_label = right.into();
        self
    }

    pub fn is_equal(&self) -> bool {
        self.objects
            .iter()
            .all(|object| matches!(object.status, Status::Equal))
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for object in &self.objects {
            match object.status {
                Status::Equal => counts.equal += 1,
                Status::Changed(_) => counts.changed += 1,
                Status::OnlyLeft => counts.only_left += 1,
                Status::OnlyRight => counts.only_right += 1,
            }
        }
        counts
    }

    /// The report for people: one line per object that differs, then its changes, then a
    /// summary line.
    pub fn write_text(&self, opts: &ReportOptions, out: &mut dyn Write) -> io::Result<()> {
        let style = Style { color: opts.color };
        let left = printable(&self.left_label);
        let right = printable(&self.right_label);
        if !self.is_equal() {
            writeln!(out, "{}", style.paint(RED, &format!("--- {left}")))?;
            writeln!(out, "{}", style.paint(GREEN, &format!("+++ {right}")))?;
        }
        for object in &self.objects {
            let title = printable(&object.title);
            let origins = |origins: &[&Option<String>]| {
                let places: Vec<String> = origins
                    .iter()
                    .filter_map(|o| o.as_deref())
                    .map(|o| printable(o).into_owned())
                    .collect();
                style.paint(DIM, &format!("({})", places.join(", ")))
            };
            match &object.status {
                Status::Equal => {}
                Status::OnlyLeft => writeln!(
                    out,
                    "{} {}",
                    style.paint(RED, &format!("- {title}: only on the left")),
                    origins(&[&object.left_origin])
                )?,
                Status::OnlyRight => writeln!(
                    out,
                    "{} {}",
                    style.paint(GREEN, &format!("+ {title}: only on the right")),
                    origins(&[&object.right_origin])
                )?,
                Status::Changed(changes) => {
                    writeln!(
                        out,
                        "{} {}",
                        style.paint(YELLOW, &format!("~ {title}")),
                        origins(&[&object.left_origin, &object.right_origin])
                    )?;
                    let masking = Masking::of(object, opts);
                    for change in changes {
                        write_change(out, &style, change, &masking)?;
                    }
                }
            }
        }
        writeln!(out, "{}", self.summary())
    }

    /// `1 changed, 2 only in a.yaml, 3 equal` (zero counts left out).
    fn summary(&self) -> String {
        let counts = self.counts();
        if self.is_equal() {
            let noun = if counts.equal == 1 {
                "object"
            } else {
                "objects"
            };
            return format!("no differences: {} {noun} equal", counts.equal);
        }
        let parts = [
            (counts.changed, "changed".to_string()),
            (
                counts.only_left,
                format!("only in {}", printable(&self.left_label)),
            ),
            (
                counts.only_right,
                format!("only in {}", printable(&self.right_label)),
            ),
            (counts.equal, "equal".to_string()),
        ];
        parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The report for machines:
    /// `{"equal", "counts", "only_left": [ids], "only_right": [ids], "changed": [{"id",
    /// "left_origin", "right_origin", "changes": [{"path", "op", "left"?, "right"?,
    /// "masked"?}]}]}`. A side's value is absent when the path is absent on that side.
    pub fn to_json(&self, opts: &ReportOptions) -> serde_json::Value {
        let counts = self.counts();
        let titles = |wanted: fn(&Status) -> bool| -> Vec<&str> {
            self.objects
                .iter()
                .filter(|o| wanted(&o.status))
                .map(|o| o.title.as_str())
                .collect()
        };
        let changed: Vec<serde_json::Value> = self
            .objects
            .iter()
            .filter_map(|object| match &object.status {
                Status::Changed(changes) => {
                    let masking = Masking::of(object, opts);
                    Some(json!({
                        "id": object.title,
                        "left_origin": object.left_origin,
                        "right_origin": object.right_origin,
                        "changes": changes.iter().map(|c| change_json(c, &masking)).collect::<Vec<_>>(),
                    }))
                }
                _ => None,
            })
            .collect();
        json!({
            "equal": self.is_equal(),
            "counts": {
                "equal": counts.equal,
                "changed": counts.changed,
                "only_left": counts.only_left,
                "only_right": counts.only_right,
            },
            "only_left": titles(|s| matches!(s, Status::OnlyLeft)),
            "only_right": titles(|s| matches!(s, Status::OnlyRight)),
            "changed": changed,
        })
    }
}

/// What is hidden when printing one object's values.
struct Masking {
    /// Secret data, unless the options show it.
    hide_secrets: bool,
    /// kubectl's masks: they are no values, so no option shows them as such.
    kubectl_masks: bool,
}

impl Masking {
    fn of(object: &Object, opts: &ReportOptions) -> Masking {
        Masking {
            hide_secrets: object.secret && !opts.show_secrets,
            kubectl_masks: object.secret && object.kubectl_masks,
        }
    }

    /// The stand-in of the value at `path`, when it is hidden (a [`Mask`]).
    fn stand_in(&self, path: &[Segment], value: &Value) -> Option<String> {
        if self.kubectl_masks
            && let Some(stand_in) = KubectlMask::stand_in(path, value)
        {
            return Some(stand_in);
        }
        if self.hide_secrets {
            secret::stand_in(path, value)
        } else {
            None
        }
    }

    /// kubectl's `*** (before)` -> `*** (after)`: a value changed, and kubectl did not say how.
    fn kubectl_hid_change(&self, change: &Change) -> bool {
        let mask = |value: &Option<Value>| {
            value
                .as_ref()
                .and_then(|value| KubectlMask::at(change.path.segments(), value))
        };
        self.kubectl_masks
            && change.op == Op::Changed
            && mask(&change.left) == Some(KubectlMask::Before)
            && mask(&change.right) == Some(KubectlMask::After)
    }
}

/// `mask`, noting in `hidden` whether it hid anything (JSON flags such changes `masked`).
fn noting<'a>(
    mask: Mask<'a>,
    hidden: &'a Cell<bool>,
) -> impl Fn(&[Segment], &Value) -> Option<String> + 'a {
    move |path, value| {
        let stand_in = mask(path, value);
        hidden.set(hidden.get() || stand_in.is_some());
        stand_in
    }
}

/// A value as text, and whether any of it was hidden.
fn shown(change: &Change, value: &Value, mask: Mask<'_>) -> (String, bool) {
    let hidden = Cell::new(false);
    let mut base = change.path.segments().to_vec();
    let text = compact_masked(value, &mut base, &noting(mask, &hidden));
    (text, hidden.get())
}

fn write_change(
    out: &mut dyn Write,
    style: &Style,
    change: &Change,
    masking: &Masking,
) -> io::Result<()> {
    let path = change.path.to_string();
    if masking.kubectl_hid_change(change) {
        return writeln!(
            out,
            "    {} {path}: changed; kubectl diff hid both values",
            style.paint(YELLOW, "~")
        );
    }
    let mask: Mask<'_> = &|path, value| masking.stand_in(path, value);
    let show = |value: &Option<Value>| {
        value
            .as_ref()
            .map_or_else(|| (String::new(), false), |v| shown(change, v, mask))
    };
    let (left, left_hidden) = show(&change.left);
    let (right, right_hidden) = show(&change.right);
    match change.op {
        Op::Added => writeln!(
            out,
            "    {}",
            style.paint(GREEN, &format!("+ {path}: {right}"))
        ),
        Op::Removed => writeln!(
            out,
            "    {}",
            style.paint(RED, &format!("- {path}: {left}"))
        ),
        Op::Changed | Op::Reordered => {
            let what = if change.op == Op::Reordered {
                "order "
            } else {
                ""
            };
            // Two multi-line strings read better line by line than as two escaped strings.
            if let (false, false, Some(Value::String(l)), Some(Value::String(r))) =
                (left_hidden, right_hidden, &change.left, &change.right)
                && let Some(hunks) = text::line_diff(l, r)
            {
                writeln!(
                    out,
                    "    {} {path}: text, {} -> {} lines",
                    style.paint(YELLOW, "~"),
                    text::line_count(l),
                    text::line_count(r)
                )?;
                for line in hunks {
                    let painted = match line.kind {
                        text::Kind::Removed => style.paint(RED, &format!("- {}", line.text)),
                        text::Kind::Added => style.paint(GREEN, &format!("+ {}", line.text)),
                        text::Kind::Context => format!("  {}", line.text),
                        text::Kind::Gap => style.paint(DIM, &line.text),
                    };
                    writeln!(out, "        {painted}")?;
                }
                return Ok(());
            }
            writeln!(
                out,
                "    {} {path}: {what}{} -> {}",
                style.paint(YELLOW, "~"),
                style.paint(RED, &left),
                style.paint(GREEN, &right)
            )
        }
    }
}

fn change_json(change: &Change, masking: &Masking) -> serde_json::Value {
    let mask: Mask<'_> = &|path, value| masking.stand_in(path, value);
    let hidden = Cell::new(false);
    let watch = noting(mask, &hidden);
    let mut entry = serde_json::Map::new();
    entry.insert("path".into(), json!(change.path.to_string()));
    entry.insert("op".into(), json!(change.op.as_str()));
    for (side, value) in [("left", &change.left), ("right", &change.right)] {
        if let Some(value) = value {
            let base = &mut change.path.segments().to_vec();
            entry.insert(side.into(), to_json_masked(value, base, &watch));
        }
    }
    if hidden.get() {
        entry.insert("masked".into(), json!(true));
    }
    serde_json::Value::Object(entry)
}

const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const DIM: &str = "2";

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{compare, parse_manifests};
    use super::*;

    const LEFT_SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: Opaque\ndata:\n  password: aHVudGVyMi1wYXNz\n  user: YWRtaW4=\nstringData:\n  token: plain-token-value\n";
    // password "s3cr3t-longer-pw" (16 bytes), user removed, api-key added, token changed.
    const RIGHT_SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ntype: kubernetes.io/basic-auth\ndata:\n  password: czNjcjN0LWxvbmdlci1wdw==\n  api-key: a2V5\nstringData:\n  token: another-token\n";

    fn report(left: &str, right: &str) -> Report {
        let left = parse_manifests(left, "l.yaml").unwrap();
        let right = parse_manifests(right, "r.yaml").unwrap();
        compare(&left, &right)
    }

    fn text(report: &Report, opts: ReportOptions) -> String {
        let mut out = Vec::new();
        report.write_text(&opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    const SECRET_TEXTS: [&str; 9] = [
        "aHVudGVyMi1wYXNz",
        "hunter2-pass",
        "YWRtaW4=",
        "admin",
        "plain-token-value",
        "czNjcjN0LWxvbmdlci1wdw==",
        "s3cr3t-longer-pw",
        "a2V5",
        "another-token",
    ];

    #[test]
    fn secret_values_are_masked_in_text() {
        let output = text(&report(LEFT_SECRET, RIGHT_SECRET), ReportOptions::default());
        for secret in SECRET_TEXTS {
            assert!(!output.contains(secret), "{secret} leaked:\n{output}");
        }
        assert!(
            output.contains("data.password: <secret: 12 bytes> -> <secret: 16 bytes>"),
            "{output}"
        );
        assert!(
            output.contains("- data.user: <secret: 5 bytes>"),
            "{output}"
        );
        assert!(
            output.contains("+ data.api-key: <secret: 3 bytes>"),
            "{output}"
        );
        assert!(
            output.contains("stringData.token: <secret: 17 bytes> -> <secret: 13 bytes>"),
            "{output}"
        );
        // Fields outside data are shown.
        assert!(
            output.contains(r#"type: "Opaque" -> "kubernetes.io/basic-auth""#),
            "{output}"
        );
    }

    #[test]
    fn secret_values_are_masked_in_json() {
        let json = report(LEFT_SECRET, RIGHT_SECRET)
            .to_json(&ReportOptions::default())
            .to_string();
        for secret in SECRET_TEXTS {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        assert!(json.contains(r#""masked":true"#), "{json}");
    }

    #[test]
    fn whole_data_added_shows_keys_and_sizes_only() {
        let left = "kind: Secret\nmetadata: {name: db}\n";
        let right = "kind: Secret\nmetadata: {name: db}\ndata: {password: aHVudGVyMi1wYXNz}\n";
        let output = text(&report(left, right), ReportOptions::default());
        assert!(
            output.contains("+ data: {password: <secret: 12 bytes>}"),
            "{output}"
        );
    }

    #[test]
    fn secret_only_on_one_side_is_listed_without_content() {
        let output = text(&report("", LEFT_SECRET), ReportOptions::default());
        assert!(
            output.contains("+ /Secret db: only on the right"),
            "{output}"
        );
        for secret in SECRET_TEXTS {
            assert!(!output.contains(secret), "{output}");
        }
    }

    #[test]
    fn show_secrets_reveals_them() {
        let opts = ReportOptions {
            color: false,
            show_secrets: true,
        };
        let report = report(LEFT_SECRET, RIGHT_SECRET);
        let output = text(&report, opts);
        assert!(
            output.contains(r#"data.password: "aHVudGVyMi1wYXNz" -> "czNjcjN0LWxvbmdlci1wdw==""#),
            "{output}"
        );
        assert!(!report.to_json(&opts).to_string().contains("masked"));
    }

    /// A Secret as `kubectl diff` writes it in LIVE and MERGED: `same` equal on both sides,
    /// `changed` changed, `gone` removed, `new` added, `raw` a value that is no mask.
    const KUBECTL_LIVE: &str = "apiVersion: v1\ndata:\n  changed: '*** (before)'\n  gone: '***'\n  raw: not base64!\n  same: '***'\nkind: Secret\nmetadata:\n  name: db\n";
    const KUBECTL_MERGED: &str = "apiVersion: v1\ndata:\n  changed: '*** (after)'\n  new: '***'\n  raw: also not!\n  same: '***'\nkind: Secret\nmetadata:\n  name: db\n";

    fn written_by_kubectl(text: &str, origin: &str) -> Vec<super::super::Document> {
        let mut documents = parse_manifests(text, origin).unwrap();
        for document in &mut documents {
            document.written_by_kubectl_diff = true;
        }
        documents
    }

    #[test]
    fn kubectl_masks_are_said_to_be_kubectls_whatever_the_options() {
        let report = compare(
            &written_by_kubectl(KUBECTL_LIVE, "LIVE-1/v1.Secret..db"),
            &written_by_kubectl(KUBECTL_MERGED, "MERGED-2/v1.Secret..db"),
        );
        for show_secrets in [false, true] {
            let opts = ReportOptions {
                color: false,
                show_secrets,
            };
            let output = text(&report, opts);
            for expected in [
                "    ~ data.changed: changed; kubectl diff hid both values\n",
                "    - data.gone: <secret: hidden by kubectl diff>\n",
                "    + data.new: <secret: hidden by kubectl diff>\n",
            ] {
                assert!(output.contains(expected), "{expected:?} missing:\n{output}");
            }
            assert!(!output.contains("data.same"), "{output}");
            assert!(!output.contains("(before)"), "{output}");
            let json = report.to_json(&opts);
            let changes = json["changed"][0]["changes"].as_array().unwrap();
            let changed = changes
                .iter()
                .find(|c| c["path"] == "data.changed")
                .unwrap();
            assert_eq!(changed["op"], "changed");
            assert_eq!(changed["left"], "<secret: hidden by kubectl diff>");
            assert_eq!(changed["right"], "<secret: hidden by kubectl diff>");
            assert_eq!(changed["masked"], true);
        }
        // A value that is no mask is shown as any other.
        let hidden = text(&report, ReportOptions::default());
        assert!(
            hidden.contains(
                "~ data.raw: <secret: 11 characters, not valid base64> -> \
                 <secret: 9 characters, not valid base64>\n"
            ),
            "{hidden}"
        );
        let shown = text(
            &report,
            ReportOptions {
                color: false,
                show_secrets: true,
            },
        );
        assert!(
            shown.contains(r#"~ data.raw: "not base64!" -> "also not!""#),
            "{shown}"
        );
    }

    #[test]
    fn masks_in_other_files_are_values() {
        // Only kubectl's files hold kubectl's masks; in a manifest `***` is an invalid value.
        let output = text(
            &report(KUBECTL_LIVE, KUBECTL_MERGED),
            ReportOptions::default(),
        );
        assert!(
            output.contains(
                "~ data.changed: <secret: 12 characters, not valid base64> -> \
                 <secret: 11 characters, not valid base64>\n"
            ),
            "{output}"
        );
        assert!(
            output.contains("+ data.new: <secret: 3 characters, not valid base64>\n"),
            "{output}"
        );
        assert!(!output.contains("kubectl"), "{output}");
    }

    #[test]
    fn other_kinds_are_not_masked() {
        let left = "kind: ConfigMap\nmetadata: {name: c}\ndata: {a: x}\n";
        let right = "kind: ConfigMap\nmetadata: {name: c}\ndata: {a: y}\n";
        let output = text(&report(left, right), ReportOptions::default());
        assert!(output.contains(r#"data.a: "x" -> "y""#), "{output}");
    }

    #[test]
    fn text_layout() {
        let left = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 2}\n---\nkind: ConfigMap\nmetadata: {name: old}\n";
        let right = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 3}\n";
        let output = text(&report(left, right), ReportOptions::default());
        assert_eq!(
            output,
            "--- left\n+++ right\n- /ConfigMap old: only on the left (l.yaml:6)\n\
             ~ apps/Deployment shop/web (l.yaml:1, r.yaml:1)\n    ~ spec.replicas: 2 -> 3\n\
             1 changed, 1 only in left\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let report = report(
            "kind: A\nmetadata: {name: a}\nx: 1\n",
            "kind: A\nmetadata: {name: a}\nx: 2\n",
        );
        assert!(!text(&report, ReportOptions::default()).contains('\x1b'));
        let coloured = text(
            &report,
            ReportOptions {
                color: true,
                show_secrets: false,
            },
        );
        assert!(
            coloured.contains("\x1b[31m1\x1b[0m -> \x1b[32m2\x1b[0m"),
            "{coloured:?}"
        );
    }

    #[test]
    fn multi_line_strings_print_line_by_line() {
        let left = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  nginx.conf: |\n    server {\n      listen 80;\n    }\n";
        let right = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  nginx.conf: |\n    server {\n      listen 8080;\n    }\n";
        let output = text(&report(left, right), ReportOptions::default());
        assert!(
            output.contains("~ data[\"nginx.conf\"]: text, 3 -> 3 lines\n"),
            "{output}"
        );
        assert!(
            output.contains("        -   listen 80;\n        +   listen 8080;\n"),
            "{output}"
        );
    }

    #[test]
    fn equal_summary() {
        let same = "kind: A\nmetadata: {name: a}\n";
        assert_eq!(
            text(&report(same, same), ReportOptions::default()),
            "no differences: 1 object equal\n"
        );
    }
}
