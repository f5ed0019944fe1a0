//! The chart's own files, readable from templates (Helm's `.Files`): everything in the chart
//! except `templates/`, subcharts, `Chart.yaml`, `values.yaml`, `values.schema.json` and what
//! `.helmignore` excludes. Reads are confined to the chart: `..`, absolute paths and links that
//! lead out of the chart are refused, never followed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::Error;

/// Largest file `files_get` reads; bigger ones are refused instead of exhausting memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What is known of a file listed at load time.
#[derive(Debug, Clone)]
enum Entry {
    Readable(PathBuf),
    /// A file of a chart archive, read with it.
    InMemory(std::sync::Arc<[u8]>),
    /// A link whose target is outside the chart.
    Escapes(String),
    /// What cannot be read as a file of the chart, and why (a FIFO, two names that read the
    /// same).
    Refused(String),
}

#[derive(Debug, Clone, Default)]
pub struct ChartFiles {
    /// Chart-relative path with `/` separators -> where it is.
    entries: BTreeMap<String, Entry>,
}

impl ChartFiles {
    /// Lists the chart's files (contents are read on demand).
    pub fn list(chart_dir: &Path) -> Result<ChartFiles, Error> {
        let root =
            fs::canonicalize(chart_dir).map_err(|source| super::unreadable(chart_dir, source))?;
        ChartFiles::list_at(chart_dir, &root)
    }

    /// As [`ChartFiles::list`], given the chart directory's real path (`fs::canonicalize`).
    /// A `.helmignore` that is a link out of the chart is refused.
    pub fn list_at(chart_dir: &Path, root: &Path) -> Result<ChartFiles, Error> {
        // Read only when it stays inside the chart.
        super::confine::chart_file(chart_dir, root, ".helmignore")?;
        let ignore = helmignore(chart_dir);
        let mut files = ChartFiles::default();
        let mut seen = Seen {
            ancestors: vec![root.to_path_buf()],
            entries: 0,
        };
        walk(chart_dir, root, "", root, &ignore, &mut seen, &mut files)
            .map_err(|source| super::unreadable(chart_dir, source))?;
        Ok(files)
    }

    fn entry(&self, path: &str) -> Result<(&str, &Entry), Error> {
        let key = normalise(path)?;
        if let Some((k, e)) = self.entries.get_key_value(key.as_str()) {
            return Ok((k.as_str(), e));
        }
        // Under a directory that links out of the chart: say so, not just "missing".
        let mut parent = key.as_str();
        while let Some((up, _)) = parent.rsplit_once('/') {
            if let Some(Entry::Escapes(target)) = self.entries.get(up) {
                return Err(escapes(path, target));
            }
            parent = up;
        }
        Err(Error::input(format!(
            "`{path}` is not a file of the chart (or .helmignore excludes it)"
        )))
    }

    /// The files of a chart read from an archive (path inside the chart -> content), but for
    /// those that are the chart's structure. `.helmignore` applied when the archive was made.
    pub fn in_memory(files: &BTreeMap<String, std::sync::Arc<[u8]>>) -> ChartFiles {
        let entries = files
            .iter()
            .filter(|(key, _)| !reserved(key))
            .map(|(key, bytes)| (key.clone(), Entry::InMemory(std::sync::Arc::clone(bytes))))
            .collect();
        ChartFiles { entries }
    }

    /// Whether the chart has a file at `path` (readable or not).
    pub fn has(&self, path: &str) -> bool {
        normalise(path).is_ok_and(|key| self.entries.contains_key(key.as_str()))
    }

    /// Helm `.Files.Get`; unlike Helm, a missing file is an error, not an empty string.
    pub fn get(&self, path: &str) -> Result<String, Error> {
        let (key, entry) = self.entry(path)?;
        read(key, entry)
    }

    /// Helm `.Files.Glob`: chart-relative path -> content, in path order (`**` crosses `/`,
    /// `*` does not: see [`super::files_glob`]).
    pub fn glob(&self, pattern: &str) -> Result<BTreeMap<String, String>, Error> {
        let matcher = super::files_glob::FilesGlob::new(pattern).map_err(|why| {
            Error::input(format!(
                "`{pattern}` is not a valid glob pattern: {why} (Helm's glob library refuses it too, and then matches every file)"
            ))
        })?;
        let mut out = BTreeMap::new();
        for (key, entry) in &self.entries {
            if matcher.is_match(key) {
                out.insert(key.clone(), read(key, entry)?);
            }
        }
        Ok(out)
    }
}

