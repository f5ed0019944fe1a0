//! The one error type. Every layer returns [`Error`]: a [`kind`](ErrorKind) (which decides the
//! exit code), a message written where the fact is known, a [`Diagnostic`] (file, line, column,
//! snippet, hint) when the problem has a place, notes on what was being done, and the error
//! underneath when there is one. A layer that knows more adds it on the way up (a template's
//! file and line, the release being rendered); `main` alone prints, as [`Error::report`].

use std::fmt;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;

/// What went wrong, as far as a caller has to tell: the exit code depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line: a flag's value, a missing argument, an invalid release name, a bad
    /// `KTERA_MAX_MEMORY`. Exit code 2 for every command.
    Usage,
    /// The inputs: a chart, values, templates, rendered YAML, manifests, the project file.
    Input,
    /// Reading or writing failed: a missing file, permissions, a full disk, a tool that does
    /// not run.
    Io,
}

/// An error, with where it is and what to do about it. Small on the happy path: one box.
#[derive(Clone)]
pub struct Error(Box<Repr>);

#[derive(Clone)]
struct Repr {
    kind: ErrorKind,
    message: String,
    diagnostic: Diagnostic,
    /// `in release prod/web (ktera.yaml:14:9)`: what was being done, innermost first.
    notes: Vec<String>,
    /// The other errors of a run that reports them all (a project render); `message` then
    /// sums them up.
    others: Vec<Error>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Repr {
            kind,
            message: message.into(),
            diagnostic: Diagnostic::default(),
            notes: Vec::new(),
            others: Vec::new(),
            source: None,
        }))
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }

    pub fn input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Input, message)
    }

    /// A failed read or write; `message` says what was being read or written, and usually
    /// `source`'s own words.
    pub fn io(message: impl Into<String>, source: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, message).with_source(source)
    }

    /// Every error of `errors` (reported in order), then `summary` on a line of its own.
    pub fn many(errors: Vec<Error>, summary: impl Into<String>) -> Error {
        let kind = errors.first().map_or(ErrorKind::Input, Error::kind);
        let mut error = Error::new(kind, summary);
        error.0.others = errors;
        error
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// What went wrong, without the place, snippet, hint or notes.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn diagnostic(&self) -> &Diagnostic {
        &self.0.diagnostic
    }

    pub fn notes(&self) -> &[String] {
        &self.0.notes
    }

    pub fn with_kind(mut self, kind: ErrorKind) -> Error {
        self.0.kind = kind;
        self
    }

    pub fn with_diagnostic(mut self, diagnostic: Diagnostic) -> Error {
        self.0.diagnostic = diagnostic;
        self
    }

    /// The problem is in `file` (a place in it unknown).
    pub fn in_file(mut self, file: impl Into<String>) -> Error {
        self.0.diagnostic.file = file.into();
        self
    }

    /// The problem is at `line` and `column` (1-based) of `file`, whose text is `text`.
    pub fn in_text(
        mut self,
        file: impl Into<String>,
        text: &str,
        line: usize,
        column: usize,
    ) -> Error {
        let hint = std::mem::take(&mut self.0.diagnostic.hint);
        self.with_diagnostic(Diagnostic::in_text(file, text, line, column).with_hint(hint))
    }

    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Error {
        self.0.diagnostic.snippet = snippet.into();
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.0.diagnostic.hint = hint.into();
        self
    }

    /// Adds what was being done when the error happened, shown after the hint.
    pub fn with_note(mut self, note: impl Into<String>) -> Error {
        self.0.notes.push(note.into());
        self
    }

    /// `--kube-version: <message>`: the message said of a flag, a key or a file named in it.
    pub fn prefixed(mut self, prefix: &str) -> Error {
        self.0.message = format!("{prefix}: {}", self.0.message);
        self
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.0.source = Some(Arc::new(source));
        self
    }

    /// What standard error shows: `error: ` and each error (the one, or each of many), then
    /// the summary of many.
    pub fn report(&self) -> String {
        if self.0.others.is_empty() {
            return format!("error: {self}\n");
        }
        let mut out = String::new();
        for error in &self.0.others {
            out.push_str(&error.report());
        }
        out.push_str(&self.0.message);
        out.push('\n');
        out
    }
}

/// `file:line:column: message`, then the snippet, `  hint: ...` and `  note: ...` on lines of
/// their own. Many errors show one after another, then their summary.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Bounded::new(f);
        self.write_unbounded(&mut out)
    }
}

impl Error {
    fn write_unbounded(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        for error in &self.0.others {
            error.write_unbounded(f)?;
            f.write_char('\n')?;
        }
        let diagnostic = &self.0.diagnostic;
        diagnostic.write_place(f)?;
        f.write_str(&self.0.message)?;
        diagnostic.write_details(f)?;
        for note in &self.0.notes {
            write!(f, "\n  note: {note}")?;
        }
        Ok(())
    }
}

/// Longest line of a message, in characters: a line of input quoted in a message (a 10 MB
/// line of YAML, a tool's output) is cut there, with `…` at the cut.
pub const MAX_MESSAGE_LINE_CHARS: usize = 1000;

/// Most lines of a message: a tool's output or a list of violations is cut after them.
pub const MAX_MESSAGE_LINES: usize = 400;

/// A writer that keeps a message within [`MAX_MESSAGE_LINE_CHARS`] and [`MAX_MESSAGE_LINES`].
struct Bounded<'a, 'f> {
    out: &'a mut fmt::Formatter<'f>,
    line_chars: usize,
    lines: usize,
}

