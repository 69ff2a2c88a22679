//! Editing a 50,000-line artifact through the real driver (`route` → `update` → effects): the
//! editor's textarea holds only a window of lines around the cursor, so edits near and across
//! the window's edges, undo and redo, and the save must still give exactly the text a plain
//! model of the same keys gives, byte for byte on disk.

mod common;

use common::app::{ctx, sample_workspace};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::driver::Driver;
use phasegate::app::effect::Effect;
use phasegate::app::router::route;
use phasegate::app::{Keys, Mode, Screen, State, WorkspaceState};

const LINES: usize = 50_000;

/// The keys, and the text as a plain model edits it.
struct Session<'c> {
    state: State,
    driver: Driver<'c>,
    model: Vec<String>,
    /// The model's cursor: (row, char).
    at: (usize, usize),
}

impl Session<'_> {
    fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        if let Some(action) = route(&self.state, KeyEvent::new(code, mods)) {
            self.driver.dispatch(&mut self.state, action);
        }
    }

    fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    fn cursor(&self) -> (usize, usize) {
        let c = self
            .state
            .engagement
            .as_ref()
            .expect("open")
            .editor
            .cursor();
        (c.0, c.1)
    }

    fn text(&self) -> String {
        self.state.engagement.as_ref().expect("open").editor.text()
    }

    /// Checks the buffer against the model (text and cursor).
    fn check(&self, when: &str) {
        assert_eq!(self.cursor(), self.at, "cursor {when}");
        let text = self.text();
        if text != self.model.join("\n") {
            let got: Vec<&str> = text.split('\n').collect();
            let first = got
                .iter()
                .zip(&self.model)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(self.model.len()));
            panic!(
                "text {when}: first difference at line {} (buffer {:?}, model {:?}); {} lines, model {}",
                first + 1,
                got.get(first),
                self.model.get(first),
                got.len(),
                self.model.len()
            );
        }
    }

    fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.press(KeyCode::Char(c));
            let (row, col) = self.at;
            let line = &mut self.model[row];
            let byte = line.char_indices().nth(col).map_or(line.len(), |(b, _)| b);
            line.insert(byte, c);
            self.at.1 += 1;
        }
    }

    fn enter(&mut self) {
        self.press(KeyCode::Enter);
        let (row, col) = self.at;
        let line = &mut self.model[row];
        let byte = line.char_indices().nth(col).map_or(line.len(), |(b, _)| b);
        let rest = line.split_off(byte);
        self.model.insert(row + 1, rest);
        self.at = (row + 1, 0);
    }

    fn backspace(&mut self) {
        self.press(KeyCode::Backspace);
        let (row, col) = self.at;
        if col > 0 {
            let line = &mut self.model[row];
            let byte = line.char_indices().nth(col - 1).map_or(0, |(b, _)| b);
            line.remove(byte);
            self.at.1 -= 1;
        } else if row > 0 {
            let line = self.model.remove(row);
            let prev = &mut self.model[row - 1];
            self.at = (row - 1, prev.chars().count());
            prev.push_str(&line);
        }
    }

    fn down(&mut self, n: usize) {
        for _ in 0..n {
            self.press(KeyCode::Down);
        }
        // Every line of the text is ASCII and the column 0 here: plain moves.
        self.at.0 = (self.at.0 + n).min(self.model.len() - 1);
    }
}

