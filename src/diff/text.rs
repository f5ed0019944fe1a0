//! Line-by-line view of a changed multi-line string (a config file in a ConfigMap): only the
//! changed lines and a little context, instead of two long escaped strings.

use super::format::{printable, quote};
use super::list::matching;

/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Removed,
    Added,
    Context,
    /// A hunk header: `@@ -12 +12 @@` (first left and right line of the hunk).
    Gap,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: Kind,
    pub text: String,
}

pub fn line_count(text: &str) -> usize {
    text.lines().count()
}

/// The changed lines with context, or `None` when a line view would not help: neither side
/// spans lines, or the difference is not in the lines' text (a final newline, `\r\n`).
pub fn line_diff(left: &str, right: &str) -> Option<Vec<Line>> {
    if !left.contains('\n') && !right.contains('\n') {
        return None;
    }
    let a: Vec<&str> = left.lines().collect();
    let b: Vec<&str> = right.lines().collect();
    if a == b {
        return None;
    }

    // Every line once, in order: (kind, text, left line index, right line index).
    let mut ops: Vec<(Kind, &str, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    let anchors = matching(&a, &b)
        .into_iter()
        .chain(std::iter::once((a.len(), b.len())));
    for (anchor_a, anchor_b) in anchors {
        ops.extend((i..anchor_a).map(|k| (Kind::Removed, a[k], k, j)));
        ops.extend((j..anchor_b).map(|k| (Kind::Added, b[k], anchor_a, k)));
        if let Some(line) = a.get(anchor_a) {
            ops.push((Kind::Context, line, anchor_a, anchor_b));
        }
        i = anchor_a + 1;
        j = anchor_b + 1;
    }

    let changed: Vec<usize> = (0..ops.len())
        .filter(|&k| ops[k].0 != Kind::Context)
        .collect();
    let mut lines = Vec::new();
    let mut shown_until = 0; // ops before this index are already printed
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT).max(shown_until);
        // Extend the hunk while the next change is close enough to share context.
        let mut last = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        let end = (last + CONTEXT + 1).min(ops.len());
        let (_, _, first_a, first_b) = ops[start];
        lines.push(Line {
            kind: Kind::Gap,
            text: format!("@@ -{} +{} @@", first_a + 1, first_b + 1),
        });
        lines.extend(ops[start..end].iter().map(|(kind, text, _, _)| Line {
            kind: *kind,
            text: visible(text),
        }));
        shown_until = end;
        k += 1;
    }
    Some(lines)
}

/// A line as printed: quoted when trailing whitespace would otherwise be invisible.
fn visible(line: &str) -> String {
    if line.ends_with(char::is_whitespace) {
        quote(line)
    } else {
        printable(line).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(left: &str, right: &str) -> Option<Vec<String>> {
        line_diff(left, right).map(|lines| {
            lines
                .into_iter()
                .map(|line| match line.kind {
                    Kind::Removed => format!("-{}", line.text),
                    Kind::Added => format!("+{}", line.text),
                    Kind::Context => format!(" {}", line.text),
                    Kind::Gap => line.text,
                })
                .collect()
        })
    }

    #[test]
    fn single_line_strings_have_no_line_view() {
        assert_eq!(render("a", "b"), None);
    }

    #[test]
    fn trailing_newline_or_crlf_only_has_no_line_view() {
        assert_eq!(render("a\nb\n", "a\nb"), None);
        assert_eq!(render("a\r\nb\r\n", "a\nb\n"), None);
    }

    #[test]
    fn changed_line_with_context() {
        let left = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let right = "1\n2\n3\n4\nfive\n6\n7\n8\n";
        assert_eq!(
            render(left, right).unwrap(),
            ["@@ -3 +3 @@", " 3", " 4", "-5", "+five", " 6", " 7"]
        );
    }

    #[test]
    fn distant_changes_make_two_hunks() {
        let left = "a\n1\n2\n3\n4\n5\n6\nz\n";
        let right = "A\n1\n2\n3\n4\n5\n6\nZ\n";
        assert_eq!(
            render(left, right).unwrap(),
            [
                "@@ -1 +1 @@",
                "-a",
                "+A",
                " 1",
                " 2",
                "@@ -6 +6 @@",
                " 5",
                " 6",
                "-z",
                "+Z"
            ]
        );
    }

    #[test]
    fn added_lines_at_the_end() {
        assert_eq!(
            render("a\nb\n", "a\nb\nc\n").unwrap(),
            ["@@ -1 +1 @@", " a", " b", "+c"]
        );
    }

    #[test]
    fn trailing_spaces_are_visible() {
        assert_eq!(
            render("a\nlisten 80;\n", "a\nlisten 80; \n").unwrap(),
            ["@@ -1 +1 @@", " a", "-listen 80;", "+\"listen 80; \""]
        );
    }
}
