//! Go's literal syntax as the template parser applies it: numbers in every Go form
//! (`0x1F`, `0o17`, `0b101`, `017`, `1_000`, `1e3`, `0x1p4`, `'a'`, `1+2i`) and strings with
//! Go's escapes. Hand-written because these are Go's `strconv` rules (underscore placement,
//! octal by leading zero, byte escapes), which no Rust crate reproduces.

use crate::error::Error;

/// The representations of a number constant, as Go's `parse.NumberNode` computes them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Number {
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    pub complex: Option<(f64, f64)>,
}

/// What kind of token the lexer saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Number,
    /// `1+2i`: a real and an imaginary part.
    Complex,
    /// `'a'`.
    Char,
}

/// Go's `newNumber`: the number `text` denotes, or Go's complaint about it.
pub fn number(text: &str, kind: NumberKind) -> Result<Number, Error> {
    let mut n = Number::default();
    match kind {
        NumberKind::Char => {
            let Some(inner) = text.strip_prefix('\'') else {
                return Err(Error::input(format!(
                    "malformed character constant: {text}"
                )));
            };
            let (ch, tail) = unquote_char(inner, b'\'')?;
            if tail != "'" {
                return Err(Error::input(format!(
                    "malformed character constant: {text}"
                )));
            }
            let code = match ch {
                Unquoted::Char(c) => c as u32,
                Unquoted::Byte(b) => u32::from(b),
            };
            n.int = Some(i64::from(code));
            n.uint = Some(u64::from(code));
            n.float = Some(f64::from(code));
            return Ok(n);
        }
        NumberKind::Complex => {
            let (re, im) = complex(text)
                .ok_or_else(|| Error::input(format!("illegal number syntax: {text:?}")))?;
            n.complex = Some((re, im));
            simplify_complex(&mut n, re, im);
            return Ok(n);
        }
        NumberKind::Number => {}
    }
    if let Some(imaginary) = text.strip_suffix('i')
        && let Some(f) = parse_float(imaginary)
    {
        n.complex = Some((0.0, f));
        simplify_complex(&mut n, 0.0, f);
        return Ok(n);
    }
    let unsigned = parse_uint(text);
    if let Some(u) = unsigned {
        n.uint = Some(u);
    }
    if let Some(i) = parse_int(text) {
        n.int = Some(i);
        if i == 0 {
            // `-0` is a uint too.
            n.uint = unsigned.or(Some(0));
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(Error::input(format!("integer overflow: {text:?}")));
        }
        n.float = Some(f);
        n.int = exact_i64(f);
        n.uint = exact_u64(f);
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(Error::input(format!("illegal number syntax: {text:?}")));
    }
    Ok(n)
}

fn simplify_complex(n: &mut Number, re: f64, im: f64) {
    if im == 0.0 {
        n.float = Some(re);
        n.int = exact_i64(re);
        n.uint = exact_u64(re);
    }
}

/// `f` as an i64 when it is one exactly (Go: `float64(int64(f)) == f` on a value in range).
fn exact_i64(f: f64) -> Option<i64> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

fn exact_u64(f: f64) -> Option<u64> {
    const LIMIT: f64 = 18_446_744_073_709_551_616.0; // 2^64
    (f.fract() == 0.0 && (0.0..LIMIT).contains(&f)).then_some(f as u64)
}

