//! Bad input (DESIGN §6): a catalogue of malformed engagements, each run against the real binary
//! on a copy of `sample-engagements/vlan-qos` (or a fresh `phasegate new` engagement) in a temp
//! workspace. Every case changes one thing and expects exit 2, no panic, and a message naming
//! the file — with `FILE:LINE:COL` where the problem has a position.
//!
//! The environment never reaches the real home: `PHASEGATE_WORKSPACE` is the temp dir,
//! `PHASEGATE_CONFIG` a file that does not exist in it, and `HOME`/`XDG_*` point inside it too.
//!
//! `status` reports load errors on stderr; `check` writes its whole report, load errors
//! included, to stdout (it goes on with the other engagements under `--all`), so for `check`
//! both streams are searched.

mod common;

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_phasegate");
const SAMPLE: &str = "vlan-qos";
const FRESH: &str = "fresh";
const JOURNAL: &str = ".phasegate/journal.toml";
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Far above what any command needs; a command still running then is hung.
const TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Running the binary

struct Out {
    /// `None` when killed by a signal or by the timeout.
    code: Option<i32>,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

impl Out {
    fn describe(&self) -> String {
        format!(
            "exit {:?}{}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            if self.timed_out {
                " (timed out, killed)"
            } else {
                ""
            },
            self.stdout,
            self.stderr
        )
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs `phasegate ARGS` with the test environment, killing it after `timeout`. The working
/// directory is `ws/home`, outside any engagement, so a slug resolves through
/// `PHASEGATE_WORKSPACE` and messages carry full paths.
fn run(ws: &Path, args: &[String], timeout: Duration) -> Out {
    run_with_config(ws, args, timeout, &ws.join("no-such-config.toml"))
}

/// [`run`] with `PHASEGATE_CONFIG` set to `config`.
fn run_with_config(ws: &Path, args: &[String], timeout: Duration, config: &Path) -> Out {
    let home = ws.join("home");
    std::fs::create_dir_all(&home).expect("create the fake home");
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(&home)
        .env("PHASEGATE_WORKSPACE", ws)
        .env("PHASEGATE_CONFIG", config)
        .env("PHASEGATE_NOW", "2026-11-20T12:00:00Z")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn phasegate");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let deadline = Instant::now() + timeout;
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("wait for phasegate") {
            break (status, false);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            break (child.wait().expect("reap phasegate"), true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Out {
        code: status.code(),
        timed_out,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(ToString::to_string).collect()
}

// ---------------------------------------------------------------------------------------------
// Fixtures

#[derive(Debug, Clone, Copy)]
enum Base {
    /// A copy of `sample-engagements/vlan-qos` (16 events, both gates approved, as-built).
    Sample,
    /// `phasegate new fresh`: templates and a `created` event.
    Fresh,
}

/// A temp workspace holding one engagement, and a second temp dir outside it.
struct Fixture {
    ws: tempfile::TempDir,
    outside: tempfile::TempDir,
    slug: &'static str,
}

impl Fixture {
    fn new(base: Base) -> Fixture {
        let f = Fixture {
            ws: tempfile::tempdir().expect("tempdir"),
            outside: tempfile::tempdir().expect("tempdir"),
            slug: match base {
                Base::Sample => SAMPLE,
                Base::Fresh => FRESH,
            },
        };
        match base {
            Base::Sample => {
                let from = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("sample-engagements")
                    .join(SAMPLE);
                common::copy_dir(&from, &f.root());
            }
            Base::Fresh => {
                let o = f.run(&["--as", "alice", "new", FRESH]);
                assert_eq!(o.code, Some(0), "phasegate new failed:\n{}", o.describe());
            }
        }
        let o = f.run(&["status", f.slug]);
        assert_eq!(
            o.code,
            Some(0),
            "the unmodified engagement must be valid:\n{}",
            o.describe()
        );
        f
    }

    fn ws(&self) -> &Path {
        self.ws.path()
    }

    fn root(&self) -> PathBuf {
        self.ws().join(self.slug)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path(rel), bytes).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }

    /// Rewrites a text file; returns the new text (to compute expected positions from).
    fn edit(&self, rel: &str, f: impl FnOnce(&str) -> String) -> String {
        let text = f(&self.read(rel));
        self.write(rel, &text);
        text
    }

    fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("remove {rel}: {e}"));
    }

    /// Replaces `rel` with a symlink to `target`.
    fn symlink(&self, rel: &str, target: &Path) {
        self.remove(rel);
        std::os::unix::fs::symlink(target, self.path(rel)).expect("symlink");
    }

    /// Inserts raw bytes into `rel` right after `after` on the first line containing `line`;
    /// returns the 1-based line and character column where they start.
    fn insert_bytes(&self, rel: &str, line: &str, after: &str, bytes: &[u8]) -> (usize, usize) {
        let text = self.read(rel);
        let (line_no, col) = at(&text, line, after);
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line_no - 1)
            .map(str::len)
            .sum();
        let in_line = text[line_start..].find(after).expect("needle on its line");
        let offset = line_start + in_line + after.len();
        let mut out = text.as_bytes()[..offset].to_vec();
        out.extend_from_slice(bytes);
        out.extend_from_slice(&text.as_bytes()[offset..]);
        self.write(rel, out);
        (line_no, col + after.chars().count())
    }

