//! `.phasegate/lock` under attack (issue 16, item 9): a named pipe there must not hang a write
//! command, a symlink there must not be followed (it once created files outside the
//! engagement), and a writer that finds the lock held says by whom and gives up after the
//! configured timeout, exit 1. Each runs the real binary on a fresh engagement in a temp
//! workspace, with a deadline far above what the command needs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_phasegate");
const SLUG: &str = "locked";
/// A command still running after this is hung.
const DEADLINE: Duration = Duration::from_secs(20);

struct Out {
    code: Option<i32>,
    timed_out: bool,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Out {
    fn describe(&self) -> String {
        format!(
            "exit {:?}{} after {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            if self.timed_out {
                " (hung, killed)"
            } else {
                ""
            },
            self.took,
            self.stdout,
            self.stderr
        )
    }
}

struct Engagement {
    ws: tempfile::TempDir,
    outside: tempfile::TempDir,
}

impl Engagement {
    fn new() -> Engagement {
        let e = Engagement {
            ws: tempfile::tempdir().expect("tempdir"),
            outside: tempfile::tempdir().expect("tempdir"),
        };
        let o = e.run(&["--as", "alice", "new", SLUG], &[]);
        assert_eq!(o.code, Some(0), "{}", o.describe());
        e
    }

    fn lock(&self) -> PathBuf {
        self.ws.path().join(SLUG).join(".phasegate/lock")
    }

    /// Runs `phasegate ARGS` with `env` added; kills it at the deadline.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let home = self.ws.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(&home)
            .env("PHASEGATE_WORKSPACE", self.ws.path())
            .env("PHASEGATE_CONFIG", self.ws.path().join("no-config.toml"))
            .env("PHASEGATE_NOW", "2026-11-20T12:00:00Z")
            .env_remove("PHASEGATE_LOCK_TIMEOUT")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let start = Instant::now();
        let mut child = cmd.spawn().expect("spawn phasegate");
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
        let (status, timed_out) = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break (status, false);
            }
            if start.elapsed() >= DEADLINE {
                let _ = child.kill();
                break (child.wait().expect("reap"), true);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let o = Out {
            code: status.code(),
            timed_out,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
            took: start.elapsed(),
        };
        assert!(!o.stderr.contains("panicked"), "{}", o.describe());
        o
    }

    /// A write command: it takes the lock before it decides anything.
    fn write_command(&self, env: &[(&str, &str)]) -> Out {
        self.run(
            &[
                "--as",
                "bob",
                "gate",
                "1",
                "reject",
                SLUG,
                "--reason",
                "not ready",
            ],
            env,
        )
    }
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("path without NUL");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo: {}", std::io::Error::last_os_error());
}

#[test]
fn a_fifo_lock_is_refused_not_waited_on() {
    let e = Engagement::new();
    let _ = std::fs::remove_file(e.lock());
    mkfifo(&e.lock());
    let o = e.write_command(&[]);
    assert!(
        !o.timed_out,
        "a FIFO lock hung the command:\n{}",
        o.describe()
    );
    assert_eq!(o.code, Some(2), "{}", o.describe());
    let lock = e.lock().display().to_string();
    assert!(
        o.stderr
            .contains(&format!("{lock}: is a named pipe (FIFO)")),
        "{}",
        o.describe()
    );
}

#[test]
fn a_symlinked_lock_is_never_followed() {
    let e = Engagement::new();
    let lock = e.lock().display().to_string();
    // Dangling (would be created), pointing outside (would be truncated or locked), and
    // pointing at an artifact inside the engagement: all refused, nothing outside touched.
    let missing = e.outside.path().join("nologin");
    let existing = e.outside.path().join("precious");
    std::fs::write(&existing, "keep me\n").expect("write");
    let inside = e.ws.path().join(SLUG).join("customer-spec.md");
    for target in [&missing, &existing, &inside] {
        let _ = std::fs::remove_file(e.lock());
        std::os::unix::fs::symlink(target, e.lock()).expect("symlink");
        let o = e.write_command(&[]);
        assert_eq!(
            o.code,
            Some(2),
            "lock -> {}:\n{}",
            target.display(),
            o.describe()
        );
        assert!(
            o.stderr.contains(&format!("{lock}: ")) && o.stderr.contains("symlink"),
            "lock -> {}:\n{}",
            target.display(),
            o.describe()
        );
    }
    assert!(!missing.exists(), "the symlink's target was created");
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "keep me\n"
    );
}

/// Holds the engagement's lock from this process, with a holder line as phasegate writes it.
fn hold_lock(e: &Engagement) -> std::fs::File {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(e.lock())
        .expect("open lock");
    file.lock().expect("lock");
    std::io::Write::write_all(&mut &file, b"pid = 4242\nhost = \"jump1\"\n").expect("write");
    file
}

#[test]
fn a_waiting_writer_says_whom_it_waits_for_and_gives_up() {
    let e = Engagement::new();
    let journal = e.ws.path().join(SLUG).join(".phasegate/journal.toml");
    let before = std::fs::read(&journal).expect("journal");
    let held = hold_lock(&e);

    let o = e.write_command(&[("PHASEGATE_LOCK_TIMEOUT", "2")]);
    assert_eq!(o.code, Some(1), "{}", o.describe());
    assert!(
        o.stderr
            .contains("waiting for the lock held by pid 4242 on jump1"),
        "{}",
        o.describe()
    );
    assert!(
        o.stderr.contains("still locked after 2 s"),
        "{}",
        o.describe()
    );
    assert!(o.took >= Duration::from_secs(2), "{}", o.describe());

    // The config key, when the environment does not say.
    let config = e.ws.path().join("config.toml");
    std::fs::write(&config, "lock_timeout = 1\n").expect("config");
    let config = config.display().to_string();
    let o = e.write_command(&[("PHASEGATE_CONFIG", config.as_str())]);
    assert_eq!(o.code, Some(1), "{}", o.describe());
    assert!(
        o.stderr.contains("still locked after 1 s"),
        "{}",
        o.describe()
    );

    assert_eq!(std::fs::read(&journal).expect("journal"), before);
    drop(held);
    let o = e.write_command(&[("PHASEGATE_LOCK_TIMEOUT", "2")]);
    assert_eq!(
        o.code,
        Some(0),
        "released, the write goes through:\n{}",
        o.describe()
    );
}

#[test]
fn an_unreadable_lock_timeout_is_a_usage_error() {
    let e = Engagement::new();
    let o = e.write_command(&[("PHASEGATE_LOCK_TIMEOUT", "soon")]);
    assert_eq!(o.code, Some(2), "{}", o.describe());
    assert!(
        o.stderr.contains("PHASEGATE_LOCK_TIMEOUT=soon"),
        "{}",
        o.describe()
    );
}
