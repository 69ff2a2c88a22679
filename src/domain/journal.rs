//! The governance journal: `[[event]]` tables written with phasegate's own fixed field order,
//! each hashed over its exact bytes and chained to the previous one (DESIGN §2).

use std::fmt::Write as _;

use super::digest::sha256_hex;
use super::gate::Approvals;
use super::ids::ItemId;
use super::meta::{Policy, SignaturePolicy, toml_finding, toml_string};
use super::position::{Finding, Position};

// The path the rest of the crate names gates by; the type lives in the leaf `gate`.
pub use super::gate::GateId;
use super::records::{DeviationTarget, Impact};
use super::time::Timestamp;

pub const JOURNAL_FILE: &str = ".phasegate/journal.toml";
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HEADER: &str = "# phasegate journal: append-only and hash-chained. Never edit by hand;\n# `phasegate check` verifies every event.\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRecord {
    pub file: String,
    pub sha256: String,
    pub governed_sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CriterionResult {
    Pass,
    Fail,
    Checked,
    Waived,
    Unchecked,
}

impl CriterionResult {
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionResult::Pass => "pass",
            CriterionResult::Fail => "fail",
            CriterionResult::Checked => "checked",
            CriterionResult::Waived => "waived",
            CriterionResult::Unchecked => "unchecked",
        }
    }
    fn parse(s: &str) -> Option<CriterionResult> {
        [
            CriterionResult::Pass,
            CriterionResult::Fail,
            CriterionResult::Checked,
            CriterionResult::Waived,
            CriterionResult::Unchecked,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
    /// Whether this result lets a gate be approved.
    pub fn admits_approval(self) -> bool {
        matches!(
            self,
            CriterionResult::Pass | CriterionResult::Checked | CriterionResult::Waived
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionRecord {
    pub id: String,
    pub result: CriterionResult,
    pub reason: Option<String>,
}

/// What a gate decision recorded: the evidence hashes and every criterion's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRecord {
    pub gate: GateId,
    pub reason: Option<String>,
    pub note: String,
    pub policy: Policy,
    pub artifacts: Vec<ArtifactRecord>,
    pub criteria: Vec<CriterionRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentStatus {
    Pending,
    Built,
    Validated,
}

impl ComponentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentStatus::Pending => "pending",
            ComponentStatus::Built => "built",
            ComponentStatus::Validated => "validated",
        }
    }
}

/// A file under `build/` as the close bound it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRecord {
    /// Relative to `build/`, with `/` separators.
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundItem {
    pub id: ItemId,
    pub sha256: String,
}

/// The kind-specific part of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    Created {
        /// The owner at creation; `None` in journals written before phasegate recorded it.
        owner: Option<String>,
        policy: Policy,
        templates: Vec<ArtifactRecord>,
        /// Day 2: the closed engagement this one starts from, `SLUG@<closing event hash>`.
        baseline: Option<String>,
    },
    /// `engagement.toml`'s owner or `[policy]` changed; decisions after it are judged by it.
    PolicyChanged {
        owner: String,
        policy: Policy,
        reason: String,
    },
    GateApproved(GateRecord),
    GateRejected(GateRecord),
    GateReopened {
        gate: GateId,
        reason: String,
        policy: Policy,
        artifacts: Vec<ArtifactRecord>,
    },
    FeasibilityCompleted {
        policy: Policy,
        artifacts: Vec<ArtifactRecord>,
    },
    ComponentStatus {
        component: ItemId,
        status: ComponentStatus,
        policy: Policy,
        artifacts: Vec<ArtifactRecord>,
    },
    DeviationRecorded {
        id: ItemId,
        target: DeviationTarget,
        impact: Impact,
        text_sha256: String,
    },
    AmendmentRecorded {
        id: ItemId,
        deviation: ItemId,
        text_sha256: String,
    },
    BuildCompleted {
        policy: Policy,
        artifacts: Vec<ArtifactRecord>,
    },
    /// Someone (typically an agent through `phasegate mcp`) asks for a gate's review on these
    /// artifact hashes. Not a decision: it changes no phase and satisfies no rule.
    ReviewRequested {
        gate: GateId,
        note: String,
        artifacts: Vec<ArtifactRecord>,
    },
    Closed {
        reason: Option<String>,
        accepted: Vec<ItemId>,
        items: Vec<BoundItem>,
        policy: Policy,
        artifacts: Vec<ArtifactRecord>,
        /// Every file under `build/` at the close; `None` in journals written before phasegate
        /// recorded it.
        build: Option<Vec<BuildRecord>>,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Created { .. } => "created",
            EventBody::PolicyChanged { .. } => "policy_changed",
            EventBody::GateApproved(_) => "gate_approved",
            EventBody::GateRejected(_) => "gate_rejected",
            EventBody::GateReopened { .. } => "gate_reopened",
            EventBody::FeasibilityCompleted { .. } => "feasibility_completed",
            EventBody::ComponentStatus { .. } => "component_status",
            EventBody::DeviationRecorded { .. } => "deviation_recorded",
            EventBody::AmendmentRecorded { .. } => "amendment_recorded",
            EventBody::BuildCompleted { .. } => "build_completed",
            EventBody::ReviewRequested { .. } => "review_requested",
            EventBody::Closed { .. } => "closed",
        }
    }

    /// One line for timelines.
    pub fn summary(&self) -> String {
        match self {
            EventBody::Created { .. } => "engagement created".into(),
            EventBody::PolicyChanged { owner, policy, .. } => format!(
                "owner and policy recorded: owner {owner}, distinct_approver = {}",
                policy.distinct_approver
            ),
            EventBody::GateApproved(g) => format!("Gate {} approved", g.gate.number()),
            EventBody::GateRejected(g) => format!(
                "Gate {} rejected: {}",
                g.gate.number(),
                g.reason.as_deref().unwrap_or("")
            ),
            EventBody::GateReopened { gate, reason, .. } => {
                format!("Gate {} reopened: {reason}", gate.number())
            }
            EventBody::FeasibilityCompleted { .. } => "feasibility completed".into(),
            EventBody::ComponentStatus {
                component, status, ..
            } => {
                format!("{component} {}", status.as_str())
            }
            EventBody::DeviationRecorded {
                id, target, impact, ..
            } => {
                format!("{id} recorded ({target}, {impact})")
            }
            EventBody::AmendmentRecorded { id, deviation, .. } => {
                format!("{id} recorded for {deviation}")
            }
            EventBody::BuildCompleted { .. } => "build completed".into(),
            EventBody::ReviewRequested { gate, .. } => {
                format!("Gate {} review requested", gate.number())
            }
            EventBody::Closed { .. } => "engagement closed".into(),
        }
    }
}

