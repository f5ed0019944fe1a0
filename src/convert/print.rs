//! A tree printed back as Go template text.
//!
//! [`to_source`] writes a template that Go (and [`super::parse`]) reads back to the same tree:
//! text exactly as written, tags with their trim markers, and the inside of every tag in one
//! normal spacing (`{{ if .a }}`). [`canonical`] writes the compact form the tests compare:
//! the text Go prints, quoted, and tags without padding (`"x"{{if .a}}"y"{{end}}`), as Go's own
//! parse tests show trees.

use super::ast::*;

/// Go template text that parses back to `template`'s tree.
pub fn to_source(template: &Template) -> String {
    let mut p = Printer {
        out: String::new(),
        canonical: false,
    };
    p.nodes(&template.nodes);
    p.out
}

/// The compact form of the tree: quoted text, tags without padding, trim markers kept.
pub fn canonical(template: &Template) -> String {
    canonical_nodes(&template.nodes)
}

pub fn canonical_nodes(nodes: &[Node]) -> String {
    let mut p = Printer {
        out: String::new(),
        canonical: true,
    };
    p.nodes(nodes);
    p.out
}

/// A pipeline as written inside a tag: `$x := .a | default "b"`.
pub fn pipeline_text(pipe: &Pipeline) -> String {
    let mut p = Printer {
        out: String::new(),
        canonical: true,
    };
    p.pipeline(pipe);
    p.out
}

/// An expression as written: `.Values.a`, `(include "x" .)`, `"s"`.
pub fn expr_text(expr: &Expr) -> String {
    let mut p = Printer {
        out: String::new(),
        canonical: true,
    };
    p.expr(expr);
    p.out
}

struct Printer {
    out: String,
    canonical: bool,
}

impl Printer {
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn open(&mut self, tag: &Tag) {
        self.out.push_str("{{");
        if tag.trim_left {
            self.out.push_str("- ");
        } else if !self.canonical {
            self.out.push(' ');
        }
    }

    fn close(&mut self, tag: &Tag) {
        if tag.trim_right {
            self.out.push_str(" -");
        } else if !self.canonical {
            self.out.push(' ');
        }
        self.out.push_str("}}");
    }

    fn keyword_tag(&mut self, tag: &Tag, keyword: &str) {
        self.open(tag);
        self.out.push_str(keyword);
        self.close(tag);
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Text(t) => {
                if !self.canonical {
                    self.out.push_str(&t.raw);
                } else if !t.text.is_empty() {
                    self.out.push_str(&format!("{:?}", t.text));
                }
            }
            Node::Comment(c) => {
                // No padding: `{{ /*` would not be a comment.
                self.out.push_str("{{");
                if c.tag.trim_left {
                    self.out.push_str("- ");
                }
                self.out.push_str(&c.text);
                if c.tag.trim_right {
                    self.out.push_str(" -");
                }
                self.out.push_str("}}");
            }
            Node::Action(a) => {
                self.open(&a.tag);
                self.pipeline(&a.pipe);
                self.close(&a.tag);
            }
            Node::If(b) => self.branch("if", b),
            Node::Range(b) => self.branch("range", b),
            Node::With(b) => self.branch("with", b),
            Node::Template(t) => {
                self.open(&t.tag);
                self.out.push_str("template ");
                self.out.push_str(&t.name.quoted);
                if let Some(pipe) = &t.pipe {
                    self.out.push(' ');
                    self.pipeline(pipe);
                }
                self.close(&t.tag);
            }
            Node::Block(b) => {
                self.open(&b.tag);
                self.out.push_str("block ");
                self.out.push_str(&b.name.quoted);
                self.out.push(' ');
                self.pipeline(&b.pipe);
                self.close(&b.tag);
                self.nodes(&b.body);
                self.keyword_tag(&b.end, "end");
            }
            Node::Define(d) => {
                self.keyword_tag(&d.tag, &format!("define {}", d.name.quoted));
                self.nodes(&d.body);
                self.keyword_tag(&d.end, "end");
            }
            Node::Break(tag) => self.keyword_tag(tag, "break"),
            Node::Continue(tag) => self.keyword_tag(tag, "continue"),
        }
    }

    fn branch(&mut self, keyword: &str, branch: &Branch) {
        self.branch_head(keyword, false, branch);
        self.keyword_tag(&branch.end, "end");
    }

    /// Everything but the `{{end}}`, which a chained branch (`else if`) shares with the first.
    fn branch_head(&mut self, keyword: &str, chained: bool, branch: &Branch) {
        self.open(&branch.tag);
        if chained {
            self.out.push_str("else ");
        }
        self.out.push_str(keyword);
        self.out.push(' ');
        self.pipeline(&branch.pipe);
        self.close(&branch.tag);
        self.nodes(&branch.body);
        match &branch.otherwise {
            None => {}
            Some(Otherwise::Else { tag, body }) => {
                self.keyword_tag(tag, "else");
                self.nodes(body);
            }
            Some(Otherwise::Chain(chained)) => {
                self.branch_head(keyword, true, chained);
            }
        }
    }

    fn pipeline(&mut self, pipe: &Pipeline) {
        if !pipe.decl.is_empty() {
            for (i, v) in pipe.decl.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.variable(v);
            }
            self.out
                .push_str(if pipe.is_assign { " = " } else { " := " });
        }
        for (i, command) in pipe.commands.iter().enumerate() {
            if i > 0 {
                self.out.push_str(" | ");
            }
            for (j, arg) in command.args.iter().enumerate() {
                if j > 0 {
                    self.out.push(' ');
                }
                self.expr(arg);
            }
        }
    }

    fn variable(&mut self, v: &Variable) {
        self.out.push_str(&v.name);
        for f in &v.fields {
            self.out.push('.');
            self.out.push_str(f);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Dot(_) => self.out.push('.'),
            Expr::Field(f) => {
                for name in &f.names {
                    self.out.push('.');
                    self.out.push_str(name);
                }
            }
            Expr::Variable(v) => self.variable(v),
            Expr::Chain(c) => {
                self.expr(&c.base);
                for f in &c.fields {
                    self.out.push('.');
                    self.out.push_str(f);
                }
            }
            Expr::Identifier(i) => self.out.push_str(&i.name),
            Expr::Pipeline(p) => {
                self.out.push('(');
                self.pipeline(p);
                self.out.push(')');
            }
            Expr::String(s) => self.out.push_str(&s.quoted),
            Expr::Number(n) => self.out.push_str(&n.text),
            Expr::Bool(b) => self.out.push_str(if b.value { "true" } else { "false" }),
            Expr::Nil(_) => self.out.push_str("nil"),
        }
    }
}
