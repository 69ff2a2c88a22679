//! Shared helpers for tests that drive the real `phasegate` binary in a temp workspace.
#![allow(dead_code)]

pub mod app;
pub mod pty;
pub mod signing;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temp workspace; the config points at a file that does not exist (defaults), never $HOME.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A workspace holding copies of the sample engagements.
    pub fn with_samples() -> Workspace {
        let ws = Workspace::new();
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
        for slug in ["firewall-drift", "bgp-peer-onboarding", "vlan-qos"] {
            copy_dir(&samples.join(slug), &ws.path().join(slug));
        }
        ws
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn engagement(&self, slug: &str) -> PathBuf {
        self.path().join(slug)
    }

    /// Runs `phasegate` as `actor` at a fixed time.
    pub fn run(&self, actor: &str, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_phasegate"))
            .args(["--workspace"])
            .arg(self.path())
            .args(["--as", actor])
            .args(args)
            .env("PHASEGATE_CONFIG", self.path().join("no-config.toml"))
            .env("PHASEGATE_NOW", "2026-11-20T12:00:00Z")
            .env_remove("PHASEGATE_WORKSPACE")
            .output()
            .expect("run phasegate");
        let o = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(
            !o.stderr.contains("panicked"),
            "phasegate panicked: {}",
            o.stderr
        );
        o
    }

    pub fn status(&self, slug: &str) -> serde_json::Value {
        let o = self.run("reader", &["status", slug, "--json"]);
        assert_eq!(o.code, 0, "status failed: {}", o.stderr);
        serde_json::from_str(&o.stdout).expect("status --json is JSON")
    }

    pub fn read(&self, slug: &str, file: &str) -> String {
        std::fs::read_to_string(self.engagement(slug).join(file)).expect("read")
    }

    pub fn write(&self, slug: &str, file: &str, text: &str) {
        std::fs::write(self.engagement(slug).join(file), text).expect("write");
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Asserts a refusal (exit 1) whose message names `needle` (a file:line:col or a phrase).
#[track_caller]
pub fn assert_refused(o: &Output, needles: &[&str]) {
    assert_eq!(
        o.code, 1,
        "expected exit 1\nstdout: {}\nstderr: {}",
        o.stdout, o.stderr
    );
    for n in needles {
        assert!(o.stderr.contains(n), "stderr lacks `{n}`:\n{}", o.stderr);
    }
}

/// Line (1-based) and column of the first occurrence of `needle` in `text`.
pub fn position_of(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            return (i + 1, line[..byte].chars().count() + 1);
        }
    }
    panic!("`{needle}` not found")
}
