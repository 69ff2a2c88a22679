//! Key press → Action, through the active keymap, by context. Where keys are text (the editor,
//! the filter, a prompt) unbound keys become `Action::Text`.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::Input;

use super::action::Action;
use super::keys::{Command, Context};
use super::{Mode, Overlay, Screen, State};
use crate::config::keymap::KeyBinding;

/// Typing into a prompt or the filter: only Enter, Esc, the arrows and quit chords are keys.
fn typing(state: &State) -> bool {
    matches!(state.overlay, Some(Overlay::Prompt { .. }))
        || state.overlay.as_ref().is_some_and(Overlay::is_typing)
        || (state.overlay.is_none()
            && state.screen == Screen::Workspace
            && state.mode == Mode::Filter)
}

/// Whether Alt+`key` means something where it is pressed: a command of the keymap, or in the
/// editor a chord the keymap leaves to the editor by naming it (`"alt-v" = "none"`). A terminal
/// sends Alt+g as `Esc g`, the same bytes as Esc pressed just before g; where Alt+g means
/// nothing, those bytes are Esc and then g (`tui::input::split_esc_prefix`).
pub fn alt_chord_meant(state: &State, key: &KeyEvent) -> bool {
    if typing(state) {
        return false;
    }
    let context = state.context();
    state.keys.lookup(context, key).is_some()
        || (context == Context::Edit
            && crate::config::keymap::KeyBinding::from_event(key)
                .is_some_and(|k| state.keys.keymap().mentions(context, k)))
}

pub fn route(state: &State, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if typing(state) {
        return Some(match key.code {
            KeyCode::Enter => Action::Command(if state.overlay.is_some() {
                Command::Confirm
            } else {
                Command::Open
            }),
            KeyCode::Esc => Action::Command(if state.overlay.is_some() {
                Command::Cancel
            } else {
                Command::Leave
            }),
            KeyCode::Up => Action::Command(Command::MoveUp),
            KeyCode::Down => Action::Command(Command::MoveDown),
            KeyCode::Char('q' | 'c') if ctrl => Action::Command(Command::ForceQuit),
            _ => Action::Text(Input::from(key)),
        });
    }
    // Enter never accepts a journal-writing confirmation: it reaches the dialog as text, which
    // says what to press instead.
    if key.code == KeyCode::Enter && state.overlay.as_ref().is_some_and(Overlay::requires_yes) {
        return Some(Action::Text(Input::from(key)));
    }
    // Nor any other confirmation that writes the journal or deletes text, whatever a keymap
    // binds to Enter: a stray Enter must not decide.
    if key.code == KeyCode::Enter && confirming(state) {
        return None;
    }
    let context = state.context();
    if let Some(first) = state.pending_key {
        let second = KeyBinding::from_event(&key)?;
        return Some(
            match state.keys.keymap().lookup_sequence(context, first, second) {
                Some(c) => Action::Command(c),
                None => Action::Prefix(None, Some(second)),
            },
        );
    }
    if state.keys.is_prefix(context, &key) {
        return Some(Action::Prefix(KeyBinding::from_event(&key), None));
    }
    match state.keys.lookup(context, &key) {
        Some(c) => Some(Action::Command(c)),
        // Ctrl-C never kills the app (or a buffer) silently: unbound, it quits, asking if unsaved.
        None if ctrl && key.code == KeyCode::Char('c') => Some(Action::Command(Command::ForceQuit)),
        None if context == Context::Edit => Some(Action::Text(Input::from(key))),
        None => None,
    }
}

/// A confirmation of a journal event or a deletion is waiting for its explicit yes.
fn confirming(state: &State) -> bool {
    matches!(
        state.overlay,
        Some(Overlay::Confirm(_) | Overlay::Build(super::model::forms::BuildOverlay::Confirm(_)))
    ) || super::model::live::Live::current(state).is_some_and(|l| {
        matches!(
            l.view,
            Some(super::model::live::LiveView::Recovery {
                confirm_discard: true,
                ..
            })
        )
    })
}
