//! The Markdown conventions of DESIGN §2: sections, ID items, references and component fields,
//! each with the line and column where it stands. Code fences hide everything inside them.

use super::ids::{Columns, IdSet, ItemId, scan_ids};
use super::lookalike::{self, Folded};

/// A level-2 section: `## Name` up to the next level-2 heading or the end of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading text as written (trimmed).
    pub name: String,
    /// 1-based line of the heading.
    pub heading_line: usize,
    /// 0-based line range of the body (after the heading, up to the next section).
    pub body: std::ops::Range<usize>,
    /// True when the body holds something other than blank lines, HTML comments and
    /// placeholders (`TBD`, `TODO: …`, `?`: see [`is_placeholder`]).
    pub has_content: bool,
    /// 1-based line of the first placeholder in the body, if any: a section holding only
    /// placeholders is empty, and the message points there.
    pub placeholder_line: Option<usize>,
}

impl Section {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
    /// 0-based line range from the heading to the end of the section.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.heading_line - 1..self.body.end
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    ListItem,
    Heading,
}

/// A list item or level-3 heading that starts with an ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: ItemId,
    pub kind: ItemKind,
    /// 1-based line and column of the ID token.
    pub line: usize,
    pub column: usize,
    /// Index into `Document::sections`, `None` before the first section.
    pub section: Option<usize>,
    /// The text after the ID and its separator, on the item's first line.
    pub text: String,
    /// The item as written: its first line plus continuation lines (list items only).
    pub source: String,
    /// 0-based line range the item spans (a heading item spans to the next heading).
    pub lines: std::ops::Range<usize>,
}

/// Any mention of an ID token that is not an item's own ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub id: ItemId,
    pub line: usize,
    pub column: usize,
    pub section: Option<usize>,
}

/// A line a reviewer reads as an item that the conventions do not see as one (see
/// [`lookalike`]): `- RЕQ-6` with a Cyrillic `Е`, an item after a lone carriage return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookAlike {
    /// The ID it reads as.
    pub id: ItemId,
    /// 1-based line and column where the look-alike ID starts.
    pub line: usize,
    pub column: usize,
    pub section: Option<usize>,
    /// What is wrong, for the engineer who has to retype it.
    pub message: String,
}

/// A parsed artifact. Line numbers are 1-based, columns count characters from 1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub line_count: usize,
    pub sections: Vec<Section>,
    /// Items in file order; a duplicate ID appears here only at its first occurrence.
    pub items: Vec<Item>,
    /// Later occurrences of an ID already used by an item in this document.
    pub duplicates: Vec<Item>,
    pub references: Vec<Reference>,
    /// Lines that read as items but are not (look-alike IDs), in file order.
    pub lookalikes: Vec<LookAlike>,
}

impl Document {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.is(name))
    }

    pub fn section_index(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.is(name))
    }

    pub fn item(&self, id: ItemId) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Items with the given prefix that stand in the named section.
    pub fn items_in<'a>(
        &'a self,
        section: &str,
        prefix: super::ids::IdPrefix,
    ) -> impl Iterator<Item = &'a Item> + 'a {
        let index = self.section_index(section);
        self.items
            .iter()
            .filter(move |i| index.is_some() && i.section == index && i.id.prefix == prefix)
    }
}

/// A line split into what the conventions care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineShape<'a> {
    Blank,
    Heading {
        level: usize,
        text: &'a str,
        text_offset: usize,
    },
    ListItem {
        indent: usize,
        text: &'a str,
        text_offset: usize,
    },
    Other,
}

