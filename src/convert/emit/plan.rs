//! Which of Go's variables need Tera's `set_global`.
//!
//! Tera's `set` inside a `for` body stores a variable local to one iteration, so a Go variable
//! declared outside a `range` and changed inside it (`$sum = add $sum .`, `set $d "k" .`,
//! `merge $d ...`) would lose the change at the end of each iteration. Such a variable is written
//! with `{% set_global %}` wherever it is declared or changed; its name is never used by another
//! variable of the same template or component (see `names::Taken`).

use std::collections::HashSet;

use super::super::ast::*;

/// The declarations (by the position of their `$name`) that must be global.
pub fn globals(nodes: &[Node]) -> HashSet<Pos> {
    let mut planner = Planner::default();
    planner.scopes.push(Vec::new());
    planner.nodes(nodes);
    planner.globals
}

#[derive(Default)]
struct Planner {
    /// Visible declarations: name, position, range depth where declared.
    scopes: Vec<Vec<(String, Pos, usize)>>,
    depth: usize,
    globals: HashSet<Pos>,
}

/// Functions that change their first argument in place.
pub const MUTATORS: &[&str] = &[
    "set",
    "unset",
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
];

impl Planner {
    fn lookup(&self, name: &str) -> Option<(Pos, usize)> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _, _)| n == name)
            .map(|&(_, p, d)| (p, d))
    }

    fn changed(&mut self, name: &str) {
        if let Some((pos, depth)) = self.lookup(name)
            && depth < self.depth
        {
            self.globals.insert(pos);
        }
    }

    fn declare(&mut self, v: &Variable) {
        let depth = self.depth;
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((v.name.clone(), v.pos, depth));
        }
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Action(a) => self.pipeline(&a.pipe, false),
                Node::If(b) | Node::With(b) => self.branch(b),
                Node::Range(b) => {
                    self.scopes.push(Vec::new());
                    self.depth += 1;
                    self.pipeline(&b.pipe, true);
                    self.scopes.push(Vec::new());
                    self.nodes(&b.body);
                    self.scopes.pop();
                    self.depth -= 1;
                    if let Some(Otherwise::Else { body, .. }) = &b.otherwise {
                        self.scopes.push(Vec::new());
                        self.nodes(body);
                        self.scopes.pop();
                    }
                    self.scopes.pop();
                }
                Node::Template(t) => {
                    if let Some(p) = &t.pipe {
                        self.pipeline(p, false);
                    }
                }
                Node::Block(b) => self.pipeline(&b.pipe, false),
                _ => {}
            }
        }
    }

    fn branch(&mut self, b: &Branch) {
        self.scopes.push(Vec::new());
        self.pipeline(&b.pipe, false);
        self.scopes.push(Vec::new());
        self.nodes(&b.body);
        self.scopes.pop();
        match &b.otherwise {
            Some(Otherwise::Else { body, .. }) => {
                self.scopes.push(Vec::new());
                self.nodes(body);
                self.scopes.pop();
            }
            Some(Otherwise::Chain(c)) => self.branch(c),
            None => {}
        }
        self.scopes.pop();
    }

    fn pipeline(&mut self, pipe: &Pipeline, in_range_header: bool) {
        for command in &pipe.commands {
            self.command(command);
        }
        // Range variables live in the loop (the caller counted its depth), others here.
        let _ = in_range_header;
        for v in &pipe.decl {
            if pipe.is_assign {
                self.changed(&v.name);
            } else {
                self.declare(v);
            }
        }
    }

    fn command(&mut self, command: &Command) {
        if let Some(Expr::Identifier(f)) = command.args.first()
            && MUTATORS.contains(&f.name.as_str())
            && let Some(Expr::Variable(v)) = command.args.get(1)
            && v.name != "$"
        {
            let name = v.name.clone();
            self.changed(&name);
        }
        for arg in &command.args {
            if let Expr::Pipeline(p) = arg {
                self.pipeline(p, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::parse;

    fn global_names(src: &str) -> Vec<(usize, usize)> {
        let t = parse("t", src).expect("parses");
        let mut out: Vec<_> = globals(&t.nodes)
            .into_iter()
            .map(|p| (p.line, p.column))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn changed_inside_a_range_it_is_not_declared_in() {
        assert_eq!(
            global_names("{{ $s := 0 }}{{ range .l }}{{ $s = add $s . }}{{ end }}"),
            vec![(1, 4)]
        );
        assert_eq!(
            global_names("{{ $d := dict }}{{ range .l }}{{ $_ := set $d . 1 }}{{ end }}"),
            vec![(1, 4)]
        );
        assert!(global_names("{{ range .l }}{{ $s := 0 }}{{ $s = 1 }}{{ end }}").is_empty());
        assert!(global_names("{{ $s := 0 }}{{ if .a }}{{ $s = 1 }}{{ end }}").is_empty());
    }
}
