//! Crash safety of `store::atomic::write_atomic` (DESIGN §6: "a process killed at any instant
//! leaves each file either old or new, never torn").
//!
//! `gate_2_approve_survives_sigkill_at_any_instant` does the same to the real CLI during a
//! multi-file transaction (two snapshots, the journal, as-built.md).
//!
//! The test re-invokes its own binary as a writer child that rewrites one file in a loop with
//! alternating 4 MiB payloads, SIGKILLs it at a random instant, and checks that the file is
//! always exactly one complete payload, never older than before the kill. A temp file left
//! behind (`.NAME.*.tmp`) shows that the kill landed in the middle of a write; the test requires
//! a good number of those, or it would not be testing anything.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use phasegate::store::atomic::write_atomic;

/// Set in the child's environment: the file it rewrites.
const WRITER_ENV: &str = "PHASEGATE_CRASH_WRITER_TARGET";
/// The child prints this line once it is about to start writing.
const READY: &str = "PHASEGATE-CRASH-WRITER-READY";
/// The name of the writer test, which the child runs with `--exact --ignored`.
const WRITER_TEST: &str = "crash_writer_child";

const FILE_NAME: &str = "artifact.md";
const PAYLOAD_LEN: usize = 4 * 1024 * 1024;
const TRIALS: usize = 200;
/// The kill comes 0..=MAX_DELAY_MS after the child reports it started.
const MAX_DELAY_MS: u64 = 30;
/// Fewer mid-write kills than this and the test proves nothing.
const MIN_MID_WRITE_KILLS: usize = 10;
/// The child stops on its own after this, should the parent die without killing it.
const CHILD_LIFETIME: Duration = Duration::from_secs(20);

/// Payload `n` is filled with `A` (even n) or `B` (odd n) after a fixed-width header naming
/// both, so consecutive writes differ in every byte and a mix of two is recognisable.
fn letter(counter: u64) -> u8 {
    if counter.is_multiple_of(2) {
        b'A'
    } else {
        b'B'
    }
}

fn header(counter: u64) -> String {
    format!("PGCRASH {} {counter:020}\n", letter(counter) as char)
}

fn header_len() -> usize {
    header(0).len()
}

fn payload(counter: u64) -> Vec<u8> {
    let mut bytes = vec![letter(counter); PAYLOAD_LEN];
    bytes[..header_len()].copy_from_slice(header(counter).as_bytes());
    bytes
}

/// The counter of a complete, untorn payload, or what is wrong with it.
fn parse_payload(bytes: &[u8]) -> Result<u64, String> {
    if bytes.len() != PAYLOAD_LEN {
        return Err(format!(
            "{} bytes, expected {PAYLOAD_LEN} (torn or empty)",
            bytes.len()
        ));
    }
    let head = std::str::from_utf8(&bytes[..header_len()])
        .map_err(|_| "header is not text".to_string())?;
    let mut parts = head.trim_end_matches('\n').split(' ');
    let (Some("PGCRASH"), Some(fill), Some(counter), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("bad header {head:?}"));
    };
    let counter: u64 = counter
        .parse()
        .map_err(|_| format!("bad counter in header {head:?}"))?;
    if fill.as_bytes() != [letter(counter)] {
        return Err(format!(
            "header {head:?}: fill letter does not match the counter"
        ));
    }
    // Compare against the expected payload with memcmp: a byte loop crawls in a debug build.
    let expected = payload(counter);
    if bytes != expected.as_slice() {
        let at = bytes
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        return Err(format!(
            "payload {counter} ({fill}) has byte {:?} at offset {}: a mix of two writes",
            bytes[at] as char, at
        ));
    }
    Ok(counter)
}

/// Temp files `write_atomic` leaves when killed between creating and renaming them.
fn leftover_temps(dir: &Path) -> Vec<PathBuf> {
    let prefix = format!(".{FILE_NAME}.");
    fs::read_dir(dir)
        .expect("read the test directory")
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".tmp")
        })
        .map(|e| e.path())
        .collect()
}

