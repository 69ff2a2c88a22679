//! Git as the team engine (DESIGN §7): phasegate drives the user's own `git` command (their
//! credentials, hooks, commit signing), never a library copy of it, and never fetches or pushes
//! by itself. Three uses: `phasegate git setup` (merge driver, attributes, ignores), a commit
//! per decision after a journal append, and what `status` says about the engagement's place in
//! the repository (`git status --porcelain=v2 --branch`, no network).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::domain::artifact::Artifact;
use crate::domain::journal::{EventBody, JOURNAL_FILE, Journal, parse_journal};
use crate::domain::meta::ENGAGEMENT_FILE;
use crate::domain::signature::is_decision;

use super::StoreError;
use super::atomic::write_atomic;
use super::layout::OBJECTS_DIR;

/// The merge driver's name in `.gitattributes` and `merge.<name>.driver`.
pub const DRIVER: &str = "phasegate";
/// The `.gitattributes` line routing every engagement's journal to the driver.
pub const ATTRIBUTES_LINE: &str = "**/.phasegate/journal.toml merge=phasegate";
/// Per-machine state that is never committed (DESIGN §2).
pub const IGNORED: [&str; 5] = [
    "**/.phasegate/recovery/",
    "**/.phasegate/presence/",
    "**/.phasegate/reviews/",
    "**/.phasegate/lock",
    "**/.phasegate/.*.tmp",
];
const SETUP_COMMENT: &str = "# phasegate (written by `phasegate git setup`)";
const DRIVER_NAME: &str = "phasegate journal merge: re-chains both sides' events and verifies them";

const CANNOT_RUN: &str = "cannot run `git`";

/// `git ARGS` run in `dir`, without a shell, its output captured (a hook's output must never
/// reach a terminal the TUI owns). `Err` when git cannot be started or exits non-zero, with
/// what it said.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .arg("--literal-pathspecs")
        .args(args)
        .stdin(Stdio::null())
        // A commit must not wait on a prompt nobody sees.
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("{CANNOT_RUN}: {e} (is git installed and on PATH?)"))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let mut said = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !stdout.is_empty() {
        if !said.is_empty() {
            said.push('\n');
        }
        said.push_str(&stdout);
    }
    if said.is_empty() {
        said = format!("exited with {}", out.status);
    }
    Err(format!("`git {}` failed: {said}", args.join(" ")))
}

/// A directory's place in a git work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkTree {
    /// The work tree's top directory.
    pub top: PathBuf,
    /// The directory relative to `top`, with `/` separators and a trailing `/` (empty at the
    /// top).
    pub prefix: String,
}

/// Where `dir` sits in a git work tree; `None` outside one (or without git).
pub fn work_tree(dir: &Path) -> Option<WorkTree> {
    locate(dir).ok().flatten()
}

/// [`work_tree`], telling "git cannot be run" (`Err`) from "not in a work tree" (`Ok(None)`).
fn locate(dir: &Path) -> Result<Option<WorkTree>, String> {
    let out = match git(dir, &["rev-parse", "--show-toplevel", "--show-prefix"]) {
        Ok(out) => out,
        Err(e) if e.starts_with(CANNOT_RUN) => return Err(e),
        Err(_) => return Ok(None),
    };
    let mut lines = out.lines();
    let Some(top) = lines.next().map(|t| PathBuf::from(t.trim())) else {
        return Ok(None);
    };
    let prefix = lines.next().unwrap_or("").trim().to_string();
    Ok(Some(WorkTree { top, prefix }))
}

// ---------------------------------------------------------------------------------------------
// Set-up

/// What `git setup` did or found, one line per piece.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitSetup {
    pub top: PathBuf,
    /// `(what, already set)`.
    pub pieces: Vec<(String, bool)>,
}

impl GitSetup {
    pub fn complete(&self) -> bool {
        self.pieces.iter().all(|(_, done)| *done)
    }
}

