//! ID tokens (`REQ-1`, `COMP-3`, …): the vocabulary every artifact shares.

use std::fmt;
use std::str::FromStr;

/// The prefixes the operating model gives meaning to; any other `FOO-1` is plain prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdPrefix {
    Req,
    Ac,
    Comp,
    Dev,
    Amd,
}

impl IdPrefix {
    pub const ALL: [IdPrefix; 5] = [
        IdPrefix::Req,
        IdPrefix::Ac,
        IdPrefix::Comp,
        IdPrefix::Dev,
        IdPrefix::Amd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdPrefix::Req => "REQ",
            IdPrefix::Ac => "AC",
            IdPrefix::Comp => "COMP",
            IdPrefix::Dev => "DEV",
            IdPrefix::Amd => "AMD",
        }
    }

    /// What an item with this prefix is, in the operating model's words.
    pub fn noun(self) -> &'static str {
        match self {
            IdPrefix::Req => "requirement",
            IdPrefix::Ac => "acceptance criterion",
            IdPrefix::Comp => "component",
            IdPrefix::Dev => "deviation",
            IdPrefix::Amd => "amendment",
        }
    }
}

/// An item identifier such as `REQ-12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId {
    pub prefix: IdPrefix,
    pub number: u32,
}

impl ItemId {
    pub fn new(prefix: IdPrefix, number: u32) -> Self {
        ItemId { prefix, number }
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix.as_str(), self.number)
    }
}

impl FromStr for ItemId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match scan_ids(s).next() {
            Some(token) if token.byte_start == 0 && token.byte_end == s.len() => Ok(token.id),
            _ => Err(format!(
                "`{s}` is not an ID: expected REQ-n, AC-n, COMP-n, DEV-n or AMD-n"
            )),
        }
    }
}

impl serde::Serialize for ItemId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A set of IDs: a bit per number for the small, dense numbers artifacts use, hashed beyond.
/// Parsing an artifact of 100,000 items asks it once per item.
#[derive(Debug, Clone, Default)]
pub struct IdSet {
    dense: [Vec<u64>; 5],
    sparse: std::collections::HashSet<ItemId>,
}

impl IdSet {
    /// Numbers below this take a bit each (at most 128 KiB per prefix).
    const DENSE_LIMIT: u32 = 1 << 20;

    /// Adds `id`; true when it was not there yet.
    pub fn insert(&mut self, id: ItemId) -> bool {
        if id.number >= Self::DENSE_LIMIT {
            return self.sparse.insert(id);
        }
        let bits = &mut self.dense[id.prefix as usize];
        let (word, bit) = ((id.number / 64) as usize, id.number % 64);
        if bits.len() <= word {
            bits.resize(word + 1, 0);
        }
        let had = bits[word] & (1 << bit) != 0;
        bits[word] |= 1 << bit;
        !had
    }
}

/// One occurrence of an ID token in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdToken {
    pub id: ItemId,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// Letters and digits glue to an ID; `_` does not, so `__REQ-1__` (bold) is a token.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Every ID token in `line`, left to right. A token needs a word boundary on both sides, so
/// `XREQ-1` and `REQ-1a` are prose, while `(REQ-1)` and `REQ-1.` are tokens.
pub fn scan_ids(line: &str) -> impl Iterator<Item = IdToken> + '_ {
    let bytes = line.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < bytes.len() {
            let start = pos;
            let b = bytes[pos];
            if !b.is_ascii_uppercase() || (start > 0 && is_word_byte(bytes[start - 1])) {
                pos += 1;
                continue;
            }
            for prefix in IdPrefix::ALL {
                let p = prefix.as_str().as_bytes();
                let after = start + p.len();
                if bytes.len() > after + 1
                    && &bytes[start..after] == p
                    && bytes[after] == b'-'
                    && bytes[after + 1].is_ascii_digit()
                {
                    let digits_start = after + 1;
                    let mut end = digits_start;
                    while end < bytes.len() && bytes[end].is_ascii_digit() {
                        end += 1;
                    }
                    if end < bytes.len() && is_word_byte(bytes[end]) {
                        break;
                    }
                    // Digits are ASCII, so this slice is valid UTF-8.
                    let number = line[digits_start..end].parse::<u32>().ok();
                    pos = end;
                    if let Some(number) = number {
                        return Some(IdToken {
                            id: ItemId::new(prefix, number),
                            byte_start: start,
                            byte_end: end,
                        });
                    }
                    break;
                }
            }
            pos = pos.max(start + 1);
        }
        None
    })
}