/// xorshift64*: enough randomness for kill instants, without a dependency.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Rng((nanos ^ u64::from(std::process::id()).rotate_left(32)) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The writer: runs only in the child (the parent sets `WRITER_ENV`); a no-op otherwise.
#[test]
#[ignore = "writer child of atomic_writes_survive_sigkill_at_any_instant; does nothing on its own"]
fn crash_writer_child() {
    let Some(target) = std::env::var_os(WRITER_ENV) else {
        return;
    };
    let target = PathBuf::from(target);
    // Continue the sequence of the file as it stands, so the parent can tell old from new.
    let mut counter = fs::read(&target)
        .ok()
        .and_then(|b| parse_payload(&b).ok())
        .unwrap_or(0);
    let mut buffers = [payload(0), payload(1)];
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{READY}").expect("report ready");
        out.flush().expect("flush");
    }
    let deadline = Instant::now() + CHILD_LIFETIME;
    while Instant::now() < deadline {
        counter += 1;
        let buffer = &mut buffers[(counter % 2) as usize];
        buffer[..header_len()].copy_from_slice(header(counter).as_bytes());
        write_atomic(&target, buffer).expect("write_atomic");
    }
}

#[test]
fn atomic_writes_survive_sigkill_at_any_instant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join(FILE_NAME);
    write_atomic(&target, &payload(0)).expect("initial write");
    let exe = std::env::current_exe().expect("current test binary");
    let mut rng = Rng::seeded();
    let started = Instant::now();
    let (mut mid_write, mut changed, mut last) = (0usize, 0usize, 0u64);
    let (mut to_ready, mut to_reap) = (Duration::ZERO, Duration::ZERO);

    for trial in 0..TRIALS {
        let spawned = Instant::now();
        let mut child = Command::new(&exe)
            .args([
                WRITER_TEST,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WRITER_ENV, &target)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the writer child");
        let mut lines = BufReader::new(child.stdout.take().expect("child stdout"));
        let mut line = String::new();
        loop {
            line.clear();
            let n = lines.read_line(&mut line).expect("read child stdout");
            if n == 0 {
                let status = child.wait().expect("wait for the child");
                panic!("trial {trial}: the writer child ended before it was ready ({status})");
            }
            // libtest prints `test crash_writer_child ... ` before running it, on the same line.
            if line.trim_end().ends_with(READY) {
                break;
            }
        }
        to_ready += spawned.elapsed();
        std::thread::sleep(Duration::from_millis(rng.below(MAX_DELAY_MS + 1)));
        let kill_at = Instant::now();
        let pid = libc::pid_t::try_from(child.id()).expect("pid fits pid_t");
        // SAFETY: `pid` is our own child, not yet waited for, so it cannot have been reused.
        let killed = unsafe { libc::kill(pid, libc::SIGKILL) };
        assert_eq!(
            killed,
            0,
            "trial {trial}: kill failed: {}",
            std::io::Error::last_os_error()
        );
        let status = child.wait().expect("wait for the killed child");
        to_reap += kill_at.elapsed();
        drop(lines);
        assert_eq!(
            status.signal(),
            Some(libc::SIGKILL),
            "trial {trial}: the child was not killed mid-run: {status}"
        );

        let bytes = fs::read(&target).unwrap_or_else(|e| {
            panic!(
                "trial {trial}: {} is gone after the kill: {e}",
                target.display()
            )
        });
        let counter = parse_payload(&bytes).unwrap_or_else(|e| {
            panic!(
                "trial {trial}: {} is torn after the kill: {e}",
                target.display()
            )
        });
        assert!(
            counter >= last,
            "trial {trial}: payload {counter} is older than payload {last} written before the kill"
        );
        if counter > last {
            changed += 1;
        }
        last = counter;

        let temps = leftover_temps(dir.path());
        if !temps.is_empty() {
            mid_write += 1;
            for t in temps {
                fs::remove_file(&t).unwrap_or_else(|e| panic!("remove {}: {e}", t.display()));
            }
        }
        let others: Vec<String> = fs::read_dir(dir.path())
            .expect("read the test directory")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != FILE_NAME)
            .collect();
        assert!(
            others.is_empty(),
            "trial {trial}: unexpected files left: {others:?}"
        );
    }

    eprintln!(
        "crash safety: {TRIALS} trials, {mid_write} kills landed mid-write (temp file left), \
         {changed} trials changed the file, {last} payloads of {} MiB written, {:.1} s \
         (spawn to ready {:.1} ms, kill to reaped {:.1} ms on average)",
        PAYLOAD_LEN / (1024 * 1024),
        started.elapsed().as_secs_f64(),
        to_ready.as_secs_f64() * 1000.0 / TRIALS as f64,
        to_reap.as_secs_f64() * 1000.0 / TRIALS as f64
    );
    assert!(
        mid_write >= MIN_MID_WRITE_KILLS,
        "only {mid_write} of {TRIALS} kills landed mid-write: the test is not exercising torn writes"
    );
}

