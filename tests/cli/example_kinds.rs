//! The example chart renders every resource kind of the seed's notes, in both environments, with
//! the differences between dev and prod that matter: `ktera template charts/backend -f
//! values/<env>.yaml`, run as the real binary, its output parsed document by document.
//!
//! Equality with the Kustomize tree is checked elsewhere (the `golden` and `compare` modules);
//! this module checks what each object is for: the Deployment's rollout strategy, the log
//! collector's DaemonSet on every node, the cache subchart's StatefulSet where it is enabled, the
//! migration Job as a hook printed after everything else, the CronJob's schedule.

use crate::common::{copy_dir, tools};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_yaml::Value;

/// One rendered document: its `# Source:` template and the parsed object.
struct Doc {
    source: String,
    object: Value,
}

impl Doc {
    fn kind(&self) -> &str {
        self.object["kind"].as_str().unwrap_or_default()
    }

    fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or_default()
    }

    fn is_hook(&self) -> bool {
        !self.object["metadata"]["annotations"]["helm.sh/hook"].is_null()
    }
}

const ENVS: [&str; 2] = ["dev", "prod"];

/// Every kind the seed's notes list that a chart renders (Pods and ReplicaSets are made by the
/// cluster from the workloads), except StatefulSet, which only some environments enable, and
/// Secret, which prod gets from an ExternalSecret (see `the_secret_is_plain_in_dev_only`).
const ALWAYS: [&str; 8] = [
    "Namespace",
    "Deployment",
    "Service",
    "Ingress",
    "ConfigMap",
    "DaemonSet",
    "Job",
    "CronJob",
];

/// Whether the pods' Secret `name` exists in this environment: rendered, or written in the
/// cluster by an ExternalSecret whose target it is.
fn secret_provided(docs: &[Doc], name: &str) -> bool {
    has(docs, "Secret", name)
        || docs.iter().any(|d| {
            d.kind() == "ExternalSecret"
                && d.object["spec"]["target"]["name"].as_str() == Some(name)
        })
}

fn ktera() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ktera"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// `ktera template charts/backend -f values/<env>.yaml [extra]`, split into documents.
fn render(env: &str, extra: &[&str]) -> Vec<Doc> {
    let output = ktera()
        .args(["template", "charts/backend", "-f"])
        .arg(format!("values/{env}.yaml"))
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).expect("UTF-8 output");
    let mut docs = Vec::new();
    for chunk in text
        .split("\n---\n")
        .flat_map(|c| c.strip_prefix("---\n").or(Some(c)))
    {
        let source = chunk
            .lines()
            .find_map(|line| line.strip_prefix("# Source: "))
            .unwrap_or_default()
            .to_string();
        let object: Value = serde_yaml::from_str(chunk).expect("a YAML document");
        if object.is_null() {
            continue;
        }
        docs.push(Doc { source, object });
    }
    docs
}

fn find<'d>(docs: &'d [Doc], kind: &str, name: &str) -> &'d Doc {
    docs.iter()
        .find(|d| d.kind() == kind && d.name() == name)
        .unwrap_or_else(|| {
            let all: Vec<String> = docs
                .iter()
                .map(|d| format!("{}/{}", d.kind(), d.name()))
                .collect();
            panic!("no {kind} {name} among {all:?}")
        })
}

fn has(docs: &[Doc], kind: &str, name: &str) -> bool {
    docs.iter().any(|d| d.kind() == kind && d.name() == name)
}

/// The one container of a Pod spec.
fn container(pod_spec: &Value) -> &Value {
    let containers = pod_spec["containers"].as_sequence().expect("containers");
    assert_eq!(containers.len(), 1, "{pod_spec:?}");
    &containers[0]
}

/// The value of the environment variable `name` of a container.
fn env_var<'v>(container: &'v Value, name: &str) -> &'v Value {
    container["env"]
        .as_sequence()
        .and_then(|env| env.iter().find(|e| e["name"] == name))
        .map(|e| &e["value"])
        .unwrap_or_else(|| panic!("no env {name} in {container:?}"))
}

