//! Frame time of the artifact editor on a 50,000-line artifact, drawn by the real `ui::draw`
//! on the surface the TUI draws on (`tui::surface::Surface`: the retained frame and the
//! `tui::backend::ShadowBackend`, writing to a sink) at 120×40, and
//! the bytes each scrolled line costs.
//!
//! - `editor_50k/scroll_line_zoomed`: `j` at the bottom of the view (the view scrolls one line),
//!   editor zoomed to full width (`z`), syntect highlighting on; one frame per iteration;
//! - `editor_50k/scroll_line_split`: the same in the default split layout (editor beside the
//!   gate and journal panes: no hardware scroll possible);
//! - `editor_50k/page_down_zoomed`: PageDown, one frame each;
//! - `editor_50k/jump_top_bottom`: Home and End alternately (the far jump resyncs the parse);
//! - `editor_50k/redraw_unchanged`: a frame where nothing changed (the highlight cache's
//!   steady state);
//! - `editor_50k/open_artifact`: showing the artifact afresh (new buffer: wrap map + first
//!   highlight) and drawing it;
//! - `editor_50k/type_char_frame` and `type_char_update`: typing a character at the end of a line
//!   in the middle of the artifact, zoomed: the frame after it (re-highlighting the edited line),
//!   `update` itself (the textarea's edit: the textarea holds a window of lines around the
//!   cursor, `app::buffer`, so this does not grow with the artifact), `settle` (the live gate
//!   evaluation of the edited buffer, run off the input path by the terminal loop) and
//!   `live_job` (taking the buffer's text for that evaluation: once per evaluation, not per key).
//!
//! Before the timed runs it prints bytes per scrolled line (one `j` step that scrolls; PageDown
//! steps divided by the lines they scroll), with and without hardware scrolling, zoomed and split.
//!
//! - `sample_typing/update` and `sample_typing/frame`: typing at a line end of the vlan-qos
//!   sample's as-built.md in the default split layout, as the pty benchmark does: the in-process
//!   part of its keystroke-to-screen latency.
//!
//! - `sample_open/engagement_loaded` and `sample_open/first_frame`: opening the vlan-qos sample,
//!   the in-process part of the pty benchmark's first frame after the engagement is read: the
//!   state made from it (its evaluation included), then the first frame on a blank terminal.
//!   They run first, before anything loads the Markdown grammar, as in the TUI, whose first
//!   frame is drawn before the grammar is ready.
//!
//! Run with `cargo bench --bench render` (add `-- --quick` for a short run). To profile one
//! benchmark: `RENDER_BENCH_NO_BYTES=1 perf record -g target/release/deps/render-… --bench
//! --profile-time 5 sample_typing/frame` (the bytes report above is skipped).

#[path = "../tests/common/files.rs"]
mod files;

use files::copy_dir;
use std::fs;
use std::hint::black_box;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use phasegate::app::action::Action;
use phasegate::app::update::update;
use phasegate::app::{Command, Keys, State};
use phasegate::config::Theme;
use phasegate::store::engagement::{LoadedEngagement, load};
use phasegate::tui::backend::ShadowBackend;
use phasegate::tui::surface::Surface;
use ratatui::layout::Size;
use ratatui_textarea::{CursorMove, Input, Key};

const LINES: usize = 50_000;
const SIZE: (u16, u16) = (120, 40);

type Term = Surface<io::Sink>;

thread_local! {
    /// The view's state between frames (the editor's scroll), as `tui.rs` keeps it next to its
    /// terminal: a new terminal starts a new one.
    static VIEW: std::cell::RefCell<phasegate::ui::ViewState> = Default::default();
}

/// `firewall-drift` (in Requirements: the spec is shown and editable) with a 50,000-line spec:
/// the sample spec's body repeated, IDs renumbered so they stay unique.
fn big_engagement(dir: &Path) -> PathBuf {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    let root = dir.join("firewall-drift");
    copy_dir(&samples.join("firewall-drift"), &root);
    let spec = fs::read_to_string(root.join("customer-spec.md")).expect("spec");
    let mut out = String::with_capacity(LINES * 80);
    let mut lines = 0;
    let mut round = 0;
    while lines < LINES {
        round += 1;
        for line in spec.lines() {
            let line = line
                .replace("REQ-", &format!("REQ-{round}0"))
                .replace("AC-", &format!("AC-{round}0"));
            out.push_str(&line);
            out.push('\n');
            lines += 1;
            if lines == LINES {
                break;
            }
        }
    }
    fs::write(root.join("customer-spec.md"), out).expect("write spec");
    root
}

