//! Configuration: `config.toml`, themes (`themes/`), keymaps (`keymaps/`) and identity.
//!
//! Parsing is pure; the filesystem is read only by [`load`], [`theme::load`] and
//! [`keymap::load`]. Every problem is a message naming `FILE:LINE:COL`, and phasegate carries on
//! with the defaults (the TUI shows the messages in a banner), as yazi does.

// Generated (`builtin_gen`), compared as written.
#[rustfmt::skip]
mod builtin;
#[cfg(test)]
mod builtin_gen;
pub mod commands;
pub mod keymap;
pub mod signing;
pub mod theme;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::position::{Finding, Position, line_column};

// The commit mode is the store's setting; config.toml names it.
pub use crate::store::git::GitCommit;

pub use commands::{COMMANDS, Command, CommandInfo, Context};
pub use keymap::{KeyBinding, Keymap};
pub use theme::{ColorMode, ColorSupport, Slot, Theme};

/// Files phasegate reads are refused above this size.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "PHASEGATE_CONFIG";

/// `config.toml`. Every field is optional; unknown fields are errors.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Theme name: a file in `<config dir>/themes/` or a built-in theme.
    pub theme: String,
    /// Keymap name: a file in `<config dir>/keymaps/` or a built-in keymap.
    pub keymap: String,
    /// Who approves gates and records events, unless `--as` says otherwise.
    pub identity: Option<String>,
    pub color: ColorMode,
    /// Overrides `COLORTERM` detection of 24-bit color.
    pub truecolor: Option<bool>,
    /// SSH key that signs decisions: a private key file, or a `.pub` whose private half is in
    /// ssh-agent. Default: git's `user.signingKey` when `gpg.format = ssh`.
    pub signing_key: Option<PathBuf>,
    /// The allowed-signers file (ssh-keygen format). Default: `<workspace>/allowed_signers`.
    pub allowed_signers: Option<PathBuf>,
    /// Seconds a writer waits for the engagement's lock before giving up (default 30;
    /// `PHASEGATE_LOCK_TIMEOUT` overrides it).
    pub lock_timeout: Option<u64>,
    /// `[git]`: what phasegate does with git after a journal append (DESIGN §7).
    pub git: GitConfig,
}

/// `[git]` in config.toml.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GitConfig {
    pub commit: GitCommit,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            theme: "default".into(),
            keymap: "default".into(),
            identity: None,
            color: ColorMode::Auto,
            truecolor: None,
            signing_key: None,
            allowed_signers: None,
            lock_timeout: None,
            git: GitConfig::default(),
        }
    }
}

/// Parses the text of a config file (`file` names it in messages); the first problem is an
/// error. [`parse_keeping`] keeps what is valid instead.
pub fn parse(file: &str, text: &str) -> Result<Config, Finding> {
    let (config, mut problems) = parse_keeping(file, text);
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems.remove(0))
    }
}

/// The keys of `config.toml`, in the order messages list them.
const CONFIG_KEYS: [&str; 9] = [
    "theme",
    "keymap",
    "identity",
    "color",
    "truecolor",
    "signing_key",
    "allowed_signers",
    "lock_timeout",
    "git",
];

