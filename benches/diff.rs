//! Benchmarks of the design-vs-as-built diff on two 20,000-line documents with ~3% of lines
//! changed (mostly edited in place, some inserted or removed):
//!
//! - `diff/side_by_side_and_reconcile`: `reconcile` (hunks ↔ deviations) plus the aligned rows
//!   with word emphasis (`Side` ×2 + `side_by_side`), what `phasegate diff` computes
//!   (bar: ≤ 50 ms);
//! - `diff/pane_model`: the pane's whole model (`DiffModel::build`: the above plus folds);
//! - `frame/*`: one frame of the real `ui::view` on a `TestBackend` 120×40 with the diff pane
//!   open on a real engagement holding those documents, while scrolling a line, a page, or
//!   jumping hunk to hunk (bar: ≤ 8 ms);
//! - printed once: bytes written to the terminal per scrolled line of the diff pane through the
//!   real backend (`tui::backend::ShadowBackend`, hardware scrolling on and off; bar ≤ 400).
//!
//! Run with `cargo bench --bench diff` (add `-- --quick` for a short run).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use phasegate::app::action::Action;
use phasegate::app::model::diff::DiffModel;
use phasegate::app::update::update;
use phasegate::app::{Command, Keys, State};
use phasegate::config::Theme;
use phasegate::domain::artifact::Artifact;
use phasegate::domain::journal::{GateId, Stamp};
use phasegate::domain::markdown;
use phasegate::domain::reconcile::{self, Side};
use phasegate::domain::records;
use phasegate::domain::rules::{self, GateReview};
use phasegate::domain::sidebyside::{compare, side_by_side};
use phasegate::domain::time::Timestamp;
use phasegate::store::engagement::{self, transact};
use phasegate::tui::backend::ShadowBackend;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Size;

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