pub(crate) fn classify(line: &str) -> LineShape<'_> {
    if line.trim().is_empty() {
        return LineShape::Blank;
    }
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let rest = &line[indent..];
    if indent <= 3 && rest.starts_with('#') {
        let level = rest.bytes().take_while(|&b| b == b'#').count();
        let after = &rest[level..];
        if level <= 6 && (after.is_empty() || after.starts_with([' ', '\t'])) {
            let trimmed = after.trim_start();
            let text_offset = line.len() - trimmed.len();
            let text = trimmed.trim_end().trim_end_matches('#').trim_end();
            return LineShape::Heading {
                level,
                text,
                text_offset,
            };
        }
    }
    let marker_len = if rest.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=9).contains(&digits) && rest[digits..].starts_with(['.', ')']) {
            digits + 1
        } else {
            0
        }
    };
    if marker_len > 0 {
        let after = &rest[marker_len..];
        if after.starts_with([' ', '\t']) {
            let trimmed = after.trim_start();
            return LineShape::ListItem {
                indent,
                text: trimmed,
                text_offset: line.len() - trimmed.len(),
            };
        }
    }
    LineShape::Other
}

/// Tracks fenced code blocks across lines.
#[derive(Debug, Default, Clone)]
pub(crate) struct FenceState {
    open: Option<(u8, usize)>,
}

impl FenceState {
    /// Feeds one line; returns true when the line is part of a fence (opening, body or closing).
    pub(crate) fn feed(&mut self, line: &str) -> bool {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let fence = if indent <= 3 {
            rest.as_bytes()
                .first()
                .filter(|&&b| b == b'`' || b == b'~')
                .map(|&b| (b, rest.bytes().take_while(|&c| c == b).count()))
                .filter(|&(_, n)| n >= 3)
        } else {
            None
        };
        match (self.open, fence) {
            (None, Some((ch, n))) => {
                // A backtick fence's info string may not contain backticks.
                if ch == b'`' && rest[n..].contains('`') {
                    return false;
                }
                self.open = Some((ch, n));
                true
            }
            (Some((ch, n)), Some((c, m))) if c == ch && m >= n && rest[m..].trim().is_empty() => {
                self.open = None;
                true
            }
            (Some(_), _) => true,
            (None, None) => false,
        }
    }
}

/// Tracks HTML comments (template guidance) across lines.
#[derive(Debug, Default)]
struct CommentState {
    inside: bool,
}

impl CommentState {
    /// Returns true when the line has content outside HTML comments.
    fn has_content(&mut self, line: &str) -> bool {
        let mut rest = line;
        let mut content = false;
        loop {
            if self.inside {
                match rest.find("-->") {
                    Some(end) => {
                        self.inside = false;
                        rest = &rest[end + 3..];
                    }
                    None => return content,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        content |= !rest[..start].trim().is_empty();
                        self.inside = true;
                        rest = &rest[start + 4..];
                    }
                    None => return content || !rest.trim().is_empty(),
                }
            }
        }
    }
}

/// Words that stand in for text not written yet.
const PLACEHOLDER_WORDS: [&str; 5] = ["tbd", "tbc", "todo", "fixme", "xxx"];

/// True for a line that only holds the place of content: `TBD`, `- TODO`, `**TBC**`, `?`,
/// `...`, or a placeholder word followed by `:` or a dash and a note (`TODO: list the systems`).
/// Such a line does not make a section non-empty: "TBD" names no system.
pub fn is_placeholder(line: &str) -> bool {
    let text = match classify(line) {
        LineShape::ListItem { text, .. } => text,
        _ => line,
    };
    let text = text
        .trim()
        .trim_matches(['*', '_', '`', '[', ']', '(', ')'])
        .trim_end_matches(['.', ':', '!', '…', '*', '_'])
        .trim();
    if text.is_empty() {
        // Only markers, emphasis or dots: `...`, `**`, `…`.
        return !line.trim().is_empty();
    }
    if text.chars().all(|c| c == '?') || text == "-" || text == "—" {
        return true;
    }
    let word_end = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(word_end);
    if !PLACEHOLDER_WORDS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(word))
    {
        return false;
    }
    // A note may follow after `:` or a free-standing dash (`TBD-compliant` is a word).
    let mut rest = rest.trim_start_matches(['*', '_']).trim_start().chars();
    match rest.next() {
        None | Some(':') => true,
        Some('-' | '—' | '–') => rest.next().is_none_or(char::is_whitespace),
        Some(_) => false,
    }
}

