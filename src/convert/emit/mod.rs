//! The emitter: a Go template's tree to Tera text a person can read and maintain, that renders
//! what Helm renders (docs/convert.md, sections 3 to 16).
//!
//! - [`names`]: variable, loop variable and component names;
//! - [`expr`]: Tera expressions with their binding strength and what they are known to hold;
//! - [`plan`]: which variables need `set_global`;
//! - [`signature`]: the component each `define` becomes, from what its callers pass;
//! - [`setters`]: defines that only set keys on their caller's top-level object;
//! - [`supply`]: the value a define's random value stands in for, found at its callers;
//! - [`calls`]: Go's, Sprig's and Helm's functions as ktera's filters and functions;
//! - [`yaml_position`]: whether an action prints YAML structure or text.
//!
//! Everything the emitter cannot write exactly is a [`Finding`], located in the Go file.

mod calls;
pub mod expr;
mod finding;
pub mod names;
pub(super) mod plan;
pub mod setters;
pub mod signature;
pub mod supply;
mod yaml_position;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::ast::*;
use super::scope::{Analysis, CallKind};
use expr::{Kind, T};
pub use finding::{Finding, Location, Severity};
use names::Taken;
pub use signature::{Component, Signature};

/// Finds a component by a define's Go name.
pub type FindComponent<'f> = dyn Fn(&str) -> Option<Component> + Sync + 'f;

/// What the emitter knows about the whole chart (a chart and its subcharts together, as Helm
/// shares `define`s among them).
pub struct Model<'a> {
    pub analysis: &'a Analysis,
    /// A component for every define, by the define's Go name.
    pub components: BTreeMap<String, Component>,
    /// Each chart's `values.yaml`, by the chart's Helm path (`podinfo`,
    /// `app/charts/redis`): a value whose default is a plain scalar is printed as it is.
    pub values: HashMap<String, serde_yaml::Value>,
    /// For each template file (Helm's name), its name in the converted chart, relative to the
    /// chart's `templates/` (`_helpers.tpl` -> `_helpers.tera`).
    pub converted_names: HashMap<String, String>,
    /// The template being converted is a `tpl` string at render time: its `.` is whatever
    /// `tpl` was given, and nothing is known about values.
    pub tpl: bool,
    /// Components not defined in the converted text (a `tpl` string calling the chart's).
    pub external: Option<&'a FindComponent<'a>>,
    /// Where each `include`/`template` call resolved to, by location.
    calls: HashMap<(String, usize, usize), Option<String>>,
    /// Template files another template includes by name (the checksum idiom: their text is
    /// hashed, so it must be Helm's byte for byte).
    hashed: HashSet<String>,
    /// Defines that only set keys on the top-level object their caller passes, with the keys
    /// ([`setters::find`]).
    pub setters: BTreeMap<String, Vec<String>>,
    /// Defines called only where a value was found empty, with that value's path
    /// ([`supply::find`]): what their random values ask for.
    pub supply_hints: BTreeMap<String, String>,
    /// Setter defines each template (by Helm name) calls first, as it reads keys an earlier
    /// template set with them in Helm ([`crate::convert::render_order::inherited_setters`]).
    pub inherited: HashMap<String, Vec<crate::convert::render_order::Inherited>>,
    /// Templates converted to their chart's values stages, by Helm name, with the stage's
    /// name (`_values.tera`; [`crate::convert::values_stage`]).
    pub values_stages: HashMap<String, String>,
}

impl<'a> Model<'a> {
    pub fn new(analysis: &'a Analysis) -> Model<'a> {
        let calls = analysis
            .calls
            .iter()
            .filter(|c| c.kind != CallKind::Tpl)
            .map(|c| {
                (
                    (c.location.file.clone(), c.location.line, c.location.column),
                    c.name.clone(),
                )
            })
            .collect();
        let hashed = analysis
            .calls
            .iter()
            .filter_map(|c| c.name.clone())
            .filter(|n| analysis.files.contains(n))
            .collect();
        Model {
            analysis,
            hashed,
            components: signature::components(analysis),
            values: HashMap::new(),
            converted_names: HashMap::new(),
            tpl: false,
            external: None,
            calls,
            setters: BTreeMap::new(),
            supply_hints: BTreeMap::new(),
            values_stages: HashMap::new(),
            inherited: HashMap::new(),
        }
    }

    /// The component a define became, by the define's Go name.
    pub fn component(&self, go_name: &str) -> Option<Component> {
        match self.components.get(go_name) {
            Some(c) => Some(c.clone()),
            None => self.external.and_then(|find| find(go_name)),
        }
    }

    /// Whether a template includes the file `helm_name` by its name.
    pub fn included_by_name(&self, helm_name: &str) -> bool {
        self.hashed.contains(helm_name)
    }
}

/// One converted file.
#[derive(Debug, Clone)]
pub struct Emitted {
    pub text: String,
    pub findings: Vec<Finding>,
}

/// Converts one template file (`name` is Helm's name, `podinfo/templates/deployment.yaml`;
/// `source` its text, for the YAML context of each action).
pub fn emit_file(model: &Model, name: &str, source: &str, template: &Template) -> Emitted {
    let chart = match name.find("/templates/") {
        Some(i) => name[..i].to_string(),
        None => String::new(),
    };
    let mut emitter = Emitter {
        model,
        file: name.to_string(),
        chart,
        source,
        out: String::new(),
        findings: Vec::new(),
        scope: Scope::template(&template.nodes, model.tpl),
        hoisted: Vec::new(),
        last_trim_right: false,
        yaml_structure: false,
        supply_hint: None,
        tested_value: None,
        value_keys: HashMap::new(),
        uses: BTreeSet::new(),
    };
    for inherited in model.inherited.get(name).into_iter().flatten() {
        emitter.inherit(inherited);
    }
    emitter.nodes(&template.nodes, false);
    for hoisted in std::mem::take(&mut emitter.hoisted) {
        emitter.out.push_str(&hoisted);
    }
    if model.values_stages.contains_key(name) {
        if !emitter.out.ends_with('\n') {
            emitter.out.push('\n');
        }
        emitter.out.push_str(
            "{#- The values stage: ktera renders it before the chart's other templates, which read the values it prints. #}\n{{ Values | to_yaml }}\n",
        );
    }
    emitter.findings.sort_by(|a, b| a.location.cmp(&b.location));
    emitter.findings.dedup();
    Emitted {
        text: emitter.out,
        findings: emitter.findings,
    }
}

/// What `.` (or `$`) is.
#[derive(Debug, Clone)]
enum Dot {
    /// The template's top-level object: its fields are the context's names (`Values`, ...).
    Root,
    /// A component of [`Signature::Dict`]: each key is an argument.
    Names(Vec<String>),
    /// Any other value.
    Value(T),
}

#[derive(Debug, Clone)]
struct Var {
    tera: String,
    kind: Kind,
    nullable: bool,
    sure_list: bool,
    global: bool,
    /// It holds a value that changes on every render (`$ca := genCA ...`): the `supply(...)`
    /// call that stands for it is written where it is used, so that a chart that never uses
    /// it renders.
    deferred: Option<String>,
    /// It holds `.Files` (`$files := .Files`): its methods are the file functions.
    files: bool,
    /// It holds a version `semver` or an `Inc...` method gave.
    version: Option<expr::Version>,
    /// It is a `range` variable: it holds an element, field reads of it are written plainly.
    element: bool,
    /// The variable whose map it was given by a change (`$b := set $a "k" v`: in Go both hold
    /// one map, so a later change through `b` is seen through `a`).
    alias_of: Option<String>,
}

/// The names of one template body or component body.
struct Scope {
    dot: Dot,
    dollar: Dot,
    /// Go's variables, innermost last.
    vars: Vec<Vec<(String, Var)>>,
    taken: Taken,
    globals: HashSet<Pos>,
    /// How many Tera `for` loops the current node is in.
    loops: usize,
    /// The define being written.
    component: Option<String>,
    /// Statements to write before the tag being converted (a `set` that a mutation needs).
    pending: Vec<String>,
    /// Keys this body set on the top-level object (`$_ := set . "k" v`): readable afterwards.
    root_keys: HashSet<String>,
}

impl Scope {
    fn template(nodes: &[Node], _tpl: bool) -> Scope {
        let mut taken = Taken::new();
        for object in names::OBJECTS {
            taken.take(object);
        }
        Scope {
            dot: Dot::Root,
            dollar: Dot::Root,
            vars: vec![Vec::new()],
            taken,
            globals: plan::globals(nodes),
            loops: 0,
            component: None,
            pending: Vec::new(),
            root_keys: HashSet::new(),
        }
    }
}

/// The delimiters of a Tera tag.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delim {
    Statement,
    Print,
}

