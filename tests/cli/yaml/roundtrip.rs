//! The emitter's promise: whatever `serde_yaml::Value` goes in, the emitted text reads back as
//! the same data under a YAML 1.2 reader (serde_yaml) and a YAML 1.1 reader (PyYAML, as
//! Kubernetes' go-yaml reads it), and nesting of any depth emits without crashing.
//!
//! The PyYAML check uses a fixed seed; `KTERA_YAML_SEED=<u64>` explores other cases.

use crate::common::same::same;
use ktera::yaml::{Keys, emit_document, quote_scalar_if_needed, read_document};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_yaml::value::{Tag, TaggedValue};
use serde_yaml::{Mapping, Value};
use std::fmt::Write as _;
use std::process::Command;

/// Strings that YAML readers take for something else, or that are hard to write.
#[rustfmt::skip]
const NASTY: &[&str] = &[
    "", " ", "  ", "yes", "no", "on", "off", "y", "n", "Y", "N", "YES", "Yes", "ON", "Off", "oFF",
    "true", "false", "True", "FALSE", "null", "Null", "NULL", "~", "0755", "0o17", "0x1F", "0b101",
    "1e3", "1E3", "1e+3", "1_000", "+1", "-1", "0", "-0", "00", "1.0", ".5", "1.", "-.5", "+.5",
    "12:30", "190:20:30", "-1:20", "1:20.5", "2024-01-01", "2002-12-14",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", ".inf", ".Inf", ".INF", "-.inf",
    "+.inf", ".nan", ".NaN", ".NAN", "inf", "nan", "Infinity", "-Infinity", "=", "<<", "-", "--",
    "---", "...", "- a", "? a", "?", ":", ": a", "a:", "a: b", "a #b", "#a", "#", ",", "[", "]",
    "{", "}", "[a, b]", "{a: b}", "&a", "*a", "!a", "!!str", "|", ">", "|-", "'", "\"", "'a'",
    "\"a\"", "%YAML", "@a", "`a", "a\tb", "\t", "\n", "\n\n", "a\n", "a\nb", "a\nb\n", "a\n\n",
    "a\n\n\n", " a\nb", "a \nb", "a\r\nb", "\r", "\0", "\u{7}", "\u{1b}", "\u{7f}", "\u{85}",
    "\u{a0}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{feff}a", "\u{fffe}", "\u{ffff}", "é", "한국어",
    "😀", "a\u{85}b", "x\u{2028}y", "100m", "512Mi", "apps/v1", "nginx:1.25",
    "http://example.com/#x", "--port=8080", "$(VAR)", "C:\\dir", "\\", "a'b", "it's", "1.2.3",
    "0.0.0.0", "127.0.0.1", "::1", "fe80::1", "1:2:3:4", "0:0", "6:60", "1e", "0x", "0b2", "0o8",
    "1,000", "1 000", "+", "-+1", "++1", ".", "..", "-.", "+.", "1__0", "_1", "1_", "0.1e-5",
    "1.0e+300", "0x_1", "-0x1F", "-0b1", "-0o7", "+0x1F", "yes:", "on: off", "null ", " null",
    "True\n", "|\n", "  |", "- - a", "k: v\n- x", "\u{3000}", "\u{200b}", "e\u{301}", "\n a",
    "\t\n", "a\n ", "\n\na\n\n", "#!/bin/sh\necho hi\n",
];

/// Fragments glued together to reach combinations the list above misses.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    " ", ":", "#", "-", "\n", "\t", "'", "\"", "\\", "a", "1", ".", "0", "e", "x", "_", "+", "?",
    "!", "|", ">", "{", "[", ",", "&", "*", "%", "@", "`", "~", "\r", "\u{85}", "é", "😀",
    "\u{2028}", "\u{feff}", "2024-", "12:", "---", "...",
];

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(NASTY).prop_map(str::to_owned),
        3 => prop::collection::vec(
            prop_oneof![prop::sample::select(NASTY), prop::sample::select(PIECES)],
            0..5
        )
        .prop_map(|parts| parts.concat()),
        2 => any::<String>(),
        1 => "\\PC{0,12}",
        1 => "[a-z0-9]{1,8}",
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::ANY,
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            100.0,
            1e15,
            1e16,
            1e300,
            1e-7,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => float().prop_map(Value::from),
        6 => string().prop_map(Value::String),
    ]
}

fn tag_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9._/-]{0,8}",
        // A leading `!` is not significant to serde_yaml's Tag, and `!!x` is a named handle.
        // NUL cannot be written in a tag: readers decode `%00` and stop the tag there.
        "[^!\\x00][^\\x00]{0,5}",
    ]
}