/// Parses a config file key by key: every valid key is kept, every bad one (a wrong type or
/// value, an unknown key) is a finding at its `FILE:LINE:COL` and that setting keeps its
/// default. Only a file that is not TOML at all gives the defaults for everything.
pub fn parse_keeping(file: &str, text: &str) -> (Config, Vec<Finding>) {
    type Spanned<T> = toml::Spanned<T>;
    let table: std::collections::BTreeMap<Spanned<String>, Spanned<toml::Value>> =
        match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let mut f = toml_finding(file, text, &e);
                f.message.push_str(" (using the default settings)");
                return (Config::default(), vec![f]);
            }
        };
    let mut config = Config::default();
    let mut problems = Vec::new();
    // In file order, so the banner reads top to bottom.
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        let at = span_position(file, text, value.span());
        let bad = |what: &str, err: toml::de::Error| {
            Finding::new(
                at.clone(),
                format!(
                    "`{}`: {what}: {} (this setting keeps its default)",
                    key.get_ref(),
                    err.message().trim().replace('\n', " ")
                ),
            )
        };
        let v = value.get_ref().clone();
        let result = match key.get_ref().as_str() {
            "theme" => v
                .try_into()
                .map(|t| config.theme = t)
                .map_err(|e| bad("expected a theme name in quotes", e)),
            "keymap" => v
                .try_into()
                .map(|k| config.keymap = k)
                .map_err(|e| bad("expected a keymap name in quotes", e)),
            "identity" => v
                .try_into()
                .map(|i| config.identity = Some(i))
                .map_err(|e| bad("expected a name in quotes", e)),
            "color" => v
                .try_into()
                .map(|c| config.color = c)
                .map_err(|e| bad("expected \"auto\", \"always\" or \"never\"", e)),
            "truecolor" => v
                .try_into()
                .map(|t| config.truecolor = Some(t))
                .map_err(|e| bad("expected true or false", e)),
            "lock_timeout" => v
                .try_into()
                .map(|t| config.lock_timeout = Some(t))
                .map_err(|e| bad("expected whole seconds", e)),
            "signing_key" => v
                .try_into()
                .map(|k| config.signing_key = Some(k))
                .map_err(|e| bad("expected a key file path in quotes", e)),
            "git" => v.try_into().map(|g| config.git = g).map_err(|e| {
                bad(
                    "expected a table like [git] commit = \"decisions\" (\"events\", \"off\")",
                    e,
                )
            }),
            "allowed_signers" => v
                .try_into()
                .map(|a| config.allowed_signers = Some(a))
                .map_err(|e| bad("expected a file path in quotes", e)),
            other => {
                let hint = closest(other, CONFIG_KEYS.iter().copied())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                Err(Finding::new(
                    span_position(file, text, key.span()),
                    format!(
                        "unknown key `{other}`{hint}: config.toml knows {}",
                        CONFIG_KEYS.join(", ")
                    ),
                ))
            }
        };
        if let Err(f) = result {
            problems.push(f);
        }
    }
    (config, problems)
}

/// Which config file to read: `explicit`, else `$PHASEGATE_CONFIG`, else
/// `<platform config dir>/phasegate/config.toml`.
pub fn config_path(
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = env(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "phasegate").map(|d| d.config_dir().join("config.toml"))
}

/// The process environment, for [`load`] and [`load_all`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Reads the config file (see [`config_path`]). A missing file means defaults, silently; a file
/// that cannot be read or parsed gives a message (for the banner) and the defaults.
pub fn load(path: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> (Config, Vec<String>) {
    let (config, _, errors) = load_file(path, env);
    (config, errors)
}

fn load_file(
    path: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Config, Option<PathBuf>, Vec<String>) {
    let Some(path) = config_path(path, env) else {
        return (Config::default(), None, Vec::new());
    };
    let file = path.display().to_string();
    match read_text(&path) {
        Ok(None) => (Config::default(), Some(path), Vec::new()),
        Ok(Some(text)) => {
            let (config, problems) = parse_keeping(&file, &text);
            (
                config,
                Some(path),
                problems.iter().map(ToString::to_string).collect(),
            )
        }
        Err(e) => (
            Config::default(),
            Some(path),
            vec![format!("{e} (using the default settings)")],
        ),
    }
}

/// Everything the TUI needs from configuration, resolved.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The config file read (or that would have been read); themes and keymaps are looked up
    /// in its directory.
    pub path: Option<PathBuf>,
    pub color: ColorSupport,
    /// The theme, already adapted to `color`.
    pub theme: Theme,
    pub keymap: Keymap,
}

