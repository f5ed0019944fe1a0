//! Whole-document style rules, with the exact expected text; each is also read back.

use super::emit_document;
use serde_yaml::Value;
use serde_yaml::value::{Tag, TaggedValue};

fn yaml(text: &str) -> Value {
    match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("fixture does not parse: {e}\n{text}"),
    }
}

/// Emits `value`, compares with `expected` and checks the text reads back as `value`.
fn check(value: &Value, expected: &str) {
    let text = emit_document(value);
    assert_eq!(text, expected);
    let back: Value = match serde_yaml::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("emitted text does not parse: {e}\n{text}"),
    };
    assert_eq!(&back, value, "read back differs:\n{text}");
}

fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Mapping(entries.into_iter().collect())
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn tagged(tag: &str, value: Value) -> Value {
    Value::Tagged(Box::new(TaggedValue {
        tag: Tag::new(tag),
        value,
    }))
}

#[test]
fn kubectl_layout() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend-app
  labels:
    app: backend-app
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: app
        image: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/backend:1.4.2
        ports:
        - containerPort: 8081
        args:
        - --port=8081
        env: []
      volumes: []
      nodeSelector: {}
";
    check(&yaml(text), text);
}

#[test]
fn keys_keep_insertion_order() {
    let v = map(vec![
        (s("zeta"), Value::from(1)),
        (s("alpha"), Value::from(2)),
        (s("mid"), Value::from(3)),
    ]);
    check(&v, "zeta: 1\nalpha: 2\nmid: 3\n");
}

#[test]
fn nested_sequences_and_maps_in_sequences() {
    let v = yaml("[[a, b], [], [[c]], {name: a, port: 1}, {}]");
    check(
        &v,
        "- - a\n  - b\n- []\n- - - c\n- name: a\n  port: 1\n- {}\n",
    );
    let v = yaml("k: [[{a: 1, b: [x]}]]");
    check(&v, "k:\n- - a: 1\n    b:\n    - x\n");
}

#[test]
fn scalars_at_the_root() {
    check(&Value::Null, "null\n");
    check(&Value::Bool(true), "true\n");
    check(&Value::from(1_000_000), "1000000\n");
    check(&Value::from(1.0e300), "1.0e+300\n");
    check(&s("yes"), "'yes'\n");
    check(&s("---"), "'---'\n");
    check(&s("plain"), "plain\n");
    check(&yaml("{}"), "{}\n");
    check(&yaml("[]"), "[]\n");
}

#[test]
fn values_and_keys_that_need_quotes() {
    let v = map(vec![
        (s("on"), s("off")),
        (s("y"), s("n")),
        (s("mode"), s("0755")),
        (s("time"), s("12:30")),
        (s("count"), s("1_000")),
        (s("date"), s("2024-01-01")),
        (s("empty"), s("")),
        (s("null"), s("~")),
        (s("<<"), s("=")),
        (s("a: b"), s("c #d")),
        (s("tab"), s("a\tb")),
    ]);
    check(
        &v,
        "'on': 'off'\n'y': 'n'\nmode: '0755'\ntime: '12:30'\ncount: '1_000'\n\
         date: '2024-01-01'\nempty: ''\n'null': '~'\n'<<': '='\n'a: b': 'c #d'\ntab: \"a\\tb\"\n",
    );
}

#[test]
fn non_string_keys_are_plain() {
    let v = map(vec![
        (Value::Null, s("a")),
        (Value::Bool(false), s("b")),
        (Value::from(7), s("c")),
        (Value::from(-1.5), s("d")),
        (s("7"), s("e")),
    ]);
    check(&v, "null: a\nfalse: b\n7: c\n-1.5: d\n'7': e\n");
}

#[test]
fn literal_blocks() {
    let v = map(vec![
        (s("clip"), s("a\nb\n")),
        (s("strip"), s("a\nb")),
        (s("keep"), s("a\n\n")),
        (s("lead"), s(" a\nb")),
        (
            s("script"),
            s("#!/bin/sh\nset -e\n\n  echo 'hi: there' # c\n"),
        ),
    ]);
    check(
        &v,
        "clip: |\n  a\n  b\nstrip: |-\n  a\n  b\nkeep: |+\n  a\n  \nlead: |2-\n   a\n  b\n\
         script: |\n  #!/bin/sh\n  set -e\n\n    echo 'hi: there' # c\n",
    );
    let v = yaml("- - \"x\\ny\"\n  - k: \"p\\n q\\n\"");
    check(&v, "- - |-\n    x\n    y\n  - k: |\n      p\n       q\n");
    check(&s("a\n"), "|\n  a\n");
    check(&s("\n a\n"), "|2\n\n   a\n");
}

#[test]
fn keep_block_at_end_still_ends_with_one_newline() {
    let v = map(vec![(s("k"), s("x\n\n\n"))]);
    let text = emit_document(&v);
    assert!(
        text.ends_with("  \n") && !text.ends_with("\n\n"),
        "{text:?}"
    );
    check(&v, "k: |+\n  x\n  \n  \n");
}

#[test]
fn multi_line_keys_stay_on_one_line() {
    let v = map(vec![(s("a\nb"), s("v"))]);
    check(&v, "\"a\\nb\": v\n");
}

#[test]
fn complex_and_long_keys_use_explicit_form() {
    let v = map(vec![
        (yaml("[a, b]"), s("seq")),
        (yaml("{k: v}"), yaml("[x]")),
        (yaml("[]"), yaml("{p: q}")),
    ]);
    check(&v, "? - a\n  - b\n: seq\n? k: v\n: - x\n? []\n: p: q\n");
    let long = "k".repeat(1001);
    let v = map(vec![(s(&long), s("v"))]);
    check(&v, &format!("? {long}\n: v\n"));
    let v = yaml("- {[a]: b, c: d}");
    check(&v, "- ? - a\n  : b\n  c: d\n");
}

#[test]
fn tagged_values() {
    let v = map(vec![
        (s("scalar"), tagged("Thing", s("x"))),
        (s("quoted"), tagged("Thing", s("yes"))),
        (s("map"), tagged("Thing", yaml("{k: v}"))),
        (s("seq"), tagged("Thing", yaml("[a]"))),
        (s("empty"), tagged("Thing", yaml("{}"))),
        (s("block"), tagged("Thing", s("a\nb"))),
        (s("odd"), tagged("a b", Value::from(1))),
        (
            s("list"),
            Value::Sequence(vec![tagged("T", yaml("{k: v}")), tagged("T", s("x"))]),
        ),
    ]);
    check(
        &v,
        "scalar: !Thing x\nquoted: !Thing 'yes'\nmap: !Thing\n  k: v\nseq: !Thing\n- a\n\
         empty: !Thing {}\nblock: !Thing |-\n  a\n  b\nodd: !a%20b 1\nlist:\n- !T\n  k: v\n- !T x\n",
    );
    check(&tagged("Root", yaml("{k: v}")), "!Root\nk: v\n");
    let v = map(vec![(tagged("K", s("k")), s("v"))]);
    check(&v, "? !K k\n: v\n");
}

#[test]
fn emit_document_into_appends() {
    let mut out = String::from("---\n");
    super::emit_document_into(&yaml("a: 1"), &mut out);
    super::emit_document_into(&yaml("b: 2"), &mut out);
    assert_eq!(out, "---\na: 1\nb: 2\n");
}

#[test]
fn nested_tags_keep_the_outer_one() {
    // YAML allows one tag per node.
    let v = tagged("Outer", tagged("Inner", s("x")));
    assert_eq!(emit_document(&v), "!Outer x\n");
}
