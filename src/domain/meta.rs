//! `engagement.toml`: an engagement's metadata and policy, hand-editable (DESIGN §2).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::gate::{Approvals, Roles};

use super::position::{Finding, Position, line_column};
use super::time::Timestamp;

pub const ENGAGEMENT_FILE: &str = "engagement.toml";
pub const SCHEMA: i64 = 1;

/// Governance policy; recorded in every gate and phase event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub distinct_approver: bool,
    /// Which events must carry an SSH signature (DESIGN §7).
    pub signatures: SignaturePolicy,
    /// Distinct approvers each gate needs (DESIGN §7 quorum).
    pub approvals: Approvals,
}

/// `[policy]` as written: the recorded policy plus `required_roles`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyToml {
    #[serde(default = "default_true")]
    distinct_approver: bool,
    #[serde(default)]
    signatures: SignaturePolicy,
    #[serde(default)]
    approvals: Approvals,
    #[serde(default)]
    required_roles: RequiredRoles,
}

impl Default for PolicyToml {
    fn default() -> Self {
        PolicyToml {
            distinct_approver: true,
            signatures: SignaturePolicy::Off,
            approvals: Approvals::default(),
            required_roles: RequiredRoles::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequiredRoles {
    #[serde(default)]
    gate1: Vec<String>,
    #[serde(default)]
    gate2: Vec<String>,
}

/// `[policy] signatures`: `decisions` are gate approve/reject/reopen and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignaturePolicy {
    #[default]
    Off,
    Decisions,
    All,
}

impl SignaturePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SignaturePolicy::Off => "off",
            SignaturePolicy::Decisions => "decisions",
            SignaturePolicy::All => "all",
        }
    }
    pub fn parse(s: &str) -> Option<SignaturePolicy> {
        [
            SignaturePolicy::Off,
            SignaturePolicy::Decisions,
            SignaturePolicy::All,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

fn default_true() -> bool {
    true
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            distinct_approver: true,
            signatures: SignaturePolicy::Off,
            approvals: Approvals::default(),
        }
    }
}

/// An extra manual criterion declared by the engagement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraCriterion {
    pub gate: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EngagementToml {
    schema: i64,
    title: String,
    owner: String,
    created: toml::value::Datetime,
    baseline: Option<String>,
    #[serde(default)]
    policy: PolicyToml,
    #[serde(default)]
    roles: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    criteria: Vec<ExtraCriterion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementMeta {
    pub title: String,
    pub owner: String,
    pub created: Timestamp,
    pub baseline: Option<String>,
    pub policy: Policy,
    /// `[roles]` and `[policy] required_roles`.
    pub roles: Roles,
    pub criteria: Vec<ExtraCriterion>,
}

impl EngagementMeta {
    /// A meta as `create` starts one: default policy, no baseline, roles or extra criteria.
    pub fn new(title: impl Into<String>, owner: impl Into<String>, created: Timestamp) -> Self {
        EngagementMeta {
            title: title.into(),
            owner: owner.into(),
            created,
            baseline: None,
            policy: Policy::default(),
            roles: Roles::default(),
            criteria: Vec::new(),
        }
    }
}

/// Turns a `toml` error into a finding at the file, line and column it names.
pub fn toml_finding(file: &str, text: &str, err: &toml::de::Error) -> Finding {
    let (line, column) = err
        .span()
        .map(|s| line_column(text, s.start))
        .unwrap_or((0, 0));
    let message = err.message().trim().replace('\n', " ");
    Finding::new(Position::new(file, line, column), message)
}

/// A TOML file phasegate reads that starts with a UTF-8 byte-order mark (some Windows editors
/// add one): named as such, rather than as whatever the TOML parser makes of it.
pub fn byte_order_mark(file: &str, text: &str) -> Option<Finding> {
    text.starts_with('\u{feff}').then(|| {
        Finding::new(
            Position::new(file, 1, 1),
            "starts with a UTF-8 byte-order mark (BOM, bytes EF BB BF): save the file as UTF-8 without a BOM",
        )
    })
}

/// Position of `key = ` at the start of a line, for errors found after deserializing.
fn key_position(text: &str, key: &str) -> Position {
    for (i, line) in super::markdown::lines(text).enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Position::new(ENGAGEMENT_FILE, i + 1, line.len() - trimmed.len() + 1);
        }
    }
    Position::file(ENGAGEMENT_FILE)
}

