//! The terminal: init/restore (raw mode, alternate screen, bracketed paste), a panic hook that
//! restores the terminal before the previous hook runs, and the event loop — it reads the
//! terminal itself (`input`: one `poll(2)` on the terminal, the signals and a wake-up socket, no
//! wakeups while idle) and takes the messages of the watcher, the IO worker, the live re-check
//! and the highlighter's one-shot "grammar loaded" from one channel; drain everything pending,
//! update, then draw once inside a synchronized update, only when something changed. Nothing
//! redraws on a timer.
//!
//! Job control and signals: `SIGTERM`, `SIGHUP` and `SIGINT` end the TUI like `q` (terminal
//! restored, the unsaved buffer written to its recovery file at once, exit 128 + signal);
//! Ctrl-Z (the `suspend` command: raw mode turns off the terminal's own) and `SIGTSTP` give the
//! terminal back and stop the process until `fg`, then redraw in full.
//!
//! Frames go through `backend::ShadowBackend`: a shadow of the screen, so only cells that
//! change are written, and terminal scrolling regions when rows of a full-width pane moved.

pub mod backend;
mod input;
pub mod subscriptions;
pub mod surface;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste, Event,
    KeyEventKind, PopKeyboardEnhancementFlags,
};
use crossterm::terminal::{
    self, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};

use self::backend::{FrameWriter, ShadowBackend};
use self::input::{Outbox, TerminalInput, Waited};
use self::surface::Surface;
use crate::app::action::Action;
use crate::app::action::LiveAction;
use crate::app::driver::{Driver, Step, recheck_due};
use crate::app::effect::Effect;
use crate::app::run::worker::IoWorker;
use crate::app::run::{EffectContext, run_effect};
use crate::app::{Keys, Screen, State, WorkspaceState, router};
use crate::config::Theme;

/// What the TUI needs from configuration, resolved by the caller.
pub struct TuiSetup {
    pub keys: Keys,
    pub theme: Theme,
    /// Who approves (`--as`, config, git, `$USER@host`).
    pub identity: String,
    /// Config, theme and keymap problems, shown as a banner.
    pub banner: Vec<String>,
    pub ascii: bool,
    /// How decisions are signed and verified (set by the caller, who knows the workspace).
    pub signing: Option<crate::config::signing::SigningSetup>,
}

impl TuiSetup {
    /// Reads config.toml, its theme and keymap (problems become the banner; defaults are used).
    pub fn from_config(config_path: Option<&Path>, as_name: Option<&str>) -> TuiSetup {
        let env = crate::config::process_env;
        let (loaded, banner) = crate::config::load_all(config_path, &env);
        TuiSetup {
            keys: Keys::new(loaded.keymap),
            theme: loaded.theme,
            identity: crate::config::identity(as_name, &loaded.config),
            banner,
            ascii: !crate::config::utf8_locale(&env),
            signing: None,
        }
    }
}

type Term = Surface<FrameWriter>;

/// Undoes everything `init` did, and what a crash might have left on (mouse capture,
/// keyboard enhancement flags). Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    // Frames leave the pen as their last cell had it and may have set the cursor's shape: the
    // shell gets both back as they were.
    let _ = out.write_all(b"\x1b[m");
    if backend::supports_cursor_shape(&std::env::var("TERM").unwrap_or_default()) {
        let _ = out.write_all(backend::CURSOR_DEFAULT_SHAPE);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        DisableFocusChange,
        PopKeyboardEnhancementFlags,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

fn init() -> io::Result<Term> {
    install_panic_hook();
    if let Err(e) = enter() {
        restore();
        return Err(e);
    }
    let mut backend = ShadowBackend::new(FrameWriter::stdout());
    backend.set_cursor_shape_for(&std::env::var("TERM").unwrap_or_default());
    match Surface::new(backend) {
        Ok(t) => Ok(t),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}

/// Everything the event loop waits for: what it reads itself (`input`) and what the other
/// threads send it through an [`Outbox`].
enum Incoming {
    Event(Event),
    Closed(String),
    /// A signal that ends the TUI (`SIGTERM`, `SIGHUP`, `SIGINT`) or suspends it (`SIGTSTP`),
    /// from its self-pipe.
    Signal(libc::c_int),
    /// From a worker thread: the engagement watcher, the IO worker's results (in the order its
    /// effects were sent).
    Action(Action),
    /// The Markdown grammar finished loading: redraw with highlighting.
    HighlightReady,
}

/// One frame, written in one go between Begin and End Synchronized Update.
fn draw(
    terminal: &mut Term,
    state: &State,
    view: &mut crate::ui::ViewState,
    theme: &Theme,
) -> io::Result<()> {
    terminal.draw(|f| crate::ui::draw(state, view, theme, f))
}

/// Whether the grammar loaded, from the thread loading it (`preload_highlighter`).
static GRAMMAR_LOADED: Mutex<Option<Receiver<bool>>> = Mutex::new(None);

/// Starts loading the Markdown grammar on its own thread. The TUI starts it once its first frame
/// is out: that frame is drawn with the editor's line styler, which paints what the grammar
/// paints on prose (`ui::highlight::Cache::quick_runs`), so compiling the grammar's regexes
/// (milliseconds) is off the start-up path and the frame after it changes next to nothing.
pub fn preload_highlighter() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let (tx, rx) = mpsc::channel();
        if let Ok(mut slot) = GRAMMAR_LOADED.lock() {
            *slot = Some(rx);
        }
        let spawned = std::thread::Builder::new()
            .name("phasegate-highlight".into())
            .spawn(move || {
                let _ = tx.send(crate::ui::highlight::warm_up_markdown());
                // The fenced languages' regexes, off the first frame's path.
                crate::ui::highlight::warm_up();
            });
        // Without the thread the editor keeps its line-local styling.
        drop(spawned);
    });
}