#[test]
fn a_50000_line_artifact_edits_undoes_and_saves_exactly() {
    let (_dir, ws) = sample_workspace();
    let root = ws.join("firewall-drift");
    let spec = root.join("customer-spec.md");
    let original = std::fs::read_to_string(&spec).expect("spec");
    let mut text = original.clone();
    for i in 0..LINES - original.lines().count() {
        text.push_str(&format!("filler line {i}: plain prose, no IDs\n"));
    }
    std::fs::write(&spec, &text).expect("write spec");
    let model: Vec<String> = text.split('\n').map(str::to_string).collect();
    assert!(model.len() > LINES);

    let ctx = ctx();
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    state.workspace = Some(WorkspaceState {
        root: ws.clone(),
        ..WorkspaceState::default()
    });
    let mut s = Session {
        state,
        driver: Driver::new(&ctx),
        model,
        at: (0, 0),
    };
    s.driver
        .run(&mut s.state, Effect::Load { root: root.clone() });
    assert_eq!(s.state.screen, Screen::Engagement);
    s.press(KeyCode::Char('e'));
    assert_eq!(s.state.mode, Mode::Edit, "the spec is editable");

    // Typing at the top.
    s.type_str("Top: ");
    s.check("after typing at the top");

    // Down past the window's edge (a few hundred lines), then type and split a line there.
    s.press(KeyCode::Home);
    s.at.1 = 0;
    s.down(700);
    s.check("after moving down 700 lines");
    s.type_str("mid ");
    s.enter();
    s.type_str("new line");
    s.enter();
    s.check("after typing and newlines at line 700");

    // Backspace at the line starts walks up, joining lines, across the window's edge.
    s.press(KeyCode::Home);
    s.at.1 = 0;
    for _ in 0..450 {
        s.press(KeyCode::Home);
        s.at.1 = 0;
        s.backspace();
    }
    s.check("after joining 450 lines upwards");

    // A selection reaching past the window, deleted at once.
    s.press(KeyCode::Home);
    s.at.1 = 0;
    for _ in 0..600 {
        s.key(KeyCode::Down, KeyModifiers::SHIFT);
    }
    let (row, _) = s.at;
    let selection = s
        .state
        .engagement
        .as_ref()
        .and_then(|e| e.editor.selection_range());
    assert_eq!(selection, Some(((row, 0), (row + 600, 0))), "the selection");
    s.press(KeyCode::Backspace);
    s.model.drain(row..row + 600);
    s.check("after deleting a 600-line selection");

    // The last line (empty: the file ends with a newline), then far away again.
    s.key(KeyCode::End, KeyModifiers::CONTROL);
    s.at = (s.model.len() - 1, 0);
    s.type_str("the end");
    s.check("after typing on the last line");
    s.driver.recheck(&mut s.state);

    // Undo takes back the last word typed; redo puts it back; undo twice more.
    let before_undo = (s.model.clone(), s.at);
    s.key(KeyCode::Char('z'), KeyModifiers::CONTROL);
    let last = s.model.len() - 1;
    s.model[last] = "the ".into();
    s.at = (last, 4);
    s.check("after undo");
    s.key(KeyCode::Char('y'), KeyModifiers::CONTROL);
    (s.model, s.at) = before_undo;
    s.check("after redo");
    s.key(KeyCode::Char('z'), KeyModifiers::CONTROL);
    s.key(KeyCode::Char('z'), KeyModifiers::CONTROL);
    s.model[last] = String::new();
    s.at = (last, 0);
    s.check("after undoing the whole last line");
    s.key(KeyCode::Char('y'), KeyModifiers::CONTROL);
    s.key(KeyCode::Char('y'), KeyModifiers::CONTROL);
    s.model[last] = "the end".into();
    s.at = (last, 7);
    s.check("after redoing it");

    // Save: the file holds the model's text, a final newline added (a text file ends with one).
    s.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
    s.driver.recheck(&mut s.state);
    let saved = std::fs::read(&spec).expect("saved spec");
    let mut expected = s.model.join("\n");
    expected.push('\n');
    assert!(
        saved == expected.as_bytes(),
        "saved bytes differ from the model ({} vs {} bytes)",
        saved.len(),
        expected.len()
    );
    let e = s.state.engagement.as_ref().expect("open");
    assert!(!e.dirty, "clean after the save");
}

/// The live re-check runs one evaluation at a time: edits made while one runs are not taken
/// then (the text is copied once per evaluation, not per key), and the next re-check, due as
/// soon as the running one reports, has every one of them.
#[test]
fn the_live_recheck_waits_for_the_running_one_then_sees_every_edit() {
    use phasegate::app::action::Action;
    use phasegate::app::driver::recheck_due;
    use phasegate::app::run::run_effect;
    use phasegate::app::update::update;

    let (_dir, ws) = sample_workspace();
    let ctx = ctx();
    let mut state = State::new("reviewer", Keys::default(), (120, 40));
    let mut driver = Driver::new(&ctx);
    driver.run(
        &mut state,
        Effect::Load {
            root: ws.join("firewall-drift"),
        },
    );
    let mut press = |state: &mut State, c: char| {
        if let Some(action) = route(state, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)) {
            driver.dispatch(state, action);
        }
    };
    press(&mut state, 'e');
    for c in "Qz1".chars() {
        press(&mut state, c);
    }
    assert!(recheck_due(&state));
    let mut first = update(&mut state, Action::LiveRecheck);
    let Some(Effect::Evaluate(job)) = first.pop() else {
        panic!("a re-check job");
    };
    assert!(format!("{job:?}").contains("Qz1"));
    // Typed while it runs: not due until it reports.
    press(&mut state, '2');
    assert!(!recheck_due(&state), "waits for the running re-check");
    for action in run_effect(Effect::Evaluate(job), &ctx) {
        let _ = update(&mut state, action);
    }
    assert!(recheck_due(&state), "due again once it reported");
    let mut second = update(&mut state, Action::LiveRecheck);
    let Some(Effect::Evaluate(job)) = second.pop() else {
        panic!("a second re-check job");
    };
    assert!(
        format!("{job:?}").contains("Qz12"),
        "the edit made meanwhile"
    );
    for action in run_effect(Effect::Evaluate(job), &ctx) {
        let _ = update(&mut state, action);
    }
    assert!(!recheck_due(&state), "settled");
}
