//! A pseudo-terminal harness: runs a program (the real `phasegate`, or `vim` for comparison) in
//! a portable-pty terminal of a given size, reads its output on a thread into a vt100 parser and
//! keeps every raw byte with the time it arrived.
//!
//! Nothing here sleeps for a fixed time: waits block on a condition variable that the reader
//! thread signals after every chunk, up to a deadline (10 s unless told), and a failed wait
//! panics with the screen as it was.
//!
//! Screens are only observed between frames: phasegate draws inside synchronized updates
//! (`CSI ? 2026 h` … `CSI ? 2026 l`), so a half-drawn frame is never matched by a predicate.
//!
//! Self-contained (no `super::`), so `benches/pty.rs` includes it with `#[path]`.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// How long any wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The identity the end-to-end tests act as (not the owner of any sample engagement).
pub const IDENTITY: &str = "reviewer";

/// A fixed clock for journal stamps (`PHASEGATE_NOW`).
pub const NOW: &str = "2026-11-20T12:00:00Z";

pub const ALT_ON: &[u8] = b"\x1b[?1049h";
pub const ALT_OFF: &[u8] = b"\x1b[?1049l";
pub const PASTE_OFF: &[u8] = b"\x1b[?2004l";
pub const CURSOR_SHOW: &[u8] = b"\x1b[?25h";

const SYNC_BEGIN: &[u8] = b"\x1b[?2026h";
const SYNC_END: &[u8] = b"\x1b[?2026l";

/// Keys as the terminal sends them. [`keys::ESC`] followed by a key in the same write is Esc
/// and then that key (as tmux sends them), unless the keymap binds that Alt chord.
pub mod keys {
    pub const ENTER: &str = "\r";
    pub const ESC: &str = "\x1b";
    pub const TAB: &str = "\t";
    pub const BACKSPACE: &str = "\x7f";
    pub const UP: &str = "\x1b[A";
    pub const DOWN: &str = "\x1b[B";
    pub const RIGHT: &str = "\x1b[C";
    pub const LEFT: &str = "\x1b[D";
    pub const CTRL_C: &str = "\x03";
    pub const CTRL_E: &str = "\x05";
    pub const CTRL_Q: &str = "\x11";
    pub const CTRL_S: &str = "\x13";
}

/// One read from the pty: when it arrived and where it ends in the raw output.
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    pub at: Instant,
    pub end: usize,
}

struct Shared {
    parser: vt100::Parser,
    /// The screen as of the end of the last complete frame (outside any synchronized update).
    frame: vt100::Screen,
    frames: usize,
    in_sync: bool,
    /// The last bytes of the previous chunk, to find sync markers split across reads.
    tail: Vec<u8>,
    raw: Vec<u8>,
    chunks: Vec<Chunk>,
    /// The reader saw end of file (every slave descriptor closed: the program exited).
    closed: bool,
}

type SharedState = Arc<(Mutex<Shared>, Condvar)>;

/// What to run and how.
pub struct Spawn {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    cwd: Option<PathBuf>,
    cols: u16,
    rows: u16,
}

