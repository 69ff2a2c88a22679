//! Review drafts: a reviewer's gate review in progress (ticks, waivers with reasons, a note),
//! kept in `.phasegate/reviews/<identity>.toml` so quitting or a crash does not lose it.
//!
//! A draft is private working state, never a decision: it is not a journal event, not hashed,
//! not shared. It records what it was made against (the gate, the last decision of that gate,
//! the artifact hashes) so the app can discard it once that no longer holds
//! (`app::update::review`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::atomic::write_atomic;
use super::limits::read_text_file;
use crate::domain::digest::sha256_hex;

pub const REVIEWS_DIR: &str = ".phasegate/reviews";

const HEADER: &str = "# phasegate review draft: ticks and waivers not yet sent as a gate decision.\n# Private to this reviewer; never a decision. Safe to delete.\n";

/// One artifact as the reviewer saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewedFile {
    pub file: String,
    pub sha256: String,
}

/// A review in progress, as written to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDraft {
    /// Who is reviewing (the file name is a sanitised form of it).
    pub identity: String,
    /// The gate under review (1 or 2).
    pub gate: u8,
    /// The seq of the last decision of that gate when the draft was made (0: none): a later
    /// decision makes the draft moot.
    #[serde(default)]
    pub decided_through: u64,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(default)]
    pub waivers: BTreeMap<String, String>,
    /// The artifacts the ticks were made against.
    #[serde(default)]
    pub reviewed: Vec<ReviewedFile>,
}

/// A file name for `identity`: letters, digits, `.`, `_` and `-` kept, anything else `_`; when
/// anything was replaced (or the name would be hidden or empty), a hash of the identity is added
/// so `lena@vm` and `lena_vm` never share a draft.
pub fn file_name(identity: &str) -> String {
    let safe: String = identity
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let exact = safe == identity && !safe.is_empty() && !safe.starts_with('.');
    if exact {
        format!("{safe}.toml")
    } else {
        let hash = sha256_hex(identity.as_bytes());
        let hash = hash.get(..12).unwrap_or(&hash);
        let safe = safe.trim_start_matches('.');
        format!("{safe}-{hash}.toml")
    }
}

/// Where `identity`'s draft for the engagement at `root` is kept.
pub fn path(root: &Path, identity: &str) -> PathBuf {
    root.join(REVIEWS_DIR).join(file_name(identity))
}

/// Reads `identity`'s draft; `Ok(None)` when there is none. A draft written for another identity
/// (a hand-copied file) is not this reviewer's and counts as none.
pub fn load(root: &Path, identity: &str) -> Result<Option<ReviewDraft>, StoreError> {
    let path = path(root, identity);
    let Some(text) = read_text_file(&path)? else {
        return Ok(None);
    };
    let draft: ReviewDraft = toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| crate::domain::position::line_column(&text, s.start))
            .unwrap_or((0, 0));
        StoreError {
            path: path.clone(),
            line,
            column,
            message: format!(
                "{} (the review draft is not used; delete the file to start afresh)",
                e.message().trim().replace('\n', " ")
            ),
        }
    })?;
    Ok((draft.identity == identity).then_some(draft))
}

/// Writes the draft atomically (the reviews directory is created when missing).
pub fn save(root: &Path, draft: &ReviewDraft) -> Result<(), StoreError> {
    let path = path(root, &draft.identity);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
    }
    let body = toml::to_string(draft)
        .map_err(|e| StoreError::new(&path, format!("could not write the review draft: {e}")))?;
    write_atomic(&path, format!("{HEADER}{body}").as_bytes())
}

/// Removes `identity`'s draft (nothing to do when there is none).
pub fn remove(root: &Path, identity: &str) -> Result<(), StoreError> {
    let path = path(root, identity);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(&path, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(file_name("lena"), "lena.toml");
        let at = file_name("lena@vm");
        let under = file_name("lena_vm");
        assert_ne!(at, under);
        assert!(at.starts_with("lena_vm-"));
        for hostile in ["../../etc/passwd", "", ".hidden", "a/b", "x\0y"] {
            let name = file_name(hostile);
            assert!(!name.contains('/') && !name.starts_with('.') && !name.contains('\0'));
            assert!(name.ends_with(".toml"));
        }
    }

    #[test]
    fn drafts_round_trip_and_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let draft = ReviewDraft {
            identity: "lena@vm".into(),
            gate: 1,
            decided_through: 3,
            note: "looked at the VLAN plan".into(),
            checks: vec!["G1-4".into(), "G1-5".into()],
            waivers: BTreeMap::from([("G1-6".into(), "customer sign-off by mail".into())]),
            reviewed: vec![ReviewedFile {
                file: "customer-spec.md".into(),
                sha256: "a".repeat(64),
            }],
        };
        save(dir.path(), &draft).unwrap();
        assert_eq!(load(dir.path(), "lena@vm").unwrap(), Some(draft));
        assert_eq!(load(dir.path(), "lena_vm").unwrap(), None);
        remove(dir.path(), "lena@vm").unwrap();
        assert_eq!(load(dir.path(), "lena@vm").unwrap(), None);
        remove(dir.path(), "lena@vm").unwrap();
    }

    #[test]
    fn a_broken_draft_names_its_position() {
        let dir = tempfile::tempdir().unwrap();
        let p = path(dir.path(), "lena");
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "identity = \"lena\"\ngate = \"one\"\n").unwrap();
        let err = load(dir.path(), "lena").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("review draft is not used"));
    }
}
