//! The report of a conversion: what was converted, then every place a person should look at,
//! as `file:line:column: severity: what to do`, sorted by file and place.

use super::chart::Conversion;
use super::emit::{Finding, Severity};

/// How many findings of each severity.
pub fn counts(conversion: &Conversion) -> (usize, usize, usize) {
    let count = |s: Severity| {
        conversion
            .findings
            .iter()
            .filter(|f| f.severity == s)
            .count()
    };
    (
        count(Severity::Error),
        count(Severity::Attention),
        count(Severity::Note),
    )
}

pub fn text(conversion: &Conversion, input: &str, output: &str) -> String {
    let mut out = format!("Converted {input} into {output}:\n");
    for chart in &conversion.charts {
        let dir = if chart.dir.is_empty() {
            chart.name.clone()
        } else {
            format!("{} ({})", chart.dir, chart.name)
        };
        let kind = if chart.library {
            ", a library chart"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {dir}: {} {}, {} {}{kind}\n",
            chart.templates,
            plural(chart.templates, "template", "templates"),
            chart.components,
            plural(
                chart.components,
                "define -> component",
                "defines -> components"
            ),
        ));
    }
    for (archive, dir) in &conversion.unpacked {
        out.push_str(&format!("  {archive} unpacked into {dir}/\n"));
    }
    out.push_str("  Chart.yaml, values.yaml and every other file kept as they are\n");
    if !conversion.findings.is_empty() {
        out.push_str(&format!(
            "\nNeeds a person ({}):\n",
            conversion.findings.len()
        ));
        for finding in &conversion.findings {
            out.push_str(&finding.to_string());
            out.push('\n');
        }
    }
    let (errors, attention, notes) = counts(conversion);
    let templates: usize = conversion.charts.iter().map(|c| c.templates).sum();
    let components: usize = conversion.charts.iter().map(|c| c.components).sum();
    out.push_str(&format!(
        "\n{templates} {} and {components} {} converted; {errors} {} (Helm fails there too), {attention} for attention, {notes} {}\n",
        plural(templates, "template", "templates"),
        plural(components, "component", "components"),
        plural(errors, "error", "errors"),
        plural(notes, "note", "notes"),
    ));
    out
}

pub fn json(conversion: &Conversion, input: &str, output: &str) -> serde_json::Value {
    let (errors, attention, notes) = counts(conversion);
    serde_json::json!({
        "input": input,
        "output": output,
        "charts": conversion.charts.iter().map(|c| serde_json::json!({
            "dir": c.dir,
            "name": c.name,
            "templates": c.templates,
            "components": c.components,
            "library": c.library,
        })).collect::<Vec<_>>(),
        "unpacked": conversion.unpacked.iter().map(|(a, d)| serde_json::json!({"archive": a, "dir": d})).collect::<Vec<_>>(),
        "findings": conversion.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "counts": {"error": errors, "attention": attention, "note": notes},
    })
}

pub fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::json!({
        "file": f.location.file,
        "line": f.location.line,
        "column": f.location.column,
        "severity": f.severity.to_string(),
        "message": f.message,
    })
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
