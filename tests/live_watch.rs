//! The live engagement directory with real files and the real watcher: the app's `State`,
//! `update()`, the effects and `tui::subscriptions::Runtime` (the watcher subscription and the
//! autosave deadline) driven exactly as the event loop drives them, minus the terminal.
//!
//! Outside edits are made the way editors and tools make them: in place, temp file + rename,
//! `sed -i`, delete and recreate, rename to a backup + write (vim's default), many files at once,
//! a 200-file `build/` swapped in, a second process appending to the journal. Every wait polls
//! for the expected state with a 10 s deadline; nothing sleeps for a fixed time and nothing
//! counts or orders watcher events.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::copy_dir;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::action::Action;
use phasegate::app::driver::Driver;
use phasegate::app::keys::Command;
use phasegate::app::model::live::{Live, LiveView, Stage};
use phasegate::app::router::route;
use phasegate::app::run::EffectContext;
use phasegate::app::{Keys, Mode, Severity, State};
use phasegate::config::Theme;
use phasegate::domain::artifact::Artifact;
use phasegate::domain::evaluate::GateState;
use phasegate::domain::journal::{GateId, Stamp};
use phasegate::domain::time::Timestamp;
use phasegate::store::engagement;
use phasegate::store::watch::{WatchEvent, WatchMode, Watcher};
use phasegate::tui::subscriptions::{Received, Runtime};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui_textarea::{Input, Key};

const DEADLINE: Duration = Duration::from_secs(10);
const SPEC: &str = "customer-spec.md";

fn stamp() -> Stamp {
    Stamp {
        at: Timestamp::parse("2026-11-20T12:00:00Z").unwrap_or(Timestamp::from_unix(0)),
        actor: "owner".into(),
        os_user: "owner@test".into(),
    }
}

/// A fresh engagement from the templates in a temp workspace.
fn fresh() -> (tempfile::TempDir, PathBuf) {
    let ws = tempfile::tempdir().expect("tempdir");
    let root = engagement::create(ws.path(), "live", "Live test", "owner", None, &stamp())
        .expect("create engagement");
    (ws, root)
}

/// A copy of a sample engagement.
fn sample(slug: &str) -> (tempfile::TempDir, PathBuf) {
    let ws = tempfile::tempdir().expect("tempdir");
    let root = ws.path().join(slug);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-engagements")
            .join(slug),
        &root,
    );
    (ws, root)
}

/// The app as the event loop runs it.
struct App {
    state: State,
    rx: Receiver<Action>,
    runtime: Runtime,
    ctx: EffectContext,
    root: PathBuf,
    /// Every toast shown, in order.
    toasts: Vec<String>,
}

impl App {
    fn open(root: &Path) -> App {
        App::open_with(root, None)
    }

    fn open_with(root: &Path, polling: Option<Duration>) -> App {
        let loaded = engagement::load(root).expect("engagement loads");
        let (tx, rx) = mpsc::channel();
        let mut runtime = Runtime::new(move |a| {
            let _ = tx.send(a);
        });
        if let Some(every) = polling {
            runtime = runtime.with_polling(every);
        }
        let mut app = App {
            state: State::new("reviewer", Keys::default(), (120, 40)),
            rx,
            runtime,
            ctx: EffectContext {
                actor: "reviewer".into(),
                os_user: "reviewer@test".into(),
                clock: Box::new(|| Timestamp::from_unix(1_795_000_000)),
                signing: None,
            },
            root: root.to_path_buf(),
            toasts: Vec::new(),
        };
        app.dispatch(Action::EngagementLoaded(Box::new(loaded)));
        app.wait_for("the watcher to arm", |s| s.live.mode.is_some());
        app
    }

    fn dispatch(&mut self, action: Action) {
        let mut driver = Driver::new(&self.ctx);
        driver.dispatch(&mut self.state, action);
        // As the event loop: the subscription sees the state before the live re-check runs.
        self.runtime.observe(&self.state);
        driver.recheck(&mut self.state);
        if let Some(t) = &self.state.toast
            && self.toasts.last() != Some(&t.text)
        {
            self.toasts.push(t.text.clone());
        }
    }

    /// Runs the loop until `pred` holds, up to the deadline.
    #[track_caller]
    fn wait_for(&mut self, what: &str, pred: impl Fn(&State) -> bool) {
        let until = Instant::now() + DEADLINE;
        loop {
            if pred(&self.state) {
                return;
            }
            match self.runtime.wait(&self.rx, Some(until)) {
                Received::Message(a) => self.dispatch(a),
                Received::Due => self.dispatch(Runtime::due()),
                Received::TimedOut | Received::Closed => panic!(
                    "timed out after {DEADLINE:?} waiting for {what}\ntoasts: {:#?}\nbuffer:\n{}",
                    self.toasts,
                    self.buffer()
                ),
            }
        }
    }

