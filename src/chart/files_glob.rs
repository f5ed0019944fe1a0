//! `.Files.Glob` patterns as Helm reads them: github.com/gobwas/glob compiled with `/` as the
//! separator. `*` matches within one path segment, `**` across segments, `?` one character
//! other than `/`; `[abc]`, `[a-z]` and `[!...]` one character (`/` included); `{a,b}`
//! alternatives (nested, an unclosed `{` closes at the end); `\` makes the next character
//! literal; `,` and `}` outside braces are literal. The whole path must match.
//!
//! Written by hand: globset, used before, reads `**` only as a whole path segment and keeps
//! `[...]` from matching `/`, so a chart's pattern could pick other files than Helm picks.

/// One piece of a pattern.
#[derive(Debug, Clone)]
enum Token {
    Char(char),
    /// `*`: any run of characters without `/`.
    Star,
    /// `**`: any run of characters.
    Super,
    /// `?`: one character other than `/`.
    Single,
    /// `[...]`: one character in (or, negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `{a,b}`: one of the alternatives; none for `{}`, which matches nothing in gobwas.
    AnyOf(Vec<Vec<Token>>),
}

/// Alternatives are expanded into plain sequences; more than this many is refused.
const MAX_SEQUENCES: usize = 1024;

/// A compiled pattern: the sequences it stands for, `{...}` expanded.
#[derive(Debug)]
pub struct FilesGlob {
    sequences: Vec<Vec<Token>>,
}

impl FilesGlob {
    /// Compiles `pattern`; the error says what gobwas/glob refuses (Helm then matches every
    /// file, as it falls back to `**`).
    pub fn new(pattern: &str) -> Result<FilesGlob, String> {
        let mut reader = Reader {
            chars: pattern.chars().collect(),
            i: 0,
        };
        let (tokens, _) = reader.sequence(0)?;
        let mut sequences = vec![Vec::new()];
        expand(&tokens, &mut sequences)?;
        Ok(FilesGlob { sequences })
    }

    /// Whether the whole `path` matches.
    pub fn is_match(&self, path: &str) -> bool {
        let text: Vec<char> = path.chars().collect();
        self.sequences.iter().any(|s| matches(s, &text))
    }
}

struct Reader {
    chars: Vec<char>,
    i: usize,
}

impl Reader {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.i).copied();
        self.i += 1;
        c
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    /// Tokens up to the end, or (inside `depth` braces) up to `,` or `}`, which is returned.
    fn sequence(&mut self, depth: usize) -> Result<(Vec<Token>, Option<char>), String> {
        let mut tokens = Vec::new();
        while let Some(c) = self.next() {
            let token = match c {
                ',' | '}' if depth > 0 => return Ok((tokens, Some(c))),
                // A `\` at the very end is dropped.
                '\\' => match self.next() {
                    Some(escaped) => Token::Char(escaped),
                    None => break,
                },
                '*' if self.peek() == Some('*') => {
                    self.i += 1;
                    Token::Super
                }
                '*' => Token::Star,
                '?' => Token::Single,
                '[' => self.class()?,
                '{' => self.any_of(depth + 1)?,
                other => Token::Char(other),
            };
            tokens.push(token);
        }
        Ok((tokens, None))
    }

    fn any_of(&mut self, depth: usize) -> Result<Token, String> {
        if self.peek() == Some('}') {
            self.i += 1;
            return Ok(Token::AnyOf(Vec::new()));
        }
        let mut alternatives = Vec::new();
        loop {
            let (tokens, stop) = self.sequence(depth)?;
            alternatives.push(tokens);
            if stop != Some(',') {
                return Ok(Token::AnyOf(alternatives));
            }
        }
    }

    /// After `[`: `!` to negate, then one range `a-z` or a list of characters (`\` escapes
    /// one), then `]`.
    fn class(&mut self) -> Result<Token, String> {
        let unclosed = || "`[` is not closed by `]`".to_string();
        let negated = self.peek() == Some('!');
        if negated {
            self.i += 1;
        }
        let first = self.peek().ok_or_else(unclosed)?;
        if self.chars.get(self.i + 1) == Some(&'-') {
            self.i += 2;
            let high = self.next().ok_or_else(unclosed)?;
            if self.next() != Some(']') {
                return Err(format!(
                    "`[{first}-{high}` must be followed by `]`: a class holds one range or a list of characters, not both"
                ));
            }
            if high < first {
                return Err(format!("the range `{first}-{high}` is reversed"));
            }
            return Ok(Token::Class {
                negated,
                ranges: vec![(first, high)],
            });
        }
        let mut ranges = Vec::new();
        loop {
            match self.next() {
                None => return Err(unclosed()),
                Some(']') => break,
                Some('\\') => {
                    if let Some(c) = self.next() {
                        ranges.push((c, c));
                    }
                }
                Some(c) => ranges.push((c, c)),
            }
        }
        if ranges.is_empty() {
            return Err("`[]` holds no character".to_string());
        }
        Ok(Token::Class { negated, ranges })
    }
}

