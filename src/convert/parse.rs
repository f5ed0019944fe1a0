//! The parser: Go's `text/template/parse/parse.go` grammar and checks, rule for rule
//! (variables must be declared, `break`/`continue` only in `range`, `else if`/`else with`
//! chains, one `define` per name and file, no value after `|` that is not a command), building
//! the tree of [`super::ast`]. Functions are not checked against a list: which names Helm
//! knows is the converter's business, not the grammar's.

use std::collections::HashMap;

use super::ast::*;
use super::lex::{self, Kind, Token};
use super::literal::{self, NumberKind};
use crate::diagnostic::Diagnostic;
use crate::error::Error;

/// Deepest nesting of control structures, `define`s and parentheses. Go allows 10,000
/// parentheses; ktera stops far earlier so that a hostile template cannot exhaust the stack.
/// Real charts nest fewer than 20.
pub const MAX_NESTING: usize = 100;

/// Parses one template file. `name` is used in error messages.
pub fn parse(name: &str, source: &str) -> std::result::Result<Template, Error> {
    let mut parser = Parser {
        name,
        source,
        lines: LineIndex::new(source),
        tokens: lex::tokens(source),
        at: 0,
        vars: vec!["$".to_string()],
        range_depth: 0,
        nesting: 0,
        open: Vec::new(),
        action_start: None,
        defined: HashMap::new(),
    };
    let nodes = parser.parse_file()?;
    Ok(Template {
        name: name.to_string(),
        nodes,
    })
}

/// Byte offsets to lines and columns.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(source: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub(crate) fn pos(&self, source: &str, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = source
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        Pos {
            offset,
            line,
            column,
        }
    }
}

/// What a list of nodes ended with.
enum Item {
    Node(Node),
    End(Tag),
    /// `{{else}}` (`chained` false) or the `{{else` of `{{else if`/`{{else with`, whose
    /// `if`/`with` is the next token.
    Else {
        tag: Tag,
        chained: bool,
    },
}

/// What ends a list of nodes inside a construct.
enum Ending {
    End(Tag),
    Else { tag: Tag, chained: bool },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Control {
    If,
    Range,
    With,
}

impl Control {
    fn name(self) -> &'static str {
        match self {
            Control::If => "if",
            Control::Range => "range",
            Control::With => "with",
        }
    }
}

struct Parser<'a> {
    name: &'a str,
    source: &'a str,
    lines: LineIndex,
    tokens: Vec<Token>,
    /// Index of the next token.
    at: usize,
    /// Variables declared so far, as Go's parser tracks them (a variable lives until the
    /// `{{end}}` of the control structure it was declared in).
    vars: Vec<String>,
    range_depth: usize,
    nesting: usize,
    /// Constructs waiting for their `{{end}}`, for the message when the file ends first.
    open: Vec<(&'static str, Pos)>,
    /// Where the tag being read starts, for errors that reach past its line.
    action_start: Option<Pos>,
    /// `define` and `block` names of this file: where, and whether the body is empty.
    defined: HashMap<String, (Pos, bool)>,
}

type Result<T> = std::result::Result<T, Error>;

const CHECK_NAMES: &str = "a name after `.` or `$` may hold only letters, digits and `_`; for any other key write `index .Values \"my-key\"`";

