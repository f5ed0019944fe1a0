//! Sprig's `urlParse` and `urlJoin` (`url_parse`, `url_join`): a URL taken apart into a map of
//! `scheme`, `host`, `hostname`, `path`, `query`, `opaque`, `fragment`, `userinfo`, and put
//! together again. Hand-written after Go's `net/url` (`Parse`, `URL.String`): the `url` crate
//! follows the WHATWG standard, which normalises what Go keeps (`https://a.com` gains a `/`,
//! hosts are lower-cased, paths are resolved), so its results differ from Helm's.

use tera::{Map, TeraResult};

use super::args::{map, text};
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.filter("url_parse", &[], |v, _, _| {
        let raw = text(&v, "url_parse")?;
        let url = parse(raw).map_err(|e| {
            tera::Error::message(format!("`url_parse`: cannot parse {raw:?} as a URL: {e}"))
        })?;
        let mut m = Map::new();
        m.insert("scheme".into(), url.scheme.as_str().into());
        m.insert("host".into(), url.host.as_str().into());
        m.insert("hostname".into(), hostname(&url.host).into());
        m.insert("path".into(), url.path.as_str().into());
        m.insert("query".into(), url.raw_query.as_str().into());
        m.insert("opaque".into(), url.opaque.as_str().into());
        m.insert("fragment".into(), url.fragment.as_str().into());
        let userinfo = url.user.as_ref().map(User::escaped).unwrap_or_default();
        m.insert("userinfo".into(), userinfo.into());
        Ok(m.into())
    });
    r.filter("url_join", &[], |v, _, _| {
        let parts = map(&v, "url_join")?;
        let part = |key: &str| -> TeraResult<String> {
            // Sprig fails on any value that is not a string, null included.
            match parts.get(&tera::value::Key::Str(key)) {
                None => Ok(String::new()),
                Some(value) => value.as_str().map(str::to_string).ok_or_else(|| {
                    tera::Error::message(format!(
                        "`url_join`: the key `{key}` must be a string, not {}",
                        super::args::describe(value)
                    ))
                }),
            }
        };
        let userinfo = part("userinfo")?;
        let user = if userinfo.is_empty() {
            None
        } else {
            parse(&format!("proto://{userinfo}@host"))
                .map_err(|e| {
                    tera::Error::message(format!(
                        "`url_join`: cannot read the userinfo {userinfo:?}: {e}"
                    ))
                })?
                .user
        };
        let url = Url {
            scheme: part("scheme")?,
            host: part("host")?,
            path: part("path")?,
            raw_query: part("query")?,
            opaque: part("opaque")?,
            fragment: part("fragment")?,
            user,
            force_query: false,
            omit_host: false,
        };
        Ok(url.to_string().into())
    });
}

/// The fields of Go's `url.URL` that Sprig reads or writes.
#[derive(Debug, Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<User>,
    host: String,
    /// Unescaped, as Go's `URL.Path`.
    path: String,
    raw_query: String,
    /// Unescaped, as Go's `URL.Fragment`.
    fragment: String,
    force_query: bool,
    omit_host: bool,
}

#[derive(Debug)]
struct User {
    name: String,
    password: Option<String>,
}

impl User {
    /// Go's `Userinfo.String`.
    fn escaped(&self) -> String {
        let mut s = escape(&self.name, Mode::UserPassword);
        if let Some(p) = &self.password {
            s.push(':');
            s.push_str(&escape(p, Mode::UserPassword));
        }
        s
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

/// Go's `url.Parse`.
fn parse(raw: &str) -> Result<Url, String> {
    let (rest, fragment) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let mut url = parse_without_fragment(rest)?;
    if let Some(f) = fragment {
        url.fragment = unescape(f)?;
    }
    Ok(url)
}

fn parse_without_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, rest) = scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    let mut rest = rest;
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        rest = r;
        url.raw_query = q.to_string();
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // A rootless path is opaque (RFC 3986).
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, path) = match authority_and_path.find('/') {
            Some(i) => authority_and_path.split_at(i),
            None => (authority_and_path, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(rest)?;
    Ok(url)
}

/// Go's `getScheme`: `http:` and the rest, or no scheme.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err("missing protocol scheme".into()),
            ':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<(Option<User>, String), String> {
    let Some(at) = authority.rfind('@') else {
        return Ok((None, parse_host(authority)?));
    };
    let host = parse_host(&authority[at + 1..])?;
    let userinfo = &authority[..at];
    if !userinfo.chars().all(valid_userinfo_char) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => User {
            name: unescape(userinfo)?,
            password: None,
        },
        Some((name, password)) => User {
            name: unescape(name)?,
            password: Some(unescape(password)?),
        },
    };
    Ok((Some(user), host))
}

