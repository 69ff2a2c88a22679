//! Workspace discovery: where engagements live and how an ENGAGEMENT argument resolves.

use std::fs;
use std::path::{Path, PathBuf};

use crate::domain::meta::ENGAGEMENT_FILE;

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

/// The longest slug: it names a directory, shows in lists and commit messages, and stays well
/// inside every file system's 255-byte name limit.
pub const MAX_SLUG: usize = 64;

/// A slug names a directory: lowercase letters, digits and dashes, not starting with a dash, at
/// most [`MAX_SLUG`] characters. The error says which rule it breaks.
pub fn validate_slug(slug: &str) -> Result<(), String> {
    let shown = || {
        if slug.chars().count() > 24 {
            format!("{}…", slug.chars().take(24).collect::<String>())
        } else {
            slug.to_string()
        }
    };
    let rules = "use lowercase letters, digits and dashes (e.g. vlan-qos)";
    if slug.is_empty() {
        return Err(format!("the slug is empty: {rules}"));
    }
    if slug.len() > MAX_SLUG {
        return Err(format!(
            "`{}` is {} characters long; a slug is at most {MAX_SLUG}",
            shown(),
            slug.chars().count()
        ));
    }
    if slug.starts_with('-') {
        return Err(format!(
            "`{}` starts with a dash, so it reads as an option, not a slug: {rules}",
            shown()
        ));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!("`{}` is not a valid slug: {rules}", shown()));
    }
    Ok(())
}

/// Why `dir` is not an engagement, said as what is there.
fn not_an_engagement(dir: &Path, arg: &str, workspace: &Path) -> String {
    let toml = dir.join(ENGAGEMENT_FILE);
    let slug_problem = validate_slug(arg).err();
    match fs::metadata(&toml) {
        Ok(m) if !m.is_file() => format!(
            "{ENGAGEMENT_FILE} here is {}, not a file: phasegate reads only a regular file",
            super::limits::file_kind(&m.file_type())
        ),
        Ok(_) => match slug_problem {
            Some(_) => {
                let suggested: String = arg
                    .chars()
                    .map(|c| match c.to_ascii_lowercase() {
                        c @ ('a'..='z' | '0'..='9' | '-') => c,
                        _ => '-',
                    })
                    .collect();
                format!(
                    "this directory holds an engagement, but `{arg}` is not a valid slug \
                     (lowercase letters, digits and dashes): pass its path (./{arg}) or rename \
                     the directory, e.g. to `{}`",
                    suggested.trim_start_matches('-')
                )
            }
            None => format!("{ENGAGEMENT_FILE} here could not be read as an engagement's"),
        },
        Err(_) if dir.is_dir() => {
            format!("no {ENGAGEMENT_FILE} here: this directory is not an engagement")
        }
        Err(_) => match slug_problem {
            None => format!(
                "no engagement `{arg}` in the workspace {}: create it with `phasegate new {arg}`",
                workspace.display()
            ),
            Some(why) => format!("no engagement `{arg}`: {why}"),
        },
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
            let there = if as_path.exists() { as_path } else { in_ws };
            let why = not_an_engagement(&there, a, workspace);
            Err(StoreError::new(there, why))
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