fn read(key: &str, entry: &Entry) -> Result<String, Error> {
    match entry {
        Entry::Escapes(target) => Err(escapes(key, target)),
        Entry::Refused(why) => Err(Error::input(format!("`{key}` {why}"))),
        Entry::Readable(path) => {
            let unreadable = |e: std::io::Error| Error::io(format!("`{key}`: cannot read: {e}"), e);
            // Capped while reading, not only by the listed size: a device or a pipe has none.
            let too_large =
                || Error::input(format!("`{key}` is larger than {MAX_FILE_BYTES} bytes"));
            let bytes = match crate::input::read_file_bytes_up_to(path, MAX_FILE_BYTES) {
                Ok(bytes) => bytes,
                Err(crate::input::Failure::Io(e)) => return Err(unreadable(e)),
                Err(_) => return Err(too_large()),
            };
            String::from_utf8(bytes).map_err(|_| Error::input(format!("`{key}` is not UTF-8 text")))
        }
        Entry::InMemory(bytes) => std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| Error::input(format!("`{key}` is not UTF-8 text"))),
    }
}

fn escapes(path: &str, target: &str) -> Error {
    Error::input(format!(
        "`{path}` is a link that leads out of the chart ({target}); only files inside the chart can be read"
    ))
}

/// Checks a path a template asked for and returns its chart-relative key.
fn normalise(path: &str) -> Result<String, Error> {
    let p = Path::new(path);
    let mut parts = Vec::new();
    for component in p.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(Error::input(format!(
                    "`{path}` leads out of the chart with `..`; only files inside the chart can be read"
                )));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(Error::input(format!(
                    "`{path}` is an absolute path; chart files are named relative to the chart directory, e.g. `config/app.properties`"
                )));
            }
        }
    }
    if parts.first().is_some_and(|p| p == "templates") {
        return Err(Error::input(format!(
            "`{path}` is a template; files under templates/ are not readable as files"
        )));
    }
    Ok(parts.join("/"))
}

/// What Helm leaves out of a chart directory: the chart's `.helmignore` rules, plus Helm's
/// default one (hidden entries directly under `templates/` are not templates).
pub(crate) struct HelmIgnore {
    rules: Gitignore,
    templates_dir: PathBuf,
}

impl HelmIgnore {
    /// The rules of the chart at `chart_dir`; paths asked about start with `chart_dir`.
    pub fn of(chart_dir: &Path) -> HelmIgnore {
        HelmIgnore {
            rules: helmignore(chart_dir),
            templates_dir: chart_dir.join("templates"),
        }
    }

    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let hidden_template = path.parent() == Some(self.templates_dir.as_path())
            && path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        hidden_template || self.rules.matched(path, is_dir).is_ignore()
    }
}