    fn run(&self, args: &[&str]) -> Out {
        run(self.ws(), &strings(args), TIMEOUT)
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// 1-based line and character column of `needle` on the first line that contains `line`.
fn at(text: &str, line: &str, needle: &str) -> (usize, usize) {
    for (i, l) in text.lines().enumerate() {
        if l.contains(line) {
            let byte = l
                .find(needle)
                .unwrap_or_else(|| panic!("`{needle}` not on line `{l}`"));
            return (i + 1, l[..byte].chars().count() + 1);
        }
    }
    panic!("no line contains `{line}`")
}

/// Replaces the first line starting with `prefix`.
fn replace_line(text: &str, prefix: &str, new: &str) -> String {
    let mut done = false;
    let out: Vec<&str> = text
        .lines()
        .map(|l| {
            if !done && l.starts_with(prefix) {
                done = true;
                new
            } else {
                l
            }
        })
        .collect();
    assert!(done, "no line starts with `{prefix}`");
    out.join("\n") + "\n"
}

/// Deletes the first line starting with `prefix`.
fn delete_line(text: &str, prefix: &str) -> String {
    let i = text
        .lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with `{prefix}`"));
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(i);
    lines.join("\n") + "\n"
}

/// Inserts `new` as a line after the first line starting with `prefix`.
fn insert_after(text: &str, prefix: &str, new: &str) -> String {
    let i = text
        .lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with `{prefix}`"));
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(i + 1, new);
    lines.join("\n") + "\n"
}

/// Byte offsets and 1-based lines of the journal's `[[event]]` headers.
fn event_headers(journal: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, line) in journal.split_inclusive('\n').enumerate() {
        if line.trim_end() == "[[event]]" {
            out.push((offset, i + 1));
        }
        offset += line.len();
    }
    out
}

/// The text of event `n` (0-based), from its header to the next one.
fn event_block(journal: &str, n: usize) -> &str {
    let heads = event_headers(journal);
    let end = heads.get(n + 1).map_or(journal.len(), |h| h.0);
    &journal[heads[n].0..end]
}

fn sha256_hex(bytes: &[u8]) -> String {
    phasegate::domain::digest::sha256_hex(bytes)
}

// ---------------------------------------------------------------------------------------------
// The catalogue

/// Where the message must point.
#[derive(Debug)]
enum At {
    /// `FILE:LINE:COL: `
    LineCol(usize, usize),
    /// `FILE: ` — the file as a whole, no position.
    File,
    /// The file is named; its position is not pinned (the TOML library's choice, e.g. 1:1 for a
    /// missing key).
    Named,
}

struct Expect {
    file: PathBuf,
    at: At,
    /// Phrases the message must contain (case-insensitive).
    says: &'static [&'static str],
}

impl Expect {
    fn new(file: PathBuf, at: At, says: &'static [&'static str]) -> Expect {
        Expect { file, at, says }
    }
}

struct Case {
    name: &'static str,
    base: Base,
    /// Subcommands run on the broken engagement (its slug is appended).
    commands: &'static [&'static str],
    mutate: fn(&Fixture) -> Expect,
}

const BOTH: &[&str] = &["status", "check"];
const ENG: &str = "engagement.toml";

/// Appends `[[criteria]]` tables to engagement.toml.
fn add_criteria(f: &Fixture, tables: &str) -> String {
    f.edit(ENG, |t| format!("{t}\n{tables}"))
}