/// Who and when, supplied by the caller (the domain has no clock and no OS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub at: Timestamp,
    pub actor: String,
    pub os_user: String,
}

/// The fields written after the kind-specific ones and before `prev` (DESIGN §7).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailer {
    /// `clock = "override"`: `at` came from `PHASEGATE_NOW`, not the clock.
    pub clock_override: bool,
    /// The signing key's `SHA256:` fingerprint.
    pub signer: Option<String>,
    /// The armored SSH signature (`ssh-keygen -Y sign`, namespace `phasegate`).
    pub signature: Option<String>,
}

/// A signed event's signature and the bytes it covers (the genesis hash is prefixed when
/// verifying; see `signature::message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub signer: String,
    pub signature: String,
    pub signed_bytes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub os_user: String,
    pub body: EventBody,
    pub clock_override: bool,
    pub seal: Option<Seal>,
    pub prev: String,
    pub hash: String,
    /// 1-based line of the event's `[[event]]` header in the journal file.
    pub line: usize,
}

// ---------------------------------------------------------------------------------------------
// Writing

fn policy_toml(p: &Policy) -> String {
    // `signatures` and `approvals` are written only when set, so journals from before them
    // keep their bytes.
    let mut out = format!("{{ distinct_approver = {}", p.distinct_approver);
    if p.signatures != SignaturePolicy::Off {
        let _ = write!(out, ", signatures = {}", toml_string(p.signatures.as_str()));
    }
    if p.approvals != Approvals::default() {
        let _ = write!(
            out,
            ", approvals = {{ gate1 = {}, gate2 = {} }}",
            p.approvals.gate1, p.approvals.gate2
        );
    }
    out.push_str(" }");
    out
}

fn artifacts_toml(out: &mut String, key: &str, artifacts: &[ArtifactRecord]) {
    if artifacts.is_empty() {
        let _ = writeln!(out, "{key} = []");
        return;
    }
    let _ = writeln!(out, "{key} = [");
    for a in artifacts {
        let _ = writeln!(
            out,
            "  {{ file = {}, sha256 = {}, governed_sha256 = {} }},",
            toml_string(&a.file),
            toml_string(&a.sha256),
            toml_string(&a.governed_sha256)
        );
    }
    out.push_str("]\n");
}

fn build_toml(out: &mut String, files: &[BuildRecord]) {
    if files.is_empty() {
        out.push_str("build = []\n");
        return;
    }
    out.push_str("build = [\n");
    for f in files {
        let _ = writeln!(
            out,
            "  {{ path = {}, sha256 = {} }},",
            toml_string(&f.path),
            toml_string(&f.sha256)
        );
    }
    out.push_str("]\n");
}

fn ids_toml(ids: &[ItemId]) -> String {
    let inner: Vec<String> = ids.iter().map(|i| toml_string(&i.to_string())).collect();
    format!("[{}]", inner.join(", "))
}

fn gate_toml(out: &mut String, g: &GateRecord) {
    let _ = writeln!(out, "gate = {}", g.gate.number());
    if let Some(reason) = &g.reason {
        let _ = writeln!(out, "reason = {}", toml_string(reason));
    }
    let _ = writeln!(out, "note = {}", toml_string(&g.note));
    let _ = writeln!(out, "policy = {}", policy_toml(&g.policy));
    artifacts_toml(out, "artifacts", &g.artifacts);
    if g.criteria.is_empty() {
        out.push_str("criteria = []\n");
    } else {
        out.push_str("criteria = [\n");
        for c in &g.criteria {
            let _ = write!(
                out,
                "  {{ id = {}, result = {}",
                toml_string(&c.id),
                toml_string(c.result.as_str())
            );
            if let Some(reason) = &c.reason {
                let _ = write!(out, ", reason = {}", toml_string(reason));
            }
            out.push_str(" },\n");
        }
        out.push_str("]\n");
    }
}

