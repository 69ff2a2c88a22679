//! Git as the team engine (DESIGN §7, issue 11), end to end with the real `git`: a bare
//! repository and two clones, two identities with their own `ssh-keygen` keys, the journal
//! merge driver on `git pull`, the pre-receive hook on a real `git push`, commit per decision,
//! and a running TUI that sees a pull. Git and phasegate run with HOME, GIT_CONFIG_GLOBAL and
//! the config in temp directories: the real home is never read or written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::Output;
use common::pty::Spawn;
use common::signing::Keys;

const SLUG: &str = "edge-acl";
const JOURNAL: &str = "edge-acl/.phasegate/journal.toml";
const GATE1: [&str; 8] = [
    "--check", "G1-5", "--check", "G1-6", "--check", "G1-7", "--check", "G1-8",
];

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_phasegate")
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements")
}

/// The vlan-qos spec without its amendments: ready for Gate 1.
fn spec() -> String {
    let text = std::fs::read_to_string(samples().join("vlan-qos/customer-spec.md")).expect("spec");
    match text.find("## Amendments") {
        Some(i) => text[..i].trim_end().to_string() + "\n",
        None => text,
    }
}

/// A bare repository `origin.git`, clones `a` (alice's) and `b` (bob's), their keys and an
/// allowed-signers file committed at the workspace root (the repository's top).
struct Team {
    tmp: tempfile::TempDir,
    keys: Keys,
}

#[derive(Clone, Copy)]
enum Clock<'a> {
    /// `PHASEGATE_NOW`: the order of parallel events is the test's to choose.
    At(&'a str),
    /// The real clock (the pre-receive hook runs `check --strict`, which refuses overrides).
    Real,
}

