//! The one single-line editor: the prompt, the workspace filter, the catalog's query and every
//! form field type through [`edit_text`].

use ratatui_textarea::{Input, Key};

/// Longest text a field takes (a deviation is one Markdown line).
pub const FIELD_MAX: usize = 2000;

/// One-line text editing: printable characters append, Backspace deletes one, Ctrl-U clears,
/// Ctrl-W deletes the last word.
pub fn edit_text(buf: &mut String, input: &Input) {
    match input.key {
        Key::Backspace => {
            buf.pop();
        }
        Key::Char('u') if input.ctrl => buf.clear(),
        Key::Char('w') if input.ctrl => {
            let trimmed = buf.trim_end().len();
            buf.truncate(trimmed);
            let cut = buf.rfind(char::is_whitespace).map_or(0, |i| i + 1);
            buf.truncate(cut);
        }
        Key::Char(c)
            if !input.ctrl && !input.alt && !c.is_control() && buf.chars().count() < FIELD_MAX =>
        {
            buf.push(c)
        }
        _ => {}
    }
}

/// Pasted text joins into one line (a deviation is one Markdown line).
pub fn paste_text(buf: &mut String, text: &str) {
    let joined = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let room = FIELD_MAX.saturating_sub(buf.chars().count());
    buf.extend(joined.chars().filter(|c| !c.is_control()).take(room));
}

/// Pasted text into a one-line query (a prompt, a filter): its first line.
pub fn paste_first_line(buf: &mut String, text: &str) {
    let line = text.lines().next().unwrap_or("");
    let room = FIELD_MAX.saturating_sub(buf.chars().count());
    buf.extend(line.chars().filter(|c| !c.is_control()).take(room));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_takes_the_first_line_of_a_paste() {
        let mut q = String::from("vl");
        paste_first_line(&mut q, "an\tqos\nsecond line");
        assert_eq!(q, "vlanqos", "the tab is dropped, the second line ignored");
    }

    #[test]
    fn ctrl_w_deletes_the_last_word_of_a_filter() {
        let mut q = String::from("bgp peer");
        let ctrl_w = Input {
            key: Key::Char('w'),
            ctrl: true,
            ..Input::default()
        };
        edit_text(&mut q, &ctrl_w);
        assert_eq!(q, "bgp ");
    }
}
