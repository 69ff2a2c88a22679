//! End-to-end terminal benchmark of the RELEASE `phasegate` binary in a 120×40 pseudo-terminal
//! on a temp copy of the `vlan-qos` sample, against the bars of DESIGN §6 and, where it makes
//! sense, against `vim -u NONE -N` on the same file in the same run:
//!
//! - time to first settled frame: spawn → the last byte before 200 ms of silence;
//! - keystroke to screen in the editor (edit mode, one char appended at the end of the line
//!   `- reuse: netbox-client v2.3` of as-built.md, then erased): from the write to the pty until the echo (and, for phasegate,
//!   the end of its synchronized update) is read back; p50/p95 over 250 samples;
//! - bytes written to the terminal per character typed at a line end;
//! - bytes per scrolled line (view mode, `j` at the bottom of the view in a 2,000-line file);
//! - CPU used over 10 s of idleness, all threads (/proc/PID/stat utime+stime, and the sum of
//!   /proc/PID/task/*/schedstat for ns resolution), with the wakeups in that window;
//! - issue 17's table: in a fresh engagement (`phasegate new`), 200 chars typed at the end of
//!   the spec's first line so it wraps as it grows (bytes per char, and per char that made the
//!   line gain a screen row); keystroke p50 at the end of line 1 of a 60-line and a 2,060-line
//!   spec (flat in document size?); typing into a 50,000-line spec (ms per key); scrolling one
//!   line with its latency; an outside edit of the open spec (atomic rename, as editors and
//!   git write) until the screen shows it.
//!
//! `cargo bench --bench pty` (it builds the release binary). Another binary: `PHASEGATE_BIN=…`.
//! Without vim on PATH the vim column is empty. `PTY_BENCH_ONLY=scroll,wrap` runs only the named
//! cases (first, typing, scroll, wrap, lines, 50k, outside, idle); `PTY_BENCH_DUMP=1` prints
//! the bytes one key of a case wrote.

#[allow(dead_code)]
#[path = "../tests/common/pty.rs"]
mod pty;

#[path = "../tests/common/files.rs"]
mod files;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use files::copy_dir;
use pty::{Chunk, Pty, Spawn, find_from, keys, row_of};

const COLS: u16 = 120;
const ROWS: u16 = 40;
const SETTLE_QUIET: Duration = Duration::from_millis(200);
/// After a key's echo, output is complete once the program is silent this long.
const KEY_QUIET: Duration = Duration::from_millis(30);
const WAIT: Duration = Duration::from_secs(10);
const FIRST_FRAME_RUNS: usize = 15;
const TYPING_SAMPLES: usize = 250;
const SCROLL_LINES: usize = 200;
const IDLE: Duration = Duration::from_secs(10);
const LONG_LINES: usize = 2000;
/// The line typed at (its end): a plain list item of as-built.md.
const TYPING_LINE: &str = "- reuse: netbox-client v2.3";

const SYNC_BEGIN: &[u8] = b"\x1b[?2026h";
const SYNC_END: &[u8] = b"\x1b[?2026l";

