//! Scope analysis of a whole chart: what `.`, `$` and every variable hold wherever they are
//! used, and what each `define` is called with.
//!
//! `.` is the hard part of converting Go templates: it is the file's top-level object in a
//! template file, an element inside `range`, a value inside `with`, and inside a `define`
//! whatever its callers pass (`.`, `$`, `(dict "ctx" $ "x" .y)`, `.Values.x`, ...), where `$`
//! is that argument too. Each place gets an abstract [`Value`]; a define's argument is
//! [`Value::Arg`], and [`Analysis::defines`] resolves it through every call, across files and
//! subcharts (Helm shares all `define`s of a chart and its subcharts; the one parsed last wins).
//!
//! Variables follow Go's run-time rules (a variable lives until the `{{end}}` of the structure
//! that declares it; `$x = v` changes the declared `$x`, also from inside a `range` body), and
//! what Helm would refuse or fail on at render time is reported as an [`Issue`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use super::ast::*;
use super::functions;
use super::print::expr_text;

/// A template file of a chart or subchart, under the name Helm gives it:
/// `podinfo/templates/deployment.yaml`, `app/charts/redis/templates/_helpers.tpl`.
#[derive(Debug, Clone, Copy)]
pub struct TemplateFile<'a> {
    pub name: &'a str,
    pub template: &'a Template,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What an expression holds, as far as the templates tell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// Helm's top-level object of the file being rendered (`.Values`, `.Release`, `.Chart`,
    /// `.Capabilities`, `.Template`, `.Files`, `.Subcharts`).
    Root,
    /// What the callers of the named `define` (or `block`) pass as `.`.
    Arg(String),
    /// Fields of a value: `base.a.b`. Never empty, never on a `Path`, `Dict` or `Unknown`.
    Path(Box<Value>, Vec<String>),
    /// An element of `range` over the value.
    Element(Box<Value>),
    /// The key (of a map) or index (of a list) of that element.
    Key(Box<Value>),
    /// `dict "k" v ...` with keys written as literals.
    Dict(Vec<(String, Value)>),
    /// `list a b` or `tuple a b`.
    List(Vec<Value>),
    /// A constant, as written: `"x"`, `1`, `true`.
    Literal(String),
    /// What a function (or a method such as `.Files.Get`) returns.
    Result(String),
    /// `nil`, or no argument at all (`{{template "x"}}`).
    Nil,
    /// Too dynamic to tell: computed keys, a variable changed in a loop or a branch.
    Unknown,
}

/// Deepest value the analysis builds; deeper ones (a recursive define passing ever longer
/// paths) become [`Value::Unknown`].
pub(super) const MAX_VALUE_DEPTH: usize = 12;
/// Most contexts kept per define; beyond, its context is [`Value::Unknown`].
const MAX_CONTEXTS: usize = 32;

impl Value {
    /// `self.fields...`, simplified: fields of a `dict` literal are its entries.
    pub fn path(self, fields: &[String]) -> Value {
        if fields.is_empty() {
            return self;
        }
        match self {
            Value::Path(base, mut names) => {
                names.extend_from_slice(fields);
                Value::Path(base, names)
            }
            Value::Dict(entries) => match entries.into_iter().find(|(k, _)| *k == fields[0]) {
                Some((_, v)) => v.path(&fields[1..]),
                None => Value::Nil,
            },
            Value::Unknown | Value::List(_) | Value::Literal(_) | Value::Nil => Value::Unknown,
            base => Value::Path(Box::new(base), fields.to_vec()),
        }
    }

