//! Themes: named style slots (`ui.text`, `gate.stale`, `diff.added.word`…) with helix-like
//! fallback, `inherits` + `[palette]`, and the terminal's color capability.
//!
//! A theme file is TOML:
//! ```toml
//! inherits = "default"            # optional
//! # slots, quoted: a color, or a table
//! "ui.text.dim" = "gray"
//! "gate.stale" = { fg = "teal", bg = "black", modifiers = ["bold", "reversed"] }
//!
//! [palette]                       # last: every key after a [table] header belongs to it
//! teal = "#2aa198"                # or a named ANSI color, or 0-255
//! ```
//! A slot without a style falls back to its parent (`ui.text.dim` → `ui.text` → `ui`), then to
//! the terminal's default style.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::{
    FindSource, Parsed, Source, closest, find_source, find_user_source, inheritance_chain,
    resolve_text, span_position, toml_finding,
};
use crate::domain::position::{Finding, Position};

/// The themes compiled into the binary: (name, TOML text).
pub const PRESETS: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("default", include_str!("../../themes/default.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("light", include_str!("../../themes/light.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

macro_rules! slots {
    ($( $variant:ident => $name:literal, )+) => {
        /// A named style slot. Its name is the key in theme files.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Slot {
            $( #[doc = $name] $variant, )+
        }

        impl Slot {
            /// Every slot, in theme-file order.
            pub const ALL: &'static [Slot] = &[ $( Slot::$variant, )+ ];

            /// The name theme files use.
            pub fn name(self) -> &'static str {
                match self { $( Slot::$variant => $name, )+ }
            }
        }
    };
}

slots! {
    Ui => "ui",
    UiText => "ui.text",
    UiTextDim => "ui.text.dim",
    UiBorder => "ui.border",
    UiBorderFocus => "ui.border.focus",
    UiTitle => "ui.title",
    UiStatusbar => "ui.statusbar",
    UiStatusbarMode => "ui.statusbar.mode",
    UiKey => "ui.key",
    UiSelection => "ui.selection",
    UiCursor => "ui.cursor",
    UiCursorLine => "ui.cursorline",
    UiSearchMatch => "ui.search.match",
    UiToast => "ui.toast",
    UiBannerError => "ui.banner.error",
    UiBannerWarning => "ui.banner.warning",
    GatePending => "gate.pending",
    GateApproved => "gate.approved",
    GateRejected => "gate.rejected",
    GateStale => "gate.stale",
    PhaseCurrent => "phase.current",
    PhaseDone => "phase.done",
    PhaseLocked => "phase.locked",
    CriterionPass => "criterion.pass",
    CriterionFail => "criterion.fail",
    CriterionChecked => "criterion.checked",
    CriterionWaived => "criterion.waived",
    CriterionUnchecked => "criterion.unchecked",
    DiffAdded => "diff.added",
    DiffRemoved => "diff.removed",
    DiffAddedWord => "diff.added.word",
    DiffRemovedWord => "diff.removed.word",
    DiffUnexplained => "diff.unexplained",
    DiffExplained => "diff.explained",
    MarkdownHeading => "markdown.heading",
    MarkdownId => "markdown.id",
    MarkdownCode => "markdown.code",
    MarkdownEmphasis => "markdown.emphasis",
    MarkdownList => "markdown.list",
    MarkdownComment => "markdown.comment",
}

/// `color = "auto" | "always" | "never"` in config.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorMode {
    /// Colors unless `NO_COLOR` is set or `TERM=dumb`.
    #[default]
    Auto,
    /// Colors even when `NO_COLOR` is set.
    Always,
    /// No colors; modifiers (bold, reverse…) only.
    Never,
}

/// What the terminal can show, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColorSupport {
    Mono,
    Ansi16,
    Ansi256,
    TrueColor,
}

