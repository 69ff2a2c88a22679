//! Key press → Action, through the active keymap, by context. Where keys are text (the editor,
//! the filter, a prompt) unbound keys become `Action::Text`.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::Input;

use super::action::Action;
use super::keys::{Command, Context};
use super::{Mode, Overlay, Screen, State};
use crate::config::keymap::KeyBinding;

pub fn route(state: &State, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // Typing into a prompt or the filter: only Enter, Esc, the arrows and quit chords are keys.
    let typing = matches!(state.overlay, Some(Overlay::Prompt { .. }))
        || state.overlay.as_ref().is_some_and(super::build::is_typing)
        || state
            .overlay
            .as_ref()
            .is_some_and(super::lifecycle::is_typing)
        || (state.overlay.is_none()
            && state.screen == Screen::Workspace
            && state.mode == Mode::Filter);
    if typing {
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
    if key.code == KeyCode::Enter
        && state
            .overlay
            .as_ref()
            .is_some_and(super::lifecycle::requires_yes)
    {
        return Some(Action::Text(Input::from(key)));
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