/// Splits `text` into lines the way every part of phasegate numbers them.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Separators allowed between an item's ID and its text.
const SEPARATORS: [&str; 5] = [":", "—", "–", "--", "-"];

/// If `text` starts with an ID token (optionally bold), returns it with the text after it.
fn leading_id(text: &str) -> Option<(ItemId, usize, &str)> {
    let (bold, inner) = if let Some(r) = text.strip_prefix("**") {
        ("**", r)
    } else if let Some(r) = text.strip_prefix("__") {
        ("__", r)
    } else {
        ("", text)
    };
    let token = scan_ids(inner).next().filter(|t| t.byte_start == 0)?;
    let mut rest = &inner[token.byte_end..];
    if !bold.is_empty() {
        rest = rest.strip_prefix(bold).unwrap_or(rest);
    }
    let trimmed = rest.trim_start();
    let after_sep = SEPARATORS
        .iter()
        .find_map(|sep| trimmed.strip_prefix(sep))
        .map(|r| r.trim_start())
        .unwrap_or(trimmed);
    Some((token.id, bold.len(), after_sep.trim_end()))
}

/// The item a line starts, if any: its ID and the bytes where the ID stands.
fn item_start(line: &str) -> Option<(ItemId, std::ops::Range<usize>)> {
    match classify(line) {
        LineShape::Heading {
            level: 3,
            text,
            text_offset,
        }
        | LineShape::ListItem {
            text, text_offset, ..
        } => {
            let (id, bold_len, _) = leading_id(text)?;
            let start = text_offset + bold_len;
            let len = scan_ids(&line[start..]).next().map_or(0, |t| t.byte_end);
            Some((id, start..start + len))
        }
        _ => None,
    }
}

/// How far into a line a look-alike ID is looked for: indent, list marker, bold and the ID.
const LOOKALIKE_SPAN: usize = 128;

/// True when folding cannot change what the start of `line` says, so no look-alike can stand
/// there: the common case, decided without folding. `own` is the line's own item (its ID and
/// the byte where the ID ends).
fn plainly_not_lookalike(line: &str, own: Option<(ItemId, usize)>) -> bool {
    if line.contains('\r') {
        return false;
    }
    match own {
        // Plain ASCII up to and just past the ID folds to itself: the same item.
        Some((_, end)) => {
            line.get(..end).is_some_and(|p| p.is_ascii())
                && line[end..].chars().next().is_none_or(|c| c.is_ascii())
        }
        // An item starts with a marker or `#`; any other ASCII character folds to itself.
        None => {
            line.trim_start_matches(' ').chars().next().is_none_or(|c| {
                c.is_ascii() && !matches!(c, '#' | '-' | '*' | '+' | '\t' | '0'..='9')
            })
        }
    }
}

/// Look-alike items on one line (outside code fences), given the item the line really is (its
/// ID and the byte where the ID ends).
fn lookalikes(line: &str, own: Option<(ItemId, usize)>) -> Vec<(ItemId, usize, String)> {
    if plainly_not_lookalike(line, own) || !lookalike::may_hold_lookalike(line, LOOKALIKE_SPAN) {
        return Vec::new();
    }
    let own = own.map(|(id, _)| id);
    let mut out = Vec::new();
    let mut segments = line.split('\r');
    let first = segments.next().unwrap_or("");
    let folded = Folded::of(first, LOOKALIKE_SPAN);
    if let Some((id, token)) = item_start(&folded.text) {
        let cut_short = folded.truncated && token.end >= folded.text.len();
        if own != Some(id) && !cut_short {
            let start = folded.origin(token.start);
            let end = folded.origin(token.end);
            let why = lookalike::first_folded(&first[..end])
                .map(|(byte, c)| {
                    format!(
                        "{} at column {}",
                        lookalike::describe(c),
                        Columns::new(first).at(byte)
                    )
                })
                .unwrap_or_else(|| "a character that is not plain ASCII".into());
            out.push((
                id,
                start,
                format!(
                    "`{}` looks like {id} but is not: {why}; retype the ID in plain ASCII",
                    first[start..end].trim_end()
                ),
            ));
        }
    }
    // A carriage return without a line feed ends a line for some editors and viewers, not for
    // phasegate: an item after one is part of this line.
    let mut base = first.len() + 1;
    for segment in segments {
        let folded = Folded::of(segment, LOOKALIKE_SPAN);
        if let Some((id, token)) = item_start(&folded.text) {
            out.push((
                id,
                base + folded.origin(token.start),
                format!(
                    "{id} looks like an item but follows a carriage return (CR) with no line feed, so it is part of the line before; end the line with a line feed"
                ),
            ));
        }
        base += segment.len() + 1;
    }
    out
}