/// Any value serde_yaml can hold: scalar or tagged keys, collections as keys, tags.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        8 => scalar(),
        1 => (tag_name(), scalar()).prop_map(|(t, v)| tagged(&t, v)),
    ];
    leaf.prop_recursive(5, 96, 6, |inner| {
        let key = prop_oneof![
            8 => string().prop_map(Value::String),
            1 => any::<i64>().prop_map(Value::from),
            1 => any::<bool>().prop_map(Value::Bool),
            1 => Just(Value::Null),
            1 => inner.clone(),
        ];
        prop_oneof![
            3 => prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Sequence),
            3 => prop::collection::vec((key, inner.clone()), 0..6)
                .prop_map(|entries| Value::Mapping(entries.into_iter().collect())),
            1 => (tag_name(), prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Sequence),
                prop::collection::vec((string().prop_map(Value::String), inner), 0..4)
                    .prop_map(|entries| Value::Mapping(entries.into_iter().collect())),
            ])
            .prop_map(|(t, v)| tagged(&t, v)),
        ]
    })
}

/// What PyYAML's safe loader can hold: no tags, string keys only (Python cannot hash lists,
/// and PyYAML folds `1` and `1.0` into one key).
fn plain_data() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 96, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Sequence),
            prop::collection::vec((string().prop_map(Value::String), inner), 0..6)
                .prop_map(|entries| Value::Mapping(entries.into_iter().collect())),
        ]
    })
}

fn tagged(tag: &str, value: Value) -> Value {
    Value::Tagged(Box::new(TaggedValue {
        tag: Tag::new(tag),
        value,
    }))
}

fn assert_reads_back(value: &Value) -> Result<(), TestCaseError> {
    let text = emit_document(value);
    prop_assert!(
        text.ends_with('\n') && !text.ends_with("\n\n"),
        "document must end with exactly one newline: {:?}",
        text
    );
    let back: Value = serde_yaml::from_str(&text)
        .map_err(|e| TestCaseError::fail(format!("does not parse: {e}\n{text}")))?;
    prop_assert!(
        same(value, &back),
        "read back differs\nin:   {:?}\ntext:\n{}\nback: {:?}",
        value,
        text,
        back
    );
    // The fast reader, when it answers, answers as serde_yaml does.
    if let Some(fast) = read_document(&text, Keys::Resolved) {
        prop_assert!(
            same(&fast, &back),
            "the fast reader differs\ntext:\n{}\nfast: {:?}\nserde_yaml: {:?}",
            text,
            fast,
            back
        );
    }
    Ok(())
}

proptest! {
    // Failures are turned into unit tests rather than persisted files.
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn serde_yaml_reads_back_any_value(value in any_value()) {
        assert_reads_back(&value)?;
    }

    #[test]
    fn every_string_reads_back_as_value_and_key(s in string()) {
        assert_reads_back(&Value::String(s.clone()))?;
        let mut m = Mapping::new();
        m.insert(Value::String(s.clone()), Value::String(s.clone()));
        assert_reads_back(&Value::Mapping(m))?;
        // A one-line form is a valid YAML scalar with the same meaning.
        let one_line = quote_scalar_if_needed(&s);
        let back: Value = serde_yaml::from_str(&format!("k: {one_line}\n"))
            .map_err(|e| TestCaseError::fail(format!("{e}: {one_line}")))?;
        prop_assert_eq!(back.get("k"), Some(&Value::String(s)));
    }
}

#[test]
fn nasty_corpus_reads_back_everywhere() {
    for s in NASTY {
        let v = Value::String((*s).to_owned());
        let seq = Value::Sequence(vec![v.clone(), Value::Sequence(vec![v.clone()])]);
        let mut m = Mapping::new();
        m.insert(v.clone(), seq.clone());
        m.insert(Value::from("k"), v.clone());
        m.insert(Value::from("t"), tagged("T", v.clone()));
        for value in [v, seq, Value::Mapping(m)] {
            if let Err(e) = assert_reads_back(&value) {
                panic!("{s:?}: {e}");
            }
        }
    }
}

/// The expected data as JSON PyYAML's result is compared with: floats as `{"float": repr}`
/// (JSON has no NaN or infinities), mappings as ordered `{"map": [[key, value], ...]}`.
fn expected_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                let _ = write!(out, "{{\"float\": \"{f:?}\"}}");
            }
        }
        Value::String(s) => match serde_json::to_string(s) {
            Ok(json) => out.push_str(&json),
            Err(e) => panic!("cannot encode {s:?}: {e}"),
        },
        Value::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                expected_json(item, out);
            }
            out.push(']');
        }
        Value::Mapping(m) => {
            out.push_str("{\"map\": [");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                expected_json(k, out);
                out.push(',');
                expected_json(v, out);
                out.push(']');
            }
            out.push_str("]}");
        }
        Value::Tagged(t) => panic!("PyYAML cases carry no tags: {t:?}"),
    }
}