fn cases() -> Vec<Case> {
    vec![
        // ---- engagement.toml ------------------------------------------------------------------
        Case {
            name: "engagement.toml: TOML syntax error",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| replace_line(t, "owner", "owner = = \"alice\""));
                let (l, c) = at(&t, "owner = =", "= \"alice\"");
                Expect::new(f.path(ENG), At::LineCol(l, c), &[])
            },
        },
        Case {
            name: "engagement.toml: unknown top-level key",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| insert_after(t, "baseline", "colour = \"blue\""));
                let (l, c) = at(&t, "colour", "colour");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["colour"])
            },
        },
        Case {
            name: "engagement.toml: unknown key in [policy]",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| insert_after(t, "distinct_approver", "quorum = 2"));
                let (l, c) = at(&t, "quorum", "quorum");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["quorum"])
            },
        },
        Case {
            name: "engagement.toml: schema = \"one\" (wrong type)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| replace_line(t, "schema", "schema = \"one\""));
                let (l, c) = at(&t, "schema", "\"one\"");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["\"one\""])
            },
        },
        Case {
            name: "engagement.toml: title = 3 (wrong type)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| replace_line(t, "title", "title = 3"));
                let (l, c) = at(&t, "title = 3", "3");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["string"])
            },
        },
        Case {
            name: "engagement.toml: distinct_approver = \"yes\" (wrong type)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| {
                    replace_line(t, "distinct_approver", "distinct_approver = \"yes\"")
                });
                let (l, c) = at(&t, "distinct_approver", "\"yes\"");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["boolean"])
            },
        },
        Case {
            name: "engagement.toml: missing required key (owner)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.edit(ENG, |t| delete_line(t, "owner"));
                Expect::new(f.path(ENG), At::Named, &["owner"])
            },
        },
        Case {
            name: "engagement.toml: empty title",
            base: Base::Sample,
            commands: &["status"],
            mutate: |f| {
                let t = f.edit(ENG, |t| replace_line(t, "title", "title = \"  \""));
                let (l, c) = at(&t, "title", "title");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["title is empty"])
            },
        },
        Case {
            name: "engagement.toml: bad datetime (month 13)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| {
                    replace_line(t, "created", "created = 2026-13-02T09:14:00Z")
                });
                let (l, c) = at(&t, "created", "2026-13");
                Expect::new(f.path(ENG), At::LineCol(l, c), &[])
            },
        },
        Case {
            name: "engagement.toml: created is a date without a time",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| replace_line(t, "created", "created = 2026-11-02"));
                let (l, c) = at(&t, "created", "created");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["UTC date-time"])
            },
        },
        Case {
            name: "engagement.toml: created is a string",
            base: Base::Sample,
            commands: &["status"],
            mutate: |f| {
                let t = f.edit(ENG, |t| {
                    replace_line(t, "created", "created = \"yesterday\"")
                });
                let (l, c) = at(&t, "created", "\"yesterday\"");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["yesterday"])
            },
        },
        Case {
            name: "engagement.toml: schema = 2",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(ENG, |t| replace_line(t, "schema", "schema = 2"));
                let (l, c) = at(&t, "schema", "schema");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["schema 2"])
            },
        },
        Case {
            name: "engagement.toml: criterion with gate = 3",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = add_criteria(
                    f,
                    "[[criteria]]\ngate = 3\nid = \"G3-X1\"\ntext = \"Signed off by the CAB\"\n",
                );
                // Reported at the criterion's `id` line, which names it.
                let (l, c) = at(&t, "id = \"G3-X1\"", "id");
                Expect::new(
                    f.path(ENG),
                    At::LineCol(l, c),
                    &["G3-X1", "gate must be 1 or 2"],
                )
            },
        },
        Case {
            name: "engagement.toml: criterion with gate = 300 (out of range)",
            base: Base::Sample,
            commands: &["status"],
            mutate: |f| {
                let t = add_criteria(
                    f,
                    "[[criteria]]\ngate = 300\nid = \"G2-X1\"\ntext = \"Signed off by the CAB\"\n",
                );
                let (l, c) = at(&t, "gate = 300", "300");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["300"])
            },
        },
        Case {
            name: "engagement.toml: duplicate criterion id",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                add_criteria(
                    f,
                    "[[criteria]]\ngate = 2\nid = \"G2-X1\"\ntext = \"NOC review\"\n\n\
                             [[criteria]]\ngate = 2\nid = \"G2-X1\"\ntext = \"CAB review\"\n",
                );
                // The exact position is pinned by `duplicate_criterion_is_reported_at_the_duplicate`.
                Expect::new(f.path(ENG), At::Named, &["G2-X1", "already used"])
            },
        },
        Case {
            name: "engagement.toml: criterion id clashing with G1-1",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = add_criteria(
                    f,
                    "[[criteria]]\ngate = 1\nid = \"G1-1\"\ntext = \"Sections present\"\n",
                );
                let (l, c) = at(&t, "id = \"G1-1\"", "id");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["G1-1", "already used"])
            },
        },
        Case {
            name: "engagement.toml: criterion with empty text",
            base: Base::Fresh,
            commands: &["status"],
            mutate: |f| {
                let t = add_criteria(f, "[[criteria]]\ngate = 2\n  id = \"G2-X9\"\ntext = \"\"\n");
                let (l, c) = at(&t, "id = \"G2-X9\"", "id");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["non-empty"])
            },
        },
        Case {
            name: "engagement.toml: empty file",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.write(ENG, "");
                Expect::new(f.path(ENG), At::Named, &["schema"])
            },
        },
        Case {
            name: "engagement.toml: not UTF-8",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let (l, c) = f.insert_bytes(ENG, "title", "Extend VL", b"\xff");
                Expect::new(f.path(ENG), At::LineCol(l, c), &["UTF-8"])
            },
        },
        Case {
            name: "engagement.toml: symlink to a file in another directory",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let elsewhere = f.outside.path().join(ENG);
                std::fs::copy(f.path(ENG), &elsewhere).expect("copy");
                f.symlink(ENG, &elsewhere);
                Expect::new(f.path(ENG), At::File, &["symlink"])
            },
        },
        Case {
            name: "engagement.toml missing: not an engagement",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.remove(ENG);
                Expect::new(f.root(), At::File, &["engagement.toml"])
            },
        },
        // ---- artifacts ------------------------------------------------------------------------
        Case {
            name: "customer-spec.md missing (fresh engagement)",
            base: Base::Fresh,
            commands: BOTH,
            mutate: |f| {
                f.remove("customer-spec.md");
                Expect::new(f.path("customer-spec.md"), At::File, &["missing"])
            },
        },
        Case {
            name: "feasibility.md missing",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.remove("feasibility.md");
                Expect::new(f.path("feasibility.md"), At::File, &["missing"])
            },
        },
        Case {
            name: "solution-design.md missing",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.remove("solution-design.md");
                Expect::new(f.path("solution-design.md"), At::File, &["missing"])
            },
        },
        Case {
            name: "feasibility.md: invalid byte after a multi-byte character",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                // The column counts characters: the em dash before the bad byte is one column.
                let (l, c) = f.insert_bytes("feasibility.md", "- REQ-1:", "feasible — ", b"\xff");
                Expect::new(f.path("feasibility.md"), At::LineCol(l, c), &["UTF-8"])
            },
        },
        Case {
            name: "customer-spec.md: truncated UTF-8 sequence",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let (l, c) = f.insert_bytes(
                    "customer-spec.md",
                    "- AC-1 (REQ-1)",
                    "exactly ",
                    b"\xe2\x80five ",
                );
                Expect::new(f.path("customer-spec.md"), At::LineCol(l, c), &["UTF-8"])
            },
        },
        Case {
            name: "customer-spec.md: binary (NUL byte)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let (l, c) = f.insert_bytes(
                    "customer-spec.md",
                    "Requested by Campus",
                    "Requested",
                    b"\0",
                );
                Expect::new(f.path("customer-spec.md"), At::LineCol(l, c), &["binary"])
            },
        },
        Case {
            name: "solution-design.md over 16 MiB",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let mut bytes = f.read("solution-design.md").into_bytes();
                bytes.resize(MAX_FILE_BYTES + 1, b'x');
                f.write("solution-design.md", bytes);
                Expect::new(f.path("solution-design.md"), At::File, &["16 MiB"])
            },
        },
        Case {
            name: "feasibility.md is a directory",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.remove("feasibility.md");
                std::fs::create_dir(f.path("feasibility.md")).expect("mkdir");
                Expect::new(f.path("feasibility.md"), At::File, &["directory"])
            },
        },
        Case {
            name: "solution-design.md symlink to /etc/hostname",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.symlink("solution-design.md", Path::new("/etc/hostname"));
                Expect::new(f.path("solution-design.md"), At::File, &["symlink"])
            },
        },
        Case {
            name: "feasibility.md symlink to a file in another temp dir",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let elsewhere = f.outside.path().join("feasibility.md");
                std::fs::copy(f.path("feasibility.md"), &elsewhere).expect("copy");
                f.symlink("feasibility.md", &elsewhere);
                Expect::new(f.path("feasibility.md"), At::File, &["symlink"])
            },
        },
        Case {
            name: "as-built.md: binary (NUL byte)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let (l, c) = f.insert_bytes("as-built.md", "- DEV-1", "DEV-1", b"\0");
                Expect::new(f.path("as-built.md"), At::LineCol(l, c), &["binary"])
            },
        },
        // ---- journal --------------------------------------------------------------------------
        Case {
            name: "journal: TOML syntax error",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(JOURNAL, |t| replace_line(t, "gate = 1", "gate = = 1"));
                let (l, c) = at(&t, "gate = = 1", "= 1");
                Expect::new(f.path(JOURNAL), At::LineCol(l, c), &[])
            },
        },
        Case {
            name: "journal: first event (created) deleted",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(JOURNAL, |t| {
                    let heads = event_headers(t);
                    format!("{}{}", &t[..heads[0].0], &t[heads[1].0..])
                });
                let line = event_headers(&t)[0].1;
                Expect::new(
                    f.path(JOURNAL),
                    At::LineCol(line, 1),
                    &["created", "gate_approved"],
                )
            },
        },
        Case {
            name: "journal: a valid chain that starts with gate_approved",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                // Event 2 made the first event: seq 1, genesis prev, a correct hash. Only the missing
                // `created` is wrong.
                let t = f.edit(JOURNAL, |t| {
                    let header = &t[..event_headers(t)[0].0];
                    let block = event_block(t, 1).trim_end().to_string() + "\n";
                    let block = replace_line(&block, "seq = ", "seq = 1");
                    let block = replace_line(&block, "prev = ", &format!("prev = \"{GENESIS}\""));
                    let block = delete_line(&block, "hash = ");
                    format!(
                        "{header}{block}hash = \"{}\"\n",
                        sha256_hex(block.as_bytes())
                    )
                });
                let line = event_headers(&t)[0].1;
                Expect::new(
                    f.path(JOURNAL),
                    At::LineCol(line, 1),
                    &["created", "gate_approved"],
                )
            },
        },
        Case {
            name: "journal: empty file",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.write(JOURNAL, "");
                Expect::new(f.path(JOURNAL), At::File, &["created"])
            },
        },
        Case {
            name: "journal: comments only",
            base: Base::Fresh,
            commands: &["status"],
            mutate: |f| {
                f.edit(JOURNAL, |t| t[..event_headers(t)[0].0].to_string());
                Expect::new(f.path(JOURNAL), At::File, &["created"])
            },
        },
        Case {
            name: "journal: unknown event kind",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(JOURNAL, |t| {
                    replace_line(t, "kind = \"gate_approved\"", "kind = \"gate_teleported\"")
                });
                let line = event_headers(&t)[1].1;
                Expect::new(f.path(JOURNAL), At::LineCol(line, 1), &["gate_teleported"])
            },
        },
        Case {
            name: "journal: event missing a field (gate)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(JOURNAL, |t| delete_line(t, "gate = 1"));
                let line = event_headers(&t)[1].1;
                Expect::new(f.path(JOURNAL), At::LineCol(line, 1), &["missing", "gate"])
            },
        },
        Case {
            name: "journal: `at` is not a date-time",
            base: Base::Fresh,
            commands: BOTH,
            mutate: |f| {
                let t = f.edit(JOURNAL, |t| {
                    replace_line(t, "at = ", "at = \"last tuesday\"")
                });
                let line = event_headers(&t)[0].1;
                Expect::new(f.path(JOURNAL), At::LineCol(line, 1), &["`at`"])
            },
        },
        Case {
            name: "journal: unexpected top-level key",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.edit(JOURNAL, |t| format!("head = \"forged\"\n{t}"));
                Expect::new(f.path(JOURNAL), At::Named, &["head"])
            },
        },
        Case {
            name: "journal: binary (NUL byte)",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let (l, c) =
                    f.insert_bytes(JOURNAL, "note = \"Spec walked", "note = \"Spec", b"\0");
                Expect::new(f.path(JOURNAL), At::LineCol(l, c), &["binary"])
            },
        },
        Case {
            name: "journal: symlink to a file in another temp dir",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                let elsewhere = f.outside.path().join("journal.toml");
                std::fs::copy(f.path(JOURNAL), &elsewhere).expect("copy");
                f.symlink(JOURNAL, &elsewhere);
                Expect::new(f.path(JOURNAL), At::File, &["symlink"])
            },
        },
        Case {
            name: "journal missing",
            base: Base::Sample,
            commands: BOTH,
            mutate: |f| {
                f.remove(JOURNAL);
                Expect::new(f.path(JOURNAL), At::File, &["journal"])
            },
        },
        // ---- objects --------------------------------------------------------------------------
        Case {
            name: "corrupt snapshot in .phasegate/objects",
            base: Base::Sample,
            // For `check` a tampered snapshot is a problem (exit 1), not unreadable input:
            // tests/integrity_attacks.rs asserts that.
            commands: &["status"],
            mutate: |f| {
                let dir = f.path(".phasegate/objects");
                let mut objects: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .expect("objects")
                    .map(|e| e.expect("entry").path())
                    .collect();
                objects.sort();
                let victim = objects
                    .first()
                    .expect("the sample has approved snapshots")
                    .clone();
                let text = std::fs::read_to_string(&victim).expect("object")
                    + "- REQ-99: slipped in later\n";
                std::fs::write(&victim, text).expect("alter object");
                Expect::new(victim, At::File, &["altered"])
            },
        },
    ]
}

