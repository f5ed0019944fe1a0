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

/// The operands of the `~` joins in `text` (an expression, or a tag's words), at any depth of
/// brackets, as byte ranges in order of their start. An operand is what binds tighter than
/// `~` next to it: a literal, a name, a bracketed group, with its fields, indexes, calls and
/// `| filters` (`Values.a.b | upper`, `f(x)[0]`, `(a + b)`). Beyond an operator of the same
/// rank (`a * b ~ c`) only the nearest operand is named; the operator checks the other one.
///
/// Written by hand: Tera does not expose its parser, and this needs only where operands end.
pub fn join_operands(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if text.contains('~') {
        let mut joins = Joins {
            text: text.as_bytes(),
            found: &mut found,
        };
        joins.scan(0, text.len());
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Words that join or test operands: not operands themselves.
const OPERATOR_WORDS: &[&[u8]] = &[b"and", b"or", b"not", b"in", b"is", b"if", b"else"];

struct Joins<'a> {
    text: &'a [u8],
    found: &'a mut Vec<(usize, usize)>,
}

impl Joins<'_> {
    /// Notes the joined operands of `text[at..to]`, a run of operands and operators.
    fn scan(&mut self, mut at: usize, to: usize) {
        // The operand just before, with no operator between: the left side of a `~`.
        let mut last: Option<(usize, usize)> = None;
        let mut after_join = false;
        while at < to {
            let b = self.text[at];
            if b.is_ascii_whitespace() {
                at += 1;
            } else if b == b'~' {
                self.found.extend(last.take());
                after_join = true;
                at += 1;
            } else if let Some(end) = self.operand(at, to) {
                if after_join {
                    self.found.push((at, end));
                }
                last = Some((at, end));
                after_join = false;
                at = end;
            } else {
                // An operator or a separator (`+`, `==`, `,`, `=`, `and`).
                last = None;
                after_join = false;
                at = if is_word_start(b) {
                    let end = self.word_end(at, to);
                    if &self.text[at..end] == b"is" {
                        self.test_end(end, to)
                    } else {
                        end
                    }
                } else if b == b'|' {
                    // A filter on what is no operand (`x is string | default(...)`).
                    self.call_end(at + 1, to)
                } else {
                    at + 1
                };
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
    use super::{join_operands, outside_strings};

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
        join_operands(text)
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
