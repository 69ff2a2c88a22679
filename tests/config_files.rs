//! The compiled-in themes and keymaps, and how user files fail: every problem names
//! `FILE:LINE:COL` and phasegate carries on with the defaults.

use std::path::{Path, PathBuf};

use phasegate::config::commands::{COMMANDS, Command, Context};
use phasegate::config::keymap::{self, KeyBinding, Keymap};
use phasegate::config::theme::{self, ColorSupport, Slot, Theme};
use phasegate::config::{Config, load_all};

fn repo_dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(folder)
}

fn toml_files(folder: &str) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(repo_dir(folder))
        .expect("folder exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            (
                p.file_stem().expect("stem").to_string_lossy().into_owned(),
                p,
            )
        })
        .collect();
    files.sort();
    files
}

fn key(s: &str) -> KeyBinding {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// A config dir with `config.toml` and the given extra files.
fn config_dir(config: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, config).expect("write config");
    (dir, config_path)
}

#[test]
fn every_theme_file_is_compiled_in_and_loads() {
    let files = toml_files("themes");
    assert!(files.len() >= 5, "{files:?}");
    for (name, path) in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let preset = theme::PRESETS.iter().find(|(n, _)| n == name);
        assert_eq!(
            preset.map(|(_, t)| *t),
            Some(text.as_str()),
            "{name} is compiled in"
        );
        let theme = theme::load(name, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(theme.name(), name);
        for slot in Slot::ALL {
            let _ = theme.style(*slot);
        }
    }
    assert_eq!(theme::PRESETS.len(), files.len());
    for name in ["default", "dark", "light", "high-contrast", "mono"] {
        assert!(files.iter().any(|(n, _)| n == name), "{name}");
    }
}

#[test]
fn every_keymap_file_is_compiled_in_and_loads() {
    let files = toml_files("keymaps");
    for (name, path) in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let preset = keymap::PRESETS.iter().find(|(n, _)| n == name);
        assert_eq!(
            preset.map(|(_, t)| *t),
            Some(text.as_str()),
            "{name} is compiled in"
        );
        let km = keymap::load(name, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(km.name(), name);
    }
    assert_eq!(keymap::PRESETS.len(), files.len());
    for name in ["default", "vim", "emacs"] {
        assert!(files.iter().any(|(n, _)| n == name), "{name}");
    }
}

/// DESIGN §4's table of default keys.
const DESIGN_KEYS: &[(&str, Command)] = &[
    ("tab", Command::NextPane),
    ("shift-tab", Command::PrevPane),
    ("1", Command::ShowPhase1),
    ("2", Command::ShowPhase2),
    ("3", Command::ShowPhase3),
    ("4", Command::ShowPhase4),
    ("5", Command::ShowPhase5),
    ("e", Command::Edit),
    ("esc", Command::Leave),
    ("ctrl-s", Command::Save),
    ("E", Command::ExternalEditor),
    ("g", Command::ReviewGate),
    ("d", Command::ShowDiff),
    ("D", Command::RecordDeviation),
    ("j", Command::MoveDown),
    ("k", Command::MoveUp),
    ("down", Command::MoveDown),
    ("up", Command::MoveUp),
    ("left", Command::MoveLeft),
    ("right", Command::MoveRight),
    ("/", Command::Search),
    ("?", Command::Help),
    ("q", Command::Quit),
    ("ctrl-q", Command::ForceQuit),
];

#[test]
fn default_keymap_binds_the_design_keys_everywhere_but_text_input() {
    let km = Keymap::default();
    assert_eq!(km.name(), "default");
    for context in [
        Context::Global,
        Context::Workspace,
        Context::View,
        Context::Gate,
        Context::Diff,
    ] {
        for (k, command) in DESIGN_KEYS {
            assert_eq!(
                km.lookup(context, key(k)),
                Some(*command),
                "{k} in [{context}]"
            );
        }
    }
    // In edit mode, characters type; chords and Esc still work.
    assert_eq!(km.lookup(Context::Edit, key("esc")), Some(Command::Leave));
    assert_eq!(km.lookup(Context::Edit, key("ctrl-s")), Some(Command::Save));
    assert_eq!(
        km.lookup(Context::Edit, key("ctrl-q")),
        Some(Command::ForceQuit)
    );
    for typed in ["q", "e", "j", "1", "/", "?", "E", "tab", "enter", "down"] {
        assert_eq!(
            km.lookup(Context::Edit, key(typed)),
            None,
            "{typed} types in edit"
        );
    }
    // Extras the brief asks for.
    let extras = [
        (Context::Global, "n", Command::SearchNext),
        (Context::Global, "N", Command::SearchPrev),
        (Context::Global, "J", Command::Journal),
        (Context::Global, "pagedown", Command::PageDown),
        (Context::Global, "pageup", Command::PageUp),
        (Context::Global, "home", Command::Top),
        (Context::Global, "end", Command::Bottom),
        (Context::Gate, "space", Command::ToggleCriterion),
        (Context::Gate, "w", Command::WaiveCriterion),
        (Context::Gate, "a", Command::ApproveGate),
        (Context::Gate, "r", Command::RejectGate),
        (Context::Overlay, "y", Command::Confirm),
        (Context::Edit, "ctrl-z", Command::Undo),
        (Context::Edit, "ctrl-y", Command::Redo),
        (Context::Diff, "]", Command::NextHunk),
        (Context::Diff, "[", Command::PrevHunk),
        (Context::Workspace, "enter", Command::Open),
    ];
    for (context, k, command) in extras {
        assert_eq!(
            km.lookup(context, key(k)),
            Some(command),
            "{k} in [{context}]"
        );
    } // Enter never confirms a journal event or a discard (issue 9 item 6).
    assert_eq!(km.lookup(Context::Overlay, key("enter")), None);
}