fn main() {
    // `cargo bench` passes `--bench`; nothing here takes arguments.
    let bin = phasegate_bin();
    let vim = which("vim");
    println!("phasegate pty benchmark — {COLS}×{ROWS}, vlan-qos sample");
    println!("  binary: {}", bin.display());
    if bin.components().any(|c| c.as_os_str() == "debug") {
        println!("  WARNING: this looks like a debug build; DESIGN §6 bars are for release");
    }
    match &vim {
        Some(v) => println!("  vim:    {} -u NONE -N", v.display()),
        None => println!("  vim:    not found, no comparison"),
    }
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements/vlan-qos");
    let dir = tempfile::tempdir().expect("tempdir");
    // Workspace A: the sample as it is. Workspace B: its as-built.md with 2,000 more lines.
    let ws_a = dir.path().join("a");
    let ws_b = dir.path().join("b");
    copy_dir(&samples, &ws_a.join("vlan-qos"));
    copy_dir(&samples, &ws_b.join("vlan-qos"));
    let long = ws_b.join("vlan-qos/as-built.md");
    let mut text = std::fs::read_to_string(&long).expect("as-built.md");
    text.push('\n');
    // Lines that differ everywhere (as prose does), short enough not to wrap in either view.
    let words = [
        "switch", "uplink", "trunk", "policy", "marking", "dscp", "queue", "voice", "camera",
        "access", "port", "vlan", "class", "verified", "rollback", "diff", "lab", "pilot",
        "netbox", "render", "push", "batch", "site", "floor", "closet", "stack", "member",
    ];
    let mut seed: u64 = 0x5eed;
    for i in 1..=LONG_LINES {
        let mut line = format!("- note {i:04}:");
        while line.len() < 48 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            line.push(' ');
            line.push_str(words[(seed >> 33) as usize % words.len()]);
        }
        let _ = writeln!(text, "{line}");
    }
    std::fs::write(&long, &text).expect("write the long as-built.md");
    let target = text.lines().nth(300).expect("300 lines").to_string();
    assert!(
        target.starts_with("- note "),
        "line 301 is a generated note"
    );
    let vim_file_a = ws_a.join("vlan-qos/as-built.md");

    let mut report = Report::default();
    // The machine may be shared: say how loaded it was.
    let load_before = loadavg();

    // 1. First settled frame.
    if wanted("first") {
        first_frames(&bin, vim.as_deref(), &ws_a, &vim_file_a, &mut report);
    }
    if wanted("typing") {
        typing(&bin, vim.as_deref(), &ws_a, &vim_file_a, &mut report);
    }
    let mut pane_width = None;
    if wanted("scroll") {
        pane_width = Some(scrolling(&bin, vim.as_deref(), &ws_b, &long, &mut report));
    }
    let fresh = dir.path().join("fresh");
    let spec = new_engagement(&bin, &fresh, "fresh");
    if wanted("wrap") {
        wrapping(&bin, vim.as_deref(), &fresh, &spec, &mut report);
    }
    let sizes: &[(usize, usize, &str)] = &[
        (60, TYPING_SAMPLES / 2, "60-line"),
        (2060, TYPING_SAMPLES / 2, "2,060-line"),
        (50_000, 40, "50,000-line"),
    ];
    for &(lines, n, label) in sizes {
        if wanted("lines") || (lines == 50_000 && wanted("50k")) {
            let ws = dir.path().join(format!("l{lines}"));
            let spec = new_engagement(&bin, &ws, "fresh");
            pad_spec(&spec, lines);
            line_one(&bin, vim.as_deref(), (&ws, &spec), (n, label), &mut report);
        }
    }
    if wanted("outside") {
        let outside = outside_edit_phasegate(&bin, &fresh, &spec);
        let op50 = percentile(&outside, 50.0);
        report.row(
            &format!("outside edit → screen p50 (n={})", outside.len()),
            ms(op50),
            None,
            "≤ 250 ms; #17: ≤ 120 ms",
            Some(op50 <= 120.0),
        );
        report.row("  … max", ms(max(&outside)), None, "", None);
    }
    if wanted("idle") {
        idle(&bin, vim.as_deref(), &ws_a, &vim_file_a, &mut report);
    }

    report.print();
    println!(
        "load average before: {load_before}; after: {} (a shared machine: compare the two \
         columns of one run, not runs)",
        loadavg()
    );
    if let Some(pane_width) = pane_width {
        println!(
            "notes: scrolling is measured in the editor pane zoomed with `z` ({pane_width} of \
             120 columns), the full-width pane of the scroll bar; vim's window is full width."
        );
    }
    println!(
        "       latency is write-to-pty → the chunk completing the echo, read by the harness \
         thread; both programs measured the same way."
    );
}

/// Whether `PTY_BENCH_ONLY` (comma-separated case names) asks for `case`; all run without it.
fn wanted(case: &str) -> bool {
    std::env::var("PTY_BENCH_ONLY").map_or(true, |only| only.split(',').any(|c| c.trim() == case))
}

fn first_frames(
    bin: &Path,
    vim: Option<&Path>,
    ws_a: &Path,
    vim_file_a: &Path,
    report: &mut Report,
) {
    let mut firsts = Vec::new();
    let mut settled = Vec::new();
    for _ in 0..FIRST_FRAME_RUNS {
        let (first, done) = first_frame(bin, ws_a);
        firsts.push(first);
        settled.push(done);
    }
    let mut vim_settled = Vec::new();
    if let Some(v) = vim {
        for _ in 0..5 {
            vim_settled.push(vim_first_frame(v, vim_file_a));
        }
    }
    report.row(
        "first frame drawn (end of 1st sync update), p50",
        ms(percentile(&firsts, 50.0)),
        None,
        "",
        None,
    );
    report.row(
        &format!("first settled frame, p50 of {FIRST_FRAME_RUNS}"),
        ms(percentile(&settled, 50.0)),
        (!vim_settled.is_empty()).then(|| ms(percentile(&vim_settled, 50.0))),
        "≤ 20 ms",
        Some(percentile(&settled, 50.0) <= 20.0),
    );
    report.row(
        &format!("first settled frame, worst of {FIRST_FRAME_RUNS}"),
        ms(max(&settled)),
        (!vim_settled.is_empty()).then(|| ms(max(&vim_settled))),
        "≤ 20 ms",
        Some(max(&settled) <= 20.0),
    );
}

