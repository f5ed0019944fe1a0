//! Go template text converted at render time: a converted chart's `tpl` renders its users'
//! values, which hold Go templates (`"{{ .Release.Name }}-eks"`), with the same parser and
//! emitter that converted the chart (docs/convert.md, section 15).
//!
//! The text's `.` is whatever `tpl` was given, whose keys are the top-level names of the
//! render (`Values`, `Release`, ... for the top-level object) and `Root` is the whole of it.
//! Defines of the chart are the chart's components, found by name.

use super::emit::{self, Component, Model, Signature, names};
use super::parse;
use super::scope::{self, TemplateFile};
use crate::error::Error;

/// What the render knows about one of the chart's components: its arguments, with whether each
/// is implicit (`@Values`).
pub type ComponentArguments = Vec<(String, bool)>;

/// Converts `text` (Go template text) to Tera text. `component` gives the arguments of the
/// chart's component for a define name, when there is one.
pub fn go_to_tera(
    text: &str,
    component: &(dyn Fn(&str) -> Option<ComponentArguments> + Sync),
) -> Result<String, Error> {
    const NAME: &str = "tpl";
    let template = parse(NAME, text)?;
    let files = [TemplateFile {
        name: NAME,
        template: &template,
    }];
    let analysis = scope::analyse(&files);
    let external = |go_name: &str| -> Option<Component> {
        let name = names::component_base(go_name);
        let arguments = component(&name)?;
        let signature = if arguments.iter().all(|(_, implicit)| *implicit) {
            Signature::Root {
                objects: arguments.into_iter().map(|(n, _)| n).collect(),
            }
        } else if arguments.len() == 1 && arguments[0].0 == "arg" {
            Signature::Arg
        } else {
            Signature::Dict {
                keys: arguments
                    .into_iter()
                    .filter(|(_, implicit)| !implicit)
                    .map(|(n, _)| n)
                    .collect(),
            }
        };
        Some(Component { name, signature })
    };
    let mut model = Model::new(&analysis);
    model.tpl = true;
    model.external = Some(&external);
    Ok(emit::emit_file(&model, NAME, text, &template).text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<ComponentArguments> {
        None
    }

    #[test]
    fn values_strings_become_tera() {
        assert_eq!(
            go_to_tera("{{ .Release.Name }}-eks", &none).unwrap(),
            "{{ Release.Name }}-eks"
        );
        assert_eq!(
            go_to_tera("{{ .x | upper }}", &none).unwrap(),
            "{{ Root.x | upper }}"
        );
        let fullname =
            |name: &str| (name == "app.fullname").then(|| vec![("Values".to_string(), true)]);
        assert_eq!(
            go_to_tera(r#"{{ include "app.fullname" . }}-x"#, &fullname).unwrap(),
            "{{ <app.fullname /> }}-x"
        );
        assert!(go_to_tera("{{ if }}", &none).is_err());
    }
}
