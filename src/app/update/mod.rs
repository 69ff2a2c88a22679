//! `update(state, action) -> effects`: every state change, pure (no IO, no clock).

mod build;
mod catalog;
mod common;
mod editor;
mod engagement;
pub mod lifecycle;
pub mod live;
mod overlay;
mod review;
mod workspace;

use self::common::{Handled, quit_or_ask};
use self::editor::{edit_kind, move_editor, page_key, undo_redo};

use ratatui_textarea::{CursorMove, Input, Key};

use super::action::Action;
use super::effect::Effect;
use super::keys::{Command, Context};
use super::{EngagementState, Mode, Overlay, Pane, PromptKind, Screen, State, WorkspaceState};

/// Applies one action; returns the effects to run.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut effects = apply(state, action);
    effects.extend(review::follow(state));
    effects
}

fn apply(state: &mut State, action: Action) -> Vec<Effect> {
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
            ws.clamp_selection();
            // The waiting group is read after the rows, off the input path (it may read every
            // engagement's artifacts).
            if ws.root.as_os_str().is_empty() {
                return Vec::new();
            }
            vec![Effect::LoadQueue {
                workspace: ws.root.clone(),
            }]
        }
        Action::WorkspaceWatch { workspace, event } => workspace::watched(state, workspace, event),
        Action::WorkspaceSynced {
            workspace,
            added,
            removed,
            error,
        } => workspace::synced(state, workspace, added, removed, error),
        Action::QueueLoaded {
            workspace,
            waiting,
            error,
        } => {
            if let Some(ws) = &mut state.workspace
                && ws.root == workspace
            {
                // The cursor stays on the row it was on when the group above it changes size
                // (at the top it stays at the top: the oldest waiting gate comes first).
                let on = (ws.selected > 0)
                    .then(|| ws.items().get(ws.selected).map(super::ListItem::key))
                    .flatten();
                ws.waiting = waiting;
                ws.waiting_error = error;
                if let Some(i) = on.and_then(|on| ws.items().iter().position(|i| i.key() == on)) {
                    ws.selected = i;
                }
                ws.clamp_selection();
            }
            Vec::new()
        }
        Action::MetricsLoaded(m) => {
            state.overlay = Some(Overlay::Metrics(m));
            Vec::new()
        }
        Action::EngagementLoaded(loaded) => {
            let loaded = *loaded;
            // Where git stands is read again with every load (off the input path).
            let git = Effect::GitStatus {
                root: loaded.root.clone(),
            };
            if state
                .engagement
                .as_ref()
                .is_some_and(|e| e.root == loaded.root)
            {
                // Same engagement: a clean buffer follows the disk, a dirty one may conflict.
                let mut out = live::reloaded(state, loaded, false);
                out.push(git);
                return out;
            }
            let review = state
                .workspace
                .as_mut()
                .and_then(|w| w.opening_review.take())
                .is_some_and(|r| r == loaded.root);
            state.engagement = Some(EngagementState::new(loaded));
            state.screen = Screen::Engagement;
            state.mode = Mode::View;
            // Opened from a waiting gate: straight on its review (the gate ahead, as `r`).
            state.pane = if review { Pane::Gate } else { Pane::Editor };
            vec![git]
        }
        Action::GitRead { root, line } => {
            if let Some(e) = state.engagement.as_mut().filter(|e| e.root == root) {
                e.git = line;
            }
            Vec::new()
        }
        Action::LoadFailed(m) | Action::Failed(m) => {
            if let Some(w) = &mut state.workspace {
                w.opening_review = None;
            }
            state.error(m);
            Vec::new()
        }
        Action::Restored { gate, files } => {
            state.info(format!(
                "{} restored to the text Gate {} approved (ungoverned sections kept)",
                files.join(", "),
                gate.number()
            ));
            Vec::new()
        }
        Action::Committed(m) => {
            state.overlay = None;
            state.info(m);
            Vec::new()
        }
        Action::LiveRecheck => {
            let job = state
                .engagement
                .as_mut()
                .and_then(EngagementState::take_live_job);
            job.map(Effect::Evaluate).into_iter().collect()
        }
        Action::LiveEvaluated(evaluation) => {
            let Some(e) = &mut state.engagement else {
                return Vec::new();
            };
            if e.apply_live(*evaluation) {
                return vec![Effect::LoadCatalog {
                    near: e.root.clone(),
                }];
            }
            Vec::new()
        }
        Action::EditorReturned => match &state.engagement {
            Some(e) => vec![Effect::Load {
                root: e.root.clone(),
            }],
            None => Vec::new(),
        },
        Action::Build(b) => build::on_action(state, b),
        Action::Live(l) => live::update(state, l),
        Action::Lifecycle(l) => lifecycle::on_action(state, l),
        Action::CatalogLoaded(c) => catalog::loaded(state, c),
        Action::Review(r) => review::update(state, r),
    }
}