/// Starts loading the grammar if it is not loaded, and asks for one redraw on `tx` when it is.
/// Returns whether it is ready now.
fn await_highlighter(tx: Outbox) -> bool {
    preload_highlighter();
    let loading = GRAMMAR_LOADED.lock().ok().and_then(|mut slot| slot.take());
    let Some(loaded) = loading else {
        return crate::ui::highlight::ready().is_some();
    };
    match loaded.try_recv() {
        Ok(ready) => ready,
        Err(mpsc::TryRecvError::Disconnected) => false,
        Err(mpsc::TryRecvError::Empty) => {
            let spawned = std::thread::Builder::new()
                .name("phasegate-highlight-wait".into())
                .spawn(move || {
                    if loaded.recv().unwrap_or(false) {
                        tx.send(Incoming::HighlightReady);
                    }
                });
            drop(spawned);
            false
        }
    }
}

/// Gives the terminal back (modes restored) while `away` runs, then takes it again; the next
/// frame is drawn in full. The loop is the only reader of the terminal, so while it runs `away`
/// the editor, the shell or ssh-keygen asking for a passphrase gets every key.
fn away_from_terminal<T>(terminal: &mut Term, away: impl FnOnce() -> T) -> (T, io::Result<()>) {
    restore();
    let result = away();
    // The size may have changed while away; nothing is asked of the terminal but its size.
    let back = enter().and_then(|()| {
        terminal.backend_mut().forget_size();
        terminal.clear()
    });
    (result, back)
}

/// Ctrl-Z (or a `SIGTSTP` from outside): the terminal goes back to the shell and the process
/// stops until `fg` continues it; then the screen is taken again and redrawn in full. The
/// terminal generates no `SIGTSTP` in raw mode, hence a key.
fn suspend(terminal: &mut Term) -> io::Result<()> {
    let (stopped, back) = away_from_terminal(terminal, || {
        // Our SIGTSTP handler must not run: this stops the process like the default action.
        signal_hook::low_level::emulate_default_handler(libc::SIGTSTP)
    });
    back.and(stopped)
}

/// Suspends the TUI, runs `$VISUAL`/`$EDITOR` (no shell: split on whitespace) on `path`,
/// and brings the TUI back.
fn run_outside_editor(terminal: &mut Term, path: &Path) -> Result<(), String> {
    let (result, back) = away_from_terminal(terminal, || run_editor(path));
    back.map_err(|e| e.to_string())?;
    result
}

/// Runs `$VISUAL`/`$EDITOR` on `path` and waits for it.
fn run_editor(path: &Path) -> Result<(), String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    let mut parts = editor.split_whitespace();
    match parts.next() {
        Some(program) => std::process::Command::new(program)
            .args(parts)
            .arg(path)
            .status()
            .map_err(|e| format!("could not run {editor}: {e}"))
            .and_then(|s| {
                if s.success() {
                    Ok(())
                } else {
                    Err(format!("{editor} exited with {s}"))
                }
            }),
        None => Err("no editor: set $VISUAL or $EDITOR".into()),
    }
}

