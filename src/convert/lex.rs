//! The lexer: Go's `text/template/parse/lex.go` state machine, rule for rule (trim markers,
//! comments, newlines inside actions, every number form), written as one pass that returns
//! all tokens. A lexing error ends the list as an `Error` token where it happened, so the
//! parser reports the errors in the order Go does: an earlier parse error wins.

/// What a token is. Keywords are separate kinds; `break` and `continue` are always keywords
/// because Helm defines no function with those names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// `{{` (with `trim` when written `{{- `).
    LeftDelim,
    /// `}}` (with `trim` when written ` -}}`).
    RightDelim,
    /// A whole `{{/* ... */}}`; `trim` is the left marker, `trim_right` the right one.
    Comment,
    Space,
    Pipe,
    LeftParen,
    RightParen,
    /// `:=`
    Declare,
    /// `=`
    Assign,
    /// Any other printable ASCII character inside an action (`,` is the only one the
    /// grammar uses).
    Char,
    String,
    RawString,
    CharConstant,
    Number,
    Complex,
    Bool,
    Field,
    Variable,
    Identifier,
    Dot,
    Nil,
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
    Eof,
    /// The lexer stopped here; `value` is the message.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Byte offset of the token's first character.
    pub start: usize,
    /// The token as written; for `Text`, the raw text; for `Error`, the message.
    pub value: String,
    /// `{{- ` on a `LeftDelim` or `Comment`, ` -}}` on a `RightDelim`.
    pub trim: bool,
    /// ` -}}` on a `Comment`.
    pub trim_right: bool,
    /// For `Text`: the text without the whitespace that trim markers remove.
    pub trimmed: String,
}

const LEFT_DELIM: &str = "{{";
const RIGHT_DELIM: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";
/// A trim marker is `-` with a space before (right) or after (left) it.
const TRIM_MARKER_LEN: usize = 2;

/// Go's `isSpace`: the four characters that separate arguments and that trim markers remove.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Go's `isAlphaNumeric` (`_`, letters, digits). Rust's classes are used for letters and
/// digits beyond ASCII; they admit a few more characters than Go's (superscript digits).
fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

fn keyword(word: &str) -> Option<Kind> {
    Some(match word {
        "block" => Kind::Block,
        "break" => Kind::Break,
        "continue" => Kind::Continue,
        "define" => Kind::Define,
        "else" => Kind::Else,
        "end" => Kind::End,
        "if" => Kind::If,
        "range" => Kind::Range,
        "nil" => Kind::Nil,
        "template" => Kind::Template,
        "with" => Kind::With,
        _ => return None,
    })
}

/// All tokens of `input`, ending with `Eof` or `Error`.
pub fn tokens(input: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        input,
        pos: 0,
        start: 0,
        paren_depth: 0,
        trim_next_text: false,
        out: Vec::new(),
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    paren_depth: usize,
    /// The previous tag ended with ` -}}`: the next text loses its leading whitespace.
    trim_next_text: bool,
    out: Vec<Token>,
}

/// Which state runs next; `None` stops.
#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    InsideAction,
    Space,
    RightDelim,
    Comment { trim_left: bool },
}

