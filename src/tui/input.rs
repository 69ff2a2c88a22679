//! The input thread: blocks with zero wakeups while nothing happens, and can be paused while an
//! outside editor owns the terminal.
//!
//! It sleeps in `poll(2)` on the terminal (the one crossterm reads: stdin when it is a tty, else
//! `/dev/tty`), a control socket the main thread writes to (pause, quit), and one self-pipe per
//! signal the TUI handles ([`SIGNALS`]: a resize, and the ones that end the process, which must
//! restore the terminal and keep unsaved text first). Crossterm is only asked for events once
//! one of them is ready, and then drained: everything it parsed from the same read is forwarded,
//! so nothing is stranded in its buffer.
//!
//! Crossterm is built with `use-dev-tty`: its reader then polls level-triggered and reads
//! whatever is available. Its default reader (mio) is edge-triggered and returns after the first
//! ready source, so a key arriving while its own `SIGWINCH` readiness was pending lost its edge
//! and waited for the next key; level-triggered, no readiness is ever lost. (With that reader a
//! zero timeout does not even look at buffered events, and a timeout under a millisecond polls
//! without sleeping until it expires: hence the tiny `DRAIN`.)
//!
//! Esc and a key in the same read (tmux sends `Esc g` together; so does a fast typist over ssh)
//! are parsed by crossterm as one Alt chord. [`split_esc_prefix`] gives them back as Esc and the
//! key, unless the Alt chord means something where it is pressed. Escape sequences (CSI `Esc [`,
//! SS3 `Esc O`) are never split: crossterm parses them as their keys (arrows, Alt+arrows…),
//! which are not Esc-prefixed.
//!
//! Pausing: the main thread writes a sequence byte; the thread answers with the same byte and
//! parks on a channel (blocking, no CPU) until told to resume, so the outside editor alone reads
//! the terminal.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyModifiers};
use rustix::event::{PollFd, PollFlags, poll};

use super::Incoming as Input;

/// The control byte that asks the thread to end.
const QUIT: u8 = 0;

/// The keys as pressed, for a key crossterm parsed from the bytes `Esc` + `key` as Alt+key (its
/// parser does that for any byte after an Esc that does not start an escape sequence: a
/// character, Enter, Tab, Backspace or a Ctrl chord). Unless `alt_meant` says the Alt chord
/// means something where it is pressed, that is Esc followed by the key. Every other key comes
/// back unchanged.
pub fn split_esc_prefix(key: KeyEvent, alt_meant: impl FnOnce(&KeyEvent) -> bool) -> Vec<KeyEvent> {
    let esc_prefixed = key.modifiers.contains(KeyModifiers::ALT)
        && matches!(
            key.code,
            KeyCode::Char(_) | KeyCode::Enter | KeyCode::Tab | KeyCode::Backspace
        );
    if !esc_prefixed || alt_meant(&key) {
        return vec![key];
    }
    let mut plain = key;
    plain.modifiers.remove(KeyModifiers::ALT);
    let mut esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    esc.kind = key.kind;
    vec![esc, plain]
}

/// The main thread's handle on the input thread.
pub struct InputThread {
    control: UnixStream,
    acks: Receiver<u8>,
    resume: Sender<()>,
    pause_seq: u8,
}

/// The descriptor crossterm reads events from, as crossterm 0.29 picks it (`tty_fd`): stdin
/// when it is a terminal, else `/dev/tty`. Only polled here, never read.
enum Tty {
    Stdin(io::Stdin),
    DevTty(File),
}

impl Tty {
    fn open() -> io::Result<Tty> {
        let stdin = io::stdin();
        if stdin.is_terminal() {
            Ok(Tty::Stdin(stdin))
        } else {
            File::open("/dev/tty").map(Tty::DevTty)
        }
    }
}

impl AsFd for Tty {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Tty::Stdin(s) => s.as_fd(),
            Tty::DevTty(f) => f.as_fd(),
        }
    }
}