const WORDS: [&str; 16] = [
    "the",
    "automation",
    "renders",
    "within",
    "change",
    "window",
    "site",
    "tenant",
    "fabric",
    "device",
    "intent",
    "config",
    "drift",
    "operator",
    "rollback",
    "ticket",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    (0..words)
        .map(|_| WORDS[rng.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
        + "."
}

/// A design of `target` lines over the sample spec's REQ-1..5 and AC-1..5.
fn generate_design(target: usize, rng: &mut Rng) -> String {
    let mut t = String::from("# Solution design\n\n## Overview\n");
    for _ in 0..target / 50 {
        let _ = writeln!(t, "{}", sentence(rng, 14));
    }
    t.push_str("\n## Components\n");
    let mut n = 0;
    while t.lines().count() < target * 95 / 100 {
        n += 1;
        let _ = writeln!(t, "### COMP-{n}: component {n}");
        let _ = writeln!(t, "- satisfies: REQ-{}", 1 + (n - 1) % 5);
        let deps = if n == 1 {
            "none".to_string()
        } else {
            format!("COMP-{}", 1 + rng.below(n - 1))
        };
        let _ = writeln!(t, "- depends-on: {deps}");
        let _ = writeln!(
            t,
            "- reuse: {}",
            if n % 3 == 0 {
                "netbox-client v2"
            } else {
                "new"
            }
        );
        let _ = writeln!(
            t,
            "- acceptance: AC-{}, a lab run shows it",
            1 + (n - 1) % 5
        );
        for _ in 0..12 {
            let words = 8 + rng.below(20);
            let _ = writeln!(t, "{}", sentence(rng, words));
        }
        t.push('\n');
    }
    t.push_str("## Testing Approach\n");
    while t.lines().count() < target {
        let _ = writeln!(t, "- {}", sentence(rng, 9));
    }
    t
}

/// The design with ~`percent`% of its lines changed, plus Deviations naming most touched
/// components (so some hunks stay unexplained).
fn edit_design(design: &str, percent: usize, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(design.len() + 64 * 1024);
    let mut current: Option<String> = None;
    let mut touched: Vec<String> = Vec::new();
    for line in markdown::lines(design) {
        if let Some(id) = line.strip_prefix("### ").and_then(|h| h.split(':').next()) {
            current = Some(id.to_string());
        }
        if !line.starts_with('#') && rng.below(1000) < percent * 10 {
            if let Some(c) = &current {
                touched.push(c.clone());
            }
            match rng.below(10) {
                0 => {}
                1 => {
                    out.push_str(line);
                    out.push_str("\n- note: added during the build\n");
                }
                _ => {
                    out.push_str(&line.replacen("the", "THE", 1));
                    out.push_str(" (as built)\n");
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    touched.sort();
    touched.dedup();
    out.push_str("\n## Deviations\n");
    for (i, comp) in touched.iter().enumerate().filter(|(i, _)| i % 5 != 0) {
        let _ = writeln!(
            out,
            "- DEV-{} ({comp}, minor): changed on site — vendor quirk",
            i + 1
        );
    }
    out.push_str("\n## As-Built Notes\nBuilt in two change windows.\n");
    out
}

fn stamp(actor: &str) -> Stamp {
    Stamp {
        at: Timestamp::from_unix(1_790_000_000),
        actor: actor.into(),
        os_user: format!("{actor}@bench"),
    }
}

/// A real engagement on disk: the sample spec and feasibility, the generated design approved
/// at Gate 2 (snapshot in objects/), and the edited as-built.
fn engagement_with(dir: &Path, design: &str, as_built: &str) -> std::path::PathBuf {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements/vlan-qos");
    let root =
        engagement::create(dir, "big", "Big diff", "alice", None, &stamp("alice")).expect("create");
    let spec = std::fs::read_to_string(samples.join("customer-spec.md")).expect("spec");
    let spec = spec
        .split("## Amendments")
        .next()
        .unwrap_or(&spec)
        .to_string();
    std::fs::write(root.join("customer-spec.md"), spec).expect("write spec");
    let review = |gate: GateId| GateReview {
        checks: match gate {
            GateId::One => ["G1-5", "G1-6", "G1-7", "G1-8"].map(String::from).to_vec(),
            GateId::Two => ["G2-7", "G2-8", "G2-9"].map(String::from).to_vec(),
        },
        waivers: Vec::new(),
        note: String::new(),
    };
    transact(&root, &stamp("bob"), None, |e, ev| {
        rules::approve_gate(e, ev, GateId::One, &review(GateId::One), "bob").map(Into::into)
    })
    .expect("gate 1");
    std::fs::copy(samples.join("feasibility.md"), root.join("feasibility.md"))
        .expect("feasibility");
    transact(&root, &stamp("alice"), None, |e, ev| {
        rules::complete_feasibility(e, ev).map(Into::into)
    })
    .expect("feasibility");
    std::fs::write(root.join("solution-design.md"), design).expect("design");
    transact(&root, &stamp("bob"), None, |e, ev| {
        rules::approve_gate(e, ev, GateId::Two, &review(GateId::Two), "bob").map(Into::into)
    })
    .expect("gate 2");
    std::fs::write(root.join(Artifact::AsBuilt.file_name()), as_built).expect("as-built");
    root
}

fn documents() -> (String, String) {
    let mut rng = Rng(0x5eed_d1ff);
    let design = generate_design(20_000, &mut rng);
    let as_built = edit_design(&design, 3, &mut rng);
    (design, as_built)
}

fn bench_compute(c: &mut Criterion) {
    let (design, as_built) = documents();
    let deviations = records::deviations(&markdown::parse(&as_built));
    let r = reconcile::reconcile(&design, &as_built, &deviations);
    assert!(design.lines().count() >= 20_000);
    assert!(r.hunks.len() > 300, "{} hunks", r.hunks.len());
    assert!(r.explained() > 0 && r.explained() < r.hunks.len());
    let mut g = c.benchmark_group("diff");
    g.sample_size(20);
    g.bench_function("side_by_side_and_reconcile", |b| {
        b.iter(|| {
            let rec = reconcile::reconcile(
                black_box(&design),
                black_box(&as_built),
                black_box(&deviations),
            );
            let left = Side::new(Artifact::Design, black_box(&design));
            let right = Side::new(Artifact::AsBuilt, black_box(&as_built));
            let sbs = side_by_side(&left.lines, &right.lines);
            assert_eq!(sbs.hunks.len(), rec.hunks.len());
            (rec, sbs)
        })
    });
    let left = Side::new(Artifact::Design, &design);
    let right = Side::new(Artifact::AsBuilt, &as_built);
    g.bench_function("parts/side_new_x2", |b| {
        b.iter(|| {
            (
                Side::new(Artifact::Design, black_box(&design)),
                Side::new(Artifact::AsBuilt, black_box(&as_built)),
            )
        })
    });
    g.bench_function("parts/line_ops", |b| {
        b.iter(|| reconcile::line_ops(black_box(&left.lines), black_box(&right.lines)))
    });
    g.bench_function("parts/side_by_side", |b| {
        b.iter(|| side_by_side(black_box(&left.lines), black_box(&right.lines)))
    });
    g.bench_function("compare_shared_line_diff", |b| {
        b.iter(|| {
            compare(
                black_box(&design),
                black_box(&as_built),
                black_box(&deviations),
            )
        })
    });
    g.bench_function("pane_model", |b| {
        b.iter(|| {
            DiffModel::build(
                black_box(&design),
                black_box(&as_built),
                black_box(&deviations),
                4,
            )
        })
    });
    g.finish();
}

fn bench_frames(c: &mut Criterion) {
    let (design, as_built) = documents();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = engagement_with(dir.path(), &design, &as_built);
    let loaded = engagement::load(&root).expect("load");
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    update(&mut state, Action::EngagementLoaded(Box::new(loaded)));
    update(&mut state, Action::Command(Command::ShowDiff));
    let hunks = state
        .engagement
        .as_ref()
        .and_then(|e| e.build.diff.as_ref())
        .map_or(0, |v| v.model.hunks.len());
    assert!(
        hunks > 300,
        "the pane is open on the big diff ({hunks} hunks): {:?}",
        state.toast
    );
    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut view = phasegate::ui::ViewState::default();
    terminal
        .draw(|f| phasegate::ui::view(&state, &mut view, &theme, f))
        .expect("draw");

    let mut g = c.benchmark_group("frame");
    g.sample_size(50);
    for (name, command, back) in [
        ("scroll_line_120x40", Command::MoveDown, Command::Top),
        ("scroll_page_120x40", Command::PageDown, Command::Top),
        ("next_hunk_120x40", Command::NextHunk, Command::Top),
    ] {
        let mut steps = 0usize;
        g.bench_function(name, |b| {
            b.iter(|| {
                steps += 1;
                // At the end of the diff, start over from the top (a frame too).
                let c = if steps.is_multiple_of(2_000) {
                    back
                } else {
                    command
                };
                update(&mut state, Action::Command(c));
                terminal
                    .draw(|f| phasegate::ui::view(&state, &mut view, &theme, f))
                    .map(|_| ())
                    .expect("draw");
            })
        });
    }
    g.finish();
}

/// Bytes per scrolled line of the diff pane through the real backend, over 200 one-line
/// scrolls from the top of the 20,000-line diff (folds on: hunks, context and fold lines).
fn bytes_per_scrolled_line(
    state: &State,
    theme: &Theme,
    hardware_scroll: bool,
    unfolded: bool,
) -> f64 {
    let mut state = state.clone();
    if unfolded {
        update(&mut state, Action::Command(Command::ToggleFolds));
    }
    update(&mut state, Action::Command(Command::Top));
    let mut backend = ShadowBackend::with_size(std::io::sink(), Size::new(120, 40));
    backend.set_hardware_scroll(hardware_scroll);
    let mut terminal = Terminal::new(backend).expect("terminal");
    let mut view = phasegate::ui::ViewState::default();
    let mut frame = |terminal: &mut Terminal<ShadowBackend<std::io::Sink>>, state: &State| {
        terminal.backend_mut().begin_frame().expect("begin");
        terminal
            .draw(|f| phasegate::ui::view(state, &mut view, theme, f))
            .expect("draw");
        terminal.backend_mut().end_frame().expect("end");
    };
    frame(&mut terminal, &state);
    let start = terminal.backend().bytes_written();
    let steps = 200;
    for _ in 0..steps {
        update(&mut state, Action::Command(Command::MoveDown));
        frame(&mut terminal, &state);
    }
    (terminal.backend().bytes_written() - start) as f64 / f64::from(steps)
}

fn report_bytes(c: &mut Criterion) {
    let _ = c;
    let (design, as_built) = documents();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = engagement_with(dir.path(), &design, &as_built);
    let loaded = engagement::load(&root).expect("load");
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    update(&mut state, Action::EngagementLoaded(Box::new(loaded)));
    update(&mut state, Action::Command(Command::ShowDiff));
    let theme = Theme::default();
    for unfolded in [false, true] {
        println!(
            "diff pane, bytes per scrolled line at 120x40 ({}): {:.0} with hardware scrolling, {:.0} without (bar 400)",
            if unfolded {
                "unfolded: the whole document"
            } else {
                "folded: hunks and context"
            },
            bytes_per_scrolled_line(&state, &theme, true, unfolded),
            bytes_per_scrolled_line(&state, &theme, false, unfolded)
        );
    }
}

criterion_group!(benches, bench_compute, bench_frames, report_bytes);
criterion_main!(benches);
