//! `update(state, action) -> effects`: every state change, pure (no IO, no clock).

use ratatui_textarea::{CursorMove, Input, Key};

use super::action::Action;
use super::effect::Effect;
use super::keys::Command;
use super::{
    Confirm, Decision, EngagementState, Mode, Overlay, Pane, PromptKind, Review, Screen, State,
    WorkspaceState, gate_ahead,
};
use crate::domain::artifact::Artifact;
use crate::domain::criteria::CriterionKind;
use crate::domain::journal::{CriterionResult, EventBody};
use crate::domain::phase::Phase;
use crate::domain::rules::{Refusal, approve_gate};

/// Applies one action; returns the effects to run.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Resize(w, h) => {
            state.size = (w, h);
            Vec::new()
        }
        Action::Command(c) => {
            state.toast = None;
            state.pending_key = None;
            command(state, c)
        }
        Action::Prefix(Some(first), _) => {
            state.toast = None;
            state.pending_key = Some(first);
            Vec::new()
        }
        Action::Prefix(None, second) => {
            if let (Some(first), Some(second)) = (state.pending_key.take(), second)
                && second
                    != crate::config::keymap::KeyBinding::plain(crossterm::event::KeyCode::Esc)
            {
                state.info(format!("{first} {second} is not bound"));
            }
            Vec::new()
        }
        Action::Text(input) => {
            state.toast = None;
            text(state, input);
            Vec::new()
        }
        Action::Paste(s) => {
            state.toast = None;
            paste(state, &s);
            Vec::new()
        }
        Action::WorkspaceLoaded { rows, error } => {
            let ws = state.workspace.get_or_insert_with(WorkspaceState::default);
            ws.rows = rows;
            ws.error = error;
            let n = ws.visible().len();
            ws.selected = ws.selected.min(n.saturating_sub(1));
            Vec::new()
        }
        Action::EngagementLoaded(loaded) => {
            let loaded = *loaded;
            if state
                .engagement
                .as_ref()
                .is_some_and(|e| e.root == loaded.root)
            {
                // Same engagement: a clean buffer follows the disk, a dirty one may conflict.
                return super::live::reloaded(state, loaded, false);
            }
            state.engagement = Some(EngagementState::new(loaded));
            state.screen = Screen::Engagement;
            state.mode = Mode::View;
            state.pane = Pane::Editor;
            Vec::new()
        }
        Action::LoadFailed(m) | Action::Failed(m) => {
            state.error(m);
            Vec::new()
        }
        Action::Saved { artifact, text } => {
            let Some(e) = &mut state.engagement else {
                return Vec::new();
            };
            if e.shown_artifact() == Some(artifact) {
                e.saved_text = text.clone();
                if e.editor.text() == text {
                    e.dirty = false;
                }
                e.live_pending = true;
            }
            let root = e.root.clone();
            state.info(format!("saved {}", artifact.file_name()));
            vec![Effect::Load { root }]
        }
        Action::Committed(m) => {
            state.overlay = None;
            state.info(m);
            Vec::new()
        }
        Action::LiveEvaluated(evaluation) => {
            if let Some(e) = &mut state.engagement {
                e.apply_live(*evaluation);
            }
            Vec::new()
        }
        Action::EditorReturned => match &state.engagement {
            Some(e) => vec![Effect::Load {
                root: e.root.clone(),
            }],
            None => Vec::new(),
        },
        Action::Build(b) => super::build::on_action(state, b),
        Action::Live(l) => super::live::update(state, l),
        Action::Lifecycle(l) => super::lifecycle::on_action(state, l),
    }
}

fn quit_or_ask(state: &mut State) -> Vec<Effect> {
    if state.engagement.as_ref().is_some_and(|e| e.dirty) {
        state.overlay = Some(Overlay::Confirm(Confirm::QuitUnsaved));
        Vec::new()
    } else {
        state.quit = true;
        vec![Effect::Quit]
    }
}