    fn key(&mut self, c: Command) {
        self.dispatch(Action::Command(c));
    }

    /// A key press routed through the default keymap, as the terminal delivers it.
    fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        if let Some(a) = route(&self.state, KeyEvent::new(code, modifiers)) {
            self.dispatch(a);
        }
    }

    fn press_text(&mut self, s: &str) {
        for ch in s.chars() {
            self.press(KeyCode::Char(ch), KeyModifiers::NONE);
        }
    }

    fn type_text(&mut self, s: &str) {
        for ch in s.chars() {
            let key = if ch == '\n' {
                Key::Enter
            } else {
                Key::Char(ch)
            };
            self.dispatch(Action::Text(Input {
                key,
                ctrl: false,
                alt: false,
                shift: false,
            }));
        }
    }

    fn buffer(&self) -> String {
        self.state
            .engagement
            .as_ref()
            .map(|e| e.editor.text())
            .unwrap_or_default()
    }

    fn dirty(&self) -> bool {
        self.state.engagement.as_ref().is_some_and(|e| e.dirty)
    }

    fn disk(&self, file: &str) -> Option<String> {
        fs::read_to_string(self.root.join(file)).ok()
    }

    fn cursor(&self) -> (usize, usize) {
        let c = self.state.engagement.as_ref().map(|e| e.editor.cursor());
        c.map_or((0, 0), |c| (c.0, c.1))
    }

    fn saw_toast(&self, needle: &str) -> bool {
        self.toasts.iter().any(|t| t.contains(needle))
    }

    /// Draws at a few sizes: nothing panics and the screen says `needle` at a usable size.
    #[track_caller]
    fn draws(&self, needle: &str) {
        let theme = Theme::default();
        let mut view = phasegate::ui::ViewState::default();
        for (w, h) in [(120, 40), (80, 24), (30, 8), (1, 1)] {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            terminal
                .draw(|f| phasegate::ui::view(&self.state, &mut view, &theme, f))
                .expect("draw");
            if w >= 80 {
                let text: String = terminal
                    .backend()
                    .buffer()
                    .content
                    .iter()
                    .map(|c| c.symbol())
                    .collect();
                let rows: Vec<String> = text
                    .chars()
                    .collect::<Vec<_>>()
                    .chunks(usize::from(w))
                    .map(|c| c.iter().collect())
                    .collect();
                assert!(
                    text.contains(needle),
                    "{w}x{h} lacks `{needle}`:\n{}",
                    rows.join("\n")
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// How other programs save

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SaveStyle {
    /// `echo … > file`: truncate and write the same inode.
    InPlace,
    /// Most editors: write a temp file next to it, rename it over.
    TempRename,
    /// `sed -i`: GNU sed's temp file + rename.
    SedI,
    /// Delete, then create anew.
    DeleteRecreate,
    /// vim's default: rename the original to `file~`, write a new file, remove the backup.
    BackupRename,
}

const STYLES: [SaveStyle; 5] = [
    SaveStyle::InPlace,
    SaveStyle::TempRename,
    SaveStyle::SedI,
    SaveStyle::DeleteRecreate,
    SaveStyle::BackupRename,
];

/// Appends `line` to `path` the way `style` saves.
fn outside_append(style: SaveStyle, path: &Path, line: &str) {
    let old = fs::read_to_string(path).unwrap_or_default();
    let mut new = old.clone();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(line);
    new.push('\n');
    let dir = path.parent().expect("parent");
    let name = path
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned();
    match style {
        SaveStyle::InPlace => {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)
                .expect("open in place");
            f.write_all(new.as_bytes()).expect("write");
        }
        SaveStyle::TempRename => {
            let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
            fs::write(&tmp, &new).expect("write temp");
            fs::rename(&tmp, path).expect("rename");
        }
        SaveStyle::SedI => {
            let status = Process::new("sed")
                .arg("-i")
                .arg(format!("$a {line}"))
                .arg(path)
                .status()
                .expect("run sed");
            assert!(status.success(), "sed -i failed");
        }
        SaveStyle::DeleteRecreate => {
            fs::remove_file(path).expect("delete");
            fs::write(path, &new).expect("recreate");
        }
        SaveStyle::BackupRename => {
            let backup = dir.join(format!("{name}~"));
            fs::rename(path, &backup).expect("rename to backup");
            fs::write(path, &new).expect("write new");
            fs::remove_file(&backup).expect("remove backup");
        }
    }
}

fn recovery_files(root: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(root.join(".phasegate/recovery"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        fs::read_to_string(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// Clean buffers follow the disk

#[test]
fn clean_buffer_reloads_in_place_for_every_save_style() {
    for style in STYLES {
        let (_ws, root) = fresh();
        let mut app = App::open(&root);
        for _ in 0..4 {
            app.key(Command::MoveDown);
        }
        app.key(Command::MoveRight);
        let before = app.cursor();
        let line = format!("- outside edit by {style:?}");
        outside_append(style, &root.join(SPEC), &line);
        let disk = app.disk(SPEC).expect("spec exists");
        app.wait_for(&format!("{style:?}: the buffer to follow the disk"), |s| {
            s.engagement
                .as_ref()
                .is_some_and(|e| e.editor.text() == disk && !e.dirty)
        });
        assert!(
            app.saw_toast("reloaded: customer-spec.md changed on disk"),
            "{style:?}: {:?}",
            app.toasts
        );
        assert!(Live::conflict_of(&app.state).is_none());
        if style != SaveStyle::DeleteRecreate {
            // (A delete seen on its own empties the buffer before the file is back.)
            assert_eq!(app.cursor(), before, "{style:?}: the cursor stays");
        }
    }
}

#[test]
fn edits_undone_back_to_the_disk_text_do_not_conflict() {
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    app.key(Command::Edit);
    app.type_text("x");
    app.key(Command::Undo);
    // Issue 9: undo back to the saved text is not modified any more.
    assert!(!app.dirty(), "undone back to the disk text");
    outside_append(SaveStyle::TempRename, &root.join(SPEC), "- theirs");
    let disk = app.disk(SPEC).expect("spec");
    app.wait_for("the reload", |s| {
        s.engagement
            .as_ref()
            .is_some_and(|e| e.editor.text() == disk && !e.dirty)
    });
    assert!(Live::conflict_of(&app.state).is_none());
}

#[test]
fn many_files_changed_at_once_like_git_checkout() {
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    let files = [
        SPEC,
        "feasibility.md",
        "solution-design.md",
        "engagement.toml",
    ];
    for (i, f) in files.iter().enumerate() {
        let path = root.join(f);
        let text = fs::read_to_string(&path).expect("read");
        let text = if *f == "engagement.toml" {
            text.replace("title = \"Live test\"", "title = \"Checked out\"")
        } else {
            format!("{text}\nchanged by checkout {i}\n")
        };
        let tmp = root.join(format!(".git-tmp-{i}"));
        fs::write(&tmp, text).expect("write");
        fs::rename(&tmp, &path).expect("rename");
    }
    let root2 = root.clone();
    app.wait_for("every file to match the disk", move |s| {
        let Some(e) = &s.engagement else { return false };
        Artifact::ALL.iter().all(|a| {
            e.engagement.texts.get(a).map(String::as_str)
                == fs::read_to_string(root2.join(a.file_name()))
                    .ok()
                    .as_deref()
        }) && e.engagement.meta.title == "Checked out"
            && e.editor.text() == fs::read_to_string(root2.join(SPEC)).unwrap_or_default()
    });
}

#[test]
fn a_200_file_build_tree_replaced_at_once() {
    let (ws, root) = fresh();
    let build = root.join("build");
    fs::create_dir_all(build.join("templates")).expect("mkdir");
    for i in 0..200 {
        let sub = if i % 2 == 0 { "" } else { "templates/" };
        fs::write(build.join(format!("{sub}f{i:03}.j2")), format!("old {i}\n")).expect("write");
    }
    let mut app = App::open(&root);
    let matches_disk = |root: PathBuf| {
        move |s: &State| {
            s.engagement
                .as_ref()
                .is_some_and(|e| e.engagement.build_files == engagement::list_build_files(&root))
        }
    };
    app.wait_for("the first listing", matches_disk(root.clone()));

    // A new tree built elsewhere, swapped in with two renames (a checkout of another branch).
    let staged = ws.path().join("build.new");
    fs::create_dir_all(staged.join("templates")).expect("mkdir");
    fs::create_dir_all(staged.join("scripts")).expect("mkdir");
    for i in 0..200 {
        let sub = ["", "templates/", "scripts/"][i % 3];
        fs::write(
            staged.join(format!("{sub}g{i:03}.j2")),
            format!("new {i}\n"),
        )
        .expect("write");
    }
    fs::rename(&build, ws.path().join("build.old")).expect("move old away");
    fs::rename(&staged, &build).expect("swap in");
    app.wait_for("the swapped tree", matches_disk(root.clone()));
    let files = app
        .state
        .engagement
        .as_ref()
        .map(|e| e.engagement.build_files.len());
    assert_eq!(files, Some(200));

    // Then every file rewritten in place at once (a formatter run over the tree).
    for i in 0..200 {
        let sub = ["", "templates/", "scripts/"][i % 3];
        fs::write(
            build.join(format!("{sub}g{i:03}.j2")),
            format!("formatted {i}\n"),
        )
        .expect("write");
    }
    app.wait_for("the rewritten tree", matches_disk(root.clone()));
    let e = app.state.engagement.as_ref().expect("engagement");
    let disk = engagement::list_build_files(&root);
    assert_eq!(e.engagement.build_files, disk);
}

// ---------------------------------------------------------------------------------------------
// Dirty buffers conflict

/// A dirty buffer, an outside save in `style`; the conflict is raised and saving is refused.
fn conflict_with(style: SaveStyle) -> (tempfile::TempDir, App, String) {
    let (ws, root) = fresh();
    let mut app = App::open(&root);
    app.key(Command::Edit);
    app.type_text("MY WORDS, NOT SAVED\n");
    assert!(app.dirty());
    let line = format!("- their edit by {style:?}");
    outside_append(style, &root.join(SPEC), &line);
    let disk = app.disk(SPEC).expect("spec exists");
    let want = Some(disk.clone());
    app.wait_for(&format!("{style:?}: the conflict"), move |s| {
        Live::conflict_of(s).is_some_and(|c| c.disk == want)
    });
    assert!(app.buffer().starts_with("MY WORDS, NOT SAVED\n"));
    assert!(
        !app.buffer().contains(&line),
        "the buffer is never overwritten"
    );
    assert!(app.saw_toast("CONFLICT: customer-spec.md changed on disk"));
    // Saving is refused until it is resolved. While typing, the editor stays (letters are text)
    // and the refusal says how to reach the conflict view.
    app.key(Command::Save);
    assert_eq!(
        app.disk(SPEC),
        Some(disk.clone()),
        "{style:?}: disk untouched"
    );
    assert_eq!(app.state.mode, Mode::Edit);
    assert!(app.state.live.view.is_none());
    assert!(app.saw_toast("Esc then C compares"), "{:?}", app.toasts);
    // Out of edit mode, the refused save opens the conflict view.
    app.key(Command::Leave);
    app.key(Command::Save);
    assert_eq!(app.disk(SPEC), Some(disk.clone()));
    assert!(matches!(
        app.state.live.view,
        Some(LiveView::Conflict { .. })
    ));
    app.draws("keep mine");
    (ws, app, disk)
}

#[test]
fn dirty_buffer_conflicts_for_every_save_style_and_keep_mine_saves_over() {
    for style in [SaveStyle::InPlace, SaveStyle::SedI] {
        let (_ws, mut app, _) = conflict_with(style);
        let mine = app.buffer();
        app.key(Command::KeepMine);
        assert_eq!(app.disk(SPEC), Some(mine.clone()), "{style:?}");
        app.wait_for("a clean buffer", |s| {
            s.engagement.as_ref().is_some_and(|e| !e.dirty) && Live::conflict_of(s).is_none()
        });
        // The autosave went with the save.
        assert!(
            recovery_files(&app.root).iter().all(|(n, _)| n != SPEC),
            "{:?}",
            recovery_files(&app.root)
        );
    }
}

#[test]
fn take_disk_keeps_my_text_in_a_recovery_file() {
    for style in [SaveStyle::TempRename, SaveStyle::BackupRename] {
        let (_ws, mut app, disk) = conflict_with(style);
        let mine = app.buffer();
        app.key(Command::TakeDisk);
        assert_eq!(app.buffer(), disk, "{style:?}: the buffer is the disk's");
        assert!(!app.dirty());
        let kept = recovery_files(&app.root);
        assert!(
            kept.iter()
                .any(|(n, t)| n.starts_with("customer-spec.md.mine-") && *t == mine),
            "{style:?}: my text is in a recovery file: {kept:?}"
        );
        assert_eq!(app.disk(SPEC), Some(disk));
    }
}

/// `m` merges three ways (issue 15): their edit (another line) is applied, nothing is retyped,
/// and with no conflicting hunk the merge is resolved and saves at once. (The refusal of a save
/// while conflicting hunks are being merged is covered in `ui_live_views`.)
#[test]
fn merge_applies_their_edit_then_save() {
    let (_ws, mut app, disk) = conflict_with(SaveStyle::DeleteRecreate);
    app.key(Command::MergeEdit);
    assert_eq!(app.state.mode, Mode::Edit);
    let merged = app.buffer();
    assert!(merged.contains("MY WORDS"), "{merged}");
    assert_eq!(merged.matches("their edit by DeleteRecreate").count(), 1);
    assert!(!merged.contains("<<<<<<<"));
    assert_ne!(Some(merged.clone()), Some(disk));
    assert_eq!(
        Live::conflict_of(&app.state).map(|c| c.stage),
        Some(Stage::Resolved)
    );
    app.key(Command::Save);
    assert_eq!(app.disk(SPEC), Some(merged));
    app.wait_for("no conflict", |s| Live::conflict_of(s).is_none());
}

#[test]
fn a_save_over_a_change_the_watcher_has_not_reported_yet_is_refused() {
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    app.key(Command::Edit);
    app.type_text("mine\n");
    // Written and saved before any watcher event can be processed: the compare-and-swap under
    // the lock still catches it.
    outside_append(SaveStyle::InPlace, &root.join(SPEC), "theirs");
    let disk = app.disk(SPEC);
    app.key(Command::Save);
    assert_eq!(app.disk(SPEC), disk, "not overwritten");
    assert!(Live::conflict_of(&app.state).is_some());
    // Still typing: no view takes the keys; out of edit mode the save opens it.
    assert!(app.state.live.view.is_none());
    app.key(Command::Leave);
    app.key(Command::Save);
    assert_eq!(app.disk(SPEC), disk, "not overwritten");
    assert!(matches!(
        app.state.live.view,
        Some(LiveView::Conflict { .. })
    ));
}

/// Issue 9, item 1: after a refused Ctrl-S in edit mode, a word starting with `o` ran "keep
/// mine" (overwriting a colleague's saved version with no copy) and the next letter vanished.
#[test]
fn letters_typed_after_a_refused_save_are_text_and_keep_mine_keeps_the_disk_version() {
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    app.press(KeyCode::Char('e'), KeyModifiers::NONE);
    assert_eq!(app.state.mode, Mode::Edit);
    app.press_text("mine\n");
    outside_append(
        SaveStyle::TempRename,
        &root.join(SPEC),
        "- theirs, saved by a colleague",
    );
    let theirs = app.disk(SPEC).expect("spec");
    app.press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    app.press_text("ok then");
    assert_eq!(
        app.disk(SPEC),
        Some(theirs.clone()),
        "the disk is untouched"
    );
    assert!(
        app.buffer().starts_with("mine\nok then"),
        "every letter is text: {:?}",
        app.buffer()
    );
    assert_eq!(app.state.mode, Mode::Edit);
    assert!(app.state.live.view.is_none());
    assert!(Live::conflict_of(&app.state).is_some());
    // The choices are in the conflict view: Esc, C, then keep mine.
    app.press(KeyCode::Esc, KeyModifiers::NONE);
    app.press(KeyCode::Char('C'), KeyModifiers::NONE);
    assert!(matches!(
        app.state.live.view,
        Some(LiveView::Conflict { .. })
    ));
    app.draws("keep mine");
    app.press(KeyCode::Char('o'), KeyModifiers::NONE);
    let mine = app.buffer();
    assert_eq!(app.disk(SPEC), Some(mine));
    // The colleague's version is kept, and the toast says where.
    let kept: Vec<(String, String)> = recovery_files(&app.root)
        .into_iter()
        .filter(|(n, _)| n.starts_with("customer-spec.md.disk-") && !n.ends_with(".owner"))
        .collect();
    assert_eq!(kept.len(), 1, "{:?}", recovery_files(&app.root));
    assert_eq!(kept[0].1, theirs);
    let toast = app.state.toast.as_ref().map(|t| t.text.clone());
    assert!(
        toast
            .as_deref()
            .is_some_and(|t| t.contains(&format!(".phasegate/recovery/{}", kept[0].0))),
        "{toast:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Deletion

#[test]
fn deleted_file_clean_and_dirty() {
    // Clean: the buffer follows (empty), and says so.
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    fs::remove_file(root.join(SPEC)).expect("delete");
    app.wait_for("the deletion", |s| {
        s.engagement
            .as_ref()
            .is_some_and(|e| !e.engagement.texts.contains_key(&Artifact::Spec))
    });
    assert_eq!(app.buffer(), "");
    assert!(app.saw_toast("customer-spec.md was deleted on disk"));

    // Dirty: a conflict; keeping mine writes the file back.
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    app.key(Command::Edit);
    app.type_text("keep me\n");
    let mine = app.buffer();
    fs::remove_file(root.join(SPEC)).expect("delete");
    app.wait_for("the deletion conflict", |s| {
        Live::conflict_of(s).is_some_and(|c| c.disk.is_none())
    });
    assert!(app.saw_toast("customer-spec.md was deleted on disk while you were editing"));
    assert_eq!(app.buffer(), mine);
    app.key(Command::ShowConflict);
    app.draws("(deleted)");
    app.key(Command::KeepMine);
    assert_eq!(app.disk(SPEC), Some(mine));
}

// ---------------------------------------------------------------------------------------------
// Own writes, the journal, engagement.toml

#[test]
fn own_saves_are_not_outside_changes() {
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    app.key(Command::Edit);
    app.type_text("saved by me\n");
    app.key(Command::Save);
    let buffer = app.buffer();
    assert_eq!(app.disk(SPEC), Some(buffer));
    // Something else changes afterwards; once that is seen, our own write was seen too.
    outside_append(SaveStyle::InPlace, &root.join("feasibility.md"), "- later");
    app.wait_for("the later change", |s| {
        s.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("feasibility.md changed on disk"))
    });
    assert!(
        !app.saw_toast("customer-spec.md changed"),
        "{:?}",
        app.toasts
    );
    assert!(Live::conflict_of(&app.state).is_none());
    assert!(!app.dirty());
}

fn phasegate(ws: &Path, actor: &str, args: &[&str]) -> std::process::Output {
    Process::new(env!("CARGO_BIN_EXE_phasegate"))
        .arg("--workspace")
        .arg(ws)
        .args(["--as", actor])
        .args(args)
        .env("PHASEGATE_CONFIG", ws.join("no-config.toml"))
        .env("PHASEGATE_NOW", "2026-11-20T12:00:00Z")
        .env_remove("PHASEGATE_WORKSPACE")
        .output()
        .expect("run phasegate")
}

/// Another process (carol, through the CLI) approves firewall-drift's Gate 1.
fn carol_approves_gate1(ws: &Path) -> std::process::Output {
    let mut args = vec!["gate", "1", "approve", "firewall-drift"];
    for id in ["G1-5", "G1-6", "G1-7", "G1-8"] {
        args.extend(["--check", id]);
    }
    phasegate(ws, "carol", &args)
}

/// Reviews Gate 1, ticks its four manual criteria and asks to approve (the confirmation opens).
fn ask_to_approve_gate1(app: &mut App) {
    app.key(Command::ReviewGate);
    for _ in 0..4 {
        app.key(Command::MoveDown);
    }
    for _ in 0..4 {
        app.key(Command::ToggleCriterion);
        app.key(Command::MoveDown);
    }
    app.key(Command::ApproveGate);
}

#[test]
fn another_process_approving_and_outside_edits_are_announced() {
    let (ws, root) = sample("firewall-drift");
    let mut app = App::open(&root);
    let out = carol_approves_gate1(ws.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.wait_for("Gate 1 approved", |s| {
        s.engagement
            .as_ref()
            .is_some_and(|e| e.disk.gate(GateId::One).state == GateState::Approved)
    });
    assert!(
        app.saw_toast("Gate 1 approved by carol"),
        "{:?}",
        app.toasts
    );

    // The spec edited in vim afterwards: Gate 1 turns stale under the user's eyes.
    outside_append(
        SaveStyle::BackupRename,
        &root.join(SPEC),
        "- REQ-99: slipped in",
    );
    app.wait_for("Gate 1 stale", |s| {
        s.engagement
            .as_ref()
            .is_some_and(|e| e.disk.gate(GateId::One).state == GateState::Stale)
    });
    assert!(app.saw_toast("Gate 1 is now STALE"), "{:?}", app.toasts);
    assert_eq!(
        app.state.toast.as_ref().map(|t| t.kind),
        Some(Severity::Error)
    );

    // engagement.toml edited by hand: re-derived.
    let meta = root.join("engagement.toml");
    let text = fs::read_to_string(&meta).expect("read");
    fs::write(
        &meta,
        text.replace(
            "Firewall rule compliance drift detection",
            "Firewall drift (renamed)",
        ),
    )
    .expect("write");
    app.wait_for("the new title", |s| {
        s.engagement
            .as_ref()
            .is_some_and(|e| e.engagement.meta.title == "Firewall drift (renamed)")
    });

    // A broken engagement.toml keeps the last good state and says so.
    fs::write(&meta, "schema = 1\ntitle = \n").expect("write");
    app.wait_for("the problem", |s| s.live.problem.is_some());
    assert!(app.state.engagement.is_some());
}

#[test]
fn a_confirmation_open_while_another_instance_decides_is_voided() {
    let (ws, root) = sample("firewall-drift");
    let mut app = App::open(&root);
    ask_to_approve_gate1(&mut app);
    assert!(app.state.overlay.is_some(), "{:?}", app.toasts);
    let out = carol_approves_gate1(ws.path());
    assert!(out.status.success());
    app.wait_for("the confirmation to close", |s| s.overlay.is_none());
    assert!(
        app.saw_toast("Gate 1 was decided elsewhere"),
        "{:?}",
        app.toasts
    );
    assert!(app.saw_toast("Gate 1 approved by carol"));
    // Exactly one approval in the journal.
    let journal = fs::read_to_string(root.join(".phasegate/journal.toml")).expect("journal");
    assert_eq!(journal.matches("kind = \"gate_approved\"").count(), 1);
}

#[test]
fn the_loser_of_concurrent_approvals_is_told_who_won() {
    let (ws, root) = sample("firewall-drift");
    let mut app = App::open(&root);
    ask_to_approve_gate1(&mut app);
    assert!(app.state.overlay.is_some(), "{:?}", app.toasts);
    // The other approval lands first; this one is confirmed before any watcher report is
    // processed, so it reaches the store and loses the compare-and-swap there.
    let out = carol_approves_gate1(ws.path());
    assert!(out.status.success());
    app.key(Command::Confirm);
    let toast = app.state.toast.clone().expect("told");
    assert_eq!(toast.kind, Severity::Error);
    assert!(toast.text.starts_with("refused"), "{}", toast.text);
    assert!(
        toast.text.contains("Gate 1 approved by carol"),
        "{}",
        toast.text
    );
    let e = app.state.engagement.as_ref().expect("engagement");
    assert_eq!(e.disk.gate(GateId::One).state, GateState::Approved);
    let journal = fs::read_to_string(root.join(".phasegate/journal.toml")).expect("journal");
    assert_eq!(journal.matches("kind = \"gate_approved\"").count(), 1);
    assert!(
        phasegate::domain::journal::parse_journal(&journal)
            .expect("parses")
            .broken
            .is_none()
    );
}

// ---------------------------------------------------------------------------------------------
// Crash recovery

#[test]
fn autosave_follows_typing_and_goes_with_the_save() {
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    app.key(Command::Edit);
    app.type_text("typed before a crash\n");
    let want = app.buffer();
    let path = root.join(".phasegate/recovery").join(SPEC);
    let p = path.clone();
    app.wait_for("the recovery file", move |_| {
        fs::read_to_string(&p).ok().as_deref() == Some(want.as_str())
    });
    // More typing: the file follows.
    app.type_text("and more\n");
    let want = app.buffer();
    let p = path.clone();
    app.wait_for("the updated recovery file", move |_| {
        fs::read_to_string(&p).ok().as_deref() == Some(want.as_str())
    });
    app.key(Command::Save);
    assert!(!path.exists(), "removed on save");
    assert!(!app.dirty());
}

#[test]
fn recovery_files_are_offered_on_open_restore_and_discard() {
    let (_ws, root) = fresh();
    let spec = fs::read_to_string(root.join(SPEC)).expect("spec");
    let dir = root.join(".phasegate/recovery");
    fs::create_dir_all(&dir).expect("mkdir");
    let recovered = format!("RECOVERED LINE\n{spec}");
    fs::write(dir.join(SPEC), &recovered).expect("write");
    fs::write(dir.join("feasibility.md.mine-0123456789ab"), "set aside\n").expect("write");
    // Identical to the disk: saved after all; cleaned up, not offered.
    let design = fs::read_to_string(root.join("solution-design.md")).expect("design");
    fs::write(dir.join("solution-design.md"), design).expect("write");

    let mut app = App::open(&root);
    app.wait_for("the recovery list", |s| {
        matches!(s.live.view, Some(LiveView::Recovery { .. })) && s.live.offered.len() == 2
    });
    assert!(!dir.join("solution-design.md").exists());
    app.draws("RECOVERED LINE");
    // Pick the spec's entry and restore it.
    let at = app
        .state
        .live
        .offered
        .iter()
        .position(|o| o.file.artifact == Artifact::Spec)
        .expect("offered");
    for _ in 0..at {
        app.key(Command::MoveDown);
    }
    app.key(Command::RestoreRecovery);
    assert_eq!(app.buffer(), recovered);
    assert!(app.dirty());
    app.key(Command::Save);
    assert_eq!(app.disk(SPEC), Some(recovered));
    assert!(!dir.join(SPEC).exists());
    // The other one: discard asks, and only an explicit yes deletes.
    app.key(Command::ShowRecovery);
    app.wait_for("the list again", |s| s.live.offered.len() == 1);
    app.key(Command::DiscardRecovery);
    assert!(dir.join("feasibility.md.mine-0123456789ab").exists());
    app.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(dir.join("feasibility.md.mine-0123456789ab").exists());
    app.key(Command::DiscardRecovery);
    app.press(KeyCode::Char('y'), KeyModifiers::NONE);
    assert!(!dir.join("feasibility.md.mine-0123456789ab").exists());
}

#[test]
fn another_running_instances_autosave_is_named_not_offered() {
    use phasegate::store::instance::{InstanceOwner, process_started};
    let (_ws, root) = fresh();
    let dir = root.join(".phasegate/recovery");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join(SPEC), "their live buffer\n").expect("write");
    // Owned by a process that is running: the test harness's parent.
    let parent = std::os::unix::process::parent_id();
    let other = InstanceOwner {
        pid: parent,
        started: process_started(parent).unwrap_or(0),
        ..InstanceOwner::current().clone()
    };
    fs::write(dir.join(format!("{SPEC}.owner")), other.to_toml()).expect("write owner");

    let mut app = App::open(&root);
    let who = format!("customer-spec.md is being edited by {}", other.describe());
    app.wait_for("the notice", |s| {
        s.toast.as_ref().is_some_and(|t| t.text.contains(&who))
    });
    assert!(app.state.live.offered.is_empty());
    assert!(app.state.live.view.is_none(), "no recovery dialog");
    app.key(Command::ShowRecovery);
    app.wait_for("the notice again", |s| {
        s.live.view.is_none() && s.toast.as_ref().is_some_and(|t| t.text.contains(&who))
    });
    app.key(Command::DiscardRecovery);
    app.key(Command::Confirm);
    assert!(dir.join(SPEC).exists(), "their text stays");
}

// ---------------------------------------------------------------------------------------------
// Polling (NFS, SMB, inotify limits)

#[test]
fn polling_sees_every_save_style_and_says_so() {
    let (_ws, root) = fresh();
    let mut app = App::open_with(&root, Some(Duration::from_millis(200)));
    assert!(matches!(
        app.state.live.mode,
        Some(WatchMode::Polling { .. })
    ));
    app.draws("polling every 0.2 s");
    for style in STYLES {
        outside_append(style, &root.join(SPEC), &format!("- polled {style:?}"));
        let disk = app.disk(SPEC).expect("spec");
        app.wait_for(&format!("{style:?} seen by polling"), |s| {
            s.engagement
                .as_ref()
                .is_some_and(|e| e.editor.text() == disk)
        });
    }
    fs::create_dir_all(root.join("build/deep")).expect("mkdir");
    fs::write(root.join("build/deep/x.cfg"), "x").expect("write");
    let r = root.clone();
    app.wait_for("the build file", move |s| {
        s.engagement.as_ref().is_some_and(|e| {
            e.engagement.build_files == engagement::list_build_files(&r)
                && !e.engagement.build_files.is_empty()
        })
    });
}

#[test]
fn store_watcher_reports_relative_paths() {
    let (_ws, root) = fresh();
    let (tx, rx) = mpsc::channel();
    let _w = Watcher::start(&root, move |ev| {
        let _ = tx.send(ev);
    });
    let armed = rx.recv_timeout(DEADLINE).expect("armed");
    assert!(matches!(armed, WatchEvent::Armed(_)), "{armed:?}");
    outside_append(
        SaveStyle::TempRename,
        &root.join(".phasegate/journal.toml"),
        "# x",
    );
    let until = Instant::now() + DEADLINE;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(WatchEvent::Changed(paths))
                if paths.iter().any(|p| p == ".phasegate/journal.toml") =>
            {
                break;
            }
            Ok(_) => {}
            Err(e) => panic!("no report of the journal: {e}"),
        }
    }
}

/// R while the recovery view is open (its list still coming, or made while another instance
/// held the file) looks again, rather than being swallowed by the view: pressed right after
/// that instance died, it must find the file free.
#[test]
fn r_in_the_recovery_view_looks_again() {
    use phasegate::app::effect::{Effect, LiveEffect};
    let (_ws, root) = fresh();
    let mut app = App::open(&root);
    let scans = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Live(LiveEffect::ScanRecovery {
                        open_view: true,
                        ..
                    })
                )
            })
            .count()
    };
    let press_r = |state: &mut State| {
        let action = route(state, KeyEvent::new(KeyCode::Char('R'), KeyModifiers::NONE))
            .expect("R is bound");
        phasegate::app::update::update(state, action)
    };
    let first = press_r(&mut app.state);
    assert_eq!(scans(&first), 1, "{first:?}");
    assert!(
        matches!(app.state.live.view, Some(LiveView::Recovery { .. })),
        "the view opens, waiting for the list"
    );
    let again = press_r(&mut app.state);
    assert_eq!(
        scans(&again),
        1,
        "R in the open view scans again: {again:?}"
    );
}
