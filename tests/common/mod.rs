//! Shared helpers for tests that drive the real `phasegate` binary in a temp workspace.
#![allow(dead_code)]

pub mod app;
pub mod chain;
pub mod files;
pub mod pty;
pub mod signing;

pub use files::copy_dir;

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
        self.run_at("2026-11-20T12:00:00Z", actor, args)
    }

    /// Runs `phasegate` as `actor` with the clock pinned at `at` (`YYYY-MM-DDTHH:MM:SSZ`).
    pub fn run_at(&self, at: &str, actor: &str, args: &[&str]) -> Output {
        let out = self
            .command(actor, args)
            .env("PHASEGATE_NOW", at)
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

    /// Runs `phasegate` like `run`, but kills it and returns `None` when it is still running
    /// after `deadline` (a hang is a test failure, not a stuck suite).
    pub fn run_within(
        &self,
        deadline: std::time::Duration,
        actor: &str,
        args: &[&str],
    ) -> Option<Output> {
        use std::io::Read;
        let mut child = self
            .command(actor, args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn phasegate");
        // Drain the pipes on threads so a chatty child cannot block on a full pipe.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let until = std::time::Instant::now() + deadline;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for phasegate") {
                break Some(status);
            }
            if std::time::Instant::now() >= until {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }?;
        Some(Output {
            code: status.code().unwrap_or(-1),
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        })
    }

    /// The `phasegate` command `run` executes, for tests that spawn it themselves.
    pub fn command(&self, actor: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_phasegate"));
        cmd.args(["--workspace"])
            .arg(self.path())
            .args(["--as", actor])
            .args(args)
            .env("PHASEGATE_CONFIG", self.path().join("no-config.toml"))
            .env("PHASEGATE_NOW", "2026-11-20T12:00:00Z")
            .env_remove("PHASEGATE_WORKSPACE");
        cmd
    }

    /// A new engagement owned by alice (its `created` event records her), with the bgp sample's
    /// texts, approved at Gate 1 by bob and feasibility completed: Gate 2 is ahead.
    pub fn engagement_in_design(&self, slug: &str) {
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
        let o = self.run(
            "alice",
            &["new", slug, "--title", "Attack", "--owner", "alice"],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        for file in ["customer-spec.md", "feasibility.md"] {
            let text = std::fs::read_to_string(samples.join("bgp-peer-onboarding").join(file))
                .expect("sample text");
            self.write(slug, file, &text);
        }
        let o = self.run(
            "bob",
            &[
                "gate", "1", "approve", slug, "--check", "G1-5", "--check", "G1-6", "--check",
                "G1-7", "--check", "G1-8",
            ],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        let o = self.run("alice", &["feasibility-complete", slug]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let design = std::fs::read_to_string(
            samples
                .join("bgp-peer-onboarding")
                .join("solution-design.md"),
        )
        .expect("sample design");
        self.write(slug, "solution-design.md", &design);
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

/// `gate 2 approve SLUG` with every manual criterion of Gate 2 checked.
pub fn gate2_approve(slug: &str) -> Vec<&str> {
    vec![
        "gate", "2", "approve", slug, "--check", "G2-7", "--check", "G2-8", "--check", "G2-9",
    ]
}

/// Asserts a `check --strict` found nothing but the clock override: an engagement written under
/// `PHASEGATE_NOW` (every test's and sample's) marks its events `clock = "override"`, a warning
/// that `--strict` fails on; no problem and no other warning may be there.
pub fn assert_strict_clean_but_the_clock(o: &Output) {
    let others: Vec<&str> = o
        .stdout
        .lines()
        .chain(o.stderr.lines())
        .filter(|l| {
            l.starts_with("error:")
                || (l.starts_with("warning:") && !l.contains("written under a clock override"))
        })
        .collect();
    assert!(others.is_empty(), "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains(" 0 problem(s)"), "{}", o.stdout);
    let clock = o.stdout.contains("written under a clock override");
    assert_eq!(o.code, i32::from(clock), "{}", o.stdout);
}