pub(crate) fn helmignore(chart_dir: &Path) -> Gitignore {
    let mut builder = GitignoreBuilder::new(chart_dir);
    let file = chart_dir.join(".helmignore");
    if file.is_file() {
        // A malformed line is skipped, as Helm does; the rest still applies.
        let _ = builder.add(file);
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// Files that are part of the chart's structure, not its `Files`.
fn reserved(key: &str) -> bool {
    matches!(
        key,
        "Chart.yaml" | "Chart.lock" | "values.yaml" | "values.schema.json" | ".helmignore"
    ) || key.starts_with("templates/")
        || key.starts_with("charts/")
}

/// Most files and directories listed in one chart: links between its directories could
/// otherwise multiply the listing without end.
pub const MAX_ENTRIES: usize = 100_000;

/// What a walk has been through.
struct Seen {
    /// Real paths of the directories being listed: a link back to one of them (a loop) is not
    /// followed.
    ancestors: Vec<PathBuf>,
    entries: usize,
}

/// Lists `dir`, whose real path is `real_dir`, into `files`.
fn walk(
    dir: &Path,
    real_dir: &Path,
    prefix: &str,
    root: &Path,
    ignore: &Gitignore,
    seen: &mut Seen,
    files: &mut ChartFiles,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_cached_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let key = format!("{prefix}{}", entry.file_name().to_string_lossy());
        // Only a link can lead elsewhere (or nowhere): anything else is where its directory
        // really is, which saves resolving every path one component at a time.
        let plain_is_dir = match entry.file_type() {
            Ok(file_type) if !file_type.is_symlink() => Some(file_type.is_dir()),
            _ => None,
        };
        let is_dir = plain_is_dir.unwrap_or_else(|| path.is_dir());
        if reserved(&key) || ignore.matched(&path, is_dir).is_ignore() {
            continue;
        }
        seen.entries += 1;
        if seen.entries > MAX_ENTRIES {
            return Err(std::io::Error::other(format!(
                "the chart holds more than {MAX_ENTRIES} files and directories (links between its directories?)"
            )));
        }
        let real = match plain_is_dir {
            Some(_) => real_dir.join(entry.file_name()),
            None => match fs::canonicalize(&path) {
                Ok(real) => real,
                Err(_) => continue, // a dangling link: there is nothing to read
            },
        };
        if !real.starts_with(root) {
            files
                .entries
                .insert(key, Entry::Escapes(real.display().to_string()));
            continue;
        }
        if is_dir {
            if seen.ancestors.contains(&real) {
                continue;
            }
            let prefix = format!("{key}/");
            if reserved(&prefix) {
                // Every entry below is reserved (`templates/`, `charts/`): only its listing can
                // fail, as it would have in the walk.
                for entry in fs::read_dir(&path)? {
                    entry?;
                }
                continue;
            }
            seen.ancestors.push(real.clone());
            let listed = walk(&path, &real, &prefix, root, ignore, seen, files);
            seen.ancestors.pop();
            listed?;
            continue;
        }
        // A FIFO would block the read and a device never end.
        let entry = if fs::metadata(&real).is_ok_and(|m| m.is_file()) {
            Entry::Readable(path)
        } else {
            Entry::Refused("is not a regular file (a FIFO, socket or device)".into())
        };
        // Names that are not UTF-8 read with `\u{fffd}`: two of them may read the same.
        let entry = match files.entries.get(&key) {
            Some(_) => Entry::Refused(
                "names two files (names that are not UTF-8 read the same); rename one".into(),
            ),
            None => entry,
        };
        files.entries.insert(key, entry);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_back_up_are_not_followed() {
        let dir = std::env::temp_dir().join(format!("ktera-files-loop-{}", std::process::id()));
        let a = dir.join("config/a");
        let _ = fs::create_dir_all(&a);
        let _ = fs::write(a.join("x.txt"), "x");
        for (name, target) in [("l1", ".."), ("l2", ".."), ("l3", "../.."), ("l4", ".")] {
            let _ = std::os::unix::fs::symlink(target, a.join(name));
        }
        let files = ChartFiles::list(&dir).map_err(|e| e.to_string());
        let _ = fs::remove_dir_all(&dir);
        let keys: Vec<String> = files
            .map(|f| f.entries.into_keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["config/a/x.txt"]);
    }

    #[test]
    fn a_file_under_a_directory_linked_out_is_refused_as_such() {
        let mut files = ChartFiles::default();
        files
            .entries
            .insert("config".into(), Entry::Escapes("/elsewhere".into()));
        let e = files
            .get("config/sub/secret.txt")
            .map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("`config/sub/secret.txt` is a link that leads out of the chart (/elsewhere); only files inside the chart can be read".into())
        );
    }

    #[test]
    fn paths_are_confined_to_the_chart() {
        let refused = |path: &str| normalise(path).map_err(|e| e.to_string()).unwrap_err();
        assert!(refused("/etc/passwd").contains("is an absolute path"));
        assert!(refused("../x").contains("leads out of the chart with `..`"));
        assert!(refused("a/../../x").contains("leads out of the chart with `..`"));
        assert!(refused("templates/x.yaml").contains("is a template"));
        assert_eq!(
            normalise("./config/app.conf").ok(),
            Some("config/app.conf".into())
        );
    }
}