struct Emitter<'m> {
    model: &'m Model<'m>,
    /// Helm's name of the file.
    file: String,
    /// Helm's path of the chart the file belongs to (`podinfo`, `app/charts/redis`).
    chart: String,
    source: &'m str,
    out: String,
    findings: Vec<Finding>,
    scope: Scope,
    /// Components of `block`s, written at the end of the file (Tera defines components only at
    /// the top level).
    hoisted: Vec<String>,
    /// The last converted Go tag trims the whitespace after it.
    last_trim_right: bool,
    /// The action being converted prints where YAML structure goes (not in a block scalar, a
    /// quoted string, a hashed file or a component) and only lays out `toYaml`'s output: key
    /// order makes no difference to the objects there.
    yaml_structure: bool,
    /// The value a `supply(...)` stands for, when the surrounding call tells.
    supply_hint: Option<String>,
    /// What to supply where the enclosing `if` chain's value is missing, as a Tera expression:
    /// the values.yaml path it tests, or the variable naming one.
    tested_value: Option<String>,
    /// Variables holding the value a `dict` argument's `"key"` names (bitnami's
    /// `$providedPasswordValue := include "common.utils.getValueFromKey" (dict "key" $k ...)`):
    /// the Tera expression of that key, by the variable's Go name.
    value_keys: HashMap<String, String>,
    /// The context objects the template or component being written uses (`Values`, `Root`):
    /// a component takes these implicitly.
    uses: BTreeSet<&'static str>,
}

impl<'m> Emitter<'m> {
    fn location(&self, pos: Pos) -> Location {
        Location {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
        }
    }

    fn report(&mut self, pos: Pos, severity: Severity, message: impl Into<String>) {
        let location = self.location(pos);
        self.findings.push(Finding {
            location,
            severity,
            message: message.into(),
        });
    }

    // ---- tags and text ----

    fn tag(&mut self, delim: Delim, body: &str, trim_left: bool, trim_right: bool) {
        let (open, close) = match delim {
            Delim::Statement => ("{%", "%}"),
            Delim::Print => ("{{", "}}"),
        };
        self.out.push_str(open);
        self.out.push_str(if trim_left { "- " } else { " " });
        self.out.push_str(body);
        self.out.push_str(if trim_right { " -" } else { " " });
        self.out.push_str(close);
    }

    /// The pending statements, then `main`: the first tag gets the left trim marker, the last
    /// the right one.
    fn tags(&mut self, main: Vec<(Delim, String)>, trim_left: bool, trim_right: bool) {
        let mut all: Vec<(Delim, String)> = std::mem::take(&mut self.scope.pending)
            .into_iter()
            .map(|s| (Delim::Statement, s))
            .collect();
        all.extend(main);
        if all.is_empty() {
            // Nothing to do at run time; keep the tag's trimming with an empty comment.
            self.out.push_str(if trim_left { "{#-" } else { "{#" });
            self.out.push_str(if trim_right { "-#}" } else { "#}" });
            self.last_trim_right = trim_right;
            return;
        }
        let last = all.len() - 1;
        for (i, (delim, body)) in all.into_iter().enumerate() {
            self.tag(delim, &body, i == 0 && trim_left, i == last && trim_right);
        }
        self.last_trim_right = trim_right;
    }

    fn text(&mut self, t: &Text, trim_left: bool, trim_right: bool) {
        let go_ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
        let raw = t.raw.as_str();
        // What Go keeps; the rest is whitespace a trim marker removes in Go and in Tera.
        let (lead, rest) = if trim_left {
            let kept = raw.trim_start_matches(go_ws);
            raw.split_at(raw.len() - kept.len())
        } else {
            ("", raw)
        };
        let (core, tail) = if trim_right {
            let kept = rest.trim_end_matches(go_ws);
            rest.split_at(kept.len())
        } else {
            (rest, "")
        };
        self.out.push_str(lead);
        // Tera trims any Unicode whitespace, Go only these four: whitespace Go keeps next to a
        // trimming tag is printed by an expression, which Tera does not trim.
        let (mut head, mut body, mut foot) = ("", core, "");
        if trim_left {
            let kept = body.trim_start();
            head = &body[..body.len() - kept.len()];
            body = kept;
        }
        if trim_right {
            let kept = body.trim_end();
            foot = &body[kept.len()..];
            body = kept;
        }
        if !head.is_empty() {
            self.tag(Delim::Print, &expr::string_literal(head), false, false);
        }
        self.literal_text(body);
        if !foot.is_empty() {
            self.tag(Delim::Print, &expr::string_literal(foot), false, false);
        }
        self.out.push_str(tail);
    }

    /// Text that must not open Tera syntax: `{%` and `{#` are printed as strings, and a `{`
    /// right before a tag too (Tera would read `{{{`).
    fn literal_text(&mut self, text: &str) {
        let mut rest = text;
        while let Some(i) = rest.find(['{']) {
            let after = &rest[i + 1..];
            let marker = match after.chars().next() {
                Some('%') => Some("{%"),
                Some('#') => Some("{#"),
                None => Some("{"),
                _ => None,
            };
            match marker {
                Some(m) => {
                    self.out.push_str(&rest[..i]);
                    self.tag(Delim::Print, &expr::string_literal(m), false, false);
                    rest = &rest[i + m.len()..];
                }
                None => {
                    self.out.push_str(&rest[..=i]);
                    rest = after;
                }
            }
        }
        self.out.push_str(rest);
    }

    // ---- nodes ----

    /// `after_trim`: the tag that follows these nodes (an `else` or `end`) trims before it.
    fn nodes(&mut self, nodes: &[Node], after_trim: bool) {
        for (i, node) in nodes.iter().enumerate() {
            let next_trim = match nodes.get(i + 1) {
                Some(n) => trims_left(n),
                None => after_trim,
            };
            self.node(node, next_trim);
        }
    }

    fn node(&mut self, node: &Node, next_trim: bool) {
        match node {
            Node::Text(t) => {
                let left = self.last_trim_right;
                self.text(t, left, next_trim);
                self.last_trim_right = false;
            }
            Node::Comment(c) => self.comment(c),
            Node::Action(a) => self.action(a),
            Node::If(b) => self.if_chain(b),
            Node::With(b) => self.with(b),
            Node::Range(b) => self.range(b),
            Node::Template(t) if self.setter_keys(&t.name.value, t.pipe.as_ref()).is_some() => {
                self.setter_call(t)
            }
            Node::Template(t) => {
                let call = self.template_call(t.tag.pos, &t.name.value, t.pipe.as_ref());
                self.tags(
                    vec![(Delim::Print, call.arg())],
                    t.tag.trim_left,
                    t.tag.trim_right,
                );
            }
            Node::Block(b) => self.block(b),
            Node::Define(d) => self.define(d),
            Node::Break(tag) => {
                self.tags(
                    vec![(Delim::Statement, "break".into())],
                    tag.trim_left,
                    tag.trim_right,
                );
            }
            Node::Continue(tag) => {
                self.tags(
                    vec![(Delim::Statement, "continue".into())],
                    tag.trim_left,
                    tag.trim_right,
                );
            }
        }
    }

    fn comment(&mut self, c: &Comment) {
        let inner = c
            .text
            .strip_prefix("/*")
            .and_then(|t| t.strip_suffix("*/"))
            .unwrap_or(&c.text);
        let inner = inner.replace("#}", "# }");
        self.out
            .push_str(if c.tag.trim_left { "{#-" } else { "{#" });
        self.out.push_str(&inner);
        if inner.ends_with('-') {
            self.out.push(' ');
        }
        self.out
            .push_str(if c.tag.trim_right { "-#}" } else { "#}" });
        self.last_trim_right = c.tag.trim_right;
    }