fn command(state: &mut State, c: Command) -> Vec<Effect> {
    // Job control works wherever its key is bound, over any overlay: nothing is lost by it.
    if c == Command::Suspend {
        return vec![Effect::Suspend];
    }
    if let Some(overlay) = state.overlay.clone() {
        return overlay_command(state, overlay, c);
    }
    if super::live::view_open(state) {
        return super::live::view_command(state, c);
    }
    if state.screen == Screen::Engagement
        && let Some(effects) = super::live::command(state, c)
    {
        return effects;
    }
    match c {
        Command::ForceQuit => return quit_or_ask(state),
        Command::Help => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        Command::Messages => {
            state.overlay = Some(Overlay::Messages { scroll: 0 });
            return Vec::new();
        }
        _ => {}
    }
    match state.screen {
        Screen::Workspace => workspace_command(state, c),
        Screen::Engagement if state.mode == Mode::Edit => edit_command(state, c),
        Screen::Engagement => engagement_command(state, c),
    }
}

/// What a key does in a read-only scrolling overlay (help, the message log).
enum Scrolled {
    To(u16),
    Close,
    Quit,
    Ignored,
}

fn scrolled(state: &State, scroll: u16, c: Command) -> Scrolled {
    let page = state.size.1.saturating_sub(4).max(1);
    match c {
        Command::MoveDown => Scrolled::To(scroll.saturating_add(1)),
        Command::PageDown => Scrolled::To(scroll.saturating_add(page)),
        Command::MoveUp => Scrolled::To(scroll.saturating_sub(1)),
        Command::PageUp => Scrolled::To(scroll.saturating_sub(page)),
        Command::Top => Scrolled::To(0),
        Command::ForceQuit => Scrolled::Quit,
        // `q` closes the overlay, not the app.
        Command::Leave | Command::Cancel | Command::Help | Command::Confirm | Command::Quit => {
            Scrolled::Close
        }
        _ => Scrolled::Ignored,
    }
}

fn overlay_command(state: &mut State, overlay: Overlay, c: Command) -> Vec<Effect> {
    match overlay {
        Overlay::Help { scroll } => match scrolled(state, scroll, c) {
            Scrolled::To(scroll) => {
                state.overlay = Some(Overlay::Help { scroll });
                Vec::new()
            }
            Scrolled::Close => {
                state.overlay = None;
                Vec::new()
            }
            Scrolled::Quit => {
                state.overlay = None;
                quit_or_ask(state)
            }
            Scrolled::Ignored => Vec::new(),
        },
        Overlay::Messages { scroll } => match scrolled(state, scroll, c) {
            Scrolled::To(scroll) => {
                state.overlay = Some(Overlay::Messages { scroll });
                Vec::new()
            }
            Scrolled::Close => {
                state.overlay = None;
                Vec::new()
            }
            Scrolled::Quit => {
                state.overlay = None;
                quit_or_ask(state)
            }
            Scrolled::Ignored if c == Command::Messages => {
                state.overlay = None;
                Vec::new()
            }
            Scrolled::Ignored => Vec::new(),
        },
        Overlay::Confirm(kind) => match c {
            Command::Confirm => {
                state.overlay = None;
                match kind {
                    Confirm::QuitUnsaved => {
                        state.quit = true;
                        let mut effects = super::live::discarding(state);
                        effects.push(Effect::Quit);
                        effects
                    }
                    Confirm::Approve(d) => match &state.engagement {
                        Some(e) => vec![Effect::ApproveGate {
                            root: e.root.clone(),
                            gate: d.gate,
                            review: d.review,
                            reviewed: d.reviewed,
                        }],
                        None => Vec::new(),
                    },
                    Confirm::Reject(d) => match &state.engagement {
                        Some(e) => vec![Effect::RejectGate {
                            root: e.root.clone(),
                            gate: d.gate,
                            review: d.review,
                            reason: d.reason.unwrap_or_default(),
                            reviewed: d.reviewed,
                        }],
                        None => Vec::new(),
                    },
                }
            }
            Command::AddNote if matches!(kind, Confirm::Approve(_) | Confirm::Reject(_)) => {
                let input = match &kind {
                    Confirm::Approve(d) | Confirm::Reject(d) => d.review.note.clone(),
                    Confirm::QuitUnsaved => String::new(),
                };
                state.overlay = Some(Overlay::Prompt {
                    kind: PromptKind::Note {
                        decision: Box::new(kind),
                    },
                    input,
                });
                Vec::new()
            }
            Command::ForceQuit if kind == Confirm::QuitUnsaved => {
                state.overlay = None;
                state.quit = true;
                let mut effects = super::live::discarding(state);
                effects.push(Effect::Quit);
                effects
            }
            Command::Cancel | Command::Leave | Command::Quit => {
                state.overlay = None;
                Vec::new()
            }
            _ => Vec::new(),
        },
        Overlay::Build(_) if c == Command::ForceQuit => {
            state.overlay = None;
            quit_or_ask(state)
        }
        Overlay::Build(o) => super::build::overlay_command(state, o, c),
        Overlay::Lifecycle(_) if c == Command::ForceQuit => {
            state.overlay = None;
            quit_or_ask(state)
        }
        Overlay::Lifecycle(o) => super::lifecycle::overlay_command(state, o, c),
        Overlay::Prompt { kind, input } => match c {
            Command::Confirm => submit_prompt(state, kind, input),
            Command::Cancel | Command::Leave => {
                // Esc on a decision's note goes back to the decision, unchanged.
                state.overlay = match kind {
                    PromptKind::Note { decision } => Some(Overlay::Confirm(*decision)),
                    _ => None,
                };
                Vec::new()
            }
            Command::ForceQuit => {
                state.overlay = None;
                quit_or_ask(state)
            }
            Command::MoveUp | Command::MoveDown if kind == PromptKind::Search => {
                let input = match (c, &state.engagement) {
                    (Command::MoveUp, Some(e)) => e.search.clone(),
                    _ => String::new(),
                };
                state.overlay = Some(Overlay::Prompt { kind, input });
                Vec::new()
            }
            _ => Vec::new(),
        },
    }
}