/// 1-based column (in characters) of a byte offset in `line`.
pub fn char_column(line: &str, byte_offset: usize) -> usize {
    line.get(..byte_offset)
        .map(|prefix| prefix.chars().count())
        .unwrap_or(0)
        + 1
}

/// Columns of increasing byte offsets in one line, each counted from the previous one, so the
/// tokens of a line cost one walk of it rather than one walk each (a line of a million
/// references took minutes with [`char_column`] per token).
#[derive(Debug, Clone)]
pub struct Columns<'a> {
    line: &'a str,
    byte: usize,
    column: usize,
}

impl<'a> Columns<'a> {
    pub fn new(line: &'a str) -> Columns<'a> {
        Columns {
            line,
            byte: 0,
            column: 1,
        }
    }

    /// 1-based column of `byte_offset`; an offset before the previous one starts over.
    pub fn at(&mut self, byte_offset: usize) -> usize {
        if byte_offset < self.byte {
            self.byte = 0;
            self.column = 1;
        }
        let Some(between) = self.line.get(self.byte..byte_offset) else {
            return char_column(self.line, byte_offset);
        };
        self.column += between.chars().count();
        self.byte = byte_offset;
        self.column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(line: &str) -> Vec<String> {
        scan_ids(line).map(|t| t.id.to_string()).collect()
    }

    #[test]
    fn finds_tokens_at_word_boundaries_only() {
        assert_eq!(
            ids("- REQ-1: see AC-2 and (COMP-3)."),
            ["REQ-1", "AC-2", "COMP-3"]
        );
        assert_eq!(ids("XREQ-1 REQ-1a REQ-x REQ- MREQ-2"), Vec::<String>::new());
        assert_eq!(ids("**DEV-10**"), ["DEV-10"]);
        assert_eq!(ids("AMD-99999999999999999999"), Vec::<String>::new());
    }

    #[test]
    fn id_set_dense_and_sparse() {
        let mut set = IdSet::default();
        for id in [
            "REQ-1",
            "AC-1",
            "REQ-4000000000",
            "COMP-64",
            "REQ-1",
            "REQ-4000000000",
        ] {
            let _ = set.insert(id.parse().unwrap());
        }
        assert!(!set.insert("REQ-1".parse().unwrap()));
        assert!(!set.insert("COMP-64".parse().unwrap()));
        assert!(!set.insert("REQ-4000000000".parse().unwrap()));
        assert!(set.insert("COMP-63".parse().unwrap()));
        assert!(set.insert("AMD-1".parse().unwrap()));
    }

    #[test]
    fn parses_and_displays() {
        let id: ItemId = "COMP-12".parse().unwrap();
        assert_eq!(id, ItemId::new(IdPrefix::Comp, 12));
        assert_eq!(id.to_string(), "COMP-12");
        assert!("COMP-12x".parse::<ItemId>().is_err());
        assert!("FOO-1".parse::<ItemId>().is_err());
    }

    #[test]
    fn columns_count_characters() {
        let line = "— REQ-1";
        let token = scan_ids(line).next().unwrap();
        assert_eq!(char_column(line, token.byte_start), 3);
    }

    #[test]
    fn running_columns_match_char_column() {
        let line = "— REQ-1, é AC-2 界 COMP-3";
        let mut columns = Columns::new(line);
        for token in scan_ids(line) {
            assert_eq!(
                columns.at(token.byte_start),
                char_column(line, token.byte_start)
            );
        }
        assert_eq!(columns.at(0), 1, "going back starts over");
    }
}