    pub(super) fn depth(&self) -> usize {
        match self {
            Value::Path(b, _) | Value::Element(b) | Value::Key(b) => 1 + b.depth(),
            Value::Dict(entries) => 1 + entries.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            Value::List(items) => 1 + items.iter().map(Value::depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    fn capped(self) -> Value {
        if self.depth() > MAX_VALUE_DEPTH {
            Value::Unknown
        } else {
            self
        }
    }

    /// Whether it is data the template did not make itself (values, the top-level object, a
    /// define's argument, anything reached from them): changing it changes it for others.
    pub fn is_shared(&self) -> bool {
        match self {
            Value::Root | Value::Arg(_) => true,
            Value::Path(b, _) | Value::Element(b) => b.is_shared(),
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Root => write!(f, "root"),
            Value::Arg(name) => write!(f, "arg({name})"),
            Value::Path(base, names) => write!(f, "{base}.{}", names.join(".")),
            Value::Element(base) => write!(f, "elem({base})"),
            Value::Key(base) => write!(f, "key({base})"),
            Value::Dict(entries) => {
                write!(f, "dict(")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, ")")
            }
            Value::List(items) => {
                write!(f, "list(")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, ")")
            }
            Value::Literal(text) => write!(f, "{text}"),
            Value::Result(function) => write!(f, "{function}(...)"),
            Value::Nil => write!(f, "nil"),
            Value::Unknown => write!(f, "?"),
        }
    }
}

/// A use of `.`, `$` or a variable, alone or with fields.
#[derive(Debug, Clone)]
pub struct DotUse {
    pub location: Location,
    /// As written: `.`, `.Values.x`, `$.Chart.Name`, `$ctx.a`, `(include "x" .).a`.
    pub text: String,
    /// What it refers to where it is written (a define's argument is [`Value::Arg`]).
    pub value: Value,
    /// The definition it is written in (index into [`Analysis::definitions`]).
    pub definition: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// `include "name" arg` (Helm's function; it returns the text).
    Include,
    /// `{{template "name" arg}}`.
    Template,
    /// `{{block "name" arg}}`: defines `name` and calls it in place.
    Block,
    /// `tpl text arg`: renders a string (often from values) as a template.
    Tpl,
}

/// A call of a template, or a `tpl`.
#[derive(Debug, Clone)]
pub struct Call {
    pub location: Location,
    pub kind: CallKind,
    /// The template called; `None` when its name is computed at render time (and for `tpl`).
    pub name: Option<String>,
    /// What the callee sees as `.` (and `$`).
    pub arg: Value,
    /// The definition the call is written in (index into [`Analysis::definitions`]).
    pub definition: Option<usize>,
}

/// One definition of a template: `{{define "name"}}` or `{{block "name" ...}}`.
#[derive(Debug, Clone)]
pub struct Definition {
    pub name: String,
    pub location: Location,
    /// The definition Helm uses: of several with one name, the last Helm parses.
    pub used: bool,
}

/// All definitions of one name, and how it is called.
#[derive(Debug, Clone)]
pub struct DefineInfo {
    pub name: String,
    /// The definition Helm uses (index into [`Analysis::definitions`]).
    pub definition: usize,
    /// Other definitions of the name, which Helm ignores.
    pub overridden: Vec<usize>,
    /// Indexes into [`Analysis::calls`] of the calls that can run (not those written inside an
    /// ignored definition).
    pub calls: Vec<usize>,
    /// What the callers pass as `.`, resolved through the callers' own context (a call inside
    /// another define passes what that define receives).
    pub contexts: BTreeSet<Value>,
    /// Fields read from the argument: `["Values", "image", "tag"]` for `.Values.image.tag`.
    pub reads: BTreeSet<Vec<String>>,
    /// The argument is used as a whole: passed on, given to a function, ranged over, printed.
    pub uses_whole: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Helm refuses the chart, or fails when this part is rendered.
    Error,
    /// The template does something a converted chart cannot do the same way without a
    /// person's decision (changing shared data, a template name computed at render time).
    Attention,
    /// Worth knowing (a definition that hides another, a value that changes on every render).
    Note,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub location: Location,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    /// `$x := ...` (in an action, or in the pipeline of `if` or `with`).
    Declared,
    /// `$i` of `range $i, $e := ...`.
    RangeKey,
    /// `$e` of `range $i, $e := ...`, or `$e` of `range $e := ...`.
    RangeElement,
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub location: Location,
    pub value: Value,
    /// Written in a `range` body the declaration is not in: Go changes the variable declared
    /// outside the loop (a Tera `set` inside a `for` would not).
    pub in_inner_range: bool,
    /// Written in an `if`, `with` or `range` branch the declaration is not in.
    pub in_inner_branch: bool,
}

#[derive(Debug, Clone)]
pub struct VariableInfo {
    /// `$x`.
    pub name: String,
    pub location: Location,
    pub kind: VariableKind,
    /// What it holds when declared.
    pub value: Value,
    /// A declaration of the same name it hides while it lives (index into
    /// [`Analysis::variables`]).
    pub shadows: Option<usize>,
    pub definition: Option<usize>,
    pub assignments: Vec<Assignment>,
    pub uses: Vec<Location>,
}

#[derive(Debug, Clone)]
pub struct FunctionUse {
    pub location: Location,
    pub name: String,
    pub definition: Option<usize>,
}

/// The analysis of all template files of a chart and its subcharts.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The Helm names of the files analysed; `include` can call a file by its name.
    pub files: Vec<String>,
    pub definitions: Vec<Definition>,
    /// By name.
    pub defines: BTreeMap<String, DefineInfo>,
    pub calls: Vec<Call>,
    pub dot_uses: Vec<DotUse>,
    pub variables: Vec<VariableInfo>,
    pub functions: Vec<FunctionUse>,
    pub issues: Vec<Issue>,
    /// Keys a define sets on its own `.` (`$_ := set . "mode" "ha"`), with where: in Helm the
    /// caller sees them afterwards (`.mode`); a ktera component cannot change its caller's data.
    pub caller_sets: BTreeMap<String, (String, Location)>,
    /// Uses (in [`Analysis::dot_uses`]) that only hand a value on without reading it: the
    /// argument of `include`, `template`, `block` or `tpl`, `.` or `$` as a value of `dict` or
    /// `list`, a variable's whole value, the map `set`, `unset` or `merge` changes. What is
    /// read of it is recorded where it is read.
    pub passed_on: HashSet<Location>,
    /// Uses of a map of which only some keys are read, with those keys: the map of `hasKey m
    /// "k"`, `get m "k"`, `index m "a" "b"` (written as string literals).
    pub narrowed: HashMap<Location, Vec<String>>,
}

/// The one expression a pipeline is made of (`.` in `{{template "x" .}}`), if so.
fn lone(pipe: &Pipeline) -> Option<&Expr> {
    match pipe.commands.as_slice() {
        [command] => match command.args.as_slice() {
            [only] => Some(only),
            _ => None,
        },
        _ => None,
    }
}