fn submit_prompt(state: &mut State, kind: PromptKind, input: String) -> Vec<Effect> {
    state.overlay = None;
    if kind == PromptKind::CommandLine {
        return command_line(state, input.trim());
    }
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    match kind {
        PromptKind::Waive { criterion } => {
            if input.trim().is_empty() {
                state.error(format!("a waiver of {criterion} needs a reason"));
                return Vec::new();
            }
            e.review.checks.remove(&criterion);
            e.review
                .waivers
                .insert(criterion.clone(), input.trim().to_string());
            state.info(format!("{criterion} waived"));
        }
        PromptKind::RejectReason { gate } => {
            if input.trim().is_empty() {
                state.error(format!(
                    "a rejection of Gate {} needs a reason",
                    gate.number()
                ));
                return Vec::new();
            }
            let results = e
                .review_rows()
                .iter()
                .map(|(c, r)| (c.def.id.clone(), *r))
                .collect();
            let decision = Decision {
                gate,
                review: e.review.as_gate_review(),
                reviewed: e.disk.artifact_records(),
                approver: state.identity.clone(),
                results,
                reason: Some(input.trim().to_string()),
            };
            state.overlay = Some(Overlay::Confirm(Confirm::Reject(decision)));
        }
        // Handled above, before the engagement is borrowed.
        PromptKind::CommandLine => {}
        PromptKind::Note { decision } => {
            let mut decision = *decision;
            if let Confirm::Approve(d) | Confirm::Reject(d) = &mut decision {
                d.review.note = input.trim().to_string();
            }
            state.overlay = Some(Overlay::Confirm(decision));
        }
        PromptKind::Search => {
            if input.is_empty() {
                // An empty search clears the marks; the previous query stays one Up away.
                return Vec::new();
            }
            e.search = input;
            let found = find(e, true);
            report_match(state, found);
        }
    }
    Vec::new()
}

/// Moves the editor cursor to the next (or previous) line containing the search text,
/// wrapping around. Case-insensitive.
fn find(e: &mut EngagementState, forward: bool) -> bool {
    let needle = e.search.to_lowercase();
    if needle.is_empty() {
        return false;
    }
    let lines = e.editor.lines();
    let n = lines.len();
    if n == 0 {
        return false;
    }
    let ratatui_textarea::DataCursor(row, col) = e.editor.cursor();
    // The rest of the current line first, then the other lines, then the start of this one.
    if forward && let Some(line) = lines.get(row) {
        let start = line
            .char_indices()
            .nth(col.saturating_add(1))
            .map_or(line.len(), |(b, _)| b);
        if let Some(b) = line
            .get(start..)
            .and_then(|s| s.to_lowercase().find(&needle))
        {
            let c = line.get(..start + b).map_or(0, |p| p.chars().count());
            jump(e, row, c);
            return true;
        }
    }
    for step in 1..=n {
        let r = if forward {
            (row + step) % n
        } else {
            (row + n - (step % n)) % n
        };
        if let Some(line) = lines.get(r)
            && let Some(b) = line.to_lowercase().find(&needle)
        {
            let c = line.get(..b).map_or(0, |p| p.chars().count());
            jump(e, r, c);
            return true;
        }
    }
    false
}