/// The output that must carry the message: stderr, and for `check` stdout too (see the top).
fn message_stream(command: &str, o: &Out) -> String {
    if command == "check" {
        format!("{}{}", o.stdout, o.stderr)
    } else {
        o.stderr.clone()
    }
}

fn verify(command: &str, o: &Out, e: &Expect) -> Result<(), String> {
    let mut problems = Vec::new();
    if o.timed_out {
        problems.push("timed out".to_string());
    }
    if o.code != Some(2) {
        problems.push(format!("exit {:?}, expected 2", o.code));
    }
    if o.stderr.contains("panicked") || o.code == Some(101) {
        problems.push("panicked".to_string());
    }
    let text = message_stream(command, o);
    let file = e.file.display().to_string();
    let located = match e.at {
        At::LineCol(l, c) => format!("{file}:{l}:{c}: "),
        At::File => format!("{file}: "),
        At::Named => file.clone(),
    };
    match text.lines().find(|l| l.contains(&located)) {
        None => problems.push(format!("no message names `{located}`")),
        Some(line) => {
            for phrase in e.says {
                if !line.to_lowercase().contains(&phrase.to_lowercase()) {
                    problems.push(format!("the message does not say `{phrase}`"));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{}", problems.join("; "), o.describe()))
    }
}

#[test]
fn bad_input_catalogue() {
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "the catalogue shrank to {} cases",
        cases.len()
    );
    let mut failures = String::new();
    let mut runs = 0;
    for case in &cases {
        let f = Fixture::new(case.base);
        let expect = (case.mutate)(&f);
        for command in case.commands {
            runs += 1;
            let o = f.run(&[command, f.slug]);
            if let Err(why) = verify(command, &o, &expect) {
                let _ = writeln!(
                    failures,
                    "\n=== {} — `phasegate {command} {}`: {why}",
                    case.name, f.slug
                );
            }
        }
    }
    eprintln!("bad input: {} cases, {runs} runs", cases.len());
    assert!(failures.is_empty(), "bad-input cases failed:{failures}");
}

// ---------------------------------------------------------------------------------------------
// Usage errors: exit 2, nothing appended to the journal

struct Usage {
    args: &'static [&'static str],
    base: Base,
    /// Phrase stderr must contain.
    says: &'static str,
}

#[test]
fn usage_errors_exit_2_and_change_nothing() {
    let cases = [
        Usage {
            args: &["gate", "3", "approve", SAMPLE],
            base: Base::Sample,
            says: "3",
        },
        Usage {
            args: &["gate", "0", "reject", SAMPLE, "--reason", "x"],
            base: Base::Sample,
            says: "0",
        },
        Usage {
            args: &[
                "--as", "bob", "gate", "1", "approve", FRESH, "--check", "G1-1",
            ],
            base: Base::Fresh,
            says: "G1-1",
        },
        Usage {
            args: &[
                "--as", "bob", "gate", "1", "approve", FRESH, "--check", "G9-9",
            ],
            base: Base::Fresh,
            says: "G9-9",
        },
        Usage {
            args: &[
                "--as", "bob", "gate", "1", "approve", FRESH, "--waive", "G1-5",
            ],
            base: Base::Fresh,
            says: "ID=REASON",
        },
        Usage {
            args: &[
                "--as", "bob", "gate", "1", "approve", FRESH, "--waive", "G1-5=",
            ],
            base: Base::Fresh,
            says: "ID=REASON",
        },
        Usage {
            args: &[
                "--as", "bob", "gate", "1", "approve", FRESH, "--waive", "=because",
            ],
            base: Base::Fresh,
            says: "ID=REASON",
        },
        Usage {
            args: &["--as", "bob", "gate", "1", "reject", FRESH],
            base: Base::Fresh,
            says: "--reason",
        },
        Usage {
            args: &["--as", "bob", "gate", "2", "reopen", SAMPLE],
            base: Base::Sample,
            says: "--reason",
        },
        Usage {
            args: &["gate", "1", "approve-ish", SAMPLE],
            base: Base::Sample,
            says: "approve-ish",
        },
        Usage {
            args: &["component", "FOO-1", "built", SAMPLE],
            base: Base::Sample,
            says: "FOO-1",
        },
        Usage {
            args: &["component", "REQ-1", "built", SAMPLE],
            base: Base::Sample,
            says: "REQ-1",
        },
        Usage {
            args: &["component", "COMP-1", "finished", SAMPLE],
            base: Base::Sample,
            says: "finished",
        },
        Usage {
            args: &["status", "no-such-engagement"],
            base: Base::Sample,
            says: "no-such-engagement",
        },
        Usage {
            args: &["status", "--frobnicate", SAMPLE],
            base: Base::Sample,
            says: "--frobnicate",
        },
        Usage {
            args: &["check", "--all", SAMPLE],
            base: Base::Sample,
            says: "--all",
        },
        Usage {
            args: &["new", "Bad_Slug"],
            base: Base::Sample,
            says: "Bad_Slug",
        },
        Usage {
            args: &["new", SAMPLE],
            base: Base::Sample,
            says: "already exists",
        },
        // No engagement named and the working directory is not inside one.
        Usage {
            args: &["gate", "1", "approve"],
            base: Base::Sample,
            says: "not inside an engagement",
        },
    ];
    let mut failures = String::new();
    for case in &cases {
        let f = Fixture::new(case.base);
        let journal = std::fs::read(f.path(JOURNAL)).expect("journal");
        let o = f.run(case.args);
        let mut problems = Vec::new();
        if o.code != Some(2) {
            problems.push(format!("exit {:?}, expected 2", o.code));
        }
        if o.stderr.contains("panicked") || o.timed_out {
            problems.push("panicked or hung".to_string());
        }
        if !o.stderr.contains(case.says) {
            problems.push(format!("stderr does not mention `{}`", case.says));
        }
        if std::fs::read(f.path(JOURNAL)).expect("journal") != journal {
            problems.push("the journal changed".to_string());
        }
        if !problems.is_empty() {
            let _ = writeln!(
                failures,
                "\n=== phasegate {}: {}\n{}",
                case.args.join(" "),
                problems.join("; "),
                o.describe()
            );
        }
    }
    eprintln!("usage errors: {} cases", cases.len());
    assert!(failures.is_empty(), "usage cases failed:{failures}");
}

// ---------------------------------------------------------------------------------------------
// Configuration

/// A malformed config file, given with `--config` or `PHASEGATE_CONFIG`. `status` and `check`
/// do not consult the config (they record no identity), so they may succeed; commands that do
/// (`new`, `gate`: the identity) either succeed with the defaults or exit 2 naming the file and
/// the line — never panic, never append to the journal.
#[test]
fn malformed_config_file_is_named_or_ignored() {
    let f = Fixture::new(Base::Sample);
    let bad = f.ws().join("bad-config.toml");
    std::fs::write(&bad, "theme = \"dark\"\nidentity = [\n").expect("write config");
    let none = f.ws().join("no-such-config.toml");
    let flag = bad.display().to_string();
    let runs: [(&[&str], &Path); 6] = [
        (&["--config", &flag, "status", SAMPLE], &none),
        (&["--config", &flag, "check", SAMPLE], &none),
        (
            &["--config", &flag, "--as", "alice", "new", "cfg-flag"],
            &none,
        ),
        (&["status", SAMPLE], &bad),
        (&["--as", "alice", "new", "cfg-env"], &bad),
        (
            &[
                "--as", "bob", "gate", "2", "approve", SAMPLE, "--check", "G2-7",
            ],
            &bad,
        ),
    ];
    let journal = std::fs::read(f.path(JOURNAL)).expect("journal");
    for (args, config) in runs {
        let o = run_with_config(f.ws(), &strings(args), TIMEOUT, config);
        let shown = format!(
            "PHASEGATE_CONFIG={} phasegate {}",
            config.display(),
            args.join(" ")
        );
        assert!(
            !o.stderr.contains("panicked") && !o.timed_out,
            "{shown}:\n{}",
            o.describe()
        );
        match o.code {
            Some(0) => eprintln!("note: `{shown}` ignores the malformed config (exit 0)"),
            Some(2) => assert!(
                o.stderr.contains(&format!("{flag}:2:")),
                "{shown}: exit 2 must name the config file and the line of the error:\n{}",
                o.describe()
            ),
            // `gate 2 approve` on the sample is refused by a rule once the config is accepted.
            Some(1) if args.contains(&"gate") => {}
            _ => panic!("{shown}: unexpected outcome\n{}", o.describe()),
        }
    }
    assert_eq!(
        std::fs::read(f.path(JOURNAL)).expect("journal"),
        journal,
        "the journal changed"
    );
}

// ---------------------------------------------------------------------------------------------
// Bugs found while writing the catalogue: each pins the expected behaviour.

/// Two `[[criteria]]` with the same id: the error must point at the second (the duplicate), as
/// artifact IDs are reported "at its later occurrence" (DESIGN §2) — not at the first, which
/// is valid.
#[test]
fn duplicate_criterion_is_reported_at_the_duplicate() {
    let f = Fixture::new(Base::Sample);
    let t = add_criteria(
        &f,
        "[[criteria]]\ngate = 2\nid = \"G2-X7\"\ntext = \"NOC review\"\n\n\
                              [[criteria]]\ngate = 2\nid = \"G2-X7\"\ntext = \"CAB review\"\n",
    );
    let lines: Vec<usize> = t
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("id = \"G2-X7\""))
        .map(|(i, _)| i + 1)
        .collect();
    let (first, second) = (lines[0], lines[1]);
    let o = f.run(&["status", SAMPLE]);
    let expect = Expect::new(
        f.path(ENG),
        At::LineCol(second, 1),
        &["G2-X7", "already used"],
    );
    if let Err(why) = verify("status", &o, &expect) {
        panic!(
            "duplicate criterion id reported at the wrong place (the first is line {first}): {why}"
        );
    }
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("path without NUL");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(
        rc,
        0,
        "mkfifo {}: {}",
        path.display(),
        std::io::Error::last_os_error()
    );
}