/// Helm's order of a chart's template files (by Helm's names): deepest first (most `/`, so
/// subcharts before their parent), ties in reverse name order. Helm parses them in this order
/// (a define parsed later wins) and renders them in it, sharing one `.Values`.
pub fn helm_order(a: &str, b: &str) -> std::cmp::Ordering {
    b.matches('/')
        .count()
        .cmp(&a.matches('/').count())
        .then_with(|| b.cmp(a))
}

/// Analyses the template files of a chart and all its subcharts together.
pub fn analyse(files: &[TemplateFile<'_>]) -> Analysis {
    let mut analysis = Analysis {
        files: files.iter().map(|f| f.name.to_string()).collect(),
        ..Analysis::default()
    };
    // Helm parses files deepest first (most `/` in the name), ties in reverse name order; a
    // later non-empty definition replaces an earlier one, an empty one never replaces.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| helm_order(files[a].name, files[b].name));
    let mut winner: HashMap<String, usize> = HashMap::new();
    for &i in &order {
        let file = files[i];
        let mut found = Vec::new();
        collect_definitions(&file.template.nodes, &mut found);
        for (name, pos, empty) in found {
            let index = analysis.definitions.len();
            analysis.definitions.push(Definition {
                name: name.clone(),
                location: location(file.name, pos),
                used: false,
            });
            if !empty || !winner.contains_key(&name) {
                winner.insert(name, index);
            }
        }
    }
    for &index in winner.values() {
        analysis.definitions[index].used = true;
    }
    for file in files {
        Walker::new(file.name, &mut analysis).file(file.template);
    }
    analysis.summarise_defines();
    analysis
}

/// `(name, position, body is empty)` of every `define` and `block` in `nodes`, in order.
fn collect_definitions(nodes: &[Node], out: &mut Vec<(String, Pos, bool)>) {
    for node in nodes {
        match node {
            Node::Define(d) => {
                out.push((
                    d.name.value.clone(),
                    d.tag.pos,
                    super::parse::is_empty(&d.body),
                ));
                collect_definitions(&d.body, out);
            }
            Node::Block(b) => {
                out.push((
                    b.name.value.clone(),
                    b.tag.pos,
                    super::parse::is_empty(&b.body),
                ));
                collect_definitions(&b.body, out);
            }
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                let mut branch = Some(&**b);
                while let Some(br) = branch {
                    collect_definitions(&br.body, out);
                    branch = match &br.otherwise {
                        Some(Otherwise::Else { body, .. }) => {
                            collect_definitions(body, out);
                            None
                        }
                        Some(Otherwise::Chain(c)) => Some(c),
                        None => None,
                    };
                }
            }
            _ => {}
        }
    }
}

fn location(file: &str, pos: Pos) -> Location {
    Location {
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
    }
}

/// A lexical region whose variables end with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    /// A template file or a definition body.
    Template,
    /// The pipeline of `if`, `with` or `range` (its variables live through every branch).
    Control,
    /// The body of `if`/`with`, or any `else`.
    Branch,
    /// The body of `range`, run once per element.
    RangeBody,
}

struct Frame {
    id: usize,
    kind: FrameKind,
    /// Length of `visible` when the frame started.
    visible_before: usize,
}

/// Walks one file: its own template, then each definition body as a template of its own.
struct Walker<'a> {
    file: &'a str,
    out: &'a mut Analysis,
    definition: Option<usize>,
    dot: Value,
    dollar: Value,
    frames: Vec<Frame>,
    next_frame: usize,
    /// Variables visible now: (name, index into `out.variables`).
    visible: Vec<(String, usize)>,
    /// The frames each variable was declared in, and its value now.
    declared_in: HashMap<usize, Vec<usize>>,
    current: HashMap<usize, Value>,
}

