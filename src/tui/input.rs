//! The terminal's input, read by the main thread itself: it sleeps in `poll(2)` on the terminal
//! (the one crossterm reads: stdin when it is a tty, else `/dev/tty`), a wake-up socket the
//! other threads write a byte to after each message ([`Outbox`]), and one self-pipe per signal
//! the TUI handles ([`SIGNALS`]: a resize, and the ones that end the process, which must restore
//! the terminal and keep unsaved text first). Zero wakeups while nothing happens.
//!
//! Why not an input thread: a key then woke two threads before it reached the screen, the
//! input thread and the loop it sent the key to, and on a virtual machine waking a thread on an
//! idle core is tens of microseconds — a key's echo is a few hundred. Read here, a key wakes one.
//! It also makes handing the terminal to an outside editor simple: while the loop runs it,
//! nothing else reads the terminal.
//!
//! Crossterm is only asked for events once the terminal is ready, and then drained: everything
//! it parsed from the same read is taken, so nothing is stranded in its buffer. It is built with
//! `use-dev-tty`: its reader then polls level-triggered and reads whatever is available. Its
//! default reader (mio) is edge-triggered and returns after the first ready source, so a key
//! arriving while its own `SIGWINCH` readiness was pending lost its edge and waited for the next
//! key; level-triggered, no readiness is ever lost. (With that reader a zero timeout does not
//! even look at buffered events, and a timeout under a millisecond polls without sleeping until
//! it expires: hence the tiny `DRAIN`.)
//!
//! Esc and a key in the same read (tmux sends `Esc g` together; so does a fast typist over ssh)
//! are parsed by crossterm as one Alt chord. [`split_esc_prefix`] gives them back as Esc and the
//! key, unless the Alt chord means something where it is pressed. Escape sequences (CSI `Esc [`,
//! SS3 `Esc O`) are never split: crossterm parses them as their keys (arrows, Alt+arrows…),
//! which are not Esc-prefixed.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyModifiers};
use rustix::event::{PollFd, PollFlags, Timespec, poll};

use super::Incoming as Input;

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

/// The signals the loop watches. `SIGWINCH` is a resize; `SIGTSTP` suspends after
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