fn typing(bin: &Path, vim: Option<&Path>, ws_a: &Path, vim_file_a: &Path, report: &mut Report) {
    let pg = typing_phasegate(bin, ws_a);
    let vt = vim.map(|v| typing_vim(v, vim_file_a));
    let (p50, p95) = (percentile(&pg.latency, 50.0), percentile(&pg.latency, 95.0));
    let (v50, v95) = vt.as_ref().map_or((f64::NAN, f64::NAN), |t| {
        (percentile(&t.latency, 50.0), percentile(&t.latency, 95.0))
    });
    report.row(
        &format!("keystroke → screen p50 (n={})", pg.latency.len()),
        ms(p50),
        vt.as_ref().map(|_| ms(v50)),
        "≤ 1 ms or ≤ 1.5× vim",
        Some(p50 <= 1.0 || (v50.is_finite() && p50 <= 1.5 * v50)),
    );
    report.row(
        &format!("keystroke → screen p95 (n={})", pg.latency.len()),
        ms(p95),
        vt.as_ref().map(|_| ms(v95)),
        "≤ 2 ms or ≤ 1.5× vim",
        Some(p95 <= 2.0 || (v95.is_finite() && p95 <= 1.5 * v95)),
    );
    report.row(
        "keystroke → screen max",
        ms(max(&pg.latency)),
        vt.as_ref().map(|t| ms(max(&t.latency))),
        "",
        None,
    );
    let bpc = mean(&pg.bytes);
    report.row(
        &format!("bytes per char typed at a line end (n={})", pg.bytes.len()),
        format!("{bpc:.1}"),
        vt.as_ref().map(|t| format!("{:.1}", mean(&t.bytes))),
        "≤ 80 (vim ~13)",
        Some(bpc <= 80.0),
    );
}

/// Returns the width of the zoomed pane.
fn scrolling(
    bin: &Path,
    vim: Option<&Path>,
    ws_b: &Path,
    long: &Path,
    report: &mut Report,
) -> usize {
    let (pg_scroll, pane_width) = scroll_phasegate(bin, ws_b);
    let vim_scroll = vim.map(|v| scroll_vim(v, long));
    let bpl = mean(&pg_scroll.bytes);
    let vim_bpl = vim_scroll.as_ref().map(|s| mean(&s.bytes));
    report.row(
        &format!(
            "bytes per scrolled line, zoomed pane (n={})",
            pg_scroll.bytes.len()
        ),
        format!("{bpl:.0}"),
        vim_bpl.map(|v| format!("{v:.0}")),
        "≤ 400 (vim ~65); #17: ≤ 1.5× vim",
        Some(bpl <= 400.0 && vim_bpl.is_none_or(|v| bpl <= 1.5 * v)),
    );
    let sp50 = percentile(&pg_scroll.latency, 50.0);
    report.row(
        "scroll one line → screen p50",
        ms(sp50),
        vim_scroll
            .as_ref()
            .map(|s| ms(percentile(&s.latency, 50.0))),
        "#17: ≤ 0.7 ms",
        Some(sp50 <= 0.7),
    );

    pane_width
}

/// Issue 17: a fresh engagement, typing at the end of the spec's first line.
fn wrapping(bin: &Path, vim: Option<&Path>, fresh: &Path, spec: &Path, report: &mut Report) {
    let wrap = wrapping_phasegate(bin, fresh);
    let vim_wrap = vim.map(|v| wrapping_vim(v, spec));
    report.row(
        &format!(
            "bytes per char, 200 chars at the end of line 1 (wrapping), median (n={})",
            wrap.all.len()
        ),
        format!("{:.0}", percentile(&wrap.all, 50.0)),
        vim_wrap
            .as_ref()
            .map(|w| format!("{:.0}", percentile(&w.all, 50.0))),
        "#17: ≤ 40",
        Some(percentile(&wrap.all, 50.0) <= 40.0),
    );
    report.row(
        "  … mean",
        format!("{:.0}", mean(&wrap.all)),
        vim_wrap.as_ref().map(|w| format!("{:.0}", mean(&w.all))),
        "",
        None,
    );
    report.row(
        &format!(
            "  … chars that made the line gain a screen row (n={})",
            wrap.gained.len()
        ),
        format!("{:.0}", mean(&wrap.gained)),
        vim_wrap.as_ref().map(|w| format!("{:.0}", mean(&w.gained))),
        "",
        None,
    );
}

/// Keystroke latency at the end of line 1 of a spec of a given size.
fn line_one(
    bin: &Path,
    vim: Option<&Path>,
    (ws, spec): (&Path, &Path),
    (n, label): (usize, &str),
    report: &mut Report,
) {
    {
        let pg = line_one_phasegate(bin, ws, n);
        let vt = vim.map(|v| line_one_vim(v, spec, n));
        let p50 = percentile(&pg.latency, 50.0);
        report.row(
            &format!("keystroke → screen p50, end of line 1, {label} spec (n={n})"),
            ms(p50),
            vt.as_ref().map(|t| ms(percentile(&t.latency, 50.0))),
            if n == 40 {
                "#17: ≤ 1 ms"
            } else {
                "#17: ≤ 2.5× vim, flat"
            },
            (n == 40).then_some(p50 <= 1.0),
        );
        report.row(
            &format!("  … p95, {label}"),
            ms(percentile(&pg.latency, 95.0)),
            vt.as_ref().map(|t| ms(percentile(&t.latency, 95.0))),
            "",
            None,
        );
    }
}

