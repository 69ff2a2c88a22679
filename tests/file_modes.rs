//! File modes under umask 022: what phasegate creates is readable by a lead under another account
//! (files 0644, directories 0755), and a save keeps the mode of the file it replaces.
//!
//! The umask is process-wide: every test in this binary sets the same 022 before it runs, and the
//! `phasegate` children inherit it.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{Workspace, copy_dir};
use phasegate::domain::artifact::Artifact;
use phasegate::domain::digest::sha256_hex;

fn umask_022() {
    // SAFETY: umask only sets the process's file mode creation mask.
    unsafe {
        libc::umask(0o022);
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Every file and directory under `dir` (not `dir` itself).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("read_dir")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

/// Files under `dir` that are not 0644 and directories that are not 0755.
#[track_caller]
fn assert_shareable(dir: &Path) {
    let wrong: Vec<String> = walk(dir)
        .into_iter()
        .filter(|p| mode(p) != if p.is_dir() { 0o755 } else { 0o644 })
        .map(|p| format!("{:o} {}", mode(&p), p.display()))
        .collect();
    assert!(
        wrong.is_empty(),
        "created with the wrong mode:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn new_creates_files_others_can_read() {
    umask_022();
    let ws = Workspace::new();
    let o = ws.run(
        "alice",
        &["new", "edge-acl", "--title", "Edge ACL", "--owner", "alice"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let root = ws.engagement("edge-acl");
    assert_eq!(mode(&root.join("customer-spec.md")), 0o644);
    assert_eq!(mode(&root.join("engagement.toml")), 0o644);
    assert_shareable(&root);
}

#[test]
fn the_seeded_sample_is_readable_by_others() {
    umask_022();
    let ws = Workspace::new();
    let root = phasegate::store::seed::seed_workspace(ws.path())
        .expect("seed")
        .expect("an empty workspace is seeded");
    assert_eq!(mode(&root.join("as-built.md")), 0o644);
    assert_shareable(&root);
}

#[test]
fn gate_2_creates_as_built_and_objects_others_can_read() {
    umask_022();
    let ws = Workspace::new();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    copy_dir(
        &samples.join("bgp-peer-onboarding"),
        &ws.engagement("bgp-peer-onboarding"),
    );
    let root = ws.engagement("bgp-peer-onboarding");
    let objects = root.join(".phasegate/objects");
    let before = walk(&objects).len();
    let o = ws.run(
        "carol",
        &[
            "gate",
            "2",
            "approve",
            "bgp-peer-onboarding",
            "--check",
            "G2-7",
            "--check",
            "G2-8",
            "--check",
            "G2-9",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("as-built.md created"), "{}", o.stdout);
    assert_eq!(mode(&root.join("as-built.md")), 0o644);
    assert!(walk(&objects).len() > before, "the approval stored objects");
    assert_eq!(mode(&objects), 0o755);
    assert_shareable(&objects);
    assert_shareable(&root);
}

#[test]
fn a_save_keeps_the_mode_of_the_file_it_replaces() {
    umask_022();
    let ws = Workspace::with_samples();
    let root = ws.engagement("firewall-drift");
    let spec = root.join("customer-spec.md");
    std::fs::set_permissions(&spec, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let text = ws.read("firewall-drift", "customer-spec.md");
    let saved = format!("{text}\nA line saved by the editor.\n");
    // The editor's save (Ctrl-S): a compare-and-swap over the loaded version.
    phasegate::store::recovery::save_if_unchanged(
        &root,
        Artifact::Spec,
        &saved,
        Some(&sha256_hex(text.as_bytes())),
        false,
    )
    .expect("save");
    assert_eq!(ws.read("firewall-drift", "customer-spec.md"), saved);
    assert_eq!(mode(&spec), 0o640, "a 0640 artifact stays 0640");

    // A script the build produced stays executable when rewritten.
    let script = ws.engagement("vlan-qos").join("build/run.sh");
    std::fs::write(&script, "#!/bin/sh\n").expect("write");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o750)).expect("chmod");
    phasegate::store::atomic::write_atomic(&script, b"#!/bin/sh\necho hi\n").expect("write");
    assert_eq!(mode(&script), 0o750);
}
