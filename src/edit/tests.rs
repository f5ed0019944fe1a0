use super::*;
use crate::values::SetKind;

fn set_with(text: &str, args: &[&str], kind: SetKind, existing: bool) -> Result<String, Error> {
    let mut assignments = Vec::new();
    for arg in args {
        assignments.extend(parse_assignment(arg, kind).unwrap());
    }
    edit_text(text, "v.yaml", &assignments, Options { existing })
}

fn set(text: &str, args: &[&str]) -> String {
    match set_with(text, args, SetKind::Typed, false) {
        Ok(out) => out,
        Err(err) => panic!("{err}"),
    }
}

fn refused(text: &str, args: &[&str]) -> String {
    match set_with(text, args, SetKind::Typed, false) {
        Ok(out) => panic!("expected a refusal, got:\n{out}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn replaces_a_scalar_keeping_its_comment() {
    let text =
        "# top\nimage:\n  repository: app  # where\n  tag: 1.4.2   # pinned\n\nreplicas: 2\n";
    assert_eq!(
        set(text, &["image.tag=1.4.3"]),
        "# top\nimage:\n  repository: app  # where\n  tag: '1.4.3'   # pinned\n\nreplicas: 2\n"
    );
}

#[test]
fn keeps_quoting_style() {
    assert_eq!(
        set(
            "a: 'x' # c\nb: \"x\"\nc: x\n",
            &["a=v1.2.3", "b=v1.2.3", "c=v1.2.3"]
        ),
        "a: 'v1.2.3' # c\nb: \"v1.2.3\"\nc: v1.2.3\n"
    );
}

#[test]
fn version_numbers_are_quoted() {
    // The YAML 1.1 spec's float pattern matches `1.4.3`; the emitter quotes it, and so does this.
    assert_eq!(set("tag: 1.4.2\n", &["tag=1.4.3"]), "tag: '1.4.3'\n");
}

#[test]
fn quotes_what_would_be_misread() {
    assert_eq!(
        set("a: x\nb: x\n", &["a=on", "b=0755"]),
        "a: 'on'\nb: '0755'\n"
    );
    assert_eq!(set("a: x\n", &["a=1.0"]), "a: '1.0'\n");
}

#[test]
fn types_like_set_unless_string() {
    assert_eq!(
        set("a: 'x'\nb: x\nc: x\n", &["a=3", "b=true", "c=null"]),
        "a: 3\nb: true\nc: null\n"
    );
    let out = set_with("a: x\n", &["a=3"], SetKind::String, false).unwrap();
    assert_eq!(out, "a: '3'\n");
}

#[test]
fn creates_missing_paths_with_the_file_indentation() {
    let text = "image:\n    repository: app\n    tag: 1\nports:\n  - 80\n# end\n";
    assert_eq!(
        set(text, &["image.pullPolicy=Always", "resources.limits.cpu=1"]),
        "image:\n    repository: app\n    tag: 1\n    pullPolicy: Always\nports:\n  - 80\nresources:\n    limits:\n        cpu: 1\n# end\n"
    );
    assert_eq!(
        set(text, &["extra.hosts[0].name=a"]),
        "image:\n    repository: app\n    tag: 1\nports:\n  - 80\nextra:\n    hosts:\n      - name: a\n# end\n"
    );
}

#[test]
fn new_key_goes_after_the_last_entry_not_after_blank_lines() {
    assert_eq!(
        set("a:\n  b: 1\n\nc: 2\n", &["a.d=3"]),
        "a:\n  b: 1\n  d: 3\n\nc: 2\n"
    );
}

#[test]
fn empty_values_become_blocks() {
    assert_eq!(
        set("resources: {} # none\nx: 1\n", &["resources.cpu=1"]),
        "resources: # none\n  cpu: 1\nx: 1\n"
    );
    assert_eq!(
        set("tolerations: []\n", &["tolerations[0].key=a"]),
        "tolerations:\n- key: a\n"
    );
    assert_eq!(
        set("a:\nb: ~\n", &["a.x=1", "b.z=2"]),
        "a:\n  x: 1\nb:\n  z: 2\n"
    );
    assert_eq!(set("{}\n", &["a.b=1"]), "a:\n  b: 1\n");
    assert_eq!(set("", &["a=1"]), "a: 1\n");
    assert_eq!(
        set("# only a comment", &["a=1"]),
        "# only a comment\na: 1\n"
    );
}

#[test]
fn list_items_by_index() {
    let text = "hosts:\n- name: a # first\n  port: 1\n- name: b\n";
    assert_eq!(
        set(text, &["hosts[1].name=c"]),
        "hosts:\n- name: a # first\n  port: 1\n- name: c\n"
    );
    assert_eq!(
        set(text, &["hosts[0].tls=true"]),
        "hosts:\n- name: a # first\n  port: 1\n  tls: true\n- name: b\n"
    );
    assert_eq!(
        set(text, &["hosts[2].name=d"]),
        "hosts:\n- name: a # first\n  port: 1\n- name: b\n- name: d\n"
    );
    assert_eq!(set("a:\n  - x\n  -\n", &["a[1]=z"]), "a:\n  - x\n  - z\n");
    assert_eq!(
        set("a:\n  -\n", &["a[0].b.c=z"]),
        "a:\n  - b:\n      c: z\n"
    );
    assert!(refused(text, &["hosts[5].name=d"]).contains("index 5 is past its end"));
}

#[test]
fn crlf_stays_crlf() {
    assert_eq!(
        set("a:\r\n  b: 1 # c\r\n", &["a.b=2", "a.d=3"]),
        "a:\r\n  b: 2 # c\r\n  d: 3\r\n"
    );
}

#[test]
fn missing_final_newline_stays_missing() {
    assert_eq!(set("a: 1", &["b=2"]), "a: 1\nb: 2");
    assert_eq!(set("a: 1", &["a=2"]), "a: 2");
}

#[test]
fn bom_is_kept() {
    assert_eq!(set("\u{feff}a: 1\n", &["a=2"]), "\u{feff}a: 2\n");
}

#[test]
fn multiline_values_are_replaced_whole() {
    assert_eq!(set("a: |\n  x\n  y\nb: 1\n", &["a=z"]), "a: z\nb: 1\n");
    assert_eq!(set("a: \"x\ny\"\nb: 1\n", &["a=z"]), "a: \"z\"\nb: 1\n");
    assert_eq!(set("a: x\n  y\nb: 1\n", &["a=z"]), "a: z\nb: 1\n");
    assert_eq!(set("a:\n  'x'\nb: 1\n", &["a=z"]), "a:\n  'z'\nb: 1\n");
}

#[test]
fn skips_tricky_siblings() {
    let text = "s: |\n  k: v\n  # not a comment\nf: [1,\n2]\nq: 'it''s: x'\nt: target\n";
    assert_eq!(set(text, &["t=hit"]), text.replace("target", "hit"));
}

#[test]
fn quoted_keys_and_escaped_paths() {
    assert_eq!(
        set("\"a.b\": 1\n'c': 2\n", &[r"a\.b=3", "c=4"]),
        "\"a.b\": 3\n'c': 4\n"
    );
}

#[test]
fn unchanged_value_gives_identical_text() {
    let text = "a: 1 # c\n";
    assert_eq!(set(text, &["a=1"]), text);
}

#[test]
fn refuses_flow_collections_with_position() {
    let message = refused("a: 1\nimage: {tag: 1}\n", &["image.tag=2"]);
    assert!(
        message.starts_with("v.yaml:2:8: `image` is a flow-style mapping"),
        "{message}"
    );
    assert!(refused("a: [1, 2]\n", &["a[0]=3"]).contains("flow-style list"));
}

#[test]
fn refuses_anchors_aliases_tags() {
    assert!(refused("a: &x\n  b: 1\nc: *x\n", &["a.b=2"]).contains("anchor"));
    assert!(refused("a: &x 1\nc: *x\n", &["c=2"]).contains("alias"));
    assert!(refused("a: !!str 1\n", &["a=2"]).contains("tag"));
}

#[test]
fn refuses_multiple_documents() {
    let message = refused("a: 1\n---\nb: 2\n", &["a=2"]);
    assert!(
        message.contains("v.yaml:2:1") && message.contains("more than one YAML document"),
        "{message}"
    );
}

#[test]
fn refuses_to_replace_a_block_by_a_scalar() {
    let message = refused("image:\n  repository: app\n  tag: 1\n", &["image=1.4.3"]);
    assert!(
        message.contains("`image` is a mapping (repository, tag)"),
        "{message}"
    );
    assert!(refused("a:\n- 1\n", &["a=1"]).contains("a list of 1 items"));
    assert!(refused("a: x\n", &["a.b=1"]).contains("holds a single value"));
    assert_eq!(set("a: x\n", &["a=null", "a.b=1"]), "a:\n  b: 1\n");
    assert_eq!(set("a: {}\n", &["a=1"]), "a: 1\n");
}

#[test]
fn existing_refuses_missing_paths() {
    let err = set_with(
        "image:\n  tag: 1\n",
        &["image.digest=x"],
        SetKind::Typed,
        true,
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(
            "v.yaml: image.digest does not exist (`image` (line 1) has no key `digest`)"
        ),
        "{message}"
    );
    assert!(set_with("a: 1\n", &["a=2"], SetKind::Typed, true).is_ok());
    assert!(set_with("a:\n", &["a.b=2"], SetKind::Typed, true).is_err());
}

#[test]
fn refuses_lists_as_values() {
    assert!(refused("a: 1\n", &["a={x,y}"]).contains("single values"));
}

#[test]
fn type_mismatches() {
    assert!(refused("a:\n  b: 1\n", &["a[0]=1"]).contains("is a mapping, not a list"));
    assert!(refused("a:\n- 1\n", &["a.b=1"]).contains("is a list, not a mapping"));
}

#[test]
fn new_lists_start_at_zero() {
    assert!(refused("a: 1\n", &["b[1]=x"]).contains("new list starts at index 0"));
}

#[test]
fn invalid_yaml_is_reported_by_the_values_reader() {
    let message = refused("a: [1\n", &["a=2"]);
    assert!(message.starts_with("v.yaml:"), "{message}");
}

#[test]
fn document_start_marker_is_fine() {
    assert_eq!(
        set("---\n# c\na: 1\n", &["a=2", "b=3"]),
        "---\n# c\na: 2\nb: 3\n"
    );
}

#[test]
fn nested_lists_and_maps_in_items() {
    let text = "a:\n  - - x\n    - y\n  - k: 1\n    m:\n      n: 2\n";
    assert_eq!(set(text, &["a[0][1]=z"]), text.replace("- y", "- z"));
    assert_eq!(set(text, &["a[1].m.n=3"]), text.replace("n: 2", "n: 3"));
    assert_eq!(set(text, &["a[1].m.o=4"]), format!("{text}      o: 4\n"));
}

/// Every scalar of the repository's values files can be set, changing exactly one line, and
/// every mapping takes a new key.
#[test]
fn every_value_of_the_example_files_can_be_set() {
    fn leaves(value: &Value, path: &mut Vec<Segment>, out: &mut Vec<(Vec<Segment>, bool)>) {
        match value {
            Value::Mapping(map) => {
                out.push((path.clone(), true));
                for (key, value) in map {
                    path.push(Segment::Key(key.as_str().unwrap_or_default().to_string()));
                    leaves(value, path, out);
                    path.pop();
                }
            }
            Value::Sequence(items) => {
                for (i, value) in items.iter().enumerate() {
                    path.push(Segment::Index(i));
                    leaves(value, path, out);
                    path.pop();
                }
            }
            _ => out.push((path.clone(), false)),
        }
    }
    let root = env!("CARGO_MANIFEST_DIR");
    // helm-create-values.yaml: what `helm create` (Helm 3.17) writes, comments and `{}`s included.
    for file in [
        "values/dev.yaml",
        "values/prod.yaml",
        "charts/backend/values.yaml",
        "tests/fixtures/set/helm-create-values.yaml",
    ] {
        let Ok(text) = std::fs::read_to_string(format!("{root}/{file}")) else {
            continue;
        };
        let value: Value = serde_yaml::from_str(&text).unwrap();
        let mut found = Vec::new();
        leaves(&value, &mut Vec::new(), &mut found);
        for (path, is_map) in found {
            let shown = PathDisplay(&path).to_string();
            let arg = match (is_map, shown.is_empty()) {
                (true, true) => "zz-new=1".to_string(),
                (true, false) => format!("{shown}.zz-new=1"),
                (false, _) => format!("{shown}=changed-value"),
            };
            let out = set_with(&text, &[&arg], SetKind::String, false)
                .unwrap_or_else(|e| panic!("{file}: {arg}: {e}"));
            let before: Vec<&str> = text.lines().collect();
            let after: Vec<&str> = out.lines().collect();
            if is_map {
                assert_eq!(after.len(), before.len() + 1, "{file}: {arg}:\n{out}");
            } else {
                let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
                assert_eq!(
                    (after.len(), changed),
                    (before.len(), 1),
                    "{file}: {arg}:\n{out}"
                );
            }
        }
    }
}

/// Generated block-style files: any assignment either succeeds (and so passed the self-check)
/// or is refused for a stated reason, never by the self-check; comments all survive.
mod generated {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Tree {
        Scalar(usize, u8),
        Null(bool),
        EmptyMap,
        EmptySeq,
        Map(Vec<(usize, Tree)>),
        Seq(Vec<Tree>),
    }

    const KEYS: [&str; 5] = ["a", "b", "c-d", "e.f", "on"];
    const SCALARS: [&str; 9] = ["x", "1", "true", "on", "it's", "a b", "#x", "v1.2.3", ""];

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf = prop_oneof![
            (0..SCALARS.len(), 0u8..4).prop_map(|(s, style)| Tree::Scalar(s, style)),
            any::<bool>().prop_map(Tree::Null),
            Just(Tree::EmptyMap),
            Just(Tree::EmptySeq),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec((0..KEYS.len(), inner.clone()), 1..4).prop_map(|entries| {
                    let mut seen = std::collections::HashSet::new();
                    Tree::Map(
                        entries
                            .into_iter()
                            .filter(|(k, _)| seen.insert(*k))
                            .collect(),
                    )
                }),
                prop::collection::vec(inner, 1..4).prop_map(Tree::Seq),
            ]
        })
    }

    struct Style {
        step: usize,
        seq_offset: usize,
        comments: bool,
    }

    fn scalar(s: usize, style: u8) -> String {
        let text = SCALARS[s];
        match style {
            0 => crate::yaml::quote_scalar_if_needed(text).into_owned(),
            1 => format!("'{}'", text.replace('\'', "''")),
            _ => format!("\"{text}\""),
        }
    }

    /// The text after `key:` or `-` and the lines below it.
    fn value(
        tree: &Tree,
        indent: usize,
        under_key: bool,
        st: &Style,
        out: &mut Vec<String>,
    ) -> String {
        match tree {
            Tree::Scalar(s, 3) if !SCALARS[*s].is_empty() && !SCALARS[*s].starts_with(' ') => {
                out.push(format!("{}{}", " ".repeat(indent + st.step), SCALARS[*s]));
                " |-".into()
            }
            Tree::Scalar(s, style) => {
                let comment = if st.comments { " # c" } else { "" };
                format!(" {}{comment}", scalar(*s, *style))
            }
            Tree::Null(true) => String::new(),
            Tree::Null(false) => " ~".into(),
            Tree::EmptyMap => " {}".into(),
            Tree::EmptySeq => " []".into(),
            Tree::Map(entries) => {
                map(entries, indent + st.step, st, out);
                String::new()
            }
            Tree::Seq(items) => {
                let offset = if under_key { st.seq_offset } else { 2 };
                seq(items, indent + offset, st, out);
                String::new()
            }
        }
    }

    fn map(entries: &[(usize, Tree)], indent: usize, st: &Style, out: &mut Vec<String>) {
        let pad = " ".repeat(indent);
        for (key, tree) in entries {
            if st.comments {
                out.push(format!("{pad}# c"));
            }
            let at = out.len();
            out.push(String::new());
            let rest = value(tree, indent, true, st, out);
            out[at] = format!(
                "{pad}{}:{rest}",
                crate::yaml::quote_scalar_if_needed(KEYS[*key])
            );
        }
    }

    fn seq(items: &[Tree], indent: usize, st: &Style, out: &mut Vec<String>) {
        let pad = " ".repeat(indent);
        for tree in items {
            match tree {
                Tree::Map(_) | Tree::Seq(_) => {
                    // Content on the `-` line: render two columns in, then put the dash in.
                    let mut lines = Vec::new();
                    let quiet = Style {
                        comments: false,
                        ..*st
                    };
                    match tree {
                        Tree::Map(_) => map(entries_of(tree), indent + 2, &quiet, &mut lines),
                        _ => seq(items_of(tree), indent + 2, &quiet, &mut lines),
                    }
                    if let Some(first) = lines.first_mut() {
                        *first = format!("{pad}- {}", &first[indent + 2..]);
                    }
                    out.extend(lines);
                }
                _ => {
                    let at = out.len();
                    out.push(String::new());
                    let rest = value(tree, indent, false, st, out);
                    out[at] = format!("{pad}-{rest}");
                }
            }
        }
    }

    fn entries_of(tree: &Tree) -> &[(usize, Tree)] {
        match tree {
            Tree::Map(entries) => entries,
            _ => &[],
        }
    }

    fn items_of(tree: &Tree) -> &[Tree] {
        match tree {
            Tree::Seq(items) => items,
            _ => &[],
        }
    }

    fn paths(tree: &Tree, path: &mut Vec<Segment>, out: &mut Vec<Vec<Segment>>) {
        out.push(path.clone());
        match tree {
            Tree::Map(entries) => {
                for (key, tree) in entries {
                    path.push(Segment::Key(KEYS[*key].into()));
                    paths(tree, path, out);
                    path.pop();
                }
                path.push(Segment::Key("new".into()));
                out.push(path.clone());
                path.pop();
            }
            Tree::Seq(items) => {
                for (i, tree) in items.iter().enumerate() {
                    path.push(Segment::Index(i));
                    paths(tree, path, out);
                    path.pop();
                }
                path.push(Segment::Index(items.len()));
                out.push(path.clone());
                path.pop();
            }
            Tree::EmptyMap | Tree::Null(_) => {
                path.push(Segment::Key("new".into()));
                out.push(path.clone());
                path.pop();
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
        #[test]
        fn edits_pass_the_self_check(
            entries in prop::collection::vec((0..KEYS.len(), tree()), 1..4),
            step in 2usize..5,
            seq_offset in 0usize..3,
            comments in any::<bool>(),
            crlf in any::<bool>(),
            pick in any::<prop::sample::Index>(),
            new_value in 0..SCALARS.len(),
        ) {
            let root = match Tree::Map(entries) {
                Tree::Map(entries) => {
                    let mut seen = std::collections::HashSet::new();
                    Tree::Map(entries.into_iter().filter(|(k, _)| seen.insert(*k)).collect())
                }
                other => other,
            };
            let st = Style { step, seq_offset, comments };
            let mut lines = Vec::new();
            map(entries_of(&root), 0, &st, &mut lines);
            let eol = if crlf { "\r\n" } else { "\n" };
            let text: String = lines.iter().map(|l| format!("{l}{eol}")).collect();
            prop_assume!(serde_yaml::from_str::<Value>(&text).is_ok());
            let mut all = Vec::new();
            paths(&root, &mut Vec::new(), &mut all);
            all.retain(|p| !p.is_empty());
            let path = pick.get(&all);
            let arg = format!("{}={}", PathDisplay(path), SCALARS[new_value].replace(',', "\\,"));
            match set_with(&text, &[&arg], SetKind::String, false) {
                Ok(out) => {
                    prop_assert_eq!(out.matches("# c").count(), text.matches("# c").count());
                    prop_assert!(!crlf || !out.replace("\r\n", "").contains('\n'), "a bare LF in a CRLF file:\n{}", out);
                }
                Err(e) if e.message().starts_with("the edited file would not read back") => {
                    prop_assert!(false, "self-check failed for {}: {}\n{}", arg, e, text);
                }
                Err(_) => {}
            }
        }
    }
}
