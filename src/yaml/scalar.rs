//! Scalars: when a string may stay plain, how it is quoted, and how numbers are written.
//!
//! The rule is conservative: a string is plain only when it is made of a safe character set and
//! no YAML 1.1 or 1.2 reader (PyYAML, go-yaml, libyaml/serde_yaml) could resolve it to anything
//! but that same string. Everything else is quoted; quoting a string that did not need it costs
//! nothing, leaving one unquoted that did changes the data.

use std::borrow::Cow;
use std::fmt::Write as _;

/// How a string scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block; only in value position, where the emitter knows the indentation.
    Literal,
}

/// Longest key written as an implicit `key: value`; readers reject simple keys past 1024 chars.
pub(crate) const MAX_IMPLICIT_KEY_LEN: usize = 1000;

/// Chooses the style for `s`. Keys pass `allow_literal = false`: they stay on one line.
pub(crate) fn style_for(s: &str, allow_literal: bool) -> Style {
    if is_plain_safe(s) {
        return Style::Plain;
    }
    let mut single_ok = true;
    let mut has_newline = false;
    let mut literal_ok = allow_literal;
    let mut prev = '\0';
    for c in s.chars() {
        if needs_escape(c) {
            single_ok = false;
            match c {
                '\n' => {
                    has_newline = true;
                    // Trailing blanks on a line are kept by YAML but stripped by many tools and
                    // refused in blocks by other emitters: quote instead.
                    if prev == ' ' || prev == '\t' {
                        literal_ok = false;
                    }
                }
                '\t' => {}
                _ => literal_ok = false,
            }
        }
        prev = c;
    }
    let ends_blank = s.ends_with([' ', '\t']);
    let has_text = s.bytes().any(|b| b != b'\n');
    if literal_ok && has_newline && !ends_blank && has_text {
        Style::Literal
    } else if single_ok {
        Style::SingleQuoted
    } else {
        Style::DoubleQuoted
    }
}

/// The string as the emitter writes it on one line (a key, or a value in a diff report).
/// Multi-line strings come back double-quoted: a block scalar depends on its indentation.
pub fn quote_scalar_if_needed(s: &str) -> Cow<'_, str> {
    match style_for(s, false) {
        Style::Plain => Cow::Borrowed(s),
        style => {
            let mut out = String::with_capacity(s.len() + 2);
            write_single_line(s, style, &mut out);
            Cow::Owned(out)
        }
    }
}

/// `s` double-quoted, with YAML's escapes: for a field a tool always writes quoted (Helm's
/// `generated` in `Chart.lock`).
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_double_quoted(s, &mut out);
    out
}

/// Characters that cannot appear raw inside a single-quoted scalar: controls (tab and newline
/// included), DEL and C1 controls (not printable for YAML), the Unicode line and paragraph
/// separators (line breaks for YAML 1.1 readers), the BOM and the non-characters U+FFFE/U+FFFF.
pub(crate) fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    )
}

/// True when `s` can be written without quotes and reads back as the same string everywhere.
pub(crate) fn is_plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    // Indicators (`- ? : , [ ] { } # & * ! | > ' " % @` and backtick), `~`, `<`, `=` and spaces
    // cannot start a plain scalar safely; non-ASCII starts are checked in the loop below.
    if first.is_ascii() && !(first.is_ascii_alphanumeric() || b"/._-+$(".contains(&first)) {
        return false;
    }
    // `-` then a blank opens a sequence entry; `---` and `...` mark documents.
    if first == b'-' && matches!(bytes.get(1), None | Some(b' ')) {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if last == b' ' || last == b':' {
        return false;
    }
    let chars_ok = if s.is_ascii() {
        plain_ascii_chars(bytes)
    } else {
        plain_unicode_chars(s)
    };
    chars_ok && !resolves_to_non_string(s)
}

/// `: ` ends a key and ` #` starts a comment; controls and DEL are not plain.
fn plain_ascii_chars(bytes: &[u8]) -> bool {
    // Printable, and whether there is a space (both pairs have one), in one pass without an
    // early exit, which the compiler can vectorise: most scalars have no space.
    let (printable, spaced) = bytes.iter().fold((true, false), |(printable, spaced), &b| {
        (printable & (b' '..=b'~').contains(&b), spaced | (b == b' '))
    });
    if !printable || !spaced {
        return printable;
    }
    let mut prev = 0u8;
    for &b in bytes {
        if !(b' '..=b'~').contains(&b) || (b == b'#' && prev == b' ') || (b == b' ' && prev == b':')
        {
            return false;
        }
        prev = b;
    }
    true
}