/// The driver command git runs: this executable, quoted for the shell git runs it with.
fn driver_command() -> Result<String, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find phasegate's own executable: {e}"))?;
    let exe = exe.to_string_lossy();
    Ok(format!(
        "'{}' merge-journal %O %A %B %P",
        exe.replace('\'', r"'\''")
    ))
}

fn missing_lines(path: &Path, wanted: &[&str]) -> Result<(String, Vec<String>), StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(StoreError::io(path, &e)),
    };
    let missing = wanted
        .iter()
        .filter(|w| !text.lines().any(|l| l.trim() == **w))
        .map(|w| w.to_string())
        .collect();
    Ok((text, missing))
}

fn add_lines(path: &Path, text: &str, missing: &[String]) -> Result<(), StoreError> {
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.lines().any(|l| l.trim() == SETUP_COMMENT) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(SETUP_COMMENT);
        out.push('\n');
    }
    for line in missing {
        out.push_str(line);
        out.push('\n');
    }
    write_atomic(path, out.as_bytes())
}

/// `phasegate git setup [--check]` on the repository holding `dir`: the `.gitattributes`
/// line, the `.gitignore` lines and `merge.phasegate.{name,driver}` in the repository's own
/// config. Writes only what is missing (idempotent); `check` writes nothing.
pub fn setup(dir: &Path, check: bool) -> Result<GitSetup, StoreError> {
    let tree = work_tree(dir).ok_or_else(|| {
        StoreError::new(
            dir,
            "not inside a git work tree: `git init` (or clone) the workspace's repository first",
        )
    })?;
    let top = tree.top;
    let fail = |m: String| StoreError::new(&top, m);
    let mut report = GitSetup {
        top: top.clone(),
        pieces: Vec::new(),
    };

    let attributes = top.join(".gitattributes");
    let (text, missing) = missing_lines(&attributes, &[ATTRIBUTES_LINE])?;
    report.pieces.push((
        format!("{}: {ATTRIBUTES_LINE}", attributes.display()),
        missing.is_empty(),
    ));
    if !check && !missing.is_empty() {
        add_lines(&attributes, &text, &missing)?;
    }

    let ignore = top.join(".gitignore");
    let (text, missing) = missing_lines(&ignore, &IGNORED)?;
    report.pieces.push((
        format!("{}: {}", ignore.display(), IGNORED.join(" ")),
        missing.is_empty(),
    ));
    if !check && !missing.is_empty() {
        add_lines(&ignore, &text, &missing)?;
    }

    let driver = driver_command().map_err(fail)?;
    for (key, wanted) in [
        (format!("merge.{DRIVER}.name"), DRIVER_NAME.to_string()),
        (format!("merge.{DRIVER}.driver"), driver),
    ] {
        let current = git(&top, &["config", "--local", "--get", &key])
            .ok()
            .map(|v| v.trim_end_matches('\n').to_string());
        // The name is free text; the driver must be this phasegate's merge-journal.
        let done = match key.ends_with(".driver") {
            true => current.as_deref() == Some(wanted.as_str()),
            false => current.is_some(),
        };
        report.pieces.push((
            format!(
                "git config {key} = {}",
                current.as_deref().unwrap_or(&wanted)
            ),
            done,
        ));
        if !check && !done {
            git(&top, &["config", "--local", &key, &wanted]).map_err(fail)?;
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// Commit per decision

/// `[git] commit`: after which journal appends phasegate commits the engagement's files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GitCommit {
    /// Gate approve/reject/reopen, close and policy changes.
    Decisions,
    /// Every event.
    Events,
    #[default]
    Off,
}

static COMMIT_MODE: Mutex<GitCommit> = Mutex::new(GitCommit::Off);

/// Sets, for this process, after which journal appends the engagement's files are committed
/// (config `[git] commit`); called once at start-up, as the lock wait is.
pub fn configure(mode: GitCommit) {
    if let Ok(mut m) = COMMIT_MODE.lock() {
        *m = mode;
    }
}

fn commit_mode() -> GitCommit {
    COMMIT_MODE.lock().map(|m| *m).unwrap_or_default()
}

/// What became of the commit after a journal append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// `commit = "off"`, or `"decisions"` and the event is not one.
    NotAsked,
    /// The engagement is not in a git work tree.
    NotARepository,
    Committed {
        /// `git rev-parse --short=12 HEAD`.
        commit: String,
        message: String,
        /// The paths committed, relative to the work tree's top.
        files: Vec<String>,
    },
    /// Nothing was committed; the event stays recorded. The reason is for the engineer.
    Refused(String),
}

impl CommitOutcome {
    /// One line for the CLI and the TUI's message area; `None` when there is nothing to say.
    pub fn note(&self) -> Option<String> {
        match self {
            CommitOutcome::NotAsked => None,
            CommitOutcome::NotARepository => Some(
                "[git] commit is on, but the engagement is not in a git work tree: nothing committed"
                    .into(),
            ),
            CommitOutcome::Committed {
                commit, message, ..
            } => Some(format!("committed {commit}: {message}")),
            CommitOutcome::Refused(why) => Some(format!(
                "the event is recorded, but not committed: {why}"
            )),
        }
    }
}

/// The commit message for an event: `<slug>: <event summary> [event N, head <12 hex>]`, on one
/// line whatever the summary holds.
pub fn commit_message(slug: &str, seq: u64, summary: &str, head: &str) -> String {
    let summary: String = summary
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let head: String = head.chars().take(12).collect();
    format!("{slug}: {} [event {seq}, head {head}]", summary.trim())
}

/// Whether `path` (relative to the engagement directory) is a file an engagement commits: its
/// artifacts, `engagement.toml`, the journal and the approved snapshots. Never per-machine
/// state (`recovery/`, the lock, presence, reviews) nor anything outside the engagement.
fn is_engagement_record(path: &str) -> bool {
    path == ENGAGEMENT_FILE
        || path == JOURNAL_FILE
        || Artifact::ALL.iter().any(|a| a.file_name() == path)
        || path
            .strip_prefix(OBJECTS_DIR)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|name| !name.is_empty() && !name.contains('/') && !name.starts_with('.'))
}

