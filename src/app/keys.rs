//! The app's view of the key configuration: named commands and contexts come from
//! `config::commands` (the one list), bindings from the active `config::keymap::Keymap`.

use crossterm::event::KeyEvent;

pub use crate::config::commands::{COMMANDS, Command, CommandInfo, Context};
use crate::config::keymap::{Keymap, key_list};

/// The active key bindings.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    keymap: Keymap,
}

impl Keys {
    pub fn new(keymap: Keymap) -> Keys {
        Keys { keymap }
    }

    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    /// The command a key press runs in `context` (falling back to `global` as the keymap says).
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Command> {
        self.keymap.lookup_event(context, key)
    }

    /// Every key bound to `command`, as `j/Down`, for the help overlay.
    pub fn bindings_for(&self, command: Command) -> String {
        key_list(&self.keymap.bindings_for(command))
    }

    /// The keys that run `command` in `context`, as `j/Down`; `None` when unbound there.
    pub fn hint(&self, context: Context, command: Command) -> Option<String> {
        let keys = self.keymap.bindings_in(context, command);
        (!keys.is_empty()).then(|| key_list(&keys))
    }
}