fn plain_unicode_chars(s: &str) -> bool {
    let mut prev = 0u8;
    for c in s.chars() {
        if c.is_ascii() {
            let b = c as u8;
            if !(b' '..=b'~').contains(&b)
                || (b == b'#' && prev == b' ')
                || (b == b' ' && prev == b':')
            {
                return false;
            }
            prev = b;
        } else if c.is_alphanumeric() {
            prev = 0;
        } else {
            // Other non-ASCII (spaces, marks, symbols, separators) is quoted: not worth the doubt.
            return false;
        }
    }
    true
}

/// True when a YAML 1.1 or 1.2 reader could resolve the plain scalar `s` to a non-string:
/// bool, null, int (decimal, octal, hex, binary, sexagesimal, with `_`), float (including
/// `.inf`/`.nan` and Go's `inf`/`infinity`), timestamp, PyYAML's `=` value and `<<` merge key.
/// Wider than any single reader on purpose.
fn resolves_to_non_string(s: &str) -> bool {
    // Every word below starts with one of these letters, and numbers and timestamps with a
    // digit, a sign or a dot: a scalar starting with another letter (most keys) is a string.
    if let Some(first) = s.bytes().next()
        && first.is_ascii_alphabetic()
        && !matches!(
            first.to_ascii_lowercase(),
            b'y' | b'n' | b't' | b'f' | b'o' | b'i'
        )
    {
        return false;
    }
    const WORDS: [&str; 10] = [
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~",
    ];
    if s.len() <= 5 && WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return true;
    }
    if s == "=" || s == "<<" {
        return true;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let undotted = unsigned.strip_prefix('.').unwrap_or(unsigned);
    if ["inf", "infinity", "nan"]
        .iter()
        .any(|w| undotted.eq_ignore_ascii_case(w))
    {
        return true;
    }
    // Anything that starts like a number and uses only characters numbers are made of.
    let ub = unsigned.as_bytes();
    if matches!(ub.first(), Some(b'0'..=b'9' | b'.'))
        && ub.iter().all(|&b| {
            b.is_ascii_hexdigit()
                || matches!(
                    b,
                    b'x' | b'X' | b'o' | b'O' | b'_' | b'.' | b':' | b'+' | b'-'
                )
        })
    {
        return true;
    }
    // YAML 1.1 timestamps (and go-yaml's) all start with `YYYY-M`.
    matches!(
        s.as_bytes(),
        [a, b, c, d, b'-', e, ..] if [a, b, c, d, e].iter().all(|x| x.is_ascii_digit())
    )
}

/// Writes `s` in `style` on one line. `Literal` falls back to double quotes.
pub(crate) fn write_single_line(s: &str, style: Style, out: &mut String) {
    match style {
        Style::Plain => out.push_str(s),
        Style::SingleQuoted => write_single_quoted(s, out),
        Style::DoubleQuoted | Style::Literal => write_double_quoted(s, out),
    }
}

fn write_single_quoted(s: &str, out: &mut String) {
    out.push('\'');
    let mut parts = s.split('\'');
    if let Some(part) = parts.next() {
        out.push_str(part);
    }
    for part in parts {
        out.push_str("''");
        out.push_str(part);
    }
    out.push('\'');
}

fn write_double_quoted(s: &str, out: &mut String) {
    out.push('"');
    let mut run_start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            '\0' => "\\0",
            '\x07' => "\\a",
            '\x08' => "\\b",
            '\x0b' => "\\v",
            '\x0c' => "\\f",
            '\x1b' => "\\e",
            c if needs_escape(c) => "",
            _ => continue,
        };
        out.push_str(&s[run_start..i]);
        run_start = i + c.len_utf8();
        if escape.is_empty() {
            // `\x..` and `\u....` are understood by every YAML reader; `\N`, `\L`, `\P` less so.
            let code = u32::from(c);
            let _ = if code <= 0xff {
                write!(out, "\\x{code:02X}")
            } else {
                write!(out, "\\u{code:04X}")
            };
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[run_start..]);
    out.push('"');
}