impl ColorSupport {
    /// From the environment and config: `color = "never"` or (with `auto`) `NO_COLOR` / `TERM=dumb`
    /// → `Mono`; `truecolor = true|false` overrides `COLORTERM=truecolor|24bit`; `TERM=*256color*`
    /// → `Ansi256`; else `Ansi16`.
    pub fn detect(
        env: &dyn Fn(&str) -> Option<String>,
        mode: ColorMode,
        truecolor: Option<bool>,
    ) -> ColorSupport {
        let term = env("TERM").unwrap_or_default();
        match mode {
            ColorMode::Never => return ColorSupport::Mono,
            ColorMode::Auto if env("NO_COLOR").is_some_and(|v| !v.is_empty()) || term == "dumb" => {
                return ColorSupport::Mono;
            }
            _ => {}
        }
        let colorterm = env("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        let reports_truecolor = colorterm == "truecolor" || colorterm == "24bit";
        if truecolor.unwrap_or(reports_truecolor) {
            ColorSupport::TrueColor
        } else if term.contains("256color") {
            ColorSupport::Ansi256
        } else {
            ColorSupport::Ansi16
        }
    }

    fn of(color: Color) -> ColorSupport {
        match color {
            Color::Rgb(..) => ColorSupport::TrueColor,
            Color::Indexed(n) if n >= 16 => ColorSupport::Ansi256,
            _ => ColorSupport::Ansi16,
        }
    }
}

impl fmt::Display for ColorSupport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColorSupport::Mono => "no colors",
            ColorSupport::Ansi16 => "16 colors",
            ColorSupport::Ansi256 => "256 colors",
            ColorSupport::TrueColor => "24-bit colors",
        })
    }
}

/// A resolved theme.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    name: String,
    scopes: HashMap<String, Style>,
    slots: Vec<Style>,
    /// A hash of everything above: what a pane's kept lines compare to know they were made
    /// with this theme, instead of a copy of it compared field by field every frame.
    fingerprint: u64,
}

impl Default for Theme {
    /// The built-in `default` theme (16 ANSI colors), resolved when phasegate was built
    /// ([`super::builtin`]): starting on it parses no TOML.
    fn default() -> Self {
        static DEFAULT: OnceLock<Theme> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                let scopes = super::builtin::THEME
                    .iter()
                    .map(|(scope, style)| ((*scope).to_string(), *style))
                    .collect();
                Theme::from_scopes(super::builtin::DEFAULT, scopes)
            })
            .clone()
    }
}

impl Theme {
    fn from_scopes(name: &str, scopes: HashMap<String, Style>) -> Theme {
        let slots = Slot::ALL
            .iter()
            .map(|s| lookup_scope(&scopes, s.name()))
            .collect::<Vec<Style>>();
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            name.hash(&mut h);
            let mut sorted: Vec<_> = scopes.iter().collect();
            sorted.sort_unstable_by_key(|(scope, _)| *scope);
            sorted.hash(&mut h);
            slots.hash(&mut h);
            h.finish()
        };
        Theme {
            name: name.to_string(),
            scopes,
            slots,
            fingerprint,
        }
    }

    /// Equal for equal themes; different, but for a 64-bit hash collision, otherwise.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every scope the theme styles, as resolved (before the slots' fallback).
    #[cfg(test)]
    pub(super) fn scopes(&self) -> &HashMap<String, Style> {
        &self.scopes
    }

    /// The style of a slot (already resolved with fallback).
    pub fn style(&self, slot: Slot) -> Style {
        self.slots.get(slot as usize).copied().unwrap_or_default()
    }

    /// The style of any scope name, falling back parent by parent (`a.b.c` → `a.b` → `a`).
    pub fn get(&self, scope: &str) -> Style {
        lookup_scope(&self.scopes, scope)
    }

    /// The weakest terminal that shows every color of this theme.
    pub fn color_need(&self) -> ColorSupport {
        self.scopes
            .values()
            .flat_map(|s| [s.fg, s.bg])
            .flatten()
            .map(ColorSupport::of)
            .max()
            .unwrap_or(ColorSupport::Mono)
    }

    /// The same theme with every color removed; modifiers kept.
    pub fn without_colors(&self) -> Theme {
        let scopes = self
            .scopes
            .iter()
            .map(|(k, s)| {
                (
                    k.clone(),
                    Style::new()
                        .add_modifier(s.add_modifier)
                        .remove_modifier(s.sub_modifier),
                )
            })
            .collect();
        Theme::from_scopes(&self.name, scopes)
    }

    /// Adapts the theme to the terminal: `Mono` strips colors; a theme needing more colors than
    /// the terminal has is replaced by the built-in `default`, with a note saying so.
    pub fn for_terminal(self, support: ColorSupport) -> (Theme, Option<String>) {
        if support == ColorSupport::Mono {
            return (self.without_colors(), None);
        }
        let need = self.color_need();
        if need <= support {
            return (self, None);
        }
        let note = format!(
            "theme \"{}\" uses {need} but the terminal reports {support} (COLORTERM/TERM); \
             using the default theme. Set truecolor = true in config.toml if the terminal does \
             support 24-bit color.",
            self.name
        );
        (Theme::default(), Some(note))
    }

    /// Resolves theme `name` and its `inherits` chain; `find(name, builtin_only)` returns the
    /// file for a name (the user's first unless `builtin_only`). Pure apart from `find`.
    pub fn resolve(name: &str, find: FindSource<'_>) -> Result<Theme, Vec<Finding>> {
        let chain = inheritance_chain("theme", "themes", name, find, &parse_theme_file)?;
        let mut palette: HashMap<String, Color> = HashMap::new();
        let mut raw: HashMap<String, RawStyle> = HashMap::new();
        for file in chain.into_iter().rev() {
            palette.extend(file.palette);
            for (scope, style) in file.scopes {
                raw.insert(scope, style);
            }
        }
        let mut errors = Vec::new();
        let mut scopes = HashMap::new();
        for (scope, style) in raw {
            let mut out = Style::new().add_modifier(style.modifiers);
            if let Some(c) = style.fg.and_then(|c| c.resolve(&palette, &mut errors)) {
                out = out.fg(c);
            }
            if let Some(c) = style.bg.and_then(|c| c.resolve(&palette, &mut errors)) {
                out = out.bg(c);
            }
            scopes.insert(scope, out);
        }
        if !errors.is_empty() {
            errors.sort_by(|a: &Finding, b| a.position.cmp(&b.position));
            return Err(errors);
        }
        Ok(Theme::from_scopes(name, scopes))
    }

    /// Parses one theme text; `inherits` is resolved against the built-in presets only.
    pub fn parse(file: &str, text: &str) -> Result<Theme, Vec<Finding>> {
        resolve_text(file, text, "themes", PRESETS, Theme::resolve)
    }
}

