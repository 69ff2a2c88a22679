//! The live engagement directory, measured on the real binary in a 120×40 pty:
//!
//! - outside edit → screen: the time from an outside program writing `customer-spec.md` (in
//!   place, or temp file + rename, alternating) to the first complete frame that shows the new
//!   text; p50 / p95 / max over 60 edits, spread over the debouncer's tick cycle (DESIGN §6
//!   bar: ≤ 250 ms);
//! - CPU used over 10 s of idleness with the watcher armed, all threads (/proc/PID/stat
//!   utime+stime, and Σ /proc/PID/task/*/schedstat for ns resolution), with the native watcher
//!   and with the polling fallback (`PHASEGATE_WATCH=poll`).
//!
//! `cargo bench --bench live` (`PHASEGATE_BIN` overrides the binary).

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

#[path = "../tests/common/files.rs"]
mod files;

use files::copy_dir;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pty::{Pty, Spawn, keys};

const EDITS: usize = 60;
const IDLE: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(10);
const SLUG: &str = "firewall-drift";

fn bin() -> PathBuf {
    std::env::var_os("PHASEGATE_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_phasegate")),
        PathBuf::from,
    )
}

fn open(ws: &Path, poll: bool) -> Pty {
    let mut spawn = Spawn::phasegate(bin(), ws, &["open", SLUG]).size(120, 40);
    if poll {
        spawn = spawn.env("PHASEGATE_WATCH", "poll");
    }
    let p = spawn.start();
    p.wait_for_within(WAIT, &|s| s.contents().contains("customer-spec.md [VIEW]"))
        .unwrap_or_else(|s| panic!("phasegate did not start:\n{}", s.contents()));
    p
}

fn quit(mut p: Pty) {
    p.send(keys::CTRL_Q);
    let _ = p.wait_exit();
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Writes `text` to `path` as an editor would: in place, or temp file + rename.
fn outside_write(path: &Path, text: &str, rename: bool) {
    if rename {
        let tmp = path.with_file_name(".customer-spec.md.bench~");
        std::fs::write(&tmp, text).expect("write temp");
        std::fs::rename(&tmp, path).expect("rename");
    } else {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .expect("open");
        f.write_all(text.as_bytes()).expect("write");
    }
}

fn latency(ws: &Path) -> Vec<f64> {
    let p = open(ws, false);
    p.wait_quiet(Duration::from_millis(400), WAIT);
    let spec = ws.join(SLUG).join("customer-spec.md");
    let base = std::fs::read_to_string(&spec).expect("spec");
    let (first, rest) = base.split_once('\n').unwrap_or((&base, ""));
    let mut out = Vec::with_capacity(EDITS);
    for i in 0..EDITS {
        // A distinct line near the top (always on screen).
        let marker = format!("Outside edit number {i:03}, {}", "xyzw".repeat(i % 5 + 1));
        let text = format!("{first}\n{marker}\n{rest}");
        // The previous edit reached the screen right after a debouncer tick; without a gap of
        // varying length every edit would land at the same point of the tick cycle.
        std::thread::sleep(Duration::from_millis((i as u64 * 37) % 131));
        let t0 = Instant::now();
        outside_write(&spec, &text, i % 2 == 1);
        p.wait_for_within(WAIT, &|s| s.contents().contains(&marker))
            .unwrap_or_else(|s| panic!("edit {i} never reached the screen:\n{}", s.contents()));
        out.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    quit(p);
    out
}

struct Idle {
    stat_ms: f64,
    sched_ms: f64,
    wakeups: u64,
    bytes: usize,
}

fn idle(ws: &Path, poll: bool) -> Idle {
    let p = open(ws, poll);
    p.wait_quiet(Duration::from_millis(500), WAIT);
    let pid = p.pid().expect("pid");
    let from = p.raw_len();
    let (s0, n0, w0) = pty::cpu_usage(pid);
    let start = Instant::now();
    // Returns early only if the program writes something; keep waiting out the 10 s.
    while start.elapsed() < IDLE {
        p.wait_quiet(IDLE, IDLE.saturating_sub(start.elapsed()));
    }
    let (s1, n1, w1) = pty::cpu_usage(pid);
    let bytes = p.raw_len() - from;
    quit(p);
    Idle {
        stat_ms: s1 - s0,
        sched_ms: n1 - n0,
        wakeups: w1.saturating_sub(w0),
        bytes,
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    copy_dir(&samples.join(SLUG), &dir.path().join(SLUG));
    println!("phasegate live-directory benchmark — 120×40 pty, {SLUG} sample");
    println!("  binary: {}", bin().display());

    let mut lat = latency(dir.path());
    lat.sort_by(f64::total_cmp);
    let (p50, p95, max) = (
        percentile(&lat, 0.5),
        percentile(&lat, 0.95),
        lat.last().copied().unwrap_or(f64::NAN),
    );
    println!(
        "  outside edit → screen over {EDITS} edits: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms  (bar ≤ 250 ms: {})",
        if p95 <= 250.0 { "met" } else { "MISSED" }
    );

    for (label, poll) in [("native watcher", false), ("polling fallback", true)] {
        let i = idle(dir.path(), poll);
        println!(
            "  idle 10 s, {label}: {:.0} ms (/proc stat), {:.2} ms (Σ schedstat), {} wakeups, {} bytes written  (bar ≤ 10 ms: {})",
            i.stat_ms,
            i.sched_ms,
            i.wakeups,
            i.bytes,
            if i.sched_ms <= 10.0 { "met" } else { "MISSED" }
        );
    }
}