/// The event's bytes without its `hash =` line: exactly what its hash covers.
fn event_bytes_without_hash(
    seq: u64,
    stamp: &Stamp,
    body: &EventBody,
    trailer: &Trailer,
    prev: &str,
) -> String {
    let mut out = String::with_capacity(512);
    out.push_str("[[event]]\n");
    let _ = writeln!(out, "seq = {seq}");
    let _ = writeln!(out, "at = {}", stamp.at);
    let _ = writeln!(out, "actor = {}", toml_string(&stamp.actor));
    let _ = writeln!(out, "os_user = {}", toml_string(&stamp.os_user));
    let _ = writeln!(out, "kind = {}", toml_string(body.kind()));
    match body {
        EventBody::Created {
            owner,
            policy,
            templates,
            baseline,
        } => {
            if let Some(owner) = owner {
                let _ = writeln!(out, "owner = {}", toml_string(owner));
            }
            // Written only when present, so journals of engagements without one keep their bytes.
            if let Some(b) = baseline {
                let _ = writeln!(out, "baseline = {}", toml_string(b));
            }
            let _ = writeln!(out, "policy = {}", policy_toml(policy));
            artifacts_toml(&mut out, "templates", templates);
        }
        EventBody::PolicyChanged {
            owner,
            policy,
            reason,
        } => {
            let _ = writeln!(out, "owner = {}", toml_string(owner));
            let _ = writeln!(out, "policy = {}", policy_toml(policy));
            let _ = writeln!(out, "reason = {}", toml_string(reason));
        }
        EventBody::GateApproved(g) | EventBody::GateRejected(g) => gate_toml(&mut out, g),
        EventBody::GateReopened {
            gate,
            reason,
            policy,
            artifacts,
        } => {
            let _ = writeln!(out, "gate = {}", gate.number());
            let _ = writeln!(out, "reason = {}", toml_string(reason));
            let _ = writeln!(out, "policy = {}", policy_toml(policy));
            artifacts_toml(&mut out, "artifacts", artifacts);
        }
        EventBody::FeasibilityCompleted { policy, artifacts }
        | EventBody::BuildCompleted { policy, artifacts } => {
            let _ = writeln!(out, "policy = {}", policy_toml(policy));
            artifacts_toml(&mut out, "artifacts", artifacts);
        }
        EventBody::ComponentStatus {
            component,
            status,
            policy,
            artifacts,
        } => {
            let _ = writeln!(out, "component = {}", toml_string(&component.to_string()));
            let _ = writeln!(out, "status = {}", toml_string(status.as_str()));
            let _ = writeln!(out, "policy = {}", policy_toml(policy));
            artifacts_toml(&mut out, "artifacts", artifacts);
        }
        EventBody::DeviationRecorded {
            id,
            target,
            impact,
            text_sha256,
        } => {
            let _ = writeln!(out, "id = {}", toml_string(&id.to_string()));
            let _ = writeln!(out, "component = {}", toml_string(&target.to_string()));
            let _ = writeln!(out, "impact = {}", toml_string(impact.as_str()));
            let _ = writeln!(out, "text_sha256 = {}", toml_string(text_sha256));
        }
        EventBody::AmendmentRecorded {
            id,
            deviation,
            text_sha256,
        } => {
            let _ = writeln!(out, "id = {}", toml_string(&id.to_string()));
            let _ = writeln!(out, "deviation = {}", toml_string(&deviation.to_string()));
            let _ = writeln!(out, "text_sha256 = {}", toml_string(text_sha256));
        }
        EventBody::ReviewRequested {
            gate,
            note,
            artifacts,
        } => {
            let _ = writeln!(out, "gate = {}", gate.number());
            let _ = writeln!(out, "note = {}", toml_string(note));
            artifacts_toml(&mut out, "artifacts", artifacts);
        }
        EventBody::Closed {
            reason,
            accepted,
            items,
            policy,
            artifacts,
            build,
        } => {
            if let Some(reason) = reason {
                let _ = writeln!(out, "reason = {}", toml_string(reason));
            }
            let _ = writeln!(out, "accepted = {}", ids_toml(accepted));
            if items.is_empty() {
                out.push_str("items = []\n");
            } else {
                out.push_str("items = [\n");
                for item in items {
                    let _ = writeln!(
                        out,
                        "  {{ id = {}, sha256 = {} }},",
                        toml_string(&item.id.to_string()),
                        toml_string(&item.sha256)
                    );
                }
                out.push_str("]\n");
            }
            let _ = writeln!(out, "policy = {}", policy_toml(policy));
            artifacts_toml(&mut out, "artifacts", artifacts);
            if let Some(build) = build {
                build_toml(&mut out, build);
            }
        }
    }
    if trailer.clock_override {
        out.push_str("clock = \"override\"\n");
    }
    if let Some(signer) = &trailer.signer {
        let _ = writeln!(out, "signer = {}", toml_string(signer));
    }
    if let Some(signature) = &trailer.signature {
        let _ = writeln!(out, "signature = {}", toml_string(signature));
    }
    let _ = writeln!(out, "prev = {}", toml_string(prev));
    out
}

