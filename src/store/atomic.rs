//! Atomic writes: temp file in the same directory, fsync, rename, fsync the directory. A process
//! killed at any instant leaves the file either old or new, never torn.

use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::StoreError;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A new file gets 0666 less the umask, like any editor's: tempfile's own default (0600)
    // would hide artifacts from a lead reading them under another account.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| StoreError::io(dir, &e))?;
    // Keep the permissions of the file we replace (a 0640 artifact stays 0640, a script in
    // build/ stays executable).
    if let Ok(meta) = fs::metadata(path) {
        fs::set_permissions(tmp.path(), meta.permissions())
            .map_err(|e| StoreError::io(tmp.path(), &e))?;
    }
    tmp.write_all(bytes).map_err(|e| StoreError::io(path, &e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| StoreError::io(path, &e))?;
    // The watcher recognises the event this rename causes as our own by its content hash.
    super::own_writes::note_write(path, bytes);
    tmp.persist(path)
        .map_err(|e| StoreError::io(path, &e.error))?;
    sync_dir(dir)
}

/// Makes a rename durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
