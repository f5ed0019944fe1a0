//! `template -s/--show-only` against real Helm: every case of
//! `tests/fixtures/helm-show-only/cases` run on `tests/fixtures/helm-show-only/chart` (static
//! YAML with a subchart, a nested and a disabled subchart, partials, NOTES.txt, an empty
//! template, hooks and a CRD). `expected/` holds what Helm 3 printed
//! (scripts/gen-helm-show-only-fixtures): the same bytes where Helm succeeded; where Helm
//! said "could not find template", ktera's own error (exit 2, the pattern, a hint).

use std::path::Path;

use crate::common::ktera;

const DIR: &str = "tests/fixtures/helm-show-only";

/// (name, arguments) of each case.
fn cases() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(Path::new(DIR).join("cases")).expect("cases file");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (name, args) = line.split_once(':').expect("`name: args`");
            let args = args.split_whitespace().map(str::to_string).collect();
            (name.to_string(), args)
        })
        .collect()
}

#[test]
fn show_only_matches_helm() {
    let cases = cases();
    assert!(cases.len() > 30, "the cases file lists the cases");
    let mut failures = Vec::new();
    for (name, args) in &cases {
        let output = ktera()
            .args(["template", "release-name", &format!("{DIR}/chart")])
            .args(args)
            .output()
            .expect("run ktera");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let expected = Path::new(DIR).join("expected");
        if let Ok(helm) = std::fs::read_to_string(expected.join(format!("{name}.yaml"))) {
            if !output.status.success() || stdout != helm {
                failures.push(format!(
                    "{name} {args:?}: Helm printed\n{helm}\nktera ({}) printed\n{stdout}{stderr}",
                    output.status
                ));
            }
            continue;
        }
        let helm = std::fs::read_to_string(expected.join(format!("{name}.error")))
            .expect("each case has expected/NAME.yaml or expected/NAME.error");
        assert!(helm.starts_with("Error: could not find template"), "{helm}");
        // The pattern that finds nothing is the last one in every failing case.
        let last_s = args.iter().rposition(|a| a == "-s").expect("a -s");
        let pattern = &args[last_s + 1];
        let own_error = stderr.starts_with(&format!("error: --show-only {pattern}: "))
            && stderr.contains("\n  hint: ");
        if output.status.code() != Some(2) || !stdout.is_empty() || !own_error {
            failures.push(format!(
                "{name} {args:?}: Helm refused ({}); ktera ({}) printed\n{stdout}{stderr}",
                helm.trim(),
                output.status
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