/// Loads theme `name`: `<config_dir>/themes/NAME.toml` if it exists, else the preset.
pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Theme, Vec<Finding>> {
    let dirs: Vec<&Path> = config_dir.into_iter().collect();
    load_from(name, &dirs)
}

/// Loads theme `name` from the first of `dirs` holding `themes/NAME.toml`, else the preset
/// (see [`super::lookup_dirs`]).
pub fn load_from(name: &str, dirs: &[&Path]) -> Result<Theme, Vec<Finding>> {
    if name == super::builtin::DEFAULT
        && find_user_source(dirs, "themes", name)
            .map_err(|f| vec![f])?
            .is_none()
    {
        return Ok(Theme::default());
    }
    Theme::resolve(name, &|n, builtin_only| {
        find_source(dirs, "themes", n, builtin_only, PRESETS)
    })
}

fn lookup_scope(scopes: &HashMap<String, Style>, scope: &str) -> Style {
    let mut name = scope;
    loop {
        if let Some(style) = scopes.get(name) {
            return *style;
        }
        match name.rfind('.') {
            Some(i) => name = &name[..i],
            None => return Style::default(),
        }
    }
}

/// A color as written, kept with its position until the palette is known.
#[derive(Debug, Clone)]
enum RawColor {
    Name(String, Position),
    Index(u8),
}