    fn action(&mut self, a: &Action) {
        let pipe = &a.pipe;
        if let Some(call) = self.include_of_setter(a) {
            self.setter_call(&call);
            return;
        }
        if pipe.decl.is_empty() {
            let in_structure = !self.model.tpl
                && self.scope.component.is_none()
                && !self.model.hashed.contains(&self.file)
                && yaml_position::is_structure(self.source, a.tag.pos.offset);
            self.yaml_structure = in_structure && yaml_position::formats_only(pipe);
            let value = self.pipeline(pipe);
            self.yaml_structure = false;
            self.report_go_float(pipe, &value);
            let printed = self.printed(&value);
            self.tags(
                vec![(Delim::Print, printed)],
                a.tag.trim_left,
                a.tag.trim_right,
            );
            return;
        }
        let value = self.pipeline(pipe);
        let key = self.dict_key_argument(pipe);
        for v in &pipe.decl {
            match &key {
                Some(k) => self.value_keys.insert(v.name.clone(), k.clone()),
                None => self.value_keys.remove(&v.name),
            };
        }
        let mut statements = Vec::new();
        for v in &pipe.decl {
            if v.name == "$_" && !pipe.is_assign && self.unused_blank(v) {
                if !value.text.is_empty() && !self.is_rebound(&value) {
                    statements.push(format!("set _ = {}", value.arg()));
                }
                // Declared all the same: a later `$_ = ...` assigns it (falco, kong).
                if let Some(scope) = self.scope.vars.last_mut() {
                    scope.push((
                        v.name.clone(),
                        Var {
                            tera: "_".to_string(),
                            kind: Kind::Any,
                            nullable: true,
                            sure_list: false,
                            global: false,
                            deferred: None,
                            files: false,
                            version: None,
                            element: false,
                            alias_of: None,
                        },
                    ));
                }
                continue;
            }
            let statement = if pipe.is_assign {
                self.assign(v, &value)
            } else {
                self.declare(v, &value)
            };
            statements.push(statement);
        }
        let main: Vec<(Delim, String)> = statements
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| (Delim::Statement, s))
            .collect();
        if main.is_empty() && self.scope.pending.is_empty() {
            let names: Vec<&str> = pipe.decl.iter().map(|v| v.name.as_str()).collect();
            let why = if value.text == "Root.Files" {
                "its file functions are called where it is used"
            } else {
                "its value changes on every render: it is asked for where it is used"
            };
            self.comment_text(
                &format!(" {}: {why} ", names.join(", ")),
                a.tag.trim_left,
                a.tag.trim_right,
            );
            return;
        }
        self.tags(main, a.tag.trim_left, a.tag.trim_right);
    }

    /// A Tera comment in place of a Go tag, with its trim markers.
    fn comment_text(&mut self, text: &str, trim_left: bool, trim_right: bool) {
        self.out.push_str(if trim_left { "{#-" } else { "{#" });
        self.out.push_str(&text.replace("#}", "# }"));
        self.out.push_str(if trim_right { "-#}" } else { "#}" });
        self.last_trim_right = trim_right;
    }

    /// `$_` is never read afterwards (the idiom `$_ := set $d "k" v`).
    fn unused_blank(&self, v: &Variable) -> bool {
        let here = self.location(v.pos);
        !self
            .model
            .analysis
            .variables
            .iter()
            .any(|info| info.location == here && !info.uses.is_empty())
    }

    /// The value is the variable a mutation just rebound (nothing more to evaluate).
    fn is_rebound(&self, value: &T) -> bool {
        // The mutation's own statement, or one for a variable sharing its map.
        value.path
            && self.scope.pending.iter().any(|s| {
                s.split_whitespace().nth(1).is_some_and(|var| {
                    value.text == var || value.text.starts_with(&format!("{var}."))
                })
            })
    }

    /// `{{ .Values.n }}` (or `| quote`, `| toString`) of an integer whose default Helm prints in
    /// another form: Helm reads a values file's numbers as float64 and prints `1000000` as
    /// `1e+06`; ktera keeps integers and prints them as written. Reported, not imitated. (A
    /// float default prints as Go prints it: `values_kind`.)
    fn report_go_float(&mut self, pipe: &Pipeline, value: &T) {
        let [first, rest @ ..] = pipe.commands.as_slice() else {
            return;
        };
        let [Expr::Field(field)] = first.args.as_slice() else {
            return;
        };
        let keeps_text = rest.iter().all(|c| {
            matches!(c.args.as_slice(), [Expr::Identifier(f)] if matches!(f.name.as_str(), "quote" | "squote" | "toString"))
        });
        if !keeps_text
            || field.names.first().is_none_or(|n| n != "Values")
            || !value.text.starts_with("Values.")
        {
            return;
        }
        let path: Vec<&str> = field.names[1..].iter().map(String::as_str).collect();
        let Some(serde_yaml::Value::Number(n)) = self.values_default(&path) else {
            return;
        };
        let Some(f) = n.as_f64().filter(|_| !n.is_f64()) else {
            return;
        };
        let written = n.to_string();
        let go = crate::engine::go::format_float(f);
        if go != written {
            self.report(
                field.pos,
                Severity::Attention,
                format!(
                    "Helm prints this value ({written} by default) as {go}: it reads a values file's numbers as float64; ktera prints it as written (the converted chart's output differs here unless the text is read back as a number)"
                ),
            );
        }
    }

    /// How a value is printed: as it is where it is known to print as Go prints it, else
    /// through `or_empty` (nothing for a missing value or null) or `to_string` (Go's `%v`).
    fn printed(&self, value: &T) -> String {
        // Helm prints a semver value as its version (Go's `Stringer`).
        if value.kind == Kind::Map && value.text.starts_with("semver(") && value.prec == expr::ATOM
        {
            return value.field("String").arg();
        }
        match value.kind {
            Kind::Str | Kind::Int | Kind::Bool | Kind::Number if !value.nullable => value.arg(),
            Kind::Float | Kind::List | Kind::Map if !value.nullable => {
                format!("{} | to_string", value.at(expr::FILTER))
            }
            _ => format!("{} | or_empty", value.at(expr::FILTER)),
        }
    }

    // ---- variables ----

    fn lookup(&self, go_name: &str) -> Option<&Var> {
        self.scope
            .vars
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == go_name)
            .map(|(_, v)| v)
    }

    fn push_vars(&mut self) {
        self.scope.vars.push(Vec::new());
    }

    fn pop_vars(&mut self) {
        self.scope.vars.pop();
    }

    /// Binds a Go variable to a new Tera name; returns the name.
    fn bind(&mut self, v: &Variable, value: &T) -> Var {
        let global = self.scope.globals.contains(&v.pos);
        let tera = self.scope.taken.fresh(&names::variable_base(&v.name));
        let var = Var {
            tera,
            kind: value.kind,
            nullable: value.nullable,
            sure_list: value.sure_list,
            global,
            deferred: is_supply(value).then(|| value.text.clone()),
            files: value.text == "Root.Files",
            version: value.version,
            element: false,
            alias_of: (self.is_rebound(value) && names::is_identifier(&value.text))
                .then(|| value.text.clone()),
        };
        if let Some(scope) = self.scope.vars.last_mut() {
            scope.push((v.name.clone(), var.clone()));
        }
        var
    }

    /// The variable in scope whose map the variable named `tera` shares ([`Var::alias_of`]).
    fn alias_of(&self, tera: &str) -> Option<Var> {
        let vars = || self.scope.vars.iter().rev().flat_map(|s| s.iter().rev());
        let alias = vars().find(|(_, v)| v.tera == tera)?.1.alias_of.clone()?;
        vars()
            .find(|(_, v)| v.tera == alias)
            .map(|(_, v)| v.clone())
    }

    fn set_keyword(&self, global: bool) -> &'static str {
        if global && self.scope.loops > 0 {
            "set_global"
        } else {
            "set"
        }
    }

    /// `$x := value` (nothing for a value that is made where it is used).
    fn declare(&mut self, v: &Variable, value: &T) -> String {
        let var = self.bind(v, value);
        if var.deferred.is_some() || var.files {
            return String::new();
        }
        format!(
            "{} {} = {}",
            self.set_keyword(var.global),
            var.tera,
            value.arg()
        )
    }

    /// `$x = value`.
    fn assign(&mut self, v: &Variable, value: &T) -> String {
        let Some(var) = self.lookup(&v.name).cloned() else {
            self.report(
                v.pos,
                Severity::Error,
                format!(
                    "`{0}` is assigned but never declared here: Helm fails when this runs (\"undefined variable: {0}\"); declare it with `{0} := ...` first",
                    v.name
                ),
            );
            return format!(
                "set _ = throw(message={})",
                expr::string_literal(&format!("undefined variable: {}", v.name))
            );
        };
        let keyword = self.set_keyword(var.global);
        for scope in self.scope.vars.iter_mut().rev() {
            if let Some((_, slot)) = scope.iter_mut().rev().find(|(n, _)| *n == v.name) {
                if slot.kind != value.kind {
                    slot.kind = Kind::Any;
                }
                slot.nullable |= value.nullable;
                slot.sure_list &= value.sure_list;
                if slot.version != value.version {
                    slot.version = None;
                }
                break;
            }
        }
        format!("{keyword} {} = {}", var.tera, value.arg())
    }

    fn var_value(&self, var: &Var) -> T {
        let mut t = T::name(var.tera.clone(), var.kind, var.nullable);
        t.sure_list = var.sure_list;
        t.version = var.version;
        t
    }

    // ---- control structures ----

    /// The condition of an `if`, `with` or chained branch, with its declared variable if any;
    /// statements it needs go to `pending`.
    fn condition(&mut self, pipe: &Pipeline) -> (T, Option<Var>) {
        let value = self.pipeline(pipe);
        match pipe.decl.first() {
            Some(v) if !pipe.is_assign => {
                let statement = self.declare(v, &value);
                self.scope.pending.push(statement);
                let var = self.lookup(&v.name).cloned();
                let t = var.as_ref().map(|var| self.var_value(var)).unwrap_or(value);
                (t, var)
            }
            Some(v) => {
                let statement = self.assign(v, &value);
                self.scope.pending.push(statement);
                let t = self
                    .lookup(&v.name)
                    .cloned()
                    .map(|var| self.var_value(&var))
                    .unwrap_or(value);
                (t, None)
            }
            None => (value, None),
        }
    }

    fn if_chain(&mut self, b: &Branch) {
        self.push_vars();
        let (cond, _) = self.condition(&b.pipe);
        self.tags(
            vec![(Delim::Statement, format!("if {}", cond.arg()))],
            b.tag.trim_left,
            b.tag.trim_right,
        );
        // `if .Values.csrfKey ... else randBytes 256`: the value to supply is the one tested.
        let tested = self
            .tested_value(&b.pipe)
            .or_else(|| self.tested_value.clone());
        let saved = std::mem::replace(&mut self.tested_value, tested);
        let ends = self.branch_rest(b, None);
        self.tested_value = saved;
        self.end_tags(&b.end, "endif", ends);
        self.pop_vars();
    }

    /// The body and the `else` part of an `if`, or of a `with` when `outer` is the `.` to
    /// restore after the body; returns how many `endif`s close it (a chained branch that needs
    /// statements first nests one more `if`).
    fn branch_rest(&mut self, b: &Branch, outer: Option<Dot>) -> usize {
        let after = match &b.otherwise {
            Some(Otherwise::Else { tag, .. }) => tag.trim_left,
            Some(Otherwise::Chain(c)) => c.tag.trim_left,
            None => b.end.trim_left,
        };
        self.push_vars();
        // The tested value is set where the body runs: it is only the one to supply elsewhere.
        let tested = self.tested_value.take();
        self.nodes(&b.body, after);
        self.tested_value = tested;
        self.pop_vars();
        let is_with = outer.is_some();
        if let Some(outer) = outer {
            self.scope.dot = outer;
        }
        match &b.otherwise {
            None => 1,
            Some(Otherwise::Else { tag, body }) => {
                self.tags(
                    vec![(Delim::Statement, "else".into())],
                    tag.trim_left,
                    tag.trim_right,
                );
                self.push_vars();
                self.nodes(body, b.end.trim_left);
                self.pop_vars();
                1
            }
            Some(Otherwise::Chain(chained)) if is_with => self.with_chained(chained),
            Some(Otherwise::Chain(chained)) => self.if_chained(chained),
        }
    }

    /// The tags that open `{{ else if ... }}` / `{{ else with ... }}`: `{% elif %}`, or
    /// `{% else %}` and a nested `{% if %}` when the condition needs statements first; returns
    /// how many extra `endif`s that nesting needs.
    fn chained_tags(&mut self, b: &Branch, cond: &T) -> usize {
        if self.scope.pending.is_empty() {
            self.tags(
                vec![(Delim::Statement, format!("elif {}", cond.arg()))],
                b.tag.trim_left,
                b.tag.trim_right,
            );
            return 0;
        }
        let mut tags = vec![(Delim::Statement, "else".to_string())];
        tags.extend(
            std::mem::take(&mut self.scope.pending)
                .into_iter()
                .map(|s| (Delim::Statement, s)),
        );
        tags.push((Delim::Statement, format!("if {}", cond.arg())));
        self.tags(tags, b.tag.trim_left, b.tag.trim_right);
        1
    }

    fn if_chained(&mut self, b: &Branch) -> usize {
        self.push_vars();
        let (cond, _) = self.condition(&b.pipe);
        let ends = self.chained_tags(b, &cond) + self.branch_rest(b, None);
        self.pop_vars();
        ends
    }

    fn end_tags(&mut self, end: &Tag, keyword: &str, count: usize) {
        let tags = (0..count.max(1))
            .map(|_| (Delim::Statement, keyword.to_string()))
            .collect();
        self.tags(tags, end.trim_left, end.trim_right);
    }

    fn with(&mut self, b: &Branch) {
        self.push_vars();
        let value = self.with_value(b);
        self.tags(
            vec![(Delim::Statement, format!("if {}", value.arg()))],
            b.tag.trim_left,
            b.tag.trim_right,
        );
        let saved = std::mem::replace(&mut self.scope.dot, Dot::Value(value));
        let ends = self.branch_rest(b, Some(saved));
        self.end_tags(&b.end, "endif", ends);
        self.pop_vars();
    }

    fn with_chained(&mut self, b: &Branch) -> usize {
        self.push_vars();
        let value = self.with_value(b);
        let ends = self.chained_tags(b, &value);
        let saved = std::mem::replace(&mut self.scope.dot, Dot::Value(value));
        let rest = self.branch_rest(b, Some(saved));
        self.pop_vars();
        ends + rest
    }

    /// What `.` becomes in a `with` body: the expression itself when it is a plain path that
    /// the body does not change, else a variable set before the `if`.
    fn with_value(&mut self, b: &Branch) -> T {
        if !b.pipe.decl.is_empty() {
            let (value, _) = self.condition(&b.pipe);
            return value;
        }
        let value = self.pipeline(&b.pipe);
        if value.path && !changes_variables_of(&b.pipe, &b.body) {
            return value;
        }
        let base = with_variable_name(&b.pipe);
        let name = self.scope.taken.fresh(&names::variable_base(&base));
        let keyword = self.set_keyword(false);
        self.scope
            .pending
            .push(format!("{keyword} {name} = {}", value.arg()));
        let mut t = T::name(name, value.kind, value.nullable);
        t.sure_list = value.sure_list;
        t.version = value.version;
        t
    }

    fn range(&mut self, b: &Branch) {
        self.push_vars();
        let over = self.pipeline(&b.pipe);
        let decl = &b.pipe.decl;
        let (key, value) = match decl.len() {
            0 => (
                None,
                self.scope
                    .taken
                    .fresh(&names::singular(&range_field_name(&b.pipe))),
            ),
            1 => (None, self.bind(&decl[0], &T::atom("", Kind::Any)).tera),
            _ => {
                let k = self.bind(&decl[0], &T::atom("", Kind::Number).with_nullable(false));
                let v = self.bind(&decl[1], &T::atom("", Kind::Any));
                (Some(k.tera), v.tera)
            }
        };
        if let Some(scope) = self.scope.vars.last_mut() {
            for (name, var) in scope.iter_mut() {
                if decl.iter().any(|d| d.name == *name) {
                    var.element = true;
                }
            }
        }
        // A loop variable changed in a loop inside this one: Tera's inner loop could only set
        // a global, which the loop variable hides, so the body works on a global copy.
        let copied = decl
            .last()
            .filter(|v| self.scope.globals.contains(&v.pos))
            .map(|v| {
                let copy = self.scope.taken.fresh(&names::variable_base(&v.name));
                if let Some(scope) = self.scope.vars.last_mut()
                    && let Some((_, var)) = scope.iter_mut().rev().find(|(n, _)| *n == v.name)
                {
                    var.tera = copy.clone();
                    var.global = true;
                }
                copy
            });
        if b.pipe.is_assign && !decl.is_empty() {
            self.report(
                b.tag.pos,
                Severity::Attention,
                "`range` assigns existing variables (`=`); the converted loop declares its own loop variables, so their values after the loop differ from Go's: check the template here",
            );
        }
        let target = if key.is_none() && over.sure_list {
            over.arg()
        } else {
            format!("{} | items", over.at(expr::FILTER))
        };
        let head = match &key {
            Some(k) => format!("for {k}, {value} in {target}"),
            None => format!("for {value} in {target}"),
        };
        let mut tags = vec![(Delim::Statement, head)];
        if let Some(copy) = &copied {
            tags.push((Delim::Statement, format!("set_global {copy} = {value}")));
        }
        self.tags(tags, b.tag.trim_left, b.tag.trim_right);
        let element = T::name(copied.unwrap_or(value), Kind::Any, true);
        let saved = std::mem::replace(&mut self.scope.dot, Dot::Value(element));
        self.scope.loops += 1;
        let after = match &b.otherwise {
            Some(Otherwise::Else { tag, .. }) => tag.trim_left,
            _ => b.end.trim_left,
        };
        self.push_vars();
        self.nodes(&b.body, after);
        self.pop_vars();
        self.scope.loops -= 1;
        self.scope.dot = saved;
        if let Some(Otherwise::Else { tag, body }) = &b.otherwise {
            self.tags(
                vec![(Delim::Statement, "else".into())],
                tag.trim_left,
                tag.trim_right,
            );
            self.push_vars();
            self.nodes(body, b.end.trim_left);
            self.pop_vars();
        }
        self.end_tags(&b.end, "endfor", 1);
        self.pop_vars();
    }

    // ---- defines ----

    fn define(&mut self, d: &Define) {
        let Some(component) = self.model.component(&d.name.value) else {
            return;
        };
        let used = self
            .model
            .analysis
            .defines
            .get(&d.name.value)
            .map(|info| {
                let def = &self.model.analysis.definitions[info.definition];
                def.location == self.location(d.tag.pos)
            })
            .unwrap_or(true);
        if !used && !self.model.tpl {
            // Helm uses another definition of this name: this one is left out (the analysis
            // reports both places).
            self.out
                .push_str(if d.tag.trim_left { "{#- " } else { "{# " });
            self.out.push_str(&format!(
                "{:?} is defined again elsewhere in the chart; Helm uses the other definition",
                d.name.value
            ));
            self.out
                .push_str(if d.end.trim_right { " -#}" } else { " #}" });
            self.last_trim_right = d.end.trim_right;
            return;
        }
        let text = self.component_text(&component, &d.name.value, &d.tag, &d.body, &d.end);
        self.out.push_str(&text);
        self.last_trim_right = d.end.trim_right;
    }

    /// `{% component name(...) %}body{% endcomponent name %}`, with the define's markers.
    fn component_text(
        &mut self,
        component: &Component,
        go_name: &str,
        open: &Tag,
        body: &[Node],
        end: &Tag,
    ) -> String {
        let mut taken = Taken::new();
        for object in names::OBJECTS {
            taken.take(object);
        }
        let (dot, dollar) = match &component.signature {
            Signature::Root { .. } => (Dot::Root, Dot::Root),
            Signature::Dict { keys } => {
                for k in keys {
                    taken.take(k);
                }
                (Dot::Names(keys.clone()), Dot::Names(keys.clone()))
            }
            Signature::Arg => {
                taken.take("arg");
                let arg = T {
                    // Some caller passes no `.` (`arg?.Values?.port`).
                    nil_dot: self.model.analysis.calls.iter().any(|c| {
                        c.name.as_deref() == Some(go_name)
                            && c.arg == crate::convert::scope::Value::Nil
                    }),
                    ..T::name("arg", Kind::Any, true)
                };
                (Dot::Value(arg.clone()), Dot::Value(arg))
            }
        };
        let scope = Scope {
            dot,
            dollar,
            vars: vec![Vec::new()],
            taken,
            globals: plan::globals(body),
            loops: 0,
            component: Some(go_name.to_string()),
            pending: Vec::new(),
            root_keys: HashSet::new(),
        };
        let saved_scope = std::mem::replace(&mut self.scope, scope);
        let saved_out = std::mem::take(&mut self.out);
        let saved_uses = std::mem::take(&mut self.uses);
        self.last_trim_right = open.trim_right;
        self.nodes(body, end.trim_left);
        if let Some(keys) = self.model.setters.get(go_name)
            && matches!(component.signature, Signature::Root { .. })
        {
            // What the caller merges into its `Root` (see `setter_call`): its `Values` as this
            // component changed them, when it changes them.
            self.uses.insert("Root");
            let root = if keys.iter().any(|k| k == "Values") {
                self.uses.insert("Values");
                "Root | insert(key=\"Values\", value=Values)"
            } else {
                "Root"
            };
            let keys: Vec<String> = keys.iter().map(|k| expr::string_literal(k)).collect();
            let print = format!("{root} | pick(keys=[{}]) | to_json", keys.join(", "));
            self.tag(Delim::Print, &print, true, false);
        }
        self.tag(
            Delim::Statement,
            &format!("endcomponent {}", component.name),
            end.trim_left,
            end.trim_right,
        );
        let body_text = std::mem::replace(&mut self.out, saved_out);
        let parameters = match &component.signature {
            Signature::Root { .. } => signature::implicit_parameters(&self.uses),
            other => other.parameters(),
        };
        self.uses = saved_uses;
        self.scope = saved_scope;
        let mut text = String::new();
        std::mem::swap(&mut self.out, &mut text);
        self.tag(
            Delim::Statement,
            &format!("component {}({parameters})", component.name),
            open.trim_left,
            open.trim_right,
        );
        std::mem::swap(&mut self.out, &mut text);
        text.push_str(&body_text);
        text
    }

    fn block(&mut self, b: &Block) {
        let name = b.name.value.clone();
        if let Some(component) = self.model.component(&name) {
            let used = self
                .model
                .analysis
                .defines
                .get(&name)
                .map(|info| {
                    self.model.analysis.definitions[info.definition].location
                        == self.location(b.tag.pos)
                })
                .unwrap_or(true);
            if used {
                let text = self.component_text(&component, &name, &b.tag, &b.body, &b.end);
                self.hoisted.push(text);
            }
        }
        let call = self.template_call(b.tag.pos, &name, Some(&b.pipe));
        self.tags(
            vec![(Delim::Print, call.arg())],
            b.tag.trim_left,
            b.end.trim_right,
        );
    }

    /// `{{ template "name" pipe }}` and `{{ block ... }}`: the component's output.
    fn template_call(&mut self, pos: Pos, name: &str, pipe: Option<&Pipeline>) -> T {
        match pipe {
            Some(p) => {
                let arg_expr = single_expr(p);
                let uses = self.uses.clone();
                let arg = self.pipeline(p);
                if let Some(component) = self.model.component(name)
                    && matches!(component.signature, Signature::Root { .. })
                    && matches!(arg_expr, Some(Expr::Dot(_) | Expr::Variable(_)))
                {
                    self.uses = uses;
                }
                self.component_call(pos, name, &arg, arg_expr)
            }
            None => self.component_call(pos, name, &T::nil(), None),
        }
    }

    // ---- expressions ----

    fn pipeline(&mut self, pipe: &Pipeline) -> T {
        let mut value: Option<T> = None;
        // `.Values.x | default (randAlphaNum 10)`, also after other defaults
        // (`.Values.x | default (include ...) | default (randAlphaNum 16)`, harbor): the value
        // to supply is `x`.
        let mut defaulted: Option<String> = match pipe.commands.first().map(|c| c.args.as_slice()) {
            Some([Expr::Field(field)]) if field.names.first().is_some_and(|n| n == "Values") => {
                Some(field.names[1..].join("."))
            }
            _ => None,
        };
        for (i, command) in pipe.commands.iter().enumerate() {
            if i > 0 {
                let is_default = matches!(
                    command.args.first(),
                    Some(Expr::Identifier(f)) if f.name == "default"
                );
                if !is_default {
                    defaulted = None;
                }
                if let Some(path) = &defaulted {
                    self.supply_hint = Some(path.clone());
                }
            }
            value = Some(self.command(command, value));
            if i > 0 && defaulted.is_some() {
                self.supply_hint = None;
            }
        }
        value.unwrap_or_else(T::nil)
    }

    /// The `supply(...)` call a variable holding a random value stands for where it is used. As the
    /// fallback of a values path (`.Values.core.tokenKey | default $ca.Key`, harbor) it asks for
    /// that value rather than for the place the variable was set.
    fn deferred_supply(&mut self, v: &Variable, supply: &str) -> T {
        let Some(hint) = self.supply_hint.clone() else {
            return T::atom(supply.to_string(), Kind::Any);
        };
        let Some(at) = supply.rfind(", instead_of=") else {
            return T::atom(supply.to_string(), Kind::Any);
        };
        let mut text = v.name.clone();
        for field in &v.fields {
            text.push('.');
            text.push_str(field);
        }
        self.report(
            v.pos,
            Severity::Attention,
            format!(
                "`{text}` gives a new value on every render; ktera renders the same output every time: the converted chart stops here and asks for {hint} to be set"
            ),
        );
        T::atom(
            format!(
                "supply(value={}{}",
                expr::string_literal(&hint),
                &supply[at..]
            ),
            Kind::Any,
        )
    }

    fn command(&mut self, command: &Command, piped: Option<T>) -> T {
        let Some(first) = command.args.first() else {
            return T::nil();
        };
        if let Expr::Identifier(f) = first {
            return self.call(f, &command.args[1..], piped);
        }
        if command.args.len() == 1 && piped.is_none() {
            return self.expr(first);
        }
        self.method(first, &command.args[1..], piped)
    }

    /// A method with arguments: `.Files.Get "f"`, `.Capabilities.APIVersions.Has "v"`.
    fn method(&mut self, target: &Expr, args: &[Expr], piped: Option<T>) -> T {
        let path: Vec<String> = match target {
            Expr::Field(f) => f.names.clone(),
            Expr::Variable(v) if self.lookup(&v.name).is_some_and(|var| var.files) => {
                std::iter::once("Files".to_string())
                    .chain(v.fields.iter().cloned())
                    .collect()
            }
            Expr::Variable(v) => v.fields.clone(),
            Expr::Chain(c) => c.fields.clone(),
            _ => Vec::new(),
        };
        let mut values: Vec<T> = args.iter().map(|a| self.expr(a)).collect();
        values.extend(piped);
        let tail: Vec<&str> = path.iter().map(String::as_str).collect();
        match tail.as_slice() {
            [.., "Files", _] => {
                self.uses.insert("Template");
            }
            [.., "APIVersions", "Has"] => {
                self.uses.insert("Capabilities");
            }
            _ => {}
        }
        // `.context.Capabilities.APIVersions.Has` (bitnami's common, in a component that takes
        // `context`): the list of the object it is called on, not the template's own.
        let api_versions = match (tail.as_slice(), target) {
            ([first, "APIVersions", "Has"], Expr::Field(_))
                if *first == "Capabilities" && matches!(self.scope.dot, Dot::Root) =>
            {
                None
            }
            ([.., "APIVersions", "Has"], _) => self.receiver(target),
            _ => None,
        };
        let one = |values: &[T]| values.first().map(T::arg).unwrap_or_else(|| "none".into());
        match tail.as_slice() {
            // Helm gives nothing for a file the chart does not have.
            [.., "Files", "Get"] | [.., "Files", "GetBytes"] => T::sure(
                format!("files_get(path={}, default=\"\")", one(&values)),
                Kind::Str,
            ),
            [.., "Files", "Lines"] => T::sure(
                format!("files_lines(path={}, default=[])", one(&values)),
                Kind::List,
            )
            .with_sure_list(),
            [.., "Files", "Glob"] => {
                T::sure(format!("files_glob(pattern={})", one(&values)), Kind::Map)
            }
            [.., "APIVersions", "Has"] => T::sure(
                match api_versions {
                    Some(listed) => format!(
                        "has_api_version(version={}, api_versions={})",
                        one(&values),
                        listed.arg()
                    ),
                    None => format!("has_api_version(version={})", one(&values)),
                },
                Kind::Bool,
            ),
            // The methods of a `semver` value (Masterminds' `Version`).
            [
                ..,
                method @ ("Compare" | "LessThan" | "GreaterThan" | "Equal"),
            ] if values.len() == 1 => {
                let Some(receiver) = self.receiver(target) else {
                    return self.fail_expr("a method needs a value to call it on");
                };
                if let Some(message) = receiver.version.and_then(|v| v.missing(method)) {
                    self.report_version_field(target.pos(), &message);
                    return self.fail_expr(&message);
                }
                let order = format!(
                    "semver_order(left={}, right={})",
                    receiver.arg(),
                    values[0].arg()
                );
                match *method {
                    "Compare" => T::sure(order, Kind::Int),
                    _ => {
                        let test = match *method {
                            "LessThan" => "== -1",
                            "GreaterThan" => "== 1",
                            _ => "== 0",
                        };
                        T::op(format!("{order} {test}"), expr::CMP, Kind::Bool).with_nullable(false)
                    }
                }
            }
            _ => {
                let text = super::print::expr_text(target);
                self.report(
                    target.pos(),
                    Severity::Attention,
                    format!("`{text}` is called with arguments, which ktera cannot do: write what it should give here"),
                );
                self.fail_expr(&format!("{text} cannot be called with arguments in ktera"))
            }
        }
    }

    /// What a method is called on: the expression without its last field
    /// (`(semver "1.2.3").Compare` -> `semver "1.2.3"`).
    fn receiver(&mut self, target: &Expr) -> Option<T> {
        let base = match target {
            Expr::Chain(c) if c.fields.len() == 1 => (*c.base).clone(),
            Expr::Chain(c) => Expr::Chain(Chain {
                fields: c.fields[..c.fields.len() - 1].to_vec(),
                ..c.clone()
            }),
            Expr::Variable(v) if !v.fields.is_empty() => Expr::Variable(Variable {
                fields: v.fields[..v.fields.len() - 1].to_vec(),
                ..v.clone()
            }),
            Expr::Field(f) if f.names.len() > 1 => Expr::Field(Field {
                names: f.names[..f.names.len() - 1].to_vec(),
                ..f.clone()
            }),
            _ => return None,
        };
        Some(self.expr(&base))
    }

    /// Reports a field or method Helm cannot read of a version (`Original` of what `IncPatch`
    /// gave): Helm fails there, and so does the converted chart ([`T::field`]).
    fn check_version_field(&mut self, t: &T, name: &str, pos: Pos) {
        if let Some(message) = t.version.and_then(|v| v.missing(name)) {
            self.report_version_field(pos, &message);
        }
    }

    fn report_version_field(&mut self, pos: Pos, message: &str) {
        self.report(
            pos,
            Severity::Error,
            format!(
                "Helm fails here: {message} (`IncMajor`, `IncMinor` and `IncPatch` give a version without `Original` and the comparison methods; `semver` gives one with them)"
            ),
        );
    }

    fn fail_expr(&self, message: &str) -> T {
        T::atom(
            format!("throw(message={})", expr::string_literal(message)),
            Kind::Any,
        )
    }

    fn expr(&mut self, e: &Expr) -> T {
        match e {
            Expr::Dot(_) => {
                let dot = self.scope.dot.clone();
                self.whole(&dot)
            }
            Expr::Field(f) => {
                let dot = self.scope.dot.clone();
                if let Some(refused) = self.set_by_a_define(&dot, &f.names, f.pos) {
                    return refused;
                }
                self.fields(&dot, &f.names)
            }
            Expr::Variable(v) => {
                if v.name == "$" {
                    let dollar = self.scope.dollar.clone();
                    if let Some(refused) = self.set_by_a_define(&dollar, &v.fields, v.pos) {
                        return refused;
                    }
                    return if v.fields.is_empty() {
                        self.whole(&dollar)
                    } else {
                        self.fields(&dollar, &v.fields)
                    };
                }
                let Some(var) = self.lookup(&v.name).cloned() else {
                    self.report(
                        v.pos,
                        Severity::Error,
                        format!(
                            "`{0}` is not declared where this runs: Helm fails here with \"undefined variable: {0}\"",
                            v.name
                        ),
                    );
                    return self.fail_expr(&format!("undefined variable: {}", v.name));
                };
                if let Some(supply) = &var.deferred {
                    return self.deferred_supply(v, supply);
                }
                let mut t = self.var_value(&var);
                for f in &v.fields {
                    self.check_version_field(&t, f, v.pos);
                    // Go gives no value for a field of a variable holding nil (and for the
                    // fields after it), where ktera's `s.ports` would fail on undefined.
                    t = if t.nullable && !var.element {
                        t.field_or_nothing(f)
                    } else {
                        t.field(f)
                    };
                }
                t
            }
            Expr::Chain(c) => self.chain(c),
            Expr::Identifier(i) => self.call(i, &[], None),
            Expr::Pipeline(p) => {
                if p.decl.is_empty() {
                    return self.pipeline(p);
                }
                // `($x := f)`: declare, then use the variable.
                let value = self.pipeline(p);
                let mut last = value.clone();
                for v in &p.decl {
                    let statement = if p.is_assign {
                        self.assign(v, &value)
                    } else {
                        self.declare(v, &value)
                    };
                    self.scope.pending.push(statement);
                    if let Some(var) = self.lookup(&v.name).cloned() {
                        last = self.var_value(&var);
                    }
                }
                last
            }
            Expr::String(s) => T::string(&s.value),
            Expr::Number(n) => match n.ideal() {
                IdealNumber::Int(i) => T::sure(i.to_string(), Kind::Int),
                IdealNumber::Float(f) => T::sure(expr::float_literal(f), Kind::Float),
                IdealNumber::Complex(..) => {
                    self.report(
                        n.pos,
                        Severity::Error,
                        format!(
                            "`{}` is a complex number, which Helm cannot use either",
                            n.text
                        ),
                    );
                    self.fail_expr(&format!("complex number {}", n.text))
                }
                IdealNumber::Overflow => {
                    self.report(
                        n.pos,
                        Severity::Error,
                        format!("`{}` overflows Go's int: Helm fails here", n.text),
                    );
                    self.fail_expr(&format!("{} overflows int", n.text))
                }
            },
            Expr::Bool(b) => T::sure(if b.value { "true" } else { "false" }, Kind::Bool),
            Expr::Nil(_) => T::nil(),
        }
    }

    /// `.` or `$` as a whole.
    fn whole(&mut self, dot: &Dot) -> T {
        match dot {
            Dot::Root => {
                self.uses.insert("Root");
                T::name("Root", Kind::Map, false)
            }
            Dot::Names(keys) => {
                let entries: Vec<(String, T)> = keys
                    .iter()
                    .map(|k| (k.clone(), T::name(k.clone(), Kind::Any, true)))
                    .collect();
                T::sure(expr::map(&entries), Kind::Map)
            }
            Dot::Value(t) => t.clone(),
        }
    }

    /// Fields of `.` or `$`: `.Values.image.tag` -> `Values.image.tag`.
    fn fields(&mut self, dot: &Dot, names: &[String]) -> T {
        let Some((first, rest)) = names.split_first() else {
            return self.whole(dot);
        };
        match dot {
            Dot::Root => self.root_fields(first, rest),
            Dot::Names(keys) => {
                if keys.contains(first) {
                    let mut t = T::name(first.clone(), Kind::Any, true);
                    for f in rest {
                        t = t.field(f);
                    }
                    t
                } else {
                    // Not a key of the dict the callers pass: nil in Go.
                    let mut t = T::nil();
                    for f in rest {
                        t = t.field(f);
                    }
                    t
                }
            }
            Dot::Value(base) => {
                let mut t = base.clone();
                for f in names {
                    t = if base.nil_dot {
                        t.field_or_nothing(f)
                    } else {
                        t.field(f)
                    };
                }
                t
            }
        }
    }

    /// `include "x" (dict "key" $k ...)`: the Tera expression of `$k` (a variable or a string).
    fn dict_key_argument(&mut self, pipe: &Pipeline) -> Option<String> {
        let [command] = pipe.commands.as_slice() else {
            return None;
        };
        let [Expr::Identifier(f), _, Expr::Pipeline(arg)] = command.args.as_slice() else {
            return None;
        };
        let [dict] = arg.commands.as_slice() else {
            return None;
        };
        if f.name != "include"
            || !matches!(dict.args.first(), Some(Expr::Identifier(d)) if d.name == "dict")
        {
            return None;
        }
        let entries = &dict.args[1..];
        let key = entries
            .chunks(2)
            .find(|pair| matches!(&pair[0], Expr::String(s) if s.value == "key"))?
            .get(1)?;
        match key {
            Expr::Variable(v) if v.fields.is_empty() && v.name != "$" => Some(self.expr(key).arg()),
            Expr::String(s) => Some(expr::string_literal(&s.value)),
            _ => None,
        }
    }

    /// `if .Values.a.b` (or `$.Values.a.b`) on the top-level object: `"a.b"`; `if $v` where
    /// `$v` holds the value a key names: that key.
    fn tested_value(&self, pipe: &Pipeline) -> Option<String> {
        if let Some(Expr::Variable(v)) = single_expr(pipe)
            && v.fields.is_empty()
        {
            return self.value_keys.get(&v.name).cloned();
        }
        supply::values_path(
            pipe,
            matches!(self.scope.dot, Dot::Root),
            matches!(self.scope.dollar, Dot::Root),
        )
        .map(|path| expr::string_literal(&path))
    }

    /// The keys a call of a define that only sets keys on its `.` gives the caller's `Root`,
    /// when it is called with the top-level object and its component takes that.
    fn setter_keys(&self, name: &str, pipe: Option<&Pipeline>) -> Option<&Vec<String>> {
        let keys = self.model.setters.get(name)?;
        let component = self.model.component(name)?;
        let dot_is_root = matches!(self.scope.dot, Dot::Root);
        let passes_root = pipe.is_some_and(|p| {
            setters::passes_arg(p, dot_is_root)
                && (matches!(single_expr(p), Some(Expr::Dot(_)))
                    || matches!(self.scope.dollar, Dot::Root))
        });
        (matches!(component.signature, Signature::Root { .. }) && passes_root && !self.model.tpl)
            .then_some(keys)
    }

    /// `{{ include "x" . }}` or `{{ $_ := include "x" . }}` of a setter define (its output is
    /// empty), as the `{{ template "x" . }}` it amounts to.
    fn include_of_setter(&self, a: &Action) -> Option<TemplateCall> {
        let pipe = &a.pipe;
        let discarded = match pipe.decl.as_slice() {
            [] => true,
            [v] => v.name == "$_" && !pipe.is_assign,
            _ => false,
        };
        let [command] = pipe.commands.as_slice() else {
            return None;
        };
        let [Expr::Identifier(f), Expr::String(name), arg] = command.args.as_slice() else {
            return None;
        };
        if !discarded || f.name != "include" {
            return None;
        }
        let call = TemplateCall {
            tag: a.tag,
            name: name.clone(),
            pipe: Some(Pipeline {
                pos: command.pos,
                decl: Vec::new(),
                is_assign: false,
                commands: vec![Command {
                    pos: command.pos,
                    args: vec![arg.clone()],
                }],
            }),
        };
        self.setter_keys(&name.value, call.pipe.as_ref())?;
        Some(call)
    }

    /// Calls the setter define a template inherits, at its top, as if it began with
    /// `{{ template "<define>" . }}` (printing nothing, so the output stays Helm's byte for byte).
    fn inherit(&mut self, inherited: &crate::convert::render_order::Inherited) {
        let pos = Pos {
            offset: 0,
            line: 1,
            column: 1,
        };
        let call = TemplateCall {
            tag: Tag {
                pos,
                trim_left: false,
                trim_right: false,
            },
            name: StringLit {
                pos,
                quoted: format!("{:?}", inherited.define),
                value: inherited.define.clone(),
            },
            pipe: Some(Pipeline {
                pos,
                decl: Vec::new(),
                is_assign: false,
                commands: vec![Command {
                    pos,
                    args: vec![Expr::Dot(pos)],
                }],
            }),
        };
        if self
            .setter_keys(&inherited.define, call.pipe.as_ref())
            .is_none()
        {
            return;
        }
        self.setter_call(&call);
        let keys: Vec<String> = inherited.keys.iter().map(|k| format!("`.{k}`")).collect();
        let from = inherited
            .from
            .split_once("/templates/")
            .map_or(inherited.from.as_str(), |(_, rest)| rest);
        self.report(
            pos,
            Severity::Note,
            format!(
                "this template reads {}, which it does not set at its top level; Helm's templates share one top-level object, and templates/{from}, rendered before this one, sets it with `template {:?} .`: the converted template calls {} first, which sets the same value",
                keys.join(", "),
                inherited.define,
                inherited.define
            ),
        );
    }

    /// `{{ template "vault.mode" . }}`: the component prints the keys it set as JSON, which
    /// this `Root` takes, so that `.mode` reads afterwards see them as in Helm.
    fn setter_call(&mut self, t: &TemplateCall) {
        let keys = self
            .setter_keys(&t.name.value, t.pipe.as_ref())
            .cloned()
            .unwrap_or_default();
        let call = self.template_call(t.tag.pos, &t.name.value, t.pipe.as_ref());
        self.uses.insert("Root");
        let keyword = if self.scope.loops > 0 {
            "set_global"
        } else {
            "set"
        };
        let statement = format!(
            "{keyword} Root = Root | merge(sources=[{} | from_json], overwrite=true)",
            call.at(expr::FILTER)
        );
        let mut statements = vec![(Delim::Statement, statement)];
        // It changed `.Values`: what follows reads the new ones, as in Helm.
        if keys.iter().any(|k| k == "Values") && self.scope.component.is_none() {
            statements.push((Delim::Statement, format!("{keyword} Values = Root.Values")));
        }
        self.scope.root_keys.extend(keys);
        self.tags(statements, t.tag.trim_left, t.tag.trim_right);
    }

    /// `.mode` of the top-level object where a define called with it set `mode` (vault's
    /// `{{ template "vault.mode" . }}` then `{{ if eq .mode "ha" }}`): Helm's caller sees what
    /// the define set, a ktera component cannot change its caller's data, so the converted
    /// chart stops here with a located error instead of rendering the value as missing.
    fn set_by_a_define(&mut self, dot: &Dot, names: &[String], pos: Pos) -> Option<T> {
        let key = names.first()?;
        if !matches!(dot, Dot::Root) || self.scope.root_keys.contains(key) || self.model.tpl {
            return None;
        }
        let (define, location) = self.model.analysis.caller_sets.get(key)?;
        if self.scope.component.is_some() && self.model.setters.contains_key(define) {
            // The caller's `Root`, which this component takes, holds what the define handed
            // back when the caller called it (`setter_call`); else the read fails, never empty.
            return None;
        }
        let called_with_root = self
            .model
            .analysis
            .defines
            .get(define)
            .is_some_and(|info| info.contexts.contains(&crate::convert::scope::Value::Root));
        if !called_with_root {
            return None;
        }
        let message = format!(
            "`.{key}` is set by the define {define:?} ({location}) on the data its caller passes; Helm's caller sees it, but a ktera component cannot change its caller's data: compute `{key}` in this template (`{{% set {key} = ... %}}`) or read it from values"
        );
        self.report(
            pos,
            Severity::Attention,
            format!("{message}; the converted chart stops here"),
        );
        Some(self.fail_expr(&message))
    }

    /// Fields of the top-level object.
    fn root_fields(&mut self, first: &str, rest: &[String]) -> T {
        const OBJECTS: [&str; 5] = ["Values", "Release", "Chart", "Capabilities", "Template"];
        let Some(object) = OBJECTS.iter().find(|o| **o == first) else {
            self.uses.insert("Root");
            let mut t = T::name("Root", Kind::Map, false).field(first);
            for f in rest {
                t = t.field(f);
            }
            return t;
        };
        self.uses.insert(object);
        let mut t = T::name(first, Kind::Map, false);
        for f in rest {
            t = t.field(f);
        }
        let path: Vec<&str> = std::iter::once(first)
            .chain(rest.iter().map(String::as_str))
            .collect();
        let known = match path.as_slice() {
            ["Release", "Name" | "Namespace" | "Service"]
            | [
                "Chart",
                "Name" | "Version" | "AppVersion" | "Description" | "Type" | "APIVersion",
            ]
            | [
                "Capabilities",
                "KubeVersion",
                "Version" | "GitVersion" | "Major" | "Minor",
            ]
            | ["Template", "Name" | "BasePath"] => Some(Kind::Str),
            ["Release", "IsInstall" | "IsUpgrade"] => Some(Kind::Bool),
            ["Release", "Revision"] => Some(Kind::Int),
            ["Values", values @ ..] if !values.is_empty() => self.values_kind(values),
            ["Capabilities", "KubeVersion"] => {
                // Go prints Helm's KubeVersion as its version.
                t = t.field("Version");
                Some(Kind::Str)
            }
            _ => None,
        };
        match known {
            Some(kind) => {
                t.kind = kind;
                t.nullable = false;
            }
            None => t.nullable = !rest.is_empty(),
        }
        if first == "Capabilities" && rest.first().is_some_and(|f| f == "HelmVersion") {
            t.nullable = true;
        }
        t
    }

    /// The default in the chart's `values.yaml` of the value at `path` (under `Values`).
    fn values_default(&self, path: &[&str]) -> Option<&serde_yaml::Value> {
        if self.model.tpl {
            return None;
        }
        let mut current = self.model.values.get(&self.chart)?;
        for key in path {
            current = current.as_mapping()?.get(*key)?;
        }
        Some(current)
    }

    /// A value whose default in the chart's `values.yaml` is a plain scalar: printed as it is.
    fn values_kind(&self, path: &[&str]) -> Option<Kind> {
        match self.values_default(path)? {
            serde_yaml::Value::String(_) => Some(Kind::Str),
            serde_yaml::Value::Bool(_) => Some(Kind::Bool),
            // Printed as Go prints a float64 (`1` for 1.0), as Helm reads every values number.
            serde_yaml::Value::Number(n) if n.is_f64() => Some(Kind::Float),
            serde_yaml::Value::Number(_) => Some(Kind::Number),
            serde_yaml::Value::Mapping(_) => Some(Kind::Map),
            serde_yaml::Value::Sequence(_) => Some(Kind::List),
            _ => None,
        }
    }

    fn chain(&mut self, c: &Chain) -> T {
        // `(.Files.Glob "p").AsConfig` / `.AsSecrets`.
        if let [method] = c.fields.as_slice()
            && (method == "AsConfig" || method == "AsSecrets")
            && let Expr::Pipeline(p) = &*c.base
            && let [command] = p.commands.as_slice()
            && let Some(Expr::Field(f)) = command.args.first()
            && f.names
                .ends_with(&["Files".to_string(), "Glob".to_string()])
            && let Some(pattern) = command.args.get(1)
        {
            let pattern = self.expr(pattern);
            self.uses.insert("Template");
            let function = if method == "AsConfig" {
                "files_as_config"
            } else {
                "files_as_secrets"
            };
            return T::sure(format!("{function}(pattern={})", pattern.arg()), Kind::Str);
        }
        let mut t = self.expr(&c.base);
        for (i, f) in c.fields.iter().enumerate() {
            self.check_version_field(&t, f, c.pos);
            // Go gives nothing for a field of a missing parenthesised value (charts write
            // `(.Values.a).b` for that), and fails only further down.
            t = if i == 0 && matches!(*c.base, Expr::Pipeline(_)) {
                t.field_or_nothing(f)
            } else {
                t.field(f)
            };
        }
        t
    }
}