/// Routes a command by where it was pressed: the context is computed once, here, and each
/// context has one handler. A handler never calls back into this router: what the board and the
/// diff leave (`Handled::PassOn`) is passed on here, by name, to the engagement screen's
/// commands, and a `:name` typed at the command line is routed as if its key were pressed.
pub(super) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    // `:name` runs the command named where the prompt was opened (Enter closes the prompt).
    let c = match &state.overlay {
        Some(Overlay::Prompt {
            kind: PromptKind::CommandLine,
            input,
        }) if c == Command::Confirm => {
            let line = input.trim().to_string();
            match overlay::command_line(state, &line) {
                Some(named) => named,
                None => return Vec::new(),
            }
        }
        _ => c,
    };
    // Job control works wherever its key is bound, over any overlay: nothing is lost by it.
    if c == Command::Suspend {
        return vec![Effect::Suspend];
    }
    let at = state.context();
    if at == Context::Overlay {
        return match state.overlay.clone() {
            Some(overlay) => overlay::command(state, overlay, c),
            None => live::view_command(state, c),
        };
    }
    match c {
        Command::ShowConflict | Command::ShowRecovery if state.screen == Screen::Engagement => {
            return live::command(state, c);
        }
        Command::ForceQuit => return quit_or_ask(state),
        Command::ShowCatalog => return catalog::open(state),
        Command::Help => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        Command::Messages => {
            state.overlay = Some(Overlay::Messages { scroll: 0 });
            return Vec::new();
        }
        Command::ShowMetrics => return show_metrics(state),
        _ => {}
    }
    match at {
        Context::Workspace => workspace::command(state, c),
        Context::Edit => editor::command(state, c),
        // The board and the diff pass on what is not theirs to the engagement screen's commands.
        Context::Diff => {
            clear_refusal(state, c);
            match build::diff_command(state, c) {
                Handled::Done(effects) => effects,
                Handled::PassOn => engagement::command(state, c),
            }
        }
        Context::Build => {
            clear_refusal(state, c);
            match build::board_command(state, c) {
                Handled::Done(effects) => effects,
                Handled::PassOn => engagement::command(state, c),
            }
        }
        Context::Gate | Context::View | Context::Global | Context::Overlay => {
            clear_refusal(state, c);
            engagement::command(state, c)
        }
    }
}

/// A refusal shown on the build board stays until the next command (help keeps it in view).
fn clear_refusal(state: &mut State, c: Command) {
    if c != Command::Help
        && let Some(e) = &mut state.engagement
    {
        e.build.refusal = None;
    }
}

/// The metrics view reads the whole workspace the list was opened on; an engagement opened on
/// its own (`phasegate open`) has no workspace to read, and effects never leave it.
fn show_metrics(state: &mut State) -> Vec<Effect> {
    match state
        .workspace
        .as_ref()
        .map(|w| w.root.clone())
        .filter(|r| !r.as_os_str().is_empty())
    {
        Some(workspace) => vec![Effect::LoadMetrics { workspace }],
        None => {
            state.info(
                "metrics cover a workspace: run `phasegate` (or `phasegate report`) to see them",
            );
            Vec::new()
        }
    }
}

/// Where typed or pasted text goes: the one routing for `text` and `paste`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextTarget {
    Build,
    Lifecycle,
    Catalog,
    Prompt,
    Filter,
    Editor,
    /// The engagement screen outside edit mode.
    NotEditing,
    Nowhere,
}