impl RawColor {
    fn resolve(self, palette: &HashMap<String, Color>, errors: &mut Vec<Finding>) -> Option<Color> {
        match self {
            RawColor::Index(n) => Some(Color::Indexed(n)),
            RawColor::Name(name, pos) => {
                if let Some(c) = palette.get(&name) {
                    return Some(*c);
                }
                match parse_color(&name) {
                    Some(c) => Some(c),
                    None => {
                        let mut msg = format!(
                            "unknown color \"{name}\": use \"#rrggbb\", a number 0-255, an ANSI \
                             name (red, light-blue, dark-gray…) or a [palette] name"
                        );
                        let candidates = palette.keys().map(String::as_str).chain(ANSI_NAMES);
                        if let Some(s) = closest(&name, candidates) {
                            msg.push_str(&format!(" (did you mean \"{s}\"?)"));
                        }
                        errors.push(Finding::new(pos, msg));
                        None
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
struct RawStyle {
    fg: Option<RawColor>,
    bg: Option<RawColor>,
    modifiers: Modifier,
}

#[derive(Debug, Clone, Default)]
struct ThemeFile {
    palette: Vec<(String, Color)>,
    scopes: Vec<(String, RawStyle)>,
}

const ANSI_NAMES: [&str; 17] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "dark-gray",
    "light-red",
    "light-green",
    "light-yellow",
    "light-blue",
    "light-magenta",
    "light-cyan",
    "white",
    "reset",
];

/// A literal color: `#rrggbb`, `#rgb`, or an ANSI name (`red`, `light-blue`, `dark-gray`,
/// `bright-black`, `reset`…; `_`, `-` and case are ignored).
pub fn parse_color(text: &str) -> Option<Color> {
    if let Some(hex) = text.strip_prefix('#') {
        let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
        return match hex.len() {
            6 => {
                let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
                Some(Color::Rgb(byte(0)?, byte(2)?, byte(4)?))
            }
            3 => Some(Color::Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            _ => None,
        };
    }
    let folded: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase();
    let color = match folded.as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" | "lightgray" | "lightgrey" => Color::Gray,
        "darkgray" | "darkgrey" | "brightblack" => Color::DarkGray,
        "lightred" | "brightred" => Color::LightRed,
        "lightgreen" | "brightgreen" => Color::LightGreen,
        "lightyellow" | "brightyellow" => Color::LightYellow,
        "lightblue" | "brightblue" => Color::LightBlue,
        "lightmagenta" | "brightmagenta" => Color::LightMagenta,
        "lightcyan" | "brightcyan" => Color::LightCyan,
        "white" | "brightwhite" => Color::White,
        _ => return None,
    };
    Some(color)
}

fn parse_modifier(name: &str) -> Option<Modifier> {
    let folded: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match folded.as_str() {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "slowblink" | "blink" => Modifier::SLOW_BLINK,
        "rapidblink" => Modifier::RAPID_BLINK,
        "reversed" | "reverse" => Modifier::REVERSED,
        "hidden" => Modifier::HIDDEN,
        "crossedout" | "strikethrough" => Modifier::CROSSED_OUT,
        _ => return None,
    })
}

/// Slot names and their parents (`ui`, `diff.added`…): the scopes a theme file may style.
fn known_scopes() -> HashSet<&'static str> {
    let mut set = HashSet::new();
    for slot in Slot::ALL {
        let name = slot.name();
        set.insert(name);
        for (i, c) in name.char_indices() {
            if c == '.' {
                set.insert(&name[..i]);
            }
        }
    }
    set
}

struct FileCtx<'a> {
    file: &'a str,
    text: &'a str,
    known: HashSet<&'static str>,
    errors: Vec<Finding>,
}

impl FileCtx<'_> {
    fn pos(&self, span: std::ops::Range<usize>) -> Position {
        span_position(self.file, self.text, span)
    }

    fn color(&mut self, what: &str, value: &toml::Spanned<DeValue<'_>>) -> Option<RawColor> {
        let pos = self.pos(value.span());
        match value.get_ref() {
            DeValue::String(s) => Some(RawColor::Name(s.to_string(), pos)),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .and_then(|n| u8::try_from(n).ok())
            {
                Some(n) => Some(RawColor::Index(n)),
                None => {
                    self.errors.push(Finding::new(
                        pos,
                        format!("{what}: color numbers are 0-255"),
                    ));
                    None
                }
            },
            other => {
                self.errors.push(Finding::new(
                    pos,
                    format!(
                        "{what}: expected a color string or number, found a {}",
                        other.type_str()
                    ),
                ));
                None
            }
        }
    }

    fn modifiers(&mut self, scope: &str, value: &toml::Spanned<DeValue<'_>>) -> Modifier {
        let items: Vec<&toml::Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::Array(a) => a.iter().collect(),
            DeValue::String(_) => vec![value],
            other => {
                let pos = self.pos(value.span());
                self.errors.push(Finding::new(
                    pos,
                    format!(
                        "\"{scope}\".modifiers: expected a list, found a {}",
                        other.type_str()
                    ),
                ));
                return Modifier::empty();
            }
        };
        let mut out = Modifier::empty();
        for item in items {
            match item.get_ref().as_str().and_then(parse_modifier) {
                Some(m) => out |= m,
                None => {
                    let pos = self.pos(item.span());
                    self.errors.push(Finding::new(
                        pos,
                        format!(
                            "\"{scope}\": unknown modifier {}; modifiers are bold, dim, italic, \
                             underlined, reversed, slow_blink, rapid_blink, hidden, crossed_out",
                            describe(item.get_ref())
                        ),
                    ));
                }
            }
        }
        out
    }

