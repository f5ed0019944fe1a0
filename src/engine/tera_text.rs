//! Tera expression text as Tera's lexer reads it: what lies inside a string literal (`"…"`,
//! `'…'` or `` `…` ``, where `\` escapes the next character) is not syntax. The scanners that
//! look for brackets, pipes, words or a tag's close in template text share this one walk.
//! [`join_operands`] reads a little further: the operands of the `~` joins.

/// The bytes of `text` outside string literals, with their offsets. The quotes that open and
/// close a literal are yielded; what lies between them is not. Bytes of multi-byte characters
/// are all 0x80 or above, so a yielded ASCII byte's offset is a character boundary.
pub fn outside_strings(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    text.bytes().enumerate().filter(move |&(_, b)| match quote {
        Some(_) if escaped => {
            escaped = false;
            false
        }
        Some(_) if b == b'\\' => {
            escaped = true;
            false
        }
        Some(q) => {
            if b == q {
                quote = None;
            }
            b == q
        }
        None => {
            if matches!(b, b'"' | b'\'' | b'`') {
                quote = Some(b);
            }
            true
        }
    })
}

/// What a literal is, as a side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    String,
    Number,
    Bool,
}

impl Literal {
    pub fn name(self) -> &'static str {
        match self {
            Literal::String => "string",
            Literal::Number => "number",
            Literal::Bool => "boolean",
        }
    }

    fn of(text: &[u8]) -> Option<Literal> {
        match text.first()? {
            b'"' | b'\'' | b'`' => Some(Literal::String),
            b if b.is_ascii_digit() => Some(Literal::Number),
            _ if text == b"true" || text == b"false" => Some(Literal::Bool),
            _ => None,
        }
    }
}

/// The operands of `text` (an expression, or a tag's words) that ktera checks, at any depth of
/// brackets, as byte ranges in order of their start:
/// - `joined`: the operands of the `~` joins. An operand is what binds tighter than `~` next
///   to it: a literal, a name, a bracketed group, with its fields, indexes, calls and
///   `| filters` (`Values.a.b | upper`, `f(x)[0]`, `(a + b)`). Beyond an operator of the same
///   rank (`a * b ~ c`) only the nearest operand is named; the operator checks the other one.
/// - `compared`: the side of an `==` or `!=` whose other side is a literal
///   (`Values.port == "8080"`), with what that literal is. A side is taken only when it is the
///   whole side, nothing of `~`'s rank or tighter around it (`Values.a + 1 == 2` is left alone).
///
/// Written by hand: Tera does not expose its parser, and this needs only where operands end.
#[derive(Debug, Default)]
pub struct Operands {
    pub joined: Vec<(usize, usize)>,
    pub compared: Vec<(usize, usize, Literal)>,
}

impl Operands {
    pub fn of(text: &str) -> Operands {
        let mut found = Operands::default();
        let bytes = text.as_bytes();
        // Most tags have neither: one pass over their bytes says so.
        let worth = bytes.contains(&b'~')
            || bytes
                .windows(2)
                .any(|w| w[1] == b'=' && matches!(w[0], b'=' | b'!'));
        if worth {
            let mut scanner = Scanner {
                text: text.as_bytes(),
                found: &mut found,
            };
            scanner.scan(0, text.len());
        }
        found.joined.sort_unstable();
        found.joined.dedup();
        found
            .compared
            .sort_unstable_by_key(|&(start, end, _)| (start, end));
        found
    }
}

/// Words that join or test operands: not operands themselves.
const OPERATOR_WORDS: &[&[u8]] = &[b"and", b"or", b"not", b"in", b"is", b"if", b"else"];

/// What lies between two operands, by how tightly it binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Operand(usize, usize),
    /// `~`.
    Join,
    /// `+ - * / %`: as tight as `~` or tighter; an operand next to one is not a whole side of
    /// a comparison.
    Tight,
    /// `==` or `!=`.
    Equality,
    /// `<`, `>`, `<=`, `>=`: of a comparison's rank, as `==` is.
    Ordering,
    /// Anything that binds more loosely than a comparison (`and`, `,`, `(`), or a test.
    Loose,
}

