//! The dialogs of Build and As-Built: the deviation form (reachable from anywhere with `D`),
//! the amendment form, the reason to accept design changes at close, and the confirmations
//! (reopen Gate 2 after a design-change, complete the build, close). Plain data: `build.rs`
//! decides, `ui::deviation_form` draws.

use ratatui_textarea::{Input, Key};

use crate::app::line_input::{edit_text, paste_text};
use crate::domain::ids::ItemId;
use crate::domain::journal::ArtifactRecord;
use crate::domain::records::{DeviationTarget, Impact};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevField {
    Target,
    Impact,
    What,
    Why,
}

impl DevField {
    pub const ALL: [DevField; 4] = [
        DevField::Target,
        DevField::Impact,
        DevField::What,
        DevField::Why,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DevField::Target => "component",
            DevField::Impact => "impact",
            DevField::What => "what",
            DevField::Why => "why",
        }
    }
}

/// Record a deviation: component or `general`, impact, what, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviationForm {
    /// The choices: every component of the contract (and the as-built), then `general`, each
    /// with its title.
    pub targets: Vec<(DeviationTarget, String)>,
    pub target: usize,
    pub impact: Impact,
    pub what: String,
    pub why: String,
    pub field: DevField,
    /// Where the form was opened from ("hunk 2/3, unexplained"), shown in its title.
    pub origin: Option<String>,
    /// The ID the deviation will get.
    pub next_id: ItemId,
    /// Why the last submit did not go through.
    pub error: Option<String>,
}

impl DeviationForm {
    pub fn selected_target(&self) -> DeviationTarget {
        self.targets
            .get(self.target)
            .map_or(DeviationTarget::General, |(t, _)| *t)
    }

    /// The Markdown line the form will write.
    pub fn preview(&self) -> String {
        format!(
            "- {} ({}, {}): {} — {}",
            self.next_id,
            self.selected_target(),
            self.impact,
            self.what.trim(),
            self.why.trim()
        )
    }

