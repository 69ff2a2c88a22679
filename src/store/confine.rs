//! Paths a caller names under `build/` (the MCP server's agent), resolved so they stay inside
//! the engagement's `build/` directory, symlinks included. A symlink inside `build/` may point
//! elsewhere inside `build/`; one that leads out of it — to another engagement, to `/etc`, or to
//! an artifact of this engagement, whose edits follow the phase rules — is refused, never
//! followed.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::layout::BUILD_DIR;

/// Resolves `rel` (`build/…`, relative to the engagement root) to the file to read or write:
/// the path itself, or the target of a symlink that stays inside `build/`. `Err` says why not,
/// in words for the caller.
pub fn resolve_build_path(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let shown = format!("`{rel}`");
    if rel.contains('\0') {
        return Err(format!("{shown} contains a NUL byte"));
    }
    let path = Path::new(rel);
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!(
                    "{shown}: `..` is not allowed; name the file by its path under build/"
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "{shown} is absolute; name the file relative to the engagement, as build/…"
                ));
            }
        }
    }
    if parts.first().is_none_or(|first| *first != BUILD_DIR) || parts.len() < 2 {
        return Err(format!(
            "{shown} is not under build/: only build/ files are written this way (artifacts through write_artifact)"
        ));
    }
    let canonical_root = fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let build = root.join(BUILD_DIR);
    let canonical_build = canonical_root.join(BUILD_DIR);
    match fs::canonicalize(&build) {
        Ok(c) if c == canonical_build => {}
        Ok(c) => {
            return Err(format!(
                "build/ is a symlink (to {}); nothing is written through it",
                c.display()
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !is_symlink(&build) => {}
        Err(_) => {
            return Err("build/ is a symlink that cannot be resolved; not followed".into());
        }
    }
    // Each existing step must resolve inside build/; the first missing one ends the walk
    // (everything after it is created by the write, inside a directory already checked).
    let mut at = build;
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate().skip(1) {
        at.push(part);
        let Ok(meta) = fs::symlink_metadata(&at) else {
            at.extend(&parts[i + 1..]);
            return Ok(at);
        };
        let shown_at = format!("build/{}", join(&parts[1..=i]));
        let target = fs::canonicalize(&at).map_err(|_| {
            format!(
                "{shown_at} is a symlink that cannot be resolved (dangling or a loop); not followed"
            )
        })?;
        if !target.starts_with(&canonical_build) {
            let leaves = !target.starts_with(&canonical_root);
            return Err(format!(
                "{shown_at} is a symlink leading {} (to {}); not followed",
                if leaves {
                    "out of the engagement"
                } else {
                    "out of build/"
                },
                target.display()
            ));
        }
        if i == last {
            if fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
                return Err(format!("{shown_at} is not a regular file"));
            }
            // Through a symlink that stays inside build/: its target is the file.
            return Ok(if meta.file_type().is_symlink() {
                target
            } else {
                at
            });
        }
        if !fs::metadata(&target).is_ok_and(|m| m.is_dir()) {
            return Err(format!("{shown_at} is not a directory"));
        }
    }
    Ok(at)
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn join(parts: &[&std::ffi::OsStr]) -> String {
    parts
        .iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn engagement() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("build/COMP-1")).expect("mkdir");
        fs::write(dir.path().join("build/COMP-1/a.j2"), "a").expect("write");
        fs::write(dir.path().join("customer-spec.md"), "spec").expect("write");
        dir
    }

    #[test]
    fn plain_paths_resolve_inside_build() {
        let dir = engagement();
        let root = dir.path();
        assert_eq!(
            resolve_build_path(root, "build/COMP-1/a.j2"),
            Ok(root.join("build/COMP-1/a.j2"))
        );
        assert_eq!(
            resolve_build_path(root, "./build/COMP-2/new/x.yml"),
            Ok(root.join("build/COMP-2/new/x.yml"))
        );
    }

    #[test]
    fn traversal_absolute_and_outside_build_are_refused() {
        let dir = engagement();
        let root = dir.path();
        for (rel, why) in [
            ("build/../x", "`..` is not allowed"),
            ("build/COMP-1/../../customer-spec.md", "`..` is not allowed"),
            ("/etc/passwd", "is absolute"),
            ("customer-spec.md", "is not under build/"),
            ("build", "is not under build/"),
            ("build/COMP-1", "is not a regular file"),
            ("build/COMP-1/a.j2/x", "is not a directory"),
        ] {
            let err = resolve_build_path(root, rel).unwrap_err();
            assert!(err.contains(why), "{rel}: {err}");
        }
    }

    #[test]
    fn symlinks_leaving_build_are_refused_and_inside_ones_followed() {
        let dir = engagement();
        let root = dir.path();
        let outside = tempfile::tempdir().expect("tempdir");
        symlink(outside.path(), root.join("build/out")).expect("symlink");
        symlink(root.join("customer-spec.md"), root.join("build/spec.md")).expect("symlink");
        symlink("COMP-1/a.j2", root.join("build/alias.j2")).expect("symlink");
        symlink("missing", root.join("build/dangling")).expect("symlink");
        let err = resolve_build_path(root, "build/out/x").unwrap_err();
        assert!(err.contains("out of the engagement"), "{err}");
        let err = resolve_build_path(root, "build/spec.md").unwrap_err();
        assert!(err.contains("out of build/"), "{err}");
        let err = resolve_build_path(root, "build/dangling").unwrap_err();
        assert!(err.contains("cannot be resolved"), "{err}");
        let canonical = fs::canonicalize(root.join("build/COMP-1/a.j2")).expect("canonical");
        assert_eq!(resolve_build_path(root, "build/alias.j2"), Ok(canonical));
    }

    #[test]
    fn a_build_directory_that_is_a_symlink_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        symlink(elsewhere.path(), dir.path().join("build")).expect("symlink");
        let err = resolve_build_path(dir.path(), "build/x").unwrap_err();
        assert!(err.contains("build/ is a symlink"), "{err}");
    }
}