const PYYAML_CHECK: &str = r#"
import json, math, os, sys
try:
    import yaml
except ImportError:
    print("PyYAML is not installed: pip install pyyaml (or apt-get install python3-yaml)")
    sys.exit(3)

def same(exp, got):
    if exp is None:
        return got is None
    if isinstance(exp, bool):
        return got is exp
    if isinstance(exp, int):
        return type(got) is int and got == exp
    if isinstance(exp, str):
        return type(got) is str and got == exp
    if isinstance(exp, list):
        return type(got) is list and len(got) == len(exp) and all(same(e, g) for e, g in zip(exp, got))
    if "float" in exp:
        f = float(exp["float"])
        if type(got) is not float:
            return False
        if math.isnan(f):
            return math.isnan(got)
        return f == got and math.copysign(1.0, f) == math.copysign(1.0, got)
    pairs = exp["map"]
    return (type(got) is dict and list(got.keys()) == [k for k, _ in pairs]
            and all(same(v, got[k]) for k, v in pairs))

loaders = [("SafeLoader", yaml.SafeLoader)]
if getattr(yaml, "CSafeLoader", None) is not None:
    loaders.append(("CSafeLoader", yaml.CSafeLoader))
root = sys.argv[1]
names = sorted(n[:-5] for n in os.listdir(root) if n.endswith(".yaml"))
bad = 0
for name in names:
    with open(os.path.join(root, name + ".yaml"), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(root, name + ".json"), encoding="utf-8") as f:
        exp = json.load(f)
    for label, loader in loaders:
        try:
            got = yaml.load(text, Loader=loader)
            ok = same(exp, got)
        except Exception as e:
            got, ok = "error: %s" % e, False
        if not ok:
            bad += 1
            if bad <= 5:
                print("MISMATCH %s (%s)\n--- text:\n%s--- expected: %r\n--- got: %r\n"
                      % (name, label, text, exp, got))
print("checked %d documents with %s; mismatches: %d"
      % (len(names), "+".join(l for l, _ in loaders), bad))
"#;

#[test]
fn pyyaml_yaml11_reads_back_the_same_data() {
    let seed: u64 = std::env::var("KTERA_YAML_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6b74_6572_615f_796d);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = plain_data();
    let mut cases: Vec<Value> = (0..500)
        .map(|_| match strategy.new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(e) => panic!("cannot generate a case: {e}"),
        })
        .collect();
    // The corpus, each string as a key, a value and a list item.
    for s in NASTY {
        let v = Value::String((*s).to_owned());
        let mut m = Mapping::new();
        m.insert(v.clone(), Value::Sequence(vec![v.clone()]));
        m.insert(Value::from("k"), v.clone());
        cases.push(Value::Mapping(m));
        cases.push(v);
    }
    // Keys past the implicit-key length limit take the explicit `? key` form.
    for long in ["k".repeat(1001), "on: ".repeat(300), "a\n".repeat(600)] {
        let mut m = Mapping::new();
        m.insert(Value::String(long.clone()), Value::String(long));
        cases.push(Value::Mapping(m));
    }

    let dir = tempfile::tempdir().expect("temp dir");
    for (i, case) in cases.iter().enumerate() {
        let mut json = String::new();
        expected_json(case, &mut json);
        std::fs::write(
            dir.path().join(format!("case-{i:04}.yaml")),
            emit_document(case),
        )
        .expect("write case");
        std::fs::write(dir.path().join(format!("case-{i:04}.json")), json).expect("write case");
    }
    let script = dir.path().join("check.py");
    std::fs::write(&script, PYYAML_CHECK).expect("write script");

    let output = match Command::new("python3")
        .arg(&script)
        .arg(dir.path())
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!(
            "python3 is required for the YAML 1.1 round trip ({e}); install python3 and PyYAML"
        ),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "PyYAML check could not run ({}):\n{stdout}{stderr}",
        output.status
    );
    let summary = format!("checked {} documents with SafeLoader", cases.len());
    assert!(
        stdout.contains(&summary) && stdout.trim_end().ends_with("mismatches: 0"),
        "PyYAML (YAML 1.1) reads the emitted text differently (seed {seed}):\n{stdout}{stderr}"
    );
    println!("{}", stdout.trim_end());
}

/// Builds `depth` levels with `wrap`, without recursion.
fn nest(depth: usize, leaf: Value, wrap: impl Fn(usize, Value) -> Value) -> Value {
    (0..depth)
        .rev()
        .fold(leaf, |inner, level| wrap(level, inner))
}

/// Takes a deep value apart level by level: the derived Drop would recurse once per level.
fn dismantle(mut value: Value) {
    loop {
        let next = match &mut value {
            Value::Sequence(items) => items.pop(),
            Value::Mapping(m) => m.values_mut().next().map(std::mem::take),
            Value::Tagged(t) => Some(std::mem::take(&mut t.value)),
            _ => None,
        };
        match next {
            Some(inner) => value = inner,
            None => return,
        }
    }
}