pub fn parse_engagement(text: &str, predefined_ids: &[&str]) -> Result<EngagementMeta, Finding> {
    if let Some(bom) = byte_order_mark(ENGAGEMENT_FILE, text) {
        return Err(bom);
    }
    let raw: EngagementToml =
        toml::from_str(text).map_err(|e| toml_finding(ENGAGEMENT_FILE, text, &e))?;
    if raw.schema != SCHEMA {
        return Err(Finding::new(
            key_position(text, "schema"),
            format!(
                "schema {} is not supported (this phasegate reads schema {SCHEMA})",
                raw.schema
            ),
        ));
    }
    let created = Timestamp::parse(&raw.created.to_string()).ok_or_else(|| {
        Finding::new(
            key_position(text, "created"),
            "created must be a UTC date-time like 2026-11-02T09:14:00Z",
        )
    })?;
    if raw.title.trim().is_empty() {
        return Err(Finding::new(key_position(text, "title"), "title is empty"));
    }
    if raw.owner.trim().is_empty() {
        return Err(Finding::new(key_position(text, "owner"), "owner is empty"));
    }
    // How many criteria before this one carry the same id, to find its own `id =` line: looked
    // up only for the criterion in error, so a file of many criteria is read once.
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in &raw.criteria {
        let occurrence = seen.get(c.id.as_str()).copied().unwrap_or(0);
        let at = || key_position_of_value(text, "id", &c.id, occurrence);
        if c.gate != 1 && c.gate != 2 {
            return Err(Finding::new(
                at(),
                format!("criterion {}: gate must be 1 or 2, not {}", c.id, c.gate),
            ));
        }
        if c.id.trim().is_empty() || c.text.trim().is_empty() {
            return Err(Finding::new(
                at(),
                "a criterion needs a non-empty id and text",
            ));
        }
        if predefined_ids.contains(&c.id.as_str()) || occurrence > 0 {
            return Err(Finding::new(
                at(),
                format!("criterion id {} is already used", c.id),
            ));
        }
        *seen.entry(&c.id).or_insert(0) += 1;
    }
    for (gate, n) in [
        (1, raw.policy.approvals.gate1),
        (2, raw.policy.approvals.gate2),
    ] {
        if n == 0 {
            return Err(Finding::new(
                key_position(text, "approvals"),
                format!("approvals: gate{gate} needs at least 1 approver"),
            ));
        }
    }
    for role in raw
        .policy
        .required_roles
        .gate1
        .iter()
        .chain(&raw.policy.required_roles.gate2)
    {
        if !raw.roles.contains_key(role) {
            return Err(Finding::new(
                key_position(text, "required_roles"),
                format!(
                    "required role `{role}` is not defined in [roles] (e.g. {role} = [\"carol\"])"
                ),
            ));
        }
    }
    Ok(EngagementMeta {
        title: raw.title,
        owner: raw.owner,
        created,
        baseline: raw.baseline,
        policy: Policy {
            distinct_approver: raw.policy.distinct_approver,
            signatures: raw.policy.signatures,
            approvals: raw.policy.approvals,
        },
        roles: Roles {
            members: raw.roles,
            required_gate1: raw.policy.required_roles.gate1,
            required_gate2: raw.policy.required_roles.gate2,
        },
        criteria: raw.criteria,
    })
}

/// Position of the `occurrence`-th (0-based) `key = "value"` line.
fn key_position_of_value(text: &str, key: &str, value: &str, occurrence: usize) -> Position {
    let quoted = format!("\"{value}\"");
    super::markdown::lines(text)
        .enumerate()
        .filter(|(_, line)| {
            let trimmed = line.trim_start();
            trimmed.starts_with(key) && trimmed.contains(&quoted)
        })
        .nth(occurrence)
        .map(|(i, line)| {
            Position::new(
                ENGAGEMENT_FILE,
                i + 1,
                line.len() - line.trim_start().len() + 1,
            )
        })
        .unwrap_or_else(|| key_position(text, key))
}

/// TOML basic string with the escapes the spec requires.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `engagement.toml` of a new engagement: four eyes unless the owner turns it off.
pub fn render_engagement(
    title: &str,
    owner: &str,
    created: Timestamp,
    baseline: Option<&str>,
    signatures: SignaturePolicy,
) -> String {
    let mut out = format!(
        "schema = {SCHEMA}\ntitle = {}\nowner = {}\ncreated = {created}\n",
        toml_string(title),
        toml_string(owner)
    );
    if let Some(b) = baseline {
        out.push_str(&format!("baseline = {}\n", toml_string(b)));
    }
    out.push_str(
        "\n[policy]\ndistinct_approver = true   # the owner may neither approve a gate nor close\n",
    );
    out.push_str(match signatures {
        SignaturePolicy::Off => "signatures = \"off\"   # \"decisions\": gate decisions and close are SSH-signed (README: Signed approvals)\n\n",
        SignaturePolicy::Decisions => "signatures = \"decisions\"   # gate decisions and close are SSH-signed (signing_key)\n\n",
        SignaturePolicy::All => "signatures = \"all\"   # every event is SSH-signed (signing_key)\n\n",
    });
    out.push_str(
        "\
         # Extra manual criteria; the predefined ones always apply:\n\
         # [[criteria]]\n# gate = 2\n# id = \"G2-X1\"\n# text = \"Rollback procedure reviewed by the NOC\"\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_parses_back() {
        let t = Timestamp::parse("2026-11-02T09:14:00Z").unwrap();
        let text = render_engagement(
            "VLAN \"QoS\"",
            "alice",
            t,
            Some("vlan-provisioning"),
            SignaturePolicy::Decisions,
        );
        let meta = parse_engagement(&text, &[]).unwrap();
        assert_eq!(meta.title, "VLAN \"QoS\"");
        assert_eq!(meta.created, t);
        assert!(meta.policy.distinct_approver);
        assert_eq!(meta.policy.signatures, SignaturePolicy::Decisions);
        assert_eq!(meta.baseline.as_deref(), Some("vlan-provisioning"));
    }

    #[test]
    fn errors_name_line_and_column() {
        let text = "schema = 1\ntitle = \"x\"\nowner = \"a\"\ncreated = 2026-11-02T09:14:00Z\ncolour = 1\n";
        let err = parse_engagement(text, &[]).unwrap_err();
        assert_eq!(err.position.line, 5);
        assert!(err.message.contains("colour"), "{}", err.message);
        let err = parse_engagement("schema = \"one\"\n", &[]).unwrap_err();
        assert_eq!(err.position.to_string(), "engagement.toml:1:10");
    }

    #[test]
    fn rejects_duplicate_criteria() {
        let text = "schema = 1\ntitle = \"x\"\nowner = \"a\"\ncreated = 2026-11-02T09:14:00Z\n[[criteria]]\ngate = 2\nid = \"G2-1\"\ntext = \"t\"\n";
        let err = parse_engagement(text, &["G2-1"]).unwrap_err();
        assert_eq!(err.position.line, 7);
    }
}
