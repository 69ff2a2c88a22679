//! This process's own writes, by content hash, until a watcher observes them: `write_atomic`
//! notes each write before its rename, the watcher takes the note when the event arrives and
//! does not report a change that is phasegate's own. A leaf, so writing a file does not depend
//! on the watcher.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The content hash of the last write this process made to each file (by canonical path), until
/// a watcher observes that file.
static OWN_WRITES: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());

fn own_writes() -> std::sync::MutexGuard<'static, BTreeMap<PathBuf, String>> {
    OWN_WRITES.lock().unwrap_or_else(|e| e.into_inner())
}

/// A file's identity that survives symlinked parents: the canonical parent plus the file name.
fn key(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => fs::canonicalize(parent)
            .map(|p| p.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// Records that this process is about to make `path` hold `bytes`, so the watcher knows the
/// resulting event is phasegate's own. Called by `write_atomic` before the rename.
pub fn note_write(path: &Path, bytes: &[u8]) {
    own_writes().insert(key(path), crate::domain::digest::sha256_hex(bytes));
}

/// The hash of this process's last write to `path`, if the watcher has not seen it yet (taking
/// it: a note answers once).
pub fn take(path: &Path) -> Option<String> {
    own_writes().remove(&key(path))
}
