//! Keys and keymaps: which key runs which [`Command`] in which [`Context`].
//!
//! Keymap files are TOML: an optional `inherits = "default"`, then one table per context of
//! `"key" = "command"` (`"none"` or `""` unbinds, which also stops the fallback to `[global]`).
//! Presets are compiled in from the top-level `keymaps/` folder; `<config dir>/keymaps/NAME.toml`
//! is looked up first.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use toml::de::{DeTable, DeValue};

use super::commands::{Command, Context};
use super::{
    FindSource, Parsed, Source, closest, find_source, find_user_source, inheritance_chain,
    resolve_text, span_position, toml_finding,
};
use crate::domain::position::{Finding, Position};

/// The keymaps compiled into the binary: (name, TOML text).
pub const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("emacs", include_str!("../../keymaps/emacs.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

// ---------------------------------------------------------------------------------------------
// KeyBinding

/// One key with its modifiers, normalized so that a key event and a key written in a keymap file
/// compare equal:
/// - Shift is folded into characters (`Shift-a` is `A`; `!` is just `!`) and `Shift-Tab` is
///   `BackTab`;
/// - with Ctrl or Alt, the case of a letter written in a file is ignored (`C-S` is `ctrl-s`, as
///   terminals report it); write `ctrl-shift-s` for the shifted chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl KeyBinding {
    /// A binding from a key code and modifiers as crossterm reports them, normalized.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let mut modifiers = modifiers;
        let shift = modifiers.contains(KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if shift => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(if shift { c.to_ascii_uppercase() } else { c })
            }
            other => other,
        };
        KeyBinding { code, modifiers }
    }

    /// A binding already normalized (as [`KeyBinding::new`] leaves it): the compiled keymap's.
    pub(super) const fn normalized(code: KeyCode, modifiers: KeyModifiers) -> Self {
        KeyBinding { code, modifiers }
    }

    /// A plain key without modifiers.
    pub fn plain(code: KeyCode) -> Self {
        KeyBinding::new(code, KeyModifiers::NONE)
    }

    /// A Ctrl chord, e.g. `KeyBinding::ctrl('s')`.
    pub fn ctrl(c: char) -> Self {
        KeyBinding::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// The binding for a terminal key event; `None` for key releases.
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        (event.kind != KeyEventKind::Release).then(|| KeyBinding::new(event.code, event.modifiers))
    }

    pub fn code(&self) -> KeyCode {
        self.code
    }

    pub fn modifiers(&self) -> KeyModifiers {
        self.modifiers
    }

    fn has_chord_modifier(&self) -> bool {
        self.modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER)
    }

    /// Keys that are commands even while typing: Ctrl/Alt chords, function keys and Esc. In a text
    /// input context only these fall back to `[global]`.
    pub fn is_command_chord(&self) -> bool {
        self.has_chord_modifier() || matches!(self.code, KeyCode::F(_) | KeyCode::Esc)
    }

    /// A character that text input inserts (no Ctrl/Alt); cannot be bound in `[edit]`.
    pub fn is_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.has_chord_modifier()
    }

    /// Orders keys for help text: plain characters, then named keys, then chords.
    fn sort_key(&self) -> (u8, String, String, u8) {
        let rank = match (self.code, self.modifiers.is_empty()) {
            (KeyCode::Char(_), true) => 0,
            (_, true) => 1,
            _ if self.modifiers == KeyModifiers::SHIFT => 2,
            _ if self.modifiers == KeyModifiers::CONTROL => 3,
            _ if self.modifiers == KeyModifiers::ALT => 4,
            _ => 5,
        };
        let shown = self.to_string();
        // Lowercase first so `n` sorts before `N`; the exact text breaks the tie.
        let inverted: String = shown
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        (rank, shown.to_lowercase(), inverted, self.modifiers.bits())
    }
}