/// Writes `s` as a literal block: the header (`|`, indentation indicator, chomping) and its lines
/// at `content_col`. The emitter places content exactly two columns right of the node's owner,
/// so the indicator, when needed, is always `2`.
pub(crate) fn write_literal(s: &str, content_col: usize, out: &mut String) {
    out.push('|');
    // Readers guess the indentation from the first non-empty line: tell them when it starts blank.
    if s.starts_with([' ', '\t', '\n']) {
        out.push('2');
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            push_indent(out, content_col);
            out.push_str(line);
        }
        out.push('\n');
    }
    // Kept trailing newlines are written as indented empty lines, so the text still ends with a
    // single '\n' and the next document marker cannot be mistaken for content.
    for _ in 1..trailing {
        push_indent(out, content_col);
        out.push('\n');
    }
}

pub(crate) fn push_indent(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// Integers exactly as their digits; floats so that YAML 1.1 and 1.2 readers get the same f64.
pub(crate) fn write_number(n: &serde_yaml::Number, out: &mut String) {
    let _ = if let Some(i) = n.as_i64() {
        write!(out, "{i}")
    } else if let Some(u) = n.as_u64() {
        write!(out, "{u}")
    } else if let Some(f) = n.as_f64() {
        write_f64(f, out);
        Ok(())
    } else {
        Ok(())
    };
}

/// Shortest round-trip digits, always with a `.` and a signed exponent (`1.0`, `1.0e+300`):
/// YAML 1.1 readers (PyYAML) take `1e300` or `1` for a string or an int.
pub(crate) fn write_f64(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str(".nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { ".inf" } else { "-.inf" });
        return;
    }
    let start = out.len();
    let abs = f.abs();
    if abs == 0.0 || (1e-5..1e16).contains(&abs) {
        let _ = write!(out, "{f}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
        return;
    }
    let _ = write!(out, "{f:e}");
    if let Some(e) = out[start..].find('e') {
        let e = start + e;
        if !out[e + 1..].starts_with('-') {
            out.insert(e + 1, '+');
        }
        if !out[start..e].contains('.') {
            out.insert_str(e, ".0");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styled(s: &str) -> String {
        let mut out = String::new();
        write_single_line(s, style_for(s, false), &mut out);
        out
    }

    #[rustfmt::skip]
    const PLAIN: &[&str] = &[
        "backend-app", "apps/v1", "nginx:1.25", "registry.example.com/app:1.2.3", "100m", "512Mi",
        "30s", "RollingUpdate", "app.kubernetes.io/name", "/health", "http://example.com/a?b=c#d",
        "Hello World", "--port=8080", "-Xmx512m", "$(POD_IP)", "a'b\"c", "dominos-service-backend",
        "한국어", "café", ".git", "+", "a:b", "C:\\dir", "a#b",
    ];

    #[rustfmt::skip]
    const QUOTED: &[&str] = &[
        "", "yes", "no", "on", "off", "y", "n", "Y", "N", "YES", "Yes", "ON", "Off", "oN", "true",
        "True", "TRUE", "false", "null", "Null", "NULL", "~", "0755", "0o17", "0x1F", "0b101",
        "1e3", "1E3", "1_000", "+1", "-1", "0", "42", ".5", "1.", "1.0", "12:30", "190:20:30",
        "2024-01-01", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", ".inf", ".NaN",
        "-.Inf", "+.inf", "inf", "nan", "Infinity", "=", "<<", " a", "a ", "-", "- a", "?", "? a",
        ":", ":a", "a:", "a: b", "a #b", "#a", ",", "[a]", "]", "{a}", "}", "&a", "*a", "!a", "|",
        ">", "'a", "\"a", "%a", "@a", "`a", "---", "--- a", "...", "1.2.3", "\u{a0}x", "x\u{3000}y",
        "e\u{301}",
    ];

    #[test]
    fn plain_when_safe() {
        for &s in PLAIN {
            assert_eq!(styled(s), s, "{s:?} should stay plain");
        }
    }

    #[test]
    fn quotes_yaml11_and_12_specials() {
        for &s in QUOTED {
            assert_ne!(styled(s), s, "{s:?} must be quoted");
            assert!(styled(s).starts_with('\''), "{s:?} should be single-quoted");
        }
    }

    #[test]
    fn single_quotes_double_the_quote() {
        assert_eq!(styled("it's: here"), "'it''s: here'");
        assert_eq!(styled("''"), "''''''");
        assert_eq!(styled(""), "''");
    }

    #[test]
    fn double_quotes_for_non_printable() {
        assert_eq!(styled("a\tb"), "\"a\\tb\"");
        assert_eq!(styled("a\nb"), "\"a\\nb\"");
        assert_eq!(styled("a\r\n"), "\"a\\r\\n\"");
        assert_eq!(styled("\0\x07\x08\x0b\x0c\x1b"), "\"\\0\\a\\b\\v\\f\\e\"");
        assert_eq!(styled("\x01\x7f"), "\"\\x01\\x7F\"");
        assert_eq!(styled("a\u{85}b"), "\"a\\x85b\"");
        assert_eq!(styled("\u{2028}\u{2029}"), "\"\\u2028\\u2029\"");
        assert_eq!(styled("\u{feff}x"), "\"\\uFEFFx\"");
        assert_eq!(styled("\u{fffe}"), "\"\\uFFFE\"");
        assert_eq!(styled("q\"b\\\t"), "\"q\\\"b\\\\\\t\"");
        assert_eq!(styled("é\n😀"), "\"é\\n😀\"");
    }

    #[test]
    fn literal_only_when_lossless() {
        assert_eq!(style_for("a\nb", true), Style::Literal);
        assert_eq!(style_for("a\tb\nc", true), Style::Literal);
        assert_eq!(style_for("a \nb", true), Style::DoubleQuoted);
        assert_eq!(style_for("a\nb ", true), Style::DoubleQuoted);
        assert_eq!(style_for("a\r\nb", true), Style::DoubleQuoted);
        assert_eq!(style_for("a\n\u{2028}", true), Style::DoubleQuoted);
        assert_eq!(style_for("\n\n", true), Style::DoubleQuoted);
        assert_eq!(style_for("a\nb", false), Style::DoubleQuoted);
    }

    fn literal(s: &str, col: usize) -> String {
        let mut out = String::new();
        write_literal(s, col, &mut out);
        out
    }

    #[test]
    fn literal_chomping_and_indicator() {
        assert_eq!(literal("a\nb", 2), "|-\n  a\n  b\n");
        assert_eq!(literal("a\nb\n", 2), "|\n  a\n  b\n");
        assert_eq!(
            literal("a\n\nb\n\n\n", 4),
            "|+\n    a\n\n    b\n    \n    \n"
        );
        assert_eq!(literal("  a\nb\n", 2), "|2\n    a\n  b\n");
        assert_eq!(literal("\ta\n", 2), "|2\n  \ta\n");
        assert_eq!(literal("\n\na", 2), "|2-\n\n\n  a\n");
    }

    fn float(f: f64) -> String {
        let mut out = String::new();
        write_f64(f, &mut out);
        out
    }

    #[test]
    fn floats_keep_a_dot_and_signed_exponent() {
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(-2.25), "-2.25");
        assert_eq!(float(0.0), "0.0");
        assert_eq!(float(-0.0), "-0.0");
        assert_eq!(float(1e15), "1000000000000000.0");
        assert_eq!(float(1e16), "1.0e+16");
        assert_eq!(float(1e300), "1.0e+300");
        assert_eq!(float(1.5e-7), "1.5e-7");
        assert_eq!(float(0.00001), "0.00001");
        assert_eq!(float(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(float(5e-324), "5.0e-324");
        assert_eq!(float(f64::NAN), ".nan");
        assert_eq!(float(f64::INFINITY), ".inf");
        assert_eq!(float(f64::NEG_INFINITY), "-.inf");
    }

    #[test]
    fn integers_as_digits() {
        let mut out = String::new();
        write_number(&serde_yaml::Number::from(1_000_000), &mut out);
        out.push(' ');
        write_number(&serde_yaml::Number::from(u64::MAX), &mut out);
        out.push(' ');
        write_number(&serde_yaml::Number::from(i64::MIN), &mut out);
        assert_eq!(out, "1000000 18446744073709551615 -9223372036854775808");
    }

    #[test]
    fn quote_scalar_if_needed_borrows_plain() {
        assert!(matches!(
            quote_scalar_if_needed("web"),
            Cow::Borrowed("web")
        ));
        assert_eq!(quote_scalar_if_needed("on"), "'on'");
        assert_eq!(quote_scalar_if_needed("a\nb"), "\"a\\nb\"");
    }
}