/// Runs what was typed at `:`: `w` saves, `q` quits, `q!` quits from any mode, a number goes
/// to that line, anything else is a command name from help (`reopen-gate` works too).
fn command_line(state: &mut State, line: &str) -> Vec<Effect> {
    let c = match line {
        "" => return Vec::new(),
        "w" | "write" => Command::Save,
        "q" | "quit" => Command::Quit,
        "q!" | "quit!" => Command::ForceQuit,
        "wq" | "x" => {
            state.error(":wq is two steps here: :w saves, then :q quits once the save is on disk");
            return Vec::new();
        }
        "mes" | "messages" => Command::Messages,
        n if n.chars().all(|ch| ch.is_ascii_digit()) => {
            if let Some(e) = &mut state.engagement {
                let row = n.parse::<usize>().unwrap_or(usize::MAX).saturating_sub(1);
                jump(e, row, 0);
                state.pane = Pane::Editor;
            }
            return Vec::new();
        }
        name => match name.replace('-', "_").parse::<Command>() {
            Ok(c) => c,
            Err(e) => {
                state.error(format!(":{name}: {e}; ? lists every command"));
                return Vec::new();
            }
        },
    };
    command(state, c)
}

/// After a search step: "/vlan: match 2/7", or "not found".
fn report_match(state: &mut State, found: bool) {
    let Some(e) = &state.engagement else {
        return;
    };
    let needle = e.search.clone();
    if !found {
        state.error(format!("not found: {needle}"));
        return;
    }
    let matches = super::search_matches(e.editor.lines(), &needle);
    let ratatui_textarea::DataCursor(row, col) = e.editor.cursor();
    let n = matches
        .iter()
        .position(|m| *m == (row, col))
        .map_or(0, |i| i + 1);
    state.info(format!("/{needle}: match {n}/{}", matches.len()));
}

fn jump(e: &mut EngagementState, row: usize, col: usize) {
    e.editor.jump_to(row, col);
}

fn workspace_command(state: &mut State, c: Command) -> Vec<Effect> {
    let in_filter = state.mode == Mode::Filter;
    let Some(ws) = &mut state.workspace else {
        return match c {
            Command::Quit => quit_or_ask(state),
            _ => Vec::new(),
        };
    };
    let n = ws.visible().len();
    match c {
        Command::MoveDown => ws.selected = (ws.selected + 1).min(n.saturating_sub(1)),
        Command::MoveUp => ws.selected = ws.selected.saturating_sub(1),
        Command::Top => ws.selected = 0,
        Command::Bottom => ws.selected = n.saturating_sub(1),
        Command::PageDown => ws.selected = (ws.selected + 10).min(n.saturating_sub(1)),
        Command::PageUp => ws.selected = ws.selected.saturating_sub(10),
        Command::Filter | Command::Search if !in_filter => state.mode = Mode::Filter,
        Command::Leave | Command::Cancel => {
            if in_filter || !ws.filter.is_empty() {
                ws.filter.clear();
                ws.selected = 0;
            }
            state.mode = Mode::View;
        }
        Command::Confirm if in_filter => state.mode = Mode::View,
        Command::Open | Command::Confirm => {
            if in_filter {
                state.mode = Mode::View;
            }
            let root = ws.visible().get(ws.selected).map(|r| r.root.clone());
            if let Some(root) = root {
                return vec![Effect::Load { root }];
            }
        }
        Command::Quit if !in_filter => return quit_or_ask(state),
        Command::NewEngagement if !in_filter => {
            return super::lifecycle::open_new_engagement(state);
        }
        _ => {}
    }
    Vec::new()
}

fn dirty_refusal(e: &EngagementState, action: &str) -> Option<String> {
    e.dirty.then(|| {
        format!(
            "unsaved edits in {}: save (Ctrl-S) before you {action}",
            e.shown_artifact().map_or("the buffer", Artifact::file_name)
        )
    })
}