/// The `(a, b)` group right after an item's ID, and the text after it (past `:` or `—`).
pub fn parenthesized(text: &str) -> Option<(Vec<&str>, &str)> {
    let rest = text.trim_start().strip_prefix('(')?;
    let close = rest.find(')')?;
    let parts = rest[..close].split(',').map(str::trim).collect();
    let after = rest[close + 1..].trim_start();
    let after = after
        .strip_prefix(':')
        .or_else(|| after.strip_prefix('—'))
        .unwrap_or(after);
    Some((parts, after.trim()))
}

/// Parses an artifact. Never fails: anything that does not follow the conventions is prose.
pub fn parse(text: &str) -> Document {
    let all: Vec<&str> = lines(text).collect();
    let mut doc = Document {
        line_count: all.len(),
        ..Document::default()
    };
    let mut fences = FenceState::default();
    let mut comments = CommentState::default();
    let mut current_section: Option<usize> = None;
    // The list item whose continuation lines we are collecting.
    let mut open_list_item: Option<(usize, bool)> = None; // (index into items or duplicates, is_duplicate)
    let mut open_heading_item: Option<(usize, bool)> = None;
    let mut seen_ids = IdSet::default();

    for (i, line) in all.iter().enumerate() {
        let in_fence = fences.feed(line);
        let shape = if in_fence {
            LineShape::Other
        } else {
            classify(line)
        };

        if let Some(idx) = current_section {
            let content = if in_fence {
                true
            } else {
                comments.has_content(line)
            };
            if content && !matches!(shape, LineShape::Heading { level: 2, .. }) {
                let section = &mut doc.sections[idx];
                if !in_fence && is_placeholder(line) {
                    section.placeholder_line.get_or_insert(i + 1);
                } else {
                    section.has_content = true;
                }
            }
        }

        // Close items that this line ends.
        let ends_list_item = match shape {
            LineShape::Blank | LineShape::Heading { .. } | LineShape::ListItem { .. } => true,
            LineShape::Other => !line.starts_with([' ', '\t']) || in_fence,
        };
        if ends_list_item {
            open_list_item = None;
        }
        if let LineShape::Heading { level, .. } = shape
            && level <= 3
            && let Some((idx, dup)) = open_heading_item.take()
        {
            item_mut(&mut doc, idx, dup).lines.end = i;
        }
        if !ends_list_item && let Some((idx, dup)) = open_list_item {
            let item = item_mut(&mut doc, idx, dup);
            item.source.push('\n');
            item.source.push_str(line);
            item.lines.end = i + 1;
        }

        if in_fence {
            continue;
        }

        let mut own_token: Option<usize> = None;
        let mut own_id: Option<(ItemId, usize)> = None;
        let mut columns = Columns::new(line);
        match shape {
            LineShape::Heading { level: 2, text, .. } => {
                if let Some(idx) = current_section {
                    doc.sections[idx].body.end = i;
                }
                doc.sections.push(Section {
                    name: text.to_string(),
                    heading_line: i + 1,
                    body: i + 1..all.len(),
                    has_content: false,
                    placeholder_line: None,
                });
                current_section = Some(doc.sections.len() - 1);
                comments = CommentState::default();
            }
            LineShape::Heading {
                level: 3,
                text,
                text_offset,
            }
            | LineShape::ListItem {
                text, text_offset, ..
            } => {
                let is_heading = matches!(shape, LineShape::Heading { .. });
                if let Some((id, bold_len, rest)) = leading_id(text) {
                    let byte_start = text_offset + bold_len;
                    own_token = Some(byte_start);
                    let id_end = scan_ids(&line[byte_start..])
                        .next()
                        .map_or(byte_start, |t| byte_start + t.byte_end);
                    own_id = Some((id, id_end));
                    let item = Item {
                        id,
                        kind: if is_heading {
                            ItemKind::Heading
                        } else {
                            ItemKind::ListItem
                        },
                        line: i + 1,
                        column: columns.at(byte_start),
                        section: current_section,
                        text: rest.to_string(),
                        source: line.trim_end().to_string(),
                        lines: i..if is_heading { all.len() } else { i + 1 },
                    };
                    let dup = !seen_ids.insert(id);
                    let index = if dup {
                        doc.duplicates.push(item);
                        doc.duplicates.len() - 1
                    } else {
                        doc.items.push(item);
                        doc.items.len() - 1
                    };
                    if is_heading {
                        open_heading_item = Some((index, dup));
                    } else {
                        open_list_item = Some((index, dup));
                    }
                }
            }
            _ => {}
        }

        for token in scan_ids(line) {
            if own_token == Some(token.byte_start) {
                continue;
            }
            doc.references.push(Reference {
                id: token.id,
                line: i + 1,
                column: columns.at(token.byte_start),
                section: current_section,
            });
        }
        for (id, byte, message) in lookalikes(line, own_id) {
            doc.lookalikes.push(LookAlike {
                id,
                line: i + 1,
                column: Columns::new(line).at(byte),
                section: current_section,
                message,
            });
        }
    }
    doc
}

