//! The workspace watch (`store::watch::WorkspaceWatcher`): engagement directories added or
//! removed under a workspace are reported, natively and by polling, and nothing else is.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use phasegate::store::watch::{WatchMode, WorkspaceEvent, WorkspaceWatcher};

const DEADLINE: Duration = Duration::from_secs(10);

fn sample(slug: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-engagements")
        .join(slug)
}

/// The engagements as the reports describe them, from the listing at `Armed`.
struct Model {
    rx: Receiver<WorkspaceEvent>,
    engagements: BTreeSet<String>,
}

impl Model {
    fn start(ws: &Path, rx: Receiver<WorkspaceEvent>) -> (Model, WatchMode) {
        let mode = match rx.recv_timeout(DEADLINE) {
            Ok(WorkspaceEvent::Armed(mode)) => mode,
            other => panic!("expected Armed first, got {other:?}"),
        };
        let engagements = phasegate::store::workspace::list_engagements(ws)
            .expect("list")
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        (Model { rx, engagements }, mode)
    }

    /// Applies reports until the engagements are `expected` (every report must be a change
    /// that makes sense: nothing added twice, nothing removed that was not there).
    #[track_caller]
    fn wait_for(&mut self, expected: &[&str]) {
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        let until = Instant::now() + DEADLINE;
        while self.engagements != expected {
            let left = until.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(WorkspaceEvent::Changed { added, removed }) => {
                    assert!(!added.is_empty() || !removed.is_empty(), "an empty report");
                    for a in added {
                        assert!(self.engagements.insert(a.clone()), "{a} added twice");
                    }
                    for r in removed {
                        assert!(self.engagements.remove(&r), "{r} removed but not there");
                    }
                }
                Ok(other) => panic!("unexpected report {other:?}"),
                Err(_) => panic!(
                    "timed out: the reports say {:?}, expected {expected:?}",
                    self.engagements
                ),
            }
        }
    }

    /// Nothing is reported for `quiet` (a change that is no engagement's).
    #[track_caller]
    fn assert_quiet(&self, quiet: Duration) {
        if let Ok(report) = self.rx.recv_timeout(quiet) {
            panic!("unexpected report {report:?}");
        }
    }
}

fn exercise(
    start: impl FnOnce(&Path, mpsc::Sender<WorkspaceEvent>) -> WorkspaceWatcher,
) -> WatchMode {
    let ws = tempfile::tempdir().expect("tempdir");
    common::copy_dir(&sample("firewall-drift"), &ws.path().join("firewall-drift"));
    let (tx, rx) = mpsc::channel();
    let watcher = start(ws.path(), tx);
    let (mut model, mode) = Model::start(ws.path(), rx);
    model.wait_for(&["firewall-drift"]);

    // An engagement copied in.
    common::copy_dir(&sample("vlan-qos"), &ws.path().join("vlan-qos"));
    model.wait_for(&["firewall-drift", "vlan-qos"]);

    // A directory is not an engagement until its engagement.toml is there; a stray file in the
    // workspace is nothing.
    let later = ws.path().join("later");
    std::fs::create_dir(&later).expect("mkdir");
    std::fs::write(ws.path().join("notes.txt"), "not an engagement\n").expect("write");
    model.assert_quiet(Duration::from_millis(400));
    for entry in std::fs::read_dir(sample("bgp-peer-onboarding")).expect("sample") {
        let entry = entry.expect("entry");
        if entry.file_name() != "engagement.toml" {
            let to = later.join(entry.file_name());
            if entry.path().is_dir() {
                common::copy_dir(&entry.path(), &to);
            } else {
                std::fs::copy(entry.path(), to).expect("copy");
            }
        }
    }
    model.assert_quiet(Duration::from_millis(400));
    std::fs::copy(
        sample("bgp-peer-onboarding").join("engagement.toml"),
        later.join("engagement.toml"),
    )
    .expect("copy");
    model.wait_for(&["firewall-drift", "later", "vlan-qos"]);

    // Renamed and removed.
    std::fs::rename(ws.path().join("later"), ws.path().join("renamed")).expect("rename");
    model.wait_for(&["firewall-drift", "renamed", "vlan-qos"]);
    std::fs::remove_dir_all(ws.path().join("vlan-qos")).expect("remove");
    model.wait_for(&["firewall-drift", "renamed"]);
    drop(watcher);
    mode
}

#[test]
fn engagements_added_and_removed_are_reported_natively() {
    let mode = exercise(|ws, tx| {
        WorkspaceWatcher::start(ws, move |e| {
            let _ = tx.send(e);
        })
    });
    if std::env::var("PHASEGATE_WATCH").is_err() {
        assert_eq!(mode, WatchMode::Native, "{:?}", mode.status());
    }
}

#[test]
fn engagements_added_and_removed_are_reported_by_polling() {
    let mode = exercise(|ws, tx| {
        WorkspaceWatcher::start_polling(ws, Duration::from_millis(100), "the test", move |e| {
            let _ = tx.send(e);
        })
    });
    assert!(matches!(mode, WatchMode::Polling { .. }), "{mode:?}");
}