/// An artifact that is a named pipe is bad input like a directory is: reading it must not
/// block forever waiting for a writer.
#[test]
fn fifo_artifact_is_bad_input_not_a_hang() {
    let f = Fixture::new(Base::Sample);
    f.remove("feasibility.md");
    mkfifo(&f.path("feasibility.md"));
    let o = run(
        f.ws(),
        &strings(&["status", SAMPLE]),
        Duration::from_secs(10),
    );
    let expect = Expect::new(f.path("feasibility.md"), At::File, &[]);
    if let Err(why) = verify("status", &o, &expect) {
        panic!("a FIFO as feasibility.md: {why}");
    }
}

/// Files in build/ "may be anything" (DESIGN §2): a named pipe there is listed or skipped,
/// never opened and waited on.
#[test]
fn fifo_in_build_does_not_hang_status() {
    let f = Fixture::new(Base::Sample);
    mkfifo(&f.path("build/pipe"));
    let o = run(
        f.ws(),
        &strings(&["status", SAMPLE]),
        Duration::from_secs(10),
    );
    assert!(
        !o.timed_out && o.code == Some(0),
        "a FIFO in build/:\n{}",
        o.describe()
    );
}

/// The limits (no symlink leaving the engagement) apply to `.phasegate/` (DESIGN §2): a
/// `.phasegate` that is a symlink to a directory elsewhere must not be read (or written) through.
#[test]
fn phasegate_dir_symlinked_outside_is_refused() {
    let f = Fixture::new(Base::Sample);
    let elsewhere = f.outside.path().join("state");
    std::fs::rename(f.path(".phasegate"), &elsewhere).expect("move .phasegate");
    std::os::unix::fs::symlink(&elsewhere, f.path(".phasegate")).expect("symlink");
    let o = f.run(&["status", SAMPLE]);
    assert_eq!(
        o.code,
        Some(2),
        ".phasegate -> {} was followed:\n{}",
        elsewhere.display(),
        o.describe()
    );
    assert!(
        o.stderr
            .contains(&f.path(".phasegate").display().to_string()),
        "{}",
        o.describe()
    );
    assert!(o.stderr.contains("symlink"), "{}", o.describe());
}