/// The signals the input thread watches. `SIGWINCH` is a resize; `SIGTSTP` suspends after
/// restoring the terminal; the others end the TUI the way `q` does (terminal restored, unsaved
/// text kept). Their default actions would leave the alternate screen on and the cursor hidden.
pub const SIGNALS: [libc::c_int; 5] = [
    libc::SIGWINCH,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGTSTP,
];

/// The read ends of the signals' self-pipes, registered once per process (signal-hook chains
/// them with crossterm's own `SIGWINCH` handler). A signal whose pipe could not be set up is
/// left alone: a resize then arrives with the next key press, through crossterm, and the
/// others keep their default action.
fn signal_pipes() -> &'static [(libc::c_int, UnixStream)] {
    static PIPES: OnceLock<Vec<(libc::c_int, UnixStream)>> = OnceLock::new();
    PIPES.get_or_init(|| {
        let pipe = |signal| {
            let (read, write) = UnixStream::pair().ok()?;
            read.set_nonblocking(true).ok()?;
            write.set_nonblocking(true).ok()?;
            signal_hook::low_level::pipe::register(signal, write).ok()?;
            Some((signal, read))
        };
        SIGNALS.into_iter().filter_map(pipe).collect()
    })
}

fn drain(mut stream: &UnixStream) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => out.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return (out, false),
        }
    }
}

