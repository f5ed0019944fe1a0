//! Names that become parts of paths and of the `# Source:` line before each document: a chart's
//! name, a dependency's name and alias, a template's file name. Each is checked where it is
//! read, so that no name can lead a write out of its directory or start a line of its own.
//!
//! Helm 3.17's rules (`pkg/chart/metadata.go` `Metadata.Validate`, `pkg/chart/dependency.go`):
//! a chart name is not empty, not `.` or `..`, and is its own base name (no `/`); an alias
//! matches `^[a-zA-Z0-9_-]+$`; more than one dependency with the same name or alias is an error.
//! Helm also replaces whitespace by a space and drops characters that do not print; ktera
//! refuses those instead, and `\` (Windows' separator), so that what is written is what the
//! file says.

use std::ffi::OsStr;
use std::fmt::Write as _;

/// Why `c` may not be in a name that is written out, or `None` when it may.
pub fn forbidden_char(c: char) -> Option<&'static str> {
    match c {
        // U+0085 (NEL) is a control character too; YAML 1.1 readers break lines at it.
        c if c.is_control() => Some("a control character"),
        '\u{2028}' | '\u{2029}' => Some("a line or paragraph separator"),
        // Zero-width and direction marks: text that shows as something it is not.
        '\u{00ad}'
        | '\u{061c}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}' => Some("an invisible formatting character"),
        ' ' => None,
        c if c.is_whitespace() => Some("whitespace other than a space"),
        _ => None,
    }
}

/// `name` with every character [`forbidden_char`] refuses written as `\u{..}`: what is shown
/// of a name that cannot be trusted, always on one line.
pub fn shown(name: &str) -> std::borrow::Cow<'_, str> {
    // Printable ASCII (the common name) holds no character refused.
    if name.bytes().all(|b| (b' '..=b'~').contains(&b))
        || !name.chars().any(|c| forbidden_char(c).is_some())
    {
        return name.into();
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match forbidden_char(c) {
            Some(_) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            None => out.push(c),
        }
    }
    out.into()
}

/// A file name as the user would recognise it: bytes that are not UTF-8 written as `\xFF`.
pub fn shown_os(name: &OsStr) -> String {
    match name.to_str() {
        Some(text) => shown(text).into_owned(),
        None => {
            let debug = format!("{name:?}");
            debug
                .strip_prefix('"')
                .and_then(|d| d.strip_suffix('"'))
                .unwrap_or(&debug)
                .to_string()
        }
    }
}

/// The first forbidden character of `name`, as a message.
fn forbidden_in(name: &str) -> Option<String> {
    name.chars()
        .find_map(|c| forbidden_char(c).map(|why| format!("holds {why} (U+{:04X})", c as u32)))
}

/// A chart's name (`Chart.yaml` `name`, a dependency's `name`): it names the chart's directory
/// under `--output-dir` and in `# Source:` lines. The message says what is wrong.
pub fn check_chart_name(name: &str) -> Result<(), String> {
    let shown = shown(name);
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name == "." || name == ".." {
        return Err(format!(
            "`{name}` is not allowed: a chart name names a directory"
        ));
    }
    if let Some(why) = forbidden_in(name) {
        return Err(format!("`{shown}` {why}"));
    }
    if name.contains(['/', '\\']) {
        return Err(format!(
            "`{shown}` holds a path separator: a chart name is one directory name, without `/` or `\\`"
        ));
    }
    Ok(())
}

/// A dependency's `alias`: Helm's `^[a-zA-Z0-9_-]+$`.
pub fn check_alias(alias: &str) -> Result<(), String> {
    let valid = !alias.is_empty()
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "alias `{}` has disallowed characters: use letters, digits, `-` and `_` only (as Helm)",
            shown(alias)
        ))
    }
}

/// A file or directory name under `templates/` or `crds/`: it ends up in a `# Source:` line and
/// in a path under `--output-dir`, so it may hold no control character, line separator or
/// invisible formatting character. Names that are not UTF-8 are read with `�` for the bytes
/// that are not (as Helm does).
pub fn check_file_name(name: &OsStr) -> Result<(), String> {
    match forbidden_in(&name.to_string_lossy()) {
        Some(why) => Err(format!(
            "the file name `{}` {why}; rename the file",
            shown_os(name)
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names_as_helm_and_no_way_out() {
        for good in [
            "backend",
            "my-chart_2",
            "a.b",
            "Ümlaut",
            "with space",
            "...",
        ] {
            assert_eq!(check_chart_name(good), Ok(()), "{good}");
        }
        let refused = |name: &str| check_chart_name(name).unwrap_err();
        assert!(refused("").contains("empty"));
        assert!(refused(".").contains("not allowed"));
        assert!(refused("..").contains("not allowed"));
        assert!(refused("../x").contains("path separator"));
        assert!(refused("/etc").contains("path separator"));
        assert!(refused("a\\..\\b").contains("path separator"));
        assert!(refused("a\nkind: Secret").contains("control character (U+000A)"));
        assert!(refused("a\0").contains("control character"));
        assert!(refused("a\u{85}b").contains("control character"));
        assert!(refused("a\u{2028}b").contains("line or paragraph separator"));
        assert!(refused("evil\u{202e}lmay.").contains("invisible formatting"));
        assert!(refused("a\tb").contains("control character"));
        assert!(refused("a\u{3000}b").contains("whitespace other than a space"));
        // Shown on one line.
        assert_eq!(
            refused("a\nb"),
            "`a\\u{a}b` holds a control character (U+000A)"
        );
    }

    #[test]
    fn aliases_as_helm() {
        assert_eq!(check_alias("cache-2_b"), Ok(()));
        for bad in ["", "a.b", "../x", "a/b", "a b", "ü"] {
            assert!(check_alias(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_names() {
        use std::os::unix::ffi::OsStrExt as _;
        assert_eq!(check_file_name(OsStr::new("deploy ment.yaml")), Ok(()));
        assert_eq!(check_file_name(OsStr::from_bytes(b"\xff.yaml")), Ok(()));
        let e = check_file_name(OsStr::new("a\r\nb.yaml")).unwrap_err();
        assert_eq!(
            e,
            "the file name `a\\u{d}\\u{a}b.yaml` holds a control character (U+000D); rename the file"
        );
        assert_eq!(
            shown_os(OsStr::from_bytes(b"\xff\xfe.yaml")),
            "\\xFF\\xFE.yaml"
        );
    }
}