    /// One scope entry; tables may nest scopes (`[ui] text = "red"` is `ui.text`).
    fn scope(
        &mut self,
        scope: String,
        key_span: std::ops::Range<usize>,
        value: &toml::Spanned<DeValue<'_>>,
        out: &mut Vec<(String, RawStyle)>,
    ) {
        let mut style = RawStyle::default();
        let mut styled = false;
        match value.get_ref() {
            DeValue::String(_) | DeValue::Integer(_) => {
                style.fg = self.color(&format!("\"{scope}\""), value);
                styled = true;
            }
            DeValue::Table(table) => {
                for (k, v) in table.iter() {
                    match k.get_ref().as_ref() {
                        "fg" => style.fg = self.color(&format!("\"{scope}\".fg"), v),
                        "bg" => style.bg = self.color(&format!("\"{scope}\".bg"), v),
                        "modifiers" => style.modifiers = self.modifiers(&scope, v),
                        child => {
                            let name = format!("{scope}.{child}");
                            self.scope(name, k.span(), v, out);
                            continue;
                        }
                    }
                    styled = true;
                }
                // `"slot" = {}` is an explicit "terminal default" style.
                styled |= table.is_empty();
            }
            other => {
                let pos = self.pos(value.span());
                self.errors.push(Finding::new(
                    pos,
                    format!(
                        "\"{scope}\": expected a color or {{ fg, bg, modifiers }}, found a {}",
                        other.type_str()
                    ),
                ));
                return;
            }
        }
        if !styled {
            return;
        }
        if !self.known.contains(scope.as_str()) {
            let pos = self.pos(key_span);
            let hint = closest(&scope, self.known.iter().copied())
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            self.errors.push(Finding::new(
                pos,
                format!("unknown style slot \"{scope}\"{hint}"),
            ));
            return;
        }
        if out.iter().any(|(s, _)| *s == scope) {
            let pos = self.pos(key_span);
            self.errors.push(Finding::new(
                pos,
                format!("style slot \"{scope}\" is set twice"),
            ));
            return;
        }
        out.push((scope, style));
    }
}

fn describe(value: &DeValue<'_>) -> String {
    match value.as_str() {
        Some(s) => format!("\"{s}\""),
        None => format!("(a {})", value.type_str()),
    }
}

