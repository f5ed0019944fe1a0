//! The chart an import makes renders the objects it was made from, for objects of any shape:
//! generated environments (no Kustomize needed) go through the same assembly as real builds,
//! the chart is written to a temporary directory, rendered by the pipeline for each
//! environment and compared as `ktera compare` compares.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

use super::{Build, Overlay, Request, assemble, tree::Tree};
use crate::diff::{self, Document};
use crate::release::Release;
use crate::values::ValueSources;

/// Imports `envs` (each a list of objects) and renders every environment; returns the
/// differences found, one text per environment that differs.
fn import_and_render(envs: &[Vec<Value>]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let overlays: Vec<Overlay> = (0..envs.len())
        .map(|e| Overlay {
            env: format!("env{e}"),
            dir: dir.path().join(format!("overlay{e}")),
        })
        .collect();
    let request = Request {
        chart: dir.path().join("chart"),
        values_dir: dir.path().join("values"),
        name: Some("chart".into()),
        overlays: overlays.clone(),
    };
    let builds: Vec<Build> = envs
        .iter()
        .zip(&overlays)
        .map(|(objects, overlay)| Build {
            env: overlay.env.clone(),
            dir: overlay.dir.clone(),
            command: format!("build {}", overlay.env),
            documents: objects
                .iter()
                .map(|o| Document::new(o.clone(), overlay.env.clone()))
                .collect(),
            warnings: String::new(),
        })
        .collect();
    let tree = Tree::read(&overlays);
    let import = match assemble(&request, "chart", &tree, builds, None) {
        Ok(import) => import,
        Err(e) => return vec![format!("the import failed: {e}")],
    };
    super::write(&import, false).expect("write");
    let mut differences = Vec::new();
    for (build, (values, _)) in import.builds.iter().zip(&import.values_files) {
        let sources = ValueSources {
            files: vec![values.display().to_string()],
            ..ValueSources::default()
        };
        let release = Release {
            name: "release-name".into(),
            namespace: "default".into(),
            ..Release::default()
        };
        let rendered = match crate::pipeline::render_chart(
            &import.chart,
            &sources,
            &release,
            &mut std::io::empty(),
        ) {
            Ok(rendered) => rendered,
            Err(e) => {
                differences.push(format!("{}: {e}\n{}", build.env, dump(&import.chart)));
                continue;
            }
        };
        let left: Vec<Document> = rendered
            .manifests
            .iter()
            .map(|m| Document::new(m.value.clone(), m.source_name.clone()))
            .collect();
        let report = diff::compare(&left, &build.documents);
        if !report.is_equal() {
            let mut text = Vec::new();
            let options = diff::ReportOptions {
                color: false,
                show_secrets: true,
            };
            let _ = report.write_text(&options, &mut text);
            differences.push(format!(
                "{}:\n{}\n{}",
                build.env,
                String::from_utf8_lossy(&text),
                dump(&import.chart)
            ));
        }
    }
    differences
}

/// Every file of the chart, for a failure's message.
fn dump(chart: &std::path::Path) -> String {
    let mut out = String::new();
    let mut stack: Vec<PathBuf> = vec![chart.to_path_buf(), chart.with_file_name("values")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                stack.push(entry.path());
            }
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push_str(&format!("==> {}\n{text}\n", path.display()));
        }
    }
    out
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("YAML")
}

