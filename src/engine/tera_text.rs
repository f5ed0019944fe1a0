//! Tera expression text as Tera's lexer reads it: what lies inside a string literal (`"…"`,
//! `'…'` or `` `…` ``, where `\` escapes the next character) is not syntax. The scanners that
//! look for brackets, pipes, words or a tag's close in template text share this one walk.

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

#[cfg(test)]
mod tests {
    use super::outside_strings;

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
}
