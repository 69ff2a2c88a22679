//! Workspace discovery: where engagements live and how an ENGAGEMENT argument resolves.

use std::fs;
use std::path::{Path, PathBuf};

use crate::domain::engagement::ENGAGEMENT_FILE;

use super::StoreError;

pub const WORKSPACE_ENV: &str = "PHASEGATE_WORKSPACE";

/// `--workspace`, else `PHASEGATE_WORKSPACE`, else the platform data dir (`~/.local/share/
/// phasegate/workspace` on Linux).
pub fn resolve_workspace(flag: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(WORKSPACE_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "phasegate")
        .map(|p| p.data_dir().join("workspace"))
        .ok_or_else(|| {
            StoreError::new(
                "~",
                "no home directory: pass --workspace DIR or set PHASEGATE_WORKSPACE",
            )
        })
}

pub fn is_engagement(dir: &Path) -> bool {
    dir.join(ENGAGEMENT_FILE).is_file()
}

/// Engagement directories of a workspace, sorted by slug. A missing workspace has none.
pub fn list_engagements(workspace: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let entries = match fs::read_dir(workspace) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io(workspace, &e)),
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && is_engagement(p))
        .collect();
    out.sort();
    Ok(out)
}

/// A slug names a directory: lowercase letters, digits and dashes.
pub fn validate_slug(slug: &str) -> Result<(), String> {
    let ok = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{slug}` is not a valid slug: use lowercase letters, digits and dashes (e.g. vlan-qos)"
        ))
    }
}

/// ENGAGEMENT as a path or a slug in the workspace; with none, the current directory or the
/// nearest parent that is an engagement.
pub fn resolve_engagement(arg: Option<&str>, workspace: &Path) -> Result<PathBuf, StoreError> {
    match arg {
        Some(a) => {
            let as_path = PathBuf::from(a);
            if is_engagement(&as_path) {
                return Ok(as_path);
            }
            let in_ws = workspace.join(a);
            if validate_slug(a).is_ok() && is_engagement(&in_ws) {
                return Ok(in_ws);
            }
            Err(StoreError::new(
                if as_path.exists() { as_path } else { in_ws },
                format!(
                    "no engagement here (no {ENGAGEMENT_FILE}); `phasegate status` lists nothing? try `phasegate new {a}`"
                ),
            ))
        }
        None => {
            let cwd = std::env::current_dir().map_err(|e| StoreError::io(Path::new("."), &e))?;
            cwd.ancestors()
                .find(|d| is_engagement(d))
                .map(Path::to_path_buf)
                .ok_or_else(|| {
                    StoreError::new(
                        cwd,
                        "not inside an engagement: name one (a path or a slug of the workspace)",
                    )
                })
        }
    }
}