fn edit_command(state: &mut State, c: Command) -> Vec<Effect> {
    let Some(e) = &mut state.engagement else {
        state.mode = Mode::View;
        return Vec::new();
    };
    match c {
        Command::Leave | Command::Cancel => state.mode = Mode::View,
        Command::Save => return save(state),
        Command::Undo | Command::Redo => {
            undo_redo(e, c == Command::Undo);
        }
        Command::Quit => return quit_or_ask(state),
        other => move_editor(e, other, state.size.1),
    }
    Vec::new()
}

/// Undoes (or redoes) the last edit of the buffer; back at the text on disk, the buffer is no
/// longer modified. Returns whether anything changed.
fn undo_redo(e: &mut EngagementState, undo: bool) -> bool {
    let changed = if undo {
        e.editor.undo()
    } else {
        e.editor.redo()
    };
    if changed {
        // Undo and redo can touch rows away from the cursor.
        e.view.edited(0);
        e.dirty = e.editor.text() != e.saved_text;
        e.live_pending = true;
    }
    changed
}

fn save(state: &mut State) -> Vec<Effect> {
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    let Some(artifact) = e.shown_artifact() else {
        return Vec::new();
    };
    if !e.dirty {
        state.info(format!("{} has no unsaved changes", artifact.file_name()));
        return Vec::new();
    }
    if let Some(reason) = e.edit_refusal() {
        state.error(reason);
        return Vec::new();
    }
    // A compare-and-swap on the version the buffer was loaded from (`app::live`).
    super::live::save(state, artifact)
}

fn move_editor(e: &mut EngagementState, c: Command, height: u16) {
    let page = usize::from(height.saturating_sub(8).max(1));
    match c {
        Command::MoveDown => e.editor.move_cursor(CursorMove::Down),
        Command::MoveUp => e.editor.move_cursor(CursorMove::Up),
        Command::MoveLeft => e.editor.move_cursor(CursorMove::Back),
        Command::MoveRight => e.editor.move_cursor(CursorMove::Forward),
        Command::Top => e.editor.move_cursor(CursorMove::Top),
        Command::Bottom => e.editor.move_cursor(CursorMove::Bottom),
        Command::PageDown => {
            for _ in 0..page {
                e.editor.move_cursor(CursorMove::Down);
            }
        }
        Command::PageUp => {
            for _ in 0..page {
                e.editor.move_cursor(CursorMove::Up);
            }
        }
        _ => {}
    }
}

fn phase_number(c: Command) -> Option<Phase> {
    match c {
        Command::ShowPhase1 => Some(Phase::Requirements),
        Command::ShowPhase2 => Some(Phase::Feasibility),
        Command::ShowPhase3 => Some(Phase::Design),
        Command::ShowPhase4 => Some(Phase::Build),
        Command::ShowPhase5 => Some(Phase::AsBuilt),
        _ => None,
    }
}

fn refusal_text(r: &Refusal) -> String {
    match r.findings.first() {
        Some(f) => format!("refused: {} — {f}", r.rule),
        None => format!("refused: {}", r.rule),
    }
}

