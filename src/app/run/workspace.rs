//! The workspace list's reads: the engagements' rows and the gates waiting for the acting
//! identity.

use std::path::Path;

use crate::app::{WaitingRow, WorkspaceRow};
use crate::domain::evaluate::evaluate;
use crate::domain::journal::GateId;
use crate::domain::time::Timestamp;
use crate::store::{engagement, workspace};

/// The workspace rows: every engagement with its phase and gates, or why it did not load.
pub fn workspace_rows(ws: &Path) -> (Vec<WorkspaceRow>, Option<String>) {
    match workspace::list_engagements(ws) {
        Ok(dirs) => (dirs.into_iter().map(workspace_row).collect(), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    }
}

/// The rows the list lacks and the slugs it shows that are gone: the directory is listed, and
/// only engagements not in `known`, or in `reread`, are read (what the workspace watch reports
/// is a hint; the listing is the truth).
pub fn sync_rows(
    ws: &Path,
    known: &[String],
    reread: &[String],
) -> Result<(Vec<WorkspaceRow>, Vec<String>), String> {
    let dirs = workspace::list_engagements(ws).map_err(|e| e.to_string())?;
    let slug = |root: &Path| {
        root.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let on_disk: Vec<String> = dirs.iter().map(|d| slug(d)).collect();
    let removed = known
        .iter()
        .filter(|k| !on_disk.contains(k))
        .cloned()
        .collect();
    let added = dirs
        .into_iter()
        .filter(|d| !known.contains(&slug(d)) || reread.contains(&slug(d)))
        .map(workspace_row)
        .collect();
    Ok((added, removed))
}

/// One engagement as the list shows it, or why it did not load.
fn workspace_row(root: std::path::PathBuf) -> WorkspaceRow {
    let slug = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match engagement::load(&root) {
        Ok(loaded) => {
            let ev = evaluate(&loaded.engagement);
            let quorum = [GateId::One, GateId::Two].map(|g| {
                let q = crate::domain::evaluate::gate_quorum(&loaded.engagement, &ev, g);
                (q.asked && q.tally.have > 0 && !q.tally.met())
                    .then_some((q.tally.have, q.tally.needed))
            });
            WorkspaceRow {
                slug,
                title: loaded.engagement.meta.title.clone(),
                owner: loaded.engagement.meta.owner.clone(),
                phase: Some(ev.phase),
                gates: [Some(ev.gates[0].state), Some(ev.gates[1].state)],
                quorum,
                last_change: ev.replay.last_event_at.map(|t| t.to_string()),
                problem: loaded.issues.first().map(ToString::to_string),
                sample: crate::store::seed::is_sample(&root),
                root,
            }
        }
        Err(e) => WorkspaceRow {
            slug,
            title: String::new(),
            owner: String::new(),
            phase: None,
            gates: [None, None],
            quorum: [None, None],
            last_change: None,
            problem: Some(e.to_string()),
            sample: false,
            root,
        },
    }
}

/// The gates of the workspace `who` may decide at `now`, oldest first: what `phasegate queue`
/// lists, read along the queue's own path (`store::queue::load_workspace`). Engagements that
/// cannot be read are the rows' business (they show their problem there).
pub fn waiting_rows(ws: &Path, who: &str, now: Timestamp) -> (Vec<WaitingRow>, Option<String>) {
    let (loaded, _unreadable) = match crate::store::queue::load_workspace(ws, who) {
        Ok(x) => x,
        Err(e) => return (Vec::new(), Some(e.to_string())),
    };
    let inputs: Vec<_> = loaded
        .iter()
        .map(crate::store::queue::QueueLoaded::input)
        .collect();
    let rows = crate::domain::queue::queue(&inputs, who, now)
        .into_iter()
        .filter_map(|entry| {
            let root = loaded
                .iter()
                .find(|l| l.engagement.slug == entry.engagement)?
                .root
                .clone();
            Some(WaitingRow { root, entry })
        })
        .collect();
    (rows, None)
}
