//! The parse tree of one Go template file, as Helm's Go `text/template` reads it.
//!
//! It follows Go's `text/template/parse` tree closely (the same nodes, the same merging of
//! `.a.b` and `$x.a` into one path), with three additions the converter needs and Go drops:
//! every node has a line and column, every tag keeps its trim markers (`{{-`, `-}}`) and text
//! keeps the whitespace they removed, and `define`s stay in place in the file's node list (Go
//! moves them to a separate tree) so comments and layout around them survive conversion.

/// A place in a template file. `line` and `column` are 1-based; `column` counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Byte offset in the file.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// One parsed file: its text and actions in order, `define`s included.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The name used in messages (the file's path).
    pub name: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(Text),
    /// `{{/* ... */}}`.
    Comment(Comment),
    /// `{{ pipeline }}`: prints the pipeline's value unless it declares variables.
    Action(Action),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    /// `{{template "name" pipeline}}`.
    Template(Box<TemplateCall>),
    /// `{{block "name" pipeline}} ... {{end}}`: defines `name` and calls it in place.
    Block(Box<Block>),
    /// `{{define "name"}} ... {{end}}`; only at the top level of a file.
    Define(Box<Define>),
    Break(Tag),
    Continue(Tag),
}

/// Where a tag (`{{ ... }}`) starts and which trim markers it has: `{{- ` trims the whitespace
/// before the tag, ` -}}` the whitespace after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tag {
    pub pos: Pos,
    pub trim_left: bool,
    pub trim_right: bool,
}

/// Text between tags.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub pos: Pos,
    /// The text as written, including whitespace that a neighbouring trim marker removes.
    pub raw: String,
    /// What Go prints: `raw` without the whitespace the trim markers remove; may be empty.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub tag: Tag,
    /// `/* ... */`, markers included, exactly as written.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub tag: Tag,
    pub pipe: Pipeline,
}

/// `if`, `range` or `with`, with their `else`.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The opening tag; for a branch chained by `{{else if}}` or `{{else with}}`, that tag.
    pub tag: Tag,
    pub pipe: Pipeline,
    pub body: Vec<Node>,
    pub otherwise: Option<Otherwise>,
    /// The `{{end}}` (shared by every branch of an `else if` chain).
    pub end: Tag,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Otherwise {
    /// `{{else}} ...`.
    Else { tag: Tag, body: Vec<Node> },
    /// `{{else if ...}}` (in an `if`) or `{{else with ...}}` (in a `with`): Go reads it as an
    /// `else` holding one more `if`/`with` that shares the `{{end}}`.
    Chain(Box<Branch>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplateCall {
    pub tag: Tag,
    pub name: StringLit,
    /// What `.` is inside the called template; none means nil.
    pub pipe: Option<Pipeline>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub tag: Tag,
    pub name: StringLit,
    pub pipe: Pipeline,
    pub body: Vec<Node>,
    pub end: Tag,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Define {
    pub tag: Tag,
    pub name: StringLit,
    pub body: Vec<Node>,
    pub end: Tag,
}

/// `$x := cmd | cmd`, `$x = cmd`, `$i, $v := cmd` (in `range`), or just `cmd | cmd`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub pos: Pos,
    pub decl: Vec<Variable>,
    /// `=` (assign existing variables) rather than `:=` (declare new ones).
    pub is_assign: bool,
    pub commands: Vec<Command>,
}

/// A function call or a value: its arguments in order; the value of the previous command of
/// the pipeline is passed as one more, last argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub pos: Pos,
    pub args: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `.`
    Dot(Pos),
    /// `.a.b`: fields (map keys, or methods such as `.Files.Get`) of `.`.
    Field(Field),
    /// `$`, `$x`, `$x.a.b`.
    Variable(Variable),
    /// Fields of something that is neither `.` nor a variable: `(pipeline).a`, `fn.a`.
    Chain(Chain),
    /// A function name.
    Identifier(Identifier),
    /// `( pipeline )`.
    Pipeline(Box<Pipeline>),
    String(StringLit),
    /// Numbers and character constants (`'a'` is the number 97, as in Go).
    Number(NumberLit),
    Bool(BoolLit),
    Nil(Pos),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub pos: Pos,
    /// `["a", "b"]` for `.a.b`.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub pos: Pos,
    /// `$` or `$x`.
    pub name: String,
    /// `["a", "b"]` for `$x.a.b`.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub pos: Pos,
    pub base: Box<Expr>,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Identifier {
    pub pos: Pos,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StringLit {
    pub pos: Pos,
    /// As written, quotes included: `"a\n"` or `` `a` ``.
    pub quoted: String,
    /// The value, escapes resolved.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoolLit {
    pub pos: Pos,
    pub value: bool,
}

/// A number as Go's parser reads it: each representation it fits, exactly as Go's `NumberNode`
/// (`1e3` is an int, a uint and a float; `-1` is not a uint; `1.5` only a float).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberLit {
    pub pos: Pos,
    /// As written: `0x1F`, `1_000`, `'a'`, `1e3`.
    pub text: String,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    /// Real and imaginary parts of a complex constant (`1+2i`, `3i`).
    pub complex: Option<(f64, f64)>,
}

/// The value Go passes for a number constant to a function taking any value (`interface{}`),
/// as Go's `text/template` decides (`idealConstant`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IdealNumber {
    Int(i64),
    Float(f64),
    Complex(f64, f64),
    /// A constant that fits no Go `int` (`18446744073709551615`): Go fails when it is used.
    Overflow,
}

impl NumberLit {
    /// Go's `idealConstant`: complex when it has an imaginary part (even `0i`); a float when
    /// written with `.`, `e`, `E`, `p` or `P`, unless it is a hex integer (`0x1e`; Go does not
    /// see one with a sign, so `-0x1e` is a float) or a character; else an int.
    pub fn ideal(&self) -> IdealNumber {
        let text = self.text.as_bytes();
        let hex_int = text.len() > 2
            && text[0] == b'0'
            && (text[1] == b'x' || text[1] == b'X')
            && !self.text.contains(['p', 'P']);
        let rune = text.first() == Some(&b'\'');
        if let Some((re, im)) = self.complex {
            return IdealNumber::Complex(re, im);
        }
        if let Some(f) = self.float
            && !hex_int
            && !rune
            && self.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return IdealNumber::Float(f);
        }
        match self.int {
            Some(i) => IdealNumber::Int(i),
            None => IdealNumber::Overflow,
        }
    }
}

impl Expr {
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Dot(p) | Expr::Nil(p) => *p,
            Expr::Field(f) => f.pos,
            Expr::Variable(v) => v.pos,
            Expr::Chain(c) => c.pos,
            Expr::Identifier(i) => i.pos,
            Expr::Pipeline(p) => p.pos,
            Expr::String(s) => s.pos,
            Expr::Number(n) => n.pos,
            Expr::Bool(b) => b.pos,
        }
    }
}

impl Node {
    /// Where the node starts: its first tag, or its text.
    pub fn pos(&self) -> Pos {
        match self {
            Node::Text(t) => t.pos,
            Node::Comment(c) => c.tag.pos,
            Node::Action(a) => a.tag.pos,
            Node::If(b) | Node::Range(b) | Node::With(b) => b.tag.pos,
            Node::Template(t) => t.tag.pos,
            Node::Block(b) => b.tag.pos,
            Node::Define(d) => d.tag.pos,
            Node::Break(t) | Node::Continue(t) => t.pos,
        }
    }
}
