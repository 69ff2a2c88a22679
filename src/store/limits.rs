//! Reading files under the engagement's limits: UTF-8 text, no NUL bytes, at most 16 MiB, and no
//! symlink leaving the engagement.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::domain::position::line_column;

use super::StoreError;

pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a file that is not a regular file is, in a message: "a named pipe (FIFO)", "a directory"…
pub fn file_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_file() {
        "a regular file"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symlink"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Why `path` (a file or directory under `root`, existing or about to be created) would leave
/// the engagement through a symlink anywhere along its way, if it would.
pub fn leaves_engagement(root: &Path, path: &Path) -> Option<String> {
    if crosses_no_symlink(root, path) {
        return None;
    }
    let root = fs::canonicalize(root).ok()?;
    // The nearest existing ancestor decides: a file not yet created lives in its directory.
    let existing = path.ancestors().find(|p| fs::symlink_metadata(p).is_ok())?;
    match fs::canonicalize(existing) {
        Ok(target) if target.starts_with(&root) => None,
        Ok(target) => Some(format!(
            "is reached through a symlink leaving the engagement (to {}); not followed",
            target.display()
        )),
        Err(_) => {
            Some("is a symlink that cannot be resolved (dangling or a loop); not followed".into())
        }
    }
}

/// Whether `path` is spelled under `root` and no component below the root is a symlink, up to
/// the nearest existing ancestor: then it resolves under the root wherever the root itself
/// resolves to. One `lstat` per component, where resolving both paths costs a `readlink` per
/// component of each (and a `getcwd`); `false` when it cannot be told this way.
fn crosses_no_symlink(root: &Path, path: &Path) -> bool {
    let Ok(below) = path.strip_prefix(root) else {
        return false;
    };
    let mut at = root.to_path_buf();
    for component in below.components() {
        let std::path::Component::Normal(name) = component else {
            return false;
        };
        at.push(name);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => return false,
            Ok(_) => {}
            // What is not there yet lives in the ancestors already seen.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return true,
            Err(_) => return false,
        }
    }
    true
}

/// Reads a text file of the engagement (artifact, engagement.toml, .phasegate/…).
/// `Ok(None)` when it does not exist.
pub fn read_text(root: &Path, path: &Path) -> Result<Option<String>, StoreError> {
    if let Some(why) = leaves_engagement(root, path) {
        return Err(StoreError::new(path, why));
    }
    read_text_file(path)
}

/// Reads a text file under the limits, without the engagement's symlink rule (config files).
pub fn read_text_file(path: &Path) -> Result<Option<String>, StoreError> {
    // Check the type before opening: opening a FIFO would block until someone writes to it.
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, &e)),
    };
    if meta.is_dir() {
        return Err(StoreError::new(path, "is a directory, expected a file"));
    }
    if !meta.is_file() {
        return Err(StoreError::new(
            path,
            format!(
                "is {}, not a regular file; not read",
                file_kind(&meta.file_type())
            ),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(path, meta.len()));
    }
    let file = fs::File::open(path).map_err(|e| StoreError::io(path, &e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::io(path, &e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(path, bytes.len() as u64));
    }
    decode(path, bytes).map(Some)
}

fn too_big(path: &Path, len: u64) -> StoreError {
    StoreError::new(
        path,
        format!("is {len} bytes; phasegate reads files up to 16 MiB ({MAX_FILE_BYTES} bytes)"),
    )
}

/// UTF-8 text without NUL bytes, or an error at the offending position.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, StoreError> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let prefix = String::from_utf8_lossy(&bytes[..nul]);
        let (line, column) = line_column(&prefix, prefix.len());
        return Err(StoreError {
            path: path.to_path_buf(),
            line,
            column,
            message: "binary content (NUL byte): phasegate edits text files only".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let (line, column) = line_column(&prefix, prefix.len());
        StoreError {
            path: path.to_path_buf(),
            line,
            column,
            message: "not valid UTF-8 (save the file as UTF-8)".into(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::os::unix::fs::symlink;

    /// The one-`lstat`-per-component shortcut agrees with resolving both paths, for paths with
    /// and without symlinks, existing or not, and a root that is itself a symlink.
    #[test]
    fn leaving_is_told_with_or_without_symlinks_on_the_way() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real");
        fs::create_dir_all(real.join("build/COMP-1")).expect("dirs");
        fs::write(real.join("build/COMP-1/a.j2"), "a").expect("file");
        symlink(outside.path(), real.join("build/out")).expect("symlink");
        symlink("COMP-1", real.join("build/alias")).expect("symlink");
        let linked_root = dir.path().join("linked");
        symlink(&real, &linked_root).expect("symlink");
        for root in [&real, &linked_root] {
            for (rel, leaves) in [
                ("build/COMP-1/a.j2", false),
                ("build/COMP-1/not-yet.md", false),
                ("build/new/deeper/file", false),
                ("build/alias/a.j2", false),
                ("build/out", true),
                ("build/out/x", true),
                ("build/../../elsewhere", true),
            ] {
                let why = leaves_engagement(root, &root.join(rel));
                assert_eq!(
                    why.is_some(),
                    leaves,
                    "{} under {}: {why:?}",
                    rel,
                    root.display()
                );
            }
        }
        assert!(crosses_no_symlink(&real, &real.join("build/COMP-1/a.j2")));
        assert!(!crosses_no_symlink(&real, &real.join("build/alias/a.j2")));
        assert!(!crosses_no_symlink(&real, &real.join("build/../x")));
    }

    #[test]
    fn positions_of_bad_bytes() {
        let err = decode(Path::new("a.md"), b"ok\nab\xffc".to_vec()).unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
        let err = decode(Path::new("a.md"), b"x\0".to_vec()).unwrap_err();
        assert_eq!((err.line, err.column), (1, 2));
        assert!(err.message.contains("binary"));
    }
}
