//! Reading one engagement directory into the domain's `Engagement`: `engagement.toml`, the
//! journal, the artifacts, the approved snapshots in `objects/` and the files under `build/`.
//! It reads nothing around the engagement, so the catalog (which reads closed engagements) and
//! the transaction layer in `engagement.rs` both build on it.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::artifact::Artifact;
use crate::domain::criteria::predefined_ids;
use crate::domain::digest::sha256_hex;
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::{BuildFile, gate_evidence};
use crate::domain::journal::{self, EventBody, JOURNAL_FILE};
use crate::domain::meta::{ENGAGEMENT_FILE, parse_engagement};

use super::StoreError;
use super::layout::{BUILD_DIR, OBJECTS_DIR};
use super::limits::{leaves_engagement, read_text};

/// The artifacts every engagement has from its creation.
pub(super) const ALWAYS_PRESENT: [Artifact; 3] =
    [Artifact::Spec, Artifact::Feasibility, Artifact::Design];

/// An engagement as loaded, with the problems that kept parts of it out.
#[derive(Debug, Clone)]
pub struct LoadedEngagement {
    pub root: PathBuf,
    pub engagement: Engagement,
    /// Bad input found while loading (a missing or unreadable artifact, a corrupt object…).
    /// The CLI treats any as fatal; the TUI shows them and works with the rest.
    pub issues: Vec<StoreError>,
    /// Whether the workspace's catalog was read into `engagement` (`store::engagement::load`
    /// reads it only when the text on disk needs it): when not, an open buffer may still need
    /// the one read before.
    pub catalog_read: bool,
}

