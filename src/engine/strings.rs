//! String filters with Sprig's meaning (`quote`, `title`, `camelcase`, `split`, `join`, ...),
//! paths (`base`, `dir`, `ext`) and encodings (`b64encode`, `sha256`, `urlquery`).

use base64::Engine as _;
use sha1::Digest as _;
use tera::{Kwargs, Map, State, TeraResult, Value};

use super::args::{list_arg, required, scalar_text, text};
use super::go;
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.filter("quote", &[], |v, _, _| Ok(quote(&v).into()));
    r.function("quote", &["values"], |k, _| {
        let values = list_arg(k, "values", "quote", r#"quote(values=[a, b])"#)?;
        Ok(quote_each(&values, quote).into())
    });
    r.filter("squote", &[], |v, _, _| Ok(squote(&v).into()));
    r.function("squote", &["values"], |k, _| {
        let values = list_arg(k, "values", "squote", r#"squote(values=[a, b])"#)?;
        Ok(quote_each(&values, squote).into())
    });
    r.filter("title", &[], |v, _, _| Ok(title(text(&v, "title")?).into()));
    r.filter("untitle", &[], |v, _, _| {
        Ok(untitle(text(&v, "untitle")?).into())
    });
    r.filter("camelcase", &[], |v, _, _| {
        Ok(super::case::pascal(text(&v, "camelcase")?).into())
    });
    r.filter("snakecase", &[], |v, _, _| {
        Ok(super::case::lower_words(text(&v, "snakecase")?, '_').into())
    });
    r.filter("kebabcase", &[], |v, _, _| {
        Ok(super::case::lower_words(text(&v, "kebabcase")?, '-').into())
    });
    r.filter("trim_all", &["chars"], |v, k, _| {
        let chars = required::<&str>(k, "chars", "trim_all", r#"trim_all(chars="-$")"#)?;
        Ok(text(&v, "trim_all")?
            .trim_matches(|c| chars.contains(c))
            .into())
    });
    r.filter("trim_prefix", &["prefix"], |v, k, _| {
        let prefix = required::<String>(k, "prefix", "trim_prefix", r#"trim_prefix(prefix="v")"#)?;
        let s = scalar_text(&v, "trim_prefix")?;
        Ok(s.strip_prefix(prefix.as_str()).unwrap_or(&s).into())
    });
    r.filter("trim_suffix", &["suffix"], |v, k, _| {
        let suffix = required::<String>(k, "suffix", "trim_suffix", r#"trim_suffix(suffix="-")"#)?;
        let s = scalar_text(&v, "trim_suffix")?;
        Ok(s.strip_suffix(suffix.as_str()).unwrap_or(&s).into())
    });
    r.filter("trunc", &["length"], trunc);
    r.filter("nindent", &["width", "blank"], nindent);
    r.filter("split", &["pat"], |v, k, _| {
        let s = text(&v, "split")?;
        let pat = required::<&str>(k, "pat", "split", r#"split(pat=",")"#)?;
        Ok(go_split(s, pat, usize::MAX).into())
    });
    r.filter("split_map", &["sep", "n"], split_map);
    r.filter("join", &["sep"], |v, k, _| {
        let sep = k.get::<String>("sep")?.unwrap_or_default();
        Ok(strslice(&v, "join")?.join(&sep).into())
    });
    r.filter("sort_alpha", &[], |v, _, _| {
        let mut items = strslice(&v, "sort_alpha")?;
        items.sort();
        Ok(items.into())
    });
    r.function("cat", &["values"], |k, _| {
        let values = list_arg(k, "values", "cat", r#"cat(values=[a, b])"#)?;
        let parts: Vec<String> = values
            .iter()
            .filter(|v| !v.is_none() && !v.is_undefined())
            .map(go::strval)
            .collect();
        Ok(parts.join(" ").into())
    });
    r.filter("to_string", &[], |v, _, _| {
        if v.is_undefined() {
            return Err(tera::Error::message(
                "`to_string` got an undefined value; give it a default with `| default(value=...)`",
            ));
        }
        Ok(go::strval(&v).into())
    });
    r.filter("base", &[], |v, _, _| Ok(base(text(&v, "base")?).into()));
    r.filter("dir", &[], |v, _, _| Ok(dir(text(&v, "dir")?).into()));
    r.filter("ext", &[], |v, _, _| Ok(ext(text(&v, "ext")?).into()));
    r.filter("clean", &[], |v, _, _| Ok(clean(text(&v, "clean")?).into()));
    r.filter("urlquery", &[], |v, _, _| {
        Ok(urlquery(&go::strval(&v)).into())
    });
    r.filter("b64encode", &[], |v, _, _| {
        let s = scalar_text(&v, "b64encode")?;
        Ok(base64::engine::general_purpose::STANDARD
            .encode(s.as_bytes())
            .into())
    });
    r.filter("b64decode", &[], |v, _, _| {
        let s = text(&v, "b64decode")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s.trim().as_bytes())
            .map_err(|e| tera::Error::message(format!("`b64decode`: not valid base64: {e}")))?;
        String::from_utf8(bytes)
            .map(Value::from)
            .map_err(|_| tera::Error::message("`b64decode`: the decoded bytes are not UTF-8 text"))
    });
    r.filter("sha256", &[], |v, _, _| {
        let s = scalar_text(&v, "sha256")?;
        Ok(hex(&sha2::Sha256::digest(s.as_bytes())).into())
    });
    r.filter("sha1", &[], |v, _, _| {
        let s = scalar_text(&v, "sha1")?;
        Ok(hex(&sha1::Sha1::digest(s.as_bytes())).into())
    });
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sprig's `quote`/`squote` of several values: each quoted, nulls left out, joined by spaces.
fn quote_each(values: &[Value], quote: fn(&Value) -> String) -> String {
    let quoted: Vec<String> = values
        .iter()
        .filter(|v| !v.is_none() && !v.is_undefined())
        .map(quote)
        .collect();
    quoted.join(" ")
}

/// Sprig `quote`: Go's `%q` of the value's text; null and undefined give nothing at all.
fn quote(value: &Value) -> String {
    if value.is_none() || value.is_undefined() {
        return String::new();
    }
    go::quote(&go::strval(value))
}

/// Sprig `squote`, except that an inner `'` is doubled so the result stays valid YAML, and
/// that text a single-quoted scalar cannot carry exactly (a line break, which YAML folds into a
/// space, or a character YAML only takes escaped) is double-quoted instead, as `quote` does:
/// the text read back is always the text given (a PEM certificate keeps its lines).
fn squote(value: &Value) -> String {
    if value.is_none() || value.is_undefined() {
        return String::new();
    }
    let text = go::strval(value);
    let exact = text.chars().all(|c| {
        go::yaml_printable(c) && !matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
    });
    if exact {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        go::quote(&text)
    }
}

/// Go's `strings.Title`: the first letter of each word upper-cased, the rest left as they are.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous = ' ';
    for c in s.chars() {
        if is_word_separator(previous) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

fn is_word_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

/// goutils `Uncapitalize`: the first letter of each space-separated word lower-cased.
fn untitle(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut next = true;
    for c in s.chars() {
        if c.is_whitespace() {
            next = true;
            out.push(c);
        } else if next {
            out.extend(c.to_lowercase());
            next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Sprig `trunc N`: at most `length` characters; a negative length keeps the last ones.
fn trunc(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let length = required::<i64>(k, "length", "trunc", "trunc(length=63)")?;
    let s = scalar_text(&v, "trunc")?;
    let count = s.chars().count();
    let keep = usize::try_from(length.unsigned_abs()).unwrap_or(usize::MAX);
    if keep >= count {
        return Ok(s.into());
    }
    Ok(if length >= 0 {
        s.chars().take(keep).collect::<String>()
    } else {
        s.chars().skip(count - keep).collect::<String>()
    }
    .into())
}

/// Helm `nindent N`: a newline, then every line indented by `width` spaces (blank lines stay
/// empty so no trailing spaces are produced).
fn nindent(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let width = required::<usize>(k, "width", "nindent", "nindent(width=4)")?;
    if width > 1000 {
        return Err(tera::Error::message("`nindent` width is limited to 1000"));
    }
    let s = scalar_text(&v, "nindent")?;
    // `blank=true`: Sprig's padding of empty lines too (Helm's text byte for byte).
    let blank = k.get::<bool>("blank")?.unwrap_or(false);
    let pad = " ".repeat(width);
    let mut out = String::with_capacity(s.len() + (width + 1) * (s.lines().count() + 1));
    for line in s.split('\n') {
        out.push('\n');
        if blank || !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Ok(out.into())
}

/// Go's `strings.SplitN`: an empty separator splits after each character.
fn go_split(s: &str, sep: &str, n: usize) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        let mut out: Vec<String> = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            if out.len() + 1 == n {
                out.push(chars[i..].iter().collect());
                return out;
            }
            out.push(c.to_string());
        }
        return out;
    }
    s.splitn(n, sep).map(str::to_string).collect()
}

/// Sprig `split` / `splitn`: a map `{"_0": .., "_1": ..}`.
fn split_map(v: Value, k: &Kwargs, _: &State) -> TeraResult<Value> {
    let s = text(&v, "split_map")?;
    let sep = required::<&str>(k, "sep", "split_map", r#"split_map(sep="/")"#)?;
    let n = match k.get::<i64>("n")? {
        Some(n) if n < 0 => usize::MAX,
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => usize::MAX,
    };
    let mut map = Map::new();
    for (i, part) in go_split(s, sep, n).into_iter().enumerate() {
        map.insert(format!("_{i}").into(), part.into());
    }
    Ok(map.into())
}

/// Sprig's `strslice`: a list's non-null elements as Go prints them; null is an empty list and
/// any other value a list of itself.
fn strslice(value: &Value, name: &str) -> TeraResult<Vec<String>> {
    if value.is_undefined() {
        return Err(tera::Error::message(format!(
            "`{name}` got an undefined value; give it a default with `| default(value=[])`"
        )));
    }
    if value.is_none() {
        return Ok(Vec::new());
    }
    Ok(match value.as_array() {
        Some(items) => items
            .iter()
            .filter(|v| !v.is_none() && !v.is_undefined())
            .map(go::strval)
            .collect(),
        None => vec![go::strval(value)],
    })
}

/// Go's `path.Base`.
fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`: everything up to the last `/`, cleaned.
fn dir(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..cut])
}

/// Go's `path.Ext`: from the last `.` of the last element, or empty.
fn ext(path: &str) -> String {
    for (i, c) in path.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return path[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

/// Go's `path.Clean`: the shortest equivalent path, lexically.
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `url.QueryEscape`.
fn urlquery(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_go() {
        assert_eq!(base("/a/b/c.txt"), "c.txt");
        assert_eq!(base("dir/"), "dir");
        assert_eq!(base(""), ".");
        assert_eq!(dir("/a/b/c.txt"), "/a/b");
        assert_eq!(dir("file"), ".");
        assert_eq!(dir("a/b/"), "a/b");
        assert_eq!(ext("file.tar.gz"), ".gz");
        assert_eq!(ext("noext"), "");
        assert_eq!(clean("a//b/../c/./d"), "a/c/d");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean(""), ".");
    }

    #[test]
    fn title_keeps_the_rest_of_each_word() {
        assert_eq!(title("hello wide world"), "Hello Wide World");
        assert_eq!(title("hELLO"), "HELLO");
        assert_eq!(title("élan vital"), "Élan Vital");
        assert_eq!(untitle("Hello World"), "hello world");
    }

    #[test]
    fn split_follows_go() {
        assert_eq!(go_split("a,,b", ",", usize::MAX), ["a", "", "b"]);
        assert_eq!(go_split("", ",", usize::MAX), [""]);
        assert_eq!(go_split("abc", "", usize::MAX), ["a", "b", "c"]);
        assert_eq!(go_split("a,b,c", ",", 2), ["a", "b,c"]);
        assert_eq!(urlquery("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
