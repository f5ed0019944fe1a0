//! Generated templates: well-formed ones parse and print back to the same tree; any text at
//! all is either read or refused with a located error, never a panic.

use proptest::prelude::*;

use super::assert_round_trip;
use crate::convert::parse;

/// An operand: `.`, fields, `$`, `$v`, literals, a parenthesised call.
fn operand(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just(".".to_string()),
        Just(".a".to_string()),
        Just(".Values.b_2".to_string()),
        Just("$".to_string()),
        Just("$.Values.c".to_string()),
        Just("$v".to_string()),
        Just("$v.x".to_string()),
        Just(r#""s\t\"q\"""#.to_string()),
        Just("`raw -}}`".to_string()),
        Just("'c'".to_string()),
        Just("-12".to_string()),
        Just("0x1F".to_string()),
        Just("1_000".to_string()),
        Just("1.5e3".to_string()),
        Just("true".to_string()),
        Just("nil".to_string()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        3 => leaf,
        1 => pipeline(depth - 1).prop_map(|p| format!("({p})")),
        1 => pipeline(depth - 1).prop_map(|p| format!("({p}).f")),
    ]
    .boxed()
}

fn command(depth: u32) -> BoxedStrategy<String> {
    prop_oneof![
        operand(depth),
        (
            prop::sample::select(vec!["include", "default", "quote", "list", "dict"]),
            prop::collection::vec(operand(depth), 0..3)
        )
            .prop_map(|(f, args)| {
                let mut s = f.to_string();
                for a in args {
                    s.push(' ');
                    s.push_str(&a);
                }
                s
            }),
    ]
    .boxed()
}

/// `cmd | fn args | fn`: after `|` only function calls.
fn pipeline(depth: u32) -> BoxedStrategy<String> {
    (
        command(depth),
        prop::collection::vec(
            (
                prop::sample::select(vec!["quote", "nindent 4", "default \"x\"", "trunc 63"]),
                Just(()),
            ),
            0..3,
        ),
    )
        .prop_map(|(first, rest)| {
            let mut s = first;
            for (f, ()) in rest {
                s.push_str(" | ");
                s.push_str(f);
            }
            s
        })
        .boxed()
}

fn open(trim: bool) -> &'static str {
    if trim { "{{- " } else { "{{ " }
}

fn close(trim: bool) -> &'static str {
    if trim { " -}}" } else { " }}" }
}

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", " ", "\n", "  x: y\n", "}", "- ", "\t", "é"])
        .prop_map(str::to_string)
}

/// Nodes that may use `$v` (declared at the top of the file) and `break` inside `range`.
fn nodes(depth: u32, in_range: bool) -> BoxedStrategy<String> {
    let action = (any::<(bool, bool)>(), pipeline(1))
        .prop_map(|((l, r), p)| format!("{}{p}{}", open(l), close(r)));
    let comment = any::<(bool, bool)>().prop_map(|(l, r)| {
        format!(
            "{}/* c */{}",
            if l { "{{- " } else { "{{" },
            if r { " -}}" } else { "}}" }
        )
    });
    let mut leaves = vec![text().boxed(), action.boxed(), comment.boxed()];
    if in_range {
        leaves.push(Just("{{ break }}".to_string()).boxed());
        leaves.push(Just("{{- continue -}}".to_string()).boxed());
    }
    let leaf = prop::strategy::Union::new(leaves);
    let list = |depth, in_range| {
        prop::collection::vec(nodes(depth, in_range), 0..4).prop_map(|v| v.concat())
    };
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        4 => leaf,
        1 => (pipeline(1), list(depth - 1, in_range), prop::option::of(list(depth - 1, in_range)), any::<bool>())
            .prop_map(|(p, body, other, trim)| match other {
                Some(o) => format!(
                    "{}if {p}{}{body}{}else{}{o}{}end{}",
                    open(trim), close(trim), open(trim), close(trim), open(trim), close(trim)
                ),
                None => format!("{{{{ if {p} }}}}{body}{{{{ end }}}}"),
            }),
        1 => (pipeline(1), list(depth - 1, in_range), list(depth - 1, in_range))
            .prop_map(|(p, body, other)| format!("{{{{ if .a }}}}{body}{{{{ else if {p} }}}}{other}{{{{ end }}}}")),
        1 => (pipeline(1), list(depth - 1, true), prop::option::of(list(depth - 1, in_range)))
            .prop_map(|(p, body, other)| match other {
                Some(o) => format!("{{{{ range $i, $e := {p} }}}}{{{{ $e }}}}{body}{{{{ else }}}}{o}{{{{ end }}}}"),
                None => format!("{{{{- range {p} -}}}}{body}{{{{- end -}}}}"),
            }),
        1 => (pipeline(1), list(depth - 1, in_range))
            .prop_map(|(p, body)| format!("{{{{ with $w := {p} }}}}{{{{ $w }}}}{body}{{{{ else with .b }}}}{{{{ end }}}}")),
        1 => (pipeline(1), list(depth - 1, in_range))
            .prop_map(|(p, body)| format!("{{{{ $v = {p} }}}}{body}")),
    ]
    .boxed()
}

fn template() -> impl Strategy<Value = String> {
    (
        nodes(3, false),
        prop::collection::vec(nodes(1, false), 0..3),
    )
        .prop_map(|(body, defines)| {
            let mut s = format!("{{{{ $v := . }}}}{body}");
            for (i, d) in defines.iter().enumerate() {
                // A define sees only `$`.
                let d = d.replace("$v", "$");
                s.push_str(&format!("\n{{{{- define \"d{i}\" -}}}}{d}{{{{ end }}}}"));
            }
            s
        })
}

/// Pieces of template syntax, glued at random.
fn noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "{{", "}}", "{{- ", " -}}", "-", " ", "\n", ".", "$", "$x", "x", "(", ")", "|", "\"",
            "`", "'", "/*", "*/", "=", ":=", ",", "1", "0x", "e", "if", "else", "end", "range",
            "with", "define", "template", "block", "break", "continue", "\"d\"", "é", "\\",
        ]),
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn well_formed_templates_parse_and_print_back(source in template()) {
        if let Err(e) = parse("gen", &source) {
            panic!("{source:?}: {e}");
        }
        assert_round_trip(&source);
    }

    #[test]
    fn any_text_is_read_or_refused_with_a_place(source in noise()) {
        match parse("noise", &source) {
            Ok(_) => assert_round_trip(&source),
            Err(e) => {
                let lines = source.split('\n').count();
                let line = e.diagnostic().line.unwrap_or(0);
                prop_assert!(line >= 1 && line <= lines, "{source:?}: {e}");
                prop_assert!(e.diagnostic().column.is_some_and(|c| c >= 1), "{source:?}: {e}");
                prop_assert!(!e.message().is_empty());
            }
        }
    }
}