fn command(state: &mut State, c: Command) {
    let effects = update(state, Action::Command(c));
    assert!(effects.is_empty(), "{c} ran no effect");
}

/// The live gate re-check the event loop runs after a keystroke's echo (`app::driver`), in place.
fn settle(state: &mut State) {
    if phasegate::app::driver::recheck_due(state) {
        let ctx = phasegate::app::run::EffectContext::system("bench".into(), None);
        phasegate::app::driver::Driver::new(&ctx).recheck(state);
    }
}

fn terminal(hardware_scroll: bool) -> Term {
    let mut backend = ShadowBackend::with_size(io::sink(), Size::new(SIZE.0, SIZE.1));
    backend.set_hardware_scroll(hardware_scroll);
    VIEW.set(phasegate::ui::ViewState::default());
    Surface::new(backend).expect("surface")
}

fn frame(terminal: &mut Term, state: &mut State, theme: &Theme) {
    settle(state);
    draw(terminal, state, theme);
}

/// A frame of `state` as it is (no re-check first).
fn draw(terminal: &mut Term, state: &State, theme: &Theme) {
    terminal
        .draw(|f| VIEW.with_borrow_mut(|view| phasegate::ui::draw(state, view, theme, f)))
        .expect("draw");
}

/// Runs `step` (untimed) then draws a frame (timed), once per iteration.
fn time_frames(
    iters: u64,
    mut state: State,
    mut t: Term,
    theme: &Theme,
    mut step: impl FnMut(&mut State, &mut Term, u64),
) -> Duration {
    let mut total = Duration::ZERO;
    for i in 0..iters {
        step(&mut state, &mut t, i);
        let t0 = Instant::now();
        frame(&mut t, &mut state, theme);
        total += t0.elapsed();
    }
    total
}

/// The part of handling a typed key a benchmark times.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// `update`: the textarea's edit.
    Update,
    /// `settle`: the live gate evaluation of the edited buffer.
    Settle,
    /// The frame drawn after it.
    Frame,
    /// The frame the event loop draws first, before the live re-check (the echo a user waits
    /// for), as the event loop draws it; the grammar's frame, the re-check and its frame
    /// follow untimed.
    Echo,
}

/// Types `key(i)` into a fresh `start()` state once per iteration; the time `part` took.
fn time_typing(
    iters: u64,
    start: &dyn Fn() -> State,
    key: &dyn Fn(u64) -> Action,
    theme: &Theme,
    part: Part,
) -> Duration {
    let mut state = start();
    let mut t = terminal(true);
    if part == Part::Echo {
        // As the event loop draws: the edited line's grammar parse waits for the next frame.
        VIEW.with_borrow_mut(phasegate::ui::ViewState::paint_edits_after_echo);
    }
    frame(&mut t, &mut state, theme);
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let t0 = Instant::now();
        let _ = update(&mut state, key(i));
        let t1 = Instant::now();
        if part == Part::Echo {
            draw(&mut t, &state, theme);
            total += t1.elapsed();
            frame(&mut t, &mut state, theme);
            continue;
        }
        settle(&mut state);
        let t2 = Instant::now();
        frame(&mut t, &mut state, theme);
        total += match part {
            Part::Update => t1 - t0,
            Part::Settle => t2 - t1,
            Part::Frame | Part::Echo => t2.elapsed(),
        };
    }
    total
}

fn state(loaded: &LoadedEngagement, zoom: bool) -> State {
    let mut state = State::new("reviewer", Keys::default(), SIZE);
    let _ = update(
        &mut state,
        Action::EngagementLoaded(Box::new(loaded.clone())),
    );
    if zoom {
        command(&mut state, Command::ZoomPane);
    }
    state
}

/// Moves the cursor to the last visible row, so each `j` from there scrolls one line.
fn to_bottom_of_view(terminal: &mut Term, state: &mut State, theme: &Theme) {
    frame(terminal, state, theme);
    for _ in 0..SIZE.1 {
        command(state, Command::MoveDown);
    }
    frame(terminal, state, theme);
}