impl Parser<'_> {
    // ---- tokens ----

    /// The token at `at`; past the end, the last one (`Eof` or `Error`) again.
    fn token(&self, at: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[at.min(last)]
    }

    fn next(&mut self) -> Token {
        let token = self.token(self.at).clone();
        self.at += 1;
        token
    }

    fn peek(&self) -> &Token {
        self.token(self.at)
    }

    fn backup(&mut self) {
        self.at -= 1;
    }

    fn skip_spaces(&mut self) {
        while self.token(self.at).kind == Kind::Space {
            self.at += 1;
        }
    }

    fn next_non_space(&mut self) -> Token {
        self.skip_spaces();
        self.next()
    }

    /// Like Go's `peekNonSpace`, consumes the spaces before the token it returns.
    fn peek_non_space(&mut self) -> &Token {
        self.skip_spaces();
        self.peek()
    }

    fn pos(&self, offset: usize) -> Pos {
        self.lines.pos(self.source, offset)
    }

    // ---- errors ----

    fn error_at(&self, pos: Pos, message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::input(message).with_diagnostic(
            Diagnostic::in_text(self.name, self.source, pos.line, pos.column).with_hint(hint),
        )
    }

    fn error(&self, token: &Token, message: impl Into<String>, hint: impl Into<String>) -> Error {
        self.error_at(self.pos(token.start), message, hint)
    }

    /// Go's `unexpected`: a lexer error is reported as itself.
    fn unexpected(&self, token: &Token, context: &str) -> Error {
        match token.kind {
            Kind::Error => self.lexer_error(token),
            Kind::Eof => self.end_of_file(),
            _ => self.error(
                token,
                format!("unexpected {} in {context}", describe(token)),
                hint_for_unexpected(token, context),
            ),
        }
    }

    fn lexer_error(&self, token: &Token) -> Error {
        let pos = self.pos(token.start);
        let mut message = token.value.clone();
        if let Some(start) = self.action_start
            && start.line != pos.line
        {
            let what = if message.ends_with(" action") {
                ""
            } else {
                " in action"
            };
            message.push_str(&format!(
                "{what} started at line {}, column {}",
                start.line, start.column
            ));
        }
        let hint = if message.starts_with("unclosed action") {
            "close the tag with `}}`"
        } else if message.starts_with("unclosed left paren") {
            "close the parenthesis with `)` before `}}`"
        } else if message.starts_with("unexpected right paren") {
            "remove the `)` or add the `(` it closes"
        } else if message.starts_with("unclosed comment") || message.starts_with("comment ends") {
            "a comment is written `{{/* text */}}`, with `*/}}` (or `*/ -}}`) right after the text"
        } else if message.starts_with("bad character") {
            CHECK_NAMES
        } else if message.starts_with("unterminated") {
            "close the string or character with the quote it starts with"
        } else if message.starts_with("bad number") {
            "write the number in one of Go's forms (`12`, `1.5`, `1e3`, `0x1F`) or quote it as a string"
        } else if message.starts_with("unrecognized character") {
            "only names, `.`, `$`, numbers, strings, `(`, `)`, `|`, `:=`, `=` and `,` can appear inside `{{ }}`"
        } else {
            ""
        };
        self.error_at(pos, message, hint)
    }

    fn end_of_file(&self) -> Error {
        let end = self.pos(self.source.len());
        match self.open.last() {
            Some((what, pos)) => self.error_at(
                *pos,
                format!("`{{{{{what}}}}}` is never closed: the file ends first"),
                format!("add `{{{{end}}}}` where the `{what}` ends"),
            ),
            None => self.error_at(end, "unexpected end of file", ""),
        }
    }

    fn nest(&mut self, token: &Token) -> Result<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error(
                token,
                format!("control structures, defines and parentheses are nested more than {MAX_NESTING} deep"),
                "split the template into smaller `define`s",
            ));
        }
        Ok(())
    }

    // ---- structure ----

    /// The file: like a list, but `{{define}}` is allowed, and `{{end}}`/`{{else}}` are not.
    fn parse_file(&mut self) -> Result<Vec<Node>> {
        let mut nodes = Vec::new();
        loop {
            if self.peek().kind == Kind::Eof {
                return Ok(nodes);
            }
            if self.peek().kind == Kind::LeftDelim {
                let delim_at = self.at;
                let delim = self.next();
                if self.next_non_space().kind == Kind::Define {
                    nodes.push(self.parse_define(&delim)?);
                    continue;
                }
                self.at = delim_at;
            }
            match self.text_or_action()? {
                Item::Node(node) => nodes.push(node),
                Item::End(tag) => {
                    return Err(self.error_at(
                        tag.pos,
                        "unexpected {{end}}",
                        "this `{{end}}` closes nothing: remove it, or add the `{{if}}`, `{{range}}`, `{{with}}`, `{{define}}` or `{{block}}` it ends",
                    ));
                }
                Item::Else { tag, .. } => {
                    return Err(self.error_at(
                        tag.pos,
                        "unexpected {{else}}",
                        "`{{else}}` belongs inside an `{{if}}`, `{{range}}` or `{{with}}`, before its `{{end}}`",
                    ));
                }
            }
        }
    }

    /// Nodes up to an `{{end}}` or `{{else}}`, which is returned separately.
    fn item_list(&mut self) -> Result<(Vec<Node>, Ending)> {
        let mut nodes = Vec::new();
        loop {
            if self.peek_non_space().kind == Kind::Eof {
                return Err(self.end_of_file());
            }
            match self.text_or_action()? {
                Item::Node(node) => nodes.push(node),
                Item::End(tag) => return Ok((nodes, Ending::End(tag))),
                Item::Else { tag, chained } => return Ok((nodes, Ending::Else { tag, chained })),
            }
        }
    }

    fn text_or_action(&mut self) -> Result<Item> {
        let token = self.next_non_space();
        match token.kind {
            Kind::Text => Ok(Item::Node(Node::Text(Text {
                pos: self.pos(token.start),
                raw: token.value,
                text: token.trimmed,
            }))),
            Kind::LeftDelim => {
                let start = self.pos(token.start);
                let outer = self.action_start.replace(start);
                let item = self.action(&token);
                self.action_start = outer;
                item
            }
            Kind::Comment => Ok(Item::Node(Node::Comment(Comment {
                tag: Tag {
                    pos: self.pos(token.start),
                    trim_left: token.trim,
                    trim_right: token.trim_right,
                },
                text: token.value,
            }))),
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn tag(&self, delim: &Token, end: &Token) -> Tag {
        Tag {
            pos: self.pos(delim.start),
            trim_left: delim.trim,
            trim_right: end.trim,
        }
    }

    fn action(&mut self, delim: &Token) -> Result<Item> {
        let token = self.next_non_space();
        let node = match token.kind {
            Kind::Block => self.parse_block(delim)?,
            Kind::Break | Kind::Continue => {
                let end = self.next_non_space();
                let word = if token.kind == Kind::Break {
                    "break"
                } else {
                    "continue"
                };
                if end.kind != Kind::RightDelim {
                    return Err(self.unexpected(&end, &format!("{{{{{word}}}}}")));
                }
                if self.range_depth == 0 {
                    return Err(self.error(
                        &token,
                        format!("{{{{{word}}}}} outside {{{{range}}}}"),
                        "`{{break}}` and `{{continue}}` work only in the body of a `{{range}}` (not in its `{{else}}`, nor in a `define` or `block` called from it)",
                    ));
                }
                let tag = self.tag(delim, &end);
                if token.kind == Kind::Break {
                    Node::Break(tag)
                } else {
                    Node::Continue(tag)
                }
            }
            Kind::Else => {
                let next = self.peek_non_space().kind;
                if next == Kind::If || next == Kind::With {
                    let tag = Tag {
                        pos: self.pos(delim.start),
                        trim_left: delim.trim,
                        trim_right: false,
                    };
                    return Ok(Item::Else { tag, chained: true });
                }
                let end = self.expect(Kind::RightDelim, "else")?;
                return Ok(Item::Else {
                    tag: self.tag(delim, &end),
                    chained: false,
                });
            }
            Kind::End => {
                let end = self.expect(Kind::RightDelim, "end")?;
                return Ok(Item::End(self.tag(delim, &end)));
            }
            Kind::If => Node::If(Box::new(self.parse_control(Control::If, delim)?)),
            Kind::Range => Node::Range(Box::new(self.parse_control(Control::Range, delim)?)),
            Kind::With => Node::With(Box::new(self.parse_control(Control::With, delim)?)),
            Kind::Template => self.parse_template(delim)?,
            _ => {
                self.backup();
                // Variables declared here live until the enclosing `{{end}}`.
                let (pipe, end) = self.pipeline("command", Kind::RightDelim)?;
                Node::Action(Action {
                    tag: self.tag(delim, &end),
                    pipe,
                })
            }
        };
        Ok(Item::Node(node))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> Result<Token> {
        let token = self.next_non_space();
        if token.kind != kind {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    /// `if`, `range` or `with` after its keyword: pipeline, body, optional `else`, `end`.
    fn parse_control(&mut self, control: Control, delim: &Token) -> Result<Branch> {
        self.nest(delim)?;
        let vars_before = self.vars.len();
        let start = self.pos(delim.start);
        self.open.push((control.name(), start));
        let (pipe, end) = self.pipeline(control.name(), Kind::RightDelim)?;
        let tag = self.tag(delim, &end);
        if control == Control::Range {
            self.range_depth += 1;
        }
        let (body, item) = self.item_list()?;
        if control == Control::Range {
            self.range_depth -= 1;
        }
        let (otherwise, end) = match item {
            Ending::End(end) => (None, end),
            Ending::Else {
                tag: else_tag,
                chained,
            } => {
                let next = self.peek().kind;
                if chained && control == Control::If && next == Kind::If
                    || chained && control == Control::With && next == Kind::With
                {
                    self.next();
                    let else_delim = Token {
                        kind: Kind::LeftDelim,
                        start: else_tag.pos.offset,
                        value: String::new(),
                        trim: else_tag.trim_left,
                        trim_right: false,
                        trimmed: String::new(),
                    };
                    let chained = self.parse_control(control, &else_delim)?;
                    let end = chained.end;
                    (Some(Otherwise::Chain(Box::new(chained))), end)
                } else {
                    let (else_body, item) = self.item_list()?;
                    match item {
                        Ending::End(end) => (
                            Some(Otherwise::Else {
                                tag: else_tag,
                                body: else_body,
                            }),
                            end,
                        ),
                        Ending::Else { tag, .. } => {
                            return Err(self.error_at(
                                tag.pos,
                                "expected {{end}}; found {{else}}",
                                format!("a `{{{{{}}}}}` has one `{{{{else}}}}`; for more cases write `{{{{else if ...}}}}`", control.name()),
                            ));
                        }
                    }
                }
            }
        };
        self.open.pop();
        self.vars.truncate(vars_before);
        self.nesting -= 1;
        Ok(Branch {
            tag,
            pipe,
            body,
            otherwise,
            end,
        })
    }

    /// A `define` or `block` body: a template of its own, which sees no variable but `$` and
    /// is not inside any `range`.
    fn separate_body(&mut self, what: &'static str, delim: &Token) -> Result<(Vec<Node>, Tag)> {
        self.nest(delim)?;
        let vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let range_depth = std::mem::take(&mut self.range_depth);
        self.open.push((what, self.pos(delim.start)));
        let (body, item) = self.item_list()?;
        self.open.pop();
        self.vars = vars;
        self.range_depth = range_depth;
        self.nesting -= 1;
        match item {
            Ending::End(end) => Ok((body, end)),
            Ending::Else { tag, .. } => Err(self.error_at(
                tag.pos,
                format!("unexpected {{{{else}}}} in {what} clause"),
                format!("a `{what}` has no `{{{{else}}}}`; put the `{{{{if}}}}` inside it"),
            )),
        }
    }

    fn template_name(&mut self, context: &str) -> Result<StringLit> {
        let token = self.next_non_space();
        if token.kind != Kind::String && token.kind != Kind::RawString {
            let error = self.unexpected(&token, context);
            if matches!(token.kind, Kind::Error | Kind::Eof) {
                return Err(error);
            }
            return Err(error.with_hint("the name of a template is a quoted string: `{{template \"name\" .}}`; to choose the name at render time use `include`"));
        }
        self.string_lit(&token)
    }

    /// Records a `define` or `block` name; two non-empty definitions in one file are an error.
    fn record_definition(&mut self, name: &StringLit, body: &[Node]) -> Result<()> {
        let empty = is_empty(body);
        if let Some((first, first_empty)) = self.defined.get(&name.value)
            && !*first_empty
            && !empty
        {
            return Err(self.error_at(
                name.pos,
                format!("template: multiple definition of template {:?}", name.value),
                format!(
                    "`{}` is already defined at line {}, column {} of this file; rename one of them",
                    name.value, first.line, first.column
                ),
            ));
        }
        if !empty || !self.defined.contains_key(&name.value) {
            self.defined.insert(name.value.clone(), (name.pos, empty));
        }
        Ok(())
    }

    fn parse_define(&mut self, delim: &Token) -> Result<Node> {
        let name = self.template_name("define clause")?;
        let end = self.expect(Kind::RightDelim, "define clause")?;
        let tag = self.tag(delim, &end);
        let (body, end) = self.separate_body("define", delim)?;
        self.record_definition(&name, &body)?;
        Ok(Node::Define(Box::new(Define {
            tag,
            name,
            body,
            end,
        })))
    }

    fn parse_block(&mut self, delim: &Token) -> Result<Node> {
        let name = self.template_name("block clause")?;
        let (pipe, end) = self.pipeline("block clause", Kind::RightDelim)?;
        let tag = self.tag(delim, &end);
        let (body, end) = self.separate_body("block", delim)?;
        self.record_definition(&name, &body)?;
        Ok(Node::Block(Box::new(Block {
            tag,
            name,
            pipe,
            body,
            end,
        })))
    }

    fn parse_template(&mut self, delim: &Token) -> Result<Node> {
        let name = self.template_name("template clause")?;
        let token = self.next_non_space();
        let (pipe, end) = if token.kind == Kind::RightDelim {
            (None, token)
        } else {
            self.backup();
            let (pipe, end) = self.pipeline("template clause", Kind::RightDelim)?;
            (Some(pipe), end)
        };
        Ok(Node::Template(Box::new(TemplateCall {
            tag: self.tag(delim, &end),
            name,
            pipe,
        })))
    }

    // ---- pipelines ----

    /// `declarations? command ('|' command)*` up to `end` (`}}` or `)`), which is returned.
    fn pipeline(&mut self, context: &str, end: Kind) -> Result<(Pipeline, Token)> {
        let first = self.peek_non_space().start;
        let mut pipe = Pipeline {
            pos: self.pos(first),
            decl: Vec::new(),
            is_assign: false,
            commands: Vec::new(),
        };
        'decls: loop {
            if self.peek_non_space().kind != Kind::Variable {
                break;
            }
            let mark = self.at;
            let variable = self.next();
            let next = self.peek_non_space().clone();
            let declared = Variable {
                pos: self.pos(variable.start),
                name: variable.value.clone(),
                fields: Vec::new(),
            };
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = next.kind == Kind::Assign;
                    self.next_non_space();
                    pipe.decl.push(declared);
                    self.vars.push(variable.value);
                }
                Kind::Char if next.value == "," => {
                    self.next_non_space();
                    pipe.decl.push(declared);
                    self.vars.push(variable.value);
                    if context == "range" && pipe.decl.len() < 2 {
                        let after = self.peek_non_space().clone();
                        match after.kind {
                            Kind::Variable | Kind::RightDelim | Kind::RightParen => continue 'decls,
                            _ => {
                                return Err(self.error(
                                    &after,
                                    "range can only initialize variables",
                                    "write `{{range $index, $element := ...}}`",
                                ));
                            }
                        }
                    }
                    return Err(self.error(
                        &next,
                        format!("too many declarations in {context}"),
                        "only `range` declares two variables (`$index, $element`); elsewhere declare one",
                    ));
                }
                _ => self.at = mark,
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            if token.kind == end {
                self.check_pipeline(&pipe, context, &token)?;
                return Ok((pipe, token));
            }
            match token.kind {
                Kind::Bool
                | Kind::CharConstant
                | Kind::Complex
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let command = self.command()?;
                    pipe.commands.push(command);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipeline, context: &str, end: &Token) -> Result<()> {
        if pipe.commands.is_empty() {
            return Err(self.error(
                end,
                format!("missing value for {context}"),
                "write a value or a function call here",
            ));
        }
        for (i, command) in pipe.commands.iter().enumerate().skip(1) {
            if let Some(
                first @ (Expr::Bool(_)
                | Expr::Dot(_)
                | Expr::Nil(_)
                | Expr::Number(_)
                | Expr::String(_)),
            ) = command.args.first()
            {
                return Err(self.error_at(
                    first.pos(),
                    format!("non executable command in pipeline stage {}", i + 1),
                    "after `|` comes a function (or method), which gets the value before `|` as its last argument",
                ));
            }
        }
        Ok(())
    }

    /// Space-separated operands up to `|`, `}}` or `)`; `|` is consumed, the others are not.
    fn command(&mut self) -> Result<Command> {
        let start = self.peek_non_space().start;
        let pos = self.pos(start);
        let mut args = Vec::new();
        loop {
            self.skip_spaces();
            if let Some(operand) = self.operand()? {
                args.push(operand);
            }
            let token = self.next();
            match token.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.error_at(
                pos,
                "empty command",
                "write a value or a function call here",
            ));
        }
        Ok(Command { pos, args })
    }

    /// A term and the fields that follow it without a space: `.a.b`, `$x.a`, `(f .).a`.
    fn operand(&mut self) -> Result<Option<Expr>> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(term));
        }
        let mut fields = Vec::new();
        while self.peek().kind == Kind::Field {
            fields.push(self.next().value[1..].to_string());
        }
        Ok(Some(match term {
            Expr::Field(mut f) => {
                f.names.extend(fields);
                Expr::Field(f)
            }
            Expr::Variable(mut v) => {
                v.fields.extend(fields);
                Expr::Variable(v)
            }
            Expr::Bool(_) | Expr::String(_) | Expr::Number(_) | Expr::Nil(_) | Expr::Dot(_) => {
                return Err(self.error_at(
                    term.pos(),
                    format!(
                        "unexpected . after term {:?}",
                        term_text(self.source, &term)
                    ),
                    "only maps and objects have fields; to take a field of `.` write `.name`",
                ));
            }
            base => Expr::Chain(Chain {
                pos: base.pos(),
                base: Box::new(base),
                fields,
            }),
        }))
    }

    fn term(&mut self) -> Result<Option<Expr>> {
        let token = self.next_non_space();
        let pos = self.pos(token.start);
        Ok(Some(match token.kind {
            Kind::Identifier => Expr::Identifier(Identifier {
                pos,
                name: token.value,
            }),
            Kind::Dot => Expr::Dot(pos),
            Kind::Nil => Expr::Nil(pos),
            Kind::Variable => {
                if !self.vars.contains(&token.value) {
                    return Err(self.error(
                        &token,
                        format!("undefined variable {:?}", token.value),
                        format!(
                            "declare it first with `{{{{ {} := ... }}}}`; a variable declared inside `{{{{if}}}}`, `{{{{range}}}}` or `{{{{with}}}}` ends at its `{{{{end}}}}`, and a `define` sees only `$` (pass values to it in a `dict`)",
                            token.value
                        ),
                    ));
                }
                Expr::Variable(Variable {
                    pos,
                    name: token.value,
                    fields: Vec::new(),
                })
            }
            Kind::Field => Expr::Field(Field {
                pos,
                names: vec![token.value[1..].to_string()],
            }),
            Kind::Bool => Expr::Bool(BoolLit {
                pos,
                value: token.value == "true",
            }),
            Kind::CharConstant | Kind::Complex | Kind::Number => {
                let kind = match token.kind {
                    Kind::CharConstant => NumberKind::Char,
                    Kind::Complex => NumberKind::Complex,
                    _ => NumberKind::Number,
                };
                let n = literal::number(&token.value, kind).map_err(|e| {
                    self.error(
                        &token,
                        e.message(),
                        "write the number in one of Go's forms (`12`, `1.5`, `1e3`, `0x1F`) or quote it as a string",
                    )
                })?;
                Expr::Number(NumberLit {
                    pos,
                    text: token.value,
                    int: n.int,
                    uint: n.uint,
                    float: n.float,
                    complex: n.complex,
                })
            }
            Kind::LeftParen => {
                self.nest(&token)?;
                let (pipe, _) = self.pipeline("parenthesized pipeline", Kind::RightParen)?;
                self.nesting -= 1;
                Expr::Pipeline(Box::new(pipe))
            }
            Kind::String | Kind::RawString => Expr::String(self.string_lit(&token)?),
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn string_lit(&self, token: &Token) -> Result<StringLit> {
        let value = literal::unquote(&token.value).map_err(|e| {
            self.error(
                token,
                e.message(),
                "Go strings know the escapes \\a \\b \\f \\n \\r \\t \\v \\\\ \\\" \\xHH \\ooo \\uHHHH \\UHHHHHHHH; or write a raw string in backquotes",
            )
        })?;
        Ok(StringLit {
            pos: self.pos(token.start),
            quoted: token.value.clone(),
            value,
        })
    }
}

/// Go's `IsEmptyTree`: only whitespace and comments.
pub(crate) fn is_empty(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(t) => t.text.trim().is_empty(),
        Node::Comment(_) => true,
        _ => false,
    })
}

/// A token as messages show it.
fn describe(token: &Token) -> String {
    match token.kind {
        Kind::Eof => "end of file".to_string(),
        Kind::Text => "text".to_string(),
        Kind::LeftDelim => "\"{{\"".to_string(),
        Kind::Block
        | Kind::Break
        | Kind::Continue
        | Kind::Define
        | Kind::Else
        | Kind::End
        | Kind::If
        | Kind::Range
        | Kind::Template
        | Kind::With
        | Kind::Nil
        | Kind::Dot => format!("<{}>", token.value),
        _ if token.value.chars().count() > 10 => {
            let short: String = token.value.chars().take(10).collect();
            format!("{short:?}...")
        }
        _ => format!("{:?}", token.value),
    }
}

fn hint_for_unexpected(token: &Token, context: &str) -> String {
    match (token.kind, context) {
        (Kind::Define, _) => "`define` is allowed only at the top level of a file, not inside another construct".to_string(),
        (Kind::RightParen, _) => "remove the `)` or add the `(` it closes".to_string(),
        (Kind::Declare | Kind::Assign, _) => "declare a variable at the start of a tag: `{{ $x := value }}`; `$x.a := ...` is not possible".to_string(),
        (Kind::Char, _) if token.value == "," => "arguments are separated by spaces, not commas; only `range $i, $v := ...` uses a comma".to_string(),
        (Kind::String | Kind::RawString | Kind::Number, "operand") => "put a space between two arguments".to_string(),
        (Kind::Pipe, _) => "a `|` needs a command on both sides".to_string(),
        (Kind::If | Kind::With, "input") => "`else if` belongs in an `if`, `else with` in a `with`; elsewhere write `{{else}}{{if ...}}...{{end}}`".to_string(),
        _ => String::new(),
    }
}

/// How Go shows a term in "unexpected . after term": its source text.
fn term_text(source: &str, term: &Expr) -> String {
    match term {
        Expr::String(s) => s.quoted.clone(),
        Expr::Number(n) => n.text.clone(),
        Expr::Bool(b) => b.value.to_string(),
        Expr::Nil(_) => "nil".to_string(),
        Expr::Dot(_) => ".".to_string(),
        other => source
            .get(other.pos().offset..)
            .and_then(|s| s.split_whitespace().next())
            .unwrap_or("")
            .to_string(),
    }
}
