//! `templates/_helpers.tera`: what several templates share, written once. The name helper
//! (the overlay's prefix and suffix), the namespace, the common labels and annotations, and
//! for each ConfigMap or Secret whose name carries Kustomize's hash, its hashed fields and
//! its name, which every template that refers to it calls.

use serde_yaml::{Mapping, Value};

use super::model::{ChartObject, Node, Slot};
use super::names;
use super::template::{Writer, escape};
use super::unify::Common;

pub struct Helpers {
    /// The components' namespace: the chart's name as an identifier (`backend.labels`).
    pub ns: String,
    parts: Vec<String>,
}

impl Helpers {
    pub fn new(ns: String) -> Helpers {
        Helpers {
            ns,
            parts: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// `<backend.name name="web" />`: the overlay's `namePrefix` and `nameSuffix` around a name.
    pub fn name(&mut self, prefix: bool, suffix: bool) {
        let ns = &self.ns;
        let mut body = String::new();
        if prefix {
            body.push_str("{{ Values.namePrefix }}");
        }
        body.push_str("{{ name }}");
        if suffix {
            body.push_str("{{ Values.nameSuffix }}");
        }
        let what = match (prefix, suffix) {
            (true, true) => "`namePrefix` and `nameSuffix`",
            (true, false) => "`namePrefix`",
            _ => "`nameSuffix`",
        };
        self.parts.push(format!(
            "{{#- An object's name with the environment's {what}, as Kustomize gives it to every\n    object of the overlay and to every reference to one. #}}\n{{% component {ns}.name(name, @Values) -%}}\n{body}\n{{%- endcomponent {ns}.name %}}\n"
        ));
    }

    /// `<backend.namespace />`: the namespace every object of an environment is in.
    pub fn namespace(&mut self) {
        let ns = &self.ns;
        self.parts.push(format!(
            "{{#- The namespace of every object (Kustomize's `namespace`). #}}\n{{% component {ns}.namespace(@Values) -%}}\n{{{{ Values.namespace }}}}\n{{%- endcomponent {ns}.namespace %}}\n"
        ));
    }

    /// The labels (or annotations) every object carries, each either as it is or from
    /// `commonLabels.<key>` when it differs between environments.
    pub fn common(
        &mut self,
        common: &Common,
        slot_for: &dyn Fn(&str) -> Option<usize>,
        slots: &[Slot],
    ) {
        let ns = &self.ns;
        let mut body = String::new();
        for key in &common.keys {
            match slot_for(key) {
                Some(slot) => body.push_str(&format!(
                    "{}: {{{{ {} | quote }}}}\n",
                    escape(&crate::yaml::quote_scalar_if_needed(key)),
                    names::access(&slots[slot].path)
                )),
                None => {
                    let value = common
                        .values
                        .iter()
                        .find_map(|v| v.get(key))
                        .cloned()
                        .unwrap_or_default();
                    let mut one = Mapping::new();
                    one.insert(Value::from(key.as_str()), Value::from(value));
                    body.push_str(&escape(&crate::yaml::emit_document(&Value::Mapping(one))));
                }
            }
        }
        let field = common.field;
        let (what, source) = match field {
            "labels" => ("labels", "`labels` and `commonLabels`"),
            _ => ("annotations", "`commonAnnotations`"),
        };
        self.parts.push(format!(
            "{{#- The {what} on every object ({source} of the kustomizations). #}}\n{{% component {ns}.{field}(@Values) -%}}\n{}\n{{%- endcomponent {ns}.{field} %}}\n",
            body.trim_end()
        ));
    }

    /// For a ConfigMap or Secret named with Kustomize's hash: `<ns.key.content />`, its hashed
    /// fields, and `<ns.key.name />`, its name, whose hash changes when they do.
    pub fn hashed(
        &mut self,
        object: &ChartObject,
        content: &Node,
        base_name: &str,
        slots: &[Slot],
    ) -> (String, String) {
        let ns = &self.ns;
        let id = names::snake(&object.key);
        let content_name = format!("{ns}.{id}.content");
        let name_name = format!("{ns}.{id}.name");
        let mut writer = Writer::new(slots);
        writer.root(content);
        // Not trimmed at the end: a block scalar last in the body keeps its final newline.
        let body = writer.finish();
        let content_part = format!(
            "{{% component {content_name}(@Values) -%}}\n{body}{{% endcomponent {content_name} %}}\n"
        );
        let kind = &object.kind;
        self.parts.push(format!(
            "{{#- {title}: the fields Kustomize's name hash is computed from, written once for the\n    object and for its name. #}}\n{content_part}\n{{#- Its name: a new hash whenever the fields above change, as Kustomize names it. #}}\n{{% component {name_name}(@Values) -%}}\n{{%- set content = <{content_name} /> | from_yaml | default(value={{}}) -%}}\n{base_name}-{{{{ kustomize_hash(object={{\"kind\": {kind_literal}, ...content}}) }}}}\n{{%- endcomponent {name_name} %}}\n",
            title = object.title,
            kind_literal = crate::engine::string_literal(kind),
        ));
        (format!("<{content_name} />"), format!("<{name_name} />"))
    }

    pub fn text(&self, chart: &str) -> String {
        let mut out = format!(
            "{{#-\n  Helpers of the chart {chart}, imported from Kustomize by `ktera import`.\n  A component is called where the YAML needs it: `{{{{ <{ns}.labels /> | nindent(width=4) }}}}`.\n-#}}\n",
            ns = self.ns
        );
        for part in &self.parts {
            out.push('\n');
            out.push_str(part);
        }
        out
    }
}
