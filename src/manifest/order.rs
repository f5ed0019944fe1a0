//! Install order: the order in which Helm installs objects, and prints them.

use super::Manifest;

/// Kinds in the order Helm installs them (Helm's `InstallOrder`); other kinds come after these,
/// sorted by kind name. Objects of one kind follow their `# Source:` paths in byte order (Helm
/// sorts the template paths of the whole tree first, so a subchart's `parent/charts/...` comes
/// before the parent's `parent/templates/...`), and the documents of one template their order.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Orders manifests as Helm prints them: plain objects in install order, then hooks by weight
/// (then install order); then by `# Source:` path; stable otherwise.
pub fn sort_install_order(manifests: &mut [Manifest]) {
    // Each key once per object: reading the hook annotations looks up three nested keys.
    manifests.sort_by_cached_key(|m| {
        let hook = m.is_hook();
        let weight = if hook { m.hook_weight() } else { 0 };
        // Known kinds by rank, then unknown kinds by name.
        let kind = match INSTALL_ORDER.iter().position(|k| *k == m.kind) {
            Some(rank) => (0, rank, String::new()),
            None => (1, 0, m.kind.clone()),
        };
        (hook, weight, kind, m.source_name.clone())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_yaml::Value;

    #[test]
    fn kinds_sort_in_helm_install_order_and_stay_stable() {
        let m = |kind: &str, name: &str| Manifest {
            source_name: name.into(),
            template_name: name.into(),
            kind: kind.into(),
            value: Value::Null,
        };
        let mut list = vec![
            m("Deployment", "d1"),
            m("Widget", "w"),
            m("Service", "s"),
            m("Deployment", "d2"),
            m("Namespace", "n"),
            m("Apple", "a"),
        ];
        sort_install_order(&mut list);
        let names: Vec<_> = list.iter().map(|m| m.source_name.as_str()).collect();
        assert_eq!(names, ["n", "s", "d1", "d2", "a", "w"]);
    }

    #[test]
    fn one_kind_follows_source_paths_as_helm_and_one_file_its_documents() {
        let m = |source: &str, document: &str| Manifest {
            source_name: source.into(),
            template_name: document.into(),
            kind: "ConfigMap".into(),
            value: Value::Null,
        };
        let mut list = vec![
            m("app/templates/b.yaml", "first"),
            m("app/templates/a.yaml", "a"),
            m("app/charts/cache/templates/z.yaml", "z"),
            m("app/templates/b.yaml", "second"),
        ];
        sort_install_order(&mut list);
        let order: Vec<_> = list.iter().map(|m| m.template_name.as_str()).collect();
        assert_eq!(order, ["z", "a", "first", "second"]);
    }

    #[test]
    fn hooks_come_after_plain_objects_by_weight() {
        let m = |kind: &str, name: &str, hook: Option<(&str, &str)>| {
            let annotations = hook
                .map(|(h, w)| {
                    format!("annotations: {{helm.sh/hook: '{h}', helm.sh/hook-weight: '{w}'}}")
                })
                .unwrap_or_default();
            Manifest {
                source_name: name.into(),
                template_name: name.into(),
                kind: kind.into(),
                value: serde_yaml::from_str(&format!(
                    "kind: {kind}\nmetadata: {{name: {name}, {annotations}}}"
                ))
                .unwrap_or(Value::Null),
            }
        };
        let mut list = vec![
            m("Job", "late", Some(("post-install", "5"))),
            m("Job", "migrate", Some(("pre-install,pre-upgrade", "-1"))),
            m("Pod", "test", Some(("test", "0"))),
            m("Deployment", "app", None),
            m("Namespace", "ns", None),
        ];
        sort_install_order(&mut list);
        let names: Vec<_> = list.iter().map(|m| m.source_name.as_str()).collect();
        assert_eq!(names, ["ns", "app", "migrate", "test", "late"]);
        assert!(list[3].is_test_hook());
        assert_eq!(list[2].hook_events(), ["pre-install", "pre-upgrade"]);
    }
}
