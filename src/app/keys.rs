//! The app's view of the key configuration: named commands and contexts come from
//! `config::commands` (the one list), bindings from the active `config::keymap::Keymap`.

use std::collections::HashMap;

use crossterm::event::KeyEvent;

pub use crate::config::commands::{COMMANDS, Command, CommandInfo, Context};
use crate::config::keymap::{KeyBinding, Keymap, key_list};

/// The active key bindings.
#[derive(Debug, Clone)]
pub struct Keys {
    keymap: Keymap,
    /// The hint text of every (context, command) with keys, worked out once: hints are drawn
    /// on every frame.
    hints: HashMap<(Context, Command), String>,
}

impl Default for Keys {
    fn default() -> Self {
        Keys::new(Keymap::default())
    }
}

impl Keys {
    pub fn new(keymap: Keymap) -> Keys {
        let hints = keymap
            .bindings_by_context()
            .into_iter()
            .map(|(at, keys)| (at, key_list(&keys)))
            .collect();
        Keys { keymap, hints }
    }

    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    /// The command a key press runs in `context` (falling back to `global` as the keymap says).
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Command> {
        self.keymap.lookup_event(context, key)
    }

    /// Every key bound to `command`, as `j/Down`, for the help overlay (sequences as `g g`).
    pub fn bindings_for(&self, command: Command) -> String {
        let mut all = vec![key_list(&self.keymap.bindings_for(command))];
        all.extend(self.keymap.sequences_for(command));
        all.retain(|k| !k.is_empty());
        all.join("/")
    }

    /// Whether `key` starts a two-key sequence in `context` (the next key completes it).
    pub fn is_prefix(&self, context: Context, key: &KeyEvent) -> bool {
        KeyBinding::from_event(key).is_some_and(|k| self.keymap.is_prefix(context, k))
    }

    /// The keys that run `command` in `context`, as `j/Down`; `None` when unbound there.
    pub fn hint(&self, context: Context, command: Command) -> Option<String> {
        self.hints.get(&(context, command)).cloned()
    }
}
