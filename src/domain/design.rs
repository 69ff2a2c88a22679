//! Components of a solution design (or an as-built): `### COMP-n` headings under
//! `## Components` with their `satisfies:` / `depends-on:` / `reuse:` / `acceptance:` fields.

use super::ids::{Columns, IdPrefix, ItemId, char_column, scan_ids};
use super::markdown::{self, Document, ItemKind, LineShape, classify};

/// An ID mentioned in a field, with where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef {
    pub id: ItemId,
    pub line: usize,
    pub column: usize,
}

/// A field as written: its value and where the value starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub value: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub id: ItemId,
    pub title: String,
    pub line: usize,
    pub column: usize,
    /// 0-based lines from the heading to the next level-2/3 heading.
    pub lines: std::ops::Range<usize>,
    pub satisfies: Option<Field>,
    pub depends_on: Option<Field>,
    pub reuse: Option<Field>,
    pub acceptance: Option<Field>,
}

impl Component {
    pub fn satisfied_requirements(&self) -> Vec<FieldRef> {
        field_refs(self.satisfies.as_ref(), IdPrefix::Req)
    }

    /// Declared dependencies; `none`, `-` or an empty value mean none.
    pub fn dependencies(&self) -> Vec<FieldRef> {
        field_refs(self.depends_on.as_ref(), IdPrefix::Comp)
    }

    /// `new`, or the name of the existing asset reused.
    pub fn reuse_decision(&self) -> Option<&str> {
        self.reuse
            .as_ref()
            .map(|f| f.value.trim())
            .filter(|v| !v.is_empty() && *v != "-")
    }

    pub fn reuses_existing(&self) -> bool {
        self.reuse_decision()
            .is_some_and(|v| !v.eq_ignore_ascii_case("new"))
    }

    pub fn has_acceptance(&self) -> bool {
        self.acceptance
            .as_ref()
            .is_some_and(|f| !f.value.trim().is_empty() && f.value.trim() != "-")
    }
}

fn field_refs(field: Option<&Field>, prefix: IdPrefix) -> Vec<FieldRef> {
    let Some(field) = field else {
        return Vec::new();
    };
    // The value is a substring of its line starting at `column`; rebuild columns from it.
    let mut columns = Columns::new(&field.value);
    scan_ids(&field.value)
        .filter(|t| t.id.prefix == prefix)
        .map(|t| FieldRef {
            id: t.id,
            line: field.line,
            column: field.column + columns.at(t.byte_start) - 1,
        })
        .collect()
}

const FIELD_NAMES: [&str; 4] = ["satisfies", "depends-on", "reuse", "acceptance"];

/// Splits `- **depends-on**: COMP-1` into (`depends-on`, value, byte offset of value).
fn split_field(text: &str) -> Option<(&'static str, &str, usize)> {
    let stripped = text.trim_start_matches(['*', '_']);
    let lead = text.len() - stripped.len();
    let colon = stripped.find(':')?;
    let key = stripped[..colon].trim_end_matches(['*', '_']).trim();
    let key_norm = key.to_ascii_lowercase().replace([' ', '_'], "-");
    let name = FIELD_NAMES.into_iter().find(|n| *n == key_norm)?;
    let mut after = &stripped[colon + 1..];
    let before_trim = after.len();
    after = after.trim_start_matches(['*', '_']);
    let value = after.trim_start();
    let offset = lead + colon + 1 + (before_trim - value.len());
    Some((name, value.trim_end(), offset))
}

/// Components of the `## Components` section, in file order (duplicates skipped).
pub fn components(doc: &Document, text: &str) -> Vec<Component> {
    let Some(section) = doc.section_index("Components") else {
        return Vec::new();
    };
    let all: Vec<&str> = markdown::lines(text).collect();
    let mut out = Vec::new();
    for item in doc.items.iter().filter(|i| {
        i.section == Some(section) && i.kind == ItemKind::Heading && i.id.prefix == IdPrefix::Comp
    }) {
        let mut component = Component {
            id: item.id,
            title: item.text.clone(),
            line: item.line,
            column: item.column,
            lines: item.lines.clone(),
            satisfies: None,
            depends_on: None,
            reuse: None,
            acceptance: None,
        };
        let mut fences = markdown::FenceState::default();
        for line0 in item.lines.clone().skip(1) {
            let Some(line) = all.get(line0) else { break };
            if fences.feed(line) {
                continue;
            }
            if let LineShape::ListItem {
                text: item_text,
                text_offset,
                ..
            } = classify(line)
                && let Some((name, value, offset)) = split_field(item_text)
            {
                let field = Field {
                    value: value.to_string(),
                    line: line0 + 1,
                    column: char_column(line, text_offset + offset),
                };
                let slot = match name {
                    "satisfies" => &mut component.satisfies,
                    "depends-on" => &mut component.depends_on,
                    "reuse" => &mut component.reuse,
                    _ => &mut component.acceptance,
                };
                if slot.is_none() {
                    *slot = Some(field);
                }
            }
        }
        out.push(component);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESIGN: &str = "## Components\n### COMP-1: NetBox model\n- satisfies: REQ-1, REQ-2\n- depends-on: none\n- reuse: netbox-client v2\n- acceptance: AC-1\n\n### COMP-2: Renderer\n- **satisfies**: REQ-3\n- depends-on: COMP-1\n- reuse: new\n## Testing Approach\n- unit\n";

    #[test]
    fn parses_fields_and_positions() {
        let doc = markdown::parse(DESIGN);
        let comps = components(&doc, DESIGN);
        assert_eq!(comps.len(), 2);
        let c1 = &comps[0];
        assert_eq!(c1.title, "NetBox model");
        let reqs: Vec<_> = c1
            .satisfied_requirements()
            .iter()
            .map(|r| (r.id.to_string(), r.line, r.column))
            .collect();
        assert_eq!(reqs, [("REQ-1".into(), 3, 14), ("REQ-2".into(), 3, 21)]);
        assert!(c1.dependencies().is_empty());
        assert!(c1.reuses_existing());
        assert!(c1.has_acceptance());
        let c2 = &comps[1];
        assert_eq!(c2.dependencies()[0].id.to_string(), "COMP-1");
        assert_eq!(c2.satisfied_requirements()[0].column, 18);
        assert!(!c2.reuses_existing());
        assert!(!c2.has_acceptance());
        assert_eq!(c2.lines, 7..11);
    }
}
