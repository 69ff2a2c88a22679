//! Text on its way to a terminal. A control character in an actor, a title or a line of an
//! artifact would act on the terminal instead of being read (`ESC]0;…` retitles the window,
//! `ESC[8m` hides what follows, a carriage return overwrites the line), so no human output
//! passes one through: the CLI prints it escaped, the TUI draws it as `?`.

use std::borrow::Cow;

/// True for a character that must never reach a terminal as is: the C0 and C1 controls and DEL.
pub fn is_terminal_control(c: char) -> bool {
    c.is_control()
}

/// Appends `c` as it is shown: a control as `\x1b` (C0, DEL) or `\u{9b}` (C1), anything else
/// as itself.
pub fn push_shown(out: &mut String, c: char) {
    if !is_terminal_control(c) {
        out.push(c);
    } else if u32::from(c) < 0x80 {
        out.push_str(&format!("\\x{:02x}", u32::from(c)));
    } else {
        out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
    }
}

/// `text` with every control character escaped, except the line feeds and tabs that lay out
/// multi-line output. Borrowed when there is nothing to escape (the common case).
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let keep = |c: char| c == '\n' || c == '\t' || !is_terminal_control(c);
    if text.chars().all(keep) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if keep(c) {
            out.push(c);
        } else {
            push_shown(&mut out, c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_act_on_a_terminal() {
        assert_eq!(
            escape_controls("bob\u{1b}]0;pwned\u{7}\u{1b}[8m\r\u{9b}2J"),
            "bob\\x1b]0;pwned\\x07\\x1b[8m\\x0d\\u{9b}2J"
        );
        assert_eq!(escape_controls("\u{7f}"), "\\x7f");
    }

    #[test]
    fn leaves_layout_and_other_scripts_alone() {
        let text = "Gate 1: APPROVED\n\tby Zoë — 承認\n";
        assert!(matches!(escape_controls(text), Cow::Borrowed(t) if t == text));
    }
}