fn idle(bin: &Path, vim: Option<&Path>, ws_a: &Path, vim_file_a: &Path, report: &mut Report) {
    let idle = idle_phasegate(bin, ws_a);
    let vim_idle = vim.map(|v| idle_vim(v, vim_file_a));
    report.row(
        "idle CPU over 10 s, /proc stat utime+stime",
        format!("{:.0} ms", idle.stat_ms),
        vim_idle.as_ref().map(|i| format!("{:.0} ms", i.stat_ms)),
        "≤ 10 ms",
        Some(idle.stat_ms <= 10.0),
    );
    report.row(
        "idle CPU over 10 s, Σ task schedstat",
        format!("{:.2} ms", idle.sched_ms),
        vim_idle.as_ref().map(|i| format!("{:.2} ms", i.sched_ms)),
        "≤ 10 ms",
        Some(idle.sched_ms <= 10.0),
    );
    report.row(
        "idle wakeups over 10 s (Σ voluntary switches)",
        format!("{}", idle.wakeups),
        vim_idle.as_ref().map(|i| format!("{}", i.wakeups)),
        "",
        None,
    );
    report.row(
        "idle bytes written over 10 s",
        format!("{}", idle.bytes),
        vim_idle.as_ref().map(|i| format!("{}", i.bytes)),
        "0",
        Some(idle.bytes == 0),
    );
}

// ---------------------------------------------------------------------------------------------