fn engagement_command(state: &mut State, c: Command) -> Vec<Effect> {
    let has_workspace = state.workspace.is_some();
    let identity = state.identity.clone();
    let height = state.size.1;
    if let Some(effects) = super::build::command(state, c) {
        return effects;
    }
    if let Some(effects) = super::lifecycle::command(state, c) {
        return effects;
    }
    if state.pane == Pane::Gate
        && matches!(
            c,
            Command::ApproveGate
                | Command::RejectGate
                | Command::ToggleCriterion
                | Command::WaiveCriterion
        )
        && let Some(why) = super::lifecycle::gate_not_decidable(state)
    {
        state.error(why);
        return Vec::new();
    }
    let Some(e) = &mut state.engagement else {
        state.screen = Screen::Workspace;
        return Vec::new();
    };
    if let Some(phase) = phase_number(c) {
        if phase == e.shown_phase {
            state.pane = Pane::Editor;
            return Vec::new();
        }
        if let Some(why) = dirty_refusal(e, "switch artifacts") {
            state.error(why);
            return Vec::new();
        }
        e.show_phase(phase);
        state.pane = Pane::Editor;
        return Vec::new();
    }
    match c {
        Command::NextPane | Command::PrevPane => {
            let i = Pane::ALL.iter().position(|p| *p == state.pane).unwrap_or(0);
            let n = Pane::ALL.len();
            let next = if c == Command::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            state.pane = Pane::ALL[next];
        }
        Command::Edit => match e.edit_refusal() {
            Some(why) => state.error(why),
            None => {
                state.mode = Mode::Edit;
                state.pane = Pane::Editor;
            }
        },
        Command::Leave | Command::Cancel => {
            if state.pane != Pane::Editor {
                state.pane = Pane::Editor;
            } else if !e.search.is_empty() {
                // The first Esc puts the search (and its marks) away.
                e.search.clear();
            } else if has_workspace {
                if let Some(why) = dirty_refusal(e, "leave the engagement") {
                    state.error(why);
                    return Vec::new();
                }
                state.screen = Screen::Workspace;
                state.engagement = None;
                if let Some(ws) = &state.workspace {
                    return vec![Effect::LoadWorkspace {
                        workspace: ws.root.clone(),
                    }];
                }
            }
        }
        Command::Save => return save(state),
        Command::ExternalEditor => {
            if let Some(why) = dirty_refusal(e, "open another editor") {
                state.error(why);
            } else if let Some(why) = e.edit_refusal() {
                state.error(why);
            } else if let Some(a) = e.shown_artifact() {
                return vec![Effect::SpawnEditor {
                    root: e.root.clone(),
                    path: e.root.join(a.file_name()),
                }];
            }
        }
        Command::ReviewGate => {
            let gate = gate_ahead(&e.disk);
            if gate != e.review.gate {
                e.review = Review::new(gate);
            }
            state.pane = Pane::Gate;
        }
        Command::Journal => state.pane = Pane::Journal,
        Command::Undo | Command::Redo => {
            let undo = c == Command::Undo;
            if let Some(why) = e.edit_refusal() {
                state.error(why);
            } else if !undo_redo(e, undo) {
                state.info(if undo {
                    "nothing to undo"
                } else {
                    "nothing to redo"
                });
            } else {
                state.pane = Pane::Editor;
            }
        }
        Command::CommandLine => {
            state.overlay = Some(Overlay::Prompt {
                kind: PromptKind::CommandLine,
                input: String::new(),
            });
        }
        Command::ZoomPane => state.zoom = !state.zoom,
        Command::Search => {
            // The prompt starts empty; the previous query is one Up away.
            state.pane = Pane::Editor;
            state.overlay = Some(Overlay::Prompt {
                kind: PromptKind::Search,
                input: String::new(),
            });
        }
        Command::SearchNext | Command::SearchPrev if !e.search.is_empty() => {
            let found = find(e, c == Command::SearchNext);
            report_match(state, found);
        }
        Command::Quit => return quit_or_ask(state),
        Command::MoveDown
        | Command::MoveUp
        | Command::Top
        | Command::Bottom
        | Command::PageDown
        | Command::PageUp
        | Command::MoveLeft
        | Command::MoveRight => match state.pane {
            Pane::Editor => move_editor(e, c, height),
            Pane::Gate => {
                let n = e.live.criteria_of(e.review.gate).count();
                e.review.selected = step(e.review.selected, n, c, height);
            }
            Pane::Journal => {
                let n = e.engagement.journal.events.len();
                e.journal_selected = step(e.journal_selected, n, c, height);
            }
        },
        Command::Open if state.pane == Pane::Gate => return jump_to_finding(state),
        Command::ToggleCriterion if state.pane == Pane::Gate => {
            let rows = e.review_rows();
            let Some((crit, _)) = rows.get(e.review.selected) else {
                return Vec::new();
            };
            let (id, kind) = (crit.def.id.clone(), crit.def.kind);
            if kind == CriterionKind::Auto {
                state.info(format!(
                    "{id} is computed from the text; it cannot be ticked"
                ));
            } else if !e.review.checks.remove(&id) {
                e.review.waivers.remove(&id);
                e.review.checks.insert(id);
            }
        }
        Command::WaiveCriterion if state.pane == Pane::Gate => {
            let rows = e.review_rows();
            let Some((crit, result)) = rows.get(e.review.selected) else {
                return Vec::new();
            };
            let (id, hard, result) = (crit.def.id.clone(), crit.def.hard, *result);
            if hard {
                state.error(format!("{id} is a hard criterion and cannot be waived"));
            } else if result == CriterionResult::Pass {
                state.info(format!("{id} passes; nothing to waive"));
            } else if e.review.waivers.remove(&id).is_some() {
                state.info(format!("waiver of {id} withdrawn"));
            } else {
                state.overlay = Some(Overlay::Prompt {
                    kind: PromptKind::Waive { criterion: id },
                    input: String::new(),
                });
            }
        }
        Command::ApproveGate if state.pane == Pane::Gate => {
            if let Some(why) = dirty_refusal(e, "approve: the decision is on the text on disk") {
                state.error(why);
                return Vec::new();
            }
            let gate = e.review.gate;
            let review = e.review.as_gate_review();
            match approve_gate(&e.engagement, &e.disk, gate, &review, &identity) {
                Err(r) => state.error(refusal_text(&r)),
                Ok(body) => {
                    let results = match &body {
                        EventBody::GateApproved(g) => g
                            .criteria
                            .iter()
                            .map(|c| (c.id.clone(), c.result))
                            .collect(),
                        _ => Vec::new(),
                    };
                    state.overlay = Some(Overlay::Confirm(Confirm::Approve(Decision {
                        gate,
                        review,
                        reviewed: e.disk.artifact_records(),
                        approver: identity,
                        results,
                        reason: None,
                    })));
                }
            }
        }
        Command::RejectGate if state.pane == Pane::Gate => {
            if let Some(why) = dirty_refusal(e, "reject: the decision is on the text on disk") {
                state.error(why);
            } else {
                state.overlay = Some(Overlay::Prompt {
                    kind: PromptKind::RejectReason {
                        gate: e.review.gate,
                    },
                    input: String::new(),
                });
            }
        }
        _ => {}
    }
    Vec::new()
}