// ---------------------------------------------------------------------------------------------
// Look-alike IDs (issue 16, item 4): a line a reviewer reads as a requirement that the
// conventions would take for prose. Each is a G1-2 failure where it stands, so Gate 1 cannot
// be approved over a requirement no criterion sees; prose in other scripts is left alone.

/// A complete spec for the fresh engagement, with `extra` appended to the Requirements.
fn spec_with_requirement_line(extra: &str) -> String {
    format!(
        "# Customer Specification — fresh\n\n## Business Context\nThe NOC wants VLANs provisioned from tickets.\n\n\
         ## Requirements\n- REQ-1: Provision access VLANs from the ServiceNow request.\n{extra}\n\n\
         ## Integrations\n- NetBox 4.1\n\n## Acceptance Criteria\n- AC-1 (REQ-1): the VLAN appears in NetBox.\n\n\
         ## Constraints\n- Change windows only.\n\n## Out of Scope\n- Wireless.\n"
    )
}

/// `status --json`'s entry for one criterion.
fn criterion(f: &Fixture, id: &str) -> serde_json::Value {
    let o = f.run(&["status", f.slug, "--json"]);
    assert_eq!(o.code, Some(0), "{}", o.describe());
    let status: serde_json::Value = serde_json::from_str(&o.stdout).expect("status --json");
    status["criteria"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("no criterion {id} in {status}"))
}

#[test]
fn lookalike_ids_fail_g1_2_at_their_position() {
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "Cyrillic Е",
            "- R\u{415}Q-6: Roll back on failure.",
            &["U+0415"],
        ),
        (
            "fullwidth letters",
            "- \u{FF32}\u{FF25}\u{FF31}-6: Roll back on failure.",
            &["U+FF32"],
        ),
        (
            "fullwidth digit",
            "- REQ-\u{FF16}: Roll back on failure.",
            &["U+FF16"],
        ),
        (
            "zero-width space",
            "- RE\u{200B}Q-6: Roll back on failure.",
            &["U+200B", "invisible"],
        ),
        (
            "non-breaking hyphen",
            "- REQ\u{2011}6: Roll back on failure.",
            &["U+2011"],
        ),
        (
            "no-break space after the marker",
            "-\u{A0}REQ-6: Roll back on failure.",
            &["U+00A0"],
        ),
        (
            "a lone carriage return",
            "- REQ-5: Tag QoS.\r- REQ-6: Roll back on failure.",
            &["carriage return"],
        ),
    ];
    let f = Fixture::new(Base::Fresh);
    f.write("customer-spec.md", spec_with_requirement_line(""));
    assert_eq!(
        criterion(&f, "G1-2")["result"],
        "pass",
        "the spec without the look-alike must pass G1-2"
    );
    let mut failures = String::new();
    for (name, line, says) in cases {
        let text = spec_with_requirement_line(line);
        f.write("customer-spec.md", &text);
        let c = criterion(&f, "G1-2");
        let line_no = text
            .split('\n')
            .position(|l| l.contains("Roll back"))
            .unwrap()
            + 1;
        // The ID stands after `- `, or after the lone CR and its `- `.
        let before_id = line
            .rfind('\r')
            .map_or(2, |cr| line[..=cr].chars().count() + 2);
        let expected = (line_no, before_id + 1);
        let message = c["message"].as_str().unwrap_or_default();
        let mut problems = Vec::new();
        if c["result"] != "fail" {
            problems.push(format!("G1-2 is {}", c["result"]));
        }
        if (c["line"].as_u64(), c["column"].as_u64())
            != (Some(expected.0 as u64), Some(expected.1 as u64))
        {
            problems.push(format!(
                "at {}:{}, expected {}:{}",
                c["line"], c["column"], expected.0, expected.1
            ));
        }
        if !message.contains("REQ-6") {
            problems.push("the message does not name REQ-6".into());
        }
        for s in says {
            if !message.contains(s) {
                problems.push(format!("the message does not say `{s}`"));
            }
        }
        if !problems.is_empty() {
            let _ = writeln!(failures, "\n=== {name}: {}\n{c}", problems.join("; "));
        }
    }
    assert!(failures.is_empty(), "look-alike IDs went unseen:{failures}");

    // A hard criterion: the approval is refused, naming the position.
    let text = spec_with_requirement_line("- R\u{415}Q-6: Roll back on failure.");
    f.write("customer-spec.md", &text);
    let checks = ["G1-5", "G1-6", "G1-7", "G1-8"]
        .iter()
        .flat_map(|c| ["--check", c])
        .collect::<Vec<_>>();
    let mut args = vec!["--as", "bob", "gate", "1", "approve", FRESH];
    args.extend(checks);
    let o = f.run(&args);
    let spec = f.path("customer-spec.md").display().to_string();
    assert_eq!(o.code, Some(1), "{}", o.describe());
    assert!(
        o.stderr.contains(&format!("{spec}:8:3")) && o.stderr.contains("looks like REQ-6"),
        "{}",
        o.describe()
    );
}

