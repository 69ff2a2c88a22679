//! Recovery files: unsaved editor buffers kept in `.phasegate/recovery/` so a crash, a kill or a
//! "take the disk version" never loses typed text.
//!
//! - `<artifact file name>` (e.g. `customer-spec.md`): the autosave of a dirty buffer, written
//!   atomically at most a couple of seconds after the last keystroke and removed on save. When
//!   another instance's autosave already holds that name, this instance writes
//!   `<artifact file name>.pid<N>` instead, so the two never overwrite each other.
//! - `<artifact file name>.mine-<12 hex>`: the buffer that "take the disk version" displaced;
//!   kept until the user discards it.
//! - `<artifact file name>.disk-<12 hex>`: the disk version that "keep mine" saved over (someone
//!   else's saved change); kept until the user discards it.
//!
//! Every recovery file is plain text a person can read or `diff` by hand. Next to each, `NAME.owner`
//! records the process that wrote it ([`InstanceOwner`]: OS user, host, pid, start time), written
//! before the text, so a file whose writer is still running is never offered to another instance
//! to restore or discard: it is that instance's live buffer. Opening an engagement lists the rest
//! (compare / restore / discard).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::domain::artifact::Artifact;
use crate::domain::digest::sha256_hex;

use super::StoreError;
use super::atomic::write_atomic;
use super::engagement::RECOVERY_DIR;
use super::instance::InstanceOwner;
use super::limits::read_text;
use super::lock::EngagementLock;

/// Why a recovery file exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryKind {
    /// An unsaved buffer (from a session that crashed or is still running).
    Autosave,
    /// Text set aside when the disk version was taken over it.
    Displaced,
    /// The disk version a "keep mine" save replaced.
    Replaced,
}

/// A recovery file found in the engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryFile {
    pub path: PathBuf,
    /// Its name inside `.phasegate/recovery/`.
    pub name: String,
    pub artifact: Artifact,
    pub kind: RecoveryKind,
    pub text: String,
    pub modified: Option<SystemTime>,
    /// For an autosave: another phasegate instance that wrote it and is still running (or runs
    /// on another host, where that cannot be checked): the file is its live buffer, not offered
    /// here.
    pub holder: Option<InstanceOwner>,
}

/// Where the owner of the recovery file at `path` is recorded.
pub fn owner_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".owner");
    path.with_file_name(name)
}

/// The process that wrote the recovery file at `path`, if recorded (older files have none).
pub fn owner(path: &Path) -> Option<InstanceOwner> {
    let text = fs::read_to_string(owner_path(path)).ok()?;
    InstanceOwner::parse(&text)
}

/// The other running instance whose live buffer the file at `path` is, if any. (Only autosaves
/// are live buffers; text set aside is finished and offered to anyone.)
pub fn holder(path: &Path) -> Option<InstanceOwner> {
    let name = path.file_name()?.to_string_lossy();
    if parse_name(&name).map(|(_, k)| k) != Some(RecoveryKind::Autosave) {
        return None;
    }
    owner(path).filter(|o| !o.is_current() && o.is_alive())
}

pub fn recovery_dir(root: &Path) -> PathBuf {
    root.join(RECOVERY_DIR)
}

/// The autosave path of `artifact`'s buffer.
pub fn autosave_path(root: &Path, artifact: Artifact) -> PathBuf {
    recovery_dir(root).join(artifact.file_name())
}

/// The artifact and kind a recovery file name stands for (`None` for anything else, such as the
/// temp files of an atomic write).
pub fn parse_name(name: &str) -> Option<(Artifact, RecoveryKind)> {
    if name.starts_with('.') {
        return None;
    }
    Artifact::ALL.into_iter().find_map(|a| {
        let rest = name.strip_prefix(a.file_name())?;
        if rest.is_empty()
            || rest
                .strip_prefix(".pid")
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            Some((a, RecoveryKind::Autosave))
        } else if rest
            .strip_prefix(".mine-")
            .is_some_and(|h| h.len() == 12 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            Some((a, RecoveryKind::Displaced))
        } else if rest
            .strip_prefix(".disk-")
            .is_some_and(|h| h.len() == 12 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            Some((a, RecoveryKind::Replaced))
        } else {
            None
        }
    })
}