fn valid_userinfo_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c)
}

/// Go's `parseHost`: an IPv6 literal in brackets, or a name with an optional numeric port.
fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(close) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[close + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {port:?} after host"));
        }
        // An IPv6 zone (RFC 6874, `[fe80::1%25eth0]`) is checked by the zone's rules.
        if let Some(zone) = host[..close].find("%25") {
            check_host_text(&host[..zone], false)?;
            check_host_text(&host[zone..close], true)?;
            check_host_text(&host[close..], false)?;
            return unescape(host);
        }
    } else if let Some(colon) = host.rfind(':') {
        let port = &host[colon..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {port:?} after host"));
        }
    }
    check_host_text(host, false)?;
    unescape(host)
}

/// What Go's `unescape` refuses in a host (`zone` false) or an IPv6 zone: an ASCII character
/// a host cannot hold (`http://a b.com`), and a `%XX` escape of an ASCII byte other than `%25`
/// (only non-ASCII bytes may be escaped in a host name).
fn check_host_text(text: &str, zone: bool) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            // By bytes: the two after `%` may end inside a multi-byte character (`%aé`).
            let escape = String::from_utf8_lossy(&bytes[i..(i + 3).min(bytes.len())]);
            let Some(value) = escaped_byte(&bytes[i + 1..]) else {
                return Err(format!("invalid URL escape {escape:?}"));
            };
            let refused = if zone {
                escape != "%25" && value != b' ' && should_escape(value, Mode::Host)
            } else {
                value < 0x80 && escape != "%25"
            };
            if refused {
                return Err(format!("invalid URL escape {escape:?}"));
            }
            i += 3;
        } else {
            if b < 0x80 && should_escape(b, Mode::Host) {
                return Err(format!(
                    "invalid character {:?} in host name",
                    (b as char).to_string()
                ));
            }
            i += 1;
        }
    }
    Ok(())
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// Go's `URL.Hostname`: the host without its port and an IPv6 literal's brackets.
fn hostname(host: &str) -> String {
    let name = match (host.starts_with('['), host.find(']')) {
        (true, Some(close)) => return host[1..close].to_string(),
        _ => host,
    };
    match name.rfind(':') {
        Some(colon) => name[..colon].to_string(),
        None => name.to_string(),
    }
}

/// Go's `unescape`: `%XX` sequences decoded; an invalid one is an error.
/// The byte of the two hex digits that start `after` (what follows a `%`), as Go reads an
/// escape: exactly two ASCII hex digits (`u8::from_str_radix` would also take a sign, `%+a`).
fn escaped_byte(after: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    match after {
        [high, low, ..] => Some(u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()?),
        _ => None,
    }
}

fn unescape(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let Some(b) = escaped_byte(&bytes[i + 1..]) else {
                let end = (i + 3).min(bytes.len());
                return Err(format!(
                    "invalid URL escape {:?}",
                    String::from_utf8_lossy(&bytes[i..end])
                ));
            };
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => false,
                Mode::Host => true,
            };
        }
        _ => {}
    }
    !(mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

/// Go's `escape` (never in query mode, so a space is `%20`).
fn escape(s: &str, mode: Mode) -> String {
    let mut out = Vec::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        } else {
            out.push(b);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl std::fmt::Display for Url {
    /// Go's `URL.String`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            let authority = !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some();
            let omitted = self.omit_host && self.host.is_empty() && self.user.is_none();
            if authority && !omitted {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    out.push_str("//");
                }
                if let Some(user) = &self.user {
                    out.push_str(&user.escaped());
                    out.push('@');
                }
                out.push_str(&escape(&self.host, Mode::Host));
            }
            let path = if self.path == "*" {
                "*".to_string()
            } else {
                escape(&self.path, Mode::Path)
            };
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            if out.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
                out.push_str("./");
            }
            out.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            out.push('?');
            out.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        f.write_str(&out)
    }
}