#[test]
fn differing_fields_of_every_type() {
    let dev = yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: 'yes', umask: '0755', version: '1.10', empty: ''}",
    );
    let prod = yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: 'no', umask: '0644', version: '1.9', extra: '{{ not tera }}'}",
    );
    let thing_dev = yaml(
        "apiVersion: x/v1\nkind: Thing\nmetadata: {name: t}\nspec: {a: 1, b: 1.5, c: true, d: null, e: [1, 2], f: {g: h}, i: 'text'}",
    );
    let thing_prod = yaml(
        "apiVersion: x/v1\nkind: Thing\nmetadata: {name: t}\nspec: {a: 2, b: 1.0, c: false, d: 3, e: [1], f: {}, i: null}",
    );
    let differences = import_and_render(&[vec![dev, thing_dev], vec![prod, thing_prod]]);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn objects_in_some_environments_and_reordered_lists() {
    let deploy = |env: &str| {
        yaml(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:{env}\n        env: [{{name: A, value: '1'}}, {{name: B, value: '2'}}]"
        ))
    };
    let mut reordered = deploy("3");
    let env = &mut reordered["spec"]["template"]["spec"]["containers"][0]["env"];
    *env = yaml("[{name: B, value: '2'}, {name: A, value: '1'}, {name: C, value: x}]");
    let extra =
        yaml("apiVersion: v1\nkind: Service\nmetadata: {name: extra}\nspec: {ports: [{port: 80}]}");
    let differences = import_and_render(&[
        vec![deploy("1"), extra.clone()],
        vec![deploy("2")],
        vec![reordered, extra],
    ]);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn generated_names_and_references() {
    let env = |level: &str| {
        let mut cm = yaml(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg}}\ndata: {{LEVEL: {level}}}"
        ));
        let hash = crate::kustomize::name_hash(&cm).expect("hash");
        let name = format!("p-cfg-{hash}");
        cm["metadata"]["name"] = Value::from(name.as_str());
        let pod = yaml(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p-pod}}\nspec: {{volumes: [{{name: c, configMap: {{name: {name}}}}}]}}"
        ));
        vec![cm, pod]
    };
    let differences = import_and_render(&[env("debug"), env("info")]);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn text_ending_in_blank_lines_keeps_them() {
    // Last in the document: a literal block, a value beside a float, a value under a guard,
    // and the hashed data of a generated ConfigMap.
    let env = |n: &str, text: &str| {
        let mut cm = yaml(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg}}\ndata: {{a: '{n}', z: \"{text}\"}}"
        ));
        let hash = crate::kustomize::name_hash(&cm).expect("hash");
        cm["metadata"]["name"] = Value::from(format!("cfg-{hash}"));
        vec![
            cm,
            yaml(
                "apiVersion: x/v1\nkind: Thing\nmetadata: {name: same}\nspec: {text: \"a\\n\\n\"}",
            ),
            yaml(&format!(
                "apiVersion: x/v1\nkind: Thing\nmetadata: {{name: float}}\nspec: {{z: [{n}.5, \"{text}\"]}}"
            )),
            yaml(&format!(
                "apiVersion: x/v1\nkind: Thing\nmetadata: {{name: guarded}}\nspec: {{a: [1.0, \"{text}\"]{}}}",
                if n == "1" { ", c: d" } else { "" }
            )),
        ]
    };
    let differences = import_and_render(&[
        env("1", "x\\n\\n"),
        env("2", "y\\ny\\n\\n\\n"),
        env("3", "z"),
    ]);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// Scalars a template must keep as they are: types, and strings that read as other things.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            "yes",
            "no",
            "on",
            "0755",
            "1.10",
            "",
            "~",
            "null",
            "12:30",
            "2024-01-01",
            "a: b",
            "- x",
            "{{ x }}",
            "{% if %}",
            "{# c #}",
            "  lead",
            "trail  ",
            "x\ny",
            "l1\nl2\nl3\nl4\n",
            "l1\nl2\nl3\nl4\n\n",
            "a\n\n\n",
            "\"q\"",
            "'s'",
            "한국어",
            "#c",
            "@at",
            "*star",
            "&amp",
            "!tag",
            "|",
            ">",
            "%",
            "`",
        ])
        .prop_map(Value::from),
        any::<i32>().prop_map(|n| Value::from(i64::from(n))),
        prop::sample::select(vec![0.5, 1.0, -2.25, 1e-7]).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "a", "b", "name", "labels", "image", "env", "x.y", "1", "true",
    ]);
    scalar().prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Sequence),
            prop::collection::vec((key.clone(), inner), 0..4).prop_map(|pairs| {
                let mut map = Mapping::new();
                for (k, v) in pairs {
                    map.insert(Value::from(k), v);
                }
                Value::Mapping(map)
            }),
        ]
    })
}

