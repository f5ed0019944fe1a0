//! One benchmark per stage of a render: load, merge, compile, render, parse, emit, and diff.
//!
//! Inputs are generated in a temporary directory: a chart of `TEMPLATES` Deployment templates
//! and a values file of about `VALUES_MB` MB. Run with `cargo bench --bench stages`;
//! `scripts/bench-compare` times whole commands against helm and kustomize.

use std::fmt::Write as _;
use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ktera::chart::Chart;
use ktera::engine::Engine;
use ktera::manifest::{self, Manifest, RenderedText};
use ktera::release::Release;
use ktera::values::{self, ValueSources};

// The binary's allocator, so that each stage costs here what it costs in `ktera`.
#[global_allocator]
static ALLOCATOR: ktera::memory::CappedAllocator = ktera::memory::CappedAllocator;

const TEMPLATES: usize = 500;
const VALUES_MB: usize = 1;
const DIFF_OBJECTS: usize = 500;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Release.Name }}-app-NNNN
  labels:
    app: app-NNNN
    release: {{ Release.Name }}
spec:
  replicas: {{ Values.replicaCount }}
  selector:
    matchLabels:
      app: app-NNNN
  template:
    metadata:
      labels:
        app: app-NNNN
    spec:
      containers:
        - name: app
          image: "{{ Values.image.repository }}:{{ Values.image.tag }}"
          ports:
            - containerPort: {{ Values.port }}
          env:
          {%- for key, value in Values.env %}
            - name: {{ key }}
              value: {{ value | quote }}
          {%- endfor %}
          resources:{{ Values.resources | to_yaml | nindent(width=12) }}
"#;

const VALUES: &str = r#"replicaCount: 2
port: 8080
image:
  repository: registry.example.com/app
  tag: "1.0.0"
env:
  LOG_FORMAT: json
  LOG_LEVEL: info
  TZ: UTC
resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    memory: 256Mi
"#;

/// Writes a chart of `templates` Deployment templates under `dir`.
fn write_chart(dir: &Path, templates: usize) {
    fs::create_dir_all(dir.join("templates")).expect("create chart directory");
    fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: bench\nversion: 0.1.0\n",
    )
    .expect("write Chart.yaml");
    fs::write(dir.join("values.yaml"), VALUES).expect("write values.yaml");
    for i in 0..templates {
        let body = DEPLOYMENT.replace("NNNN", &format!("{i:04}"));
        fs::write(dir.join(format!("templates/deployment-{i:04}.yaml")), body)
            .expect("write template");
    }
}

/// About `megabytes` MB of values that no template reads: a mapping of small entries.
fn big_values(megabytes: usize) -> String {
    let mut out = String::from("extra:\n");
    let mut i = 0;
    while out.len() < megabytes * 1024 * 1024 {
        let _ = write!(
            out,
            "  item-{i:08}:\n    name: item-{i:08}\n    enabled: true\n    weight: {}\n    tags: [a, b, c]\n",
            i % 1000
        );
        i += 1;
    }
    out
}

fn render_texts(
    engine: &Engine,
    chart: &Chart,
    values: &serde_yaml::Value,
) -> Vec<(String, String)> {
    engine
        .render(chart, values, &Release::default())
        .expect("render")
        .templates
        .into_iter()
        .map(|t| (t.name, t.text))
        .collect()
}

fn parse(texts: &[(String, String)]) -> Vec<Manifest> {
    let items: Vec<_> = texts
        .iter()
        .map(|(name, text)| {
            let rendered = RenderedText {
                name,
                source_name: name,
                path: name,
                text,
            };
            (rendered, "")
        })
        .collect();
    manifest::parse_rendered_all(&items).expect("parse")
}

fn stages(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let chart_dir = tmp.path().join("chart");
    write_chart(&chart_dir, TEMPLATES);
    let big = tmp.path().join("big.yaml");
    fs::write(&big, big_values(VALUES_MB)).expect("write values");
    let sources = ValueSources {
        files: vec![big.display().to_string()],
        set: vec![
            "image.tag=2.0.0,replicaCount=3".into(),
            "env.TZ=Asia/Seoul".into(),
        ],
        ..ValueSources::default()
    };

    let chart = Chart::load(&chart_dir).expect("load");
    let merged =
        values::resolve(chart.values.clone(), &sources, &mut std::io::empty()).expect("merge");
    let engine = Engine::new(&chart).expect("compile");
    let texts = render_texts(&engine, &chart, &merged);
    let rendered_bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let manifests = parse(&texts);

    let mut group = c.benchmark_group("stages");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));

    group.bench_function(format!("load/{TEMPLATES}-templates"), |b| {
        b.iter(|| Chart::load(black_box(&chart_dir)).expect("load"))
    });
    group.throughput(Throughput::Bytes((VALUES_MB * 1024 * 1024) as u64));
    group.bench_function(format!("merge/{VALUES_MB}MB-file-and-set"), |b| {
        b.iter(|| {
            values::resolve(chart.values.clone(), &sources, &mut std::io::empty()).expect("merge")
        })
    });
    group.throughput(Throughput::Elements(TEMPLATES as u64));
    group.bench_function(format!("compile/{TEMPLATES}-templates"), |b| {
        b.iter(|| Engine::new(black_box(&chart)).expect("compile"))
    });
    group.bench_function(format!("render/{TEMPLATES}-templates"), |b| {
        b.iter(|| {
            engine
                .render(&chart, black_box(&merged), &Release::default())
                .expect("render")
        })
    });
    group.throughput(Throughput::Bytes(rendered_bytes as u64));
    group.bench_function(format!("parse/{TEMPLATES}-documents"), |b| {
        b.iter(|| parse(black_box(&texts)))
    });
    group.bench_function(format!("emit/{TEMPLATES}-documents"), |b| {
        let mut out = String::with_capacity(rendered_bytes * 2);
        b.iter(|| {
            out.clear();
            for m in &manifests {
                ktera::yaml::emit_document_into(black_box(&m.value), &mut out);
            }
            out.len()
        })
    });
    group.finish();

    // Two sides of DIFF_OBJECTS objects that differ in one field each.
    let mut left = String::new();
    let mut right = String::new();
    for m in manifests.iter().cycle().take(DIFF_OBJECTS) {
        left.push_str("---\n");
        left.push_str(&ktera::yaml::emit_document(&m.value));
    }
    for m in manifests.iter().cycle().take(DIFF_OBJECTS) {
        let mut value = m.value.clone();
        if let Some(spec) = value.get_mut("spec") {
            spec["replicas"] = serde_yaml::Value::from(5);
        }
        right.push_str("---\n");
        right.push_str(&ktera::yaml::emit_document(&value));
    }
    let left = ktera::diff::parse_manifests(&left, "left").expect("left side");
    let right = ktera::diff::parse_manifests(&right, "right").expect("right side");
    let mut group = c.benchmark_group("diff");
    group.sample_size(20);
    group.bench_function(format!("compare/{DIFF_OBJECTS}-objects"), |b| {
        b.iter(|| ktera::diff::compare(black_box(&left), black_box(&right)))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