/// One entry of `git status --porcelain=v2 -z`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// `1` changed, `u` unmerged, `?` untracked.
    kind: char,
    /// Index and work-tree status (`.` unchanged); `??` for untracked.
    xy: [char; 2],
    /// Relative to the work tree's top.
    path: String,
}

/// The branch headers and entries of `git status --porcelain=v2 --branch -z`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Porcelain {
    head: Option<String>,
    upstream: Option<String>,
    ahead: u32,
    behind: u32,
    entries: Vec<Entry>,
}

fn parse_porcelain(out: &str) -> Porcelain {
    let mut p = Porcelain::default();
    let mut fields = out.split('\0').filter(|f| !f.is_empty());
    while let Some(field) = fields.next() {
        if let Some(header) = field.strip_prefix("# ") {
            if let Some(h) = header.strip_prefix("branch.head ") {
                p.head = (h != "(detached)").then(|| h.to_string());
            } else if let Some(u) = header.strip_prefix("branch.upstream ") {
                p.upstream = Some(u.to_string());
            } else if let Some(ab) = header.strip_prefix("branch.ab ") {
                for part in ab.split_whitespace() {
                    if let Some(a) = part.strip_prefix('+') {
                        p.ahead = a.parse().unwrap_or(0);
                    } else if let Some(b) = part.strip_prefix('-') {
                        p.behind = b.parse().unwrap_or(0);
                    }
                }
            }
            continue;
        }
        let kind = field.chars().next().unwrap_or(' ');
        // The path is the last of a fixed number of space-separated fields (it may hold
        // spaces); a rename carries its original path in the next NUL-separated field.
        let (n, xy) = match kind {
            '1' => (9, field.get(2..4)),
            '2' => (10, field.get(2..4)),
            'u' => (11, field.get(2..4)),
            '?' | '!' => (2, Some("??")),
            _ => continue,
        };
        let path = field.splitn(n, ' ').nth(n - 1).unwrap_or("").to_string();
        if kind == '2' {
            fields.next();
        }
        if kind == '!' {
            continue;
        }
        let mut chars = xy.unwrap_or("..").chars();
        let xy = [chars.next().unwrap_or('.'), chars.next().unwrap_or('.')];
        p.entries.push(Entry { kind, xy, path });
    }
    p
}