/// An object of kind Thing named `name`, with `spec`.
fn object(name: &str, spec: Value) -> Value {
    let mut map = Mapping::new();
    map.insert("apiVersion".into(), "x/v1".into());
    map.insert("kind".into(), "Thing".into());
    let mut metadata = Mapping::new();
    metadata.insert("name".into(), name.into());
    map.insert("metadata".into(), Value::Mapping(metadata));
    map.insert("spec".into(), spec);
    Value::Mapping(map)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Two or three environments of up to three objects each, shaped at random, some shared:
    /// the chart renders each environment's objects exactly.
    #[test]
    fn any_objects_import_equal(
        specs in prop::collection::vec(prop::collection::vec(prop::option::weighted(0.8, tree()), 3), 2..4),
        shared in tree(),
    ) {
        let envs: Vec<Vec<Value>> = specs
            .iter()
            .map(|env| {
                let mut objects = vec![object("shared", shared.clone())];
                for (i, spec) in env.iter().enumerate() {
                    if let Some(spec) = spec {
                        objects.push(object(&format!("o{i}"), spec.clone()));
                    }
                }
                objects
            })
            .collect();
        let differences = import_and_render(&envs);
        prop_assert!(differences.is_empty(), "{}", differences.join("\n"));
    }
}

/// One change to a tree: at the node `seed` leads to, replace it, drop or add a key or an
/// item, or reverse a list.
fn mutate(value: &mut Value, seed: u32, op: u8, new: &Value) {
    let mut at = value;
    let mut seed = seed;
    // Walk down while the seed says so.
    loop {
        let children = match &*at {
            Value::Mapping(m) => m.len(),
            Value::Sequence(s) => s.len(),
            _ => 0,
        };
        if children == 0 || seed.is_multiple_of(3) {
            break;
        }
        let i = (seed as usize / 3) % children;
        seed /= 7;
        at = match at {
            Value::Mapping(m) => match m.values_mut().nth(i) {
                Some(child) => child,
                None => return,
            },
            Value::Sequence(s) => &mut s[i],
            _ => return,
        };
    }
    match (op % 5, &mut *at) {
        (0, _) => *at = new.clone(),
        (1, Value::Mapping(m)) if !m.is_empty() => {
            let key = m.keys().nth(seed as usize % m.len()).cloned();
            if let Some(key) = key {
                m.shift_remove(&key);
            }
        }
        (2, Value::Mapping(m)) => {
            m.insert(Value::from(format!("k{}", seed % 4)), new.clone());
        }
        (3, Value::Sequence(s)) => s.reverse(),
        (4, Value::Sequence(s)) if !s.is_empty() => {
            s.remove(seed as usize % s.len());
        }
        _ => *at = new.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Environments that share a base and change a few places of it, as overlays do.
    #[test]
    fn overlays_of_one_base_import_equal(
        base in prop::collection::vec(tree(), 1..4),
        changes in prop::collection::vec(
            prop::collection::vec((0..3usize, any::<u32>(), any::<u8>(), tree()), 0..4),
            2..4,
        ),
        absent in prop::collection::vec(prop::option::weighted(0.2, 0..3usize), 2..4),
        data in prop::collection::vec(prop::collection::btree_map(
            prop::sample::select(vec!["a", "b.conf", "LEVEL"]),
            scalar().prop_filter_map("text", |v| v.as_str().map(str::to_string)),
            0..3,
        ), 2..4),
    ) {
        let envs: Vec<Vec<Value>> = changes
            .iter()
            .enumerate()
            .map(|(e, ops)| {
                let mut specs = base.clone();
                for (o, seed, op, new) in ops {
                    if let Some(spec) = specs.get_mut(*o) {
                        mutate(spec, *seed, *op, new);
                    }
                }
                let mut objects: Vec<Value> = specs
                    .into_iter()
                    .enumerate()
                    .filter(|(o, _)| absent.get(e).copied().flatten() != Some(*o))
                    .map(|(o, spec)| object(&format!("o{o}"), spec))
                    .collect();
                // A generated ConfigMap, named with its hash, and a reference to it.
                let pairs = data.get(e).cloned().unwrap_or_default();
                let mut map = Mapping::new();
                for (k, v) in pairs {
                    map.insert(Value::from(k), Value::from(v));
                }
                let mut cm = yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}");
                cm["data"] = Value::Mapping(map);
                let name = format!("cfg-{}", crate::kustomize::name_hash(&cm).unwrap_or_default());
                cm["metadata"]["name"] = Value::from(name.as_str());
                objects.push(cm);
                objects.push(object("user", yaml(&format!("{{configMapRef: {{name: {name}}}}}"))));
                objects
            })
            .collect();
        let differences = import_and_render(&envs);
        prop_assert!(differences.is_empty(), "{}", differences.join("\n"));
    }
}
