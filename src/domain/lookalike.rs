//! Look-alike IDs: an item start a reviewer reads as `REQ-6` that is not the bytes `REQ-6` — a
//! Cyrillic `Е`, a fullwidth `６`, a non-breaking hyphen, a zero-width space, an item after a
//! lone carriage return. Such a line would silently be prose, so no gate criterion would see
//! the requirement a reviewer approved. Only the start of list items and level-3 headings is
//! folded: the prose of a spec may be written in any language.

use unicode_normalization::UnicodeNormalization;

/// Characters that show as nothing (or only steer the rendering) and so cannot be seen in an ID.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{180B}'..='\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// Dashes and minus signs that read as the `-` of an ID (after NFKC, which already turns the
/// fullwidth and small hyphen-minus into `-` and the non-breaking hyphen into U+2010).
fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '\u{2D7}' | '\u{2010}'..='\u{2015}' | '\u{2043}' | '\u{2212}' | '\u{2796}' | '\u{FE58}'
    )
}

/// The Latin capitals of the ID prefixes (R E Q A C O M P D V) and the letters from other
/// scripts that are drawn the same (Cyrillic, Greek, Cherokee); NFKC leaves these alone.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        'А' | 'Α' | 'Ꭺ' => 'A',
        'С' | 'Ϲ' | 'Ꮯ' => 'C',
        'Ꭰ' => 'D',
        'Е' | 'Ε' | 'Ꭼ' => 'E',
        'М' | 'Μ' | 'Ꮇ' => 'M',
        'О' | 'Ο' | 'Օ' => 'O',
        'Р' | 'Ρ' | 'Ꮲ' => 'P',
        'Ԛ' => 'Q',
        'Ꮢ' => 'R',
        'Ѵ' | 'Ꮩ' => 'V',
        _ => return None,
    })
}

/// What `c` reads as at an ID position, appended to `out`.
fn fold_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    if is_invisible(c) {
        return;
    }
    for n in std::iter::once(c).nfkc() {
        if is_hyphen(n) {
            out.push('-');
        } else if let Some(latin) = confusable(n) {
            out.push(latin);
        } else if !is_invisible(n) {
            out.push(n);
        }
    }
}

/// The first characters of a line as an ID position reads them.
pub struct Folded {
    pub text: String,
    /// For each byte of `text` (and one past its end), the byte of the line it came from.
    origin: Vec<usize>,
    /// True when the line went on past what was folded.
    pub truncated: bool,
}

impl Folded {
    /// Folds at most `max_chars` characters of `line`: an item's ID stands near its start.
    pub fn of(line: &str, max_chars: usize) -> Folded {
        let mut text = String::new();
        let mut origin = Vec::new();
        let mut truncated = false;
        let mut end = line.len();
        for (n, (at, c)) in line.char_indices().enumerate() {
            if n == max_chars {
                truncated = true;
                end = at;
                break;
            }
            fold_into(c, &mut text);
            origin.resize(text.len(), at);
        }
        origin.push(end);
        Folded {
            text,
            origin,
            truncated,
        }
    }

    /// The byte of the line a byte of the folded text came from.
    pub fn origin(&self, folded_byte: usize) -> usize {
        self.origin
            .get(folded_byte)
            .or(self.origin.last())
            .copied()
            .unwrap_or(0)
    }
}

/// True when a line may hold a look-alike in its first `max_chars` characters: plain ASCII
/// without a carriage return folds to itself, which is the common case and costs one scan.
pub fn may_hold_lookalike(line: &str, max_chars: usize) -> bool {
    line.chars()
        .take(max_chars)
        .any(|c| !c.is_ascii() || c == '\r')
}

/// The first character of `prefix` that does not read as itself, with its byte offset.
pub fn first_folded(prefix: &str) -> Option<(usize, char)> {
    let mut scratch = String::new();
    prefix.char_indices().find(|&(_, c)| {
        scratch.clear();
        fold_into(c, &mut scratch);
        scratch.len() != c.len_utf8() || !scratch.starts_with(c)
    })
}

/// How a folded character is named in a message: its code point and what it passes for.
pub fn describe(c: char) -> String {
    let mut folded = String::new();
    fold_into(c, &mut folded);
    let code = format!("U+{:04X}", u32::from(c));
    match folded.as_str() {
        "" => format!("{code} (an invisible character)"),
        " " => format!("{code} (a look-alike of a space)"),
        "-" => format!("{code} (a look-alike of `-`)"),
        f => format!("{code} (a look-alike of `{f}`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_lookalikes_to_ascii() {
        for (written, read) in [
            ("RЕQ-6", "REQ-6"),
            ("ＲＥＱ-6", "REQ-6"),
            ("REQ-６", "REQ-6"),
            ("REQ\u{2011}6", "REQ-6"),
            ("RE\u{200B}Q-6", "REQ-6"),
            ("-\u{A0}REQ-6", "- REQ-6"),
            ("ΑС-1", "AC-1"),
            ("ⅭOMP-1", "COMP-1"),
            ("DEV−2", "DEV-2"),
        ] {
            assert_eq!(Folded::of(written, 64).text, read, "{written}");
        }
    }

    #[test]
    fn prose_in_other_scripts_is_left_alone() {
        let text = "Требование: 速度 über alles";
        assert_eq!(Folded::of(text, 64).text, text);
        assert_eq!(first_folded(text), None);
    }

    #[test]
    fn origins_point_back_into_the_line() {
        let line = "- RЕQ-6: x";
        let f = Folded::of(line, 64);
        let e = f.text.find("EQ").unwrap();
        assert_eq!(&line[f.origin(e)..f.origin(e) + 2], "Е");
        assert_eq!(first_folded(line), Some((3, 'Е')));
        assert!(describe('Е').contains("U+0415") && describe('Е').contains("`E`"));
        assert!(describe('\u{200B}').contains("invisible"));
    }

    #[test]
    fn truncation_is_reported() {
        let f = Folded::of("REQ-123", 5);
        assert_eq!(f.text, "REQ-1");
        assert!(f.truncated);
        assert_eq!(f.origin(5), 5);
    }
}
