//! The parser against the cases of Go's own parse tests (`text/template/parse/parse_test.go`),
//! with ktera's canonical form as the expectation (which, unlike Go's, keeps trim markers,
//! comments, `else if` chains and `define`s in place), and printing back as Go text.

use crate::convert::ast::*;
use crate::convert::parse;
use crate::convert::print::{canonical, to_source};
use crate::error::Error;

use super::assert_round_trip;

fn canon(input: &str) -> Result<String, Error> {
    parse("test.tpl", input).map(|t| canonical(&t))
}

/// Go's parseTests that parse, with the tree ktera builds.
#[test]
fn go_parse_tests_that_succeed() {
    let cases: &[(&str, &str, &str)] = &[
        ("empty", "", ""),
        ("comment", "{{/*\n\n\n*/}}", "{{/*\n\n\n*/}}"),
        ("spaces", " \t\n", r#"" \t\n""#),
        ("text", "some text", r#""some text""#),
        ("field", "{{.X}}", "{{.X}}"),
        ("simple command", "{{printf}}", "{{printf}}"),
        ("$ invocation", "{{$}}", "{{$}}"),
        (
            "variable invocation",
            "{{with $x := 3}}{{$x 23}}{{end}}",
            "{{with $x := 3}}{{$x 23}}{{end}}",
        ),
        ("variable with fields", "{{$.I}}", "{{$.I}}"),
        (
            "multi-word command",
            "{{printf `%d` 23}}",
            "{{printf `%d` 23}}",
        ),
        ("pipeline", "{{.X|.Y}}", "{{.X | .Y}}"),
        ("pipeline with decl", "{{$x := .X|.Y}}", "{{$x := .X | .Y}}"),
        (
            "nested pipeline",
            "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
            "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
        ),
        (
            "field applied to parentheses",
            "{{(.Y .Z).Field}}",
            "{{(.Y .Z).Field}}",
        ),
        (
            "simple if",
            "{{if .X}}hello{{end}}",
            r#"{{if .X}}"hello"{{end}}"#,
        ),
        (
            "if with else",
            "{{if .X}}true{{else}}false{{end}}",
            r#"{{if .X}}"true"{{else}}"false"{{end}}"#,
        ),
        (
            "if with else if",
            "{{if .X}}true{{else if .Y}}false{{end}}",
            r#"{{if .X}}"true"{{else if .Y}}"false"{{end}}"#,
        ),
        (
            "if else chain",
            "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
            r#""+"{{if .X}}"X"{{else if .Y}}"Y"{{else if .Z}}"Z"{{end}}"+""#,
        ),
        (
            "simple range",
            "{{range .X}}hello{{end}}",
            r#"{{range .X}}"hello"{{end}}"#,
        ),
        (
            "chained field range",
            "{{range .X.Y.Z}}hello{{end}}",
            r#"{{range .X.Y.Z}}"hello"{{end}}"#,
        ),
        (
            "nested range",
            "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
            r#"{{range .X}}"hello"{{range .Y}}"goodbye"{{end}}{{end}}"#,
        ),
        (
            "range with else",
            "{{range .X}}true{{else}}false{{end}}",
            r#"{{range .X}}"true"{{else}}"false"{{end}}"#,
        ),
        (
            "range over pipeline",
            "{{range .X|.M}}true{{else}}false{{end}}",
            r#"{{range .X | .M}}"true"{{else}}"false"{{end}}"#,
        ),
        (
            "range []int",
            "{{range .SI}}{{.}}{{end}}",
            "{{range .SI}}{{.}}{{end}}",
        ),
        (
            "range 1 var",
            "{{range $x := .SI}}{{.}}{{end}}",
            "{{range $x := .SI}}{{.}}{{end}}",
        ),
        (
            "range 2 vars",
            "{{range $x, $y := .SI}}{{.}}{{end}}",
            "{{range $x, $y := .SI}}{{.}}{{end}}",
        ),
        (
            "range with break",
            "{{range .SI}}{{.}}{{break}}{{end}}",
            "{{range .SI}}{{.}}{{break}}{{end}}",
        ),
        (
            "range with continue",
            "{{range .SI}}{{.}}{{continue}}{{end}}",
            "{{range .SI}}{{.}}{{continue}}{{end}}",
        ),
        (
            "constants",
            "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}",
            "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}",
        ),
        ("template", "{{template `x`}}", "{{template `x`}}"),
        (
            "template with arg",
            "{{template `x` .Y}}",
            "{{template `x` .Y}}",
        ),
        (
            "with",
            "{{with .X}}hello{{end}}",
            r#"{{with .X}}"hello"{{end}}"#,
        ),
        (
            "with with else",
            "{{with .X}}hello{{else}}goodbye{{end}}",
            r#"{{with .X}}"hello"{{else}}"goodbye"{{end}}"#,
        ),
        (
            "with with else with",
            "{{with .X}}hello{{else with .Y}}goodbye{{end}}",
            r#"{{with .X}}"hello"{{else with .Y}}"goodbye"{{end}}"#,
        ),
        ("trim left", "x \r\n\t{{- 3}}", r#""x"{{- 3}}"#),
        ("trim right", "{{3 -}}\n\n\ty", r#"{{3 -}}"y""#),
        (
            "trim left and right",
            "x \r\n\t{{- 3 -}}\n\n\ty",
            r#""x"{{- 3 -}}"y""#,
        ),
        (
            "trim with extra spaces",
            "x\n{{-  3   -}}\ny",
            r#""x"{{- 3 -}}"y""#,
        ),
        (
            "comment trim left",
            "x \r\n\t{{- /* hi */}}",
            r#""x"{{- /* hi */}}"#,
        ),
        (
            "comment trim right",
            "{{/* hi */ -}}\n\n\ty",
            r#"{{/* hi */ -}}"y""#,
        ),
        (
            "comment trim left and right",
            "x \r\n\t{{- /* */ -}}\n\n\ty",
            r#""x"{{- /* */ -}}"y""#,
        ),
        (
            "block definition",
            r#"{{block "foo" .}}hello{{end}}"#,
            r#"{{block "foo" .}}"hello"{{end}}"#,
        ),
        (
            "newline in assignment",
            "{{ $x \n := \n 1 \n }}",
            "{{$x := 1}}",
        ),
        (
            "newline in pipeline",
            "{{\n\"x\"\n|\nprintf\n}}",
            r#"{{"x" | printf}}"#,
        ),
        (
            "newline in comment",
            "{{/*\nhello\n*/}}",
            "{{/*\nhello\n*/}}",
        ),
        (
            "newline in trimmed comment",
            "{{-\n/*\nhello\n*/\n-}}",
            "{{- /*\nhello\n*/ -}}",
        ),
        (
            "spaces around continue",
            "{{range .SI}}{{.}}{{ continue }}{{end}}",
            "{{range .SI}}{{.}}{{continue}}{{end}}",
        ),
        (
            "spaces around break",
            "{{range .SI}}{{.}}{{ break }}{{end}}",
            "{{range .SI}}{{.}}{{break}}{{end}}",
        ),
        ("bug0a", "{{$x := 0}}{{$x}}", "{{$x := 0}}{{$x}}"),
        ("bug1c", "{{$x:=.}}{{$x +2}}", "{{$x := .}}{{$x +2}}"),
        // Go's parser checks function names against the functions it is given; which names
        // Helm knows is decided later, so any identifier parses.
        (
            "undefined function",
            "hello{{undefined}}",
            r#""hello"{{undefined}}"#,
        ),
    ];
    for (name, input, expected) in cases {
        match canon(input) {
            Ok(tree) => assert_eq!(&tree, expected, "{name}: {input:?}"),
            Err(e) => panic!("{name}: {input:?} should parse: {e}"),
        }
        assert_round_trip(input);
    }
}

/// Go's parseTests and errorTests that fail, with the part of the message that must appear.
#[test]
fn go_parse_tests_that_fail() {
    let cases: &[(&str, &str, &str)] = &[
        ("emptyAction", "{{}}", "missing value for command"),
        (
            "newline in empty action",
            "{{\n}}",
            "missing value for command",
        ),
        ("unclosed action", "hello{{range", "unclosed action"),
        ("unmatched end", "{{end}}", "unexpected {{end}}"),
        ("unmatched else", "{{else}}", "unexpected {{else}}"),
        (
            "unmatched else after if",
            "{{if .X}}hello{{end}}{{else}}",
            "unexpected {{else}}",
        ),
        (
            "multiple else",
            "{{if .X}}1{{else}}2{{else}}3{{end}}",
            "expected {{end}}; found {{else}}",
        ),
        (
            "missing end",
            "hello{{range .x}}",
            "`{{range}}` is never closed",
        ),
        (
            "missing end after else",
            "hello{{range .x}}{{else}}",
            "`{{range}}` is never closed",
        ),
        ("undefined variable", "{{$x}}", "undefined variable \"$x\""),
        (
            "variable undefined after end",
            "{{with $x := 4}}{{end}}{{$x}}",
            "undefined variable \"$x\"",
        ),
        (
            "variable undefined in template",
            "{{template $v}}",
            "unexpected \"$v\" in template clause",
        ),
        (
            "declare with field",
            "{{with $x.Y := 4}}{{end}}",
            "undefined variable",
        ),
        (
            "template with field ref",
            "{{template .X}}",
            "unexpected \".X\" in template clause",
        ),
        (
            "invalid punctuation",
            "{{printf 3, 4}}",
            "unexpected \",\" in operand",
        ),
        (
            "multidecl outside range",
            "{{with $v, $u := 3}}{{end}}",
            "too many declarations in with",
        ),
        (
            "too many decls in range",
            "{{range $u, $v, $w := 3}}{{end}}",
            "too many declarations in range",
        ),
        (
            "dot applied to parentheses",
            "{{printf (printf .).}}",
            "unexpected <.> in operand",
        ),
        (
            "adjacent args",
            "{{printf 3`x`}}",
            "unexpected \"`x`\" in operand",
        ),
        (
            "adjacent args with .",
            "{{printf `x`.}}",
            "unexpected <.> in operand",
        ),
        (
            "extra end after if",
            "{{if .X}}a{{else if .Y}}b{{end}}{{end}}",
            "unexpected {{end}}",
        ),
        (
            "break outside range",
            "{{range .}}{{end}} {{break}}",
            "{{break}} outside {{range}}",
        ),
        (
            "continue outside range",
            "{{range .}}{{end}} {{continue}}",
            "{{continue}} outside {{range}}",
        ),
        (
            "break in range else",
            "{{range .}}{{else}}{{break}}{{end}}",
            "{{break}} outside {{range}}",
        ),
        (
            "continue in range else",
            "{{range .}}{{else}}{{continue}}{{end}}",
            "{{continue}} outside {{range}}",
        ),
        ("bug0b", "{{$x += 1}}{{$x}}", "undefined variable"),
        ("bug0c", "{{$x ! 2}}{{$x}}", "undefined variable"),
        ("bug0d", "{{$x % 3}}{{$x}}", "undefined variable"),
        (
            "bug0e",
            "{{range $x := $y := 3}}{{end}}",
            "undefined variable \"$y\"",
        ),
        ("bug1a", "{{$x:=.}}{{$x!2}}", "bad character U+0021 '!'"),
        ("bug1b", "{{$x:=.}}{{$x+2}}", "bad character U+002B '+'"),
        ("dot after integer", "{{1.E}}", "illegal number syntax"),
        (
            "dot after float",
            "{{0.1.E}}",
            "unexpected . after term \"0.1\"",
        ),
        (
            "dot after boolean",
            "{{true.E}}",
            "unexpected . after term \"true\"",
        ),
        (
            "dot after char",
            "{{'a'.any}}",
            "unexpected . after term \"'a'\"",
        ),
        (
            "dot after string",
            r#"{{"hello".guys}}"#,
            "unexpected . after term \"\\\"hello\\\"\"",
        ),
        ("dot after dot", "{{..E}}", "unexpected . after term \".\""),
        (
            "dot after nil",
            "{{nil.E}}",
            "unexpected . after term \"nil\"",
        ),
        (
            "wrong pipeline dot",
            "{{12|.}}",
            "non executable command in pipeline stage 2",
        ),
        (
            "wrong pipeline number",
            "{{.|12|printf}}",
            "non executable command in pipeline stage 2",
        ),
        (
            "wrong pipeline string",
            "{{.|printf|\"error\"}}",
            "non executable command in pipeline stage 3",
        ),
        (
            "wrong pipeline char",
            "{{12|printf|'e'}}",
            "non executable command in pipeline stage 3",
        ),
        (
            "wrong pipeline boolean",
            "{{.|true}}",
            "non executable command in pipeline stage 2",
        ),
        (
            "wrong pipeline nil",
            "{{'c'|nil}}",
            "non executable command in pipeline stage 2",
        ),
        (
            "empty pipeline",
            r#"{{printf "%d" ( ) }}"#,
            "missing value for parenthesized pipeline",
        ),
        (
            "block without pipeline",
            r#"{{block "foo"}}hello{{end}}"#,
            "missing value for block clause",
        ),
        ("comment1", "{{/*}}", "unclosed comment"),
        ("comment2", "{{/*\nhello\n}}", "unclosed comment"),
        ("lparen", "{{.X (1 2 3}}", "unclosed left paren"),
        ("rparen", "{{.X 1 2 3 ) }}", "unexpected \")\" in command"),
        ("rparen2", "{{(.X 1 2 3", "unclosed action"),
        ("space", "{{`x`3}}", "in operand"),
        ("idchar", "{{a#}}", "'#'"),
        ("charconst", "{{'a}}", "unterminated character constant"),
        ("stringconst", r#"{{"a}}"#, "unterminated quoted string"),
        ("rawstringconst", "{{`a}}", "unterminated raw quoted string"),
        ("number", "{{0xi}}", "number syntax"),
        (
            "multidefine",
            "{{define `a`}}a{{end}}{{define `a`}}b{{end}}",
            "multiple definition of template",
        ),
        ("eof", "{{range .X}}", "`{{range}}` is never closed"),
        (
            "variable",
            "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}",
            "unexpected \":=\" in operand",
        ),
        ("multidecl", "{{$a,$b,$c := 23}}", "too many declarations"),
        ("undefvar", "{{$a}}", "undefined variable"),
        ("wrongdot", "{{true.any}}", "unexpected . after term"),
        (
            "wrongpipeline",
            "{{12|false}}",
            "non executable command in pipeline",
        ),
        (
            "emptypipeline",
            "{{ ( ) }}",
            "missing value for parenthesized pipeline",
        ),
        ("rangeundefvar", "{{range $k}}{{end}}", "undefined variable"),
        (
            "rangeundefvars",
            "{{range $k, $v}}{{end}}",
            "undefined variable",
        ),
        (
            "rangemissingvalue1",
            "{{range $k,}}{{end}}",
            "missing value for range",
        ),
        (
            "rangemissingvalue2",
            "{{range $k, $v := }}{{end}}",
            "missing value for range",
        ),
        (
            "rangenotvariable1",
            "{{range $k, .}}{{end}}",
            "range can only initialize variables",
        ),
        (
            "rangenotvariable2",
            "{{range $k, 123 := .}}{{end}}",
            "range can only initialize variables",
        ),
    ];
    for (name, input, fragment) in cases {
        match canon(input) {
            Ok(tree) => panic!("{name}: {input:?} should fail, parsed as {tree}"),
            Err(e) => assert!(
                e.message().contains(fragment),
                "{name}: {input:?}: {:?} does not contain {fragment:?}",
                e.message()
            ),
        }
    }
}

/// Errors point at the line (Go's errorTests check lines) and column of the problem.
#[test]
fn errors_are_located() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("line1\n{{", 2, 3, "unclosed action"),
        ("line1\n{{define `x`}}line2\n{{", 3, 3, "unclosed action"),
        (
            "line1\n{{\"x\"\n\"y\"\n",
            4,
            1,
            "unclosed action started at line 2, column 1",
        ),
        (
            "{{\n\n\n\n\n",
            6,
            1,
            "unclosed action started at line 1, column 1",
        ),
        ("{{ $v := `\n` }} {{", 2, 8, "unclosed action"),
        ("{{/*}}", 1, 1, "unclosed comment"),
        ("a\n  {{ if .x }}\n  b\n", 2, 3, "`{{if}}` is never closed"),
        ("a\n{{ .Values.x }}\n{{ $y }}", 3, 4, "undefined variable"),
        ("x\n{{ end }}", 2, 1, "unexpected {{end}}"),
        (
            "{{ range .a }}\n{{ else }}{{ break }}{{ end }}",
            2,
            14,
            "outside {{range}}",
        ),
        ("é{{ .a-b }}", 1, 7, "bad character U+002D '-'"),
    ];
    for (input, line, column, fragment) in cases {
        let e = parse("f.yaml", input).expect_err(input);
        let place = e.diagnostic();
        assert_eq!(
            (place.line, place.column),
            (Some(*line), Some(*column)),
            "{input:?}: {e}"
        );
        assert!(e.message().contains(fragment), "{input:?}: {e}");
        assert_eq!(place.file, "f.yaml");
    }
}

#[test]
fn errors_say_what_to_do() {
    let e = parse("t.yaml", "{{ .Values.my-key }}").unwrap_err();
    assert!(e.diagnostic().hint.contains("index .Values"), "{e}");
    let shown = e.to_string();
    assert!(
        shown.starts_with(
            "t.yaml:1:14: bad character U+002D '-'\n  |\n1 | {{ .Values.my-key }}\n  |              ^\n  hint: "
        ),
        "{shown}"
    );
    let e = parse("t.yaml", "{{ if .a }}{{ define \"x\" }}{{ end }}{{ end }}").unwrap_err();
    assert!(e.message().contains("<define>"), "{e}");
    assert!(e.diagnostic().hint.contains("top level"), "{e}");
    let e = parse("t.yaml", "{{ $x }}").unwrap_err();
    assert!(e.diagnostic().hint.contains("{{ $x := ... }}"), "{e}");
    let e = parse("t.yaml", "{{ list 1, 2 }}").unwrap_err();
    assert!(e.diagnostic().hint.contains("separated by spaces"), "{e}");
}

/// What Go's parser accepts besides its test table, and what it refuses.
#[test]
fn scoping_rules_of_the_parser() {
    // A define or block sees only `$`: not the variables around it.
    for input in [
        "{{ $x := 1 }}{{ define \"d\" }}{{ $x }}{{ end }}",
        "{{ $x := 1 }}{{ block \"b\" . }}{{ $x }}{{ end }}",
    ] {
        assert!(
            canon(input)
                .unwrap_err()
                .message()
                .contains("undefined variable"),
            "{input}"
        );
    }
    // A block's body is a template of its own: not inside the range around it.
    assert!(
        canon("{{ range . }}{{ block \"b\" . }}{{ break }}{{ end }}{{ end }}")
            .unwrap_err()
            .message()
            .contains("outside {{range}}")
    );
    // Variables declared in an `if` body are, for Go's parser, still declared in its `else`
    // (Go fails only when that branch runs); the scope analysis reports it.
    assert!(canon("{{ if .a }}{{ $x := 1 }}{{ else }}{{ $x }}{{ end }}").is_ok());
    // Assignment to an undeclared variable parses; Go fails when it runs.
    assert!(canon("{{ $x = 1 }}{{ $x }}").is_ok());
    // A variable declared in a condition lives in both branches and ends at `{{end}}`.
    assert!(canon("{{ if $x := .a }}{{ $x }}{{ else }}{{ $x }}{{ end }}").is_ok());
    assert!(canon("{{ if $x := .a }}{{ end }}{{ $x }}").is_err());
    // `else if` only in `if`, `else with` only in `with`.
    assert!(canon("{{ if .a }}{{ else with .b }}{{ end }}").is_err());
    assert!(canon("{{ with .a }}{{ else if .b }}{{ end }}").is_err());
    assert!(canon("{{ range .a }}{{ else if .b }}{{ end }}").is_err());
    // An empty define may be redefined; two non-empty ones may not.
    assert!(canon("{{ define \"a\" }} {{ end }}{{ define \"a\" }}x{{ end }}").is_ok());
    assert!(canon("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}{{/* c */}}{{ end }}").is_ok());
    // `{{-3}}` is the number -3, `{{- 3}}` trims.
    assert_eq!(canon("a {{-3}}").unwrap(), r#""a "{{-3}}"#);
    assert_eq!(canon("a {{- 3}}").unwrap(), r#""a"{{- 3}}"#);
    // `{{ /* x */ }}` is no comment (the comment must follow `{{` or `{{- ` directly).
    assert!(canon("{{ /* x */ }}").is_err());
    assert!(canon("{{-/* x */}}").is_err());
    // Range with assignment (Go 1.21+), and over an integer (Go 1.22+).
    assert_eq!(
        canon("{{ $i := 0 }}{{ range $i = .a }}{{ end }}").unwrap(),
        "{{$i := 0}}{{range $i = .a}}{{end}}"
    );
    assert_eq!(
        canon("{{ range 3 }}{{ . }}{{ end }}").unwrap(),
        "{{range 3}}{{.}}{{end}}"
    );
}

#[test]
fn nodes_carry_their_position_and_trim_markers() {
    let t = parse(
        "t",
        "a: 1\n{{- if .Values.x }}\n  b: {{ .Values.x | quote }}\n{{- end }}\n",
    )
    .unwrap();
    let Node::Text(first) = &t.nodes[0] else {
        panic!("{:?}", t.nodes[0])
    };
    assert_eq!(
        (first.raw.as_str(), first.text.as_str()),
        ("a: 1\n", "a: 1")
    );
    let Node::If(branch) = &t.nodes[1] else {
        panic!("{:?}", t.nodes[1])
    };
    assert_eq!(
        (
            branch.tag.pos.line,
            branch.tag.pos.column,
            branch.tag.trim_left
        ),
        (2, 1, true)
    );
    assert_eq!((branch.end.pos.line, branch.end.trim_left), (4, true));
    let Node::Action(action) = &branch.body[1] else {
        panic!("{:?}", branch.body)
    };
    assert_eq!((action.tag.pos.line, action.tag.pos.column), (3, 6));
    let Expr::Field(field) = &action.pipe.commands[0].args[0] else {
        panic!()
    };
    assert_eq!(field.names, ["Values", "x"]);
    assert_eq!((field.pos.line, field.pos.column), (3, 9));
    let Expr::Identifier(quote) = &action.pipe.commands[1].args[0] else {
        panic!()
    };
    assert_eq!((quote.name.as_str(), quote.pos.column), ("quote", 21));
    // Text emptied by trim markers stays in the tree (with its layout), as empty text.
    let t = parse("t", "{{ 1 -}}\n  \n{{- 2 }}").unwrap();
    let Node::Text(between) = &t.nodes[1] else {
        panic!()
    };
    assert_eq!(
        (between.raw.as_str(), between.text.as_str()),
        ("\n  \n", "")
    );
}

#[test]
fn literals_keep_their_text_and_value() {
    let t = parse(
        "t",
        r#"{{ print "a\tb" `c\n` 'x' 0x1F 1_000 1.5e3 nil true }}"#,
    )
    .unwrap();
    let Node::Action(a) = &t.nodes[0] else {
        panic!()
    };
    let args = &a.pipe.commands[0].args;
    let Expr::String(s) = &args[1] else { panic!() };
    assert_eq!((s.quoted.as_str(), s.value.as_str()), (r#""a\tb""#, "a\tb"));
    let Expr::String(s) = &args[2] else { panic!() };
    assert_eq!(s.value, "c\\n");
    let ints: Vec<Option<i64>> = args[3..6]
        .iter()
        .map(|a| match a {
            Expr::Number(n) => n.int,
            _ => None,
        })
        .collect();
    assert_eq!(ints, [Some(120), Some(31), Some(1000)]);
    let Expr::Number(n) = &args[6] else { panic!() };
    assert_eq!(n.ideal(), IdealNumber::Float(1500.0));
    assert!(matches!(args[7], Expr::Nil(_)));
    assert!(matches!(args[8], Expr::Bool(BoolLit { value: true, .. })));
    assert!(
        parse("t", r#"{{ "\q" }}"#)
            .unwrap_err()
            .message()
            .contains("invalid syntax")
    );
}

#[test]
fn printing_keeps_text_and_trim_markers() {
    let input = "a:\n  {{- if .x }}\n  b: {{ .x | quote }}\n  {{- else if .y -}}\n  c\n  {{- end }}\n{{/* note */}}\n{{- define \"d\" -}}\n{{ $x := 1 }}{{ range $i, $v := .l }}{{ $x = $i }}{{ end }}\n{{- end }}\n";
    let t = parse("t", input).unwrap();
    assert_eq!(to_source(&t), input);
    // Any spacing inside tags is normalised; the text is not touched.
    let t = parse("t", "{{if   .x}}a {{  .y|quote  }}{{end}}").unwrap();
    assert_eq!(to_source(&t), "{{ if .x }}a {{ .y | quote }}{{ end }}");
    assert_round_trip("x{{ .a }}}");
    assert_round_trip("{ {{- .a -}} }");
    assert_round_trip("{{ (.a).b }}{{ (list 1 2).x.y }}{{ printf.x }}");
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let deep = "{{ if . }}".repeat(500);
    let e = parse("t", &deep).unwrap_err();
    assert!(e.message().contains("nested more than"), "{e}");
    let parens = format!("{{{{ {}1{} }}}}", "(".repeat(500), ")".repeat(500));
    assert!(
        parse("t", &parens)
            .unwrap_err()
            .message()
            .contains("nested more than")
    );
    // The limit itself parses, on a test thread's stack.
    let ok = format!(
        "{}{}",
        "{{ if . }}".repeat(crate::convert::parse::MAX_NESTING),
        "{{ end }}".repeat(crate::convert::parse::MAX_NESTING)
    );
    assert!(parse("t", &ok).is_ok());
}