/// Every recovery file of the engagement, oldest first. Unreadable ones come back as problems.
pub fn list(root: &Path) -> (Vec<RecoveryFile>, Vec<StoreError>) {
    let dir = recovery_dir(root);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = fs::read_dir(&dir) else {
        return (files, problems);
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((artifact, kind)) = parse_name(&name) else {
            continue;
        };
        let path = entry.path();
        match read_text(root, &path) {
            Ok(Some(text)) => files.push(RecoveryFile {
                modified: entry.metadata().ok().and_then(|m| m.modified().ok()),
                holder: holder(&path),
                path,
                name,
                artifact,
                kind,
                text,
            }),
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
    }
    files.sort_by(|a, b| {
        a.modified
            .cmp(&b.modified)
            .then_with(|| a.name.cmp(&b.name))
    });
    (files, problems)
}

/// Where this session autosaves `artifact`. `previous` is where it autosaved last and the hash
/// of what it wrote: that file is reused while it still holds our text. Otherwise the plain name,
/// unless some other session's autosave holds it: then a name of this process's own, so two
/// sessions never overwrite each other's text.
pub fn autosave_target(
    root: &Path,
    artifact: Artifact,
    previous: Option<(&Path, &str)>,
) -> PathBuf {
    if let Some((path, sha)) = previous
        && fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == sha)
    {
        return path.to_path_buf();
    }
    let plain = autosave_path(root, artifact);
    if plain.exists() {
        recovery_dir(root).join(format!(
            "{}.pid{}",
            artifact.file_name(),
            std::process::id()
        ))
    } else {
        plain
    }
}

/// Writes `text` atomically to `path` inside the recovery directory (created when missing),
/// after recording this process as its owner.
pub fn write(path: &Path, text: &str) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
    }
    let me = InstanceOwner::current();
    if owner(path).as_ref() != Some(me) {
        write_atomic(&owner_path(path), me.to_toml().as_bytes())?;
    }
    write_atomic(path, text.as_bytes())
}

/// Sets `mine` aside before the disk version replaces it; returns where it went.
pub fn set_aside(root: &Path, artifact: Artifact, mine: &str) -> Result<PathBuf, StoreError> {
    keep_copy(root, artifact, "mine", mine)
}

/// Keeps `text` as `<artifact>.<tag>-<12 hex of its hash>` in the recovery directory.
fn keep_copy(
    root: &Path,
    artifact: Artifact,
    tag: &str,
    text: &str,
) -> Result<PathBuf, StoreError> {
    let sha = sha256_hex(text.as_bytes());
    let path = recovery_dir(root).join(format!(
        "{}.{tag}-{}",
        artifact.file_name(),
        sha.get(..12).unwrap_or(&sha)
    ));
    write(&path, text)?;
    Ok(path)
}

/// Removes a recovery file if it still holds the text with hash `sha256` (another session may
/// have replaced it since; then it is theirs and stays). `None` removes unconditionally.
pub fn remove(path: &Path, sha256: Option<&str>) -> Result<bool, StoreError> {
    if let Some(expected) = sha256 {
        match fs::read(path) {
            Ok(bytes) if sha256_hex(&bytes) == expected => {}
            Ok(_) => return Ok(false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(StoreError::io(path, &e)),
        }
    }
    let removed = match fs::remove_file(path) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(StoreError::io(path, &e)),
    };
    let owner = owner_path(path);
    match fs::remove_file(&owner) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(StoreError::io(&owner, &e)),
    }
    Ok(removed)
}

/// Deletes a recovery file the user chose to discard, unless another running instance owns it
/// (checked again now: it may have started writing since the list was read).
pub fn discard(path: &Path) -> Result<bool, StoreError> {
    if let Some(o) = holder(path) {
        return Err(StoreError::new(
            path,
            format!(
                "not discarded: it is the unsaved buffer of {}, which is still running",
                o.describe()
            ),
        ));
    }
    remove(path, None)
}

/// What a guarded save found instead of the version the buffer was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveRefused {
    /// The file on disk is not the version the buffer was based on: its current text (`None`
    /// when it was deleted).
    ChangedOnDisk {
        disk: Option<String>,
    },
    Store(StoreError),
}