/// `re+imi` or `re-imi`, as `fmt.Sscan` reads a complex128.
fn complex(text: &str) -> Option<(f64, f64)> {
    let body = text.strip_suffix('i')?;
    let bytes = body.as_bytes();
    // The sign that starts the imaginary part: not the first character, not after an exponent.
    let split = (1..bytes.len()).rev().find(|&i| {
        (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E' | b'p' | b'P')
    })?;
    let re = parse_float(&body[..split])?;
    let im = parse_float(&body[split..])?;
    Some((re, im))
}

/// The digits of an integer literal after its sign: (radix, digits with underscores).
/// `None` when Go would not accept the underscores.
fn int_digits(unsigned: &str) -> Option<(u32, &str)> {
    let bytes = unsigned.as_bytes();
    let (radix, digits) = if bytes.len() >= 2 && bytes[0] == b'0' {
        match bytes[1] {
            b'x' | b'X' => (16, &unsigned[2..]),
            b'o' | b'O' => (8, &unsigned[2..]),
            b'b' | b'B' => (2, &unsigned[2..]),
            _ => (8, &unsigned[1..]),
        }
    } else {
        (10, unsigned)
    };
    if unsigned.contains('_') && !underscores_ok(unsigned) {
        return None;
    }
    Some((radix, digits))
}

fn int_magnitude(unsigned: &str) -> Option<u64> {
    let (radix, digits) = int_digits(unsigned)?;
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        // `0x`, or `0` itself (read above as octal with no digits).
        return (unsigned == "0").then_some(0);
    }
    if digits.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

/// Go's `strconv.ParseInt(text, 0, 64)`.
pub fn parse_int(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = int_magnitude(unsigned)?;
    if negative {
        if magnitude <= 1 << 63 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(text, 0, 64)`: no sign allowed.
pub fn parse_uint(text: &str) -> Option<u64> {
    if text.starts_with(['+', '-']) {
        return None;
    }
    int_magnitude(text)
}

/// Go's `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
fn underscores_ok(text: &str) -> bool {
    let mut s = text.as_bytes();
    if let Some(b'+' | b'-') = s.first() {
        s = &s[1..];
    }
    // What was seen last: '^' start, '0' digit or prefix, '_' underscore, '!' anything else.
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// Go's `strconv.ParseFloat(text, 64)` for the forms the lexer produces: decimal with an
/// optional `e` exponent, or hexadecimal with a mandatory `p` exponent.
pub fn parse_float(text: &str) -> Option<f64> {
    if text.contains('_') && !underscores_ok(text) {
        return None;
    }
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let value = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        hex_float(hex)?
    } else {
        decimal_float(body)?
    };
    Some(if negative { -value } else { value })
}

/// `digits[.digits][e[+-]digits]` with at least one mantissa digit.
fn decimal_float(body: &str) -> Option<f64> {
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty() || !digits_ok(int_part) || !digits_ok(frac_part)
    {
        return None;
    }
    if let Some(e) = exponent {
        let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
        if unsigned.is_empty() || !digits_ok(unsigned) {
            return None;
        }
    }
    body.parse::<f64>().ok()
}

/// `hexdigits[.hexdigits]p[+-]digits`. Exact for mantissas of up to 16 hex digits (far beyond
/// any chart); longer ones are rounded twice.
fn hex_float(body: &str) -> Option<f64> {
    let (mantissa, exponent) = body.split_once(['p', 'P'])?;
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if exponent_digits.is_empty() || !exponent_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars().chain(frac_part.chars()) {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let exp: i32 = exponent.parse().ok()?;
    let frac_bits = i32::try_from(frac_part.len()).ok()?.checked_mul(4)?;
    Some(value * 2f64.powi(exp.checked_sub(frac_bits)?))
}

/// One character of a quoted literal, as Go's `strconv.UnquoteChar` reads it: `\x` and octal
/// escapes give a byte, everything else a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unquoted {
    Char(char),
    Byte(u8),
}

/// Go's `strconv.UnquoteChar(s, quote)`: the first character of `s` and the rest.
pub fn unquote_char(s: &str, quote: u8) -> Result<(Unquoted, &str), Error> {
    let bad = || Error::input("invalid syntax");
    let mut chars = s.chars();
    let first = chars.next().ok_or_else(bad)?;
    if first as u32 == u32::from(quote) && (quote == b'\'' || quote == b'"') {
        return Err(bad());
    }
    if first != '\\' {
        return Ok((Unquoted::Char(first), chars.as_str()));
    }
    let escape = chars.next().ok_or_else(bad)?;
    let rest = chars.as_str();
    let simple = |c: char| Ok((Unquoted::Char(c), rest));
    match escape {
        'a' => simple('\u{7}'),
        'b' => simple('\u{8}'),
        'f' => simple('\u{c}'),
        'n' => simple('\n'),
        'r' => simple('\r'),
        't' => simple('\t'),
        'v' => simple('\u{b}'),
        '\\' => simple('\\'),
        '\'' | '"' if escape as u32 == u32::from(quote) => simple(escape),
        'x' | 'u' | 'U' => {
            let width = match escape {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let digits = rest.get(..width).ok_or_else(bad)?;
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let code = u32::from_str_radix(digits, 16).map_err(|_| bad())?;
            let rest = &rest[width..];
            if escape == 'x' {
                return Ok((Unquoted::Byte(code as u8), rest));
            }
            let c = char::from_u32(code).ok_or_else(bad)?;
            Ok((Unquoted::Char(c), rest))
        }
        '0'..='7' => {
            let digits = rest.get(..2).ok_or_else(bad)?;
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(bad());
            }
            let code = (escape as u32 - '0' as u32) * 64
                + u32::from_str_radix(digits, 8).map_err(|_| bad())?;
            let byte = u8::try_from(code).map_err(|_| bad())?;
            Ok((Unquoted::Byte(byte), &rest[2..]))
        }
        _ => Err(bad()),
    }
}

/// Go's `strconv.Unquote` for a double-quoted or raw (backquoted) string token.
pub fn unquote(quoted: &str) -> Result<String, Error> {
    if let Some(raw) = quoted.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        if raw.contains('`') {
            return Err(Error::input("invalid syntax"));
        }
        // Go drops carriage returns from raw strings.
        return Ok(raw.replace('\r', ""));
    }
    let Some(mut rest) = quoted.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return Err(Error::input("invalid syntax"));
    };
    if rest.contains('\n') {
        return Err(Error::input("invalid syntax"));
    }
    let mut bytes = Vec::with_capacity(rest.len());
    while !rest.is_empty() {
        let (c, tail) = unquote_char(rest, b'"')?;
        match c {
            Unquoted::Char(c) => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Unquoted::Byte(b) => bytes.push(b),
        }
        rest = tail;
    }
    String::from_utf8(bytes).map_err(|_| {
        Error::input("the string's \\x or octal escapes make bytes that are not UTF-8 text, which ktera cannot hold; write the characters themselves or use \\u escapes")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Result<Number, Error> {
        let kind = if text.starts_with('\'') {
            NumberKind::Char
        } else if text.len() > 1
            && text.ends_with('i')
            && text[1..].contains(['+', '-'])
            && complex(text).is_some()
        {
            NumberKind::Complex
        } else {
            NumberKind::Number
        };
        number(text, kind)
    }

    /// Go's own number table (parse_test.go's numberTests), each row with the representations
    /// Go reports: (text, int, uint, float, complex).
    #[test]
    fn numbers_have_the_representations_go_gives_them() {
        type Row = (
            &'static str,
            Option<i64>,
            Option<u64>,
            Option<f64>,
            Option<(f64, f64)>,
        );
        let rows: Vec<Row> = vec![
            ("0", Some(0), Some(0), Some(0.0), None),
            ("-0", Some(0), Some(0), Some(0.0), None),
            ("73", Some(73), Some(73), Some(73.0), None),
            ("7_3", Some(73), Some(73), Some(73.0), None),
            ("0b10_010_01", Some(73), Some(73), Some(73.0), None),
            ("0B10_010_01", Some(73), Some(73), Some(73.0), None),
            ("073", Some(59), Some(59), Some(59.0), None),
            ("0o73", Some(59), Some(59), Some(59.0), None),
            ("0O73", Some(59), Some(59), Some(59.0), None),
            ("0x73", Some(115), Some(115), Some(115.0), None),
            ("0X73", Some(115), Some(115), Some(115.0), None),
            ("0x7_3", Some(115), Some(115), Some(115.0), None),
            ("-73", Some(-73), None, Some(-73.0), None),
            ("+73", Some(73), None, Some(73.0), None),
            ("100", Some(100), Some(100), Some(100.0), None),
            (
                "1e9",
                Some(1_000_000_000),
                Some(1_000_000_000),
                Some(1e9),
                None,
            ),
            ("-1e9", Some(-1_000_000_000), None, Some(-1e9), None),
            ("-1.2", None, None, Some(-1.2), None),
            (
                "1e19",
                None,
                Some(10_000_000_000_000_000_000),
                Some(1e19),
                None,
            ),
            (
                "1e1_9",
                None,
                Some(10_000_000_000_000_000_000),
                Some(1e19),
                None,
            ),
            (
                "1E19",
                None,
                Some(10_000_000_000_000_000_000),
                Some(1e19),
                None,
            ),
            ("-1e19", None, None, Some(-1e19), None),
            ("0x_1p4", Some(16), Some(16), Some(16.0), None),
            ("0X_1P4", Some(16), Some(16), Some(16.0), None),
            ("0x_1p-4", None, None, Some(1.0 / 16.0), None),
            ("4i", None, None, None, Some((0.0, 4.0))),
            ("-1.2+4.2i", None, None, None, Some((-1.2, 4.2))),
            ("073i", None, None, None, Some((0.0, 73.0))),
            ("0i", Some(0), Some(0), Some(0.0), Some((0.0, 0.0))),
            ("-1.2+0i", None, None, Some(-1.2), Some((-1.2, 0.0))),
            ("-12+0i", Some(-12), None, Some(-12.0), Some((-12.0, 0.0))),
            ("13+0i", Some(13), Some(13), Some(13.0), Some((13.0, 0.0))),
            ("0123", Some(83), Some(83), Some(83.0), None),
            ("-0x0", Some(0), Some(0), Some(0.0), None),
            (
                "0xdeadbeef",
                Some(0xdead_beef),
                Some(0xdead_beef),
                Some(3_735_928_559.0),
                None,
            ),
            ("'a'", Some(97), Some(97), Some(97.0), None),
            ("'\\n'", Some(10), Some(10), Some(10.0), None),
            ("'\\\\'", Some(92), Some(92), Some(92.0), None),
            ("'\\''", Some(39), Some(39), Some(39.0), None),
            ("'\\xFF'", Some(255), Some(255), Some(255.0), None),
            ("'パ'", Some(0x30d1), Some(0x30d1), Some(12_497.0), None),
            (
                "'\\u30d1'",
                Some(0x30d1),
                Some(0x30d1),
                Some(12_497.0),
                None,
            ),
            (
                "'\\U000030d1'",
                Some(0x30d1),
                Some(0x30d1),
                Some(12_497.0),
                None,
            ),
            ("0xef", Some(239), Some(239), Some(239.0), None),
        ];
        for (text, int, uint, float, complex) in rows {
            let n = num(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                (n.int, n.uint, n.float, n.complex),
                (int, uint, float, complex),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_numbers_are_refused_as_go_refuses_them() {
        for text in [
            "+-2",
            "0x123.",
            "1e.",
            "0xi.",
            "1+2.",
            "'x",
            "'xx'",
            "'433937734937734969526500969526500'",
            "089",
            "1__0",
            "_1",
            "0x",
            "99999999999999999999",
            "''",
        ] {
            assert!(num(text).is_err(), "{text} should not parse");
        }
        assert_eq!(
            num("089").map_err(|e| e.to_string()).err().as_deref(),
            Some("integer overflow: \"089\"")
        );
    }

    #[test]
    fn strings_resolve_go_escapes() {
        assert_eq!(
            unquote(r#""a\tb\n\"q\"\\""#).ok(),
            Some("a\tb\n\"q\"\\".to_string())
        );
        assert_eq!(
            unquote(r#""\x41\101\u00e9\U0001F600""#).ok(),
            Some("AAé😀".to_string())
        );
        assert_eq!(
            unquote(r#""\a\b\f\v\r""#).ok(),
            Some("\u{7}\u{8}\u{c}\u{b}\r".to_string())
        );
        assert_eq!(
            unquote("`raw \\n \"x\"\r\n`").ok(),
            Some("raw \\n \"x\"\n".to_string())
        );
        assert_eq!(unquote(r#""é""#).ok(), Some("é".to_string()));
        // `\'` is a character escape only; `\q` is no escape; `\400` is more than a byte.
        assert!(unquote(r#""\'""#).is_err());
        assert!(unquote(r#""\q""#).is_err());
        assert!(unquote(r#""\400""#).is_err());
        assert!(unquote(r#""\xff""#).is_err(), "not UTF-8");
        assert!(
            unquote(r#""\ud800""#).is_err(),
            "a surrogate is no character"
        );
    }

    #[test]
    fn ideal_constants_follow_go() {
        use crate::convert::ast::{IdealNumber, NumberLit, Pos};
        let ideal = |text: &str| {
            let n = num(text).unwrap();
            NumberLit {
                pos: Pos::default(),
                text: text.to_string(),
                int: n.int,
                uint: n.uint,
                float: n.float,
                complex: n.complex,
            }
            .ideal()
        };
        assert_eq!(ideal("3"), IdealNumber::Int(3));
        assert_eq!(ideal("3.0"), IdealNumber::Float(3.0));
        assert_eq!(ideal("1e3"), IdealNumber::Float(1000.0));
        assert_eq!(ideal("0x1e"), IdealNumber::Int(30));
        assert_eq!(ideal("-0x1e"), IdealNumber::Float(-30.0));
        assert_eq!(ideal("'e'"), IdealNumber::Int(101));
        assert_eq!(ideal("0i"), IdealNumber::Complex(0.0, 0.0));
        assert_eq!(ideal("18446744073709551615"), IdealNumber::Overflow);
    }
}