impl<'a> Lexer<'a> {
    fn run(&mut self) {
        let mut state = Some(State::Text);
        while let Some(s) = state {
            state = match s {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Space => self.lex_space(),
                State::RightDelim => self.lex_right_delim(),
                State::Comment { trim_left } => self.lex_comment(trim_left),
            };
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Steps back over `c`, which `next` just returned.
    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn emit(&mut self, kind: Kind) {
        self.emit_with(kind, false, false);
    }

    fn emit_with(&mut self, kind: Kind, trim: bool, trim_right: bool) {
        self.out.push(Token {
            kind,
            start: self.start,
            value: self.input[self.start..self.pos].to_string(),
            trim,
            trim_right,
            trimmed: String::new(),
        });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    /// Stops with `message`, located at byte `at`.
    fn error(&mut self, at: usize, message: String) -> Option<State> {
        self.out.push(Token {
            kind: Kind::Error,
            start: at,
            value: message,
            trim: false,
            trim_right: false,
            trimmed: String::new(),
        });
        None
    }

    /// Text up to the next `{{`. Unlike Go, text that trim markers empty is still returned
    /// (with an empty `trimmed`) so that the layout of the file is kept.
    fn lex_text(&mut self) -> Option<State> {
        let trim_leading = std::mem::take(&mut self.trim_next_text);
        let (end, next) = match self.rest().find(LEFT_DELIM) {
            Some(x) => (self.pos + x, Some(State::LeftDelim)),
            None => (self.input.len(), None),
        };
        if end > self.start {
            let raw = &self.input[self.start..end];
            let trim_trailing =
                next.is_some() && has_left_trim_marker(&self.input[end + LEFT_DELIM.len()..]);
            let mut trimmed = raw;
            if trim_leading {
                trimmed = trimmed.trim_start_matches(is_space);
            }
            if trim_trailing {
                trimmed = trimmed.trim_end_matches(is_space);
            }
            self.out.push(Token {
                kind: Kind::Text,
                start: self.start,
                value: raw.to_string(),
                trim: false,
                trim_right: false,
                trimmed: trimmed.to_string(),
            });
        }
        self.pos = end;
        self.start = end;
        if next.is_none() {
            self.emit(Kind::Eof);
        }
        next
    }

    fn lex_left_delim(&mut self) -> Option<State> {
        self.pos += LEFT_DELIM.len();
        let trim = has_left_trim_marker(self.rest());
        let after_marker = if trim { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after_marker..].starts_with(LEFT_COMMENT) {
            // The comment token starts at its `{{`.
            return Some(State::Comment { trim_left: trim });
        }
        self.emit_with(Kind::LeftDelim, trim, false);
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        Some(State::InsideAction)
    }

    fn lex_comment(&mut self, trim_left: bool) -> Option<State> {
        let comment_start = self.pos + if trim_left { TRIM_MARKER_LEN } else { 0 };
        let body = &self.input[comment_start + LEFT_COMMENT.len()..];
        let Some(i) = body.find(RIGHT_COMMENT) else {
            return self.error(self.start, "unclosed comment".to_string());
        };
        let comment_end = comment_start + LEFT_COMMENT.len() + i + RIGHT_COMMENT.len();
        self.pos = comment_end;
        let Some(trim_right) = self.at_right_delim() else {
            return self.error(
                self.pos,
                "comment ends before closing delimiter".to_string(),
            );
        };
        self.out.push(Token {
            kind: Kind::Comment,
            start: self.start,
            value: self.input[comment_start..comment_end].to_string(),
            trim: trim_left,
            trim_right,
            trimmed: String::new(),
        });
        self.pos += RIGHT_DELIM.len() + if trim_right { TRIM_MARKER_LEN } else { 0 };
        self.ignore();
        self.trim_next_text = trim_right;
        Some(State::Text)
    }

    /// `Some(trim)` when the input is at `}}` or ` -}}`.
    fn at_right_delim(&self) -> Option<bool> {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest[TRIM_MARKER_LEN..].starts_with(RIGHT_DELIM) {
            return Some(true);
        }
        rest.starts_with(RIGHT_DELIM).then_some(false)
    }

    fn lex_right_delim(&mut self) -> Option<State> {
        let trim = has_right_trim_marker(self.rest());
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += RIGHT_DELIM.len();
        self.emit_with(Kind::RightDelim, trim, false);
        self.trim_next_text = trim;
        Some(State::Text)
    }

    fn lex_inside_action(&mut self) -> Option<State> {
        if self.at_right_delim().is_some() {
            if self.paren_depth == 0 {
                return Some(State::RightDelim);
            }
            return self.error(self.pos, "unclosed left paren".to_string());
        }
        let Some(c) = self.next() else {
            return self.error(self.pos, "unclosed action".to_string());
        };
        match c {
            c if is_space(c) => {
                self.backup(Some(c));
                return Some(State::Space);
            }
            '=' => self.emit(Kind::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.error(self.start, "expected :=".to_string());
                }
                self.emit(Kind::Declare);
            }
            '|' => self.emit(Kind::Pipe),
            '"' => return self.lex_quote(),
            '`' => return self.lex_raw_quote(),
            '$' => return self.lex_variable(),
            '\'' => return self.lex_char(),
            // `.5` is a number; `.` at the very end of the input is lexed as one too, as in Go.
            '.' if self.peek().is_some_and(|d| !d.is_ascii_digit()) => {
                return self.lex_field_or_variable(Kind::Field);
            }
            '.' | '+' | '-' | '0'..='9' => {
                self.backup(Some(c));
                return self.lex_number();
            }
            c if is_alphanumeric(c) => {
                self.backup(Some(c));
                return self.lex_identifier();
            }
            '(' => {
                self.emit(Kind::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                self.emit(Kind::RightParen);
                if self.paren_depth == 0 {
                    return self.error(self.pos - 1, "unexpected right paren".to_string());
                }
                self.paren_depth -= 1;
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(Kind::Char),
            c => {
                let at = self.pos - c.len_utf8();
                return self.error(
                    at,
                    format!("unrecognized character in action: {}", describe(c)),
                );
            }
        }
        Some(State::InsideAction)
    }

    /// A run of spaces; the space of a ` -}}` is left for the delimiter.
    fn lex_space(&mut self) -> Option<State> {
        let mut spaces = 0;
        while self.peek().is_some_and(is_space) {
            self.next();
            spaces += 1;
        }
        // `pos - 1` is the last space read; every space is one byte.
        let last = &self.input[self.pos - 1..];
        if has_right_trim_marker(last) && last[TRIM_MARKER_LEN..].starts_with(RIGHT_DELIM) {
            self.pos -= 1;
            if spaces == 1 {
                return Some(State::RightDelim);
            }
        }
        self.emit(Kind::Space);
        Some(State::InsideAction)
    }

    fn lex_identifier(&mut self) -> Option<State> {
        while self.peek().is_some_and(is_alphanumeric) {
            self.next();
        }
        if !self.at_terminator() {
            return self.bad_character();
        }
        let word = &self.input[self.start..self.pos];
        let kind = match word {
            "true" | "false" => Kind::Bool,
            _ => keyword(word).unwrap_or(Kind::Identifier),
        };
        self.emit(kind);
        Some(State::InsideAction)
    }

    fn lex_variable(&mut self) -> Option<State> {
        if self.at_terminator() {
            self.emit(Kind::Variable);
            return Some(State::InsideAction);
        }
        self.lex_field_or_variable(Kind::Variable)
    }

    /// After `.` or `$`: a name, or the bare `.` (dot) or `$`.
    fn lex_field_or_variable(&mut self, kind: Kind) -> Option<State> {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return Some(State::InsideAction);
        }
        while self.peek().is_some_and(is_alphanumeric) {
            self.next();
        }
        if !self.at_terminator() {
            return self.bad_character();
        }
        self.emit(kind);
        Some(State::InsideAction)
    }

    fn bad_character(&mut self) -> Option<State> {
        let c = self.peek().map(describe).unwrap_or_default();
        self.error(self.pos, format!("bad character {c}"))
    }

    /// Whether a name may end here: before a space, `.`, `,`, `|`, `:`, `(`, `)`, `}}` or the end.
    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT_DELIM),
        }
    }