fn slug_of(root: &Path) -> String {
    fs::canonicalize(root)
        .ok()
        .as_deref()
        .unwrap_or(root)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Loads the engagement alone, without the workspace's catalog.
pub fn load_engagement(root: &Path) -> Result<LoadedEngagement, StoreError> {
    let mut engagement = load_head(root)?;
    let mut issues = Vec::new();
    engagement.texts = read_artifacts(root, &mut issues);
    engagement.build_files = list_build_files(root);
    read_snapshots(root, &mut engagement, &mut issues);
    Ok(LoadedEngagement {
        root: root.to_path_buf(),
        engagement,
        issues,
        catalog_read: false,
    })
}

/// `engagement.toml` and the journal, the two files without which nothing can be derived; the
/// rest of the engagement is left empty for the caller to read.
pub fn load_head(root: &Path) -> Result<Engagement, StoreError> {
    let meta_path = root.join(ENGAGEMENT_FILE);
    let meta_text = read_text(root, &meta_path)?.ok_or_else(|| {
        StoreError::new(&meta_path, "not found: this directory is not an engagement")
    })?;
    let meta = parse_engagement(&meta_text, &predefined_ids())
        .map_err(|f| StoreError::from_finding(root, &f))?;

    let journal_path = root.join(JOURNAL_FILE);
    let journal_text = read_text(root, &journal_path)?.ok_or_else(|| {
        StoreError::new(&journal_path, "not found: the engagement has no journal")
    })?;
    let journal =
        journal::parse_journal(&journal_text).map_err(|f| StoreError::from_finding(root, &f))?;
    Ok(Engagement::new(slug_of(root), meta, journal))
}

/// Every artifact present; the ones that cannot be read (or must be there and are not) become
/// issues.
pub fn read_artifacts(root: &Path, issues: &mut Vec<StoreError>) -> BTreeMap<Artifact, String> {
    let mut texts = BTreeMap::new();
    for artifact in Artifact::ALL {
        let path = root.join(artifact.file_name());
        match read_text(root, &path) {
            Ok(Some(text)) => {
                texts.insert(artifact, text);
            }
            Ok(None) if ALWAYS_PRESENT.contains(&artifact) => issues.push(StoreError::new(
                &path,
                "missing: every engagement has customer-spec.md, feasibility.md and solution-design.md",
            )),
            Ok(None) => {}
            Err(e) => issues.push(e),
        }
    }
    texts
}

/// The approved snapshots the journal's approvals name, from `objects/` (a missing one is left
/// for `evaluate` to report; a corrupt one is an issue).
pub fn read_snapshots(root: &Path, engagement: &mut Engagement, issues: &mut Vec<StoreError>) {
    let mut wanted: Vec<String> = engagement
        .journal
        .events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::GateApproved(g) => Some(
                g.artifacts
                    .iter()
                    .filter(|a| {
                        gate_evidence(g.gate)
                            .iter()
                            .any(|x| x.file_name() == a.file)
                    })
                    .map(|a| a.sha256.clone())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    wanted.sort();
    wanted.dedup();
    for sha in wanted {
        if engagement.snapshots.contains_key(&sha) {
            continue;
        }
        match read_object(root, &sha) {
            Ok(Some(text)) => {
                engagement.snapshots.insert(sha, text);
            }
            Ok(None) => {} // evaluate() reports the missing snapshot
            Err(e) => issues.push(e),
        }
    }
}

pub fn object_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(OBJECTS_DIR).join(sha256)
}

/// An approved snapshot, verified against its name.
pub fn read_object(root: &Path, sha256: &str) -> Result<Option<String>, StoreError> {
    let path = object_path(root, sha256);
    let Some(text) = read_text(root, &path)? else {
        return Ok(None);
    };
    if sha256_hex(text.as_bytes()) != sha256 {
        return Err(StoreError::new(
            &path,
            "snapshot content does not match its hash (the object was altered)",
        ));
    }
    Ok(Some(text))
}

/// How deep `build/` is walked; deeper directories are listed as a finding, not read.
pub const MAX_BUILD_DEPTH: usize = 64;

/// Files under `build/`, hashed streaming; symlinks leaving the engagement are listed, never
/// followed. Each directory is walked once, by (device, inode): a symlink leading back to a
/// directory already walked (`ln -s . build/a`) is listed as a cycle instead of being followed,
/// which would otherwise grow exponentially.
pub fn list_build_files(root: &Path) -> Vec<BuildFile> {
    use std::collections::HashMap;
    use std::os::unix::fs::MetadataExt;

    let mut out = Vec::new();
    let base = root.join(BUILD_DIR);
    let mut walked: HashMap<(u64, u64), String> = HashMap::new();
    if let Ok(meta) = fs::metadata(&base) {
        walked.insert((meta.dev(), meta.ino()), String::new());
    }
    // Each directory walked with whether it is known to lie inside the engagement: then so
    // does every entry in it that is not a symlink, and only symlinks need resolving.
    let mut stack = vec![(
        base.clone(),
        0usize,
        leaves_engagement(root, &base).is_none(),
    )];
    while let Some((dir, depth, dir_inside)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let rel = path
                .strip_prefix(&base)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let kind = entry.file_type().ok();
            let plain = kind.is_some_and(|t| !t.is_symlink());
            if !(plain && dir_inside)
                && let Some(why) = leaves_engagement(root, &path)
            {
                out.push(BuildFile {
                    path: rel,
                    sha256: None,
                    problem: Some(why),
                });
                continue;
            }
            // A plain file needs no more than its directory entry told.
            let is_plain_file = plain && kind.is_some_and(|t| t.is_file());
            let meta = if is_plain_file {
                None
            } else {
                match fs::metadata(&path) {
                    Ok(meta) => Some(meta),
                    Err(_) => continue,
                }
            };
            if let Some(meta) = meta.as_ref().filter(|m| m.is_dir()) {
                let problem = if let Some(first) = walked.get(&(meta.dev(), meta.ino())) {
                    let cycle = first.is_empty() || rel.starts_with(&format!("{first}/"));
                    let first = if first.is_empty() {
                        "build/".to_string()
                    } else {
                        format!("build/{first}")
                    };
                    Some(if cycle {
                        format!("is a symlink cycle: it leads back to {first}; not followed")
                    } else {
                        format!("leads to {first}, already listed; not followed twice")
                    })
                } else if depth + 1 >= MAX_BUILD_DEPTH {
                    Some(format!(
                        "is nested deeper than {MAX_BUILD_DEPTH} directories; not read"
                    ))
                } else {
                    None
                };
                match problem {
                    Some(problem) => out.push(BuildFile {
                        path: rel,
                        sha256: None,
                        problem: Some(problem),
                    }),
                    None => {
                        walked.insert((meta.dev(), meta.ino()), rel);
                        stack.push((path, depth + 1, true));
                    }
                }
            } else if meta.as_ref().is_some_and(|m| !m.is_file()) {
                // Opening a FIFO would block; devices and sockets are not build assets.
                out.push(BuildFile {
                    path: rel,
                    sha256: None,
                    problem: Some(
                        "is not a regular file (a pipe, socket or device); not read".into(),
                    ),
                });
            } else {
                match hash_file(&path) {
                    Ok(sha) => out.push(BuildFile {
                        path: rel,
                        sha256: Some(sha),
                        problem: None,
                    }),
                    Err(e) => out.push(BuildFile {
                        path: rel,
                        sha256: None,
                        problem: Some(e.to_string()),
                    }),
                }
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

pub(super) fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    // On the stack: a fresh heap buffer per file is page faults for files of a few KB.
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn listed(files: &[BuildFile]) -> Vec<(String, bool, String)> {
        files
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    f.sha256.is_some(),
                    f.problem.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The walk resolves only symlinks: plain entries of a directory inside the engagement are
    /// hashed as they are; symlinks are followed when they stay inside and listed when not.
    #[test]
    fn build_walk_follows_inside_symlinks_and_lists_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        fs::write(outside.path().join("secret"), "s").expect("file");
        let root = dir.path();
        fs::create_dir_all(root.join("build/COMP-1/templates")).expect("dirs");
        fs::write(root.join("build/COMP-1/templates/a.j2"), "a").expect("file");
        fs::write(root.join("build/README.md"), "r").expect("file");
        symlink(outside.path(), root.join("build/out")).expect("symlink");
        symlink("COMP-1/templates/a.j2", root.join("build/alias.j2")).expect("symlink");
        let files = list_build_files(root);
        let by_path = listed(&files);
        let find = |p: &str| by_path.iter().find(|(path, _, _)| path == p).cloned();
        assert_eq!(
            find("COMP-1/templates/a.j2").map(|f| f.1),
            Some(true),
            "{by_path:?}"
        );
        assert_eq!(find("README.md").map(|f| f.1), Some(true));
        let alias = find("alias.j2").expect("the inside symlink is listed");
        assert!(alias.1, "an inside symlink is hashed: {alias:?}");
        let out = find("out").expect("the outside symlink is listed");
        assert!(
            !out.1 && out.2.contains("leaving the engagement"),
            "{out:?}"
        );
        assert!(
            !by_path.iter().any(|(p, _, _)| p.contains("secret")),
            "nothing outside is read: {by_path:?}"
        );
        let same = hash_file(&root.join("build/COMP-1/templates/a.j2")).expect("hash");
        assert_eq!(same, sha256_hex(b"a"));
    }

    /// A `build/` that is itself a symlink out of the engagement: every entry is listed as
    /// leaving, none is read.
    #[test]
    fn a_build_directory_leaving_the_engagement_is_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(outside.path().join("COMP-1")).expect("dirs");
        fs::write(outside.path().join("COMP-1/a.j2"), "a").expect("file");
        symlink(outside.path(), dir.path().join("build")).expect("symlink");
        let files = list_build_files(dir.path());
        assert!(!files.is_empty());
        for f in &files {
            assert!(f.sha256.is_none(), "{f:?}");
            assert!(
                f.problem
                    .as_deref()
                    .is_some_and(|p| p.contains("leaving the engagement")),
                "{f:?}"
            );
        }
    }
}