impl Event {
    /// The event's block as the journal holds it (every field, `hash` last), for views that
    /// show an event in full.
    pub fn to_toml(&self) -> String {
        let stamp = Stamp {
            at: self.at,
            actor: self.actor.clone(),
            os_user: self.os_user.clone(),
        };
        let trailer = Trailer {
            clock_override: self.clock_override,
            signer: self.seal.as_ref().map(|s| s.signer.clone()),
            signature: self.seal.as_ref().map(|s| s.signature.clone()),
        };
        let mut out = event_bytes_without_hash(self.seq, &stamp, &self.body, &trailer, &self.prev);
        let _ = writeln!(out, "hash = {}", toml_string(&self.hash));
        out
    }
}

/// The event as it would be written, before it has a place in the chain: what a signature
/// covers once `seq`, `prev` and `signature` are left out (`signed_bytes`).
pub fn unchained_event(stamp: &Stamp, body: &EventBody, trailer: &Trailer) -> String {
    event_bytes_without_hash(0, stamp, body, trailer, GENESIS)
}

/// A new journal holding only the `created` event.
pub fn new_journal(stamp: &Stamp, body: &EventBody) -> String {
    new_journal_with(stamp, body, &Trailer::default())
}

pub fn new_journal_with(stamp: &Stamp, body: &EventBody, trailer: &Trailer) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    append_block(&mut out, 1, stamp, body, trailer, GENESIS);
    out
}

fn append_block(
    out: &mut String,
    seq: u64,
    stamp: &Stamp,
    body: &EventBody,
    trailer: &Trailer,
    prev: &str,
) -> String {
    let bytes = event_bytes_without_hash(seq, stamp, body, trailer, prev);
    let hash = sha256_hex(bytes.as_bytes());
    out.push_str(&bytes);
    let _ = writeln!(out, "hash = {}", toml_string(&hash));
    hash
}

/// Appends an event to `journal` (its earlier bytes copied exactly), after verifying only the
/// tail link. Returns the new text and the new event's hash.
pub fn append(journal: &str, stamp: &Stamp, body: &EventBody) -> Result<(String, u64), Finding> {
    append_with(journal, stamp, body, &Trailer::default())
}

/// [`append`] with the clock mark and signature.
pub fn append_with(
    journal: &str,
    stamp: &Stamp,
    body: &EventBody,
    trailer: &Trailer,
) -> Result<(String, u64), Finding> {
    let blocks = split_blocks(journal);
    let last = blocks.last().ok_or_else(|| {
        Finding::new(
            Position::file(JOURNAL_FILE),
            "the journal holds no event (it must start with `created`)",
        )
    })?;
    let tail = parse_block(journal, last)?;
    verify_block_hash(journal, last, &tail)?;
    let mut out = String::with_capacity(journal.len() + 1024);
    out.push_str(journal);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    let seq = tail.seq + 1;
    append_block(&mut out, seq, stamp, body, trailer, &tail.hash);
    Ok((out, seq))
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One `[[event]]` block as it stands in the file.
#[derive(Debug, Clone, Copy)]
struct Block {
    start: usize,
    end: usize,
    line: usize,
}

fn split_blocks(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_end() == "[[event]]" {
            if let Some(b) = blocks.last_mut() {
                b.end = offset;
            }
            blocks.push(Block {
                start: offset,
                end: text.len(),
                line: i + 1,
            });
        }
        offset += line.len();
    }
    blocks
}