fn item_mut(doc: &mut Document, index: usize, duplicate: bool) -> &mut Item {
    if duplicate {
        &mut doc.duplicates[index]
    } else {
        &mut doc.items[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::IdPrefix;

    const SPEC: &str = "# Spec\n\n## Requirements\n- REQ-1: Provision VLANs\n- **REQ-2** — tag QoS\n  across sites\n\n```\n## Not a section\n- REQ-9: not an item\n```\n## Acceptance Criteria\n- AC-1 (REQ-1): VLAN appears in NetBox\n- REQ-1: duplicate\n## Empty\n<!-- guidance -->\n";

    #[test]
    fn sections_skip_fenced_headings() {
        let doc = parse(SPEC);
        let names: Vec<_> = doc.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Requirements", "Acceptance Criteria", "Empty"]);
        assert!(doc.section("requirements").unwrap().has_content);
        assert!(!doc.section("EMPTY").unwrap().has_content);
        assert_eq!(doc.section("Requirements").unwrap().body, 3..11);
    }

    #[test]
    fn items_with_separators_bold_and_continuations() {
        let doc = parse(SPEC);
        let ids: Vec<_> = doc.items.iter().map(|i| i.id.to_string()).collect();
        assert_eq!(ids, ["REQ-1", "REQ-2", "AC-1"]);
        let req2 = doc.item(ItemId::new(IdPrefix::Req, 2)).unwrap();
        assert_eq!(req2.text, "tag QoS");
        assert_eq!(req2.column, 5);
        assert_eq!(req2.source, "- **REQ-2** — tag QoS\n  across sites");
        let ac1 = doc.item(ItemId::new(IdPrefix::Ac, 1)).unwrap();
        assert_eq!(ac1.text, "(REQ-1): VLAN appears in NetBox");
        assert_eq!(doc.duplicates.len(), 1);
        assert_eq!(doc.duplicates[0].line, 14);
    }

    #[test]
    fn references_exclude_own_ids_and_fences() {
        let doc = parse(SPEC);
        let refs: Vec<_> = doc
            .references
            .iter()
            .map(|r| (r.id.to_string(), r.line, r.column))
            .collect();
        assert_eq!(refs, [("REQ-1".to_string(), 13, 9)]);
    }

    fn lookalike_rows(text: &str) -> Vec<(String, usize, usize)> {
        parse(text)
            .lookalikes
            .iter()
            .map(|l| (l.id.to_string(), l.line, l.column))
            .collect()
    }

    #[test]
    fn lookalike_ids_are_reported_where_they_stand() {
        let text = "## Requirements\n- REQ-1: real\n- R\u{415}Q-6: Cyrillic\n- \u{FF32}\u{FF25}\u{FF31}-7: fullwidth\n- REQ-\u{FF18}: digit\n- REQ\u{2011}9: nb hyphen\n- RE\u{200B}Q-10: zero width\n-\u{A0}REQ-11: nbsp\n### C\u{39F}MP-12: Greek O\n- REQ-13: a\r- REQ-14: after a lone CR\n";
        assert_eq!(
            lookalike_rows(text),
            [
                ("REQ-6".into(), 3, 3),
                ("REQ-7".into(), 4, 3),
                ("REQ-8".into(), 5, 3),
                ("REQ-9".into(), 6, 3),
                ("REQ-10".into(), 7, 3),
                ("REQ-11".into(), 8, 3),
                ("COMP-12".into(), 9, 5),
                ("REQ-14".into(), 10, 15),
            ]
        );
        let doc = parse(text);
        let ids: Vec<_> = doc.items.iter().map(|i| i.id.to_string()).collect();
        assert_eq!(ids, ["REQ-1", "REQ-13"], "look-alikes stay prose");
        assert!(
            doc.lookalikes[0].message.contains("U+0415")
                && doc.lookalikes[0].message.contains("column 4"),
            "{}",
            doc.lookalikes[0].message
        );
        assert!(doc.lookalikes[7].message.contains("carriage return"));
    }

    #[test]
    fn prose_and_ids_in_other_scripts_are_not_lookalikes() {
        let text = "## Requirements\n- REQ-1: Требование на русском, 速度, über\n- Требование: REQ-2 below\n- **REQ-3** — naïve café\n```\n- R\u{415}Q-6 in a fence\n```\nRЕQ-7 in prose is not an item start\n";
        assert_eq!(lookalike_rows(text), Vec::<(String, usize, usize)>::new());
    }

    #[test]
    fn a_real_item_followed_by_a_lookalike_digit_is_reported() {
        // Parsed as REQ-1 (the fullwidth digit is not a word byte), read as REQ-16.
        let rows = lookalike_rows("- REQ-1\u{FF16}: x\n");
        assert_eq!(rows, [("REQ-16".into(), 1, 3)]);
    }

    #[test]
    fn placeholders_do_not_fill_a_section() {
        for line in [
            "TBD",
            "- TBD",
            "* **TODO**",
            "tbd.",
            "?",
            "- ???",
            "...",
            "…",
            "TODO: list the systems",
            "- TBC — waiting for the NOC",
            "FIXME",
            "`TBD`",
            "- [TBD]",
        ] {
            assert!(is_placeholder(line), "{line}");
            let doc = parse(&format!("## Integrations\n\n{line}\n<!-- guidance -->\n"));
            let s = &doc.sections[0];
            assert!(!s.has_content, "{line}");
            assert_eq!(s.placeholder_line, Some(3), "{line}");
        }
        for line in [
            "- NetBox 4.1",
            "TBD-compliant NetBox API",
            "Todoist is not used",
            "- ServiceNow (TBD: which instance)",
            "Is NetBox the source of truth?",
        ] {
            assert!(!is_placeholder(line), "{line}");
            assert!(parse(&format!("## Integrations\n{line}\n")).sections[0].has_content);
        }
        let doc = parse("## Integrations\nTBD\n- NetBox\n");
        assert!(
            doc.sections[0].has_content,
            "a placeholder beside content is fine"
        );
    }

    #[test]
    fn heading_items_span_to_next_heading() {
        let doc = parse(
            "## Components\n### COMP-1: A\n- reuse: new\n### COMP-2: B\n- reuse: x\n## Testing Approach\n",
        );
        assert_eq!(doc.items[0].lines, 1..3);
        assert_eq!(doc.items[1].lines, 3..5);
        assert_eq!(doc.items[0].text, "A");
    }
}