fn str_at<'v>(value: &'v Value, path: &str) -> &'v str {
    let mut cur = value;
    for key in path.split('.') {
        cur = &cur[key];
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("{path} is not a string: {cur:?}"))
}

/// Whether every label of `selector` is among `labels`.
fn selects(selector: &Value, labels: &Value) -> bool {
    selector
        .as_mapping()
        .expect("a selector map")
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
}

#[test]
fn every_seed_kind_is_rendered_in_both_environments() {
    for env in ENVS {
        let docs = render(env, &[]);
        let kinds: BTreeSet<&str> = docs.iter().map(Doc::kind).collect();
        for kind in ALWAYS {
            assert!(kinds.contains(kind), "{env}: no {kind} in {kinds:?}");
        }
        for doc in &docs {
            let meta = &doc.object["metadata"];
            if doc.kind() != "Namespace" {
                assert_eq!(
                    meta["namespace"],
                    "dominos-service-backend",
                    "{env}: {} {}",
                    doc.kind(),
                    doc.name()
                );
            }
            // global.environment reaches the parent's objects and the subchart's alike.
            assert_eq!(meta["labels"]["environment"], env, "{env}: {}", doc.name());
            assert_eq!(
                meta["labels"]["app.kubernetes.io/part-of"],
                "dominos-service"
            );
        }
    }
}

/// Dev's fake credentials are a plain Secret; prod's Secret is written in the cluster from AWS
/// Secrets Manager by an ExternalSecret with the same keys, and no value of it is rendered.
#[test]
fn the_secret_is_plain_in_dev_only() {
    let dev = render("dev", &[]);
    let secret = &find(&dev, "Secret", "backend-app-secret").object;
    assert!(!dev.iter().any(|d| d.kind() == "ExternalSecret"));
    let mut keys: Vec<&str> = secret["data"]
        .as_mapping()
        .expect("data")
        .keys()
        .filter_map(Value::as_str)
        .collect();
    keys.sort_unstable();

    let prod = render("prod", &[]);
    assert!(!has(&prod, "Secret", "backend-app-secret"));
    let external = &find(&prod, "ExternalSecret", "backend-app-secret").object;
    assert_eq!(external["apiVersion"], "external-secrets.io/v1");
    let spec = &external["spec"];
    assert_eq!(spec["target"]["name"], "backend-app-secret");
    assert_eq!(spec["secretStoreRef"]["kind"], "ClusterSecretStore");
    let data = spec["data"].as_sequence().expect("spec.data");
    let mut prod_keys: Vec<&str> = data.iter().map(|d| str_at(d, "secretKey")).collect();
    prod_keys.sort_unstable();
    assert_eq!(prod_keys, keys, "prod's Secret has dev's keys");
    for item in data {
        assert_eq!(item["remoteRef"]["key"], "dominos/prod/backend-app");
        assert_eq!(item["remoteRef"]["property"], item["secretKey"]);
    }
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("values/prod.yaml"))
        .expect("values/prod.yaml");
    assert!(
        !text.contains("secrets:"),
        "prod's values hold no secret value"
    );
}