fn parse_theme_file(source: &Source) -> Parsed<ThemeFile> {
    let (file, text) = (source.file.as_str(), source.text.as_str());
    let doc = DeTable::parse(text).map_err(|e| vec![toml_finding(file, text, &e)])?;
    let mut cx = FileCtx {
        file,
        text,
        known: known_scopes(),
        errors: Vec::new(),
    };
    let mut out = ThemeFile::default();
    let mut inherits = None;
    for (key, value) in doc.get_ref().iter() {
        match key.get_ref().as_ref() {
            "inherits" => match value.get_ref().as_str() {
                Some(parent) => inherits = Some((parent.to_string(), cx.pos(value.span()))),
                None => {
                    let pos = cx.pos(key.span());
                    cx.errors.push(Finding::new(
                        pos,
                        "inherits must be a string naming a theme, e.g. inherits = \"default\"",
                    ));
                }
            },
            "palette" => {
                let Some(table) = value.get_ref().as_table() else {
                    let pos = cx.pos(key.span());
                    cx.errors.push(Finding::new(
                        pos,
                        "[palette] must be a table of name = color",
                    ));
                    continue;
                };
                let mut misplaced = false;
                for (name, color) in table.iter() {
                    if color.get_ref().is_table() || cx.known.contains(name.get_ref().as_ref()) {
                        // `"ui.text" = …` after the [palette] header lands in the palette.
                        if !misplaced {
                            misplaced = true;
                            let pos = cx.pos(name.span());
                            cx.errors.push(Finding::new(
                                pos,
                                format!(
                                    "\"{}\" is inside [palette]: every key after the [palette] \
                                     header belongs to it; move [palette] to the end of the file",
                                    name.get_ref()
                                ),
                            ));
                        }
                        continue;
                    }
                    let label = format!("palette \"{}\"", name.get_ref());
                    let literal = match cx.color(&label, color) {
                        Some(RawColor::Index(n)) => Some(Color::Indexed(n)),
                        Some(RawColor::Name(s, pos)) => {
                            let c = parse_color(&s);
                            if c.is_none() {
                                cx.errors.push(Finding::new(
                                    pos,
                                    format!(
                                        "{label}: unknown color \"{s}\" (palette colors are \
                                         \"#rrggbb\", 0-255 or ANSI names)"
                                    ),
                                ));
                            }
                            c
                        }
                        None => None,
                    };
                    if let Some(c) = literal {
                        out.palette.push((name.get_ref().to_string(), c));
                    }
                }
            }
            scope => {
                let scope = scope.to_string();
                cx.scope(scope, key.span(), value, &mut out.scopes);
            }
        }
    }
    if cx.errors.is_empty() {
        Ok((out, inherits))
    } else {
        Err(cx.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Theme, Vec<Finding>> {
        Theme::parse("mine.toml", text)
    }

    fn errors(text: &str) -> Vec<String> {
        match parse(text) {
            Ok(_) => panic!("expected errors"),
            Err(e) => e.iter().map(ToString::to_string).collect(),
        }
    }

    /// What the panes' kept lines compare: equal themes (however they were read) share it,
    /// and a theme differing in one slot does not.
    #[test]
    fn the_fingerprint_follows_the_content() {
        let a = parse("\"ui.text\" = \"cyan\"\n\"ui.title\" = \"red\"\n").unwrap();
        let b = parse("\"ui.title\" = \"red\"\n\"ui.text\" = \"cyan\"\n").unwrap();
        let c = parse("\"ui.text\" = \"cyan\"\n\"ui.title\" = \"blue\"\n").unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(
            Theme::default().fingerprint(),
            Theme::default().fingerprint()
        );
        assert_ne!(Theme::default().fingerprint(), a.fingerprint());
    }

    #[test]
    fn slot_order_matches_enum() {
        for (i, s) in Slot::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
    }

    #[test]
    fn parses_styles_and_falls_back() {
        let t = parse(
            "\"ui.text\" = \"teal\"\n\
             \"gate.stale\" = { fg = \"red\", bg = 236, modifiers = [\"bold\", \"reversed\"] }\n\
             [diff]\nadded = \"#0f0\"\n[palette]\nteal = \"#2aa198\"\n",
        )
        .expect("parses");
        let teal = Color::Rgb(0x2a, 0xa1, 0x98);
        assert_eq!(t.style(Slot::UiText), Style::new().fg(teal));
        assert_eq!(
            t.style(Slot::UiTextDim),
            Style::new().fg(teal),
            "falls back to ui.text"
        );
        assert_eq!(t.get("ui.text.dim.extra"), Style::new().fg(teal));
        assert_eq!(t.style(Slot::UiBorder), Style::default());
        assert_eq!(
            t.style(Slot::GateStale),
            Style::new()
                .fg(Color::Red)
                .bg(Color::Indexed(236))
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        );
        assert_eq!(
            t.style(Slot::DiffAdded),
            Style::new().fg(Color::Rgb(0, 255, 0))
        );
        assert_eq!(
            t.style(Slot::DiffAddedWord),
            Style::new().fg(Color::Rgb(0, 255, 0))
        );
        assert_eq!(t.color_need(), ColorSupport::TrueColor);
    }

    #[test]
    fn inherits_merges_palette_and_overrides_slots() {
        let t =
            parse("inherits = \"default\"\n\"ui.title\" = \"red\"\n[palette]\nred = \"#ff0000\"\n")
                .expect("parses");
        let base = Theme::default();
        assert_eq!(
            t.style(Slot::UiTitle),
            Style::new().fg(Color::Rgb(255, 0, 0))
        );
        assert_eq!(t.style(Slot::DiffAdded), base.style(Slot::DiffAdded));
    }

    #[test]
    fn slots_after_the_palette_header_are_reported_once() {
        let errs =
            errors("[palette]\nred = \"#ff0000\"\n\"ui.title\" = \"red\"\n\"ui.text\" = {}\n");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("mine.toml:3:1: \"ui.title\" is inside [palette]"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn bad_values_name_the_position() {
        let errs = errors(
            "\"ui.txet\" = \"red\"\n\"ui.text\" = \"redd\"\n\
             \"ui.title\" = { modifiers = [\"bolt\"] }\n\"ui.border\" = { fg = 300 }\n",
        );
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            errs[0].starts_with("mine.toml:1:1: unknown style slot \"ui.txet\""),
            "{}",
            errs[0]
        );
        assert!(errs[0].contains("did you mean \"ui.text\""), "{}", errs[0]);
        assert!(errs[1].starts_with("mine.toml:3:29: "), "{}", errs[1]);
        assert!(errs[2].starts_with("mine.toml:4:22: "), "{}", errs[2]);
        // Unknown colors are found after the palette is merged.
        let errs = errors("\"ui.text\" = \"redd\"\n");
        assert!(
            errs[0].starts_with("mine.toml:1:13: unknown color \"redd\""),
            "{}",
            errs[0]
        );
        assert!(errs[0].contains("did you mean \"red\""), "{}", errs[0]);
        let errs = errors("\"ui.text\" = \"red\"\n\"ui.text\" = \"blue\"\n");
        assert!(errs[0].starts_with("mine.toml:2:1: "), "{}", errs[0]);
    }

    #[test]
    fn colors_parse() {
        assert_eq!(parse_color("#ff8000"), Some(Color::Rgb(255, 128, 0)));
        assert_eq!(parse_color("#f80"), Some(Color::Rgb(255, 136, 0)));
        assert_eq!(parse_color("Light_Blue"), Some(Color::LightBlue));
        assert_eq!(parse_color("bright-black"), Some(Color::DarkGray));
        assert_eq!(parse_color("#ff80"), None);
        assert_eq!(parse_color("#gg0000"), None);
        assert_eq!(parse_color("é"), None);
    }

    #[test]
    fn detects_color_support() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let d = |vars, mode, tc| ColorSupport::detect(&env(vars), mode, tc);
        use ColorMode::*;
        use ColorSupport as S;
        assert_eq!(d(&[("COLORTERM", "truecolor")], Auto, None), S::TrueColor);
        assert_eq!(d(&[("COLORTERM", "24bit")], Auto, None), S::TrueColor);
        assert_eq!(
            d(&[("COLORTERM", "truecolor")], Auto, Some(false)),
            S::Ansi16
        );
        assert_eq!(d(&[("TERM", "xterm-256color")], Auto, None), S::Ansi256);
        assert_eq!(d(&[("TERM", "xterm")], Auto, Some(true)), S::TrueColor);
        assert_eq!(d(&[], Auto, None), S::Ansi16);
        assert_eq!(
            d(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")], Auto, None),
            S::Mono
        );
        assert_eq!(d(&[("NO_COLOR", "1")], Always, None), S::Ansi16);
        assert_eq!(d(&[("NO_COLOR", "")], Auto, None), S::Ansi16);
        assert_eq!(d(&[("TERM", "dumb")], Auto, None), S::Mono);
        assert_eq!(d(&[("COLORTERM", "truecolor")], Never, Some(true)), S::Mono);
    }

    #[test]
    fn adapts_to_the_terminal() {
        let rgb =
            parse("\"ui.text\" = { fg = \"#102030\", modifiers = [\"bold\"] }\n").expect("parses");
        let (t, note) = rgb.clone().for_terminal(ColorSupport::TrueColor);
        assert_eq!(t.name(), "mine");
        assert!(note.is_none());
        let (t, note) = rgb.clone().for_terminal(ColorSupport::Ansi256);
        assert_eq!(t, Theme::default());
        assert!(note.is_some_and(|n| n.contains("\"mine\"")));
        let (t, note) = rgb.for_terminal(ColorSupport::Mono);
        assert!(note.is_none());
        assert_eq!(
            t.style(Slot::UiText),
            Style::new().add_modifier(Modifier::BOLD)
        );
        let (t, _) = Theme::default().for_terminal(ColorSupport::Mono);
        assert_eq!(t.color_need(), ColorSupport::Mono);
    }
}