/// Empties a non-blocking socket (the wake-up bytes, a signal's self-pipe bytes).
fn drain(mut stream: &UnixStream) {
    let mut buf = [0u8; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// How long crossterm may look for more input when drained. It returns at once when an event
/// is buffered or the terminal is readable; the final, empty poll spins this long (crossterm's
/// `poll(2)` timeout is in whole milliseconds, so it never sleeps here).
const DRAIN: Duration = Duration::from_micros(50);

/// The same on a key's way to the screen: long enough for crossterm to hand out the events it
/// already parsed from the same read, short enough not to delay the echo. Were the thread
/// preempted inside that window, an event could stay in crossterm's buffer: the next wait looks
/// once more before it sleeps, after the frame is out.
const QUICK: Duration = Duration::from_micros(10);

/// Every event crossterm has ready now, into `out`. Returns whether one was a resize.
fn take_ready(out: &mut Vec<Input>, look: Duration) -> Result<bool, String> {
    let mut resized = false;
    loop {
        match event::poll(look) {
            Ok(true) => {}
            Ok(false) => return Ok(resized),
            Err(e) => return Err(e.to_string()),
        }
        let ev = event::read().map_err(|e| e.to_string())?;
        resized |= matches!(ev, Event::Resize(..));
        out.push(Input::Event(ev));
    }
}

/// How the other threads (the watcher, the IO worker, the live re-check, the highlighter) reach
/// the loop: the message on the channel, then a byte that wakes the loop's `poll(2)`.
#[derive(Clone)]
pub struct Outbox {
    tx: Sender<Input>,
    wake: Arc<UnixStream>,
}

impl Outbox {
    /// Whether the loop is still there to get it.
    pub fn send(&self, message: Input) -> bool {
        if self.tx.send(message).is_err() {
            return false;
        }
        // The loop drains every byte and then every waiting message, so one byte per message
        // is plenty; a full socket (non-blocking) means a wake-up is already pending.
        let _ = (&*self.wake).write(&[1]);
        true
    }
}

/// What [`TerminalInput::wait`] got.
pub enum Waited {
    /// Events, signals and messages, in the order taken (never empty).
    Ready(Vec<Input>),
    /// `until` passed with nothing to report.
    TimedOut,
}

/// The loop's view of everything that can wake it.
pub struct TerminalInput {
    tty: Tty,
    wake: UnixStream,
    rx: Receiver<Input>,
    /// The terminal hung up: it is no longer polled (it would read as ready forever).
    closed: bool,
    /// Events were taken with [`QUICK`] since the last full drain.
    quick_taken: bool,
}

impl TerminalInput {
    /// Opens the terminal and the wake-up socket; the [`Outbox`] is for the other threads.
    pub fn open() -> io::Result<(TerminalInput, Outbox)> {
        let tty = Tty::open()?;
        let (wake, wake_writer) = UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        wake_writer.set_nonblocking(true)?;
        let (tx, rx) = mpsc::channel();
        // Registered now, so a signal from the first frame on is seen.
        signal_pipes();
        let outbox = Outbox {
            tx,
            wake: Arc::new(wake_writer),
        };
        Ok((
            TerminalInput {
                tty,
                wake,
                rx,
                closed: false,
                quick_taken: false,
            },
            outbox,
        ))
    }

    /// Blocks until something arrives, or until `until` (`None`: no deadline). Keys come with
    /// every message already waiting; a terminal that can no longer be read is reported once
    /// as [`Input::Closed`].
    pub fn wait(&mut self, until: Option<Instant>) -> Waited {
        let pipes = signal_pipes();
        if std::mem::take(&mut self.quick_taken) && !self.closed {
            let mut got = Vec::new();
            if let Err(m) = take_ready(&mut got, QUICK) {
                self.closed = true;
                got.push(Input::Closed(m));
            }
            if !got.is_empty() {
                return Waited::Ready(got);
            }
        }
        loop {
            let mut got: Vec<Input> = self.rx.try_iter().collect();
            // With messages in hand only look (no sleep), so keys typed meanwhile come too.
            let timeout = if got.is_empty() {
                until.map(|u| u.saturating_duration_since(Instant::now()))
            } else {
                Some(Duration::ZERO)
            };
            let timeout = timeout.and_then(|t| Timespec::try_from(t).ok());
            let mut fds = vec![PollFd::new(&self.wake, PollFlags::IN)];
            if !self.closed {
                fds.push(PollFd::new(&self.tty, PollFlags::IN));
            }
            let first_pipe = fds.len();
            fds.extend(
                pipes
                    .iter()
                    .map(|(_, pipe)| PollFd::new(pipe, PollFlags::IN)),
            );
            let ready = match poll(&mut fds, timeout.as_ref()) {
                Ok(n) => n,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => {
                    got.push(Input::Closed(format!("waiting for the terminal: {e}")));
                    return Waited::Ready(got);
                }
            };
            if ready > 0 {
                let woken = fds.first().is_some_and(|f| !f.revents().is_empty());
                let tty = if self.closed {
                    PollFlags::empty()
                } else {
                    fds.get(1).map_or(PollFlags::empty(), PollFd::revents)
                };
                let raised: Vec<libc::c_int> = pipes
                    .iter()
                    .zip(fds.get(first_pipe..).unwrap_or_default())
                    .filter(|(_, f)| f.revents().contains(PollFlags::IN))
                    .map(|((signal, _), _)| *signal)
                    .collect();
                drop(fds);
                if woken {
                    drain(&self.wake);
                    got.extend(self.rx.try_iter());
                }
                for signal in raised {
                    if let Some((_, pipe)) = pipes.iter().find(|(s, _)| *s == signal) {
                        drain(pipe);
                    }
                    if signal == libc::SIGWINCH {
                        self.resized(&mut got);
                    } else {
                        got.push(Input::Signal(signal));
                    }
                }
                // A hung-up terminal reads as end-of-file forever (and polls readable), which
                // crossterm would retry in a loop: stop polling it and say so instead.
                if tty.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
                    self.closed = true;
                    got.push(Input::Closed("the terminal was closed".into()));
                } else if tty.contains(PollFlags::IN) {
                    self.quick_taken = true;
                    if let Err(m) = take_ready(&mut got, QUICK) {
                        self.closed = true;
                        got.push(Input::Closed(m));
                    }
                }
            }
            if !got.is_empty() {
                return Waited::Ready(got);
            }
            if until.is_some_and(|u| u <= Instant::now()) {
                return Waited::TimedOut;
            }
        }
    }

    /// A `SIGWINCH`: crossterm's own handler has queued a resize too; take whatever it has (and
    /// the new size ourselves if its handler has not run yet).
    fn resized(&mut self, got: &mut Vec<Input>) {
        match take_ready(got, DRAIN) {
            Ok(true) => {}
            Ok(false) => {
                if let Ok((w, h)) = crossterm::terminal::size() {
                    got.push(Input::Event(Event::Resize(w, h)));
                }
            }
            Err(m) => {
                self.closed = true;
                got.push(Input::Closed(m));
            }
        }
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
