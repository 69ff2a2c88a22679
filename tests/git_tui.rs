//! Git in the TUI (issue 11): the status bar says where the engagement stands in git
//! (`store::git::engagement_status`: ahead/behind its upstream, decisions not committed), and a
//! decision's toast carries the commit outcome — made, or refused and said. The real binary in
//! a pty, in a temp git repository with a bare origin (real `git`, temp HOME and global config);
//! and snapshots of the status bar with a git summary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::app::{dispatch, render, run};
use common::pty::{Pty, Spawn, keys, last_row, text_of};
use phasegate::app::action::Action;
use phasegate::app::effect::Effect;
use phasegate::app::{GitLine, Keys, State};
use phasegate::store::git::{GitStatus, UncommittedEvent};

const SLUG: &str = "edge-acl";

struct Repo {
    tmp: tempfile::TempDir,
}

impl Repo {
    /// origin.git (bare) and a clone `ws` with an engagement owned by alice, committed and
    /// pushed; config `[git] commit = "decisions"`.
    fn new() -> Repo {
        let repo = Repo {
            tmp: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(repo.home()).expect("home");
        std::fs::write(
            repo.tmp.path().join("gitconfig"),
            "[init]\n\tdefaultBranch = main\n[user]\n\tname = Alice\n\temail = alice@example.net\n",
        )
        .expect("gitconfig");
        std::fs::write(repo.config(), "[git]\ncommit = \"decisions\"\n").expect("config");
        repo.git(repo.tmp.path(), &["init", "--bare", "-q", "origin.git"]);
        repo.git(repo.tmp.path(), &["clone", "-q", "origin.git", "ws"]);
        let o = repo.phasegate("alice", &["new", SLUG, "--owner", "alice"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let spec = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("sample-engagements/vlan-qos/customer-spec.md"),
        )
        .expect("spec");
        let spec = match spec.find("## Amendments") {
            Some(i) => spec[..i].trim_end().to_string() + "\n",
            None => spec,
        };
        std::fs::write(repo.ws().join(SLUG).join("customer-spec.md"), spec).expect("spec");
        repo.git(&repo.ws(), &["add", "--", SLUG]);
        repo.git(&repo.ws(), &["commit", "-q", "-m", "the spec"]);
        repo.git(&repo.ws(), &["push", "-q", "-u", "origin", "main"]);
        repo
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn ws(&self) -> PathBuf {
        self.tmp.path().join("ws")
    }

    fn config(&self) -> PathBuf {
        self.tmp.path().join("config.toml")
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("HOME", self.home())
            .env("GIT_CONFIG_GLOBAL", self.tmp.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PHASEGATE_CONFIG", self.config())
            .env_remove("PHASEGATE_WORKSPACE")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
    }

    #[track_caller]
    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(dir).args(args);
        self.env(&mut cmd);
        let out = cmd.output().expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn phasegate(&self, who: &str, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_phasegate"));
        cmd.arg("--workspace")
            .arg(self.ws())
            .args(["--as", who])
            .args(args);
        self.env(&mut cmd);
        cmd.output().expect("phasegate")
    }

    fn open(&self) -> Pty {
        Spawn::phasegate(env!("CARGO_BIN_EXE_phasegate"), &self.ws(), &["open", SLUG])
            .env("PHASEGATE_CONFIG", self.config())
            .env("HOME", self.home())
            .env("GIT_CONFIG_GLOBAL", self.tmp.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .size(120, 40)
            .start()
    }
}

/// The status line (the row above the toast/hints).
fn status_row(s: &vt100::Screen) -> String {
    text_of(s)
        .lines()
        .rev()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_status_bar_and_the_decisions_toasts_say_where_git_stands() {
    let repo = Repo::new();
    let mut pty = repo.open();
    pty.wait_for("the git status", |s| {
        status_row(s).contains("git: main, up to date with origin/main")
    });

    // Reject: committed, and the toast says so; the branch is now ahead of origin.
    pty.send("g");
    pty.wait_for("the gate pane", |s| last_row(s).contains("Space tick"));
    pty.send("r");
    pty.wait_for_text(&["Reject Gate 1: reason"]);
    pty.send("the NOC has not signed off");
    pty.send(keys::ENTER);
    pty.wait_for_text(&["Reject Gate 1?"]);
    pty.send("y");
    pty.wait_for("the rejection, committed", |s| {
        let t = last_row(s);
        t.contains("Gate 1 rejected (event 2); committed ")
            && t.contains("edge-acl: Gate 1 rejected")
    });
    pty.wait_for("one ahead", |s| {
        status_row(s).contains("1 ahead origin/main")
    });
    let log = repo.git(&repo.ws(), &["log", "-1", "--format=%s"]);
    assert!(
        log.starts_with("edge-acl: Gate 1 rejected") && log.contains("[event 2, head "),
        "{log}"
    );

    // Someone staged an unrelated file: the approval is recorded, its commit refused, and the
    // toast says so; the status bar counts the decision not committed.
    std::fs::write(repo.ws().join("notes.txt"), "mine\n").expect("notes");
    repo.git(&repo.ws(), &["add", "--", "notes.txt"]);
    pty.send("jjjj");
    for _ in 0..4 {
        pty.send(" j");
    }
    pty.send("a");
    pty.wait_for_text(&["Approve Gate 1?"]);
    pty.send("y");
    let screen = pty.wait_for("the refused commit, said", |s| {
        last_row(s).contains("git: the event is recorded, but not committed")
    });
    assert!(text_of(&screen).contains("[G1 ✔]"), "{}", text_of(&screen));
    pty.wait_for("the decision not committed", |s| {
        let row = status_row(s);
        row.contains("git:") && row.contains("not committed")
    });
    let log = repo.git(&repo.ws(), &["log", "-1", "--format=%s"]);
    assert!(
        log.starts_with("edge-acl: Gate 1 rejected"),
        "nothing committed: {log}"
    );
    pty.send("q");
    assert!(pty.wait_exit().success());
}

/// A GitStatus as `engagement_status` gives it (the pty test reads a real one), on the status
/// bar at both sizes: in full where it fits (the phase, slug and artifact give way first), in
/// short where it does not.
#[test]
fn status_bar_with_a_git_summary() {
    let (_dir, ws) = common::app::sample_workspace();
    let root = ws.join("vlan-qos");
    for size in [(80u16, 24u16), (120, 40)] {
        let mut state = State::new("reviewer", Keys::default(), size);
        run(&mut state, Effect::Load { root: root.clone() });
        let status = GitStatus {
            branch: Some("main".into()),
            upstream: Some("origin/main".into()),
            ahead: 1,
            behind: 0,
            changed: vec![".phasegate/journal.toml".into()],
            uncommitted: vec![UncommittedEvent {
                seq: 17,
                kind: "gate_approved",
                summary: "Gate 2 approved".into(),
                decision: true,
            }],
        };
        dispatch(
            &mut state,
            Action::GitRead {
                root: root.clone(),
                line: Some(GitLine::of(&status)),
            },
        );
        let screen = render(&state, &ws);
        let row = screen.lines().rev().nth(1).unwrap_or_default().to_string();
        assert!(row.contains("git: "), "{screen}");
        assert!(
            row.contains("1 ahead") && row.contains("not committed"),
            "{row}"
        );
        if size.0 >= 120 {
            assert!(row.contains(&status.summary()), "in full at 120: {row}");
        }
        insta::assert_snapshot!(format!("git_status_{}x{}", size.0, size.1), screen);
    }
}