/// How the TUI ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal ended it (the terminal was restored first). `kept`: where the unsaved text of
    /// the buffer went (the recovery file offered when the engagement is opened next), or why
    /// it could not be written.
    Signal {
        signal: libc::c_int,
        kept: Result<Option<PathBuf>, String>,
    },
}

impl Ended {
    /// What to tell the user on the restored terminal, if anything.
    pub fn message(&self) -> Option<String> {
        let Ended::Signal { signal, kept } = self else {
            return None;
        };
        let name = match *signal {
            libc::SIGTERM => "SIGTERM",
            libc::SIGHUP => "SIGHUP",
            libc::SIGINT => "SIGINT",
            _ => "a signal",
        };
        Some(match kept {
            Ok(Some(path)) => format!(
                "phasegate: ended by {name}; the unsaved text was kept in {} (offered back when the engagement is opened)",
                path.display()
            ),
            Ok(None) => format!("phasegate: ended by {name}"),
            Err(e) => {
                format!("phasegate: ended by {name}; the unsaved text could NOT be kept: {e}")
            }
        })
    }
}

fn run(
    mut state: State,
    theme: &Theme,
    first: Vec<Effect>,
    (ctx, worker_ctx): (&EffectContext, EffectContext),
    signer: SignerLookup,
) -> io::Result<Ended> {
    let mut terminal = init()?;
    let outcome = event_loop(
        &mut terminal,
        &mut state,
        theme,
        first,
        (ctx, worker_ctx),
        signer,
    );
    restore();
    outcome
}

/// Writes the recovery file of an unsaved buffer now rather than at its autosave deadline: the
/// process is about to end. Returns where the text is, or why it could not be kept.
fn keep_unsaved(state: &mut State, ctx: &EffectContext) -> Result<Option<PathBuf>, String> {
    let mut failed = None;
    let mut driver = Driver::new(ctx);
    driver.apply(state, subscriptions::Runtime::due());
    driver.drain(state, &mut |effect| match effect {
        Effect::Quit | Effect::SpawnEditor { .. } => Step::Done(Vec::new()),
        other => {
            let actions = run_effect(other, ctx);
            for action in &actions {
                if let Action::Live(LiveAction::Failed(m)) | Action::Failed(m) = action {
                    failed = Some(m.clone());
                }
            }
            Step::Done(actions)
        }
    });
    if let Some(m) = failed {
        return Err(m);
    }
    let dirty = state.engagement.as_ref().is_some_and(|e| e.dirty);
    Ok(state
        .live
        .autosave
        .as_ref()
        .filter(|_| dirty)
        .map(|a| a.path.clone()))
}