impl LoadedConfig {
    /// Directory holding `config.toml`, `themes/` and `keymaps/`.
    pub fn config_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }
}

/// [`load`], then the theme and keymap it names (each: an error gives messages and the
/// built-in default), and the terminal's color support.
pub fn load_all(
    path: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (LoadedConfig, Vec<String>) {
    let (config, path, mut errors) = load_file(path, env);
    let dirs = lookup_dirs(path.as_deref(), env);
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let color = ColorSupport::detect(env, config.color, config.truecolor);

    let theme = theme::load_from(&config.theme, &dirs).unwrap_or_else(|found| {
        report(
            &mut errors,
            &found,
            &format!("theme \"{}\"", config.theme),
            "theme",
        );
        Theme::default()
    });
    let (theme, note) = theme.for_terminal(color);
    errors.extend(note);

    let keymap = keymap::load_from(&config.keymap, &dirs).unwrap_or_else(|found| {
        report(
            &mut errors,
            &found,
            &format!("keymap \"{}\"", config.keymap),
            "keymap",
        );
        Keymap::default()
    });

    (
        LoadedConfig {
            config,
            path,
            color,
            theme,
            keymap,
        },
        errors,
    )
}

fn report(errors: &mut Vec<String>, found: &[Finding], what: &str, kind: &str) {
    errors.extend(found.iter().map(ToString::to_string));
    errors.push(format!("{what} not used: using the default {kind}"));
}

/// Who is acting: `--as`, else config `identity`, else `git config user.name`, else the OS
/// account `user@host` ([`os_user`]).
pub fn identity(cli_as: Option<&str>, config: &Config) -> String {
    identity_from(cli_as, config, git_user_name, os_user)
}

fn identity_from(
    cli_as: Option<&str>,
    config: &Config,
    git: impl FnOnce() -> Option<String>,
    os: impl FnOnce() -> String,
) -> String {
    let given = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    given(cli_as)
        .or_else(|| given(config.identity.as_deref()))
        .or_else(|| given(git().as_deref()))
        .unwrap_or_else(os)
}

/// `git config user.name`, run without a shell; `None` on any failure.
fn git_user_name() -> Option<String> {
    git_config("user.name")
}

/// `git config KEY`, run without a shell; `None` on any failure or an empty value.
pub fn git_config(key: &str) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["config", key])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `user@host` as the OS reports it: the account of the real uid and the kernel's host name
/// (`$USER` and `$HOSTNAME` are whatever the caller set, so they are not asked).
pub fn os_user() -> String {
    crate::store::instance::InstanceOwner::current().user_at_host()
}

/// True when the locale asks for UTF-8: the first set of `LC_ALL`, `LC_CTYPE`, `LANG` names a
/// UTF-8 codeset. Unset (the C locale) means plain ASCII for box drawing and markers.
pub fn utf8_locale(env: &dyn Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| env(k).filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

// ---------------------------------------------------------------------------------------------
// Shared by themes and keymaps

/// A theme or keymap file: its name for messages and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub text: String,
}

/// Reads a config, theme or keymap file under the same limits as engagement files (UTF-8, no NUL,
/// 16 MiB); `Ok(None)` when it does not exist.
pub fn read_text(path: &Path) -> Result<Option<String>, Finding> {
    crate::store::limits::read_text_file(path).map_err(|e| {
        Finding::new(
            Position::new(e.path.display().to_string(), e.line, e.column),
            e.message,
        )
    })
}

/// The first `<dir>/<folder>/<name>.toml` that exists, `dirs` in order (see [`lookup_dirs`]),
/// unless `builtin_only`; else the preset of that name.
pub(crate) fn find_source(
    config_dirs: &[&Path],
    folder: &str,
    name: &str,
    builtin_only: bool,
    presets: &[(&str, &str)],
) -> Result<Option<Source>, Finding> {
    if !builtin_only && let Some(source) = find_user_source(config_dirs, folder, name)? {
        return Ok(Some(source));
    }
    Ok(preset_source(folder, name, presets))
}