/// The bytes of a block the hash covers: without its `hash =` line and trailing blank lines.
fn hashed_bytes(text: &str, block: &Block) -> String {
    let raw = &text[block.start..block.end];
    let mut out = String::with_capacity(raw.len());
    for line in raw.split_inclusive('\n') {
        if line.trim_start().starts_with("hash")
            && line.trim_start()[4..].trim_start().starts_with('=')
        {
            continue;
        }
        out.push_str(line);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The text before the first `[[event]]` (the header comment) and each event's block as it
/// stands in the file, trailing blank lines trimmed.
pub fn raw_blocks(text: &str) -> (&str, Vec<&str>) {
    let blocks = split_blocks(text);
    let preamble = &text[..blocks.first().map_or(text.len(), |b| b.start)];
    let raw = blocks
        .iter()
        .map(|b| {
            let mut s = &text[b.start..b.end];
            while s.ends_with("\n\n") {
                s = &s[..s.len() - 1];
            }
            s
        })
        .collect();
    (preamble, raw)
}

fn is_key_line(line: &str, key: &str) -> bool {
    line.trim_start()
        .strip_prefix(key)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

/// An event's block given a new place in a chain: its `seq` and `prev` lines replaced and its
/// hash recomputed, every other byte kept (so its signature, which covers neither, still holds).
/// Returns the block (ending with its `hash` line) and the new hash.
pub fn rechained(block: &str, seq: u64, prev: &str) -> (String, String) {
    let mut bytes = String::with_capacity(block.len());
    for line in block.split_inclusive('\n') {
        if is_key_line(line, "hash") {
            continue;
        } else if is_key_line(line, "seq") {
            let _ = writeln!(bytes, "seq = {seq}");
        } else if is_key_line(line, "prev") {
            let _ = writeln!(bytes, "prev = {}", toml_string(prev));
        } else {
            bytes.push_str(line);
        }
    }
    if !bytes.ends_with('\n') {
        bytes.push('\n');
    }
    while bytes.ends_with("\n\n") {
        bytes.pop();
    }
    let hash = sha256_hex(bytes.as_bytes());
    let _ = writeln!(bytes, "hash = {}", toml_string(&hash));
    (bytes, hash)
}

fn verify_block_hash(text: &str, block: &Block, event: &Event) -> Result<(), Finding> {
    let actual = sha256_hex(hashed_bytes(text, block).as_bytes());
    if actual != event.hash {
        return Err(Finding::new(
            Position::new(JOURNAL_FILE, block.line, 1),
            format!(
                "event {} ({}) was changed after it was written: its hash does not match its bytes",
                event.seq,
                event.body.kind()
            ),
        ));
    }
    Ok(())
}

struct Fields<'a> {
    table: &'a toml::Table,
    line: usize,
    seq: u64,
}

impl<'a> Fields<'a> {
    fn err(&self, message: String) -> Finding {
        Finding::new(
            Position::new(JOURNAL_FILE, self.line, 1),
            format!("event {}: {message}", self.seq),
        )
    }
    fn get(&self, key: &str) -> Result<&'a toml::Value, Finding> {
        self.table
            .get(key)
            .ok_or_else(|| self.err(format!("missing field `{key}`")))
    }
    fn str(&self, key: &str) -> Result<&'a str, Finding> {
        self.get(key)?
            .as_str()
            .ok_or_else(|| self.err(format!("`{key}` must be a string")))
    }
    fn opt_str(&self, key: &str) -> Result<Option<String>, Finding> {
        match self.table.get(key) {
            None => Ok(None),
            Some(_) => self.str(key).map(|s| Some(s.to_string())),
        }
    }
    fn int(&self, key: &str) -> Result<i64, Finding> {
        self.get(key)?
            .as_integer()
            .ok_or_else(|| self.err(format!("`{key}` must be an integer")))
    }
    fn id(&self, key: &str) -> Result<ItemId, Finding> {
        let s = self.str(key)?;
        s.parse()
            .map_err(|e: String| self.err(format!("`{key}`: {e}")))
    }
    fn gate(&self) -> Result<GateId, Finding> {
        let n = self.int("gate")?;
        GateId::from_number(n).ok_or_else(|| self.err(format!("gate must be 1 or 2, not {n}")))
    }
    fn policy(&self) -> Result<Policy, Finding> {
        let v = self.get("policy")?;
        let t = v
            .as_table()
            .ok_or_else(|| self.err("`policy` must be a table".into()))?;
        let distinct = t
            .get("distinct_approver")
            .and_then(toml::Value::as_bool)
            .ok_or_else(|| self.err("`policy.distinct_approver` must be a boolean".into()))?;
        let signatures = match t.get("signatures") {
            None => SignaturePolicy::Off,
            Some(v) => v.as_str().and_then(SignaturePolicy::parse).ok_or_else(|| {
                self.err("`policy.signatures` must be \"off\", \"decisions\" or \"all\"".into())
            })?,
        };
        let approvals = match t.get("approvals") {
            None => Approvals::default(),
            Some(v) => v.clone().try_into().map_err(|_| {
                self.err("`policy.approvals` must be { gate1 = N, gate2 = M }".into())
            })?,
        };
        Ok(Policy {
            distinct_approver: distinct,
            signatures,
            approvals,
        })
    }
    fn tables(&self, key: &str) -> Result<Vec<&'a toml::Table>, Finding> {
        let arr = self
            .get(key)?
            .as_array()
            .ok_or_else(|| self.err(format!("`{key}` must be an array")))?;
        arr.iter()
            .map(|v| {
                v.as_table()
                    .ok_or_else(|| self.err(format!("`{key}` must hold tables")))
            })
            .collect()
    }
    fn sub(&self, table: &'a toml::Table) -> Fields<'a> {
        Fields {
            table,
            line: self.line,
            seq: self.seq,
        }
    }
    fn artifacts(&self, key: &str) -> Result<Vec<ArtifactRecord>, Finding> {
        self.tables(key)?
            .into_iter()
            .map(|t| {
                let f = self.sub(t);
                Ok(ArtifactRecord {
                    file: f.str("file")?.to_string(),
                    sha256: f.str("sha256")?.to_string(),
                    governed_sha256: f.str("governed_sha256")?.to_string(),
                })
            })
            .collect()
    }
    fn gate_record(&self) -> Result<GateRecord, Finding> {
        let criteria = self
            .tables("criteria")?
            .into_iter()
            .map(|t| {
                let f = self.sub(t);
                let result = f.str("result")?;
                Ok(CriterionRecord {
                    id: f.str("id")?.to_string(),
                    result: CriterionResult::parse(result)
                        .ok_or_else(|| self.err(format!("unknown criterion result `{result}`")))?,
                    reason: f.opt_str("reason")?,
                })
            })
            .collect::<Result<_, Finding>>()?;
        Ok(GateRecord {
            gate: self.gate()?,
            reason: self.opt_str("reason")?,
            note: self.opt_str("note")?.unwrap_or_default(),
            policy: self.policy()?,
            artifacts: self.artifacts("artifacts")?,
            criteria,
        })
    }
}