    fn step_field(&mut self, forward: bool) {
        let i = DevField::ALL
            .iter()
            .position(|f| *f == self.field)
            .unwrap_or(0);
        let n = DevField::ALL.len();
        self.field = DevField::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    pub fn next_field(&mut self) {
        self.step_field(true);
    }

    pub fn prev_field(&mut self) {
        self.step_field(false);
    }

    fn cycle(&mut self, forward: bool) {
        match self.field {
            DevField::Target => {
                let n = self.targets.len().max(1);
                self.target = if forward {
                    (self.target + 1) % n
                } else {
                    (self.target + n - 1) % n
                };
            }
            DevField::Impact => {
                let i = Impact::ALL
                    .iter()
                    .position(|x| *x == self.impact)
                    .unwrap_or(0);
                let n = Impact::ALL.len();
                self.impact = Impact::ALL[if forward {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
            }
            DevField::What | DevField::Why => {}
        }
    }

    /// The first text field still empty, if any.
    pub fn missing(&self) -> Option<DevField> {
        if self.what.trim().is_empty() {
            Some(DevField::What)
        } else if self.why.trim().is_empty() {
            Some(DevField::Why)
        } else {
            None
        }
    }

    /// A key typed into the form.
    pub fn input(&mut self, input: &Input) {
        self.error = None;
        match (input.key, self.field) {
            (Key::Tab, _) if input.shift => self.prev_field(),
            (Key::Tab, _) => self.next_field(),
            (Key::Left, DevField::Target | DevField::Impact) => self.cycle(false),
            (Key::Right | Key::Char(' '), DevField::Target | DevField::Impact) => self.cycle(true),
            (Key::Char(c), DevField::Impact) if !input.ctrl && !input.alt => {
                if let Some(i) = Impact::ALL
                    .iter()
                    .find(|i| i.as_str().starts_with(c.to_ascii_lowercase()))
                {
                    self.impact = *i;
                }
            }
            (Key::Char(c), DevField::Target) if !input.ctrl && !input.alt => {
                if c.eq_ignore_ascii_case(&'g')
                    && let Some(i) = self
                        .targets
                        .iter()
                        .position(|(t, _)| *t == DeviationTarget::General)
                {
                    self.target = i;
                } else if let Some(n) = c.to_digit(10)
                    && let Some(i) = self.targets.iter().position(|(t, _)| match t {
                        DeviationTarget::Component(id) => id.number == n,
                        DeviationTarget::General => false,
                    })
                {
                    self.target = i;
                }
            }
            (_, DevField::What) => edit_text(&mut self.what, input),
            (_, DevField::Why) => edit_text(&mut self.why, input),
            _ => {}
        }
    }

    pub fn paste(&mut self, text: &str) {
        match self.field {
            DevField::What => paste_text(&mut self.what, text),
            DevField::Why => paste_text(&mut self.why, text),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmendField {
    Deviation,
    Text,
}

/// Append `- AMD-n (DEV-x): …` to the spec's Amendments section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendForm {
    /// Scope-change deviations: ID, description, and the amendment already written for it.
    pub deviations: Vec<(ItemId, String, Option<ItemId>)>,
    pub selected: usize,
    pub text: String,
    pub field: AmendField,
    pub next_id: ItemId,
    pub error: Option<String>,
}

impl AmendForm {
    pub fn deviation(&self) -> Option<ItemId> {
        self.deviations.get(self.selected).map(|(id, _, _)| *id)
    }

    pub fn preview(&self) -> String {
        match self.deviation() {
            Some(d) => format!("- {} ({d}): {}", self.next_id, self.text.trim()),
            None => String::new(),
        }
    }

    pub fn input(&mut self, input: &Input) {
        self.error = None;
        match (input.key, self.field) {
            (Key::Tab, _) => {
                self.field = match self.field {
                    AmendField::Deviation => AmendField::Text,
                    AmendField::Text => AmendField::Deviation,
                };
            }
            (Key::Left, AmendField::Deviation) => {
                let n = self.deviations.len().max(1);
                self.selected = (self.selected + n - 1) % n;
            }
            (Key::Right | Key::Char(' '), AmendField::Deviation) => {
                let n = self.deviations.len().max(1);
                self.selected = (self.selected + 1) % n;
            }
            (_, AmendField::Text) => edit_text(&mut self.text, input),
            _ => {}
        }
    }

    pub fn paste(&mut self, text: &str) {
        if self.field == AmendField::Text {
            paste_text(&mut self.text, text);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildConfirm {
    /// A design-change deviation was recorded: reopen Gate 2 now (back to Design)?
    ReopenGate2 { deviation: ItemId, reason: String },
    /// Record a component's status (`b`, `v`): a journal event.
    SetStatus {
        component: ItemId,
        title: String,
        status: crate::domain::journal::ComponentStatus,
    },
    /// The deviation form was submitted: record it (Markdown + journal event)? Cancel returns to
    /// the form with what was typed.
    RecordDeviation(DeviationForm),
    /// The amendment form was submitted: record it? Cancel returns to the form.
    RecordAmendment(AmendForm),
    /// Every component is validated: enter As-Built.
    CompleteBuild { components: usize },
    /// Close the engagement: binds every deviation and amendment.
    Close {
        closer: String,
        reason: Option<String>,
        accepted: Vec<ItemId>,
        bound: Vec<ItemId>,
        reviewed: Vec<ArtifactRecord>,
    },
}

/// The overlays of Build and As-Built (one variant of `app::Overlay`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildOverlay {
    Deviation(DeviationForm),
    Amend(AmendForm),
    /// Why design-change deviations without a Gate 2 re-approval are accepted at close.
    CloseReason {
        accepted: Vec<ItemId>,
        input: String,
    },
    Confirm(BuildConfirm),
}

impl BuildOverlay {
    /// Forms take text: printable keys type, Enter/Esc/arrows stay keys.
    pub fn is_typing(&self) -> bool {
        !matches!(self, BuildOverlay::Confirm(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: Key) -> Input {
        Input {
            key: k,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    fn form() -> DeviationForm {
        DeviationForm {
            targets: vec![
                (
                    DeviationTarget::Component("COMP-1".parse().expect("id")),
                    "A".into(),
                ),
                (
                    DeviationTarget::Component("COMP-3".parse().expect("id")),
                    "C".into(),
                ),
                (DeviationTarget::General, "outside components".into()),
            ],
            target: 0,
            impact: Impact::Minor,
            what: String::new(),
            why: String::new(),
            field: DevField::Target,
            origin: None,
            next_id: "DEV-3".parse().expect("id"),
            error: None,
        }
    }

    #[test]
    fn choices_cycle_and_text_fields_type() {
        let mut f = form();
        f.input(&key(Key::Right));
        assert_eq!(f.selected_target().to_string(), "COMP-3");
        f.input(&key(Key::Char('g')));
        assert_eq!(f.selected_target(), DeviationTarget::General);
        f.input(&key(Key::Char('1')));
        assert_eq!(f.selected_target().to_string(), "COMP-1");
        f.input(&key(Key::Tab));
        f.input(&key(Key::Char('s')));
        assert_eq!(f.impact, Impact::ScopeChange);
        f.input(&key(Key::Tab));
        for c in "gNMI now".chars() {
            f.input(&key(Key::Char(c)));
        }
        f.input(&key(Key::Backspace));
        assert_eq!(f.what, "gNMI no");
        assert_eq!(f.missing(), Some(DevField::Why));
        f.input(&key(Key::Tab));
        f.paste("because\r\nthe lab\n");
        assert_eq!(f.why, "because the lab");
        assert_eq!(
            f.preview(),
            "- DEV-3 (COMP-1, scope-change): gNMI no — because the lab"
        );
        f.input(&Input {
            key: Key::Char('w'),
            ctrl: true,
            alt: false,
            shift: false,
        });
        assert_eq!(f.why, "because the ");
    }
}
