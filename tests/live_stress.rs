//! Two processes racing journal appends on one engagement. Each append is the store's locked
//! read-modify-write (`store::engagement::transact`), exactly what the TUI and the CLI use; the
//! processes are this test binary started again in a child mode (`child_appender`). Afterwards
//! the chain verifies and holds exactly the appended events: none lost, none doubled, each
//! process's events in the order it appended them.
//!
//! 2 × 200 in CI; `cargo test --test live_stress -- --ignored` runs 2 × 500.
//!
//! `four_cli_processes_race_deviation_adds` races the real binary: four `phasegate deviation add`
//! loops, each append writing as-built.md and the journal.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use phasegate::domain::journal::{self, EventBody, GateId, JOURNAL_FILE, Stamp};
use phasegate::domain::time::Timestamp;
use phasegate::store::engagement::{self, Change};

const ROOT: &str = "PHASEGATE_STRESS_ROOT";
const TAG: &str = "PHASEGATE_STRESS_TAG";
const COUNT: &str = "PHASEGATE_STRESS_COUNT";

fn stamp(actor: &str) -> Stamp {
    Stamp {
        at: Timestamp::parse("2026-11-20T12:00:00Z").unwrap_or(Timestamp::from_unix(0)),
        actor: actor.into(),
        os_user: format!("{actor}@stress"),
    }
}

/// The child mode: appends `COUNT` events tagged `TAG`, one transaction each. Without the
/// environment (a normal test run) it does nothing.
#[test]
fn child_appender() {
    let (Ok(root), Ok(tag), Ok(count)) = (
        std::env::var(ROOT),
        std::env::var(TAG),
        std::env::var(COUNT),
    ) else {
        return;
    };
    let count: usize = count.parse().expect("count");
    let root = Path::new(&root);
    for i in 0..count {
        let reason = format!("stress {tag}-{i}");
        engagement::transact(root, &stamp(&tag), None, |e, ev| {
            Ok(Change::from(EventBody::GateReopened {
                gate: GateId::One,
                reason,
                policy: e.meta.policy,
                artifacts: ev.artifact_records(),
            }))
        })
        .unwrap_or_else(|e| panic!("append {tag}-{i} failed: {e:?}"));
    }
}

fn race(per_process: usize) {
    let ws = tempfile::tempdir().expect("tempdir");
    let root = engagement::create(ws.path(), "race", "Race", "owner", None, &stamp("owner"))
        .expect("create");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = ["A", "B"]
        .iter()
        .map(|tag| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_appender",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(ROOT, &root)
                .env(TAG, tag)
                .env(COUNT, per_process.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("child");
        assert!(
            out.status.success(),
            "a child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(root.join(JOURNAL_FILE)).expect("journal");
    let parsed = journal::parse_journal(&text).expect("the journal parses");
    assert!(parsed.broken.is_none(), "chain broken: {:?}", parsed.broken);
    assert_eq!(parsed.events.len(), 1 + 2 * per_process);
    let mut seen = BTreeSet::new();
    let mut next = [0usize; 2];
    for (i, event) in parsed.events.iter().enumerate().skip(1) {
        assert_eq!(event.seq, i as u64 + 1, "sequence numbers are dense");
        let EventBody::GateReopened { reason, .. } = &event.body else {
            panic!("unexpected event {}: {:?}", event.seq, event.body);
        };
        let (tag, n) = reason
            .strip_prefix("stress ")
            .and_then(|r| r.split_once('-'))
            .expect("tagged reason");
        let n: usize = n.parse().expect("number");
        let k = usize::from(tag == "B");
        assert_eq!(event.actor, tag);
        assert_eq!(n, next[k], "{tag}'s appends keep their order");
        next[k] += 1;
        assert!(seen.insert(reason.clone()), "{reason} twice");
    }
    assert_eq!(next, [per_process, per_process]);
    // The store's own load agrees (it verifies the whole chain too).
    let loaded = engagement::load_strict(&root).expect("loads");
    assert_eq!(loaded.engagement.journal.events.len(), 1 + 2 * per_process);
}

#[test]
fn two_processes_race_200_appends_each() {
    race(200);
}

#[test]
#[ignore = "long: 2 × 500 appends"]
fn two_processes_race_500_appends_each() {
    race(500);
}

#[test]
fn four_cli_processes_race_deviation_adds() {
    const RACERS: usize = 4;
    const EACH: usize = 12;
    let ws = common::Workspace::with_samples();
    let before = journal::parse_journal(&ws.read("vlan-qos", JOURNAL_FILE))
        .expect("sample journal")
        .events
        .len();
    std::thread::scope(|scope| {
        for racer in 0..RACERS {
            let ws = &ws;
            scope.spawn(move || {
                for i in 0..EACH {
                    let what = format!("race {racer}-{i}");
                    let o = ws.run(
                        &format!("racer{racer}"),
                        &[
                            "deviation",
                            "add",
                            "vlan-qos",
                            "--component",
                            "general",
                            "--impact",
                            "minor",
                            "--what",
                            &what,
                            "--why",
                            "stress",
                        ],
                    );
                    assert_eq!(o.code, 0, "{what}: {}", o.stderr);
                }
            });
        }
    });
    let parsed = journal::parse_journal(&ws.read("vlan-qos", JOURNAL_FILE)).expect("parses");
    assert!(parsed.broken.is_none(), "chain broken: {:?}", parsed.broken);
    assert_eq!(
        parsed.events.len(),
        before + RACERS * EACH,
        "no event lost or doubled"
    );
    let as_built = ws.read("vlan-qos", "as-built.md");
    let mut ids = BTreeSet::new();
    for event in &parsed.events[before..] {
        let EventBody::DeviationRecorded { id, .. } = &event.body else {
            panic!("unexpected event {}: {:?}", event.seq, event.body);
        };
        assert!(ids.insert(*id), "{id} recorded twice");
    }
    for racer in 0..RACERS {
        for i in 0..EACH {
            let line = format!("(general, minor): race {racer}-{i} — stress");
            assert_eq!(as_built.matches(&line).count(), 1, "{line} in as-built.md");
        }
    }
    let check = ws.run("ci", &["check", "vlan-qos"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}