fn parse_body(f: &Fields<'_>, kind: &str) -> Result<EventBody, Finding> {
    Ok(match kind {
        "created" => EventBody::Created {
            owner: f.opt_str("owner")?,
            policy: f.policy()?,
            templates: f.artifacts("templates")?,
            baseline: f.opt_str("baseline")?,
        },
        "policy_changed" => EventBody::PolicyChanged {
            owner: f.str("owner")?.to_string(),
            policy: f.policy()?,
            reason: f.str("reason")?.to_string(),
        },
        "gate_approved" => EventBody::GateApproved(f.gate_record()?),
        "gate_rejected" => EventBody::GateRejected(f.gate_record()?),
        "gate_reopened" => EventBody::GateReopened {
            gate: f.gate()?,
            reason: f.str("reason")?.to_string(),
            policy: f.policy()?,
            artifacts: f.artifacts("artifacts")?,
        },
        "feasibility_completed" => EventBody::FeasibilityCompleted {
            policy: f.policy()?,
            artifacts: f.artifacts("artifacts")?,
        },
        "component_status" => {
            let status = match f.str("status")? {
                "built" => ComponentStatus::Built,
                "validated" => ComponentStatus::Validated,
                "pending" => ComponentStatus::Pending,
                other => return Err(f.err(format!("unknown component status `{other}`"))),
            };
            EventBody::ComponentStatus {
                component: f.id("component")?,
                status,
                policy: f.policy()?,
                artifacts: f.artifacts("artifacts")?,
            }
        }
        "deviation_recorded" => {
            let target = f.str("component")?;
            let impact = f.str("impact")?;
            EventBody::DeviationRecorded {
                id: f.id("id")?,
                target: DeviationTarget::parse(target).ok_or_else(|| {
                    f.err(format!(
                        "`component` must be COMP-n or general, not `{target}`"
                    ))
                })?,
                impact: Impact::parse(impact)
                    .ok_or_else(|| f.err(format!("unknown impact `{impact}`")))?,
                text_sha256: f.str("text_sha256")?.to_string(),
            }
        }
        "amendment_recorded" => EventBody::AmendmentRecorded {
            id: f.id("id")?,
            deviation: f.id("deviation")?,
            text_sha256: f.str("text_sha256")?.to_string(),
        },
        "build_completed" => EventBody::BuildCompleted {
            policy: f.policy()?,
            artifacts: f.artifacts("artifacts")?,
        },
        "review_requested" => EventBody::ReviewRequested {
            gate: f.gate()?,
            note: f.str("note")?.to_string(),
            artifacts: f.artifacts("artifacts")?,
        },
        "closed" => {
            let accepted = f
                .get("accepted")?
                .as_array()
                .ok_or_else(|| f.err("`accepted` must be an array".into()))?
                .iter()
                .map(|v| {
                    v.as_str()
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| f.err("`accepted` must hold IDs".into()))
                })
                .collect::<Result<_, _>>()?;
            let items = f
                .tables("items")?
                .into_iter()
                .map(|t| {
                    let sub = f.sub(t);
                    Ok(BoundItem {
                        id: sub.id("id")?,
                        sha256: sub.str("sha256")?.to_string(),
                    })
                })
                .collect::<Result<_, Finding>>()?;
            let build = match f.table.get("build") {
                None => None,
                Some(_) => Some(
                    f.tables("build")?
                        .into_iter()
                        .map(|t| {
                            let sub = f.sub(t);
                            Ok(BuildRecord {
                                path: sub.str("path")?.to_string(),
                                sha256: sub.str("sha256")?.to_string(),
                            })
                        })
                        .collect::<Result<_, Finding>>()?,
                ),
            };
            EventBody::Closed {
                reason: f.opt_str("reason")?,
                accepted,
                items,
                policy: f.policy()?,
                artifacts: f.artifacts("artifacts")?,
                build,
            }
        }
        other => return Err(f.err(format!("unknown event kind `{other}`"))),
    })
}