impl<'a> Walker<'a> {
    fn new(file: &'a str, out: &'a mut Analysis) -> Walker<'a> {
        Walker {
            file,
            out,
            definition: None,
            dot: Value::Root,
            dollar: Value::Root,
            frames: Vec::new(),
            next_frame: 0,
            visible: Vec::new(),
            declared_in: HashMap::new(),
            current: HashMap::new(),
        }
    }

    fn at(&self, pos: Pos) -> Location {
        location(self.file, pos)
    }

    /// Records that `expr` (`.`, `$`, `$x`, `.Values.a`) is handed on, not read, where it is.
    fn passed_on(&mut self, expr: &Expr) {
        if matches!(expr, Expr::Dot(_) | Expr::Field(_) | Expr::Variable(_)) {
            let location = self.at(expr.pos());
            self.out.passed_on.insert(location);
        }
    }

    /// [`Walker::passed_on`] for `.`, `$` or `$x` as a whole (`dict "ctx" $`): a part of a
    /// value put in a `dict` or `list` (`dict "x" .Values.a`) counts as read, since the `dict`
    /// may go to any function.
    fn passed_on_whole(&mut self, expr: &Expr) {
        let whole = match expr {
            Expr::Dot(_) => true,
            Expr::Variable(v) => v.fields.is_empty(),
            _ => false,
        };
        if whole {
            self.passed_on(expr);
        }
    }

    fn issue(&mut self, pos: Pos, severity: Severity, message: String) {
        let location = self.at(pos);
        self.out.issues.push(Issue {
            location,
            severity,
            message,
        });
    }

    fn file(&mut self, template: &Template) {
        self.enter(FrameKind::Template);
        self.nodes(&template.nodes);
        self.leave();
        self.definitions(&template.nodes);
    }

    /// Walks each `define` body (at the top level of the file).
    fn definitions(&mut self, nodes: &[Node]) {
        for node in nodes {
            if let Node::Define(d) = node {
                self.definition_body(&d.name.value, d.tag.pos, &d.body);
            }
        }
    }

    /// A definition's body: `.` and `$` are its argument, no variable but `$` is visible.
    fn definition_body(&mut self, name: &str, pos: Pos, body: &[Node]) {
        let index = self.out.definitions.iter().position(|d| {
            d.name == name
                && d.location.file == self.file
                && d.location.line == pos.line
                && d.location.column == pos.column
        });
        let saved = (
            self.definition,
            std::mem::replace(&mut self.dot, Value::Arg(name.to_string())),
            std::mem::replace(&mut self.dollar, Value::Arg(name.to_string())),
            std::mem::take(&mut self.frames),
            std::mem::take(&mut self.visible),
        );
        self.definition = index;
        self.enter(FrameKind::Template);
        self.nodes(body);
        self.leave();
        (
            self.definition,
            self.dot,
            self.dollar,
            self.frames,
            self.visible,
        ) = saved;
    }

    fn enter(&mut self, kind: FrameKind) {
        self.frames.push(Frame {
            id: self.next_frame,
            kind,
            visible_before: self.visible.len(),
        });
        self.next_frame += 1;
    }

    fn leave(&mut self) {
        if let Some(frame) = self.frames.pop() {
            self.visible.truncate(frame.visible_before);
        }
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Text(_) | Node::Comment(_) | Node::Break(_) | Node::Continue(_) => {}
                Node::Define(_) => {} // Walked on its own, see `definitions`.
                Node::Action(a) => {
                    self.pipeline(&a.pipe, Declare::Pipeline);
                }
                Node::If(b) => self.branch(b, false),
                Node::With(b) => self.branch(b, true),
                Node::Range(b) => self.range(b),
                Node::Template(t) => {
                    if let Some(only) = t.pipe.as_ref().and_then(lone) {
                        self.passed_on(only);
                    }
                    let arg = match &t.pipe {
                        Some(p) => self.pipeline(p, Declare::Pipeline),
                        None => Value::Nil,
                    };
                    self.call(
                        t.tag.pos,
                        CallKind::Template,
                        Some(t.name.value.clone()),
                        arg,
                    );
                }
                Node::Block(b) => {
                    if let Some(only) = lone(&b.pipe) {
                        self.passed_on(only);
                    }
                    let arg = self.pipeline(&b.pipe, Declare::Pipeline);
                    self.call(b.tag.pos, CallKind::Block, Some(b.name.value.clone()), arg);
                    self.definition_body(&b.name.value, b.tag.pos, &b.body);
                }
            }
        }
    }

    fn call(&mut self, pos: Pos, kind: CallKind, name: Option<String>, arg: Value) {
        let location = self.at(pos);
        self.out.calls.push(Call {
            location,
            kind,
            name,
            arg,
            definition: self.definition,
        });
    }

    /// `if` (`with_dot` false) or `with`, with its `else` or `else if`/`else with` chain.
    fn branch(&mut self, b: &Branch, with_dot: bool) {
        self.enter(FrameKind::Control);
        let value = self.pipeline(&b.pipe, Declare::Pipeline);
        self.enter(FrameKind::Branch);
        let outer_dot = if with_dot {
            Some(std::mem::replace(&mut self.dot, value))
        } else {
            None
        };
        self.nodes(&b.body);
        if let Some(dot) = outer_dot {
            self.dot = dot;
        }
        self.leave();
        match &b.otherwise {
            None => {}
            Some(Otherwise::Else { body, .. }) => {
                self.enter(FrameKind::Branch);
                self.nodes(body);
                self.leave();
            }
            Some(Otherwise::Chain(chained)) => {
                self.enter(FrameKind::Branch);
                self.branch(chained, with_dot);
                self.leave();
            }
        }
        self.leave();
    }

    fn range(&mut self, b: &Branch) {
        self.enter(FrameKind::Control);
        let over = self.pipeline(&b.pipe, Declare::Range);
        let element = Value::Element(Box::new(over.clone())).capped();
        let key = Value::Key(Box::new(over)).capped();
        let decl = &b.pipe.decl;
        let vars: Vec<(&Variable, Value, VariableKind)> = match decl.len() {
            0 => Vec::new(),
            1 => vec![(&decl[0], element.clone(), VariableKind::RangeElement)],
            _ => vec![
                (&decl[0], key, VariableKind::RangeKey),
                (&decl[1], element.clone(), VariableKind::RangeElement),
            ],
        };
        for (variable, value, kind) in vars {
            if b.pipe.is_assign {
                self.assign(variable, value);
            } else {
                self.declare(variable, value, kind);
            }
        }
        self.enter(FrameKind::RangeBody);
        let outer_dot = std::mem::replace(&mut self.dot, element);
        self.nodes(&b.body);
        self.dot = outer_dot;
        self.leave();
        if let Some(Otherwise::Else { body, .. }) = &b.otherwise {
            self.enter(FrameKind::Branch);
            self.nodes(body);
            self.leave();
        }
        self.leave();
    }

    // ---- variables ----

    fn lookup(&self, name: &str) -> Option<usize> {
        self.visible
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|&(_, i)| i)
    }

    fn declare(&mut self, variable: &Variable, value: Value, kind: VariableKind) {
        let index = self.out.variables.len();
        let shadows = self.lookup(&variable.name);
        let location = self.at(variable.pos);
        self.out.variables.push(VariableInfo {
            name: variable.name.clone(),
            location,
            kind,
            value: value.clone(),
            shadows,
            definition: self.definition,
            assignments: Vec::new(),
            uses: Vec::new(),
        });
        self.visible.push((variable.name.clone(), index));
        self.declared_in
            .insert(index, self.frames.iter().map(|f| f.id).collect());
        self.current.insert(index, value);
    }

    fn assign(&mut self, variable: &Variable, value: Value) {
        if variable.name == "$" {
            self.issue(
                variable.pos,
                Severity::Attention,
                "`$` is assigned a new value: from here on `$` is no longer the template's argument".to_string(),
            );
            self.dollar = value;
            return;
        }
        let Some(index) = self.lookup(&variable.name) else {
            self.issue(
                variable.pos,
                Severity::Error,
                format!(
                    "`{0}` is assigned but was never declared here: Helm fails when this runs (\"undefined variable: {0}\"); declare it with `{0} := ...` first",
                    variable.name
                ),
            );
            // Declared from here on, so that its uses are not reported again.
            self.declare(variable, value, VariableKind::Declared);
            return;
        };
        let declared = self.declared_in.get(&index).cloned().unwrap_or_default();
        let inner: Vec<FrameKind> = self
            .frames
            .iter()
            .filter(|f| !declared.contains(&f.id))
            .map(|f| f.kind)
            .collect();
        let in_inner_range = inner.contains(&FrameKind::RangeBody);
        let in_inner_branch = inner
            .iter()
            .any(|k| matches!(k, FrameKind::Branch | FrameKind::RangeBody));
        let now = if in_inner_branch {
            Value::Unknown
        } else {
            value.clone()
        };
        self.current.insert(index, now);
        let location = self.at(variable.pos);
        self.out.variables[index].assignments.push(Assignment {
            location,
            value,
            in_inner_range,
            in_inner_branch,
        });
    }

    /// The value of `$x` (or `$`) where it is used.
    fn variable_value(&mut self, variable: &Variable) -> Value {
        if variable.name == "$" {
            return self.dollar.clone();
        }
        match self.lookup(&variable.name) {
            Some(index) => {
                let location = self.at(variable.pos);
                self.out.variables[index].uses.push(location);
                self.current.get(&index).cloned().unwrap_or(Value::Unknown)
            }
            None => {
                // Go's parser accepted it: it was declared in the other branch of an `if` or
                // `with` (or in its own pipeline), which Go's parser does not tell apart.
                self.issue(
                    variable.pos,
                    Severity::Error,
                    format!(
                        "`{0}` is not declared where this runs (only in another branch, or in the tag that declares it): Helm fails here with \"undefined variable: {0}\"; declare it before the `if` or `with`",
                        variable.name
                    ),
                );
                Value::Unknown
            }
        }
    }

    // ---- pipelines and expressions ----

    /// The value of a pipeline; its declared variables get it (or, in `range`, their element
    /// and key, which the caller declares).
    fn pipeline(&mut self, pipe: &Pipeline, declare: Declare) -> Value {
        if !pipe.decl.is_empty()
            && let Some(only) = lone(pipe)
        {
            self.passed_on(only);
        }
        let mut value = None;
        for command in &pipe.commands {
            value = Some(self.command(command, value));
        }
        let value = value.unwrap_or(Value::Unknown);
        if declare == Declare::Pipeline {
            for variable in &pipe.decl {
                if pipe.is_assign {
                    self.assign(variable, value.clone());
                } else {
                    self.declare(variable, value.clone(), VariableKind::Declared);
                }
            }
        }
        value
    }

    /// A command; `piped` is the value of the previous command, passed as the last argument.
    fn command(&mut self, command: &Command, piped: Option<Value>) -> Value {
        let Some(first) = command.args.first() else {
            return Value::Unknown;
        };
        if let Expr::Identifier(function) = first {
            return self.function(function, &command.args[1..], piped);
        }
        let value = self.expr(first);
        if command.args.len() == 1 && piped.is_none() {
            return value;
        }
        // A method with arguments: `.Files.Get "x"`, `.Capabilities.APIVersions.Has "v1"`.
        for arg in &command.args[1..] {
            self.expr(arg);
        }
        Value::Result(expr_text(first))
    }

    fn function(&mut self, function: &Identifier, args: &[Expr], piped: Option<Value>) -> Value {
        let name = function.name.as_str();
        let location = self.at(function.pos);
        self.out.functions.push(FunctionUse {
            location,
            name: name.to_string(),
            definition: self.definition,
        });
        if !functions::is_helm_function(name) {
            self.issue(
                function.pos,
                Severity::Error,
                format!("Helm has no function `{name}`: it refuses the chart (\"function {name:?} not defined\")"),
            );
        } else if functions::NONDETERMINISTIC.contains(&name) {
            self.issue(
                function.pos,
                Severity::Note,
                format!("`{name}` returns a different value on every render"),
            );
        }
        let mut values: Vec<Value> = args.iter().map(|a| self.expr(a)).collect();
        values.extend(piped);
        if let ("hasKey" | "get" | "index", [map, keys @ ..]) = (name, args)
            && !keys.is_empty()
            && (name == "index" || keys.len() == 1)
            && matches!(map, Expr::Dot(_) | Expr::Field(_) | Expr::Variable(_))
        {
            let literal: Option<Vec<String>> = keys
                .iter()
                .map(|k| match k {
                    Expr::String(s) => Some(s.value.clone()),
                    _ => None,
                })
                .collect();
            if let Some(keys) = literal {
                let location = self.at(map.pos());
                self.out.narrowed.insert(location, keys);
            }
        }
        match name {
            "include" | "tpl" => {
                let kind = if name == "include" {
                    CallKind::Include
                } else {
                    CallKind::Tpl
                };
                let template = match (kind, args.first()) {
                    (CallKind::Include, Some(first)) => self.text_of(first),
                    _ => None,
                };
                if kind == CallKind::Include && template.is_none() {
                    self.issue(
                        function.pos,
                        Severity::Attention,
                        format!(
                            "the template to include is computed at render time: `{}`; the converter needs the names it can take",
                            args.first().map(expr_text).unwrap_or_default()
                        ),
                    );
                }
                if let Some(arg) = args.get(1) {
                    self.passed_on(arg);
                }
                let arg = values.get(1).cloned().unwrap_or(Value::Nil);
                self.call(function.pos, kind, template, arg);
                Value::Result(name.to_string())
            }
            "dict" => {
                for value in args.iter().skip(1).step_by(2) {
                    self.passed_on_whole(value);
                }
                let mut entries = Vec::new();
                for (i, pair) in values.chunks(2).enumerate() {
                    let key = match args.get(2 * i) {
                        Some(Expr::String(s)) => s.value.clone(),
                        Some(Expr::Number(n)) => n.text.clone(),
                        Some(Expr::Bool(b)) => b.value.to_string(),
                        _ => return Value::Unknown,
                    };
                    let value = pair
                        .get(1)
                        .cloned()
                        .unwrap_or_else(|| Value::Literal("\"\"".to_string()));
                    entries.retain(|(k, _): &(String, Value)| *k != key);
                    entries.push((key, value));
                }
                Value::Dict(entries).capped()
            }
            "list" | "tuple" => {
                for value in args {
                    self.passed_on_whole(value);
                }
                Value::List(values).capped()
            }
            "index" | "get" => {
                let Some(base) = values.first() else {
                    return Value::Unknown;
                };
                let mut keys = Vec::new();
                for arg in &args[1.min(args.len())..] {
                    match arg {
                        Expr::String(s) => keys.push(s.value.clone()),
                        // A key known only when rendering: some element of shared data is
                        // still shared (`$section := index $config $kind`, then `set $section`).
                        _ if base.is_shared() => {
                            return Value::Element(Box::new(base.clone().path(&keys))).capped();
                        }
                        _ => return Value::Unknown,
                    }
                }
                if keys.is_empty() {
                    Value::Unknown
                } else {
                    base.clone().path(&keys).capped()
                }
            }
            // A copy of shared data is the template's own: changing it changes nothing else.
            "deepCopy" | "mustDeepCopy" => match values.into_iter().next() {
                Some(v) if !v.is_shared() => v,
                // Named after what it copies, so that putting a part back is recognised.
                Some(v) => Value::Result(format!("{name} {v}")),
                None => Value::Result(name.to_string()),
            },
            "set" | "unset" | "merge" | "mergeOverwrite" | "mustMerge" | "mustMergeOverwrite" => {
                self.mutation(function, args, &values)
            }
            _ => Value::Result(name.to_string()),
        }
    }

    /// `set`, `unset`, `merge` and `mergeOverwrite` change their first argument in place.
    fn mutation(&mut self, function: &Identifier, args: &[Expr], values: &[Value]) -> Value {
        let name = function.name.as_str();
        let Some(target) = values.first().cloned() else {
            return Value::Unknown;
        };
        // What is changed is not read.
        if let Some(first) = args.first() {
            self.passed_on(first);
        }
        // `set $ "Values" $saved.Values` with `$saved := deepCopy $` (jenkins): the key gets
        // back the value it had, so neither the caller nor anyone else sees a change.
        let restores = |key: &str| {
            matches!(values.get(2), Some(Value::Path(base, names))
                if names.len() == 1 && names[0] == key
                    && matches!(&**base, Value::Result(copy) if *copy == format!("deepCopy {target}") || *copy == format!("mustDeepCopy {target}")))
        };
        let restored =
            matches!((name, args.get(1)), ("set", Some(Expr::String(key))) if restores(&key.value));
        if let (Value::Arg(define), "set", Some(Expr::String(key)), false) =
            (&target, name, args.get(1), restored)
        {
            let location = self.at(function.pos);
            self.out
                .caller_sets
                .entry(key.value.clone())
                .or_insert_with(|| (define.clone(), location));
        }
        if target.is_shared() && !restored {
            self.issue(
                function.pos,
                Severity::Attention,
                format!(
                    "`{name}` changes {} ({target}) in place, which other templates or the caller see afterwards; a converted chart cannot change shared data and needs a person here",
                    args.first().map(expr_text).unwrap_or_default()
                ),
            );
        }
        // `set $d "k" v` on a variable holding a dict literal: the variable holds the new dict.
        let updated = match (name, &target, args.get(1), values.get(2)) {
            ("set", Value::Dict(entries), Some(Expr::String(key)), Some(value)) => {
                let mut entries = entries.clone();
                entries.retain(|(k, _)| *k != key.value);
                entries.push((key.value.clone(), value.clone()));
                Value::Dict(entries).capped()
            }
            ("unset", Value::Dict(entries), Some(Expr::String(key)), _) => Value::Dict(
                entries
                    .iter()
                    .filter(|(k, _)| *k != key.value)
                    .cloned()
                    .collect(),
            ),
            ("set" | "unset", _, _, _) => target.clone(),
            _ => Value::Unknown,
        };
        if let Some(Expr::Variable(v)) = args.first()
            && v.fields.is_empty()
            && v.name != "$"
            && let Some(index) = self.lookup(&v.name)
        {
            let in_branch = self.frames.iter().any(|f| {
                matches!(f.kind, FrameKind::Branch | FrameKind::RangeBody)
                    && !self
                        .declared_in
                        .get(&index)
                        .is_some_and(|frames| frames.contains(&f.id))
            });
            let now = if in_branch {
                Value::Unknown
            } else {
                updated.clone()
            };
            self.current.insert(index, now);
        }
        updated
    }

    /// The text an expression makes from literals and the file's `.Template.BasePath` alone:
    /// `print $.Template.BasePath "/configmap.yaml"` (the checksum idiom) names the file
    /// `app/templates/configmap.yaml`.
    fn text_of(&self, expr: &Expr) -> Option<String> {
        let base_path = || {
            let end = self.file.find("/templates/")? + "/templates".len();
            Some(self.file[..end].to_string())
        };
        let is_base_path = |value: Value| {
            value == Value::Root.path(&["Template".to_string(), "BasePath".to_string()])
        };
        match expr {
            Expr::String(s) => Some(s.value.clone()),
            Expr::Field(f) if is_base_path(self.dot.clone().path(&f.names)) => base_path(),
            Expr::Variable(v)
                if v.name == "$" && is_base_path(self.dollar.clone().path(&v.fields)) =>
            {
                base_path()
            }
            Expr::Pipeline(p) if p.decl.is_empty() && p.commands.len() == 1 => {
                let args = &p.commands[0].args;
                let Some(Expr::Identifier(f)) = args.first() else {
                    return None;
                };
                let parts: Vec<String> = args[1..]
                    .iter()
                    .map(|a| self.text_of(a))
                    .collect::<Option<_>>()?;
                match f.name.as_str() {
                    // Go's Sprint puts no space between two strings.
                    "print" => Some(parts.concat()),
                    "printf" => {
                        let (format, values) = parts.split_first()?;
                        let mut out = String::new();
                        let mut values = values.iter();
                        let mut chars = format.chars();
                        while let Some(c) = chars.next() {
                            if c != '%' {
                                out.push(c);
                                continue;
                            }
                            match chars.next()? {
                                '%' => out.push('%'),
                                's' | 'v' => out.push_str(values.next()?),
                                _ => return None,
                            }
                        }
                        values.next().is_none().then_some(out)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn expr(&mut self, expr: &Expr) -> Value {
        let value = match expr {
            Expr::Dot(_) => self.dot.clone(),
            Expr::Field(f) => self.dot.clone().path(&f.names).capped(),
            Expr::Variable(v) => self.variable_value(v).path(&v.fields).capped(),
            Expr::Chain(c) => {
                let base = self.expr(&c.base);
                let base = match base {
                    Value::Result(_) => Value::Unknown,
                    other => other,
                };
                base.path(&c.fields).capped()
            }
            Expr::Identifier(i) => return self.function(i, &[], None),
            Expr::Pipeline(p) => return self.pipeline(p, Declare::Pipeline),
            Expr::String(s) => return Value::Literal(s.quoted.clone()),
            Expr::Number(n) => return Value::Literal(n.text.clone()),
            Expr::Bool(b) => return Value::Literal(b.value.to_string()),
            Expr::Nil(_) => return Value::Nil,
        };
        let location = self.at(expr.pos());
        self.out.dot_uses.push(DotUse {
            location,
            text: expr_text(expr),
            value: value.clone(),
            definition: self.definition,
        });
        value
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Declare {
    /// Declared variables get the pipeline's value.
    Pipeline,
    /// `range`: the caller declares them (element and key).
    Range,
}

impl Analysis {
    /// Groups definitions by name and resolves what each define receives, through every call
    /// that can run, until nothing changes.
    fn summarise_defines(&mut self) {
        for (index, definition) in self.definitions.iter().enumerate() {
            let info = self
                .defines
                .entry(definition.name.clone())
                .or_insert_with(|| DefineInfo {
                    name: definition.name.clone(),
                    definition: index,
                    overridden: Vec::new(),
                    calls: Vec::new(),
                    contexts: BTreeSet::new(),
                    reads: BTreeSet::new(),
                    uses_whole: false,
                });
            if definition.used {
                if info.definition != index {
                    info.overridden.push(info.definition);
                }
                info.definition = index;
            } else if info.definition != index {
                info.overridden.push(index);
            }
        }
        let runs = |call: &Call, definitions: &[Definition]| {
            call.definition.is_none_or(|d| definitions[d].used)
        };
        let mut missing = Vec::new();
        for (index, call) in self.calls.iter().enumerate() {
            if !runs(call, &self.definitions) {
                continue;
            }
            let Some(name) = &call.name else { continue };
            match self.defines.get_mut(name) {
                Some(info) => info.calls.push(index),
                None if self.files.contains(name) => {}
                None => missing.push((call.location.clone(), name.clone())),
            }
        }
        for (location, name) in missing {
            self.issues.push(Issue {
                location,
                severity: Severity::Error,
                message: format!(
                    "no template is defined with the name {name:?}: Helm fails when this runs"
                ),
            });
        }
        for info in self.defines.values() {
            for &other in &info.overridden {
                let used = &self.definitions[info.definition].location;
                self.issues.push(Issue {
                    location: self.definitions[other].location.clone(),
                    severity: Severity::Note,
                    message: format!(
                        "{:?} is defined again at {used}; Helm uses that one and ignores this one",
                        info.name
                    ),
                });
            }
        }
        // What each define receives, through the defines its callers are in.
        let mut resolved: HashMap<String, BTreeSet<Value>> = HashMap::new();
        for _round in 0..10 {
            let mut changed = false;
            for (name, info) in &self.defines {
                let mut contexts = BTreeSet::new();
                for &call in &info.calls {
                    for value in substitute(&self.calls[call].arg, &resolved) {
                        contexts.insert(value);
                    }
                }
                if contexts.len() > MAX_CONTEXTS {
                    contexts = BTreeSet::from([Value::Unknown]);
                }
                if resolved.get(name) != Some(&contexts) {
                    resolved.insert(name.clone(), contexts);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (name, info) in self.defines.iter_mut() {
            info.contexts = resolved.remove(name).unwrap_or_default();
        }
        // What each used definition reads from its argument.
        for dot_use in &self.dot_uses {
            let Some(index) = dot_use.definition else {
                continue;
            };
            let definition = &self.definitions[index];
            if !definition.used {
                continue;
            }
            let Some(info) = self.defines.get_mut(&definition.name) else {
                continue;
            };
            match &dot_use.value {
                Value::Arg(name) if *name == definition.name => info.uses_whole = true,
                Value::Path(base, fields) if **base == Value::Arg(definition.name.clone()) => {
                    info.reads.insert(fields.clone());
                }
                _ => {}
            }
        }
    }

    /// The issues of one severity.
    pub fn issues_of(&self, severity: Severity) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(move |i| i.severity == severity)
    }
}

/// `value` with every [`Value::Arg`] replaced by each context that define receives (none when
/// it is never called, or not yet known).
fn substitute(value: &Value, resolved: &HashMap<String, BTreeSet<Value>>) -> Vec<Value> {
    let out: Vec<Value> = match value {
        Value::Arg(name) => resolved
            .get(name)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default(),
        Value::Path(base, fields) => substitute(base, resolved)
            .into_iter()
            .map(|b| b.path(fields))
            .collect(),
        Value::Element(base) => substitute(base, resolved)
            .into_iter()
            .map(|b| Value::Element(Box::new(b)))
            .collect(),
        Value::Key(base) => substitute(base, resolved)
            .into_iter()
            .map(|b| Value::Key(Box::new(b)))
            .collect(),
        Value::Dict(entries) => {
            let mut combos: Vec<Vec<(String, Value)>> = vec![Vec::new()];
            for (k, v) in entries {
                let options = substitute(v, resolved);
                let mut next = Vec::new();
                for combo in &combos {
                    for option in &options {
                        let mut c = combo.clone();
                        c.push((k.clone(), option.clone()));
                        next.push(c);
                    }
                }
                if next.len() > MAX_CONTEXTS {
                    return vec![Value::Unknown];
                }
                combos = next;
            }
            combos.into_iter().map(Value::Dict).collect()
        }
        Value::List(items) => {
            let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
            for item in items {
                let options = substitute(item, resolved);
                let mut next = Vec::new();
                for combo in &combos {
                    for option in &options {
                        let mut c = combo.clone();
                        c.push(option.clone());
                        next.push(c);
                    }
                }
                if next.len() > MAX_CONTEXTS {
                    return vec![Value::Unknown];
                }
                combos = next;
            }
            combos.into_iter().map(Value::List).collect()
        }
        other => vec![other.clone()],
    };
    out.into_iter().map(Value::capped).collect()
}