fn event_loop(
    terminal: &mut Term,
    state: &mut State,
    theme: &Theme,
    first: Vec<Effect>,
    (ctx, worker_ctx): (&EffectContext, EffectContext),
    mut signer: SignerLookup,
) -> io::Result<Ended> {
    if let Ok(size) = terminal.size() {
        state.size = (size.width, size.height);
    }
    let (mut input, tx) = TerminalInput::open()?;
    let grammar_tx = tx.clone();
    let checker_tx = tx.clone();
    let checker = LiveChecker::spawn(move |evaluation| {
        checker_tx.send(Incoming::Action(Action::LiveEvaluated(Box::new(
            evaluation,
        ))));
    });
    // IO effects (loads, saves, journal writes, git) run on the IO worker, in the order asked;
    // their results come back on the channel and are applied in that order. Dropping it (any
    // way out of this loop) waits for the effects sent: a quit never cuts a write short.
    let io_tx = tx.clone();
    let io = IoWorker::spawn(worker_ctx, move |actions| {
        for a in actions {
            io_tx.send(Incoming::Action(a));
        }
    });
    let prompt_tx = tx.clone();
    // Whether the last frame was drawn before the grammar was ready.
    let mut drawn_plain = true;
    // The watcher of the open engagement reports on the same channel (`app::update::live`).
    let mut live = subscriptions::Runtime::new(move |a| {
        tx.send(Incoming::Action(a));
    });
    let mut driver = Driver::new(ctx);
    driver.push(first);
    // Frames the terminal loop itself asks for (resize, back from a suspend, the grammar).
    let mut changed = true;
    // A live re-check's result came: drawn even when what the panes summarize did not change,
    // so the gate's lines are made for it now, off the next keystroke's path (the frame
    // writes nothing when the screen stays the same).
    let mut rechecked = false;
    // What the view keeps between frames (the editor's scroll): the renderer's, not the app's.
    let mut view = crate::ui::ViewState::default();
    // A keystroke's echo paints the edited line with the line styler; the grammar's frame
    // follows it at once (below), before anything waits for input.
    view.paint_edits_after_echo();
    let mut drawn_once = false;
    loop {
        // Effects run in the order they were asked for; the ones that need the terminal (an
        // editor, job control, ssh-keygen asking for a passphrase) or the worker run here.
        let mut failure = None;
        let mut quit = false;
        let mut live_job = None;
        driver.drain(state, &mut |effect| match effect {
            Effect::Quit => {
                quit = true;
                Step::Stop
            }
            Effect::Suspend => {
                changed = true;
                if let Err(e) = suspend(terminal) {
                    failure = Some(e);
                    return Step::Stop;
                }
                Step::Done(Vec::new())
            }
            Effect::SpawnEditor { path, .. } => {
                let mut actions = Vec::new();
                if let Err(m) = run_outside_editor(terminal, &path) {
                    actions.push(Action::Failed(m));
                }
                actions.push(Action::EditorReturned);
                Step::Done(actions)
            }
            // The live re-check of the buffer runs on its own thread once this frame is out
            // (below), so it never takes a core from the echo; its result comes back as an
            // action on the channel.
            Effect::Evaluate(job) => {
                live_job = Some(job);
                Step::Done(Vec::new())
            }
            // ssh-keygen may ask for the key's passphrase: it gets the terminal, as an editor
            // does, and the screen comes back intact. It runs after the effects already sent
            // to the worker, and its results are applied after theirs (same channel).
            other if ctx.may_prompt(&other) => {
                io.flush();
                let (mut actions, back) = away_from_terminal(terminal, || run_effect(other, ctx));
                if let Err(e) = back {
                    actions.push(Action::Failed(e.to_string()));
                }
                for a in actions {
                    prompt_tx.send(Incoming::Action(a));
                }
                Step::Done(Vec::new())
            }
            // Every other effect is IO: the worker runs it (in place if it could not start).
            // A journal write sent while another is in flight waits behind it; `transact`
            // re-reads the journal and checks the reviewed hashes, so a decision made on the
            // screen as it was before the first landed is refused, never written stale.
            other => match io.submit(other) {
                None => Step::Done(Vec::new()),
                Some(other) => Step::Run(other),
            },
        });
        if let Some(e) = failure {
            return Err(e);
        }
        if quit || state.quit {
            // The writes already sent finish before the process ends.
            io.finish();
            return Ok(Ended::Quit);
        }
        if driver.take_stale() | std::mem::take(&mut changed) | std::mem::take(&mut rechecked) {
            live.observe(state);
            // One frame per keystroke: the echo is drawn before the live gate re-check of the
            // buffer runs, and its result draws again only if it changed what the panes show.
            draw(terminal, state, &mut view, theme)?;
            live.announce(state);
            drawn_plain = crate::ui::highlight::ready().is_none();
            if !drawn_once {
                drawn_once = true;
                // What the first frame did not need: the grammar, the signer's label.
                await_highlighter(grammar_tx.clone());
                signer.start();
                // A test hook: debug (test) builds only, so a release binary never panics on it.
                if cfg!(debug_assertions)
                    && std::env::var("PHASEGATE_TEST_PANIC").is_ok_and(|v| v == "1")
                {
                    panic!("PHASEGATE_TEST_PANIC=1: forced panic after the first draw");
                }
            }
        }
        if let Some(job) = live_job {
            checker.request(job);
        }
        if recheck_due(state) {
            driver.apply(state, Action::LiveRecheck);
            continue;
        }
        // The echo left edited lines for the grammar (the re-check is on its way first, on
        // its own thread): their exact paint now, written only where it differs.
        if view.take_grammar_due() {
            changed = true;
            continue;
        }
        // Block until something happens, then take everything that is already waiting.
        // A pending autosave is the only deadline; without one this blocks indefinitely.
        let pending = match input.wait(live.deadline()) {
            Waited::Ready(pending) => pending,
            Waited::TimedOut => {
                if live.take_due() {
                    driver.apply(state, subscriptions::Runtime::due());
                }
                continue;
            }
        };
        for incoming in pending {
            let action = match incoming {
                Incoming::Closed(m) => {
                    // The terminal is gone (a closed window, a dropped ssh session): the
                    // unsaved text must outlive the process all the same.
                    let kept = match keep_unsaved(state, ctx) {
                        Ok(Some(path)) => {
                            format!("; the unsaved text was kept in {}", path.display())
                        }
                        Ok(None) => String::new(),
                        Err(e) => format!("; the unsaved text could NOT be kept: {e}"),
                    };
                    return Err(io::Error::other(format!("{m}{kept}")));
                }
                Incoming::Signal(libc::SIGTSTP) => {
                    changed = true;
                    suspend(terminal)?;
                    None
                }
                Incoming::Signal(signal) => {
                    let kept = keep_unsaved(state, ctx);
                    return Ok(Ended::Signal { signal, kept });
                }
                Incoming::Event(Event::Key(key)) if key.kind == KeyEventKind::Press => {
                    // A key may open the decision dialog, which names the signer.
                    signer.finish(state);
                    // Esc and a key in one read are two keys, each routed in the state the
                    // one before it left (Esc leaves edit mode, then `g` is a view key).
                    let keys = input::split_esc_prefix(key, |k| router::alt_chord_meant(state, k));
                    for key in keys {
                        if let Some(action) = router::route(state, key) {
                            driver.apply(state, action);
                        }
                    }
                    None
                }
                Incoming::Event(Event::Resize(w, h)) => {
                    terminal
                        .backend_mut()
                        .set_size(ratatui::layout::Size::new(w, h));
                    Some(Action::Resize(w, h))
                }
                Incoming::Event(Event::Paste(s)) => Some(Action::Paste(s)),
                Incoming::Event(_) => None,
                Incoming::Action(a) => {
                    if matches!(a, Action::LiveEvaluated(_)) {
                        rechecked = true;
                        // The evaluation it replaces is freed off this thread.
                        if let Some(e) = &state.engagement {
                            checker.retire(Arc::clone(&e.live));
                        }
                    }
                    Some(a)
                }
                Incoming::HighlightReady => {
                    changed |= drawn_plain;
                    None
                }
            };
            if let Some(action) = action {
                driver.apply(state, action);
            }
        }
    }
}

