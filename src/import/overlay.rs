//! The environments to import: `ENV=DIR` or `DIR` (the environment is the directory's name),
//! each a directory Kustomize can build.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// One environment: its name (the values file is `<env>.yaml`) and its kustomization directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    pub env: String,
    pub dir: PathBuf,
}

/// The file names Kustomize reads a kustomization from, in its order of preference.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a directory, if it has one.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|file| file.is_file())
}

/// Reads `ENV=DIR` or `DIR`. A directory whose own name contains `=` is taken as a directory.
pub fn parse(arg: &str) -> Result<Overlay, Error> {
    let (env, dir) = match arg.split_once('=') {
        Some((env, dir)) if !Path::new(arg).is_dir() => (Some(env.to_string()), PathBuf::from(dir)),
        _ => (None, PathBuf::from(arg)),
    };
    let env = match env {
        Some(env) => env,
        None => default_env(&dir)?,
    };
    check_env_name(&env, arg)?;
    Ok(Overlay { env, dir })
}

/// The directory's own name; for `.` or `..`, the name of the directory it stands for. A
/// character a values file's name should not hold becomes `-` (`release-ha-1.21+` is the
/// environment `release-ha-1.21`).
fn default_env(dir: &Path) -> Result<String, Error> {
    let named = match dir.file_name() {
        Some(name)
            if dir
                .components()
                .next_back()
                .is_some_and(|c| matches!(c, std::path::Component::Normal(_))) =>
        {
            Some(name.to_string_lossy().into_owned())
        }
        _ => std::fs::canonicalize(dir)
            .ok()
            .and_then(|full| full.file_name().map(|n| n.to_string_lossy().into_owned())),
    };
    let named = named.map(|name| {
        name.chars()
            .map(|c| if env_char(c) { c } else { '-' })
            .collect::<String>()
            .trim_matches(|c| c == '-' || c == '.')
            .to_string()
    });
    named.filter(|name| !name.is_empty()).ok_or_else(|| {
        Error::usage(format!(
            "{}: cannot name an environment after this directory; write ENV={}",
            dir.display(),
            dir.display()
        ))
    })
}

/// An environment names a values file: letters, digits, `.`, `_` and `-`, not starting with `.`.
fn check_env_name(env: &str, arg: &str) -> Result<(), Error> {
    let valid = !env.is_empty() && !env.starts_with('.') && env.chars().all(env_char);
    if valid {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "`{arg}`: `{env}` cannot name an environment (it names the values file <env>.yaml): use letters, digits, `.`, `_` and `-`, as in dev=overlays/dev"
        )))
    }
}

fn env_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Every directory must hold a kustomization, and no environment may be named twice.
pub fn check_all(overlays: &[Overlay]) -> Result<(), Error> {
    for (i, overlay) in overlays.iter().enumerate() {
        if let Some(first) = overlays[..i].iter().find(|o| o.env == overlay.env) {
            return Err(Error::usage(format!(
                "the environment `{}` is given twice ({} and {}); name one of them with ENV=DIR",
                overlay.env,
                first.dir.display(),
                overlay.dir.display()
            )));
        }
    }
    for overlay in overlays {
        if !overlay.dir.is_dir() {
            return Err(Error::input("no such directory")
                .in_file(overlay.dir.display().to_string())
                .with_hint("pass a Kustomize overlay directory (one with a kustomization.yaml)"));
        }
        if kustomization_file(&overlay.dir).is_none() {
            return Err(Error::input(
                "not a kustomization: the directory holds no kustomization.yaml, kustomization.yml or Kustomization",
            )
            .in_file(overlay.dir.display().to_string())
            .with_hint(format!(
                "pass the overlay directory itself (e.g. overlays/{}), not its parent or a directory of plain manifests",
                overlay.env
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_from_name_or_prefix() {
        assert_eq!(parse("overlays/prod").unwrap().env, "prod");
        let o = parse("live=overlays/prod").unwrap();
        assert_eq!(
            (o.env.as_str(), o.dir.as_path()),
            ("live", Path::new("overlays/prod"))
        );
        assert!(parse("bad name=overlays/prod").is_err());
        // A directory's name is made one a values file can have; a name given must be one.
        assert_eq!(parse("overlays/ha-1.21+").unwrap().env, "ha-1.21");
        assert_eq!(parse("overlays/eu west").unwrap().env, "eu-west");
        assert!(parse("overlays/+").is_err());
        assert!(parse(".hidden=x").is_err());
    }

    #[test]
    fn twice_is_refused() {
        let a = Overlay {
            env: "dev".into(),
            dir: "a".into(),
        };
        let b = Overlay {
            env: "dev".into(),
            dir: "b".into(),
        };
        let message = check_all(&[a, b]).unwrap_err().to_string();
        assert!(message.contains("given twice"), "{message}");
    }
}