struct Scanner<'a> {
    text: &'a [u8],
    found: &'a mut Operands,
}

impl Scanner<'_> {
    /// Notes the checked operands of `text[at..to]`, a run of operands and operators.
    fn scan(&mut self, mut at: usize, to: usize) {
        let mut items = Vec::new();
        while at < to {
            let b = self.text[at];
            let next = self.text.get(at + 1).copied();
            if b.is_ascii_whitespace() {
                at += 1;
                continue;
            }
            if let Some(end) = self.operand(at, to) {
                items.push(Item::Operand(at, end));
                at = end;
                continue;
            }
            let (item, end) = match b {
                b'~' => (Item::Join, at + 1),
                b'+' | b'-' | b'*' | b'/' | b'%' => (Item::Tight, at + 1),
                b'=' | b'!' if next == Some(b'=') => (Item::Equality, at + 2),
                b'<' | b'>' => (Item::Ordering, at + 1 + usize::from(next == Some(b'='))),
                // A filter on what is no operand (`x is string | default(...)`).
                b'|' => (Item::Loose, self.call_end(at + 1, to)),
                _ if is_word_start(b) => {
                    let end = self.word_end(at, to);
                    if &self.text[at..end] == b"is" {
                        (Item::Loose, self.test_end(end, to))
                    } else {
                        (Item::Loose, end)
                    }
                }
                _ => (Item::Loose, at + 1),
            };
            items.push(item);
            at = end;
        }
        self.note(&items);
    }

    fn note(&mut self, items: &[Item]) {
        let operand = |i: Option<usize>| match i.and_then(|i| items.get(i)) {
            Some(&Item::Operand(start, end)) => Some((start, end)),
            _ => None,
        };
        // A whole side: what lies on its far side binds more loosely than the comparison; on
        // the right, another comparison too (`x == "a" == true` is `(x == "a") == true`).
        let whole_left = |i: Option<usize>| {
            i.and_then(|i| items.get(i))
                .is_none_or(|item| *item == Item::Loose)
        };
        let whole_right = |i: usize| {
            items
                .get(i)
                .is_none_or(|item| matches!(item, Item::Loose | Item::Equality | Item::Ordering))
        };
        for (i, item) in items.iter().enumerate() {
            match item {
                Item::Join => {
                    self.found.joined.extend(operand(i.checked_sub(1)));
                    self.found.joined.extend(operand(Some(i + 1)));
                }
                Item::Equality => {
                    let (Some(left), Some(right)) =
                        (operand(i.checked_sub(1)), operand(Some(i + 1)))
                    else {
                        continue;
                    };
                    if !whole_left(i.checked_sub(2)) || !whole_right(i + 2) {
                        continue;
                    }
                    let kind = |(start, end): (usize, usize)| Literal::of(&self.text[start..end]);
                    match (kind(left), kind(right)) {
                        (None, Some(literal)) => {
                            self.found.compared.push((left.0, left.1, literal))
                        }
                        (Some(literal), None) => {
                            self.found.compared.push((right.0, right.1, literal))
                        }
                        // `"1" == 1`: never equal.
                        (Some(a), Some(b)) if a != b => {
                            self.found.compared.push((left.0, left.1, b))
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// The end of the operand starting at `at`, if one starts there.
    fn operand(&mut self, at: usize, to: usize) -> Option<usize> {
        let mut end = match self.text[at] {
            b'"' | b'\'' | b'`' => self.string_end(at, to),
            b'(' | b'[' | b'{' => self.group_end(at, to),
            b if b.is_ascii_digit() => self.word_end(at, to),
            b if is_word_start(b) => {
                let end = self.word_end(at, to);
                if OPERATOR_WORDS.contains(&&self.text[at..end]) {
                    return None;
                }
                end
            }
            _ => return None,
        };
        // Fields, indexes, calls and filters bind tighter than `~`.
        loop {
            let next = self.skip_space(end, to);
            match self.text.get(next).copied() {
                Some(b'.')
                    if next + 1 < to
                        && (is_word_start(self.text[next + 1])
                            || self.text[next + 1].is_ascii_digit()) =>
                {
                    end = self.word_end(next + 1, to);
                }
                Some(b'[' | b'(') if next < to => end = self.group_end(next, to),
                Some(b'|') if next < to => {
                    let name = self.skip_space(next + 1, to);
                    if name >= to || !is_word_start(self.text[name]) {
                        break;
                    }
                    end = self.call_end(name, to);
                }
                _ => break,
            }
        }
        Some(end)
    }

    /// Past the test that follows an `is` ending at `at` (`is not string`, `is divisible_by(3)`):
    /// its name is no operand; the joins in its arguments are noted.
    fn test_end(&mut self, at: usize, to: usize) -> usize {
        let mut name = self.skip_space(at, to);
        if name < to && is_word_start(self.text[name]) {
            let end = self.word_end(name, to);
            if &self.text[name..end] == b"not" {
                name = end;
            }
        }
        self.call_end(name, to)
    }

    /// Past the name of a filter or test after `at`, with its arguments if any; the joins in
    /// them are noted.
    fn call_end(&mut self, at: usize, to: usize) -> usize {
        let name = self.skip_space(at, to);
        if name >= to || !is_word_start(self.text[name]) {
            return name;
        }
        let end = self.word_end(name, to);
        let args = self.skip_space(end, to);
        if args < to && self.text[args] == b'(' {
            self.group_end(args, to)
        } else {
            end
        }
    }

    /// The end of the bracketed group opening at `at`, past its close; the joins inside it
    /// are noted.
    fn group_end(&mut self, at: usize, to: usize) -> usize {
        let mut depth = 0usize;
        let mut i = at;
        while i < to {
            match self.text[i] {
                b'"' | b'\'' | b'`' => {
                    i = self.string_end(i, to);
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.scan(at + 1, i);
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.scan(at + 1, to);
        to
    }

    /// The end of the string literal opening at `at`, past its closing quote.
    fn string_end(&self, at: usize, to: usize) -> usize {
        let quote = self.text[at];
        let mut i = at + 1;
        while i < to {
            match self.text[i] {
                b'\\' => i += 2,
                b if b == quote => return i + 1,
                _ => i += 1,
            }
        }
        to
    }

    /// The end of the name or number starting at `at` (`1.5` is one number).
    fn word_end(&self, at: usize, to: usize) -> usize {
        let number = self.text[at].is_ascii_digit();
        let mut i = at;
        while i < to {
            let b = self.text[i];
            let fits = is_word_start(b)
                || b.is_ascii_digit()
                || number && b == b'.' && self.text.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !fits {
                break;
            }
            i += 1;
        }
        i
    }

    fn skip_space(&self, mut at: usize, to: usize) -> usize {
        while at < to && self.text[at].is_ascii_whitespace() {
            at += 1;
        }
        at
    }
}

/// A byte that starts a name: a letter, `_`, or a byte of a multi-byte character.
fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::{Operands, outside_strings};

    fn kept(text: &str) -> String {
        outside_strings(text).map(|(_, b)| b as char).collect()
    }

    #[test]
    fn literals_keep_their_quotes_and_lose_their_text() {
        assert_eq!(
            kept(r#"a | f(x="(|)") ~ 'b]' ~ `c}`"#),
            r#"a | f(x="") ~ '' ~ ``"#
        );
    }

    #[test]
    fn a_backslash_escapes_the_next_character_inside_a_literal_only() {
        assert_eq!(kept(r#""a\"b" | c"#), r#""" | c"#);
        assert_eq!(kept(r#"'\\' ~ x"#), "'' ~ x");
        assert_eq!(kept(r"a\b"), r"a\b");
    }

    #[test]
    fn offsets_are_of_the_text_and_an_unclosed_literal_runs_to_the_end() {
        let found: Vec<usize> = outside_strings("é(\"ü)\")").map(|(i, _)| i).collect();
        assert_eq!(found, vec![0, 1, 2, 3, 7, 8]);
        assert_eq!(kept("x \"open ) ("), "x \"");
    }

    fn joined(text: &str) -> Vec<&str> {
        Operands::of(text)
            .joined
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn the_operands_of_a_join_are_what_binds_tighter_than_it() {
        assert_eq!(
            joined(r#"Values.image.repository ~ ":" ~ Values.image.tag"#),
            ["Values.image.repository", r#"":""#, "Values.image.tag"]
        );
        assert_eq!(
            joined(r#"a | default(value="x") ~ b.c[0] ~ f(y)"#),
            [r#"a | default(value="x")"#, "b.c[0]", "f(y)"]
        );
        assert_eq!(joined("a * b ~ -c + 1.5 ~ d"), ["b", "1.5", "d"]);
        assert_eq!(joined("x and y ~ z or not w"), ["y", "z"]);
        // A test's name is no operand; `x is t` as a whole is joined, and gives a boolean.
        assert_eq!(joined("a ~ b is string ~ c"), ["a", "b", "c"]);
        assert_eq!(joined("a is not divisible_by(b ~ c) ~ d"), ["b", "c", "d"]);
        assert_eq!(
            joined("a is string | default(value=b ~ c) ~ d"),
            ["b", "c", "d"]
        );
        assert_eq!(joined("a + b"), Vec::<&str>::new());
    }

    fn compared(text: &str) -> Vec<(&str, &'static str)> {
        Operands::of(text)
            .compared
            .into_iter()
            .map(|(s, e, literal)| (&text[s..e], literal.name()))
            .collect()
    }

    #[test]
    fn a_whole_side_compared_with_a_literal_is_found() {
        assert_eq!(
            compared(r#"Values.port == "8080" and 1 != Values.on | first"#),
            [("Values.port", "string"), ("Values.on | first", "number")]
        );
        assert_eq!(
            compared("not (Values.b == true) or f(x != 2.5)"),
            [("Values.b", "boolean"), ("x", "number")]
        );
        assert_eq!(
            compared(r#"x if Values.a == "y" else z"#),
            [("Values.a", "string")]
        );
        assert_eq!(compared(r#""1" == 1"#), [(r#""1""#, "number")]);
        // Comparisons chain to the left: only the first has whole sides.
        assert_eq!(compared(r#"true == x == "a""#), [("x", "boolean")]);
        assert_eq!(compared(r#"x == "a" == 1"#), [("x", "string")]);
        // Not whole sides, two literals, two names, other comparisons: left alone.
        for text in [
            "Values.a + 1 == 2",
            r#"Values.a == "x" ~ y"#,
            "2 == -Values.a",
            r#""a" == "b""#,
            "1 == 2.5",
            "a == b",
            r#"a < "b""#,
            "a is string == true",
            "n < 2 == true",
        ] {
            assert_eq!(compared(text), Vec::<(&str, &str)>::new(), "{text}");
        }
    }

    #[test]
    fn joins_inside_brackets_and_tags_are_found_and_strings_are_not_read() {
        assert_eq!(
            joined(r#"set x = f(k=a ~ "~", m={"n": (b ~ c)}) "#),
            ["a", r#""~""#, "b", "c"]
        );
        assert_eq!(joined(r#"(a ~ b) ~ c"#), ["(a ~ b)", "a", "b", "c"]);
        assert_eq!(joined(r#"'a\'~' ~ b"#), [r#"'a\'~'"#, "b"]);
        assert_eq!(joined("é ~ ü.x"), ["é", "ü.x"]);
        // Unclosed brackets and literals end at the end of the text.
        assert_eq!(joined("f(a ~ b"), ["a", "b"]);
        assert_eq!(joined("a ~ \"b"), ["a", "\"b"]);
        assert_eq!(joined("~ ~ a ~"), ["a"]);
    }
}