#[test]
fn deployment_strategy_and_replicas_differ() {
    let dev = render("dev", &[]);
    let spec = &find(&dev, "Deployment", "backend-app").object["spec"];
    assert_eq!(spec["replicas"], 1);
    assert_eq!(spec["strategy"]["type"], "Recreate");
    // The API server rejects a Recreate strategy with a rollingUpdate block.
    assert!(spec["strategy"]["rollingUpdate"].is_null(), "{spec:?}");

    let prod = render("prod", &[]);
    let spec = &find(&prod, "Deployment", "backend-app").object["spec"];
    assert_eq!(spec["replicas"], 3);
    assert_eq!(spec["strategy"]["type"], "RollingUpdate");
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxSurge"], 1);
    assert_eq!(spec["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
}

#[test]
fn ingress_host_and_tls_differ() {
    let dev = render("dev", &[]);
    let spec = &find(&dev, "Ingress", "backend-app").object["spec"];
    assert_eq!(spec["rules"][0]["host"], "backend.dev.dominos.example.com");
    assert!(spec["tls"].is_null());

    let prod = render("prod", &[]);
    let spec = &find(&prod, "Ingress", "backend-app").object["spec"];
    assert_eq!(spec["rules"][0]["host"], "backend.dominos.example.com");
    assert_eq!(spec["tls"][0]["hosts"][0], "backend.dominos.example.com");
}

#[test]
fn log_collector_runs_on_every_node_with_per_environment_resources() {
    let expected = [
        ("dev", "25m", "48Mi", "96Mi"),
        ("prod", "100m", "128Mi", "256Mi"),
    ];
    for (env, cpu, memory, limit) in expected {
        let docs = render(env, &[]);
        let ds = &find(&docs, "DaemonSet", "backend-app-log-collector").object;
        let pod = &ds["spec"]["template"]["spec"];
        // Tolerates every taint, so it lands on every node.
        let tolerations = pod["tolerations"].as_sequence().expect("tolerations");
        assert!(
            tolerations
                .iter()
                .any(|t| t["operator"] == "Exists" && t["key"].is_null()),
            "{env}: {tolerations:?}"
        );
        let fluent_bit = container(pod);
        assert_eq!(fluent_bit["resources"]["requests"]["cpu"], cpu, "{env}");
        assert_eq!(
            fluent_bit["resources"]["requests"]["memory"], memory,
            "{env}"
        );
        assert_eq!(fluent_bit["resources"]["limits"]["memory"], limit, "{env}");
        assert_eq!(
            env_var(fluent_bit, "LOG_GROUP_NAME"),
            &Value::from(format!("/dominos/{env}/backend-app"))
        );

        // The node's logs, read-only, from a hostPath volume.
        let volumes = pod["volumes"].as_sequence().expect("volumes");
        let varlog = volumes
            .iter()
            .find(|v| v["hostPath"]["path"] == "/var/log")
            .expect("a hostPath volume for /var/log");
        let mount = fluent_bit["volumeMounts"]
            .as_sequence()
            .expect("volumeMounts")
            .iter()
            .find(|m| m["name"] == varlog["name"])
            .expect("/var/log is mounted");
        assert_eq!(mount["mountPath"], "/var/log");
        assert_eq!(mount["readOnly"], true);

        // Its own ConfigMap, with the fluent-bit configuration the container is started with.
        let config = volumes
            .iter()
            .find_map(|v| v["configMap"]["name"].as_str())
            .expect("a ConfigMap volume");
        let conf = find(&docs, "ConfigMap", config).object["data"]["fluent-bit.conf"]
            .as_str()
            .expect("fluent-bit.conf in the ConfigMap");
        assert!(conf.contains("${LOG_GROUP_NAME}"), "{conf}");
        assert!(conf.contains("/var/log/containers/"), "{conf}");

        // Its own selector, which the backend's Service does not share.
        let selector = &ds["spec"]["selector"]["matchLabels"];
        assert_eq!(selector["app"], "backend-app-log-collector");
        let sa = &find(&docs, "ServiceAccount", "backend-app-log-collector").object;
        assert_eq!(
            sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
            format!("arn:aws:iam::123456789012:role/backend-app-log-collector-{env}").as_str()
        );
    }
}

#[test]
fn cache_statefulset_is_rendered_only_where_enabled() {
    // dev: cache.enabled is true, so the subchart renders, with the parent's overrides.
    let dev = render("dev", &[]);
    let sts = find(&dev, "StatefulSet", "backend-app-cache");
    assert_eq!(
        sts.source, "backend/charts/cache/templates/statefulset.yaml",
        "the subchart's own template"
    );
    let spec = &sts.object["spec"];
    assert_eq!(spec["replicas"], 1);
    assert_eq!(spec["serviceName"], "backend-app-cache");
    let claims = spec["volumeClaimTemplates"].as_sequence().expect("claims");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["metadata"]["name"], "data");
    assert_eq!(claims[0]["spec"]["accessModes"][0], "ReadWriteOnce");
    assert_eq!(claims[0]["spec"]["storageClassName"], "gp3");
    assert_eq!(claims[0]["spec"]["resources"]["requests"]["storage"], "2Gi");
    let mounts = container(&spec["template"]["spec"])["volumeMounts"]
        .as_sequence()
        .expect("volumeMounts");
    assert!(mounts.iter().any(|m| m["name"] == "data"), "{mounts:?}");
    // Its headless Service, and the backend pointed at it.
    let svc = &find(&dev, "Service", "backend-app-cache").object;
    assert_eq!(svc["spec"]["clusterIP"], "None");
    assert!(selects(
        &svc["spec"]["selector"],
        &spec["template"]["metadata"]["labels"]
    ));
    let config = &find(&dev, "ConfigMap", "backend-app-config").object;
    assert_eq!(
        config["data"]["REDIS_HOST"],
        "backend-app-cache.dominos-service-backend.svc.cluster.local"
    );

    // prod: the condition is false, nothing of the subchart renders; ElastiCache instead.
    let prod = render("prod", &[]);
    assert!(prod.iter().all(|d| d.kind() != "StatefulSet"));
    assert!(!has(&prod, "Service", "backend-app-cache"));
    assert!(prod.iter().all(|d| !d.source.contains("/charts/cache/")));
    let config = &find(&prod, "ConfigMap", "backend-app-config").object;
    assert_eq!(
        config["data"]["REDIS_HOST"],
        "backend-prod.x1y2z3.ng.0001.apn2.cache.amazonaws.com"
    );

    // The same condition turned on from the command line: prod gets the same cache (the
    // parent's values.yaml sets its size over the subchart's default), labelled prod.
    let on = render("prod", &["--set", "cache.enabled=true"]);
    let spec = &find(&on, "StatefulSet", "backend-app-cache").object["spec"];
    assert_eq!(
        spec["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "2Gi"
    );
    assert_eq!(
        spec["template"]["metadata"]["labels"]["environment"], "prod",
        "global.environment reaches the subchart"
    );
    let config = &find(&on, "ConfigMap", "backend-app-config").object;
    assert_eq!(
        config["data"]["REDIS_HOST"],
        "backend-app-cache.dominos-service-backend.svc.cluster.local"
    );
}

/// Turning the cache on in prod is one line on each side, and both sides still agree:
/// `cache.enabled: true` for the chart, `components: [../../components/cache]` in the overlay.
#[test]
fn cache_turned_on_in_prod_agrees_with_the_overlay_and_its_component() {
    if !tools::kustomize_installed() {
        tools::skip_without_kustomize();
        return;
    }
    let tree = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("kustomize"),
        tree.path(),
    );
    let overlay = tree.path().join("backend/overlays/prod");
    let kustomization = overlay.join("kustomization.yaml");
    let text = fs::read_to_string(&kustomization).unwrap();
    assert!(!text.contains("\ncomponents:"), "{text}");
    let text = format!("{text}\ncomponents:\n  - ../../components/cache\n");
    fs::write(&kustomization, text).unwrap();
    let output = ktera()
        .args(["compare", "charts/backend", "-f", "values/prod.yaml"])
        .args(["--set", "cache.enabled=true", "--kustomize"])
        .arg(&overlay)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.starts_with("EQUAL: "), "{report}");
    assert!(report.contains("13 equal"), "{report}");
}