/// Saves `text` over `artifact` only if the file still holds the version with hash `expected`
/// (`None`: the file must not exist), all under the engagement lock: the compare-and-swap that
/// keeps a save from silently overwriting an outside edit.
///
/// `keep_disk`: the save goes over a version someone else wrote ("keep mine" after a conflict),
/// so that version is first kept as a `.disk-` recovery file; returns where. If it cannot be
/// kept, nothing is saved.
pub fn save_if_unchanged(
    root: &Path,
    artifact: Artifact,
    text: &str,
    expected: Option<&str>,
    keep_disk: bool,
) -> Result<Option<PathBuf>, SaveRefused> {
    let _lock = EngagementLock::acquire(root).map_err(SaveRefused::Store)?;
    let path = root.join(artifact.file_name());
    let disk = read_text(root, &path).map_err(SaveRefused::Store)?;
    let now = disk.as_deref().map(|t| sha256_hex(t.as_bytes()));
    if now.as_deref() != expected {
        return Err(SaveRefused::ChangedOnDisk { disk });
    }
    let kept = match disk.as_deref() {
        Some(d) if keep_disk && d != text => {
            Some(keep_copy(root, artifact, "disk", d).map_err(SaveRefused::Store)?)
        }
        _ => None,
    };
    write_atomic(&path, text.as_bytes()).map_err(SaveRefused::Store)?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("customer-spec.md"),
            Some((Artifact::Spec, RecoveryKind::Autosave))
        );
        assert_eq!(
            parse_name("feasibility.md.pid42"),
            Some((Artifact::Feasibility, RecoveryKind::Autosave))
        );
        assert_eq!(
            parse_name("solution-design.md.mine-0123456789ab"),
            Some((Artifact::Design, RecoveryKind::Displaced))
        );
        assert_eq!(
            parse_name("customer-spec.md.disk-0123456789ab"),
            Some((Artifact::Spec, RecoveryKind::Replaced))
        );
        assert_eq!(parse_name("customer-spec.md.disk-0123"), None);
        assert_eq!(parse_name(".customer-spec.md.x1.tmp"), None);
        assert_eq!(parse_name("customer-spec.md.pid"), None);
        assert_eq!(parse_name("notes.txt"), None);
        assert_eq!(parse_name("customer-spec.md.owner"), None);
        assert_eq!(parse_name("customer-spec.md.pid42.owner"), None);
    }

    #[test]
    fn guarded_save_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let spec = root.join("customer-spec.md");
        fs::write(&spec, "base").unwrap();
        let base = sha256_hex(b"base");
        fs::write(&spec, "theirs").unwrap();
        assert_eq!(
            save_if_unchanged(root, Artifact::Spec, "mine", Some(&base), false),
            Err(SaveRefused::ChangedOnDisk {
                disk: Some("theirs".into())
            })
        );
        assert_eq!(fs::read_to_string(&spec).unwrap(), "theirs");
        let theirs = sha256_hex(b"theirs");
        save_if_unchanged(root, Artifact::Spec, "mine", Some(&theirs), false).unwrap();
        assert_eq!(fs::read_to_string(&spec).unwrap(), "mine");
        fs::remove_file(&spec).unwrap();
        assert!(matches!(
            save_if_unchanged(root, Artifact::Spec, "x", Some(&theirs), false),
            Err(SaveRefused::ChangedOnDisk { disk: None })
        ));
    }

    #[test]
    fn keep_mine_keeps_the_disk_version_it_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let spec = root.join("customer-spec.md");
        fs::write(&spec, "theirs, saved").unwrap();
        let theirs = sha256_hex(b"theirs, saved");
        let kept = save_if_unchanged(root, Artifact::Spec, "mine", Some(&theirs), true)
            .unwrap()
            .expect("the disk version is kept");
        assert_eq!(fs::read_to_string(&spec).unwrap(), "mine");
        assert_eq!(fs::read_to_string(&kept).unwrap(), "theirs, saved");
        let (files, problems) = list(root);
        assert!(problems.is_empty());
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].kind, RecoveryKind::Replaced);
        // Nothing to keep when the disk already holds the text.
        let mine = sha256_hex(b"mine");
        assert_eq!(
            save_if_unchanged(root, Artifact::Spec, "mine", Some(&mine), true),
            Ok(None)
        );
    }

    #[test]
    fn a_live_instances_file_is_held_and_not_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let p = autosave_path(dir.path(), Artifact::Spec);
        write(&p, "mine").unwrap();
        assert_eq!(owner(&p).as_ref(), Some(InstanceOwner::current()));
        assert_eq!(holder(&p), None, "our own file is not held from us");
        // Another running process (our parent, the test harness's shell or init) owns it.
        let parent = std::os::unix::process::parent_id();
        let other = InstanceOwner {
            pid: parent,
            started: super::super::instance::process_started(parent).unwrap_or(0),
            ..InstanceOwner::current().clone()
        };
        fs::write(owner_path(&p), other.to_toml()).unwrap();
        assert_eq!(holder(&p), Some(other.clone()));
        let (files, _) = list(dir.path());
        assert_eq!(files[0].holder, Some(other.clone()));
        let err = discard(&p).unwrap_err();
        assert!(err.message.contains("still running"), "{err}");
        assert!(p.exists());
        // Once it is gone (a start time that does not match), the file is offered and goes.
        let dead = InstanceOwner {
            started: other.started + 1,
            ..other
        };
        fs::write(owner_path(&p), dead.to_toml()).unwrap();
        assert_eq!(holder(&p), None);
        assert!(discard(&p).unwrap());
        assert!(!p.exists() && !owner_path(&p).exists());
    }

    #[test]
    fn remove_keeps_someone_elses_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = autosave_path(dir.path(), Artifact::Spec);
        write(&p, "mine").unwrap();
        let mine = sha256_hex(b"mine");
        fs::write(&p, "theirs").unwrap();
        assert!(!remove(&p, Some(&mine)).unwrap());
        assert!(p.exists());
        assert_ne!(
            autosave_target(dir.path(), Artifact::Spec, Some((&p, &mine))),
            p
        );
        write(&p, "mine").unwrap();
        assert_eq!(
            autosave_target(dir.path(), Artifact::Spec, Some((&p, &mine))),
            p
        );
        assert!(remove(&p, Some(&mine)).unwrap());
        assert!(!p.exists());
    }
}