fn parse_block(text: &str, block: &Block) -> Result<Event, Finding> {
    let raw = &text[block.start..block.end];
    let doc: toml::Table = toml::from_str(raw).map_err(|e| {
        let mut finding = toml_finding(JOURNAL_FILE, raw, &e);
        if finding.position.line > 0 {
            finding.position.line += block.line - 1;
        }
        finding
    })?;
    if let Some(key) = doc.keys().find(|k| k.as_str() != "event") {
        let line = raw.lines().position(|l| {
            l.trim_start().starts_with(&format!("[{key}"))
                || l.trim_start().starts_with(key.as_str())
        });
        return Err(Finding::new(
            Position::new(JOURNAL_FILE, block.line + line.unwrap_or(0), 1),
            format!("unexpected `{key}` in the journal: it holds only [[event]] tables"),
        ));
    }
    let events = doc.get("event").and_then(toml::Value::as_array);
    if events.map_or(0, Vec::len) != 1 {
        return Err(Finding::new(
            Position::new(JOURNAL_FILE, block.line, 1),
            "event tables are not written one `[[event]]` line each; the file was reformatted",
        ));
    }
    let table = events
        .and_then(|a| a.first())
        .and_then(toml::Value::as_table)
        .ok_or_else(|| {
            Finding::new(
                Position::new(JOURNAL_FILE, block.line, 1),
                "not an [[event]] table",
            )
        })?;
    let mut fields = Fields {
        table,
        line: block.line,
        seq: 0,
    };
    let seq = fields.int("seq")?;
    fields.seq = u64::try_from(seq).ok().filter(|s| *s > 0).ok_or_else(|| {
        Finding::new(
            Position::new(JOURNAL_FILE, block.line, 1),
            format!("seq must be a positive integer, not {seq}"),
        )
    })?;
    let at_value = fields.get("at")?;
    let at = match at_value {
        toml::Value::Datetime(d) => Timestamp::parse(&d.to_string()),
        toml::Value::String(s) => Timestamp::parse(s),
        _ => None,
    }
    .ok_or_else(|| fields.err("`at` must be a UTC date-time like 2026-11-02T09:14:00Z".into()))?;
    let kind = fields.str("kind")?;
    let clock_override = match fields.opt_str("clock")?.as_deref() {
        None => false,
        Some("override") => true,
        Some(other) => {
            return Err(fields.err(format!("`clock` may only be \"override\", not `{other}`")));
        }
    };
    let seal = match (fields.opt_str("signer")?, fields.opt_str("signature")?) {
        (None, None) => None,
        (Some(signer), Some(signature)) => Some(Seal {
            signer,
            signature,
            signed_bytes: signed_bytes(raw),
        }),
        (Some(_), None) => return Err(fields.err("`signer` without `signature`".into())),
        (None, Some(_)) => return Err(fields.err("`signature` without `signer`".into())),
    };
    Ok(Event {
        seq: fields.seq,
        at,
        actor: fields.str("actor")?.to_string(),
        os_user: fields.str("os_user")?.to_string(),
        body: parse_body(&fields, kind)?,
        clock_override,
        seal,
        prev: fields.str("prev")?.to_string(),
        hash: fields.str("hash")?.to_string(),
        line: block.line,
    })
}

/// A journal that parsed; `broken` names the first event whose chain link or hash is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    pub events: Vec<Event>,
    pub broken: Option<Finding>,
}

impl Journal {
    pub fn head(&self) -> &str {
        self.events
            .last()
            .map(|e| e.hash.as_str())
            .unwrap_or(GENESIS)
    }
}

/// Parses and verifies the whole journal. Syntax errors and a missing `created` are bad input
/// (`Err`); a broken chain still yields the events, with the first broken one named.
pub fn parse_journal(text: &str) -> Result<Journal, Finding> {
    if let Some(bom) = super::meta::byte_order_mark(JOURNAL_FILE, text) {
        return Err(bom);
    }
    let blocks = split_blocks(text);
    // Before the first event only comments and blank lines may stand.
    let preamble_end = blocks.first().map_or(text.len(), |b| b.start);
    for (i, line) in text[..preamble_end].lines().enumerate() {
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            let message = match toml::from_str::<toml::Table>(&text[..preamble_end]) {
                Err(e) => toml_finding(JOURNAL_FILE, text, &e).message,
                Ok(t) => match t.keys().next() {
                    Some(key) => format!(
                        "unexpected top-level key `{key}`: the journal holds only [[event]] tables"
                    ),
                    None => "only comments may stand before the first [[event]]".to_string(),
                },
            };
            return Err(Finding::new(Position::new(JOURNAL_FILE, i + 1, 1), message));
        }
    }
    let mut events = Vec::with_capacity(blocks.len());
    let mut broken = None;
    for block in &blocks {
        let event = parse_block(text, block)?;
        if broken.is_none() {
            let expected_prev = events.last().map_or(GENESIS, |e: &Event| e.hash.as_str());
            let expected_seq = events.len() as u64 + 1;
            if event.seq != expected_seq {
                broken = Some(Finding::new(
                    Position::new(JOURNAL_FILE, block.line, 1),
                    format!(
                        "event {}: expected seq {expected_seq}; events were removed or reordered",
                        event.seq
                    ),
                ));
            } else if event.prev != expected_prev {
                broken = Some(Finding::new(
                    Position::new(JOURNAL_FILE, block.line, 1),
                    format!(
                        "event {} ({}): `prev` does not match the previous event's hash",
                        event.seq,
                        event.body.kind()
                    ),
                ));
            } else if let Err(f) = verify_block_hash(text, block, &event) {
                broken = Some(f);
            }
        }
        events.push(event);
    }
    match events.first() {
        Some(e) if matches!(e.body, EventBody::Created { .. }) => Ok(Journal { events, broken }),
        Some(e) => Err(Finding::new(
            Position::new(JOURNAL_FILE, e.line, 1),
            format!(
                "the journal must start with a `created` event, not `{}`",
                e.body.kind()
            ),
        )),
        None => Err(Finding::new(
            Position::file(JOURNAL_FILE),
            "the journal holds no event (it must start with `created`)",
        )),
    }
}