impl PartialOrd for KeyBinding {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyBinding {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

fn key_name(code: KeyCode) -> String {
    match code {
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Left => "Left".into(),
        KeyCode::Right => "Right".into(),
        KeyCode::Up => "Up".into(),
        KeyCode::Down => "Down".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PageUp".into(),
        KeyCode::PageDown => "PageDown".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Delete => "Delete".into(),
        KeyCode::Insert => "Insert".into(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Esc => "Esc".into(),
        other => format!("{other:?}"),
    }
}

/// Shown as in help text: `q`, `Q`, `?`, `Ctrl-S`, `Ctrl-Shift-S`, `Alt-<`, `Shift-Tab`, `F1`.
/// The text parses back to the same binding.
impl fmt::Display for KeyBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.modifiers;
        for (flag, label) in [
            (KeyModifiers::CONTROL, "Ctrl-"),
            (KeyModifiers::ALT, "Alt-"),
            (KeyModifiers::SUPER, "Super-"),
            (KeyModifiers::HYPER, "Hyper-"),
            (KeyModifiers::META, "Meta-"),
        ] {
            if m.contains(flag) {
                f.write_str(label)?;
            }
        }
        match self.code {
            KeyCode::Char(c) if self.has_chord_modifier() && c.is_ascii_uppercase() => {
                write!(f, "Shift-{c}")
            }
            KeyCode::Char(c) if self.has_chord_modifier() && c.is_ascii_lowercase() => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            code => {
                if m.contains(KeyModifiers::SHIFT) {
                    f.write_str("Shift-")?;
                }
                f.write_str(&key_name(code))
            }
        }
    }
}

/// Why a key string does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParseError(pub String);

impl fmt::Display for KeyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyParseError {}

fn modifier_prefix(prefix: &str) -> Option<KeyModifiers> {
    match prefix.to_ascii_lowercase().as_str() {
        "ctrl" | "control" | "c" => Some(KeyModifiers::CONTROL),
        "alt" | "meta" | "m" | "a" | "opt" | "option" => Some(KeyModifiers::ALT),
        "shift" | "s" => Some(KeyModifiers::SHIFT),
        "super" | "cmd" => Some(KeyModifiers::SUPER),
        _ => None,
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    let folded: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let code = match folded.as_str() {
        "esc" | "escape" => KeyCode::Esc,
        "enter" | "return" | "ret" | "cr" => KeyCode::Enter,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" | "bs" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" | "pgdown" => KeyCode::PageDown,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "space" | "spc" => KeyCode::Char(' '),
        f if f.starts_with('f') && f.len() > 1 => {
            let n: u8 = f[1..].parse().ok()?;
            if !(1..=24).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
        _ => return None,
    };
    Some(code)
}

/// Parses `q`, `Q`, `?`, `1`, `space`, `ctrl-s`, `C-s`, `alt-<`, `shift-tab`, `backtab`, `esc`,
/// `enter`, `tab`, `up`, `pgdn`, `f1`… Modifier names are case-insensitive.
impl FromStr for KeyBinding {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(KeyParseError("empty key".into()));
        }
        let mut rest = s;
        let mut modifiers = KeyModifiers::NONE;
        let mut shift = false;
        while let Some(i) = rest.find('-') {
            let (prefix, after) = (&rest[..i], &rest[i + 1..]);
            if prefix.is_empty() || after.is_empty() {
                break;
            }
            let Some(m) = modifier_prefix(prefix) else {
                break;
            };
            shift |= m == KeyModifiers::SHIFT;
            modifiers |= m;
            rest = after;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => named_key(rest).ok_or_else(|| {
                KeyParseError(format!(
                    "unknown key \"{rest}\" (keys are single characters or names like esc, \
                     enter, tab, backtab, space, up, pgdn, home, f1, with ctrl-, alt-, shift-)"
                ))
            })?,
        };
        let code = match code {
            KeyCode::Char(c) if shift && !c.is_ascii_alphabetic() => {
                return Err(KeyParseError(format!(
                    "\"{s}\": write the character Shift produces (e.g. \"?\", not \"shift-/\")"
                )));
            }
            KeyCode::Char(c)
                if !shift && modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        Ok(KeyBinding::new(code, modifiers))
    }
}

/// Keys joined for a hint: `j/Down`.
pub fn key_list(keys: &[KeyBinding]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------------------------
// Keymap

/// Two keys pressed one after the other (`"g g"` in a keymap file), as vim's `gg`.
pub type KeySequence = (KeyBinding, KeyBinding);

/// The resolved keymap: per context, key → command (`None` = explicitly unbound here), and
/// two-key sequences → command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    name: String,
    tables: Tables<KeyBinding>,
    sequences: Tables<KeySequence>,
}

/// Per context, what each key (or sequence) runs; `None` is unbound there.
type Tables<K> = HashMap<Context, HashMap<K, Option<Command>>>;

impl Default for Keymap {
    /// The built-in `default` keymap, resolved when phasegate was built ([`super::builtin`]):
    /// starting on it parses no TOML.
    fn default() -> Self {
        static DEFAULT: OnceLock<Keymap> = OnceLock::new();
        DEFAULT
            .get_or_init(|| Keymap {
                name: super::builtin::DEFAULT.into(),
                tables: super::builtin::KEYS
                    .iter()
                    .map(|(context, keys)| (*context, keys.iter().copied().collect()))
                    .collect(),
                sequences: super::builtin::SEQUENCES
                    .iter()
                    .map(|(context, seqs)| {
                        let seqs = seqs.iter().map(|(a, b, c)| ((*a, *b), *c)).collect();
                        (*context, seqs)
                    })
                    .collect(),
            })
            .clone()
    }
}

/// One context table as written: key → command (`None` unbinds).
type Bindings = Vec<(KeyBinding, Option<Command>)>;

/// One context's two-key sequences as written.
type SequenceBindings = Vec<(KeySequence, Option<Command>)>;

/// One parsed keymap file, before inheritance.
#[derive(Debug, Clone)]
struct KeymapFile {
    tables: Vec<(Context, Bindings, SequenceBindings)>,
}

impl Keymap {
    /// The name it was loaded as (`default`, `vim`, a user keymap…).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The command `key` runs in `context`. A key not mentioned in the context's table falls back
    /// to `[global]` — in the text-input context (`edit`) only for Ctrl/Alt chords, function keys
    /// and Esc, so typing never triggers a command.
    pub fn lookup(&self, context: Context, key: KeyBinding) -> Option<Command> {
        if let Some(found) = self.tables.get(&context).and_then(|t| t.get(&key)) {
            return *found;
        }
        if context == Context::Global || (context.is_text_input() && !key.is_command_chord()) {
            return None;
        }
        self.tables
            .get(&Context::Global)
            .and_then(|t| t.get(&key))
            .copied()
            .flatten()
    }

    /// Whether `context`'s own table names `key` at all: a command, or `"none"` (in `[edit]`:
    /// left to the editor, as the emacs keymap leaves it `alt-v`).
    pub fn mentions(&self, context: Context, key: KeyBinding) -> bool {
        self.tables
            .get(&context)
            .is_some_and(|t| t.contains_key(&key))
    }

    /// The command of the sequence `first` then `second` in `context`, with the same fallback to
    /// `[global]` as [`Keymap::lookup`] (judged on the first key).
    pub fn lookup_sequence(
        &self,
        context: Context,
        first: KeyBinding,
        second: KeyBinding,
    ) -> Option<Command> {
        if let Some(found) = self
            .sequences
            .get(&context)
            .and_then(|t| t.get(&(first, second)))
        {
            return *found;
        }
        if context == Context::Global || (context.is_text_input() && !first.is_command_chord()) {
            return None;
        }
        self.sequences
            .get(&Context::Global)
            .and_then(|t| t.get(&(first, second)))
            .copied()
            .flatten()
    }

    /// Whether `key` starts a sequence in `context` (so the next key completes it) and is not
    /// bound alone there.
    pub fn is_prefix(&self, context: Context, key: KeyBinding) -> bool {
        let starts = |c: Context| {
            self.sequences
                .get(&c)
                .is_some_and(|t| t.iter().any(|((f, _), cmd)| *f == key && cmd.is_some()))
        };
        if self.lookup(context, key).is_some() {
            return false;
        }
        starts(context)
            || (context != Context::Global
                && (key.is_command_chord() || !context.is_text_input())
                && starts(Context::Global))
    }

    /// The sequences that start with `first` in `context` (fallback included): second key and
    /// command, sorted, for the hints shown while the sequence is pending.
    pub fn continuations(&self, context: Context, first: KeyBinding) -> Vec<(KeyBinding, Command)> {
        let mut seconds: Vec<KeyBinding> = [context, Context::Global]
            .iter()
            .filter_map(|c| self.sequences.get(c))
            .flat_map(|t| t.keys())
            .filter(|(f, _)| *f == first)
            .map(|(_, s)| *s)
            .collect();
        seconds.sort();
        seconds.dedup();
        seconds
            .into_iter()
            .filter_map(|s| self.lookup_sequence(context, first, s).map(|c| (s, c)))
            .collect()
    }

    /// [`Keymap::lookup`] for a terminal key event (releases give `None`).
    pub fn lookup_event(&self, context: Context, event: &KeyEvent) -> Option<Command> {
        KeyBinding::from_event(event).and_then(|key| self.lookup(context, key))
    }

    /// Every sequence bound to `command` in any context, as `g g`, for help.
    pub fn sequences_for(&self, command: Command) -> Vec<String> {
        let mut out: Vec<String> = self
            .sequences
            .values()
            .flat_map(|t| t.iter())
            .filter(|(_, c)| **c == Some(command))
            .map(|((f, s), _)| format!("{f} {s}"))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Every key bound to `command` in any context, sorted for display.
    pub fn bindings_for(&self, command: Command) -> Vec<KeyBinding> {
        let mut keys: Vec<KeyBinding> = self
            .tables
            .values()
            .flat_map(|t| t.iter())
            .filter(|(_, c)| **c == Some(command))
            .map(|(k, _)| *k)
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// For every context and command, the keys that run the command when pressed in that
    /// context (fallback to global included), sorted for display: what status-bar hints show.
    /// One pass over every bound key per context.
    pub fn bindings_by_context(&self) -> HashMap<(Context, Command), Vec<KeyBinding>> {
        let mut keys: Vec<KeyBinding> = self
            .tables
            .values()
            .flat_map(|t| t.keys())
            .copied()
            .collect();
        keys.sort();
        keys.dedup();
        let mut out: HashMap<(Context, Command), Vec<KeyBinding>> = HashMap::new();
        for context in Context::ALL {
            for key in &keys {
                if let Some(command) = self.lookup(context, *key) {
                    out.entry((context, command)).or_default().push(*key);
                }
            }
        }
        out
    }

    /// The bindings written for `context` itself (no fallback), sorted by key.
    pub fn bindings(&self, context: Context) -> Vec<(KeyBinding, Command)> {
        let mut out: Vec<(KeyBinding, Command)> = self
            .tables
            .get(&context)
            .map(|t| t.iter().filter_map(|(k, c)| c.map(|c| (*k, c))).collect())
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Resolves keymap `name` and its `inherits` chain. `find(name, builtin_only)` returns the
    /// file for a name (the user's first unless `builtin_only`); pure apart from `find`.
    pub fn resolve(name: &str, find: FindSource<'_>) -> Result<Keymap, Vec<Finding>> {
        let chain = inheritance_chain("keymap", "keymaps", name, find, &parse_keymap_file)?;
        let mut tables: HashMap<Context, HashMap<KeyBinding, Option<Command>>> = HashMap::new();
        let mut sequences: HashMap<Context, HashMap<KeySequence, Option<Command>>> = HashMap::new();
        for file in chain.iter().rev() {
            for (context, entries, seqs) in &file.tables {
                let table = tables.entry(*context).or_default();
                for (key, command) in entries {
                    table.insert(*key, *command);
                }
                let table = sequences.entry(*context).or_default();
                for (seq, command) in seqs {
                    table.insert(*seq, *command);
                }
            }
        }
        let keymap = Keymap {
            name: name.to_string(),
            tables,
            sequences,
        };
        // A key that runs a command alone and also starts a sequence would never wait for the
        // second key: say so at load, naming both (serie's rule for keys bound twice).
        let mut clashes = Vec::new();
        for context in Context::ALL {
            for ((first, second), command) in keymap.sequences.get(&context).into_iter().flatten() {
                if let (Some(seq_cmd), Some(alone)) = (command, keymap.lookup(context, *first)) {
                    clashes.push(Finding::new(
                        Position::file(format!("keymaps/{name}.toml")),
                        format!(
                            "\"{first}\" runs {alone} in [{context}] and also starts \"{first} {second}\" \
                             ({seq_cmd}): unbind one (\"{first}\" = \"none\")"
                        ),
                    ));
                }
            }
        }
        if clashes.is_empty() {
            Ok(keymap)
        } else {
            Err(clashes)
        }
    }

    /// Per context, the keys bound or unbound, and the sequences, as resolved.
    #[cfg(test)]
    pub(super) fn contexts(&self) -> (&Tables<KeyBinding>, &Tables<KeySequence>) {
        (&self.tables, &self.sequences)
    }

    /// Parses one keymap text; `inherits` is resolved against the built-in presets only.
    pub fn parse(file: &str, text: &str) -> Result<Keymap, Vec<Finding>> {
        resolve_text(file, text, "keymaps", PRESETS, Keymap::resolve)
    }
}

/// Loads keymap `name`: `<config_dir>/keymaps/NAME.toml` if it exists, else the preset.
pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Keymap, Vec<Finding>> {
    let dirs: Vec<&Path> = config_dir.into_iter().collect();
    load_from(name, &dirs)
}

/// Loads keymap `name` from the first of `dirs` holding `keymaps/NAME.toml`, else the preset
/// (see [`super::lookup_dirs`]).
pub fn load_from(name: &str, dirs: &[&Path]) -> Result<Keymap, Vec<Finding>> {
    if name == super::builtin::DEFAULT
        && find_user_source(dirs, "keymaps", name)
            .map_err(|f| vec![f])?
            .is_none()
    {
        return Ok(Keymap::default());
    }
    Keymap::resolve(name, &|n, builtin_only| {
        find_source(dirs, "keymaps", n, builtin_only, PRESETS)
    })
}

fn parse_keymap_file(source: &Source) -> Parsed<KeymapFile> {
    let file = source.file.as_str();
    let text = source.text.as_str();
    let doc = DeTable::parse(text).map_err(|e| vec![toml_finding(file, text, &e)])?;
    let mut errors = Vec::new();
    let mut inherits = None;
    let mut tables = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        let key_pos = span_position(file, text, key.span());
        let name = key.get_ref().as_ref();
        if name == "inherits" {
            match value.get_ref().as_str() {
                Some(parent) => {
                    inherits = Some((parent.to_string(), span_position(file, text, value.span())))
                }
                None => errors.push(Finding::new(
                    key_pos,
                    "inherits must be a string naming a keymap, e.g. inherits = \"default\"",
                )),
            }
            continue;
        }
        let context = match name.parse::<Context>() {
            Ok(c) => c,
            Err(e) => {
                let names = Context::ALL.iter().map(|c| c.name());
                let hint = closest(name, names)
                    .map(|s| format!(" (did you mean [{s}]?)"))
                    .unwrap_or_default();
                errors.push(Finding::new(key_pos, format!("{e}{hint}")));
                continue;
            }
        };
        let Some(table) = value.get_ref().as_table() else {
            errors.push(Finding::new(
                key_pos,
                format!("[{context}] must be a table of \"key\" = \"command\" lines"),
            ));
            continue;
        };
        let (entries, seqs) = parse_context_table(file, text, context, table, &mut errors);
        tables.push((context, entries, seqs));
    }
    if errors.is_empty() {
        Ok((KeymapFile { tables }, inherits))
    } else {
        Err(errors)
    }
}

fn parse_context_table(
    file: &str,
    text: &str,
    context: Context,
    table: &DeTable<'_>,
    errors: &mut Vec<Finding>,
) -> (Bindings, SequenceBindings) {
    let mut entries = Vec::new();
    let mut sequences: SequenceBindings = Vec::new();
    let mut seen: HashMap<KeyBinding, (String, Position)> = HashMap::new();
    for (key, value) in table.iter() {
        let raw = key.get_ref().as_ref();
        let key_pos = span_position(file, text, key.span());
        let value_pos = span_position(file, text, value.span());
        if raw == "inherits" {
            errors.push(Finding::new(
                key_pos,
                format!(
                    "inherits is inside [{context}]: every key after a [table] header belongs to \
                     it; put inherits = \"...\" at the top of the file"
                ),
            ));
            continue;
        }
        // Two keys separated by a space are a sequence (`"g g"`); a lone space is the key.
        let parts: Vec<&str> = raw.split(' ').filter(|p| !p.is_empty()).collect();
        let sequence = if parts.len() == 2 {
            match (
                parts[0].parse::<KeyBinding>(),
                parts[1].parse::<KeyBinding>(),
            ) {
                (Ok(a), Ok(b)) => Some((a, b)),
                (Err(e), _) | (_, Err(e)) => {
                    errors.push(Finding::new(key_pos, format!("in [{context}]: {e}")));
                    continue;
                }
            }
        } else if parts.len() > 2 {
            errors.push(Finding::new(
                key_pos,
                format!("in [{context}]: \"{raw}\": a sequence is two keys, e.g. \"g g\""),
            ));
            continue;
        } else {
            None
        };
        let binding = match sequence {
            Some((first, _)) => first,
            None => match raw.parse::<KeyBinding>() {
                Ok(b) => b,
                Err(e) => {
                    errors.push(Finding::new(key_pos, format!("in [{context}]: {e}")));
                    continue;
                }
            },
        };
        let command = match value.get_ref() {
            DeValue::String(s) if s.is_empty() || s == "none" => None,
            DeValue::String(s) => match s.parse::<Command>() {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(Finding::new(
                        value_pos,
                        format!("\"{raw}\" in [{context}]: {e}"),
                    ));
                    continue;
                }
            },
            other => {
                errors.push(Finding::new(
                    value_pos,
                    format!(
                        "\"{raw}\" in [{context}]: expected a command name as a string (or \
                         \"none\" to unbind), found a {}",
                        other.type_str()
                    ),
                ));
                continue;
            }
        };
        if let Some(c) = command
            && !c.applies_in(context)
        {
            let places: Vec<String> = c.contexts().iter().map(|x| format!("[{x}]")).collect();
            errors.push(Finding::new(
                value_pos,
                format!(
                    "\"{raw}\" = \"{c}\": {c} only works in {}, not in [{context}]",
                    places.join(", ")
                ),
            ));
            continue;
        }
        if context.is_text_input() && binding.is_text() && command.is_some() {
            errors.push(Finding::new(
                key_pos,
                format!(
                    "\"{raw}\" cannot be bound in [{context}]: plain characters type text there; \
                     use a Ctrl/Alt chord, a function key or a named key"
                ),
            ));
            continue;
        }
        if let Some(seq) = sequence {
            if sequences.iter().any(|(s, _)| *s == seq) {
                errors.push(Finding::new(
                    key_pos,
                    format!("\"{raw}\" is written twice in [{context}]; keep one"),
                ));
            } else {
                sequences.push((seq, command));
            }
            continue;
        }
        if let Some((other_raw, other_pos)) = seen.get(&binding) {
            errors.push(Finding::new(
                key_pos.clone(),
                format!(
                    "\"{raw}\" and \"{other_raw}\" (line {}) are the same key, {binding}, in \
                     [{context}]; keep one",
                    other_pos.line
                ),
            ));
            continue;
        }
        seen.insert(binding, (raw.to_string(), key_pos));
        entries.push((binding, command));
    }
    (entries, sequences)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyBinding {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_and_displays_keys() {
        let cases = [
            ("q", "q"),
            ("Q", "Q"),
            ("shift-q", "Q"),
            ("S-q", "Q"),
            ("ctrl-s", "Ctrl-S"),
            ("C-s", "Ctrl-S"),
            ("C-S", "Ctrl-S"),
            ("Ctrl-Shift-s", "Ctrl-Shift-S"),
            ("shift-tab", "Shift-Tab"),
            ("backtab", "Shift-Tab"),
            ("S-tab", "Shift-Tab"),
            ("esc", "Esc"),
            ("Escape", "Esc"),
            ("enter", "Enter"),
            ("tab", "Tab"),
            ("up", "Up"),
            ("pgdn", "PageDown"),
            ("page-up", "PageUp"),
            ("f1", "F1"),
            ("F12", "F12"),
            ("?", "?"),
            ("/", "/"),
            ("1", "1"),
            ("-", "-"),
            ("ctrl--", "Ctrl--"),
            ("space", "Space"),
            (" ", "Space"),
            ("alt-<", "Alt-<"),
            ("A-v", "Alt-V"),
            ("alt-V", "Alt-V"),
            ("shift-up", "Shift-Up"),
            ("ctrl-alt-del", "Ctrl-Alt-Delete"),
        ];
        for (input, shown) in cases {
            let k = key(input);
            assert_eq!(k.to_string(), shown, "{input}");
            assert_eq!(key(shown), k, "{shown} parses back");
        }
        assert_eq!(key("C-s"), key("ctrl-s"));
        assert_eq!(key("alt-V"), key("alt-v"));
        assert_ne!(key("ctrl-shift-s"), key("ctrl-s"));
        assert_ne!(key("q"), key("Q"));
    }

    #[test]
    fn rejects_bad_keys() {
        for bad in ["", "ctrl-", "foo", "f0", "f25", "shift-/", "ctrl-foo"] {
            assert!(bad.parse::<KeyBinding>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn events_match_parsed_keys() {
        use crossterm::event::{KeyEventState, KeyModifiers as M};
        let ev = |code, modifiers| KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        let cases = [
            (ev(KeyCode::Char('Q'), M::SHIFT), "Q"),
            (ev(KeyCode::Char('q'), M::SHIFT), "Q"),
            (ev(KeyCode::Char('s'), M::CONTROL), "ctrl-s"),
            (
                ev(KeyCode::Char('S'), M::CONTROL | M::SHIFT),
                "ctrl-shift-s",
            ),
            (ev(KeyCode::BackTab, M::SHIFT), "shift-tab"),
            (ev(KeyCode::Char('?'), M::SHIFT), "?"),
            (ev(KeyCode::Char('<'), M::ALT), "alt-<"),
        ];
        for (event, written) in cases {
            assert_eq!(
                KeyBinding::from_event(&event),
                Some(key(written)),
                "{written}"
            );
        }
        let mut release = ev(KeyCode::Char('q'), M::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(KeyBinding::from_event(&release), None);
    }

    #[test]
    fn orders_keys_for_help() {
        let mut keys = vec![key("down"), key("ctrl-n"), key("J"), key("j")];
        keys.sort();
        assert_eq!(key_list(&keys), "j/J/Down/Ctrl-N");
    }

    fn parse(text: &str) -> Result<Keymap, Vec<Finding>> {
        Keymap::parse("mine.toml", text)
    }

    fn messages(r: Result<Keymap, Vec<Finding>>) -> Vec<String> {
        match r {
            Ok(_) => panic!("expected errors"),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn lookup_falls_back_to_global() {
        let km = parse(
            "[global]\nq = \"quit\"\n\"ctrl-s\" = \"save\"\nj = \"move_down\"\n\
             [view]\nq = \"leave\"\n[gate]\nj = \"none\"\n[edit]\n\"ctrl-z\" = \"undo\"\n",
        )
        .expect("parses");
        assert_eq!(km.lookup(Context::Global, key("q")), Some(Command::Quit));
        assert_eq!(km.lookup(Context::View, key("q")), Some(Command::Leave));
        assert_eq!(km.lookup(Context::Diff, key("q")), Some(Command::Quit));
        assert_eq!(
            km.lookup(Context::Gate, key("j")),
            None,
            "unbound stops the fallback"
        );
        // In edit, plain characters type; chords still fall back.
        assert_eq!(km.lookup(Context::Edit, key("q")), None);
        assert_eq!(km.lookup(Context::Edit, key("ctrl-s")), Some(Command::Save));
        assert_eq!(km.lookup(Context::Edit, key("ctrl-z")), Some(Command::Undo));
        assert_eq!(km.lookup(Context::View, key("ctrl-z")), None);
        assert_eq!(km.bindings_for(Command::Quit), vec![key("q")]);
        let by_context = km.bindings_by_context();
        assert_eq!(by_context.get(&(Context::View, Command::Quit)), None);
        assert_eq!(
            by_context.get(&(Context::Diff, Command::Quit)),
            Some(&vec![key("q")])
        );
        assert_eq!(
            by_context.get(&(Context::View, Command::Leave)),
            Some(&vec![key("q")])
        );
    }

    #[test]
    fn two_key_sequences_wait_for_the_second_key() {
        let km = parse(
            "[global]\ng = \"none\"\n\"g g\" = \"top\"\n\"g r\" = \"review_gate\"\nG = \"bottom\"\n",
        )
        .expect("parses");
        assert!(km.is_prefix(Context::View, key("g")));
        assert!(!km.is_prefix(Context::View, key("G")));
        assert!(
            !km.is_prefix(Context::Edit, key("g")),
            "g types text in edit"
        );
        assert_eq!(
            km.lookup_sequence(Context::Gate, key("g"), key("g")),
            Some(Command::Top)
        );
        assert_eq!(km.lookup_sequence(Context::View, key("g"), key("x")), None);
        assert_eq!(
            km.continuations(Context::View, key("g")),
            vec![(key("g"), Command::Top), (key("r"), Command::ReviewGate)]
        );
        assert_eq!(km.sequences_for(Command::Top), vec!["g g".to_string()]);
        // The vim preset does exactly this.
        let vim = load("vim", None).expect("vim loads");
        assert!(vim.is_prefix(Context::View, key("g")));
        assert_eq!(
            vim.lookup_sequence(Context::View, key("g"), key("g")),
            Some(Command::Top)
        );
    }

    #[test]
    fn a_key_bound_alone_and_as_a_prefix_is_an_error() {
        let errs = messages(parse("[global]\ng = \"review_gate\"\n\"g g\" = \"top\"\n"));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].contains("\"g\" runs review_gate in [global] and also starts \"g g\""),
            "{}",
            errs[0]
        );
        let errs = messages(parse("[global]\n\"g g g\" = \"top\"\n"));
        assert!(errs[0].contains("a sequence is two keys"), "{}", errs[0]);
    }

    #[test]
    fn same_key_written_twice_is_a_conflict() {
        let errs = messages(parse(
            "[global]\n\"ctrl-s\" = \"save\"\n\"C-s\" = \"quit\"\n",
        ));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].starts_with("mine.toml:3:1: "), "{}", errs[0]);
        assert!(
            errs[0].contains("\"C-s\" and \"ctrl-s\" (line 2)"),
            "{}",
            errs[0]
        );
        assert!(errs[0].contains("Ctrl-S"), "{}", errs[0]);
    }

    #[test]
    fn toml_duplicate_key_names_the_position() {
        let errs = messages(parse("[global]\nq = \"quit\"\nq = \"help\"\n"));
        assert!(errs[0].starts_with("mine.toml:3:"), "{errs:?}");
    }

    #[test]
    fn unknown_commands_contexts_and_keys_name_the_position() {
        let errs = messages(parse(
            "[global]\nq = \"quti\"\n[veiw]\ne = \"edit\"\n[gate]\n\"ctrl-nope\" = \"help\"\n",
        ));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].starts_with("mine.toml:2:5: "), "{}", errs[0]);
        assert!(errs[0].contains("did you mean \"quit\""), "{}", errs[0]);
        assert!(errs[1].starts_with("mine.toml:3:2: "), "{}", errs[1]);
        assert!(errs[1].contains("[view]"), "{}", errs[1]);
        assert!(errs[2].starts_with("mine.toml:6:1: "), "{}", errs[2]);
    }

    #[test]
    fn inherits_inside_a_table_is_explained() {
        let errs = messages(parse("[global]\ninherits = \"vim\"\n"));
        assert!(
            errs[0].starts_with("mine.toml:2:1: inherits is inside [global]"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn wrong_context_and_text_keys_in_edit_are_rejected() {
        let errs = messages(parse(
            "[global]\na = \"approve_gate\"\n[edit]\nx = \"save\"\n",
        ));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].contains("only works in [gate]"), "{}", errs[0]);
        assert!(errs[1].starts_with("mine.toml:4:1: "), "{}", errs[1]);
        // Unbinding a character in edit is allowed (it is a no-op).
        assert!(parse("[edit]\nx = \"none\"\n").is_ok());
    }

    #[test]
    fn inherits_overrides_and_detects_cycles() {
        let files: HashMap<&str, &str> = [
            ("a", "inherits = \"b\"\n[global]\nq = \"help\"\n"),
            ("b", "[global]\nq = \"quit\"\nx = \"journal\"\n"),
            ("c", "inherits = \"d\"\n"),
            ("d", "inherits = \"c\"\n"),
            ("e", "inherits = \"nope\"\n"),
        ]
        .into_iter()
        .collect();
        let find = |n: &str, _: bool| {
            Ok(files.get(n).map(|t| Source {
                file: format!("{n}.toml"),
                text: t.to_string(),
            }))
        };
        let a = Keymap::resolve("a", &find).expect("a resolves");
        assert_eq!(a.lookup(Context::Global, key("q")), Some(Command::Help));
        assert_eq!(a.lookup(Context::Global, key("x")), Some(Command::Journal));
        let errs = Keymap::resolve("c", &find).unwrap_err();
        assert!(
            errs[0].to_string().starts_with("d.toml:1:12: "),
            "{}",
            errs[0]
        );
        assert!(errs[0].message.contains("cycle"), "{}", errs[0]);
        let errs = Keymap::resolve("e", &find).unwrap_err();
        assert!(
            errs[0].to_string().starts_with("e.toml:1:12: "),
            "{}",
            errs[0]
        );
        let errs = Keymap::resolve("../etc/passwd", &find).unwrap_err();
        assert!(
            errs[0].message.contains("not a valid keymap name"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn user_file_inheriting_its_own_name_gets_the_preset() {
        let find = |n: &str, builtin_only: bool| {
            Ok(if n == "default" && !builtin_only {
                Some(Source {
                    file: "user/default.toml".into(),
                    text: "inherits = \"default\"\n[global]\nq = \"none\"\n".into(),
                })
            } else {
                crate::config::preset_source("keymaps", n, PRESETS)
            })
        };
        let km = Keymap::resolve("default", &find).expect("resolves");
        assert_eq!(km.lookup(Context::Global, key("q")), None);
        assert_eq!(km.lookup(Context::Global, key("?")), Some(Command::Help));
    }
}