    fn lex_char(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => {
                        return self
                            .error(self.start, "unterminated character constant".to_string());
                    }
                },
                None | Some('\n') => {
                    return self.error(self.start, "unterminated character constant".to_string());
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::CharConstant);
        Some(State::InsideAction)
    }

    fn lex_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.error(self.start, "unterminated quoted string".to_string()),
                },
                None | Some('\n') => {
                    return self.error(self.start, "unterminated quoted string".to_string());
                }
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::String);
        Some(State::InsideAction)
    }

    fn lex_raw_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                None => {
                    return self.error(self.start, "unterminated raw quoted string".to_string());
                }
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::RawString);
        Some(State::InsideAction)
    }

    /// A number, or a complex constant `1+2i`. Like Go's, this scanner accepts some malformed
    /// numbers (`089`, `0x0.2`); the parser refuses them when it reads the value.
    fn lex_number(&mut self) -> Option<State> {
        if !self.scan_number() {
            return self.error(
                self.start,
                format!("bad number syntax: {:?}", &self.input[self.start..self.pos]),
            );
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                return self.error(
                    self.start,
                    format!("bad number syntax: {:?}", &self.input[self.start..self.pos]),
                );
            }
            self.emit(Kind::Complex);
        } else {
            self.emit(Kind::Number);
        }
        Some(State::InsideAction)
    }

    fn scan_number(&mut self) -> bool {
        const DECIMAL: &str = "0123456789_";
        const HEX: &str = "0123456789abcdefABCDEF_";
        self.accept("+-");
        let mut digits = DECIMAL;
        if self.accept("0") {
            if self.accept("xX") {
                digits = HEX;
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits == DECIMAL && self.accept("eE") {
            self.accept("+-");
            self.accept_run(DECIMAL);
        }
        if digits == HEX && self.accept("pP") {
            self.accept("+-");
            self.accept_run(DECIMAL);
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }
}

/// A character as Go's `%#U` shows it: `U+0023 '#'`.
fn describe(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}