impl Team {
    fn new() -> Team {
        let team = Team {
            tmp: tempfile::tempdir().expect("tempdir"),
            keys: Keys::new(),
        };
        std::fs::create_dir_all(team.home()).expect("home");
        std::fs::write(
            team.tmp.path().join("gitconfig"),
            "[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n[advice]\n\tdetachedHead = false\n",
        )
        .expect("gitconfig");
        team.keys.generate("alice", "ed25519");
        team.keys.generate("bob", "ed25519");
        team.keys.generate("mallory", "ed25519");
        let o = team.git(team.tmp.path(), &["init", "--bare", "-q", "origin.git"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        for (clone, who) in [("a", "alice"), ("b", "bob")] {
            let o = team.git(team.tmp.path(), &["clone", "-q", "origin.git", clone]);
            assert_eq!(o.code, 0, "{}", o.stderr);
            let dir = team.clone_dir(clone);
            team.git(&dir, &["config", "user.name", who]);
            team.git(
                &dir,
                &["config", "user.email", &format!("{who}@example.net")],
            );
            team.write_config(who, "");
        }
        team
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn origin(&self) -> PathBuf {
        self.tmp.path().join("origin.git")
    }

    fn clone_dir(&self, clone: &str) -> PathBuf {
        self.tmp.path().join(clone)
    }

    fn key(&self, who: &str) -> PathBuf {
        self.keys.dir.path().join(who)
    }

    /// `<who>.toml`, outside every clone: the signing key and `extra` (a `[git]` table).
    fn write_config(&self, who: &str, extra: &str) {
        let text = format!(
            "signing_key = {:?}\n{extra}",
            self.key(who).display().to_string()
        );
        std::fs::write(self.tmp.path().join(format!("{who}.toml")), text).expect("config");
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("HOME", self.home())
            .env("GIT_CONFIG_GLOBAL", self.tmp.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("PHASEGATE_WORKSPACE")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            // Hooks and the merge driver find this phasegate first.
            .env("PATH", path_with_bin())
            .stdin(std::process::Stdio::null());
    }

    fn output(cmd: &mut Command) -> Output {
        let out = cmd.output().expect("run");
        let o = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!o.stderr.contains("panicked"), "panicked: {}", o.stderr);
        o
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(dir).args(args);
        self.env(&mut cmd);
        Team::output(&mut cmd)
    }

    /// What the engineer commits by hand: the team's files and the engagement, by name.
    fn user_adds(&self, dir: &Path) {
        let mut args = vec!["add", "--"];
        for path in ["allowed_signers", ".gitattributes", ".gitignore", SLUG] {
            if dir.join(path).exists() {
                args.push(path);
            }
        }
        self.git_ok(dir, &args);
    }

    /// `git` that must succeed; its stdout.
    fn git_ok(&self, dir: &Path, args: &[&str]) -> String {
        let o = self.git(dir, args);
        assert_eq!(o.code, 0, "git {args:?}: {}{}", o.stdout, o.stderr);
        o.stdout
    }

    /// phasegate in clone `clone` as `who` (with `who`'s key and config).
    fn run(&self, clone: &str, who: &str, clock: Clock<'_>, args: &[&str]) -> Output {
        self.run_as(clone, who, who, clock, args)
    }

    /// phasegate with `who`'s config (and key), acting as `as_name`.
    fn run_as(
        &self,
        clone: &str,
        who: &str,
        as_name: &str,
        clock: Clock<'_>,
        args: &[&str],
    ) -> Output {
        let mut cmd = Command::new(bin());
        cmd.arg("--workspace")
            .arg(self.clone_dir(clone))
            .args(["--as", as_name])
            .args(args)
            .current_dir(self.clone_dir(clone));
        self.env(&mut cmd);
        cmd.env(
            "PHASEGATE_CONFIG",
            self.tmp.path().join(format!("{who}.toml")),
        );
        match clock {
            Clock::At(at) => cmd.env("PHASEGATE_NOW", at),
            Clock::Real => cmd.env_remove("PHASEGATE_NOW"),
        };
        Team::output(&mut cmd)
    }

    fn run_ok(&self, clone: &str, who: &str, clock: Clock<'_>, args: &[&str]) -> Output {
        let o = self.run(clone, who, clock, args);
        assert_eq!(o.code, 0, "phasegate {args:?}: {}{}", o.stdout, o.stderr);
        o
    }

    fn journal(&self, clone: &str) -> String {
        std::fs::read_to_string(self.clone_dir(clone).join(JOURNAL)).expect("journal")
    }

    fn allowed_signers(&self, lines: &[(&str, &str)]) -> String {
        lines
            .iter()
            .map(|(principal, key)| format!("{principal} {}\n", self.keys.public(key)))
            .collect()
    }

    /// alice creates the engagement in clone A under `signatures = "decisions"`, writes the
    /// spec and pushes; bob pulls in B, approves Gate 1 signed, and pushes.
    fn through_gate1(&self, clock: Clock<'_>) {
        let a = self.clone_dir("a");
        self.run_ok("a", "alice", Clock::Real, &["git", "setup"]);
        std::fs::write(
            a.join("allowed_signers"),
            self.allowed_signers(&[("alice", "alice"), ("bob", "bob")]),
        )
        .expect("allowed_signers");
        // With a signing key configured, `new` asks for signed decisions from the start.
        self.run_ok("a", "alice", clock, &["new", SLUG, "--owner", "alice"]);
        std::fs::write(a.join(SLUG).join("customer-spec.md"), spec()).expect("spec");
        self.user_adds(&a);
        self.git_ok(&a, &["commit", "-q", "-m", "edge-acl: the spec"]);
        self.git_ok(&a, &["push", "-q", "origin", "main"]);

        let b = self.clone_dir("b");
        self.git_ok(&b, &["pull", "-q", "origin", "main"]);
        self.run_ok("b", "bob", Clock::Real, &["git", "setup"]);
        self.write_config("bob", "[git]\ncommit = \"decisions\"\n");
        let mut args = vec!["gate", "1", "approve", SLUG];
        args.extend(GATE1);
        let o = self.run_ok("b", "bob", clock, &args);
        assert!(o.stdout.contains("signed with SHA256:"), "{}", o.stdout);
        assert!(o.stdout.contains("committed "), "{}", o.stdout);
        self.git_ok(&b, &["push", "-q", "origin", "main"]);
    }
}

fn path_with_bin() -> std::ffi::OsString {
    let dir = Path::new(bin()).parent().expect("bin dir").to_path_buf();
    let mut paths = vec![dir];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(paths).expect("PATH")
}

fn status_json(team: &Team, clone: &str) -> serde_json::Value {
    let o = team.run_ok(clone, "reader", Clock::Real, &["status", SLUG, "--json"]);
    serde_json::from_str(&o.stdout).expect("status --json")
}

/// alice sees bob's signed approval after `git pull`.
fn alice_pulls_bobs_approval(team: &Team) {
    let a = team.clone_dir("a");
    team.git_ok(&a, &["pull", "-q", "origin", "main"]);
    let s = status_json(team, "a");
    assert_eq!(s["gates"]["1"]["state"], "approved", "{s}");
    assert_eq!(s["gates"]["1"]["approved_by"], "bob", "{s}");
    assert_eq!(s["gates"]["1"]["signature"]["verified"], true, "{s}");
    let text = team
        .run_ok("a", "reader", Clock::Real, &["status", SLUG])
        .stdout;
    assert!(text.contains("approved by bob"), "{text}");
    assert!(
        text.contains("git: main, up to date with origin/main"),
        "{text}"
    );
}

#[test]
fn a_compatible_parallel_history_merges_through_the_driver_with_every_signature_valid() {
    compatible_parallel_history(&["pull", "--no-edit", "origin", "main"]);
}

/// `git pull --rebase` replays alice's commit onto bob's: the driver merges with the sides
/// swapped, and the result is the same history.
#[test]
fn a_compatible_parallel_history_rebases_through_the_driver_too() {
    compatible_parallel_history(&["pull", "--rebase", "origin", "main"]);
}

fn compatible_parallel_history(pull: &[&str]) {
    let team = Team::new();
    team.through_gate1(Clock::At("2026-11-20T12:00:00Z"));
    alice_pulls_bobs_approval(&team);
    let (a, b) = (team.clone_dir("a"), team.clone_dir("b"));

    // In parallel: alice assesses feasibility and completes it (12:10); bob reopens Gate 1
    // later (12:20), signed. bob pushes first.
    team.write_config("alice", "[git]\ncommit = \"events\"\n");
    let feasibility =
        std::fs::read_to_string(samples().join("vlan-qos/feasibility.md")).expect("feasibility");
    std::fs::write(a.join(SLUG).join("feasibility.md"), feasibility).expect("feasibility");
    let o = team.run_ok(
        "a",
        "alice",
        Clock::At("2026-11-20T12:10:00Z"),
        &["feasibility-complete", SLUG],
    );
    assert!(o.stdout.contains("committed "), "{}", o.stdout);
    team.run_ok(
        "b",
        "bob",
        Clock::At("2026-11-20T12:20:00Z"),
        &[
            "gate",
            "1",
            "reopen",
            SLUG,
            "--reason",
            "the customer added a site",
        ],
    );
    team.git_ok(&b, &["push", "-q", "origin", "main"]);
    let ours_before = team.journal("a");
    let o = team.git(&a, pull);
    assert_eq!(o.code, 0, "the driver merges: {}{}", o.stdout, o.stderr);

    let merged = team.journal("a");
    let journal = phasegate::domain::journal::parse_journal(&merged).expect("merged journal");
    assert_eq!(journal.broken, None);
    let kinds: Vec<&str> = journal.events.iter().map(|e| e.body.kind()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "gate_approved",
            "feasibility_completed",
            "gate_reopened"
        ]
    );
    // The common history is alice's bytes; her event keeps its place, bob's comes after it.
    let common_end = ours_before
        .find("kind = \"feasibility_completed\"")
        .unwrap();
    assert_eq!(merged[..common_end], ours_before[..common_end]);
    // Every signature holds and `check` passes with the committed allowed signers.
    let o = team.run("a", "reader", Clock::Real, &["check", SLUG]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let s = status_json(&team, "a");
    let decisions = s["decisions"].as_array().expect("decisions");
    let signed: Vec<&serde_json::Value> = decisions
        .iter()
        .filter(|d| d["fingerprint"].is_string())
        .collect();
    assert_eq!(signed.len(), 2, "{s}");
    assert!(signed.iter().all(|d| d["verified"] == true), "{s}");
    assert_eq!(s["phase"], "requirements", "{s}");
    // The merge (or rebased) commit holds the merged journal; bob gets it by a fast-forward.
    team.git_ok(&a, &["push", "-q", "origin", "main"]);
    team.git_ok(&b, &["pull", "-q", "origin", "main"]);
    assert_eq!(team.journal("b"), merged);
}

#[test]
fn an_incompatible_parallel_history_is_refused_naming_the_events_with_both_sides_intact() {
    let team = Team::new();
    team.through_gate1(Clock::At("2026-11-20T12:00:00Z"));
    alice_pulls_bobs_approval(&team);
    let (a, b) = (team.clone_dir("a"), team.clone_dir("b"));

    // bob reopens Gate 1 at 12:10 and pushes; alice completes feasibility at 12:20 on the
    // Gate 1 approval bob has since reopened.
    team.run_ok(
        "b",
        "bob",
        Clock::At("2026-11-20T12:10:00Z"),
        &[
            "gate",
            "1",
            "reopen",
            SLUG,
            "--reason",
            "the customer added a site",
        ],
    );
    team.git_ok(&b, &["push", "-q", "origin", "main"]);
    let feasibility =
        std::fs::read_to_string(samples().join("vlan-qos/feasibility.md")).expect("feasibility");
    std::fs::write(a.join(SLUG).join("feasibility.md"), feasibility).expect("feasibility");
    team.run_ok(
        "a",
        "alice",
        Clock::At("2026-11-20T12:20:00Z"),
        &["feasibility-complete", SLUG],
    );
    team.user_adds(&a);
    team.git_ok(&a, &["commit", "-q", "-m", "feasibility"]);
    let ours = team.journal("a");
    let theirs_commit = team.git_ok(&b, &["rev-parse", "HEAD"]);

    let o = team.git(&a, &["pull", "--no-edit", "origin", "main"]);
    assert_ne!(o.code, 0, "the merge must fail: {}{}", o.stdout, o.stderr);
    let said = format!("{}{}", o.stdout, o.stderr);
    assert!(said.contains("phasegate merge-journal"), "{said}");
    assert!(said.contains("refused to merge the journals"), "{said}");
    assert!(
        said.contains("ours event 3 (feasibility_completed by alice"),
        "{said}"
    );
    assert!(
        said.contains("theirs event 3 (gate_reopened by bob"),
        "{said}"
    );
    assert!(said.contains("CONFLICT"), "{said}");
    // Both sides' files as they were: ours in the work tree, theirs in MERGE_HEAD.
    assert_eq!(team.journal("a"), ours);
    let theirs = team.git_ok(&a, &["show", &format!("MERGE_HEAD:{JOURNAL}")]);
    let bobs = team.git_ok(&b, &["show", &format!("HEAD:{JOURNAL}")]);
    assert_eq!(theirs, bobs);
    assert_eq!(team.git_ok(&a, &["rev-parse", "MERGE_HEAD"]), theirs_commit);
    let o = team.git(&a, &["merge", "--abort"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(team.journal("a"), ours);
}

#[test]
fn git_setup_is_idempotent_and_check_reports_it() {
    let team = Team::new();
    let a = team.clone_dir("a");
    let o = team.run("a", "alice", Clock::Real, &["git", "setup", "--check"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("not set up"), "{}", o.stdout);
    team.run_ok("a", "alice", Clock::Real, &["git", "setup"]);
    let attributes = std::fs::read_to_string(a.join(".gitattributes")).expect("attributes");
    let ignore = std::fs::read_to_string(a.join(".gitignore")).expect("ignore");
    team.run_ok("a", "alice", Clock::Real, &["git", "setup"]);
    assert_eq!(
        std::fs::read_to_string(a.join(".gitattributes")).unwrap(),
        attributes
    );
    assert_eq!(
        std::fs::read_to_string(a.join(".gitignore")).unwrap(),
        ignore
    );
    assert_eq!(
        attributes
            .lines()
            .filter(|l| *l == "**/.phasegate/journal.toml merge=phasegate")
            .count(),
        1
    );
    let o = team.run_ok("a", "alice", Clock::Real, &["git", "setup", "--check"]);
    assert!(o.stdout.contains("set up for phasegate"), "{}", o.stdout);
    let driver = team.git_ok(&a, &["config", "--local", "merge.phasegate.driver"]);
    assert!(driver.contains("merge-journal %O %A %B %P"), "{driver}");
    team.git_ok(&a, &["config", "--local", "merge.phasegate.name"]);
    // The lock and recovery files are ignored, the journal is not.
    for (path, ignored) in [
        ("e/.phasegate/lock", true),
        ("e/.phasegate/recovery/x.md", true),
        ("e/.phasegate/journal.toml", false),
    ] {
        let o = team.git(&a, &["check-ignore", "-q", path]);
        assert_eq!(o.code == 0, ignored, "{path}");
    }
}

#[test]
fn one_commit_per_decision_and_nothing_else_committed_when_git_refuses() {
    let team = Team::new();
    team.through_gate1(Clock::At("2026-11-20T12:00:00Z"));
    let b = team.clone_dir("b");
    // through_gate1 made bob's approval with `commit = "decisions"`: exactly one commit on top
    // of alice's, with the message format and only the engagement's record files.
    let log = team.git_ok(&b, &["log", "--format=%s"]);
    let subjects: Vec<&str> = log.lines().collect();
    assert_eq!(subjects.len(), 2, "{log}");
    let subject = subjects[0];
    let journal = phasegate::domain::journal::parse_journal(&team.journal("b")).unwrap();
    assert_eq!(
        subject,
        format!(
            "edge-acl: Gate 1 approved [event 2, head {}]",
            &journal.events[1].hash[..12]
        )
    );
    let files = team.git_ok(&b, &["show", "--name-only", "--format=", "HEAD"]);
    let files: Vec<&str> = files.lines().collect();
    assert!(files.contains(&JOURNAL), "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| *f == JOURNAL || f.starts_with("edge-acl/.phasegate/objects/")),
        "{files:?}"
    );

    // An unrelated change in the work tree is never committed; a non-decision event is not
    // committed under "decisions".
    std::fs::write(b.join("notes.txt"), "mine\n").expect("notes");
    std::fs::write(b.join(SLUG).join("feasibility.md"), "# draft\n").expect("draft");
    let head = team.git_ok(&b, &["rev-parse", "HEAD"]);
    let o = team.run_ok(
        "b",
        "bob",
        Clock::At("2026-11-20T12:05:00Z"),
        &["gate", "1", "reopen", SLUG, "--reason", "scope"],
    );
    assert!(o.stdout.contains("committed "), "{}", o.stdout);
    let files = team.git_ok(&b, &["show", "--name-only", "--format=", "HEAD"]);
    let files: Vec<&str> = files.lines().collect();
    assert_eq!(
        files,
        [JOURNAL, "edge-acl/feasibility.md"],
        "only the engagement's changed files"
    );
    assert_ne!(team.git_ok(&b, &["rev-parse", "HEAD"]), head);
    let porcelain = team.git_ok(&b, &["status", "--porcelain"]);
    assert!(porcelain.contains("?? notes.txt"), "{porcelain}");

    // Another path staged: refused with a message, the event stays recorded, no commit.
    team.git_ok(&b, &["add", "notes.txt"]);
    let head = team.git_ok(&b, &["rev-parse", "HEAD"]);
    let events_before = team.journal("b").matches("[[event]]").count();
    std::fs::write(b.join(SLUG).join("customer-spec.md"), spec()).expect("spec");
    let mut args = vec!["gate", "1", "approve", SLUG];
    args.extend(GATE1);
    let o = team.run_ok("b", "bob", Clock::At("2026-11-20T12:06:00Z"), &args);
    assert!(
        o.stderr
            .contains("the event is recorded, but not committed: the index holds other staged changes (notes.txt)"),
        "{}",
        o.stderr
    );
    assert_eq!(
        team.journal("b").matches("[[event]]").count(),
        events_before + 1
    );
    assert_eq!(team.git_ok(&b, &["rev-parse", "HEAD"]), head);
    assert_eq!(
        team.git_ok(&b, &["diff", "--cached", "--name-only"]).trim(),
        "notes.txt"
    );
    team.git_ok(&b, &["restore", "--staged", "notes.txt"]);
    // Catch up: commit what the refused commit left, by hand.
    team.git_ok(&b, &["add", SLUG]);
    team.git_ok(&b, &["commit", "-q", "-m", "catch up"]);

    // A failing pre-commit hook: a clear message, no commit, the index as it was.
    let hook = b.join(".git/hooks/pre-commit");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'pre-commit: the NOC freeze is on' >&2\nexit 1\n",
    )
    .expect("hook");
    make_executable(&hook);
    let head = team.git_ok(&b, &["rev-parse", "HEAD"]);
    let o = team.run_ok(
        "b",
        "bob",
        Clock::At("2026-11-20T12:07:00Z"),
        &["gate", "1", "reopen", SLUG, "--reason", "freeze"],
    );
    assert!(
        o.stderr
            .contains("the event is recorded, but not committed"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("the NOC freeze is on"), "{}", o.stderr);
    assert_eq!(team.git_ok(&b, &["rev-parse", "HEAD"]), head);
    assert_eq!(team.git_ok(&b, &["diff", "--cached", "--name-only"]), "");
    assert!(team.journal("b").contains("reason = \"freeze\""));
    std::fs::remove_file(&hook).expect("hook");

    // A detached HEAD: refused, nothing committed.
    team.git_ok(&b, &["add", SLUG]);
    team.git_ok(&b, &["commit", "-q", "-m", "catch up again"]);
    team.git_ok(&b, &["checkout", "-q", "--detach"]);
    std::fs::write(b.join(SLUG).join("customer-spec.md"), spec() + "\n").expect("spec");
    let o = team.run_ok("b", "bob", Clock::At("2026-11-20T12:08:00Z"), &args);
    assert!(o.stderr.contains("HEAD is detached"), "{}", o.stderr);
    assert_eq!(team.git_ok(&b, &["diff", "--cached", "--name-only"]), "");

    // status says what is not committed.
    let text = team
        .run_ok("b", "reader", Clock::Real, &["status", SLUG])
        .stdout;
    assert!(text.contains("git: detached HEAD"), "{text}");
    assert!(
        text.contains("1 event(s) not committed (1 decision(s))"),
        "{text}"
    );
    let s = status_json(&team, "b");
    assert_eq!(s["git"]["uncommitted"][0]["kind"], "gate_approved", "{s}");
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn status_counts_ahead_and_behind_without_the_network() {
    let team = Team::new();
    team.through_gate1(Clock::At("2026-11-20T12:00:00Z"));
    let a = team.clone_dir("a");
    team.git_ok(&a, &["fetch", "-q", "origin"]);
    let s = status_json(&team, "a");
    assert_eq!(s["git"]["branch"], "main", "{s}");
    assert_eq!(s["git"]["upstream"], "origin/main", "{s}");
    assert_eq!(s["git"]["behind"], 1, "{s}");
    assert_eq!(s["git"]["ahead"], 0, "{s}");
    let text = team
        .run_ok("a", "reader", Clock::Real, &["status", SLUG])
        .stdout;
    assert!(text.contains("1 behind origin/main"), "{text}");
}

#[test]
fn the_pre_receive_hook_refuses_a_forged_approval_and_accepts_a_valid_one() {
    let team = Team::new();
    let hook = team.origin().join("hooks/pre-receive");
    std::fs::copy(samples().join("ci/pre-receive"), &hook).expect("install the hook");
    make_executable(&hook);
    team.git_ok(&team.origin(), &["config", "phasegate.command", bin()]);
    // The real clock: the hook runs `check --strict`, which refuses clock overrides.
    let a = team.clone_dir("a");
    team.run_ok("a", "alice", Clock::Real, &["git", "setup"]);
    std::fs::write(
        a.join("allowed_signers"),
        team.allowed_signers(&[("alice", "alice"), ("bob", "bob")]),
    )
    .expect("allowed_signers");
    team.run_ok(
        "a",
        "alice",
        Clock::Real,
        &["new", SLUG, "--owner", "alice"],
    );
    std::fs::write(a.join(SLUG).join("customer-spec.md"), spec()).expect("spec");
    team.user_adds(&a);
    team.git_ok(&a, &["commit", "-q", "-m", "the spec"]);
    let o = team.git(&a, &["push", "origin", "main"]);
    assert_eq!(o.code, 0, "a clean engagement is accepted: {}", o.stderr);

    // mallory, in clone B, lists her own key as bob's and approves as bob: the forged
    // approval verifies against the allowed_signers she pushes with it, not the server's.
    let b = team.clone_dir("b");
    team.git_ok(&b, &["pull", "-q", "origin", "main"]);
    std::fs::write(
        b.join("allowed_signers"),
        team.allowed_signers(&[("alice", "alice"), ("bob", "mallory")]),
    )
    .expect("allowed_signers");
    team.write_config("mallory", "");
    let mut args = vec!["gate", "1", "approve", SLUG];
    args.extend(GATE1);
    let o = team.run_as("b", "mallory", "bob", Clock::Real, &args);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("by bob, signed with"), "{}", o.stdout);
    team.user_adds(&b);
    team.git_ok(&b, &["commit", "-q", "-m", "approve"]);
    let o = team.git(&b, &["push", "origin", "main"]);
    assert_ne!(o.code, 0, "a forged approval is refused: {}", o.stderr);
    assert!(
        o.stderr.contains("pre-receive hook declined"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("phasegate: refusing refs/heads/main"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("event 2 (gate_approved)")
            || o.stdout.contains("event 2 (gate_approved)"),
        "{}{}",
        o.stdout,
        o.stderr
    );
    let server = team.git_ok(&team.origin(), &["rev-parse", "main"]);
    assert_eq!(server, team.git_ok(&a, &["rev-parse", "HEAD"]));

    // The real bob approves with his own key on the real allowed signers: accepted.
    team.git_ok(&b, &["reset", "-q", "--hard", "origin/main"]);
    let o = team.run_ok("b", "bob", Clock::Real, &args);
    assert!(o.stdout.contains("by bob, signed with"), "{}", o.stdout);
    team.user_adds(&b);
    team.git_ok(&b, &["commit", "-q", "-m", "approve"]);
    let o = team.git(&b, &["push", "origin", "main"]);
    assert_eq!(o.code, 0, "a valid approval is accepted: {}", o.stderr);
    assert!(
        o.stderr.contains("1 engagement(s): 0 problem(s)"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_running_tui_shows_bobs_approval_within_a_second_of_git_pull() {
    let team = Team::new();
    let a = team.clone_dir("a");
    // alice's side as it was before bob's approval: created, policy, spec; then bob approves.
    team.through_gate1(Clock::At("2026-11-20T12:00:00Z"));
    let mut pty = Spawn::phasegate(bin(), &a, &["open", SLUG])
        .env("HOME", team.home())
        .env("GIT_CONFIG_GLOBAL", team.tmp.path().join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .size(120, 40)
        .start();
    pty.wait_for_text(&["customer-spec.md"]);
    let before = pty.screen_text();
    assert!(!before.contains("approved by bob"), "{before}");
    team.git_ok(&a, &["pull", "-q", "origin", "main"]);
    let pulled = Instant::now();
    // The header and the journal pane: approved by bob, his signature verified.
    let shown = pty.wait_for_within(Duration::from_secs(5), &|s| {
        let text = common::pty::text_of(s);
        text.contains("Gate 1: approved by bob") && text.contains("bob ✔sig Gate 1 approved")
    });
    let elapsed = pulled.elapsed();
    let screen = match shown {
        Ok(s) => common::pty::text_of(&s),
        Err(s) => panic!("bob's approval never shown:\n{}", common::pty::text_of(&s)),
    };
    eprintln!("bob's approval shown {elapsed:?} after git pull returned");
    assert!(
        elapsed < Duration::from_secs(1),
        "shown {elapsed:?} after the pull:\n{screen}"
    );
    pty.send("q");
    pty.wait_exit();
}

#[test]
fn the_tui_commits_its_decision_too() {
    let team = Team::new();
    let a = team.clone_dir("a");
    // No signing key: the engagement asks for no signatures, so the TUI's reviewer may approve.
    std::fs::write(
        team.tmp.path().join("alice.toml"),
        "[git]\ncommit = \"decisions\"\n",
    )
    .expect("config");
    team.run_ok("a", "alice", Clock::Real, &["git", "setup"]);
    team.run_ok(
        "a",
        "alice",
        Clock::Real,
        &["new", SLUG, "--owner", "alice"],
    );
    std::fs::write(a.join(SLUG).join("customer-spec.md"), spec()).expect("spec");
    team.user_adds(&a);
    team.git_ok(&a, &["commit", "-q", "-m", "the spec"]);
    let before = team.git_ok(&a, &["rev-parse", "HEAD"]);
    // An edit alice already staged herself is committed with the decision as it is.
    std::fs::write(
        a.join(SLUG).join("customer-spec.md"),
        spec() + "\n<!-- reviewed with the NOC -->\n",
    )
    .expect("spec");
    team.git_ok(&a, &["add", "--", "edge-acl/customer-spec.md"]);

    let mut pty = Spawn::phasegate(bin(), &a, &["open", SLUG])
        .env("PHASEGATE_CONFIG", team.tmp.path().join("alice.toml"))
        .env("HOME", team.home())
        .env("GIT_CONFIG_GLOBAL", team.tmp.path().join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .size(120, 40)
        .start();
    pty.wait_for_text(&["customer-spec.md [VIEW]"]);
    pty.send("g");
    pty.wait_for("the gate pane", |s| {
        common::pty::last_row(s).contains("Space tick")
    });
    pty.send("jjjj");
    for _ in 0..4 {
        pty.send(" j");
    }
    pty.send("a");
    pty.wait_for_text(&["Approve Gate 1?"]);
    pty.send("y");
    pty.wait_for("the approval", |s| {
        common::pty::last_row(s).contains("Gate 1 approved by reviewer")
    });
    pty.send("q");
    assert!(pty.wait_exit().success());

    // One commit, made by the TUI's transaction, with the message format.
    let log = team.git_ok(
        &a,
        &["log", "--format=%s", &format!("{}..HEAD", before.trim())],
    );
    let journal = phasegate::domain::journal::parse_journal(&team.journal("a")).unwrap();
    assert_eq!(
        log.trim(),
        format!(
            "edge-acl: Gate 1 approved [event 2, head {}]",
            &journal.events[1].hash[..12]
        )
    );
    let porcelain = team.git_ok(&a, &["status", "--porcelain"]);
    assert_eq!(porcelain, "", "nothing of the engagement left uncommitted");
    let files = team.git_ok(&a, &["show", "--name-only", "--format=", "HEAD"]);
    assert!(
        files.lines().any(|f| f == "edge-acl/customer-spec.md"),
        "{files}"
    );
    assert!(files.lines().any(|f| f == JOURNAL), "{files}");
}