#[test]
fn migration_job_is_a_hook_printed_after_every_other_object() {
    for env in ENVS {
        let docs = render(env, &[]);
        let job = find(&docs, "Job", "backend-app-db-migrate");
        let annotations = &job.object["metadata"]["annotations"];
        assert_eq!(annotations["helm.sh/hook"], "pre-install,pre-upgrade");
        assert_eq!(annotations["helm.sh/hook-weight"], "-5");
        assert_eq!(
            annotations["helm.sh/hook-delete-policy"],
            "before-hook-creation,hook-succeeded"
        );
        // After all the plain objects, as Helm prints (and installs) hooks.
        let first_hook = docs.iter().position(Doc::is_hook).expect("a hook");
        assert!(
            docs[first_hook..].iter().all(Doc::is_hook),
            "{env}: a plain object after a hook"
        );
        assert_eq!(docs.iter().filter(|d| d.is_hook()).count(), 1);

        // The app's image and settings.
        let pod = &job.object["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Never");
        let migrate = container(pod);
        let app =
            container(&find(&docs, "Deployment", "backend-app").object["spec"]["template"]["spec"]);
        assert_eq!(migrate["image"], app["image"], "{env}");
        assert_eq!(migrate["envFrom"], app["envFrom"], "{env}");
        for from in migrate["envFrom"].as_sequence().expect("envFrom") {
            let found = match from.get("configMapRef") {
                Some(r) => has(&docs, "ConfigMap", str_at(r, "name")),
                None => secret_provided(&docs, str_at(&from["secretRef"], "name")),
            };
            assert!(found, "{env}: {from:?}");
        }
    }
}