fn porcelain(dir: &Path, pathspec: Option<&str>) -> Result<Porcelain, String> {
    let mut args = vec![
        "status",
        "--porcelain=v2",
        "--branch",
        "-z",
        "--untracked-files=all",
        "--no-renames",
    ];
    if let Some(p) = pathspec {
        args.extend(["--", p]);
    }
    git(dir, &args).map(|out| parse_porcelain(&out))
}

/// After a journal append at `root`: commits the engagement's changed record files when config
/// `[git] commit` asks for this event. Never stages another path; refuses (committing nothing)
/// when the index holds other staged paths, a merge is unfinished, or HEAD is detached; a
/// failing hook leaves the index as it was. The event stays recorded whatever happens here.
pub fn commit_event(
    root: &Path,
    slug: &str,
    seq: u64,
    event: &EventBody,
    head: &str,
) -> CommitOutcome {
    match commit_mode() {
        GitCommit::Off => return CommitOutcome::NotAsked,
        GitCommit::Decisions if !is_decision(event) => return CommitOutcome::NotAsked,
        GitCommit::Decisions | GitCommit::Events => {}
    }
    let tree = match locate(root) {
        Ok(Some(tree)) => tree,
        Ok(None) => return CommitOutcome::NotARepository,
        Err(why) => return CommitOutcome::Refused(why),
    };
    let message = commit_message(slug, seq, &event.summary(), head);
    match commit_files(&tree, &message) {
        Ok((commit, files)) => CommitOutcome::Committed {
            commit,
            message,
            files,
        },
        Err(why) => CommitOutcome::Refused(why),
    }
}

