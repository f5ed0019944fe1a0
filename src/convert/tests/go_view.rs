//! A tree as Go's own parser would build it, printed exactly as
//! `scripts/convert-go-parse/main.go` prints Go's trees: `define`s and `block` bodies as
//! separate templates, `else if` as an `if` inside `else`, no comments, no text that trim
//! markers emptied, strings and numbers with the values Go computes.

use std::collections::BTreeMap;

use crate::convert::ast::*;
use crate::convert::parse::is_empty;

/// The Go program's output for one file that parses.
pub fn go_view(template: &Template) -> String {
    let mut defined: Vec<(String, &[Node])> = Vec::new();
    collect_definitions(&template.nodes, &mut defined);
    // Go keeps the first non-empty definition of a name (a later empty one does not replace
    // it; the parser has already refused two non-empty ones).
    let mut trees: BTreeMap<String, &[Node]> = BTreeMap::new();
    for (name, body) in defined {
        match trees.get(&name) {
            Some(existing) if !is_empty(existing) => {}
            _ => {
                trees.insert(name, body);
            }
        }
    }
    let mut out = String::from("-- root\n");
    list(&mut out, &template.nodes);
    out.push('\n');
    for (name, body) in trees {
        out.push_str(&format!("-- define {}\n", quote_to_ascii(&name)));
        list(&mut out, body);
        out.push('\n');
    }
    out
}

fn collect_definitions<'a>(nodes: &'a [Node], out: &mut Vec<(String, &'a [Node])>) {
    for node in nodes {
        match node {
            Node::Define(d) => {
                out.push((d.name.value.clone(), &d.body));
                collect_definitions(&d.body, out);
            }
            Node::Block(b) => {
                out.push((b.name.value.clone(), &b.body));
                collect_definitions(&b.body, out);
            }
            Node::If(b) | Node::Range(b) | Node::With(b) => collect_in_branch(b, out),
            _ => {}
        }
    }
}

fn collect_in_branch<'a>(b: &'a Branch, out: &mut Vec<(String, &'a [Node])>) {
    collect_definitions(&b.body, out);
    match &b.otherwise {
        Some(Otherwise::Else { body, .. }) => collect_definitions(body, out),
        Some(Otherwise::Chain(c)) => collect_in_branch(c, out),
        None => {}
    }
}

fn list(out: &mut String, nodes: &[Node]) {
    for node in nodes {
        match node {
            Node::Text(t) if !t.text.is_empty() => out.push_str(&quote_to_ascii(&t.text)),
            Node::Text(_) | Node::Comment(_) | Node::Define(_) => {}
            Node::Action(a) => {
                out.push_str("{{");
                pipe(out, &a.pipe);
                out.push_str("}}");
            }
            Node::If(b) => branch(out, "if", b),
            Node::Range(b) => branch(out, "range", b),
            Node::With(b) => branch(out, "with", b),
            Node::Template(t) => {
                out.push_str("{{template ");
                out.push_str(&quote_to_ascii(&t.name.value));
                if let Some(p) = &t.pipe {
                    out.push(' ');
                    pipe(out, p);
                }
                out.push_str("}}");
            }
            Node::Block(b) => {
                out.push_str("{{template ");
                out.push_str(&quote_to_ascii(&b.name.value));
                out.push(' ');
                pipe(out, &b.pipe);
                out.push_str("}}");
            }
            Node::Break(_) => out.push_str("{{break}}"),
            Node::Continue(_) => out.push_str("{{continue}}"),
        }
    }
}

fn branch(out: &mut String, keyword: &str, b: &Branch) {
    out.push_str("{{");
    out.push_str(keyword);
    out.push(' ');
    pipe(out, &b.pipe);
    out.push_str("}}");
    list(out, &b.body);
    match &b.otherwise {
        None => {}
        Some(Otherwise::Else { body, .. }) => {
            out.push_str("{{else}}");
            list(out, body);
        }
        Some(Otherwise::Chain(chained)) => {
            out.push_str("{{else}}");
            branch(out, keyword, chained);
        }
    }
    out.push_str("{{end}}");
}

fn pipe(out: &mut String, p: &Pipeline) {
    for (i, v) in p.decl.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&v.name);
    }
    if !p.decl.is_empty() {
        out.push_str(if p.is_assign { " = " } else { " := " });
    }
    for (i, c) in p.commands.iter().enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        for (j, a) in c.args.iter().enumerate() {
            if j > 0 {
                out.push(' ');
            }
            arg(out, a);
        }
    }
}

fn arg(out: &mut String, e: &Expr) {
    match e {
        Expr::Dot(_) => out.push('.'),
        Expr::Nil(_) => out.push_str("nil"),
        Expr::Bool(b) => out.push_str(if b.value { "true" } else { "false" }),
        Expr::Field(f) => {
            for n in &f.names {
                out.push('.');
                out.push_str(n);
            }
        }
        Expr::Variable(v) => {
            out.push_str(&v.name);
            for f in &v.fields {
                out.push('.');
                out.push_str(f);
            }
        }
        Expr::Identifier(i) => out.push_str(&i.name),
        Expr::Chain(c) => {
            arg(out, &c.base);
            for f in &c.fields {
                out.push('.');
                out.push_str(f);
            }
        }
        Expr::Pipeline(p) => {
            out.push('(');
            pipe(out, p);
            out.push(')');
        }
        Expr::String(s) => {
            out.push_str(&s.quoted);
            out.push('=');
            out.push_str(&quote_to_ascii(&s.value));
        }
        Expr::Number(n) => {
            out.push_str(&n.text);
            out.push('[');
            if let Some(i) = n.int {
                out.push_str(&format!("i{i}"));
            }
            if let Some(u) = n.uint {
                out.push_str(&format!("u{u}"));
            }
            if let Some(f) = n.float {
                out.push_str(&format!("f{:x}", f.to_bits()));
            }
            if let Some((re, im)) = n.complex {
                out.push_str(&format!("c{:x},{:x}", re.to_bits(), im.to_bits()));
            }
            out.push(']');
        }
    }
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_to_ascii(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        let code = c as u32;
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            _ if code < 0x20 || code == 0x7f => out.push_str(&format!("\\x{code:02x}")),
            _ if code < 0x10000 => out.push_str(&format!("\\u{code:04x}")),
            _ => out.push_str(&format!("\\U{code:08x}")),
        }
    }
    out.push('"');
    out
}

#[test]
fn quoting_is_gos() {
    assert_eq!(
        quote_to_ascii("a\"\\\n\u{1b}é😀\u{7f}"),
        r#""a\"\\\n\x1b\u00e9\U0001f600\x7f""#
    );
}