#[test]
fn default_keymap_has_no_conflicts_and_every_command_has_a_key() {
    // Parsing rejects the same key written twice in one table, so loading is the check.
    let text = keymap::PRESETS
        .iter()
        .find(|(n, _)| *n == "default")
        .map(|(_, t)| *t);
    let km = Keymap::parse("keymaps/default.toml", text.expect("default preset"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    for info in COMMANDS {
        assert!(
            !km.bindings_for(info.command).is_empty(),
            "{} has no key",
            info.name
        );
    }
    // Help text comes from the same place.
    assert_eq!(
        keymap::key_list(&km.bindings_for(Command::MoveDown)),
        "j/Down"
    );
    // Status-bar hints: the keys that work where the hint is shown.
    let keys = phasegate::app::Keys::new(km);
    assert_eq!(
        keys.hint(Context::View, Command::Save).as_deref(),
        Some("Ctrl-S")
    );
    assert_eq!(
        keys.hint(Context::Gate, Command::ApproveGate).as_deref(),
        Some("a")
    );
    assert_eq!(keys.hint(Context::View, Command::ApproveGate), None);
}

#[test]
fn vim_and_emacs_add_their_motions() {
    let vim = keymap::load("vim", None).expect("vim");
    assert_eq!(vim.lookup(Context::View, key("h")), Some(Command::MoveLeft));
    assert_eq!(vim.lookup(Context::View, key("G")), Some(Command::Bottom));
    assert_eq!(
        vim.lookup(Context::View, key("ctrl-d")),
        Some(Command::PageDown)
    );
    assert_eq!(vim.lookup(Context::Edit, key("ctrl-d")), None);
    assert_eq!(
        vim.lookup(Context::View, key("q")),
        Some(Command::Quit),
        "inherited"
    );
    let emacs = keymap::load("emacs", None).expect("emacs");
    assert_eq!(
        emacs.lookup(Context::View, key("ctrl-n")),
        Some(Command::MoveDown)
    );
    assert_eq!(
        emacs.lookup(Context::View, key("alt-<")),
        Some(Command::Top)
    );
    assert_eq!(
        emacs.lookup(Context::Edit, key("ctrl-n")),
        None,
        "the editor moves itself"
    );
    assert_eq!(
        emacs.lookup(Context::Overlay, key("ctrl-g")),
        Some(Command::Cancel)
    );
    assert_eq!(
        emacs.lookup(Context::Edit, key("ctrl-g")),
        Some(Command::Leave)
    );
}

#[test]
fn user_keymap_conflict_names_file_and_both_keys() {
    let (dir, config) = config_dir(
        "keymap = \"mine\"\n",
        &[(
            "keymaps/mine.toml",
            "inherits = \"default\"\n\n[view]\n\"ctrl-s\" = \"save\"\n\"C-s\" = \"quit\"\n",
        )],
    );
    let (loaded, errors) = load_all(Some(&config), &no_env);
    let file = dir.path().join("keymaps/mine.toml");
    assert!(
        errors[0].starts_with(&format!("{}:5:1: ", file.display())),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("\"C-s\" and \"ctrl-s\""),
        "{}",
        errors[0]
    );
    assert!(
        errors
            .last()
            .is_some_and(|e| e.contains("using the default keymap")),
        "{errors:?}"
    );
    assert_eq!(loaded.keymap, Keymap::default());
}

#[test]
fn user_keymap_unknown_command_and_bad_toml_name_the_position() {
    let (dir, config) = config_dir(
        "keymap = \"mine\"\n",
        &[("keymaps/mine.toml", "[global]\nx = \"approve\"\n")],
    );
    let (_, errors) = load_all(Some(&config), &no_env);
    let file = dir.path().join("keymaps/mine.toml");
    assert!(
        errors[0].starts_with(&format!("{}:2:5: ", file.display())),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("unknown command \"approve\""),
        "{}",
        errors[0]
    );

    std::fs::write(&file, "[global]\nx = \"quit\"\nx = \"help\"\n").expect("write");
    let (_, errors) = load_all(Some(&config), &no_env);
    assert!(
        errors[0].starts_with(&format!("{}:3:1: ", file.display())),
        "{errors:?}"
    );

    std::fs::write(&file, "[global\nx = \"quit\"\n").expect("write");
    let (_, errors) = load_all(Some(&config), &no_env);
    assert!(
        errors[0].starts_with(&format!("{}:1:", file.display())),
        "{errors:?}"
    );
}

#[test]
fn bad_config_toml_names_the_position_and_keeps_defaults() {
    let (_dir, config) = config_dir("theme = \"dark\"\nkeymap = 3\n", &[]);
    let (loaded, errors) = load_all(Some(&config), &no_env);
    assert!(
        errors[0].starts_with(&format!("{}:2:10: ", config.display())),
        "{errors:?}"
    );
    assert_eq!(loaded.config, Config::default());
    assert_eq!(loaded.theme, Theme::default());
}

#[test]
fn config_path_from_the_environment() {
    let (_dir, config) = config_dir("keymap = \"vim\"\n", &[]);
    let path = config.display().to_string();
    let env = move |k: &str| (k == "PHASEGATE_CONFIG").then(|| path.clone());
    let (loaded, errors) = load_all(None, &env);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(loaded.keymap.name(), "vim");
}

#[test]
fn theme_inherits_cycle_is_detected() {
    let (dir, config) = config_dir(
        "theme = \"a\"\n",
        &[
            ("themes/a.toml", "inherits = \"b\"\n"),
            ("themes/b.toml", "inherits = \"a\"\n"),
        ],
    );
    let (loaded, errors) = load_all(Some(&config), &no_env);
    let b = dir.path().join("themes/b.toml");
    assert!(
        errors[0].starts_with(&format!("{}:1:12: ", b.display())),
        "{errors:?}"
    );
    assert!(errors[0].contains("cycle: a → b → a"), "{}", errors[0]);
    assert_eq!(loaded.theme, Theme::default());
}

#[test]
fn user_theme_named_like_a_preset_can_inherit_it() {
    let (_dir, config) = config_dir(
        "",
        &[(
            "themes/default.toml",
            "inherits = \"default\"\n\"ui.title\" = \"magenta\"\n",
        )],
    );
    let (loaded, errors) = load_all(Some(&config), &no_env);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        loaded.theme.style(Slot::UiTitle).fg,
        Some(ratatui::style::Color::Magenta)
    );
    assert_eq!(
        loaded.theme.style(Slot::DiffAdded),
        Theme::default().style(Slot::DiffAdded)
    );
}

#[test]
fn mono_theme_has_no_colors() {
    let mono = theme::load("mono", None).expect("mono");
    assert_eq!(mono.color_need(), ColorSupport::Mono);
    for slot in Slot::ALL {
        let style = mono.style(*slot);
        assert_eq!((style.fg, style.bg), (None, None), "{}", slot.name());
    }
    assert!(!mono.style(Slot::UiSelection).add_modifier.is_empty());
}

#[test]
fn no_color_strips_colors_and_keeps_modifiers() {
    let (_dir, config) = config_dir("theme = \"high-contrast\"\n", &[]);
    let env = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
    let (loaded, errors) = load_all(Some(&config), &env);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(loaded.color, ColorSupport::Mono);
    assert_eq!(loaded.theme.name(), "high-contrast");
    assert_eq!(loaded.theme.color_need(), ColorSupport::Mono);
    assert!(!loaded.theme.style(Slot::GateStale).add_modifier.is_empty());
}

#[test]
fn rgb_theme_falls_back_to_default_under_ansi16() {
    for name in ["dark", "light"] {
        let rgb = theme::load(name, None).expect("loads");
        assert_eq!(rgb.color_need(), ColorSupport::TrueColor, "{name}");
        let (theme, note) = rgb.clone().for_terminal(ColorSupport::Ansi16);
        assert_eq!(theme, Theme::default(), "{name}");
        assert!(note.is_some_and(|n| n.contains(name)));
        let (theme, note) = rgb.clone().for_terminal(ColorSupport::TrueColor);
        assert_eq!(theme, rgb);
        assert!(note.is_none());
    }
    for name in ["default", "high-contrast"] {
        let ansi = theme::load(name, None).expect("loads");
        assert_eq!(
            ansi.color_need(),
            ColorSupport::Ansi16,
            "{name} uses ANSI colors only"
        );
    }
    let (_dir, config) = config_dir("theme = \"dark\"\ntruecolor = true\n", &[]);
    let (loaded, errors) = load_all(Some(&config), &no_env);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(loaded.theme.name(), "dark");
}