#[test]
fn no_hooks_leaves_out_the_migration_job_only() {
    for env in ENVS {
        let all = render(env, &[]);
        let plain = render(env, &["--no-hooks"]);
        assert!(!has(&plain, "Job", "backend-app-db-migrate"), "{env}");
        assert_eq!(plain.len(), all.len() - 1, "{env}");
        assert!(plain.iter().all(|d| !d.is_hook()));
    }
}

#[test]
fn cleanup_cronjob_schedule_differs() {
    let expected = [("dev", "0 19 * * 1-5", "7"), ("prod", "0 3 * * *", "30")];
    for (env, schedule, days) in expected {
        let docs = render(env, &[]);
        let cron = &find(&docs, "CronJob", "backend-app-cleanup").object;
        let spec = &cron["spec"];
        assert_eq!(spec["schedule"], schedule, "{env}");
        assert_eq!(spec["timeZone"], "Asia/Seoul");
        assert_eq!(spec["suspend"], false, "{env}");
        assert_eq!(spec["concurrencyPolicy"], "Forbid");
        let pod = &spec["jobTemplate"]["spec"]["template"]["spec"];
        let cleanup = container(pod);
        assert_eq!(env_var(cleanup, "CLEANUP_RETENTION_DAYS"), days, "{env}");
        let app =
            container(&find(&docs, "Deployment", "backend-app").object["spec"]["template"]["spec"]);
        assert_eq!(cleanup["image"], app["image"], "{env}");
    }
    // One value pauses it.
    let paused = render("prod", &["--set", "cleanup.suspend=true"]);
    let cron = &find(&paused, "CronJob", "backend-app-cleanup").object;
    assert_eq!(cron["spec"]["suspend"], true);
}

/// Each Service selects the Pods of exactly one workload: the backend's Service never sends
/// traffic to the log collector, the cache, or the Pods of the Job and the CronJob.
#[test]
fn every_service_selects_one_workload() {
    for env in ENVS {
        let docs = render(env, &[]);
        let templates: Vec<(String, &Value)> = docs
            .iter()
            .filter_map(|d| {
                let spec = &d.object["spec"];
                let labels = match d.kind() {
                    "CronJob" => &spec["jobTemplate"]["spec"]["template"]["metadata"]["labels"],
                    "Deployment" | "DaemonSet" | "StatefulSet" | "Job" => {
                        &spec["template"]["metadata"]["labels"]
                    }
                    _ => return None,
                };
                Some((format!("{}/{}", d.kind(), d.name()), labels))
            })
            .collect();
        for svc in docs.iter().filter(|d| d.kind() == "Service") {
            let selector = &svc.object["spec"]["selector"];
            let selected: Vec<&str> = templates
                .iter()
                .filter(|(_, labels)| selects(selector, labels))
                .map(|(name, _)| name.as_str())
                .collect();
            assert_eq!(
                selected.len(),
                1,
                "{env}: {} selects {selected:?}",
                svc.name()
            );
        }
    }
}