fn step(selected: usize, n: usize, c: Command, height: u16) -> usize {
    let last = n.saturating_sub(1);
    let page = usize::from(height.saturating_sub(8).max(1));
    match c {
        Command::MoveDown => selected.saturating_add(1).min(last),
        Command::MoveUp => selected.saturating_sub(1),
        Command::Top => 0,
        Command::Bottom => last,
        Command::PageDown => selected.saturating_add(page).min(last),
        Command::PageUp => selected.saturating_sub(page),
        _ => selected.min(last),
    }
}

/// Shows the artifact and line of the selected criterion's first failure.
fn jump_to_finding(state: &mut State) -> Vec<Effect> {
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    let target = e.review_rows().get(e.review.selected).and_then(|(c, _)| {
        c.position()
            .and_then(|p| Artifact::from_file_name(&p.file).map(|a| (a, p.line, p.column)))
    });
    let Some((artifact, line, column)) = target else {
        state.info("this criterion has no position to jump to");
        return Vec::new();
    };
    if e.shown_artifact() != Some(artifact) {
        if let Some(why) = dirty_refusal(e, "switch artifacts") {
            state.error(why);
            return Vec::new();
        }
        let phase = match artifact {
            Artifact::Spec => Phase::Requirements,
            Artifact::Feasibility => Phase::Feasibility,
            Artifact::Design => Phase::Design,
            Artifact::AsBuilt => Phase::AsBuilt,
        };
        e.show_phase(phase);
    }
    jump(e, line.saturating_sub(1), column.saturating_sub(1));
    state.pane = Pane::Editor;
    Vec::new()
}

fn is_text_char(input: &Input) -> Option<char> {
    match input.key {
        Key::Char(c) if !input.ctrl && !input.alt && !c.is_control() => Some(c),
        _ => None,
    }
}