fn commit_files(tree: &WorkTree, message: &str) -> Result<(String, Vec<String>), String> {
    let top = &tree.top;
    if git(top, &["symbolic-ref", "-q", "HEAD"]).is_err() {
        return Err("HEAD is detached: check out a branch (`git switch -c NAME`), then commit the engagement's files yourself".into());
    }
    let status = porcelain(top, None)?;
    let ours = |path: &str| {
        path.strip_prefix(tree.prefix.as_str())
            .is_some_and(is_engagement_record)
    };
    if let Some(e) = status.entries.iter().find(|e| e.kind == 'u') {
        return Err(format!(
            "{} is unmerged: finish the merge (`git status`) before phasegate commits",
            e.path
        ));
    }
    let foreign: Vec<&str> = status
        .entries
        .iter()
        .filter(|e| e.kind != '?' && e.xy[0] != '.' && !ours(&e.path))
        .map(|e| e.path.as_str())
        .collect();
    if !foreign.is_empty() {
        return Err(format!(
            "the index holds other staged changes ({}); phasegate commits only the engagement's files: commit or unstage them (`git restore --staged PATH`), then commit the engagement",
            foreign.join(", ")
        ));
    }
    let changed: Vec<&Entry> = status
        .entries
        .iter()
        .filter(|e| ours(&e.path) && (e.kind == '?' || e.xy != ['.', '.']))
        .collect();
    let files: Vec<String> = changed
        .iter()
        .map(|e| e.path.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // What the work tree changed since the index: added (or untracked), or deleted. A change
    // already staged (`M.`, `D.`) is committed as it is.
    let (gone, present): (Vec<&Entry>, Vec<&Entry>) = changed
        .into_iter()
        .filter(|e| e.kind == '?' || e.xy[1] != '.')
        .partition(|e| e.xy[1] == 'D');
    if files.is_empty() {
        return Err("git sees no change in the engagement's files (are they ignored?)".into());
    }
    // The index as it was, to put back if the commit fails (a hook refusing it).
    let saved = git(top, &["write-tree"])?.trim().to_string();
    let staged = stage(top, &present, &gone).and_then(|()| {
        git(top, &["commit", "-q", "-m", message])?;
        git(top, &["rev-parse", "--short=12", "HEAD"]).map(|c| c.trim().to_string())
    });
    match staged {
        Ok(commit) => Ok((commit, files)),
        Err(why) => {
            let restored = match git(top, &["read-tree", &saved]) {
                Ok(_) => String::new(),
                Err(e) => format!(" (and the index could not be put back: {e})"),
            };
            Err(format!("{why}{restored}"))
        }
    }
}

fn stage(top: &Path, present: &[&Entry], gone: &[&Entry]) -> Result<(), String> {
    if !present.is_empty() {
        let mut args = vec!["add", "--"];
        args.extend(present.iter().map(|e| e.path.as_str()));
        git(top, &args)?;
    }
    if !gone.is_empty() {
        let mut args = vec!["rm", "--cached", "-q", "--"];
        args.extend(gone.iter().map(|e| e.path.as_str()));
        git(top, &args)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Status

/// An event of the journal HEAD does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UncommittedEvent {
    pub seq: u64,
    pub kind: &'static str,
    pub summary: String,
    pub decision: bool,
}

/// The engagement's place in its git repository, from `git status --porcelain=v2 --branch`
/// (what the last fetch knows: phasegate never fetches).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GitStatus {
    /// `None` on a detached HEAD.
    pub branch: Option<String>,
    pub upstream: Option<String>,
    pub ahead: u32,
    pub behind: u32,
    /// The engagement's files that differ from HEAD, relative to the engagement directory.
    pub changed: Vec<String>,
    /// Journal events HEAD does not hold.
    pub uncommitted: Vec<UncommittedEvent>,
}

impl GitStatus {
    pub fn uncommitted_decisions(&self) -> usize {
        self.uncommitted.iter().filter(|e| e.decision).count()
    }

    /// One line for `status` and the TUI's status bar: `git: main, 1 behind origin/main; 2
    /// decisions not committed`.
    pub fn summary(&self) -> String {
        let mut out = format!("git: {}", self.branch.as_deref().unwrap_or("detached HEAD"));
        match &self.upstream {
            Some(u) if self.ahead == 0 && self.behind == 0 => {
                out.push_str(&format!(", up to date with {u}"))
            }
            Some(u) => {
                let mut parts = Vec::new();
                if self.ahead > 0 {
                    parts.push(format!("{} ahead", self.ahead));
                }
                if self.behind > 0 {
                    parts.push(format!("{} behind", self.behind));
                }
                out.push_str(&format!(", {} {u}", parts.join(", ")));
                if self.behind > 0 {
                    out.push_str(" (pull to see their decisions)");
                }
            }
            None => out.push_str(", no upstream"),
        }
        let decisions = self.uncommitted_decisions();
        if !self.uncommitted.is_empty() {
            let seqs: Vec<String> = self.uncommitted.iter().map(|e| e.seq.to_string()).collect();
            out.push_str(&format!(
                "; {} event(s) not committed ({} decision(s)): event {}",
                self.uncommitted.len(),
                decisions,
                seqs.join(", ")
            ));
        } else if !self.changed.is_empty() {
            out.push_str(&format!("; uncommitted: {}", self.changed.join(", ")));
        }
        out
    }
}

/// What git says about the engagement at `root` whose journal is `journal`: branch,
/// ahead/behind its upstream, changed files and the journal events HEAD does not hold. `None`
/// outside a git work tree. No network: ahead/behind are as of the last fetch. For `status`
/// and the TUI's status bar.
pub fn engagement_status(root: &Path, journal: &Journal) -> Option<GitStatus> {
    let tree = work_tree(root)?;
    let p = porcelain(root, Some(".")).ok()?;
    let changed: Vec<String> = p
        .entries
        .iter()
        .filter_map(|e| e.path.strip_prefix(tree.prefix.as_str()))
        .filter(|path| is_engagement_record(path))
        .map(str::to_string)
        .collect();
    let committed: BTreeSet<String> = if changed.iter().any(|c| c == JOURNAL_FILE) {
        let spec = format!("HEAD:{}{JOURNAL_FILE}", tree.prefix);
        git(&tree.top, &["show", &spec])
            .ok()
            .and_then(|text| parse_journal(&text).ok())
            .map(|j| j.events.into_iter().map(|e| e.hash).collect())
            .unwrap_or_default()
    } else {
        journal.events.iter().map(|e| e.hash.clone()).collect()
    };
    let uncommitted = journal
        .events
        .iter()
        .filter(|e| !committed.contains(&e.hash))
        .map(|e| UncommittedEvent {
            seq: e.seq,
            kind: e.body.kind(),
            summary: e.body.summary(),
            decision: is_decision(&e.body),
        })
        .collect();
    Some(GitStatus {
        branch: p.head,
        upstream: p.upstream,
        ahead: p.ahead,
        behind: p.behind,
        changed,
        uncommitted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_is_one_line_with_event_and_head() {
        assert_eq!(
            commit_message(
                "vlan-qos",
                7,
                "Gate 1 rejected: no\nrollback",
                &"ab".repeat(32)
            ),
            "vlan-qos: Gate 1 rejected: no rollback [event 7, head abababababab]"
        );
    }

    #[test]
    fn only_the_engagement_record_is_committed() {
        for yes in [
            "customer-spec.md",
            "engagement.toml",
            ".phasegate/journal.toml",
            &format!(".phasegate/objects/{}", "a".repeat(64)),
            "as-built.md",
        ] {
            assert!(is_engagement_record(yes), "{yes}");
        }
        for no in [
            ".phasegate/lock",
            ".phasegate/recovery/customer-spec.md",
            ".phasegate/presence/x",
            ".phasegate/objects/.x.tmp",
            "build/COMP-1/x.j2",
            "notes.txt",
            "../other/customer-spec.md",
        ] {
            assert!(!is_engagement_record(no), "{no}");
        }
    }

    #[test]
    fn porcelain_v2_headers_and_entries() {
        let out = "# branch.oid abc\0# branch.head main\0# branch.upstream origin/main\0# branch.ab +2 -1\0\
1 .M N... 100644 100644 100644 aaa bbb ws/e/customer-spec.md\0\
1 A. N... 000000 100644 100644 000 ccc other file.txt\0\
u UU N... 100644 100644 100644 100644 a b c ws/e/.phasegate/journal.toml\0\
? ws/e/.phasegate/objects/x\0";
        let p = parse_porcelain(out);
        assert_eq!(p.head.as_deref(), Some("main"));
        assert_eq!(p.upstream.as_deref(), Some("origin/main"));
        assert_eq!((p.ahead, p.behind), (2, 1));
        let paths: Vec<(char, [char; 2], &str)> = p
            .entries
            .iter()
            .map(|e| (e.kind, e.xy, e.path.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                ('1', ['.', 'M'], "ws/e/customer-spec.md"),
                ('1', ['A', '.'], "other file.txt"),
                ('u', ['U', 'U'], "ws/e/.phasegate/journal.toml"),
                ('?', ['?', '?'], "ws/e/.phasegate/objects/x"),
            ]
        );
        assert_eq!(parse_porcelain("# branch.head (detached)\0").head, None);
    }
}