/// No gate reads the as-built's items, so a look-alike deviation there (it would explain no
/// hunk) is a warning `check --strict` fails on.
#[test]
fn a_lookalike_deviation_in_the_as_built_is_a_warning() {
    let f = Fixture::new(Base::Sample);
    let text = f.edit("as-built.md", |t| {
        format!("{t}- D\u{415}V-9 (general, minor): wording — reviewed\n")
    });
    let (line, column) = at(&text, "V-9 (general", "D");
    let o = f.run(&["check", SAMPLE, "--strict"]);
    assert_eq!(o.code, Some(1), "{}", o.describe());
    let pos = format!("{}:{line}:{column}", f.path("as-built.md").display());
    assert!(
        o.stdout
            .contains(&format!("warning: {pos}: `D\u{415}V-9` looks like DEV-9")),
        "{}",
        o.describe()
    );
}

#[test]
fn ids_among_prose_in_other_scripts_are_not_lookalikes() {
    let f = Fixture::new(Base::Fresh);
    f.write(
        "customer-spec.md",
        spec_with_requirement_line(
            "- REQ-2: Требование: VLAN должен появиться в NetBox — 速度 über alles.\n\
             - Примечание: REQ-1 и REQ-2 проверяются вместе.\n\
             Ｎｏｔｅ: ＲＥＱ-1 in running prose is a mention, not an item.\n\
             - AC-2 (REQ-2): проверка в лаборатории.",
        ),
    );
    let c = criterion(&f, "G1-2");
    assert_eq!(c["result"], "pass", "{c}");
}

// ---------------------------------------------------------------------------------------------
// Amendments (issue 16, item 5): only `- AMD-n (DEV-x): …` items are outside Gate 1. Anything
// else written under `## Amendments` changes what the spec says, so it makes Gate 1 stale; a
// second Amendments section is a G1-1 failure where it stands.