fn text_target(state: &State) -> TextTarget {
    match &state.overlay {
        Some(Overlay::Build(_)) => TextTarget::Build,
        Some(Overlay::Lifecycle(_)) => TextTarget::Lifecycle,
        Some(Overlay::Catalog(_)) => TextTarget::Catalog,
        Some(Overlay::Prompt { .. }) => TextTarget::Prompt,
        Some(_) => TextTarget::Nowhere,
        None => match (state.screen, state.mode) {
            (Screen::Workspace, Mode::Filter) => TextTarget::Filter,
            (Screen::Engagement, Mode::Edit) => TextTarget::Editor,
            (Screen::Engagement, _) => TextTarget::NotEditing,
            _ => TextTarget::Nowhere,
        },
    }
}

/// The single-line input the target types into (the prompt's or the workspace filter).
fn line_of(state: &mut State, target: TextTarget) -> Option<&mut String> {
    match target {
        TextTarget::Prompt => match &mut state.overlay {
            Some(Overlay::Prompt { input, .. }) => Some(input),
            _ => None,
        },
        TextTarget::Filter => state.workspace.as_mut().map(|ws| {
            ws.selected = 0;
            &mut ws.filter
        }),
        _ => None,
    }
}

fn text(state: &mut State, input: Input) {
    let target = text_target(state);
    match target {
        TextTarget::Build => build::text(state, &input),
        TextTarget::Lifecycle => lifecycle::text(state, &input),
        TextTarget::Catalog => catalog::text(state, &input),
        // Backspace, Ctrl-U clears, Ctrl-W deletes a word, characters type.
        TextTarget::Prompt | TextTarget::Filter => {
            if let Some(line) = line_of(state, target) {
                super::line_input::edit_text(line, &input);
            }
        }
        TextTarget::Editor => {
            let page_rows = crate::app::layout::pages(state).pane;
            if let Some(e) = &mut state.engagement {
                // The textarea's own paging scrolls a viewport of its own that this view does
                // not use (`ui::editor` keeps the view): page the cursor instead.
                if let Some(page) = page_key(&input) {
                    move_editor(e, page, page_rows);
                    return;
                }
                // Ctrl-Home / Ctrl-End: the start / end of the buffer, as in other editors.
                if input.ctrl && !input.alt && matches!(input.key, Key::Home | Key::End) {
                    let (to, within) = if input.key == Key::End {
                        (CursorMove::Bottom, CursorMove::End)
                    } else {
                        (CursorMove::Top, CursorMove::Head)
                    };
                    e.editor.move_cursor(to);
                    e.editor.move_cursor(within);
                    return;
                }
                // The textarea's own Ctrl-U/Ctrl-R are undo and redo: the buffer's, by groups.
                if input.ctrl && !input.alt && matches!(input.key, Key::Char('u' | 'r')) {
                    undo_redo(e, input.key == Key::Char('u'));
                    return;
                }
                let before = e.editor.cursor().0;
                let kind = edit_kind(&input);
                if e.editor.input(input, kind) {
                    let after = e.editor.cursor().0;
                    e.view.edited(before.min(after));
                    // Only undo compares with the text on disk: typing is every keystroke.
                    e.dirty = true;
                    e.live_pending = true;
                }
            }
        }
        TextTarget::NotEditing | TextTarget::Nowhere => {}
    }
}

fn paste(state: &mut State, s: &str) {
    let normalized = s.replace("\r\n", "\n").replace('\r', "\n");
    let target = text_target(state);
    match target {
        TextTarget::Build => build::paste(state, &normalized),
        TextTarget::Lifecycle => lifecycle::paste(state, &normalized),
        TextTarget::Catalog => catalog::paste(state, &normalized),
        TextTarget::Prompt | TextTarget::Filter => {
            if let Some(line) = line_of(state, target) {
                super::line_input::paste_first_line(line, &normalized);
            }
        }
        TextTarget::Editor => {
            if let Some(e) = &mut state.engagement {
                let cursor = e.editor.cursor();
                if e.editor.edit(crate::app::buffer::EditKind::Other, |area| {
                    area.insert_str(&normalized);
                }) {
                    e.view.edited(cursor.0);
                    e.dirty = true;
                    e.live_pending = true;
                }
            }
        }
        TextTarget::NotEditing => state.info("press e to edit before pasting"),
        TextTarget::Nowhere => {}
    }
}