/// Bytes per scrolled line over `steps` frames of `c`.
fn bytes_per_line(
    loaded: &LoadedEngagement,
    theme: &Theme,
    zoom: bool,
    hw: bool,
    c: Command,
) -> (f64, f64) {
    let mut state = state(loaded, zoom);
    let mut t = terminal(hw);
    to_bottom_of_view(&mut t, &mut state, theme);
    let top = |_: &State| VIEW.with_borrow(|view| view.editor_top().row);
    let (start_bytes, start_top) = (t.backend().bytes_written(), top(&state));
    let steps = 100;
    let mut frame_time = Duration::ZERO;
    for _ in 0..steps {
        command(&mut state, c);
        let t0 = Instant::now();
        frame(&mut t, &mut state, theme);
        frame_time += t0.elapsed();
    }
    let lines = top(&state) - start_top;
    let bytes = t.backend().bytes_written() - start_bytes;
    (
        bytes as f64 / lines.max(1) as f64,
        frame_time.as_secs_f64() * 1e3 / f64::from(steps),
    )
}

fn bench_editor(c: &mut Criterion) {
    assert!(phasegate::ui::highlight::warm_up(), "grammar loads");
    let dir = tempfile::tempdir().expect("tempdir");
    let root = big_engagement(dir.path());
    let t0 = Instant::now();
    let loaded = load(&root).expect("load");
    eprintln!("load + evaluate a {LINES}-line spec: {:?}", t0.elapsed());
    let theme = Theme::default();

    // RENDER_BENCH_NO_BYTES=1 skips these (when profiling one benchmark, e.g. with perf).
    let bytes_report = std::env::var_os("RENDER_BENCH_NO_BYTES").is_none();
    for (zoom, label) in [(true, "zoomed (full width)"), (false, "split layout")] {
        if !bytes_report {
            break;
        }
        for hw in [true, false] {
            for cmd in [Command::MoveDown, Command::PageDown] {
                let (bytes, ms) = bytes_per_line(&loaded, &theme, zoom, hw, cmd);
                eprintln!(
                    "{label:<20} hardware scroll {hw:<5} {:<9}: {bytes:>6.0} bytes per scrolled line, {ms:.2} ms per frame",
                    cmd.name()
                );
            }
        }
    }

    let mut g = c.benchmark_group("editor_50k");
    g.measurement_time(Duration::from_secs(4));
    for (zoom, name) in [(true, "scroll_line_zoomed"), (false, "scroll_line_split")] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut state = state(&loaded, zoom);
                let mut t = terminal(true);
                to_bottom_of_view(&mut t, &mut state, &theme);
                time_frames(iters, state, t, &theme, |state, _, _| {
                    command(state, Command::MoveDown);
                })
            })
        });
    }
    g.bench_function("page_down_zoomed", |b| {
        b.iter_custom(|iters| {
            let mut state = state(&loaded, true);
            let mut t = terminal(true);
            frame(&mut t, &mut state, &theme);
            time_frames(iters, state, t, &theme, |state, t, i| {
                // 50,000 lines are ~1,500 pages: start over now and then (untimed).
                if i % 1000 == 999 {
                    command(state, Command::Top);
                    frame(t, state, &theme);
                }
                command(state, Command::PageDown);
            })
        })
    });
    g.bench_function("jump_top_bottom", |b| {
        b.iter_custom(|iters| {
            let mut state = state(&loaded, true);
            let mut t = terminal(true);
            frame(&mut t, &mut state, &theme);
            time_frames(iters, state, t, &theme, |state, _, i| {
                let far = if i % 2 == 0 {
                    Command::Bottom
                } else {
                    Command::Top
                };
                command(state, far);
            })
        })
    });
    g.bench_function("redraw_unchanged", |b| {
        let mut state = state(&loaded, true);
        let mut t = terminal(true);
        to_bottom_of_view(&mut t, &mut state, &theme);
        b.iter(|| frame(&mut t, black_box(&mut state), &theme))
    });
    g.bench_function("open_artifact", |b| {
        b.iter_custom(|iters| {
            let mut state = state(&loaded, true);
            let mut t = terminal(true);
            frame(&mut t, &mut state, &theme);
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                command(&mut state, Command::ShowPhase2);
                frame(&mut t, &mut state, &theme);
                let t0 = Instant::now();
                command(&mut state, Command::ShowPhase1);
                frame(&mut t, &mut state, &theme);
                total += t0.elapsed();
            }
            total
        })
    });
    let typing = || {
        let mut state = state(&loaded, true);
        command(&mut state, Command::Edit);
        if let Some(e) = &mut state.engagement {
            e.editor.move_cursor(CursorMove::Jump(25_000, 0));
            e.editor.move_cursor(CursorMove::End);
        }
        state
    };
    let key = |_| {
        Action::Text(Input {
            key: Key::Char('x'),
            ..Input::default()
        })
    };
    g.bench_function("type_char_frame", |b| {
        b.iter_custom(|iters| time_typing(iters, &typing, &key, &theme, Part::Frame))
    });
    g.sample_size(10);
    g.bench_function("type_char_settle", |b| {
        b.iter_custom(|iters| time_typing(iters, &typing, &key, &theme, Part::Settle))
    });
    g.bench_function("type_char_update", |b| {
        b.iter_custom(|iters| time_typing(iters, &typing, &key, &theme, Part::Update))
    });
    // What the loop does per keystroke on the input path before handing the live re-check to
    // its worker (`Action::LiveRecheck`).
    g.bench_function("type_char_live_job", |b| {
        b.iter_custom(|iters| {
            let mut state = typing();
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let _ = update(&mut state, key(i));
                let t0 = Instant::now();
                let job = state.engagement.as_mut().and_then(|e| e.take_live_job());
                total += t0.elapsed();
                black_box(job);
            }
            total
        })
    });
    g.finish();
}