impl<'a, 'f> Bounded<'a, 'f> {
    fn new(out: &'a mut fmt::Formatter<'f>) -> Self {
        Bounded {
            out,
            line_chars: 0,
            lines: 1,
        }
    }
}

impl fmt::Write for Bounded<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut rest = text;
        while !rest.is_empty() {
            if self.lines > MAX_MESSAGE_LINES {
                return Ok(());
            }
            let (line, newline, after) = match rest.find('\n') {
                Some(i) => (&rest[..i], true, &rest[i + 1..]),
                None => (rest, false, ""),
            };
            let room = (MAX_MESSAGE_LINE_CHARS + 1).saturating_sub(self.line_chars);
            let shown = match line.char_indices().nth(room) {
                Some((cut, _)) => &line[..cut],
                None => line,
            };
            let chars = shown.chars().count();
            if self.line_chars + chars > MAX_MESSAGE_LINE_CHARS {
                // The line is cut: what fits, then one `…`.
                let fits = MAX_MESSAGE_LINE_CHARS.saturating_sub(self.line_chars);
                let end = shown
                    .char_indices()
                    .nth(fits)
                    .map_or(shown.len(), |(i, _)| i);
                self.out.write_str(&shown[..end])?;
                self.out.write_str("…")?;
                self.line_chars = MAX_MESSAGE_LINE_CHARS + 2;
            } else if self.line_chars <= MAX_MESSAGE_LINE_CHARS {
                self.out.write_str(shown)?;
                self.line_chars += chars;
            }
            if newline {
                self.lines += 1;
                self.line_chars = 0;
                if self.lines > MAX_MESSAGE_LINES {
                    self.out
                        .write_str("\n  … (the rest of this message is left out)")?;
                    return Ok(());
                }
                self.out.write_char('\n')?;
            }
            rest = after;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Error");
        debug
            .field("kind", &self.0.kind)
            .field("message", &self.0.message);
        if self.0.diagnostic != Diagnostic::default() {
            debug.field("diagnostic", &self.0.diagnostic);
        }
        if !self.0.notes.is_empty() {
            debug.field("notes", &self.0.notes);
        }
        if !self.0.others.is_empty() {
            debug.field("others", &self.0.others);
        }
        if let Some(source) = &self.0.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_quotes_a_bounded_part_of_its_input() {
        let line = "x".repeat(10_000_000);
        let report = Error::input(format!("bad value {line}"))
            .with_snippet(format!("{}\n", "y".repeat(5000)).repeat(1000))
            .report();
        assert!(report.len() < 2 * MAX_MESSAGE_LINE_CHARS * MAX_MESSAGE_LINES);
        assert!(report.starts_with("error: bad value xxx"));
        assert!(
            report
                .lines()
                .all(|l| l.chars().count() <= MAX_MESSAGE_LINE_CHARS + 10)
        );
        assert!(report.contains("… (the rest of this message is left out)"));
        let short = Error::input("fine").with_hint("do this").report();
        assert_eq!(short, "error: fine\n  hint: do this\n");
    }

    #[test]
    fn the_one_layout() {
        let text = "a: 1\nb: [\n";
        let located = Error::input("did not find expected node content")
            .in_text("values.yaml", text, 2, 4)
            .with_hint("close the list with `]`");
        assert_eq!(
            located.report(),
            "error: values.yaml:2:4: did not find expected node content\n  |\n1 | a: 1\n2 | b: [\n  |    ^\n  hint: close the list with `]`\n"
        );
        // Each part is optional.
        assert_eq!(Error::input("no").report(), "error: no\n");
        assert_eq!(
            Error::input("missing Chart.yaml")
                .in_file("charts/x")
                .to_string(),
            "charts/x: missing Chart.yaml"
        );
        let line_only = Error::input("not UTF-8 text").with_diagnostic(Diagnostic {
            line: Some(3),
            ..Diagnostic::in_file("v.yaml")
        });
        assert_eq!(line_only.to_string(), "v.yaml:3: not UTF-8 text");
        assert_eq!(
            Error::input("x").in_text("f", text, 2, 1).to_string(),
            "f:2:1: x\n  |\n1 | a: 1\n2 | b: [\n  | ^"
        );
        assert_eq!(
            Error::usage("bad flag").with_hint("see --help").to_string(),
            "bad flag\n  hint: see --help"
        );
        assert_eq!(
            Error::input("x")
                .in_file("t.yaml")
                .with_hint("h")
                .with_note("in release dev/web")
                .to_string(),
            "t.yaml: x\n  hint: h\n  note: in release dev/web"
        );
        // A hint given before the place is kept.
        let hinted = Error::input("x").with_hint("h").in_text("f", "a\n", 1, 1);
        assert_eq!(hinted.diagnostic().hint, "h");
    }

    #[test]
    fn many_errors_each_get_the_prefix_then_the_summary() {
        let many = Error::many(
            vec![
                Error::input("one").in_file("a"),
                Error::input("two").in_file("b"),
            ],
            "2 errors; nothing was changed",
        );
        assert_eq!(
            many.report(),
            "error: a: one\nerror: b: two\n2 errors; nothing was changed\n"
        );
        assert_eq!(many.kind(), ErrorKind::Input);
    }

    #[test]
    fn the_source_is_kept_and_the_message_prefixed() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let error = Error::io("cannot read x: gone", io).prefixed("--set-file");
        assert_eq!(error.kind(), ErrorKind::Io);
        assert_eq!(error.message(), "--set-file: cannot read x: gone");
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("gone"));
    }
}