fn is_unsigned_line(line: &str) -> bool {
    let t = line.trim_start();
    ["seq", "prev", "hash", "signature"].iter().any(|key| {
        t.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

/// An event's text without the lines a signature does not cover, trailing blank lines trimmed.
pub fn signed_bytes(event_text: &str) -> String {
    let mut out = String::with_capacity(event_text.len());
    for line in event_text.split_inclusive('\n') {
        if !is_unsigned_line(line) {
            out.push_str(line);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(actor: &str) -> Stamp {
        Stamp {
            at: Timestamp::parse("2026-11-02T09:14:00Z").unwrap(),
            actor: actor.into(),
            os_user: "alice@jump1".into(),
        }
    }

    fn created() -> EventBody {
        EventBody::Created {
            owner: Some("alice".into()),
            policy: Policy::default(),
            templates: vec![ArtifactRecord {
                file: "customer-spec.md".into(),
                sha256: "a".repeat(64),
                governed_sha256: "b".repeat(64),
            }],
            baseline: None,
        }
    }

    #[test]
    fn created_records_its_baseline_and_reads_it_back() {
        let body = EventBody::Created {
            owner: Some("alice".into()),
            policy: Policy::default(),
            templates: vec![],
            baseline: Some(format!("vlan-qos@{}", "c".repeat(64))),
        };
        let j = new_journal(&stamp("alice"), &body);
        assert!(j.contains("baseline = \"vlan-qos@"), "{j}");
        let parsed = parse_journal(&j).unwrap();
        assert_eq!(parsed.events[0].body, body);
        // Without a baseline the event carries no such line: older journals keep their bytes.
        assert!(!new_journal(&stamp("alice"), &created()).contains("baseline"));
    }

    fn approval() -> EventBody {
        EventBody::GateApproved(GateRecord {
            gate: GateId::One,
            reason: None,
            note: "ok \"quoted\"\nsecond line".into(),
            policy: Policy::default(),
            artifacts: vec![],
            criteria: vec![CriterionRecord {
                id: "G1-1".into(),
                result: CriterionResult::Waived,
                reason: Some("later".into()),
            }],
        })
    }

    #[test]
    fn round_trip_and_chain() {
        let j = new_journal(&stamp("alice"), &created());
        let (j, seq) = append(&j, &stamp("bob"), &approval()).unwrap();
        assert_eq!(seq, 2);
        let parsed = parse_journal(&j).unwrap();
        assert_eq!(parsed.broken, None);
        assert_eq!(parsed.events.len(), 2);
        assert_eq!(parsed.events[1].body, approval());
        assert_eq!(parsed.events[1].prev, parsed.events[0].hash);
        assert_eq!(parsed.events[1].actor, "bob");
    }

    #[test]
    fn review_request_round_trips() {
        let body = EventBody::ReviewRequested {
            gate: GateId::Two,
            note: "ready \"now\"".into(),
            artifacts: vec![ArtifactRecord {
                file: "solution-design.md".into(),
                sha256: "c".repeat(64),
                governed_sha256: "d".repeat(64),
            }],
        };
        let j = new_journal(&stamp("alice"), &created());
        let (j, _) = append(&j, &stamp("agent:claude"), &body).unwrap();
        assert!(j.contains("kind = \"review_requested\"\ngate = 2\n"), "{j}");
        let parsed = parse_journal(&j).unwrap();
        assert_eq!(parsed.broken, None);
        assert_eq!(parsed.events[1].body, body);
    }

    #[test]
    fn append_copies_earlier_bytes() {
        let j = new_journal(&stamp("alice"), &created());
        let (j2, _) = append(&j, &stamp("bob"), &approval()).unwrap();
        assert!(j2.starts_with(&j));
    }

    #[test]
    fn one_changed_byte_names_the_event() {
        let j = new_journal(&stamp("alice"), &created());
        let (j, _) = append(&j, &stamp("bob"), &approval()).unwrap();
        let (j, _) = append(&j, &stamp("carol"), &approval()).unwrap();
        let tampered = j.replacen("actor = \"bob\"", "actor = \"bxb\"", 1);
        let broken = parse_journal(&tampered).unwrap().broken.unwrap();
        assert!(broken.message.starts_with("event 2"), "{}", broken.message);
    }

    #[test]
    fn rechaining_in_place_changes_nothing_and_elsewhere_only_the_chain_fields() {
        let j = new_journal(&stamp("alice"), &created());
        let (j, _) = append(&j, &stamp("bob"), &approval()).unwrap();
        let parsed = parse_journal(&j).unwrap();
        let (preamble, blocks) = raw_blocks(&j);
        assert_eq!(preamble, format!("{HEADER}\n"));
        let (same, hash) = rechained(blocks[1], 2, &parsed.events[0].hash);
        assert_eq!(same, blocks[1]);
        assert_eq!(hash, parsed.events[1].hash);
        let (moved, hash) = rechained(blocks[1], 7, &"f".repeat(64));
        assert_ne!(hash, parsed.events[1].hash);
        let differing: Vec<(&str, &str)> = moved
            .lines()
            .zip(blocks[1].lines())
            .filter(|(a, b)| a != b)
            .collect();
        let keys: Vec<&str> = differing
            .iter()
            .map(|(a, _)| a.split(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(keys, ["seq", "prev", "hash"]);
        assert_eq!(super::signed_bytes(&moved), super::signed_bytes(blocks[1]));
    }

    #[test]
    fn must_start_with_created() {
        let j = new_journal(&stamp("alice"), &approval());
        assert!(parse_journal(&j).unwrap_err().message.contains("created"));
        assert!(parse_journal("").is_err());
        let err = parse_journal("[[event]\n").unwrap_err();
        assert_eq!(err.position.line, 1);
    }
}