/// The CLI is killed 0..=MAX_CLI_DELAY_MS after it is spawned (a debug `gate 2 approve` runs
/// for some tens of milliseconds).
const CLI_TRIALS: usize = 40;
const MAX_CLI_DELAY_MS: u64 = 60;

#[test]
fn gate_2_approve_survives_sigkill_at_any_instant() {
    let mut rng = Rng::seeded();
    let (mut killed_before_commit, mut killed_after_commit, mut finished) = (0, 0, 0);
    for trial in 0..CLI_TRIALS {
        let ws = common::Workspace::new();
        ws.engagement_in_design("edge");
        let root = ws.engagement("edge");
        let journal = ".phasegate/journal.toml";
        let before = ws.read("edge", journal);
        let mut child = ws
            .command("bob", &common::gate2_approve("edge"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn phasegate");
        std::thread::sleep(Duration::from_millis(rng.below(MAX_CLI_DELAY_MS + 1)));
        let pid = libc::pid_t::try_from(child.id()).expect("pid fits pid_t");
        // SAFETY: `pid` is our own child, not yet waited for, so it cannot have been reused.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        let status = child.wait().expect("wait for phasegate");
        let committed = ws.read("edge", journal) != before;
        match (status.signal(), committed) {
            (Some(_), false) => killed_before_commit += 1,
            (Some(_), true) => killed_after_commit += 1,
            (None, _) => finished += 1,
        }
        // No orphan: as-built.md exists only once the approval is in the journal.
        if !committed {
            assert!(
                !root.join("as-built.md").exists(),
                "trial {trial}: as-built.md without a recorded approval"
            );
        }
        let check = ws.run("ci", &["check", "edge"]);
        assert_eq!(check.code, 0, "trial {trial}: {}", check.stdout);
        // Running it again completes the transaction, whatever the kill interrupted.
        let again = ws.run("bob", &common::gate2_approve("edge"));
        assert!(
            again.code == 0 || (committed && again.stderr.contains("already approved")),
            "trial {trial}: {}",
            again.stderr
        );
        let design = ws.read("edge", "solution-design.md");
        assert!(
            ws.read("edge", "as-built.md")
                .starts_with(design.trim_end()),
            "trial {trial}: as-built.md is not the approved design's"
        );
        let check = ws.run("ci", &["check", "edge", "--strict"]);
        eprintln!("trial {trial}");
        common::assert_strict_clean_but_the_clock(&check);
    }
    eprintln!(
        "gate 2 approve under SIGKILL: {CLI_TRIALS} trials, {killed_before_commit} killed before \
         the journal append, {killed_after_commit} after it, {finished} finished first"
    );
    assert!(
        killed_before_commit + killed_after_commit > 0,
        "no kill landed while phasegate ran: the test is not exercising anything"
    );
}
