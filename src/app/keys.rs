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
    /// Which `Keys::new` made these (clones share it): what the view's kept hints compare.
    id: u64,
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
        static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Keys { keymap, hints, id }
    }

    /// Equal for these keys and their clones, different for any other `Keys::new` (the keys
    /// never change once made).
    pub fn id(&self) -> u64 {
        self.id
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