fn phasegate_bin() -> PathBuf {
    if let Some(b) = std::env::var_os("PHASEGATE_BIN") {
        return PathBuf::from(b);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let release = target.join("release/phasegate");
    if release.is_file() {
        return release;
    }
    // `cargo bench` builds the bench profile (release settings) binary for us.
    PathBuf::from(env!("CARGO_BIN_EXE_phasegate"))
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn open(bin: &Path, ws: &Path) -> Pty {
    Spawn::phasegate(bin, ws, &["open", "vlan-qos"])
        .size(COLS, ROWS)
        .start()
}

fn vim_cmd(vim: &Path, file: &Path) -> Pty {
    Spawn::new(vim)
        .args(["-u", "NONE", "-N", "-n"])
        .arg(file)
        .size(COLS, ROWS)
        .start()
}

fn since_ms(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1000.0
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Every synchronized update opened in `bytes` is closed.
fn frames_complete(bytes: &[u8]) -> bool {
    count(bytes, SYNC_BEGIN) <= count(bytes, SYNC_END)
}

/// Gives up with the screen and the output since `from`.
#[track_caller]
fn fail(p: &Pty, what: &str, from: usize) -> ! {
    let raw = p.raw();
    panic!(
        "timed out waiting for {what}\n{}\noutput since: {:?}",
        p.screen().contents(),
        String::from_utf8_lossy(&raw[from.min(raw.len())..])
    );
}

#[track_caller]
fn wait_screen(p: &Pty, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
    if let Err(s) = p.wait_for_within(WAIT, &pred) {
        panic!("timed out waiting for {what}\n{}", s.contents());
    }
}

fn quit_phasegate(mut p: Pty) {
    // A lone Esc must not be read together with the next key (that would be Alt-key).
    if p.screen().contents().contains("[EDIT]") {
        p.send(keys::ESC);
        wait_screen(&p, "view mode", |s| !s.contents().contains("[EDIT]"));
    }
    // Force quit asks when the buffer is dirty; pressed again on the prompt it quits.
    p.send(keys::CTRL_Q);
    let asked = p.wait_for_within(WAIT, &|s| s.contents().contains("Quit and discard them?"));
    if asked.is_ok() {
        p.send(keys::CTRL_Q);
    }
    p.wait_exit();
}

fn quit_vim(mut p: Pty) {
    if p.screen().contents().contains("-- INSERT --") {
        p.send(keys::ESC);
        wait_screen(&p, "normal mode", |s| {
            !s.contents().contains("-- INSERT --")
        });
    }
    p.send(":qa!\r");
    p.wait_exit();
}

/// Spawn → end of the first synchronized update, and spawn → settled (ms).
fn first_frame(bin: &Path, ws: &Path) -> (f64, f64) {
    let p = open(bin, ws);
    let first = p
        .wait_output(0, WAIT, |b| find_from(b, SYNC_END, 0).is_some())
        .expect("a first frame");
    let last = p.wait_quiet(SETTLE_QUIET, WAIT).expect("output");
    let screen = p.screen().contents();
    assert!(
        screen.contains("as-built.md [VIEW]"),
        "unexpected first screen:\n{screen}"
    );
    let out = (since_ms(p.started, first.at), since_ms(p.started, last));
    if std::env::var_os("PTY_BENCH_DUMP").is_some() {
        let raw = p.raw();
        let mut start = 0;
        let mut line = String::from("  [first frame] chunks (ms: bytes, frames ended):");
        for c in p.chunks() {
            let ends = count(&raw[start..c.end], SYNC_END);
            let _ = write!(
                line,
                " {:.1}: {} {ends};",
                since_ms(p.started, c.at),
                c.end - start
            );
            start = c.end;
        }
        println!("{line}");
        let after = find_from(&raw, SYNC_END, 0).map_or(0, |i| i + SYNC_END.len());
        println!(
            "  [first frame] after the first frame: {:?}",
            String::from_utf8_lossy(&raw[after..])
        );
    }
    quit_phasegate(p);
    out
}

fn vim_first_frame(vim: &Path, file: &Path) -> f64 {
    let p = vim_cmd(vim, file);
    let last = p.wait_quiet(SETTLE_QUIET, WAIT).expect("output");
    wait_screen(&p, "vim showing the file", |s| {
        s.contents().contains("Solution Design")
    });
    let out = since_ms(p.started, last);
    quit_vim(p);
    out
}

struct Typing {
    latency: Vec<f64>,
    bytes: Vec<f64>,
}

/// Sends `keys`, waits for the response (output with every synchronized update closed that
/// satisfies `pred`), then for `KEY_QUIET` of silence. Returns the latency to the chunk that
/// completed the response (ms) and the bytes written in all.
fn press(p: &mut Pty, keys: &str, what: &str, pred: impl Fn(&[u8]) -> bool) -> (f64, usize) {
    let from = p.raw_len();
    let sent = p.send(keys);
    let Chunk { at, .. } = p
        .wait_output(from, WAIT, |b| pred(b) && frames_complete(b))
        .unwrap_or_else(|| fail(p, what, from));
    p.wait_quiet(KEY_QUIET, WAIT);
    (since_ms(sent, at), p.raw_len() - from)
}

fn any_output(b: &[u8]) -> bool {
    !b.is_empty()
}

/// Types `x` then Backspace at the end of the line the cursor is on, `TYPING_SAMPLES` times; measures the `x`.
fn type_at_line_end(p: &mut Pty, line_end_probe: impl Fn(&vt100::Screen) -> bool) -> Typing {
    let mut t = Typing {
        latency: Vec::with_capacity(TYPING_SAMPLES),
        bytes: Vec::with_capacity(TYPING_SAMPLES),
    };
    let echo = |b: &[u8]| b.contains(&b'x');
    // Warm-up (first-edit effects such as the dirty marker are not what is measured).
    for _ in 0..3 {
        press(p, "x", "the echo of x (warm-up)", echo);
        press(p, keys::BACKSPACE, "the echo of Backspace", any_output);
    }
    wait_screen(p, "x at the line end", |s| !line_end_probe(s));
    for i in 0..TYPING_SAMPLES {
        let (latency, bytes) = press(p, "x", &format!("the echo of x (sample {i})"), echo);
        t.latency.push(latency);
        t.bytes.push(bytes as f64);
        if i == 0 {
            wait_screen(p, "x at the line end", &line_end_probe);
            dump("typing x at a line end", p, bytes);
        }
        press(p, keys::BACKSPACE, "the echo of Backspace", any_output);
    }
    t
}

/// With `PTY_BENCH_DUMP=1`, prints the last `bytes` of output (what one key cost), and how
/// they split: printed text, escape sequences, other controls (CR, LF, BS).
fn dump(what: &str, p: &Pty, bytes: usize) {
    if std::env::var_os("PTY_BENCH_DUMP").is_some() {
        let raw = p.raw();
        let tail = &raw[raw.len().saturating_sub(bytes)..];
        let (text, escapes, controls) = split_output(tail);
        println!(
            "  [{what}] {bytes} bytes (text {text}, escape sequences {escapes}, controls \
             {controls}): {:?}",
            String::from_utf8_lossy(tail)
        );
    }
}

/// The bytes of `out` that print (UTF-8 text), that are escape sequences (ESC and what follows
/// it to the final byte of a CSI, or the one byte after ESC otherwise), and other C0 controls.
fn split_output(out: &[u8]) -> (usize, usize, usize) {
    let (mut text, mut escapes, mut controls) = (0, 0, 0);
    let mut i = 0;
    while let Some(&b) = out.get(i) {
        if b == 0x1b {
            let len = match out.get(i + 1) {
                Some(b'[') => out
                    .get(i + 2..)
                    .and_then(|rest| rest.iter().position(|c| (0x40..=0x7e).contains(c)))
                    .map_or(out.len() - i, |end| end + 3),
                Some(_) => 2,
                None => 1,
            };
            escapes += len;
            i += len;
        } else {
            if b < 0x20 || b == 0x7f {
                controls += 1;
            } else {
                text += 1;
            }
            i += 1;
        }
    }
    (text, escapes, controls)
}

fn typing_phasegate(bin: &Path, ws: &Path) -> Typing {
    let mut p = open(bin, ws);
    wait_screen(&p, "the editor", |s| {
        s.contents().contains("as-built.md [VIEW]")
    });
    p.wait_quiet(SETTLE_QUIET, WAIT);
    // The cursor to the typed line (search in view mode), edit mode, then the line end.
    p.send("/");
    wait_screen(&p, "the search prompt", |s| {
        s.contents().contains(" Search ")
    });
    p.send(TYPING_LINE);
    p.send(keys::ENTER);
    wait_screen(&p, "the search done", |s| {
        !s.contents().contains(" Search ")
    });
    p.send("e");
    wait_screen(&p, "edit mode", |s| s.contents().contains("[EDIT]"));
    // Ctrl-E: the textarea's end of line (unbound in the default keymap).
    press(
        &mut p,
        keys::CTRL_E,
        "the cursor at the line end",
        any_output,
    );
    let t = type_at_line_end(&mut p, |s| {
        s.contents().contains(&format!("{TYPING_LINE}x"))
    });
    quit_phasegate(p);
    t
}

fn typing_vim(vim: &Path, file: &Path) -> Typing {
    let mut p = vim_cmd(vim, file);
    wait_screen(&p, "vim", |s| s.contents().contains("Solution Design"));
    p.wait_quiet(SETTLE_QUIET, WAIT);
    p.send(&format!("/{TYPING_LINE}\r"));
    p.send("A");
    wait_screen(&p, "insert mode", |s| s.contents().contains("-- INSERT --"));
    p.wait_quiet(KEY_QUIET, WAIT);
    let t = type_at_line_end(&mut p, |s| {
        s.contents().contains(&format!("{TYPING_LINE}x"))
    });
    quit_vim(p);
    t
}

/// The text of the first row of the view (`row`, columns `cols`).
fn view_top(p: &Pty, row: u16, cols: std::ops::Range<usize>) -> String {
    row_of(&p.screen(), row)
        .chars()
        .skip(cols.start)
        .take(cols.len())
        .collect()
}

/// Bytes and latency of the presses that scrolled the view by one line.
struct Scroll {
    bytes: Vec<f64>,
    latency: Vec<f64>,
}

/// Presses `j` `SCROLL_LINES` times with the cursor at the bottom of the view; returns the
/// bytes written and the latency of each press that scrolled the view by one line.
fn scroll(p: &mut Pty, top_row: u16, cols: std::ops::Range<usize>) -> Scroll {
    // Put the cursor well inside the generated short lines, at the bottom of the view (`j`
    // moves by screen rows in phasegate's soft-wrapped view, by lines in vim).
    let from = p.raw_len();
    p.send(&"j".repeat(300));
    p.wait_output(from, WAIT, |b| !b.is_empty() && frames_complete(b))
        .unwrap_or_else(|| fail(p, "the frames after 300 j", from));
    p.wait_quiet(SETTLE_QUIET, WAIT);
    let mut top = view_top(p, top_row, cols.clone());
    assert!(
        top.contains("- note "),
        "the view is not in the generated lines: {top:?}"
    );
    let mut out = Scroll {
        bytes: Vec::with_capacity(SCROLL_LINES),
        latency: Vec::with_capacity(SCROLL_LINES),
    };
    for i in 0..SCROLL_LINES {
        let (latency, bytes) = press(p, "j", "a frame after j", any_output);
        let now = view_top(p, top_row, cols.clone());
        if now != top {
            out.bytes.push(bytes as f64);
            out.latency.push(latency);
            if out.bytes.len() == 1 {
                dump("scrolling one line", p, bytes);
            }
        } else if i == 0 {
            dump("j without scrolling", p, bytes);
        }
        top = now;
    }
    assert!(
        out.bytes.len() * 10 >= SCROLL_LINES * 9,
        "the view scrolled on only {} of {SCROLL_LINES} presses",
        out.bytes.len()
    );
    out
}

fn scroll_phasegate(bin: &Path, ws: &Path) -> (Scroll, usize) {
    let mut p = open(bin, ws);
    wait_screen(&p, "the editor", |s| {
        s.contents().contains("as-built.md [VIEW]")
    });
    p.wait_quiet(SETTLE_QUIET, WAIT);
    // The bar is for a full-width pane: zoom the editor (`z`) first.
    p.send("z");
    wait_screen(&p, "the zoomed editor", |s| {
        row_of(s, 3).trim_end().ends_with('┐')
            && row_of(s, 3).chars().filter(|c| *c == '┐').count() == 1
    });
    p.wait_quiet(SETTLE_QUIET, WAIT);
    // The editor pane: from column 0 to the first "┐" on the title row.
    let title = row_of(&p.screen(), 3);
    let width = title.chars().position(|c| c == '┐').unwrap_or(70) + 1;
    let out = scroll(&mut p, 4, 1..width.saturating_sub(1));
    quit_phasegate(p);
    (out, width)
}

fn scroll_vim(vim: &Path, file: &Path) -> Scroll {
    let mut p = vim_cmd(vim, file);
    wait_screen(&p, "vim", |s| s.contents().contains("Solution Design"));
    p.wait_quiet(SETTLE_QUIET, WAIT);
    let out = scroll(&mut p, 0, 0..usize::from(COLS));
    quit_vim(p);
    out
}

// --- issue 17: a fresh engagement ------------------------------------------------------------

/// Text typed at the end of the spec's first line: prose, so the line wraps at words.
const PROSE: &str = "the automation provisions the voice vlan on every access switch and tags \
its traffic with dscp ef while cameras keep their own class ";
const WRAP_CHARS: usize = 200;
/// A line of the fresh spec below the first: where it is on screen tells how many rows line 1
/// takes.
const BELOW: &str = "## Business Context";

/// `phasegate new SLUG` in workspace `ws` (created); returns the path of its spec.
fn new_engagement(bin: &Path, ws: &Path, slug: &str) -> PathBuf {
    std::fs::create_dir_all(ws).expect("mkdir workspace");
    let out = std::process::Command::new(bin)
        .arg("--workspace")
        .arg(ws)
        .args(["--as", pty::IDENTITY, "new", slug])
        .env("PHASEGATE_CONFIG", ws.join("no-config.toml"))
        .env("PHASEGATE_NOW", pty::NOW)
        .env_remove("PHASEGATE_WORKSPACE")
        .output()
        .expect("run phasegate new");
    assert!(out.status.success(), "phasegate new: {out:?}");
    ws.join(slug).join("customer-spec.md")
}

/// Appends requirement lines to `spec` until it has `lines` lines.
fn pad_spec(spec: &Path, lines: usize) {
    let mut text = std::fs::read_to_string(spec).expect("read the spec");
    let mut n = text.lines().count();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let mut i = 100;
    while n < lines {
        let _ = writeln!(
            text,
            "- REQ-{i}: the automation keeps switch {i} tagged and its uplink policy current"
        );
        i += 1;
        n += 1;
    }
    std::fs::write(spec, text).expect("write the spec");
}

fn open_fresh(bin: &Path, ws: &Path) -> Pty {
    let p = Spawn::phasegate(bin, ws, &["open", "fresh"])
        .size(COLS, ROWS)
        .start();
    wait_screen(&p, "the spec", |s| {
        s.contents().contains("customer-spec.md [VIEW]")
    });
    p.wait_quiet(SETTLE_QUIET, WAIT);
    p
}

/// Edit mode at the end of line 1 of the open spec.
fn edit_line_one_phasegate(p: &mut Pty) {
    p.send("e");
    wait_screen(p, "edit mode", |s| s.contents().contains("[EDIT]"));
    press(p, keys::CTRL_E, "the cursor at the line end", any_output);
}

/// Bytes per char typed, and those of the chars after which the line took one more row.
struct Wrapping {
    all: Vec<f64>,
    gained: Vec<f64>,
}

/// The screen row showing `BELOW`.
fn below_row(s: &vt100::Screen) -> Option<usize> {
    s.contents().lines().position(|l| l.contains(BELOW))
}

/// Types `WRAP_CHARS` chars of `PROSE` one at a time, each after the last one's output.
fn type_wrapping(p: &mut Pty, dump_as: &str) -> Wrapping {
    let mut w = Wrapping {
        all: Vec::with_capacity(WRAP_CHARS),
        gained: Vec::new(),
    };
    let mut row = below_row(&p.screen()).expect("the line below line 1 on screen");
    for (i, c) in PROSE.chars().cycle().take(WRAP_CHARS).enumerate() {
        let (_, bytes) = press(
            p,
            &c.to_string(),
            &format!("the echo of char {i}"),
            any_output,
        );
        w.all.push(bytes as f64);
        let now = below_row(&p.screen()).unwrap_or(row);
        if now > row {
            w.gained.push(bytes as f64);
            if w.gained.len() == 1 {
                dump(
                    &format!("{dump_as}: a char that made line 1 gain a row"),
                    p,
                    bytes,
                );
            }
        } else if i == 5 {
            dump(&format!("{dump_as}: a char at the end of line 1"), p, bytes);
        }
        row = now;
    }
    w
}

fn wrapping_phasegate(bin: &Path, ws: &Path) -> Wrapping {
    let mut p = open_fresh(bin, ws);
    edit_line_one_phasegate(&mut p);
    let w = type_wrapping(&mut p, "phasegate");
    quit_phasegate(p);
    w
}

fn vim_at_line_one(vim: &Path, file: &Path) -> Pty {
    let mut p = vim_cmd(vim, file);
    wait_screen(&p, "vim", |s| {
        s.contents().contains("Customer Specification")
    });
    p.wait_quiet(SETTLE_QUIET, WAIT);
    p.send("gg");
    p.send("A");
    wait_screen(&p, "insert mode", |s| s.contents().contains("-- INSERT --"));
    p.wait_quiet(KEY_QUIET, WAIT);
    p
}

fn wrapping_vim(vim: &Path, file: &Path) -> Wrapping {
    let mut p = vim_at_line_one(vim, file);
    let w = type_wrapping(&mut p, "vim");
    quit_vim(p);
    w
}

/// `x` then Backspace at the end of line 1, `n` times; the latencies of the `x`.
fn x_at_line_one(p: &mut Pty, n: usize) -> Typing {
    let mut t = Typing {
        latency: Vec::with_capacity(n),
        bytes: Vec::with_capacity(n),
    };
    let echo = |b: &[u8]| b.contains(&b'x');
    for _ in 0..3 {
        press(p, "x", "the echo of x (warm-up)", echo);
        press(p, keys::BACKSPACE, "the echo of Backspace", any_output);
    }
    for i in 0..n {
        let (latency, bytes) = press(p, "x", &format!("the echo of x (sample {i})"), echo);
        t.latency.push(latency);
        t.bytes.push(bytes as f64);
        press(p, keys::BACKSPACE, "the echo of Backspace", any_output);
    }
    t
}

fn line_one_phasegate(bin: &Path, ws: &Path, n: usize) -> Typing {
    let mut p = open_fresh(bin, ws);
    edit_line_one_phasegate(&mut p);
    let t = x_at_line_one(&mut p, n);
    quit_phasegate(p);
    t
}

fn line_one_vim(vim: &Path, file: &Path, n: usize) -> Typing {
    let mut p = vim_at_line_one(vim, file);
    let t = x_at_line_one(&mut p, n);
    quit_vim(p);
    t
}

const OUTSIDE_EDITS: usize = 15;

/// Rewrites the open (clean) spec from outside `OUTSIDE_EDITS` times, each with a new title,
/// by writing a temp file and renaming it over the spec; the time from the rename until the
/// screen shows the title (ms).
fn outside_edit_phasegate(bin: &Path, ws: &Path, spec: &Path) -> Vec<f64> {
    let p = open_fresh(bin, ws);
    let text = std::fs::read_to_string(spec).expect("read the spec");
    let rest = text.split_once('\n').map_or("", |(_, r)| r).to_string();
    let mut out = Vec::with_capacity(OUTSIDE_EDITS);
    for i in 0..OUTSIDE_EDITS {
        let title = format!("outside edit number {i:02}");
        let tmp = spec.with_extension("md.tmp");
        std::fs::write(&tmp, format!("# {title}\n{rest}")).expect("write the temp file");
        std::fs::rename(&tmp, spec).expect("rename over the spec");
        let at = Instant::now();
        wait_screen(&p, "the outside edit on screen", |s| {
            s.contents().contains(&title)
        });
        out.push(since_ms(at, Instant::now()));
        // Whatever follows the reload (the gate re-check) settles before the next edit.
        p.wait_quiet(SETTLE_QUIET, WAIT);
    }
    quit_phasegate(p);
    out
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

struct Idle {
    stat_ms: f64,
    sched_ms: f64,
    wakeups: u64,
    bytes: usize,
}

fn measure_idle(p: &Pty) -> Idle {
    p.wait_quiet(Duration::from_millis(500), WAIT);
    let pid = p.pid().expect("pid");
    let from = p.raw_len();
    let (s0, n0, w0) = pty::cpu_usage(pid);
    let start = Instant::now();
    // Not a sleep in disguise: returns early only if the program writes nothing for 10 s,
    // which is the point; any output is counted below.
    while start.elapsed() < IDLE {
        p.wait_quiet(IDLE, IDLE.saturating_sub(start.elapsed()));
    }
    let (s1, n1, w1) = pty::cpu_usage(pid);
    Idle {
        stat_ms: s1 - s0,
        sched_ms: n1 - n0,
        wakeups: w1.saturating_sub(w0),
        bytes: p.raw_len() - from,
    }
}

fn idle_phasegate(bin: &Path, ws: &Path) -> Idle {
    let p = open(bin, ws);
    wait_screen(&p, "the editor", |s| {
        s.contents().contains("as-built.md [VIEW]")
    });
    let idle = measure_idle(&p);
    quit_phasegate(p);
    idle
}

fn idle_vim(vim: &Path, file: &Path) -> Idle {
    let p = vim_cmd(vim, file);
    wait_screen(&p, "vim", |s| s.contents().contains("Solution Design"));
    let idle = measure_idle(&p);
    quit_vim(p);
    idle
}

// ---------------------------------------------------------------------------------------------

fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((p / 100.0) * (s.len() - 1) as f64).round() as usize;
    s[i.min(s.len() - 1)]
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NAN, f64::max)
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().sum::<f64>() / v.len() as f64
}

fn ms(v: f64) -> String {
    format!("{v:.2} ms")
}

#[derive(Default)]
struct Report {
    rows: Vec<[String; 5]>,
}

impl Report {
    fn row(&mut self, what: &str, ours: String, vim: Option<String>, bar: &str, ok: Option<bool>) {
        let verdict = match ok {
            Some(true) => "ok",
            Some(false) => "OVER",
            None => "",
        };
        self.rows.push([
            what.to_string(),
            ours,
            vim.unwrap_or_else(|| "-".into()),
            bar.to_string(),
            verdict.to_string(),
        ]);
    }

    fn print(&self) {
        let head = ["measure", "phasegate", "vim", "bar (DESIGN §6)", ""];
        let mut w = head.map(|h| h.chars().count());
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let pad = w[i].saturating_sub(c.chars().count());
                if i == 1 || i == 2 {
                    let _ = write!(s, "{}{c}  ", " ".repeat(pad));
                } else {
                    let _ = write!(s, "{c}{}  ", " ".repeat(pad));
                }
            }
            println!("{}", s.trim_end());
        };
        println!();
        line(head);
        println!("{}", "-".repeat(w.iter().sum::<usize>() + 8));
        for r in &self.rows {
            line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
        }
        println!();
    }
}
