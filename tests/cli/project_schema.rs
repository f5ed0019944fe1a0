//! The JSON Schema of the project file (schemas/ktera.schema.json), which editors use to
//! complete and check ktera.yaml: it accepts the repository's own project file and what ktera
//! accepts, and refuses what ktera refuses wherever a schema can tell (not: whether a chart or
//! values file exists, or a release name repeats: only ktera can see those).

use crate::common::schema::{Schema, load};
use std::fs;
use std::path::PathBuf;
use std::process::Command;

use serde_yaml::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Schema {
    Schema::new(&load(&root().join("schemas/ktera.schema.json")))
}

/// Whether `ktera render` accepts the project file `text` beside a chart `chart/` and values
/// files `values/a.yaml`, `values/b.yaml`.
fn ktera_accepts(text: &str) -> bool {
    let tmp = tempfile::tempdir().unwrap();
    crate::common::write(
        tmp.path(),
        &[
            (
                "chart/Chart.yaml",
                "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
            ),
            (
                "chart/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}\ndata:\n  a: \"{{ Values.a | default(value=1) }}\"\n",
            ),
            ("values/a.yaml", "a: 2\n"),
            ("values/b.yaml", "a: 3\n"),
            ("ktera.yaml", text),
        ],
    );
    let output = Command::new(env!("CARGO_BIN_EXE_ktera"))
        .arg("render")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    match output.status.code() {
        Some(0) => true,
        Some(1) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("ktera.yaml"), "{text}: {stderr}");
            false
        }
        other => panic!("{text}: exit {other:?}"),
    }
}

fn schema_accepts(schema: &Schema, text: &str) -> bool {
    let value: Value = serde_yaml::from_str(text).unwrap();
    schema.violations(&value).is_empty()
}

const RELEASE: &str =
    "environments:\n  dev:\n    releases:\n      - name: app\n        chart: chart\n";

#[test]
fn the_repositorys_project_file_is_valid() {
    let text = fs::read_to_string(root().join("ktera.yaml")).unwrap();
    let value: Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(schema().violations(&value), Vec::<String>::new());
    // Editors find the schema from the file's first line (yaml-language-server).
    assert_eq!(
        text.lines().next(),
        Some("# yaml-language-server: $schema=schemas/ktera.schema.json")
    );
}

#[test]
fn the_schema_accepts_what_ktera_accepts() {
    let schema = schema();
    let every_key = "output: out\nenvironments:\n  dev:\n    releases:\n      - name: app.v2\n        chart: chart\n        values: [values/a.yaml, values/b.yaml]\n        set: [a=4, 'b.c[0]=x,d=y']\n        setString: [e=007]\n        setJson: ['f={\"g\": 1}']\n        namespace: apps\n        kubeVersion: v1.31.2-eks-1\n        apiVersions: [monitoring.coreos.com/v1]\n        includeCrds: true\n        noHooks: false\n        skipTests: true\n  prod_2: {}\n";
    for text in [
        RELEASE.to_string(),
        every_key.to_string(),
        RELEASE.to_string() + "        kubeVersion: \"1.30\"\n",
        RELEASE.to_string() + "        kubeVersion: 1.30.1\n",
        RELEASE.to_string() + "        set: [a=]\n",
        "environments:\n  dev: {}\n".to_string(),
        "environments:\n  dev:\n    allowSecretData: true\n    releases: []\n".to_string(),
        "environments:\n  dev:\n    releases: []\n".to_string(),
    ] {
        assert!(ktera_accepts(&text), "ktera refuses {text}");
        assert!(
            schema_accepts(&schema, &text),
            "{text}: {:?}",
            schema.violations(&serde_yaml::from_str(&text).unwrap())
        );
    }
}

#[test]
fn the_schema_refuses_what_ktera_refuses() {
    let schema = schema();
    let release = |extra: &str| format!("{RELEASE}        {extra}\n");
    let cases = [
        "outptu: x\n".to_string() + RELEASE,
        release("valuse: [values/a.yaml]"),
        "environments:\n  dev:\n    releases:\n      - name: app\n".to_string(),
        "environments:\n  dev:\n    releases:\n      - chart: chart\n".to_string(),
        "environments:\n  Dev: {}\n".to_string(),
        "environments:\n  -dev: {}\n".to_string(),
        format!("environments:\n  {}: {{}}\n", "e".repeat(64)),
        RELEASE.replace("name: app", "name: Bad_Name"),
        RELEASE.replace("name: app", &format!("name: {}", "a".repeat(54))),
        RELEASE.replace("name: app", "name: app-"),
        "environments: {}\n".to_string(),
        "output: rendered\n".to_string(),
        "- environments\n".to_string(),
        "output: .\n".to_string() + RELEASE,
        "output: ''\n".to_string() + RELEASE,
        "environments:\n  dev:\n    release: []\n".to_string(),
        "environments:\n  dev:\n    allowSecretData: \"yes\"\n".to_string(),
        release("allowSecretData: true"),
        release("values: values/a.yaml"),
        release("values: ['-']"),
        release("includeCrds: \"yes\""),
        release("kubeVersion: latest"),
        release("kubeVersion: v1"),
        release("kubeVersion: 1.31-eks"),
        release("set: [replicaCount]"),
        release("setJson: [a]"),
        release("apiVersions: monitoring.coreos.com/v1"),
    ];
    for text in &cases {
        assert!(!ktera_accepts(text), "ktera accepts {text}");
        assert!(!schema_accepts(&schema, text), "the schema accepts {text}");
    }
    // Only ktera can tell these: they need the files on disk or the whole list.
    for text in [
        RELEASE.replace("chart: chart", "chart: nope"),
        release("values: [values/missing.yaml]"),
        RELEASE.to_string() + "      - name: app\n        chart: chart\n",
    ] {
        assert!(!ktera_accepts(&text), "ktera accepts {text}");
        assert!(schema_accepts(&schema, &text), "{text}");
    }
}