impl Spawn {
    /// `program` with a clean environment: `PATH`, `TERM=xterm-256color`, `LANG=C.UTF-8`, and
    /// `HOME` in a temp directory of its own (so nothing reads or writes the real one).
    pub fn new(program: impl Into<PathBuf>) -> Spawn {
        let mut env = vec![
            ("TERM".into(), "xterm-256color".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ];
        if let Some(path) = std::env::var_os("PATH") {
            env.push(("PATH".into(), path));
        }
        Spawn {
            program: program.into(),
            args: Vec::new(),
            env,
            cwd: None,
            cols: 120,
            rows: 40,
        }
    }

    /// `phasegate --workspace WS --as reviewer ARGS…` with the config pointing at a file that
    /// does not exist (defaults) and a fixed clock.
    pub fn phasegate(bin: impl Into<PathBuf>, workspace: &Path, args: &[&str]) -> Spawn {
        let config = workspace.join("no-config.toml");
        Spawn::new(bin)
            .arg("--workspace")
            .arg(workspace)
            .args(["--as", IDENTITY])
            .args(args)
            .env("PHASEGATE_WORKSPACE", workspace)
            .env("PHASEGATE_CONFIG", config)
            .env("PHASEGATE_NOW", NOW)
            .cwd(workspace)
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Spawn {
        self.args.push(arg.into());
        self
    }

    pub fn args<S: Into<OsString>>(mut self, args: impl IntoIterator<Item = S>) -> Spawn {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Spawn {
        let key = key.into();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.into()));
        self
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Spawn {
        self.cwd = Some(dir.into());
        self
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Spawn {
        self.cols = cols;
        self.rows = rows;
        self
    }

    /// Opens the pty, starts the program and the reader thread.
    pub fn start(self) -> Pty {
        let home = tempfile::tempdir().expect("temp HOME");
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: self.rows,
                cols: self.cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(&self.program);
        cmd.args(&self.args);
        cmd.env_clear();
        cmd.env("HOME", home.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.cwd(self.cwd.as_deref().unwrap_or_else(|| home.path()));
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let shared: SharedState = Arc::new((
            Mutex::new(Shared {
                parser: vt100::Parser::new(nz(self.rows), nz(self.cols), 0),
                frame: vt100::Parser::new(nz(self.rows), nz(self.cols), 0)
                    .screen()
                    .clone(),
                frames: 0,
                in_sync: false,
                tail: Vec::new(),
                raw: Vec::new(),
                chunks: Vec::new(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let started = Instant::now();
        let child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.program.display()));
        // Only the child holds the slave now: its exit closes the pty and ends the reader.
        drop(pair.slave);
        let for_reader = shared.clone();
        let reader = thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let at = Instant::now();
                let (lock, cvar) = &*for_reader;
                let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
                if n == 0 {
                    s.closed = true;
                    cvar.notify_all();
                    return;
                }
                let bytes = &buf[..n];
                s.parser.process(bytes);
                s.raw.extend_from_slice(bytes);
                let end = s.raw.len();
                s.chunks.push(Chunk { at, end });
                let mut scan = std::mem::take(&mut s.tail);
                scan.extend_from_slice(bytes);
                let begin = rfind(&scan, SYNC_BEGIN);
                let finish = rfind(&scan, SYNC_END);
                match (begin, finish) {
                    (Some(b), Some(f)) => s.in_sync = b > f,
                    (Some(_), None) => s.in_sync = true,
                    (None, Some(_)) => s.in_sync = false,
                    (None, None) => {}
                }
                s.tail = scan[scan.len().saturating_sub(SYNC_BEGIN.len() - 1)..].to_vec();
                if !s.in_sync {
                    s.frame = s.parser.screen().clone();
                    s.frames += 1;
                }
                cvar.notify_all();
            }
        });
        Pty {
            master: pair.master,
            writer,
            child,
            shared,
            started,
            status: None,
            _reader: reader,
            _home: home,
        }
    }
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n.max(1)).unwrap_or(NonZeroU16::MIN)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// `needle`'s first position in `haystack` at or after `from`.
pub fn find_from(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// `needle`'s last position in `haystack`.
pub fn rfind_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    rfind(haystack, needle)
}

/// The screen's text, one line per row, trailing blanks trimmed.
pub fn text_of(screen: &vt100::Screen) -> String {
    screen.contents()
}

/// One row of the screen (0-based), untrimmed.
pub fn row_of(screen: &vt100::Screen, row: u16) -> String {
    let (_, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .nth(usize::from(row))
        .unwrap_or_default()
}

/// The last row of the screen (phasegate's hint/toast line).
pub fn last_row(screen: &vt100::Screen) -> String {
    let (rows, _) = screen.size();
    row_of(screen, rows.get() - 1)
}

/// The program left the terminal as it found it (since it last entered the alternate screen):
/// main screen, cursor shown, bracketed paste off, cooked mode.
#[track_caller]
pub fn assert_terminal_restored(pty: &Pty) {
    let raw = pty.raw();
    let entered = rfind_bytes(&raw, ALT_ON).expect("the TUI entered the alternate screen");
    let left = find_from(&raw, ALT_OFF, entered).expect("left the alternate screen after entering");
    assert!(
        find_from(&raw, PASTE_OFF, entered).is_some(),
        "bracketed paste was not disabled"
    );
    assert!(
        find_from(&raw, CURSOR_SHOW, left).is_some(),
        "the cursor was not shown again"
    );
    let screen = pty.screen();
    assert!(!screen.alternate_screen(), "still on the alternate screen");
    assert!(!screen.hide_cursor(), "cursor still hidden");
    assert!(!screen.bracketed_paste(), "bracketed paste still on");
    assert_eq!(pty.cooked(), Some(true), "raw mode was not undone");
}

/// A program running in a pseudo-terminal.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    shared: SharedState,
    /// When the program was spawned.
    pub started: Instant,
    status: Option<ExitStatus>,
    _reader: thread::JoinHandle<()>,
    _home: tempfile::TempDir,
}

impl Pty {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Types `keys` (see [`keys`] for named keys) and returns when they are written.
    pub fn send(&mut self, keys: &str) -> Instant {
        self.send_bytes(keys.as_bytes())
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) -> Instant {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
        Instant::now()
    }

    /// The process id of the program.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Waits (up to [`DEADLINE`]) until `pred` holds for a complete frame; returns that screen.
    /// Panics with `what` and the last screen when it never does.
    #[track_caller]
    pub fn wait_for(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) -> vt100::Screen {
        match self.wait_for_within(DEADLINE, &pred) {
            Ok(screen) => screen,
            Err(screen) => panic!(
                "timed out after {DEADLINE:?} waiting for {what}\n--- screen ---\n{}\n--------------",
                text_of(&screen)
            ),
        }
    }

    /// Waits until the screen shows every one of `needles`.
    #[track_caller]
    pub fn wait_for_text(&self, needles: &[&str]) -> vt100::Screen {
        self.wait_for(&format!("{needles:?} on screen"), |s| {
            let text = text_of(s);
            needles.iter().all(|n| text.contains(n))
        })
    }

    /// Like [`Pty::wait_for`] with a deadline of your choice; `Err` holds the last screen (also
    /// when the program exited first).
    pub fn wait_for_within(
        &self,
        deadline: Duration,
        pred: &dyn Fn(&vt100::Screen) -> bool,
    ) -> Result<vt100::Screen, Box<vt100::Screen>> {
        let until = Instant::now() + deadline;
        let mut s = self.lock();
        loop {
            if pred(&s.frame) {
                return Ok(s.frame.clone());
            }
            let now = Instant::now();
            if now >= until || s.closed {
                return Err(Box::new(s.frame.clone()));
            }
            s = self
                .shared
                .1
                .wait_timeout(s, until - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The last complete frame.
    pub fn screen(&self) -> vt100::Screen {
        self.lock().frame.clone()
    }

    /// The text of the last complete frame.
    pub fn screen_text(&self) -> String {
        text_of(&self.lock().frame)
    }

    /// How many complete frames (reads ending outside a synchronized update) were seen.
    pub fn frames(&self) -> usize {
        self.lock().frames
    }

    /// Every byte the program wrote to the terminal so far.
    pub fn raw(&self) -> Vec<u8> {
        self.lock().raw.clone()
    }

    pub fn raw_len(&self) -> usize {
        self.lock().raw.len()
    }

    /// Every read so far (arrival time and end offset in [`Pty::raw`]).
    pub fn chunks(&self) -> Vec<Chunk> {
        self.lock().chunks.clone()
    }

    /// Waits until `pred` holds for the output written since byte `from`; returns the chunk
    /// that made it hold (its arrival time is when the bytes reached the terminal). `None` at
    /// the deadline or when the program exits first.
    pub fn wait_output(
        &self,
        from: usize,
        deadline: Duration,
        pred: impl Fn(&[u8]) -> bool,
    ) -> Option<Chunk> {
        let until = Instant::now() + deadline;
        let mut s = self.lock();
        let mut next = s.chunks.partition_point(|c| c.end <= from);
        loop {
            while let Some(c) = s.chunks.get(next).copied() {
                if pred(&s.raw[from.min(c.end)..c.end]) {
                    return Some(c);
                }
                next += 1;
            }
            let now = Instant::now();
            if now >= until || s.closed {
                return None;
            }
            s = self
                .shared
                .1
                .wait_timeout(s, until - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Waits until the program has written nothing for `quiet` (or has exited), up to
    /// `deadline`; returns the arrival time of its last chunk (`None`: nothing written yet).
    /// Silence is counted from the last chunk, so right after a key this returns at once if
    /// the program was already quiet: wait for the key's response first ([`Pty::wait_for`],
    /// [`Pty::wait_output`]), then for the silence that ends it.
    pub fn wait_quiet(&self, quiet: Duration, deadline: Duration) -> Option<Instant> {
        let until = Instant::now() + deadline;
        let mut s = self.lock();
        loop {
            let last = s.chunks.last().map(|c| c.at);
            let now = Instant::now();
            let since = now.saturating_duration_since(last.unwrap_or(self.started));
            if (since >= quiet && last.is_some()) || s.closed || now >= until {
                return last;
            }
            let wait = (quiet - since.min(quiet)).min(until - now);
            s = self
                .shared
                .1
                .wait_timeout(s, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Waits (up to [`DEADLINE`]) for the program to exit and for all of its output to be
    /// read; returns its exit status. Panics (after killing it) when it does not exit.
    #[track_caller]
    pub fn wait_exit(&mut self) -> ExitStatus {
        if let Some(status) = &self.status {
            return status.clone();
        }
        let until = Instant::now() + DEADLINE;
        let mut s = self.lock();
        while !s.closed {
            let now = Instant::now();
            if now >= until {
                let screen = text_of(&s.frame);
                drop(s);
                let _ = self.child.kill();
                panic!(
                    "the program did not exit within {DEADLINE:?}\n--- screen ---\n{screen}\n--------------"
                );
            }
            s = self
                .shared
                .1
                .wait_timeout(s, until - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        drop(s);
        let status = self.child.wait().expect("wait for the program");
        self.status = Some(status.clone());
        status
    }

    /// Whether the terminal is back in cooked mode (canonical input and echo on), i.e. raw
    /// mode was undone. `None` when the terminal attributes cannot be read.
    pub fn cooked(&self) -> Option<bool> {
        let t = self.master.get_termios()?;
        let lflag = t.local_flags.bits();
        Some(lflag & libc::ICANON != 0 && lflag & libc::ECHO != 0)
    }

    /// Resizes the terminal (the program gets SIGWINCH).
    pub fn resize(&self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
        self.lock().parser.set_size(nz(rows), nz(cols));
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.status.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What a process has used, for idle-CPU measurements, all threads summed: utime+stime (ms),
/// schedstat run time (ms), voluntary context switches.
pub fn cpu_usage(pid: u32) -> (f64, f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 2..]);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let mut sched_ns = 0.0;
    let mut switches = 0;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                sched_ns += s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0);
            }
            if let Ok(s) = std::fs::read_to_string(t.path().join("status")) {
                switches += s
                    .lines()
                    .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    (
        (field(11) + field(12)) * 1000.0 / hz,
        sched_ns / 1e6,
        switches,
    )
}