type SignerLabel = Result<crate::store::sign::SignerLabel, String>;

/// The signer's label for the decision dialog (`state.signer`), looked up on its own thread once
/// the first frame is out: it runs `git config` twice, milliseconds the first frame does not
/// need, and a key that could open the dialog waits for it ([`SignerLookup::finish`]).
struct SignerLookup {
    signing: Option<crate::config::signing::SigningSetup>,
    running: Option<std::thread::JoinHandle<SignerLabel>>,
}

impl SignerLookup {
    fn new(setup: &TuiSetup) -> SignerLookup {
        SignerLookup {
            signing: setup.signing.clone(),
            running: None,
        }
    }

    fn start(&mut self) {
        if self.running.is_some() {
            return;
        }
        let Some(signing) = self.signing.clone() else {
            return;
        };
        self.running = std::thread::Builder::new()
            .name("phasegate-signer".into())
            .spawn(move || signing.label())
            .ok();
    }

    /// Sets `state.signer` (looked up here if the thread could not start); once.
    fn finish(&mut self, state: &mut State) {
        let Some(signing) = self.signing.take() else {
            return;
        };
        let looked_up = self.running.take().and_then(|h| h.join().ok());
        state.signer = Some(looked_up.unwrap_or_else(|| signing.label()));
    }
}

fn new_state(setup: &TuiSetup) -> State {
    let mut state = State::new(setup.identity.clone(), setup.keys.clone(), (80, 24));
    state.ascii = setup.ascii;
    state.banner = setup.banner.clone();
    if let Some(signing) = &setup.signing {
        match crate::store::sign::load_allowed_signers(&signing.allowed_signers) {
            Ok(signers) => state.allowed_signers = signers.map(Arc::new),
            Err(e) => state.banner.push(e.to_string()),
        }
    }
    state
}

/// The TUI on a workspace: the engagement list first.
pub fn run_workspace(workspace: &Path, setup: TuiSetup) -> io::Result<Ended> {
    let mut state = new_state(&setup);
    state.workspace = Some(WorkspaceState {
        root: workspace.to_path_buf(),
        ..WorkspaceState::default()
    });
    state.screen = Screen::Workspace;
    let ctx = EffectContext::system(setup.identity.clone(), setup.signing.clone());
    let worker_ctx = EffectContext::system(setup.identity.clone(), setup.signing.clone());
    run(
        state,
        &setup.theme,
        vec![Effect::LoadWorkspace {
            workspace: workspace.to_path_buf(),
        }],
        (&ctx, worker_ctx),
        SignerLookup::new(&setup),
    )
}