/// The first `<dir>/<folder>/<name>.toml` that exists, `dirs` in order.
pub(crate) fn find_user_source(
    config_dirs: &[&Path],
    folder: &str,
    name: &str,
) -> Result<Option<Source>, Finding> {
    for dir in config_dirs {
        let path = dir.join(folder).join(format!("{name}.toml"));
        if let Some(text) = read_text(&path)? {
            return Ok(Some(Source {
                file: path.display().to_string(),
                text,
            }));
        }
    }
    Ok(None)
}

/// The standard config directory the README names: `$XDG_CONFIG_HOME/phasegate`, else
/// `~/.config/phasegate`.
pub fn standard_config_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = env("XDG_CONFIG_HOME")
        .filter(|d| Path::new(d).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            env("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| Path::new(&h).join(".config"))
        })?;
    Some(base.join("phasegate"))
}

/// Where user themes and keymaps are looked up, in order: the directory of the config file in
/// use (`--config`, `PHASEGATE_CONFIG` or the default), then the standard config directory when
/// that is another one. A name found in neither is a built-in preset.
pub fn lookup_dirs(
    config_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = config_file
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .into_iter()
        .collect();
    if let Some(standard) = standard_config_dir(env)
        && !dirs.contains(&standard)
    {
        dirs.push(standard);
    }
    dirs
}

/// The compiled-in preset `name` of `folder` (themes, keymaps).
pub(crate) fn preset_source(folder: &str, name: &str, presets: &[(&str, &str)]) -> Option<Source> {
    presets
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| Source {
            file: format!("built-in {folder}/{n}.toml"),
            text: (*text).to_string(),
        })
}

/// Resolves one theme or keymap text on its own: it is named after its file's stem, and its
/// `inherits` is resolved against the presets only.
pub(crate) fn resolve_text<T>(
    file: &str,
    text: &str,
    folder: &str,
    presets: &[(&str, &str)],
    resolve: impl FnOnce(&str, FindSource<'_>) -> Result<T, Vec<Finding>>,
) -> Result<T, Vec<Finding>> {
    let source = Source {
        file: file.to_string(),
        text: text.to_string(),
    };
    let name = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(folder)
        .to_string();
    resolve(&name, &|n, _| {
        Ok(if n == name {
            Some(source.clone())
        } else {
            preset_source(folder, n, presets)
        })
    })
}

/// Finds the file for a theme or keymap: `(name, builtin_only)` → the user's file (unless
/// `builtin_only`) or the preset; `None` when neither exists.
pub type FindSource<'a> = &'a dyn Fn(&str, bool) -> Result<Option<Source>, Finding>;

/// A parsed file and the `inherits = "NAME"` it names, with that value's position.
pub(crate) type Parsed<P> = Result<(P, Option<(String, Position)>), Vec<Finding>>;

/// Follows `inherits` from `name`: returns the parsed files leaf first. A file inheriting its own
/// name gets the built-in of that name; a cycle is an error at the `inherits` that closes it.
pub(crate) fn inheritance_chain<P>(
    kind: &str,
    folder: &str,
    name: &str,
    find: FindSource<'_>,
    parse: &dyn Fn(&Source) -> Parsed<P>,
) -> Result<Vec<P>, Vec<Finding>> {
    let mut chain = Vec::new();
    let mut visited: Vec<(String, String)> = Vec::new();
    let mut current = name.to_string();
    let mut from: Option<Position> = None;
    let mut builtin_only = false;
    loop {
        let at = |from: &Option<Position>| {
            from.clone()
                .unwrap_or_else(|| Position::file(format!("{folder}/{current}.toml")))
        };
        let valid = !current.is_empty()
            && current
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(vec![Finding::new(
                at(&from),
                format!("\"{current}\" is not a valid {kind} name (letters, digits, - and _ only)"),
            )]);
        }
        let Some(source) = find(&current, builtin_only).map_err(|e| vec![e])? else {
            let what = if builtin_only { "no built-in" } else { "no" };
            return Err(vec![Finding::new(
                at(&from),
                format!(
                    "{what} {kind} named \"{current}\" (looked for {folder}/{current}.toml in the \
                     config directory, then the built-in {folder})"
                ),
            )]);
        };
        if visited.iter().any(|(_, file)| *file == source.file) {
            let mut names: Vec<&str> = visited.iter().map(|(n, _)| n.as_str()).collect();
            names.push(&current);
            return Err(vec![Finding::new(
                at(&from),
                format!("{kind} inherits cycle: {}", names.join(" → ")),
            )]);
        }
        let (parsed, inherits) = parse(&source)?;
        chain.push(parsed);
        visited.push((current.clone(), source.file));
        match inherits {
            None => return Ok(chain),
            Some((parent, pos)) => {
                builtin_only = parent == current;
                current = parent;
                from = Some(pos);
            }
        }
    }
}