fn gate_state(f: &Fixture, gate: &str) -> String {
    let o = f.run(&["status", f.slug, "--json"]);
    assert_eq!(o.code, Some(0), "{}", o.describe());
    let status: serde_json::Value = serde_json::from_str(&o.stdout).expect("status --json");
    status["gates"][gate]["state"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn text_smuggled_into_amendments_makes_gate_1_stale() {
    let smuggled = [
        "- REQ-99: Also provision IPv6 gateways on every VLAN.",
        "REQ-2 no longer applies to Arista switches.",
        "- AMD-7: an amendment that answers no deviation",
    ];
    for line in smuggled {
        let f = Fixture::new(Base::Sample);
        assert_eq!(gate_state(&f, "1"), "approved");
        f.edit("customer-spec.md", |t| format!("{t}{line}\n"));
        assert_eq!(gate_state(&f, "1"), "stale", "`{line}` slipped past Gate 1");
        let o = f.run(&["check", SAMPLE]);
        assert_eq!(
            o.code,
            Some(1),
            "check must fail on `{line}`:\n{}",
            o.describe()
        );
        assert!(o.stdout.contains("Gate 1 is stale"), "{}", o.describe());
    }
    // A real amendment item, continuation line included, stays outside the gate.
    let f = Fixture::new(Base::Sample);
    f.edit("customer-spec.md", |t| {
        format!(
            "{t}- AMD-2 (DEV-1): Trunk ports are marked too.\n  (Confirmed with the UC team.)\n"
        )
    });
    assert_eq!(gate_state(&f, "1"), "approved");
}

#[test]
fn a_second_amendments_section_fails_g1_1_and_shields_nothing() {
    let f = Fixture::new(Base::Sample);
    let text = f.edit("customer-spec.md", |t| {
        t.replacen(
            "## Constraints\n",
            "## Amendments\nREQ-3 is limited to Catalyst switches.\n\n## Constraints\n",
            1,
        )
    });
    let headings: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "## Amendments")
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(headings.len(), 2);
    assert_eq!(gate_state(&f, "1"), "stale");
    // Reported at the later heading, naming the earlier one: the engineer sees both.
    let c = criterion(&f, "G1-1");
    assert_eq!(c["result"], "fail", "{c}");
    assert_eq!(
        (c["line"].as_u64(), c["column"].as_u64()),
        (Some(headings[1] as u64), Some(1)),
        "{c}"
    );
    let message = c["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("second time") && message.contains(&format!("line {}", headings[0])),
        "{c}"
    );
}

// ---------------------------------------------------------------------------------------------
// Terminal escapes (issue 16, item 10): an owner, a title or a line of the as-built holding
// `ESC]0;…` (retitle the window) or `ESC[8m` (hide what follows) is shown escaped by every
// human output, never sent to the terminal as is.

/// Every ESC in `out` starts one of the colour sequences phasegate writes itself (`ESC[…m`,
/// never the conceal attribute 8).
fn only_own_colour_sequences(out: &str) -> Result<(), String> {
    for (i, _) in out.match_indices('\u{1b}') {
        let rest = &out[i + 1..];
        let sgr = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once('m'))
            .map(|(params, _)| params)
            .filter(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';'));
        match sgr {
            Some(p) if !p.split(';').any(|n| n == "8") => {}
            _ => {
                return Err(format!(
                    "a raw escape at byte {i}: {:?}",
                    &out[i..(i + 12).min(out.len())]
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn terminal_escapes_in_engagement_text_are_shown_escaped() {
    let owner = "mallory\u{1b}]0;owned by mallory\u{7}";
    let title = "VLAN QoS\u{1b}[8m approved by the CAB";
    let f = Fixture::new(Base::Sample);
    let o = f.run(&[
        "--as", owner, "new", "hostile", "--owner", owner, "--title", title,
    ]);
    assert_eq!(o.code, Some(0), "{}", o.describe());
    let o2 = f.run(&["status", "hostile"]);
    assert_eq!(o2.code, Some(0), "{}", o2.describe());
    for (what, out) in [("new", &o.stdout), ("status", &o2.stdout)] {
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{what} printed a raw escape:\n{out:?}"
        );
    }
    assert!(
        o2.stdout.contains("mallory\\x1b]0;owned by mallory\\x07")
            && o2.stdout.contains("VLAN QoS\\x1b[8m approved by the CAB"),
        "the escapes must be visible:\n{}",
        o2.stdout
    );

    // A line of the as-built: `diff` in both colour modes, `status` of the sample.
    f.edit("as-built.md", |t| {
        t.replacen(
            "## Components\n",
            "## Components\nRolled out\u{1b}[8m hidden \u{1b}]0;title\u{7} here.\n",
            1,
        )
    });
    f.edit(ENG, |t| {
        replace_line(t, "title", "title = \"QoS\\u001B[2J cleared\"")
    });
    for args in [
        &["diff", SAMPLE, "--color", "never"][..],
        &["diff", SAMPLE, "--color", "always"][..],
        &["diff", SAMPLE, "--unified", "--color", "always"][..],
        &["status", SAMPLE][..],
        &["check", SAMPLE][..],
    ] {
        let o = f.run(args);
        assert!(o.code.is_some_and(|c| c <= 1), "{}", o.describe());
        if let Err(why) =
            only_own_colour_sequences(&o.stdout).and_then(|()| only_own_colour_sequences(&o.stderr))
        {
            panic!("phasegate {}: {why}\n{}", args.join(" "), o.describe());
        }
    }
    let o = f.run(&["diff", SAMPLE, "--color", "never"]);
    assert!(
        o.stdout.contains("Rolled out\\x1b[8m hidden"),
        "{}",
        o.stdout
    );

    // Usage errors quote what they refused: ours escape it, clap strips the sequences.
    for args in [
        &["gate", "1", "approve\u{1b}]0;owned\u{7}", SAMPLE][..],
        &["status", "\u{1b}[8mvlan-qos"][..],
    ] {
        let o = f.run(args);
        assert_eq!(o.code, Some(2), "{}", o.describe());
        assert!(
            !o.stderr.contains('\u{1b}') && !o.stderr.contains('\u{7}'),
            "phasegate {args:?}: {}",
            o.describe()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 16, lows: placeholders, IDs defined twice, and messages that say what is there.

#[test]
fn placeholders_do_not_satisfy_section_criteria() {
    let f = Fixture::new(Base::Fresh);
    let spec = spec_with_requirement_line("").replace("- NetBox 4.1", "TBD");
    f.write("customer-spec.md", &spec);
    let (line, _) = at(&spec, "TBD", "TBD");
    for id in ["G1-1", "G1-4"] {
        let c = criterion(&f, id);
        assert_eq!(c["result"], "fail", "`TBD` satisfied {id}: {c}");
        assert_eq!(c["line"].as_u64(), Some(line as u64), "{c}");
        assert!(
            c["message"]
                .as_str()
                .unwrap_or_default()
                .contains("placeholder"),
            "{c}"
        );
    }
    f.edit("solution-design.md", |t| {
        t.replace(
            "<!-- How each component is proven, leaves before composites: unit, rendered-config checks, lab, pilot. -->",
            "- TODO: write the test plan\n- ?",
        )
    });
    let c = criterion(&f, "G2-6");
    assert_eq!(c["result"], "fail", "`TODO` satisfied G2-6: {c}");
    // Real content beside a placeholder is content.
    f.write("customer-spec.md", spec.replace("TBD", "TBD\n- NetBox 4.1"));
    assert_eq!(criterion(&f, "G1-4")["result"], "pass");
}

#[test]
fn an_id_defined_in_two_artifacts_is_reported_at_both() {
    let f = Fixture::new(Base::Fresh);
    let spec = spec_with_requirement_line("");
    f.write("customer-spec.md", &spec);
    let design = f.edit("solution-design.md", |t| {
        t.replace(
            "## Testing Approach",
            "### REQ-1: Provision nothing\nA requirement hidden in the design.\n\n## Testing Approach",
        )
    });
    let spec_at = at(&spec, "- REQ-1:", "REQ-1");
    let design_at = at(&design, "### REQ-1", "REQ-1");
    let o = f.run(&["status", FRESH]);
    let spec_pos = format!(
        "{}:{}:{}",
        f.path("customer-spec.md").display(),
        spec_at.0,
        spec_at.1
    );
    let design_pos = format!(
        "{}:{}:{}",
        f.path("solution-design.md").display(),
        design_at.0,
        design_at.1
    );
    for pos in [&spec_pos, &design_pos] {
        assert!(
            o.stdout
                .lines()
                .any(|l| l.contains(&format!("{pos}: REQ-1 is defined in two artifacts"))),
            "not reported at {pos}:\n{}",
            o.describe()
        );
    }
    assert_eq!(criterion(&f, "G1-2")["result"], "fail");
    assert_eq!(criterion(&f, "G2-2")["result"], "fail");
}

#[test]
fn engagement_names_are_answered_with_what_is_there() {
    // A slug of 255 characters: too long, said as such.
    let f = Fixture::new(Base::Sample);
    let long = "a".repeat(255);
    let o = f.run(&["--as", "alice", "new", &long]);
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert!(
        o.stderr
            .contains("255 characters long; a slug is at most 64"),
        "{}",
        o.describe()
    );
    assert!(!f.ws().join(&long).exists());

    // `status -- -rf`: not a slug, and no advice to create it.
    let o = f.run(&["status", "--", "-rf"]);
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert!(o.stderr.contains("starts with a dash"), "{}", o.describe());
    assert!(!o.stderr.contains("phasegate new -rf"), "{}", o.describe());

    // A directory whose name is not a slug but which holds an engagement.
    std::fs::rename(f.root(), f.ws().join("VLAN-QoS")).expect("rename");
    let o = f.run(&["status", "VLAN-QoS"]);
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert!(
        o.stderr.contains("holds an engagement") && o.stderr.contains("not a valid slug"),
        "{}",
        o.describe()
    );
    assert!(!o.stderr.contains("no engagement.toml"), "{}", o.describe());
    std::fs::rename(f.ws().join("VLAN-QoS"), f.root()).expect("rename back");

    // engagement.toml a named pipe: said, and nothing waits on it.
    f.remove(ENG);
    mkfifo(&f.path(ENG));
    let o = run(
        f.ws(),
        &strings(&["status", SAMPLE]),
        Duration::from_secs(10),
    );
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert!(
        o.stderr
            .contains("engagement.toml here is a named pipe (FIFO)"),
        "{}",
        o.describe()
    );
}

#[test]
fn a_journal_starting_with_a_bom_is_named_as_such() {
    let f = Fixture::new(Base::Sample);
    let journal = f.read(JOURNAL);
    f.write(JOURNAL, format!("\u{feff}{journal}"));
    for command in ["status", "check"] {
        let o = f.run(&[command, SAMPLE]);
        assert_eq!(o.code, Some(2), "{}", o.describe());
        let text = message_stream(command, &o);
        assert!(
            text.contains(&format!("{}:1:1: ", f.path(JOURNAL).display()))
                && text.contains("byte-order mark"),
            "{command}: {}",
            o.describe()
        );
    }
}