/// Appends `tokens` to every sequence, one copy of each per alternative of a `{...}`.
fn expand(tokens: &[Token], sequences: &mut Vec<Vec<Token>>) -> Result<(), String> {
    for token in tokens {
        match token {
            Token::AnyOf(alternatives) => {
                let mut next = Vec::new();
                for alternative in alternatives {
                    let mut these = sequences.clone();
                    expand(alternative, &mut these)?;
                    next.extend(these);
                    if next.len() > MAX_SEQUENCES {
                        return Err(format!(
                            "its `{{...}}` alternatives make more than {MAX_SEQUENCES} patterns"
                        ));
                    }
                }
                *sequences = next;
            }
            other => sequences.iter_mut().for_each(|s| s.push(other.clone())),
        }
    }
    Ok(())
}

/// Whether `tokens` (no `{...}` left) match all of `text`: the set of text positions reached
/// after each token.
fn matches(tokens: &[Token], text: &[char]) -> bool {
    let mut reached = vec![false; text.len() + 1];
    reached[0] = true;
    for token in tokens {
        let mut next = vec![false; text.len() + 1];
        match token {
            Token::Star | Token::Super => {
                let crosses = matches!(token, Token::Super);
                for j in 0..=text.len() {
                    next[j] =
                        reached[j] || (j > 0 && next[j - 1] && (crosses || text[j - 1] != '/'));
                }
            }
            one => {
                for j in 0..text.len() {
                    if reached[j] && one_char(one, text[j]) {
                        next[j + 1] = true;
                    }
                }
            }
        }
        reached = next;
    }
    reached[text.len()]
}

fn one_char(token: &Token, c: char) -> bool {
    match token {
        Token::Char(want) => c == *want,
        Token::Single => c != '/',
        Token::Class { negated, ranges } => {
            ranges.iter().any(|(low, high)| (*low..=*high).contains(&c)) != *negated
        }
        Token::Star | Token::Super | Token::AnyOf(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::FilesGlob;

    fn matched(pattern: &str, paths: &[&str]) -> Vec<String> {
        let glob = FilesGlob::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        paths
            .iter()
            .filter(|p| glob.is_match(p))
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn gobwas_semantics_with_slash_separator() {
        let paths = ["a.yaml", "d/a.yaml", "d/s/b.yaml", "d/x/y/c.yaml", "d/]"];
        assert_eq!(matched("d/*.yaml", &paths), ["d/a.yaml"]);
        assert_eq!(
            matched("d/**.yaml", &paths),
            ["d/a.yaml", "d/s/b.yaml", "d/x/y/c.yaml"]
        );
        assert_eq!(
            matched("d/**/*.yaml", &paths),
            ["d/s/b.yaml", "d/x/y/c.yaml"]
        );
        assert_eq!(
            matched("**/*.yaml", &paths),
            ["d/a.yaml", "d/s/b.yaml", "d/x/y/c.yaml"]
        );
        assert_eq!(matched("d?a.yaml", &paths), Vec::<String>::new());
        assert_eq!(matched("d[/]a.yaml", &paths), ["d/a.yaml"]);
        assert_eq!(
            matched("d/{a,s/*}.yaml", &paths),
            ["d/a.yaml", "d/s/b.yaml"]
        );
        assert_eq!(matched("d/[\\]]", &paths), ["d/]"]);
        assert_eq!(matched("{d/a.yaml", &paths), ["d/a.yaml"]);
        assert_eq!(matched("d/{}a.yaml", &paths), Vec::<String>::new());
        for refused in ["d/[", "d/[a-z0-9]*", "d/[b-a]", "d/[]a]", "d/[a-]"] {
            assert!(FilesGlob::new(refused).is_err(), "{refused} is refused");
        }
        let many = "{a,b,c,d}".repeat(6);
        assert!(FilesGlob::new(&many).is_err());
    }
}
