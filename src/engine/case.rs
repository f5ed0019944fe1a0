//! Sprig's `camelcase`, `snakecase` and `kebabcase`, which are huandu/xstrings' `ToCamelCase`
//! (Pascal case: `http_server` -> `HttpServer`), `ToSnakeCase` and `ToKebabCase`. Ported rule
//! for rule (word kinds, acronyms kept together: `HTTPServer` -> `http_server`, numbers joined
//! to the word before them), since no Rust case crate splits words the same way.

/// `ToCamelCase`: words separated by `_`, `-` or spaces joined, each first letter upper-cased,
/// the rest kept; leading and doubled separators are kept.
pub fn pascal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    // Leading connectors stay.
    let mut current = None;
    for c in chars.by_ref() {
        if is_connector(c) {
            out.push(c);
        } else {
            current = Some(upper(c));
            break;
        }
    }
    let Some(mut r0) = current else {
        return out;
    };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = upper(r0);
        } else {
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

fn upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn lower(c: char) -> char {
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// A letter outside the CJK ideographs (xstrings' `isAlphabet`).
fn is_alphabet(c: char) -> bool {
    let u = c as u32;
    c.is_alphabetic()
        && !((0x3400..=0x4DBF).contains(&u)
            || (0x4E00..=0x9FFF).contains(&u)
            || (0xF900..=0xFAFF).contains(&u)
            || u >= 0x20000)
}

/// Go's `unicode.IsPunct` (category P): ASCII punctuation other than the symbols `$+<=>^`|~`,
/// and the general punctuation block.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    let u = c as u32;
    (0x2010..=0x2027).contains(&u)
        || (0x2030..=0x205E).contains(&u)
        || (0x3001..=0x3003).contains(&u)
        || (0x3008..=0x3011).contains(&u)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `nextWord`: the kind and length (in chars) of the word at the start of `s`.
fn next_word(s: &[char]) -> (Word, usize) {
    let first = s[0];
    let run = |from: usize, keep: &dyn Fn(char) -> bool| {
        let mut end = from;
        while end < s.len() && keep(s[end]) {
            end += 1;
        }
        end
    };
    if is_connector(first) {
        return (Word::Connector, run(1, &is_connector));
    }
    if is_punct(first) {
        return (Word::Punct, run(1, &is_punct));
    }
    if first.is_uppercase() {
        if s.len() == 1 {
            return (Word::Upper, 1);
        }
        let second = s[1];
        if second.is_uppercase() {
            let end = run(2, &|c: char| c.is_uppercase());
            // `HTTPStatus`: the `S` starts the next word.
            if end < s.len() && is_alphabet(s[end]) {
                return (Word::Upper, end - 1);
            }
            return (Word::Upper, end);
        }
        if is_alphabet(second) {
            return (
                Word::Upper,
                run(2, &|c: char| is_alphabet(c) && !c.is_uppercase()),
            );
        }
        return (Word::Upper, 1);
    }
    if is_alphabet(first) {
        return (
            Word::Alphabet,
            run(1, &|c: char| is_alphabet(c) && !c.is_uppercase()),
        );
    }
    if first.is_numeric() {
        return (Word::Number, run(1, &char::is_numeric));
    }
    let end = run(1, &|c: char| {
        !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
    });
    (Word::Other, end)
}

/// The words of `s`, as xstrings splits them.
fn words(s: &str) -> Vec<(Word, String)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let (kind, len) = next_word(&chars[at..]);
        out.push((kind, chars[at..at + len].iter().collect()));
        at += len;
    }
    out
}

fn push_lower(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else {
            out.push(lower(c));
        }
    }
}

/// xstrings' `camelCaseToLowerCase`: `ToSnakeCase` with `_`, `ToKebabCase` with `-`.
pub fn lower_words(s: &str, connector: char) -> String {
    let words = words(s);
    let mut out = String::with_capacity(s.len() + 4);
    let mut i = 0;
    let next = |i: &mut usize| -> Option<(Word, &str)> {
        *i += 1;
        words.get(*i).map(|(k, w)| (*k, w.as_str()))
    };
    let Some((first_kind, first_word)) = words.first().map(|(k, w)| (*k, w.as_str())) else {
        return out;
    };
    let (mut kind, mut word) = (first_kind, first_word);
    // `remaining` in xstrings is "there is a word after this one".
    while i + 1 < words.len() {
        if kind != Word::Connector {
            push_lower(&mut out, kind, word, connector);
        }
        let previous = kind;
        let last = word;
        let Some((k, w)) = next(&mut i) else { break };
        kind = k;
        word = w;
        match previous {
            Word::Number => {
                while kind == Word::Alphabet || kind == Word::Number {
                    push_lower(&mut out, kind, word, connector);
                    match next(&mut i) {
                        Some((k, w)) => {
                            kind = k;
                            word = w;
                        }
                        None => return out,
                    }
                }
                if kind != Word::Punct && kind != Word::Connector {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, previous, last, connector),
            Word::Punct => {}
            _ => {
                if kind != Word::Number {
                    if kind != Word::Connector && kind != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if i + 1 >= words.len() {
                    continue;
                }
                let number = word;
                let Some((k, w)) = next(&mut i) else { break };
                kind = k;
                word = w;
                // `Bld4Floor` -> `bld4_floor`: the number belongs to the word before it.
                if kind != Word::Alphabet {
                    push_lower(&mut out, Word::Number, number, connector);
                    if kind != Word::Connector && kind != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                // `HTTP2xx` -> `http_2xx`: lower-case letters after a number start a word.
                out.push(connector);
                push_lower(&mut out, Word::Number, number, connector);
                while kind == Word::Alphabet || kind == Word::Number {
                    push_lower(&mut out, kind, word, connector);
                    match next(&mut i) {
                        Some((k, w)) => {
                            kind = k;
                            word = w;
                        }
                        None => return out,
                    }
                }
                if kind != Word::Connector && kind != Word::Punct {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, kind, word, connector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_as_xstrings() {
        for (input, want) in [
            ("http_server_name", "HttpServerName"),
            ("hello-world", "HelloWorld"),
            ("already Camel", "AlreadyCamel"),
            ("some_words", "SomeWords"),
            ("_complex__case_", "_Complex_Case_"),
            ("a", "A"),
            ("", ""),
        ] {
            assert_eq!(pascal(input), want, "{input}");
        }
    }

    #[test]
    fn snake_and_kebab_case_as_xstrings() {
        for (input, want) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("some-value here", "some_value_here"),
        ] {
            assert_eq!(lower_words(input, '_'), want, "{input}");
        }
        assert_eq!(lower_words("some_value", '-'), "some-value");
    }
}