/// The value is only a `supply(...)` call (a value that changes on every render).
fn is_supply(value: &T) -> bool {
    value.text.starts_with("supply(") && value.text.ends_with(')') && value.prec == expr::ATOM
}

/// Whether a node's first tag trims the whitespace before it.
fn trims_left(node: &Node) -> bool {
    match node {
        Node::Text(_) => false,
        Node::Comment(c) => c.tag.trim_left,
        Node::Action(a) => a.tag.trim_left,
        Node::If(b) | Node::Range(b) | Node::With(b) => b.tag.trim_left,
        Node::Template(t) => t.tag.trim_left,
        Node::Block(b) => b.tag.trim_left,
        Node::Define(d) => d.tag.trim_left,
        Node::Break(t) | Node::Continue(t) => t.trim_left,
    }
}

/// The one expression a pipeline is, when it is one (`(dict "a" 1)`, `.`): calls look at it.
fn single_expr(p: &Pipeline) -> Option<&Expr> {
    match p.commands.as_slice() {
        [c] if p.decl.is_empty() && c.args.len() == 1 => c.args.first(),
        _ => None,
    }
}

/// The name a `with` variable gets: the last field of the value, or the function called.
fn with_variable_name(p: &Pipeline) -> String {
    let last = p.commands.last().and_then(|c| {
        let first = c.args.first()?;
        Some(match first {
            Expr::Field(f) => f.names.last().cloned().unwrap_or_default(),
            Expr::Variable(v) => v
                .fields
                .last()
                .cloned()
                .unwrap_or_else(|| v.name.trim_start_matches('$').to_string()),
            Expr::Chain(ch) => ch.fields.last().cloned().unwrap_or_default(),
            Expr::Identifier(i) => match (i.name.as_str(), c.args.get(1)) {
                ("include" | "template", Some(Expr::String(s))) => {
                    s.value.rsplit('.').next().unwrap_or("value").to_string()
                }
                (_, Some(Expr::Field(_) | Expr::Variable(_))) => match c.args.last() {
                    Some(Expr::Field(f)) => f.names.last().cloned().unwrap_or_default(),
                    Some(Expr::Variable(v)) => v.fields.last().cloned().unwrap_or_default(),
                    _ => i.name.clone(),
                },
                _ => i.name.clone(),
            },
            _ => String::new(),
        })
    });
    match last {
        Some(n) if !n.is_empty() && names::is_identifier(&names::variable_base(&n)) => n,
        _ => "value".to_string(),
    }
}