/// The position of a byte span's start.
pub(crate) fn span_position(file: &str, text: &str, span: std::ops::Range<usize>) -> Position {
    let (line, column) = line_column(text, span.start);
    Position::new(file, line, column)
}

/// A `toml` error as a finding at the position it names.
pub(crate) fn toml_finding(file: &str, text: &str, err: &toml::de::Error) -> Finding {
    let position = match err.span() {
        Some(span) => span_position(file, text, span),
        None => Position::file(file),
    };
    let message = err.message().trim().replace('\n', " ");
    Finding::new(position, message)
}

/// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Edit distance counting a swap of two neighbours as one edit (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_config() {
        let c = parse(
            "config.toml",
            "theme = \"dark\"\nkeymap = \"vim\"\nidentity = \"alice\"\ncolor = \"never\"\ntruecolor = true\n",
        )
        .expect("parses");
        assert_eq!(c.theme, "dark");
        assert_eq!(c.keymap, "vim");
        assert_eq!(c.identity.as_deref(), Some("alice"));
        assert_eq!(c.color, ColorMode::Never);
        assert_eq!(c.truecolor, Some(true));
        assert_eq!(
            parse("config.toml", "").expect("empty is fine"),
            Config::default()
        );
    }

    #[test]
    fn config_errors_name_file_line_col() {
        let e = parse("config.toml", "theme = \"dark\"\ncolour = \"never\"\n").unwrap_err();
        assert!(e.to_string().starts_with("config.toml:2:1: "), "{e}");
        assert!(e.message.contains("colour"), "{e}");
        let e = parse("config.toml", "color = \"sometimes\"\n").unwrap_err();
        assert!(e.to_string().starts_with("config.toml:1:9: "), "{e}");
        let e = parse("config.toml", "theme = \n").unwrap_err();
        assert!(e.to_string().starts_with("config.toml:1:"), "{e}");
    }

    #[test]
    fn missing_file_means_defaults_silently() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (c, errors) = load(Some(&dir.path().join("nope.toml")), &no_env);
        assert_eq!(c, Config::default());
        assert!(errors.is_empty());
    }

    #[test]
    fn bad_key_gives_a_message_and_keeps_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "theme = \"dark\"\nbogus = 1\n").expect("write");
        let (c, errors) = load(Some(&path), &no_env);
        // Only the bad key is lost (issue 15): the valid theme is kept.
        assert_eq!(
            c,
            Config {
                theme: "dark".into(),
                ..Config::default()
            }
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(&format!("{}:2:1: ", path.display())),
            "{}",
            errors[0]
        );

        std::fs::write(&path, b"theme = \"d\xffark\"\n").expect("write");
        let (_, errors) = load(Some(&path), &no_env);
        assert!(
            errors[0].starts_with(&format!("{}:1:11: not valid UTF-8", path.display())),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn path_resolution_order() {
        let env = |k: &str| (k == CONFIG_ENV).then(|| "/from/env.toml".to_string());
        assert_eq!(
            config_path(Some(Path::new("/explicit.toml")), &env),
            Some(PathBuf::from("/explicit.toml"))
        );
        assert_eq!(
            config_path(None, &env),
            Some(PathBuf::from("/from/env.toml"))
        );
        if let Some(p) = config_path(None, &no_env) {
            assert!(p.ends_with("config.toml"), "{}", p.display());
        }
    }

    #[test]
    fn user_keymaps_and_themes_are_found_in_the_standard_dir_when_the_config_is_elsewhere() {
        let elsewhere = tempfile::tempdir().expect("tempdir");
        let xdg = tempfile::tempdir().expect("tempdir");
        let standard = xdg.path().join("phasegate");
        std::fs::create_dir_all(standard.join("keymaps")).expect("mkdir");
        std::fs::create_dir_all(standard.join("themes")).expect("mkdir");
        std::fs::write(
            standard.join("keymaps/mine.toml"),
            "inherits = \"default\"\n[global]\nx = \"quit\"\n",
        )
        .expect("write");
        std::fs::write(
            standard.join("themes/mine.toml"),
            "inherits = \"default\"\n\"ui.title\" = \"red\"\n",
        )
        .expect("write");
        // PHASEGATE_CONFIG points at a file in another directory, with no keymaps/ next to it.
        let config = elsewhere.path().join("team.toml");
        std::fs::write(&config, "theme = \"mine\"\nkeymap = \"mine\"\n").expect("write");
        let xdg_home = xdg.path().display().to_string();
        let config_env = config.display().to_string();
        let env = |name: &str| match name {
            "XDG_CONFIG_HOME" => Some(xdg_home.clone()),
            CONFIG_ENV => Some(config_env.clone()),
            _ => None,
        };
        let (loaded, errors) = load_all(None, &env);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(loaded.theme.name(), "mine");
        assert_eq!(
            loaded
                .keymap
                .lookup(Context::Global, "x".parse().expect("key")),
            Some(Command::Quit)
        );
        assert_eq!(
            lookup_dirs(Some(&config), &env),
            vec![elsewhere.path().to_path_buf(), standard.clone()]
        );
        // A file next to the config wins over the standard directory.
        std::fs::create_dir_all(elsewhere.path().join("keymaps")).expect("mkdir");
        std::fs::write(
            elsewhere.path().join("keymaps/mine.toml"),
            "inherits = \"default\"\n[global]\nx = \"help\"\n",
        )
        .expect("write");
        let (loaded, _) = load_all(None, &env);
        assert_eq!(
            loaded
                .keymap
                .lookup(Context::Global, "x".parse().expect("key")),
            Some(Command::Help)
        );
        // HOME is the fallback for XDG_CONFIG_HOME.
        let home = |name: &str| (name == "HOME").then(|| "/home/ops".to_string());
        assert_eq!(
            standard_config_dir(&home),
            Some(PathBuf::from("/home/ops/.config/phasegate"))
        );
    }

    #[test]
    fn load_all_resolves_user_files_and_falls_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::create_dir_all(dir.path().join("themes")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("keymaps")).expect("mkdir");
        std::fs::write(
            dir.path().join("themes/mine.toml"),
            "inherits = \"default\"\n\"ui.title\" = \"red\"\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("keymaps/mine.toml"),
            "inherits = \"vim\"\n[global]\nx = \"quit\"\n",
        )
        .expect("write");
        std::fs::write(&path, "theme = \"mine\"\nkeymap = \"mine\"\n").expect("write");
        let (loaded, errors) = load_all(Some(&path), &no_env);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(loaded.theme.name(), "mine");
        assert_eq!(loaded.color, ColorSupport::Ansi16);
        assert_eq!(
            loaded
                .keymap
                .lookup(Context::Global, "x".parse().expect("key")),
            Some(Command::Quit)
        );
        assert_eq!(
            loaded
                .keymap
                .lookup(Context::Global, "G".parse().expect("key")),
            Some(Command::Bottom)
        );
        assert_eq!(loaded.config_dir(), Some(dir.path()));

        std::fs::write(
            dir.path().join("keymaps/mine.toml"),
            "[global]\nx = \"qiut\"\n",
        )
        .expect("write");
        std::fs::write(&path, "theme = \"nope\"\nkeymap = \"mine\"\n").expect("write");
        let (loaded, errors) = load_all(Some(&path), &no_env);
        assert_eq!(loaded.theme, Theme::default());
        assert_eq!(loaded.keymap, Keymap::default());
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0].contains("no theme named \"nope\""),
            "{}",
            errors[0]
        );
        let keymap_file = dir.path().join("keymaps/mine.toml");
        assert!(
            errors[2].starts_with(&format!("{}:2:5: ", keymap_file.display())),
            "{}",
            errors[2]
        );
        assert!(
            errors[3].contains("using the default keymap"),
            "{}",
            errors[3]
        );
    }

    #[test]
    fn truecolor_theme_falls_back_without_truecolor() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "theme = \"dark\"\n").expect("write");
        let (loaded, errors) = load_all(Some(&path), &no_env);
        assert_eq!(loaded.theme.name(), "default");
        assert_eq!(errors.len(), 1, "{errors:?}");
        let env = |k: &str| (k == "COLORTERM").then(|| "truecolor".to_string());
        let (loaded, errors) = load_all(Some(&path), &env);
        assert_eq!(loaded.theme.name(), "dark");
        assert!(errors.is_empty());
    }

    #[test]
    fn git_commit_is_parsed_key_by_key() {
        let (c, problems) = parse_keeping("c.toml", "[git]\ncommit = \"decisions\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.git.commit, GitCommit::Decisions);
        assert_eq!(Config::default().git.commit, GitCommit::Off);
        // A bad value keeps the default and names the place; the other keys are kept.
        let (c, problems) =
            parse_keeping("c.toml", "theme = \"dark\"\n[git]\ncommit = \"always\"\n");
        assert_eq!(c.theme, "dark");
        assert_eq!(c.git.commit, GitCommit::Off);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().starts_with("c.toml:2:1: `git`"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn identity_order() {
        let config = Config {
            identity: Some("carol".into()),
            ..Config::default()
        };
        let none = Config::default();
        let git = || Some("Bob Git".to_string());
        let os = || "dave@host".to_string();
        assert_eq!(identity_from(Some("alice"), &config, git, os), "alice");
        assert_eq!(identity_from(Some("  "), &config, git, os), "carol");
        assert_eq!(identity_from(None, &none, git, os), "Bob Git");
        assert_eq!(identity_from(None, &none, || None, os), "dave@host");
        assert!(!identity(None, &none).is_empty());
    }

    #[test]
    fn os_user_format() {
        let me = crate::store::instance::InstanceOwner::current();
        assert_eq!(os_user(), format!("{}@{}", me.user, me.host));
        assert!(os_user().contains('@'));
    }

    #[test]
    fn utf8_locale_from_env() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(utf8_locale(&env(&[("LANG", "en_US.UTF-8")])));
        assert!(utf8_locale(&env(&[("LC_ALL", "C.utf8"), ("LANG", "C")])));
        assert!(!utf8_locale(&env(&[
            ("LC_ALL", "C"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(utf8_locale(&env(&[
            ("LC_ALL", ""),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(!utf8_locale(&env(&[])));
    }

    #[test]
    fn closest_suggests_typos_only() {
        let names = ["save", "quit", "search"];
        assert_eq!(closest("sve", names.into_iter()), Some("save"));
        assert_eq!(closest("xyzzy", names.into_iter()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("quti", "quit"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