const DEEP: usize = 10_000;

#[test]
fn ten_thousand_nested_sequences() {
    let value = nest(DEEP, Value::from("x"), |_, v| Value::Sequence(vec![v]));
    let text = emit_document(&value);
    assert_eq!(text, format!("{}x\n", "- ".repeat(DEEP)));
    dismantle(value);
}

#[test]
fn ten_thousand_nested_maps_and_lists() {
    // Alternating map and list: each `- k:` two columns right of the one before.
    let value = nest(DEEP, Value::from("x"), |level, v| {
        if level % 2 == 0 {
            let mut m = Mapping::new();
            m.insert(Value::from("k"), v);
            Value::Mapping(m)
        } else {
            Value::Sequence(vec![v])
        }
    });
    let text = emit_document(&value);
    let mut expected = String::from("k:\n");
    for line in 1..DEEP / 2 {
        let _ = writeln!(expected, "{}- k:", "  ".repeat(line - 1));
    }
    let _ = writeln!(expected, "{}- x", "  ".repeat(DEEP / 2 - 1));
    assert!(text == expected, "deep nesting is not laid out as expected");
    dismantle(value);
}

#[test]
fn deep_complex_keys_and_tags() {
    // Explicit keys and tagged maps indent by two columns per level on two lines each: 2,000
    // levels keep the text at a few MB.
    let value = nest(2_000, Value::Null, |_, v| {
        let mut m = Mapping::new();
        m.insert(Value::Sequence(vec![Value::from(1)]), tagged("T", v));
        Value::Mapping(m)
    });
    let text = emit_document(&value);
    assert!(
        text.starts_with("? - 1\n: !T\n  ? - 1\n  : !T\n    ? - 1\n"),
        "{:?}",
        text.get(..60)
    );
    assert!(text.ends_with(": !T null\n"));
    assert_eq!(text.lines().count(), 4_000);
    dismantle(value);
}

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend-app
  namespace: dominos-service-backend
  labels: {app: backend-app, app.kubernetes.io/version: "1.16.0", helm.sh/chart: backend-0.1.0}
  annotations: {checksum/config: 3f2a9c0e1b7d4e5f8a6b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: "25%", maxUnavailable: 0}}
  selector: {matchLabels: {app: backend-app}}
  template:
    metadata: {labels: {app: backend-app}}
    spec:
      containers:
      - name: backend-app
        image: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/backend-app:1.4.2
        imagePullPolicy: IfNotPresent
        args: ["--port=8081", "--log-level=info", "--enable-feature=yes"]
        ports: [{containerPort: 8081, protocol: TCP, name: http}]
        envFrom: [{configMapRef: {name: backend-app-config}}, {secretRef: {name: backend-app-secret}}]
        env: [{name: JAVA_OPTS, value: "-Xmx512m -Xms256m"}, {name: TZ, value: Asia/Seoul}, {name: DEBUG, value: "off"}]
        resources: {limits: {cpu: 500m, memory: 512Mi}, requests: {cpu: 100m, memory: 256Mi}}
        readinessProbe: {httpGet: {path: /health, port: 8081}, initialDelaySeconds: 10, periodSeconds: 5}
        livenessProbe: {httpGet: {path: /health, port: 8081}, initialDelaySeconds: 30, periodSeconds: 10}
        volumeMounts: [{name: config, mountPath: /etc/app, readOnly: true}]
      volumes: [{name: config, configMap: {name: backend-app-config}}]
      nodeSelector: {}
      tolerations: []
"#;

/// The emitter's speed is measured by `cargo bench --bench stages` (emit/...), not asserted here:
/// a wall-clock limit fails on a loaded machine. This checks that 500 documents in one buffer
/// each read back as what was emitted.
#[test]
fn five_hundred_deployments_emit_each_alike() {
    let base: Value = serde_yaml::from_str(DEPLOYMENT).expect("fixture");
    let docs: Vec<Value> = (0..500)
        .map(|i| {
            let mut d = base.clone();
            if let Some(meta) = d.get_mut("metadata").and_then(Value::as_mapping_mut) {
                meta.insert("name".into(), format!("backend-app-{i}").into());
            }
            d
        })
        .collect();
    let mut out = String::new();
    for d in &docs {
        out.push_str("---\n");
        ktera::yaml::emit_document_into(d, &mut out);
    }
    let emitted: Vec<&str> = out.split("---\n").skip(1).collect();
    assert_eq!(emitted.len(), docs.len());
    for (text, doc) in emitted.iter().zip(&docs) {
        assert!(
            same(&serde_yaml::from_str(text).expect("parses"), doc),
            "{text}"
        );
    }
}