/// The field a `range` goes over, for its loop variable's name.
fn range_field_name(p: &Pipeline) -> String {
    let Some(c) = p.commands.last() else {
        return String::new();
    };
    match c.args.last() {
        Some(Expr::Field(f)) => f.names.last().cloned().unwrap_or_default(),
        Some(Expr::Variable(v)) => v
            .fields
            .last()
            .cloned()
            .unwrap_or_else(|| v.name.trim_start_matches('$').to_string()),
        Some(Expr::Chain(ch)) => ch.fields.last().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Whether the body assigns or changes a variable the pipeline reads (then `.` in the body
/// must keep the value it had when the `with` started).
fn changes_variables_of(pipe: &Pipeline, body: &[Node]) -> bool {
    let mut read = Vec::new();
    for c in &pipe.commands {
        for a in &c.args {
            if let Expr::Variable(v) = a {
                read.push(v.name.clone());
            }
        }
    }
    if read.is_empty() {
        return false;
    }
    let mut changed = false;
    visit_pipelines(body, &mut |p| {
        if p.is_assign && p.decl.iter().any(|v| read.contains(&v.name)) {
            changed = true;
        }
        for c in &p.commands {
            if let (Some(Expr::Identifier(f)), Some(Expr::Variable(v))) =
                (c.args.first(), c.args.get(1))
                && plan::MUTATORS.contains(&f.name.as_str())
                && read.contains(&v.name)
            {
                changed = true;
            }
        }
    });
    changed
}

fn visit_pipelines(nodes: &[Node], f: &mut dyn FnMut(&Pipeline)) {
    for node in nodes {
        match node {
            Node::Action(a) => f(&a.pipe),
            Node::If(b) | Node::With(b) | Node::Range(b) => {
                let mut branch = Some(&**b);
                while let Some(br) = branch {
                    f(&br.pipe);
                    visit_pipelines(&br.body, f);
                    branch = match &br.otherwise {
                        Some(Otherwise::Else { body, .. }) => {
                            visit_pipelines(body, f);
                            None
                        }
                        Some(Otherwise::Chain(c)) => Some(c),
                        None => None,
                    };
                }
            }
            Node::Template(t) => {
                if let Some(p) = &t.pipe {
                    f(p);
                }
            }
            Node::Block(b) => {
                f(&b.pipe);
                visit_pipelines(&b.body, f);
            }
            _ => {}
        }
    }
}