fn text(state: &mut State, input: Input) {
    if let Some(Overlay::Build(_)) = &state.overlay {
        super::build::text(state, &input);
        return;
    }
    if let Some(Overlay::Lifecycle(_)) = &state.overlay {
        super::lifecycle::text(state, &input);
        return;
    }
    if let Some(Overlay::Prompt { input: buf, .. }) = &mut state.overlay {
        // Backspace, Ctrl-U clears, Ctrl-W deletes a word, characters type.
        super::forms::edit_text(buf, &input);
        return;
    }
    if state.overlay.is_some() {
        return;
    }
    match (state.screen, state.mode) {
        (Screen::Workspace, Mode::Filter) => {
            if let Some(ws) = &mut state.workspace {
                match input.key {
                    Key::Backspace => {
                        ws.filter.pop();
                    }
                    _ => {
                        if let Some(c) = is_text_char(&input) {
                            ws.filter.push(c);
                        }
                    }
                }
                ws.selected = 0;
            }
        }
        (Screen::Engagement, Mode::Edit) => {
            let height = state.size.1;
            if let Some(e) = &mut state.engagement {
                // The textarea's own paging scrolls a viewport of its own that this view does
                // not use (`ui::editor` keeps the view): page the cursor instead.
                if let Some(page) = page_key(&input) {
                    move_editor(e, page, height);
                    return;
                }
                // The textarea's own Ctrl-U/Ctrl-R are undo and redo: the buffer's, by groups.
                if input.ctrl && !input.alt && matches!(input.key, Key::Char('u' | 'r')) {
                    undo_redo(e, input.key == Key::Char('u'));
                    return;
                }
                let cursor = e.editor.cursor();
                let before = cursor.0;
                let kind = edit_kind(&input);
                // Typing over a selection deletes it first: two history steps.
                let steps = if e.editor.selection_range().is_some()
                    && !matches!(kind, crate::app::buffer::EditKind::Delete)
                {
                    2
                } else {
                    1
                };
                if e.editor.edit().input(input) {
                    e.editor.record(cursor, kind, steps);
                    let after = e.editor.cursor().0;
                    e.view.edited(before.min(after));
                    // Only undo compares with the text on disk: typing is every keystroke.
                    e.dirty = true;
                    e.live_pending = true;
                }
            }
        }
        _ => {}
    }
}

/// How a key edits, for undo groups.
fn edit_kind(input: &Input) -> crate::app::buffer::EditKind {
    use crate::app::buffer::EditKind;
    match input.key {
        Key::Char(c) if !input.ctrl && !input.alt => EditKind::Insert(c),
        Key::Backspace | Key::Delete if !input.ctrl && !input.alt => EditKind::Delete,
        _ => EditKind::Other,
    }
}

/// The textarea's paging keys (PageDown/PageUp, and its emacs-style Ctrl-V/Alt-V).
fn page_key(input: &Input) -> Option<Command> {
    match input {
        Input {
            key: Key::PageDown,
            ctrl: false,
            alt: false,
            ..
        }
        | Input {
            key: Key::Char('v'),
            ctrl: true,
            alt: false,
            ..
        } => Some(Command::PageDown),
        Input {
            key: Key::PageUp,
            ctrl: false,
            alt: false,
            ..
        }
        | Input {
            key: Key::Char('v'),
            ctrl: false,
            alt: true,
            ..
        } => Some(Command::PageUp),
        _ => None,
    }
}

fn paste(state: &mut State, s: &str) {
    let normalized = s.replace("\r\n", "\n").replace('\r', "\n");
    if let Some(Overlay::Build(_)) = &state.overlay {
        super::build::paste(state, &normalized);
        return;
    }
    if let Some(Overlay::Lifecycle(_)) = &state.overlay {
        super::lifecycle::paste(state, &normalized);
        return;
    }
    if let Some(Overlay::Prompt { input, .. }) = &mut state.overlay {
        input.push_str(normalized.lines().next().unwrap_or(""));
        return;
    }
    if state.overlay.is_some() {
        return;
    }
    match (state.screen, state.mode) {
        (Screen::Workspace, Mode::Filter) => {
            if let Some(ws) = &mut state.workspace {
                ws.filter.push_str(normalized.lines().next().unwrap_or(""));
                ws.selected = 0;
            }
        }
        (Screen::Engagement, Mode::Edit) => {
            if let Some(e) = &mut state.engagement {
                let cursor = e.editor.cursor();
                let steps = if e.editor.selection_range().is_some() {
                    2
                } else {
                    1
                };
                if e.editor.edit().insert_str(&normalized) {
                    e.editor
                        .record(cursor, crate::app::buffer::EditKind::Other, steps);
                    e.view.edited(cursor.0);
                    e.dirty = true;
                    e.live_pending = true;
                }
            }
        }
        (Screen::Engagement, _) => state.info("press e to edit before pasting"),
        _ => {}
    }
}
