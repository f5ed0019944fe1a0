//! Tests of the Go template reader: Go's own parse test cases, real charts (compared with the
//! trees Go's parser builds), and generated templates.

mod corpus;
mod go_view;
mod helm_cases;
mod parser;
mod props;
mod scope;

use crate::convert::ast::*;
use crate::convert::parse;
use crate::convert::print::{canonical, to_source};

/// Parses, prints as Go text, parses again: both trees must be the same.
pub(crate) fn assert_round_trip(input: &str) {
    let first = parse("test.tpl", input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    let printed = to_source(&first);
    let second = parse("printed.tpl", &printed)
        .unwrap_or_else(|e| panic!("{input:?} printed as {printed:?} does not parse: {e}"));
    assert_eq!(
        canonical(&first),
        canonical(&second),
        "{input:?} printed as {printed:?}"
    );
    for (a, b) in texts(&first.nodes).iter().zip(texts(&second.nodes).iter()) {
        assert_eq!(a, b, "raw text of {input:?}");
    }
}

pub(crate) fn texts(nodes: &[Node]) -> Vec<String> {
    let mut out = Vec::new();
    walk(nodes, &mut |n| {
        if let Node::Text(t) = n {
            out.push(t.raw.clone());
        }
    });
    out
}

pub(crate) fn walk(nodes: &[Node], f: &mut impl FnMut(&Node)) {
    for node in nodes {
        f(node);
        match node {
            Node::If(b) | Node::Range(b) | Node::With(b) => walk_branch(b, f),
            Node::Block(b) => walk(&b.body, f),
            Node::Define(d) => walk(&d.body, f),
            _ => {}
        }
    }
}

fn walk_branch(b: &Branch, f: &mut impl FnMut(&Node)) {
    walk(&b.body, f);
    match &b.otherwise {
        Some(Otherwise::Else { body, .. }) => walk(body, f),
        Some(Otherwise::Chain(c)) => walk_branch(c, f),
        None => {}
    }
}
