//! The app's view of the key configuration: named commands and contexts come from
//! `config::commands` (the one list); `Keys` resolves a key press in a context to a command and
//! renders a command's bindings for hints and help.
//!
//! `Keys` wraps the active keymap. Until `config::keymap` lands it carries the DESIGN §4 default
//! table itself; switching means delegating `lookup`/`bindings_for` to `config::keymap::Keymap`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use crate::config::commands::{COMMANDS, Command, CommandInfo, Context};

/// A key as bindings name it: a code and the Ctrl/Alt/Shift modifiers that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyChord {
    pub fn from_event(key: &KeyEvent) -> KeyChord {
        // Shift is carried by the character itself (`E`, `?`), and by BackTab.
        let code = match key.code {
            KeyCode::Char(c) if key.modifiers.contains(KeyModifiers::CONTROL) => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        KeyChord {
            code,
            ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
            alt: key.modifiers.contains(KeyModifiers::ALT),
        }
    }

    const fn plain(code: KeyCode) -> KeyChord {
        KeyChord { code, ctrl: false, alt: false }
    }

    const fn ch(c: char) -> KeyChord {
        KeyChord::plain(KeyCode::Char(c))
    }

    const fn ctrl(c: char) -> KeyChord {
        KeyChord { code: KeyCode::Char(c), ctrl: true, alt: false }
    }

    /// How help and hints print the key: `Ctrl-S`, `Tab`, `?`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::PageUp => "PageUp".into(),
            KeyCode::PageDown => "PageDown".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut out = String::new();
        if self.ctrl {
            out.push_str("Ctrl-");
        }
        if self.alt {
            out.push_str("Alt-");
        }
        out.push_str(&base);
        out
    }
}

/// The active key bindings.
#[derive(Debug, Clone)]
pub struct Keys {
    bindings: Vec<(Context, KeyChord, Command)>,
}

impl Default for Keys {
    fn default() -> Keys {
        Keys::default_keymap()
    }
}

impl Keys {
    /// DESIGN §4's default keys.
    pub fn default_keymap() -> Keys {
        use Command as C;
        use Context::{Edit, Gate, Global, Overlay, View, Workspace};
        let g = |k, c| (Global, k, c);
        let mut b = vec![
            g(KeyChord::plain(KeyCode::Tab), C::NextPane),
            g(KeyChord::plain(KeyCode::BackTab), C::PrevPane),
            g(KeyChord::ch('1'), C::ShowPhase1),
            g(KeyChord::ch('2'), C::ShowPhase2),
            g(KeyChord::ch('3'), C::ShowPhase3),
            g(KeyChord::ch('4'), C::ShowPhase4),
            g(KeyChord::ch('5'), C::ShowPhase5),
            g(KeyChord::ch('e'), C::Edit),
            g(KeyChord::plain(KeyCode::Esc), C::Leave),
            g(KeyChord::ctrl('s'), C::Save),
            g(KeyChord::ch('E'), C::ExternalEditor),
            g(KeyChord::ch('g'), C::ReviewGate),
            g(KeyChord::ch('d'), C::ShowDiff),
            g(KeyChord::ch('D'), C::RecordDeviation),
            g(KeyChord::ch('j'), C::MoveDown),
            g(KeyChord::plain(KeyCode::Down), C::MoveDown),
            g(KeyChord::ch('k'), C::MoveUp),
            g(KeyChord::plain(KeyCode::Up), C::MoveUp),
            g(KeyChord::plain(KeyCode::Left), C::MoveLeft),
            g(KeyChord::plain(KeyCode::Right), C::MoveRight),
            g(KeyChord::plain(KeyCode::PageDown), C::PageDown),
            g(KeyChord::plain(KeyCode::PageUp), C::PageUp),
            g(KeyChord::plain(KeyCode::Home), C::Top),
            g(KeyChord::plain(KeyCode::End), C::Bottom),
            g(KeyChord::ch('/'), C::Search),
            g(KeyChord::ch('n'), C::SearchNext),
            g(KeyChord::ch('N'), C::SearchPrev),
            g(KeyChord::ch('?'), C::Help),
            g(KeyChord::ch('q'), C::Quit),
            g(KeyChord::ctrl('q'), C::ForceQuit),
            g(KeyChord::ctrl('c'), C::ForceQuit),
            g(KeyChord::ch('J'), C::Journal),
            (Workspace, KeyChord::plain(KeyCode::Enter), C::Open),
            (Workspace, KeyChord::ch('/'), C::Filter),
            (Gate, KeyChord::plain(KeyCode::Enter), C::Open),
            (Gate, KeyChord::ch(' '), C::ToggleCriterion),
            (Gate, KeyChord::ch('w'), C::WaiveCriterion),
            (Gate, KeyChord::ch('a'), C::ApproveGate),
            (Gate, KeyChord::ch('r'), C::RejectGate),
            (Edit, KeyChord::ctrl('z'), C::Undo),
            (Edit, KeyChord::ctrl('y'), C::Redo),
            (Edit, KeyChord::plain(KeyCode::Esc), C::Leave),
            (Overlay, KeyChord::plain(KeyCode::Enter), C::Confirm),
            (Overlay, KeyChord::ch('y'), C::Confirm),
            (Overlay, KeyChord::ch('n'), C::Cancel),
            (Overlay, KeyChord::plain(KeyCode::Esc), C::Cancel),
        ];
        b.shrink_to_fit();
        let _ = View;
        Keys { bindings: b }
    }

    /// The command a key runs in `context`, falling back to `global`. In the edit context only
    /// Ctrl/Alt chords, function keys and Esc fall back (plain characters are text).
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Command> {
        let chord = KeyChord::from_event(key);
        if let Some((_, _, c)) = self.bindings.iter().find(|(ctx, k, _)| *ctx == context && *k == chord) {
            return Some(*c);
        }
        if context == Context::Global {
            return None;
        }
        let falls_back = !context.is_text_input()
            || chord.ctrl
            || chord.alt
            || matches!(chord.code, KeyCode::F(_) | KeyCode::Esc);
        if !falls_back {
            return None;
        }
        self.bindings
            .iter()
            .find(|(ctx, k, _)| *ctx == Context::Global && *k == chord)
            .map(|(_, _, c)| *c)
    }

    /// Every key bound to `command` (any context), as labels, in table order without duplicates.
    pub fn bindings_for(&self, command: Command) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, k, c) in &self.bindings {
            if *c == command {
                let label = k.label();
                if !out.contains(&label) {
                    out.push(label);
                }
            }
        }
        out
    }

    /// The first key of `command` usable in `context` (for status-bar hints).
    pub fn hint(&self, context: Context, command: Command) -> Option<String> {
        self.bindings
            .iter()
            .find(|(ctx, _, c)| *c == command && *ctx == context)
            .or_else(|| self.bindings.iter().find(|(ctx, _, c)| *c == command && *ctx == Context::Global))
            .map(|(_, k, _)| k.label())
    }
}