/// `poll(2)` until one of `fds` is ready (no timeout). EINTR is retried.
fn poll_fds(fds: &mut [PollFd<'_>]) -> io::Result<()> {
    loop {
        match poll(fds, None) {
            Ok(_) => return Ok(()),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// How long crossterm may look for more input when drained. It returns at once when an event
/// is buffered or the terminal is readable; the final, empty poll spins this long (crossterm's
/// `poll(2)` timeout is in whole milliseconds, so it never sleeps here).
const DRAIN: Duration = Duration::from_micros(50);

/// Sends every event crossterm has ready now. Returns whether one was a resize.
fn forward_ready(tx: &Sender<Input>) -> Result<bool, Stop> {
    let mut resized = false;
    loop {
        match event::poll(DRAIN) {
            Ok(true) => {}
            Ok(false) => return Ok(resized),
            Err(e) => return Err(Stop::Closed(e.to_string())),
        }
        match event::read() {
            Ok(ev) => {
                resized |= matches!(ev, Event::Resize(..));
                tx.send(Input::Event(ev)).map_err(|_| Stop::Quiet)?;
            }
            Err(e) => return Err(Stop::Closed(e.to_string())),
        }
    }
}

enum Stop {
    /// The loop is gone or asked us to end.
    Quiet,
    Closed(String),
}

struct Worker {
    tx: Sender<Input>,
    tty: Tty,
    control: UnixStream,
    acks: Sender<u8>,
    resume: Receiver<()>,
}

impl Worker {
    /// Handles control bytes; returns after a pause has been resumed.
    fn control(&self) -> Result<(), Stop> {
        let (bytes, closed) = drain(&self.control);
        if closed || bytes.contains(&QUIT) {
            return Err(Stop::Quiet);
        }
        if let Some(&seq) = bytes.last() {
            self.acks.send(seq).map_err(|_| Stop::Quiet)?;
            self.resume.recv().map_err(|_| Stop::Quiet)?;
        }
        Ok(())
    }

    /// A `SIGWINCH`: crossterm's own handler has queued a resize too; forward whatever it has
    /// (and the new size ourselves if its handler has not run yet).
    fn resized(&self) -> Result<(), Stop> {
        if !forward_ready(&self.tx)?
            && let Ok((w, h)) = crossterm::terminal::size()
        {
            self.tx
                .send(Input::Event(Event::Resize(w, h)))
                .map_err(|_| Stop::Quiet)?;
        }
        Ok(())
    }

    fn run(&self) -> Result<(), Stop> {
        let pipes = signal_pipes();
        loop {
            let mut fds = vec![
                PollFd::new(&self.tty, PollFlags::IN),
                PollFd::new(&self.control, PollFlags::IN),
            ];
            fds.extend(
                pipes
                    .iter()
                    .map(|(_, pipe)| PollFd::new(pipe, PollFlags::IN)),
            );
            poll_fds(&mut fds).map_err(|e| Stop::Closed(e.to_string()))?;
            let tty = fds.first().map_or(PollFlags::empty(), PollFd::revents);
            if fds.get(1).is_some_and(|f| !f.revents().is_empty()) {
                self.control()?;
                continue;
            }
            let raised: Vec<libc::c_int> = pipes
                .iter()
                .zip(fds.get(2..).unwrap_or_default())
                .filter(|(_, f)| f.revents().contains(PollFlags::IN))
                .map(|((signal, pipe), _)| {
                    let _ = drain(pipe);
                    *signal
                })
                .collect();
            if !raised.is_empty() {
                for signal in raised {
                    if signal == libc::SIGWINCH {
                        self.resized()?;
                    } else {
                        self.tx
                            .send(Input::Signal(signal))
                            .map_err(|_| Stop::Quiet)?;
                    }
                }
                continue;
            }
            // A hung-up terminal reads as end-of-file forever, which crossterm would retry in a
            // loop: end here instead.
            if tty.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
                return Err(Stop::Closed("the terminal was closed".into()));
            }
            if tty.contains(PollFlags::IN) {
                forward_ready(&self.tx)?;
            }
        }
    }
}

impl InputThread {
    /// Starts the thread. Events, and `Closed` when the terminal can no longer be read, go to
    /// `tx`.
    pub fn spawn(tx: Sender<Input>) -> io::Result<InputThread> {
        let tty = Tty::open()?;
        let (control, worker_control) = UnixStream::pair()?;
        worker_control.set_nonblocking(true)?;
        let (ack_tx, acks) = mpsc::channel();
        let (resume, resume_rx) = mpsc::channel();
        let worker = Worker {
            tx,
            tty,
            control: worker_control,
            acks: ack_tx,
            resume: resume_rx,
        };
        thread::Builder::new()
            .name("phasegate-input".into())
            .spawn(move || {
                if let Err(Stop::Closed(m)) = worker.run() {
                    let _ = worker.tx.send(Input::Closed(m));
                }
            })?;
        Ok(InputThread {
            control,
            acks,
            resume,
            pause_seq: 0,
        })
    }

    /// Stops the thread from reading the terminal; returns once it has confirmed (`true`) or
    /// after `wait` (`false`: it may be inside a crossterm read; the caller goes on anyway).
    pub fn pause(&mut self, wait: Duration) -> bool {
        self.pause_seq = self.pause_seq.checked_add(1).unwrap_or(1);
        let seq = self.pause_seq;
        while self.acks.try_recv().is_ok() {}
        if (&self.control).write_all(&[seq]).is_err() {
            return false;
        }
        let deadline = std::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.acks.recv_timeout(left) {
                Ok(s) if s == seq => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    }

    /// Lets a paused thread read the terminal again.
    pub fn resume(&self) {
        let _ = self.resume.send(());
    }
}

impl Drop for InputThread {
    fn drop(&mut self) {
        // The thread sees the byte (or the closed socket) and ends; it is not joined, since it
        // may be waiting inside crossterm for the next byte.
        let _ = (&self.control).write_all(&[QUIT]);
        let _ = self.control.shutdown(std::net::Shutdown::Both);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::router::alt_chord_meant;
    use crate::app::{Keys, Mode, Screen, State};

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn esc() -> KeyEvent {
        key(KeyCode::Esc, KeyModifiers::NONE)
    }

    const ALT: KeyModifiers = KeyModifiers::ALT;

    /// The bytes in one read, the key crossterm 0.29 parses from them, and what it is.
    #[test]
    fn esc_and_a_key_in_one_read_are_esc_then_the_key() {
        let cases = [
            // "\x1bg"
            (
                key(KeyCode::Char('g'), ALT),
                vec![esc(), key(KeyCode::Char('g'), KeyModifiers::NONE)],
            ),
            // "\x1bG": crossterm adds SHIFT to an upper-case letter.
            (
                key(KeyCode::Char('G'), ALT | KeyModifiers::SHIFT),
                vec![esc(), key(KeyCode::Char('G'), KeyModifiers::SHIFT)],
            ),
            // "\x1b\r", "\x1b\t", "\x1b\x7f"
            (
                key(KeyCode::Enter, ALT),
                vec![esc(), key(KeyCode::Enter, KeyModifiers::NONE)],
            ),
            (
                key(KeyCode::Tab, ALT),
                vec![esc(), key(KeyCode::Tab, KeyModifiers::NONE)],
            ),
            (
                key(KeyCode::Backspace, ALT),
                vec![esc(), key(KeyCode::Backspace, KeyModifiers::NONE)],
            ),
            // "\x1b\x13": Esc then Ctrl-S.
            (
                key(KeyCode::Char('s'), ALT | KeyModifiers::CONTROL),
                vec![esc(), key(KeyCode::Char('s'), KeyModifiers::CONTROL)],
            ),
        ];
        for (read, want) in cases {
            assert_eq!(split_esc_prefix(read, |_| false), want, "{read:?}");
        }
    }

    #[test]
    fn escape_sequences_and_plain_keys_stay_whole() {
        for k in [
            // "\x1b[A", "\x1bOA": arrows (CSI, SS3).
            key(KeyCode::Up, KeyModifiers::NONE),
            // "\x1b[1;3A": Alt+Up, an Alt chord sent as a CSI sequence.
            key(KeyCode::Up, ALT),
            // "\x1b[Z"
            key(KeyCode::BackTab, KeyModifiers::SHIFT),
            // "\x1bOP": F1.
            key(KeyCode::F(1), KeyModifiers::NONE),
            // A lone "\x1b", "g", Ctrl-S.
            esc(),
            key(KeyCode::Char('g'), KeyModifiers::NONE),
            key(KeyCode::Char('s'), KeyModifiers::CONTROL),
        ] {
            assert_eq!(split_esc_prefix(k, |_| false), vec![k], "{k:?}");
        }
    }

    #[test]
    fn an_alt_chord_that_means_something_stays_an_alt_chord() {
        let alt_v = key(KeyCode::Char('v'), ALT);
        assert_eq!(
            split_esc_prefix(alt_v, |k| k.code == KeyCode::Char('v')),
            vec![alt_v]
        );
    }

    fn state(keymap: &str, editing: bool) -> State {
        let keymap = crate::config::keymap::load(keymap, None).unwrap_or_default();
        let mut state = State::new("reviewer", Keys::new(keymap), (80, 24));
        if editing {
            state.screen = Screen::Engagement;
            state.mode = Mode::Edit;
        }
        state
    }

    fn alt(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
    }

    #[test]
    fn only_alt_chords_the_keymap_gives_a_meaning_stay_whole() {
        let default = state("default", false);
        assert!(!alt_chord_meant(&default, &alt('g')));
        assert!(!alt_chord_meant(&state("default", true), &alt('g')));
        // The emacs keymap binds alt-v to page up, and in [edit] leaves it to the editor.
        assert!(alt_chord_meant(&state("emacs", false), &alt('v')));
        assert!(alt_chord_meant(&state("emacs", true), &alt('v')));
        assert!(!alt_chord_meant(&state("emacs", true), &alt('g')));
        // The editor's own word motions: kept in the emacs keymap, Esc then the key in vim's.
        assert!(alt_chord_meant(&state("emacs", true), &alt('b')));
        assert!(!alt_chord_meant(&state("vim", true), &alt('b')));
        // Alt-Backspace deletes a word in the editor in every preset.
        let alt_backspace = KeyEvent::new(KeyCode::Backspace, KeyModifiers::ALT);
        for keymap in ["default", "vim", "emacs"] {
            assert!(
                alt_chord_meant(&state(keymap, true), &alt_backspace),
                "{keymap}"
            );
            assert!(
                !alt_chord_meant(&state(keymap, false), &alt_backspace),
                "{keymap}"
            );
        }
    }
}