/// The TUI on one engagement. A directory that does not load is an error before the screen
/// is taken over.
pub fn run_engagement(root: &Path, setup: TuiSetup) -> Result<Ended, String> {
    let loaded = crate::store::engagement::load(root).map_err(|e| e.to_string())?;
    let mut state = new_state(&setup);
    // What opening asks for (the reviewer's draft) runs first in the loop.
    let first = crate::app::update::update(&mut state, Action::EngagementLoaded(Box::new(loaded)));
    let ctx = EffectContext::system(setup.identity.clone(), setup.signing.clone());
    let worker_ctx = EffectContext::system(setup.identity.clone(), setup.signing.clone());
    run(
        state,
        &setup.theme,
        first,
        (&ctx, worker_ctx),
        SignerLookup::new(&setup),
    )
    .map_err(|e| e.to_string())
}

/// What the live re-check's thread is asked to do: the newest re-check, and evaluations the
/// screen has replaced, to be freed there.
#[derive(Default)]
struct LiveWork {
    job: Option<crate::app::LiveJob>,
    retired: Vec<Arc<crate::domain::evaluate::Evaluation>>,
}

type LiveSlot = Arc<(std::sync::Mutex<LiveWork>, std::sync::Condvar)>;

/// Evaluates the engagement with the buffer text swapped in, on its own thread, so typing never
/// waits for it. Only the newest request matters: one arriving while another runs replaces any
/// still waiting. Idle, the thread sleeps on a condition variable.
struct LiveChecker {
    job: LiveSlot,
    /// Whether its thread started (without it, nothing is handed over).
    running: bool,
}

impl LiveChecker {
    fn spawn(
        deliver: impl Fn(crate::domain::evaluate::Evaluation) + Send + 'static,
    ) -> LiveChecker {
        let job = LiveSlot::default();
        let shared = Arc::clone(&job);
        // Without the thread the re-check never arrives; editing and saving still work.
        let running = std::thread::Builder::new()
            .name("live-check".into())
            .spawn(move || {
                let (slot, ready) = &*shared;
                loop {
                    let (job, retired) = {
                        let Ok(mut guard) = slot.lock() else { return };
                        loop {
                            if guard.job.is_some() || !guard.retired.is_empty() {
                                break (guard.job.take(), std::mem::take(&mut guard.retired));
                            }
                            match ready.wait(guard) {
                                Ok(g) => guard = g,
                                Err(_) => return,
                            }
                        }
                    };
                    drop(retired);
                    if let Some(job) = job {
                        deliver(job.evaluate());
                    }
                }
            })
            .is_ok();
        LiveChecker { job, running }
    }

    fn request(&self, job: crate::app::LiveJob) {
        let (slot, ready) = &*self.job;
        if let Ok(mut guard) = slot.lock() {
            guard.job = Some(job);
            ready.notify_one();
        }
    }

    /// Frees `evaluation` on the re-check's thread: an evaluation holds every artifact parsed,
    /// and freeing one of a 50,000-line artifact took the loop milliseconds after each re-check,
    /// in which a key waited. (Freed here if the thread never started or has failed.)
    fn retire(&self, evaluation: Arc<crate::domain::evaluate::Evaluation>) {
        if !self.running {
            return;
        }
        let (slot, ready) = &*self.job;
        if let Ok(mut guard) = slot.lock() {
            guard.retired.push(evaluation);
            ready.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An evaluation handed to the re-check's thread is freed there: the loop keeps no
    /// reference, and it does not outlive the handing over for long.
    #[test]
    fn a_retired_evaluation_is_freed_by_the_checker() {
        let ws = tempfile::tempdir().unwrap();
        let loaded = crate::store::engagement::scratch(ws.path());
        let evaluation = Arc::new(crate::domain::evaluate::evaluate(&loaded.engagement));
        let watched = Arc::downgrade(&evaluation);
        let checker = LiveChecker::spawn(|_| {});
        checker.retire(evaluation);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while watched.upgrade().is_some() {
            assert!(
                std::time::Instant::now() < deadline,
                "the retired evaluation is still alive"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}
