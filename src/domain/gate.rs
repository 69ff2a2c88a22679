//! The pipeline's vocabulary (DESIGN §3, §7): the phases, the gates between them and the quorum
//! each gate asks for. A leaf: plain data the journal, the policy and the replay all build on,
//! so it imports nothing above it.

use std::collections::BTreeMap;

use super::allowed_signers::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Requirements,
    Feasibility,
    Design,
    Build,
    AsBuilt,
    Closed,
}

impl Phase {
    pub const PIPELINE: [Phase; 5] = [
        Phase::Requirements,
        Phase::Feasibility,
        Phase::Design,
        Phase::Build,
        Phase::AsBuilt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Requirements => "requirements",
            Phase::Feasibility => "feasibility",
            Phase::Design => "design",
            Phase::Build => "build",
            Phase::AsBuilt => "as-built",
            Phase::Closed => "closed",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Phase::Requirements => "Requirements",
            Phase::Feasibility => "Feasibility",
            Phase::Design => "Design",
            Phase::Build => "Build",
            Phase::AsBuilt => "As-Built",
            Phase::Closed => "Closed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GateId {
    One,
    Two,
}

impl GateId {
    pub fn number(self) -> u8 {
        match self {
            GateId::One => 1,
            GateId::Two => 2,
        }
    }
    pub fn from_number(n: i64) -> Option<GateId> {
        match n {
            1 => Some(GateId::One),
            2 => Some(GateId::Two),
            _ => None,
        }
    }
}

/// `[policy] approvals`: how many distinct approvers each gate needs (1 unless told).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approvals {
    #[serde(default = "one")]
    pub gate1: u8,
    #[serde(default = "one")]
    pub gate2: u8,
}

fn one() -> u8 {
    1
}

impl Default for Approvals {
    fn default() -> Self {
        Approvals { gate1: 1, gate2: 1 }
    }
}

impl Approvals {
    pub fn of(self, gate: GateId) -> u8 {
        match gate {
            GateId::One => self.gate1,
            GateId::Two => self.gate2,
        }
    }
}

/// The roles of the engagement and the ones each gate requires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    /// Role → principals, as `[roles]` lists them.
    pub members: BTreeMap<String, Vec<String>>,
    pub required_gate1: Vec<String>,
    pub required_gate2: Vec<String>,
}

impl Roles {
    pub fn required(&self, gate: GateId) -> &[String] {
        match gate {
            GateId::One => &self.required_gate1,
            GateId::Two => &self.required_gate2,
        }
    }

    /// The roles a principal holds (compared trimmed and case-folded).
    pub fn of(&self, principal: &str) -> Vec<&str> {
        let p = fold(principal);
        self.members
            .iter()
            .filter(|(_, names)| names.iter().any(|n| fold(n) == p))
            .map(|(role, _)| role.as_str())
            .collect()
    }
}