/// The vlan-qos sample, copied (the typing benches write to it) and loaded; the copy lives as
/// long as the directory returned.
fn vlan_qos() -> (tempfile::TempDir, LoadedEngagement) {
    let dir = tempfile::tempdir().expect("tempdir");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    let root = dir.path().join("vlan-qos");
    copy_dir(&samples.join("vlan-qos"), &root);
    let loaded = load(&root).expect("load");
    (dir, loaded)
}

/// Typing in the sample the pty benchmark types in (vlan-qos, as-built.md, split layout, 120×40):
/// the in-process part of its keystroke-to-screen latency, `update` and the frame after it.
fn bench_sample_typing(c: &mut Criterion) {
    let (_dir, loaded) = vlan_qos();
    let theme = Theme::default();
    assert!(phasegate::ui::highlight::warm_up(), "grammar loads");
    let typing = || {
        let mut state = state(&loaded, false);
        if let Some(e) = &mut state.engagement {
            let row = e
                .editor
                .lines()
                .iter()
                .position(|l| l == "- reuse: netbox-client v2.3")
                .expect("the typed line");
            e.editor.jump_to(row, usize::MAX);
        }
        command(&mut state, Command::Edit);
        state
    };
    // x, then Backspace: the text comes back every other key, as in the pty benchmark.
    let keys = [Key::Char('x'), Key::Backspace].map(|key| {
        Action::Text(Input {
            key,
            ..Input::default()
        })
    });
    let key = |i: u64| keys[usize::from(i % 2 == 1)].clone();
    let mut g = c.benchmark_group("sample_typing");
    g.bench_function("update", |b| {
        b.iter_custom(|iters| time_typing(iters, &typing, &key, &theme, Part::Update))
    });
    g.bench_function("frame", |b| {
        b.iter_custom(|iters| time_typing(iters, &typing, &key, &theme, Part::Frame))
    });
    g.bench_function("echo", |b| {
        b.iter_custom(|iters| time_typing(iters, &typing, &key, &theme, Part::Echo))
    });
    g.finish();
}

fn bench_sample_open(c: &mut Criterion) {
    let (_dir, loaded) = vlan_qos();
    let theme = Theme::default();
    let mut g = c.benchmark_group("sample_open");
    g.bench_function("engagement_loaded", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut state = State::new("reviewer", Keys::default(), SIZE);
                let action = Action::EngagementLoaded(Box::new(loaded.clone()));
                let t0 = Instant::now();
                black_box(update(&mut state, action));
                total += t0.elapsed();
            }
            total
        })
    });
    g.bench_function("first_frame", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut state = state(&loaded, false);
                let mut t = terminal(true);
                let t0 = Instant::now();
                frame(&mut t, &mut state, &theme);
                total += t0.elapsed();
            }
            total
        })
    });
    g.finish();
}

// `sample_open` first: nothing has loaded the grammar yet, as at the TUI's first frame.
criterion_group!(
    benches,
    bench_sample_open,
    bench_editor,
    bench_sample_typing
);
criterion_main!(benches);
