//! Signed decisions (DESIGN §7): what a signature covers, and verifying every signed event of a
//! journal against the allowed signers, in pure Rust (RustCrypto `ssh-key`'s SSHSIG).
//!
//! The signed message is the genesis hash (the `created` event's `hash`), a newline, then the
//! event's exact bytes without its `seq`, `prev`, `hash` and `signature` lines. The genesis hash
//! pins a signature to its engagement; leaving the chain fields out lets it survive re-chaining.

use std::collections::HashMap;

use ssh_key::{PublicKey, SshSig};

use super::allowed_signers::{AllowedSigners, fingerprint, fold};
use super::journal::{Event, EventBody, JOURNAL_FILE, Journal};
use super::meta::SignaturePolicy;

// Signing and the journal reader must cut an event the same way: one function, in the journal.
pub use super::journal::signed_bytes;
use super::position::{Finding, Position};
use super::time::Timestamp;

/// The SSHSIG namespace of every phasegate signature.
pub const NAMESPACE: &str = "phasegate";

/// The bytes handed to `ssh-keygen -Y sign` and to the verifier.
pub fn message(genesis: &str, signed_bytes: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(genesis.len() + 1 + signed_bytes.len());
    out.extend_from_slice(genesis.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(signed_bytes.as_bytes());
    out
}

/// Gate approve/reject/reopen, close, and a change of owner or policy.
pub fn is_decision(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::GateApproved(_)
            | EventBody::GateRejected(_)
            | EventBody::GateReopened { .. }
            | EventBody::Closed { .. }
            | EventBody::PolicyChanged { .. }
    )
}

/// Whether the policy asks for this event to be signed. `created` is written before anyone
/// can have chosen a policy, so it never has to be.
pub fn requires_signature(policy: SignaturePolicy, body: &EventBody) -> bool {
    match policy {
        SignaturePolicy::Off => false,
        SignaturePolicy::Decisions => is_decision(body),
        SignaturePolicy::All => !matches!(body, EventBody::Created { .. }),
    }
}

fn strictness(p: SignaturePolicy) -> u8 {
    match p {
        SignaturePolicy::Off => 0,
        SignaturePolicy::Decisions => 1,
        SignaturePolicy::All => 2,
    }
}

/// The policy that asks for more signatures of the two.
pub fn stricter(a: SignaturePolicy, b: SignaturePolicy) -> SignaturePolicy {
    if strictness(b) > strictness(a) { b } else { a }
}

fn recorded_policy(body: &EventBody) -> Option<SignaturePolicy> {
    match body {
        EventBody::Created { policy, .. }
        | EventBody::GateReopened { policy, .. }
        | EventBody::FeasibilityCompleted { policy, .. }
        | EventBody::ComponentStatus { policy, .. }
        | EventBody::BuildCompleted { policy, .. }
        | EventBody::Closed { policy, .. } => Some(policy.signatures),
        EventBody::GateApproved(g) | EventBody::GateRejected(g) => Some(g.policy.signatures),
        // A policy_changed records the policy it brings in; the one it leaves governs it.
        EventBody::DeviationRecorded { .. }
        | EventBody::AmendmentRecorded { .. }
        | EventBody::PolicyChanged { .. }
        | EventBody::ReviewRequested { .. } => None,
    }
}

/// Checks an armored signature over `message` with `key`; the error is for an engineer.
pub fn verify(message: &[u8], armored: &str, key: &PublicKey) -> Result<(), String> {
    let sig =
        SshSig::from_pem(armored).map_err(|e| format!("the signature does not parse: {e}"))?;
    verify_parsed(message, &sig, key)
}

fn verify_parsed(message: &[u8], sig: &SshSig, key: &PublicKey) -> Result<(), String> {
    if sig.namespace() != NAMESPACE {
        return Err(format!(
            "signed for namespace `{}`, not `{NAMESPACE}`",
            sig.namespace()
        ));
    }
    key.verify(NAMESPACE, message, sig).map_err(|_| {
        "the signature does not match this event in this engagement (its bytes were altered, or it was copied from another journal)".to_string()
    })
}

/// What `status` shows for a signed or decision event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventSignature {
    pub seq: u64,
    pub kind: &'static str,
    /// The signer principal (the event's actor, once matched to the key).
    pub principal: Option<String>,
    pub fingerprint: Option<String>,
    pub verified: bool,
    /// Why it is not verified.
    pub problem: Option<String>,
}

/// Every signature of a journal, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureReport {
    pub events: Vec<EventSignature>,
    /// `check` failures, in journal order.
    pub problems: Vec<Finding>,
    /// Reported by `check`, errors only under `--strict`.
    pub warnings: Vec<Finding>,
}

impl SignatureReport {
    pub fn of(&self, seq: u64) -> Option<&EventSignature> {
        self.events.iter().find(|e| e.seq == seq)
    }
}

/// What the journal's owner rule needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Governance<'a> {
    pub policy: SignaturePolicy,
    pub owner: &'a str,
    pub distinct_approver: bool,
}

fn at(e: &Event, message: String) -> Finding {
    Finding::new(
        Position::new(JOURNAL_FILE, e.line, 1),
        format!("event {} ({}): {message}", e.seq, e.body.kind()),
    )
}

/// Verifies every signature and the replay rules: unsigned events the policy asks to be signed,
/// unknown keys, an actor that is not a principal of the key, a key not valid at `at`, the same
/// signature twice, and `at` going backwards.
pub fn verify_journal(
    journal: &Journal,
    governance: Governance<'_>,
    signers: Option<&AllowedSigners>,
) -> SignatureReport {
    let mut report = SignatureReport::default();
    let genesis = journal.events.first().map_or("", |e| e.hash.as_str());
    let mut seen: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut previous_at = None;
    let mut overridden: Vec<&Event> = Vec::new();
    let mut in_force: Option<SignaturePolicy> = None;
    for e in &journal.events {
        if let Some(prev) = previous_at
            && e.at < prev
        {
            report.problems.push(at(
                e,
                format!("`at` {} is earlier than the previous event's {prev}: events were replayed or reordered", e.at),
            ));
        }
        previous_at = Some(e.at);
        if e.clock_override {
            overridden.push(e);
        }
        // The policy the journal had in force at this event governs it (`created` and each
        // `policy_changed` record it; a change is governed by the policy it leaves, so turning
        // signatures off takes a signature), or engagement.toml's for a journal that records
        // none; an event recording a stricter policy is held to that.
        if let EventBody::Created { policy: first, .. } = &e.body {
            in_force = Some(first.signatures);
        }
        let governing = in_force.unwrap_or(governance.policy);
        if let EventBody::PolicyChanged { policy: next, .. } = &e.body {
            in_force = Some(next.signatures);
        }
        let policy = match recorded_policy(&e.body) {
            Some(recorded) => stricter(recorded, governing),
            None => governing,
        };
        let Some(seal) = &e.seal else {
            if requires_signature(policy, &e.body) {
                let problem = format!(
                    "not signed, but [policy] signatures = \"{}\" asks for it",
                    policy.as_str()
                );
                report.problems.push(at(e, problem.clone()));
                report.events.push(EventSignature {
                    seq: e.seq,
                    kind: e.body.kind(),
                    principal: None,
                    fingerprint: None,
                    verified: false,
                    problem: Some(problem),
                });
            } else if is_decision(&e.body) {
                report.events.push(EventSignature {
                    seq: e.seq,
                    kind: e.body.kind(),
                    principal: None,
                    fingerprint: None,
                    verified: false,
                    problem: None,
                });
            }
            continue;
        };
        let outcome = check_seal(e, genesis, seal, governance, signers, &mut seen);
        if let Err(problem) = &outcome {
            report.problems.push(at(e, problem.clone()));
        }
        report.events.push(EventSignature {
            seq: e.seq,
            kind: e.body.kind(),
            principal: Some(e.actor.clone()),
            fingerprint: Some(seal.signer.clone()),
            verified: outcome.is_ok(),
            problem: outcome.err(),
        });
    }
    if let (Some(first), Some(last)) = (overridden.first(), overridden.last()) {
        let which = if overridden.len() == 1 {
            "it was".to_string()
        } else {
            format!("{} events up to event {} were", overridden.len(), last.seq)
        };
        report.warnings.push(at(
            first,
            format!(
                "{which} written under a clock override (PHASEGATE_NOW, clock = \"override\"): their `at` is not the clock's"
            ),
        ));
    }
    report
}

/// Verifies a seal's parsed signature against the key it carries and returns that key's
/// fingerprint: the signature is sound for this event in this engagement. Whose key it is, is
/// the allowed signers' question.
pub fn verify_sound(
    genesis: &str,
    seal: &super::journal::Seal,
    sig: &SshSig,
) -> Result<String, String> {
    let key = PublicKey::from(sig.public_key().clone());
    let fp = fingerprint(&key);
    if fp != seal.signer {
        return Err(format!(
            "`signer` names {} but the signature was made with {fp}",
            seal.signer
        ));
    }
    verify_parsed(&message(genesis, &seal.signed_bytes), sig, &key)?;
    Ok(fp)
}

fn check_seal(
    e: &Event,
    genesis: &str,
    seal: &super::journal::Seal,
    governance: Governance<'_>,
    signers: Option<&AllowedSigners>,
    seen: &mut HashMap<Vec<u8>, u64>,
) -> Result<(), String> {
    let sig = SshSig::from_pem(&seal.signature)
        .map_err(|e| format!("the signature does not parse: {e}"))?;
    if let Some(first) = seen.insert(sig.signature_bytes().to_vec(), e.seq) {
        return Err(format!(
            "carries the same signature as event {first}: a decision replayed"
        ));
    }
    let fp = verify_sound(genesis, seal, &sig)?;
    let Some(signers) = signers else {
        return Err(format!(
            "signed with {fp}, but there is no allowed-signers file to say whose key it is"
        ));
    };
    admit(signers, &fp, &e.actor, e.at)?;
    let owner_rule = matches!(
        e.body,
        EventBody::GateApproved(_) | EventBody::Closed { .. }
    );
    if governance.distinct_approver
        && owner_rule
        && signers
            .principals_of(&fp)
            .iter()
            .any(|p| fold(p) == fold(governance.owner))
    {
        return Err(format!(
            "signed with the owner's key ({}); [policy] distinct_approver asks for a second person",
            governance.owner
        ));
    }
    Ok(())
}

/// Whether the allowed signers let key `fp` sign as `actor` at `at`: the key is listed, the
/// actor is one of its principals, and an entry naming them allows the namespace and the time.
pub fn admit(signers: &AllowedSigners, fp: &str, actor: &str, at: Timestamp) -> Result<(), String> {
    let entries: Vec<_> = signers.for_key(fp).collect();
    if entries.is_empty() {
        return Err(format!(
            "signed with {fp}, a key that is not in {}",
            signers.file
        ));
    }
    let admitting: Vec<_> = entries.iter().filter(|s| s.admits(actor)).collect();
    let Some(first) = admitting.first() else {
        let listed = signers.principals_of(fp).join(", ");
        return Err(format!(
            "actor \"{actor}\" is not a principal of key {fp} ({}:{} lists: {listed})",
            signers.file, entries[0].line
        ));
    };
    if admitting
        .iter()
        .any(|s| s.allows_namespace(NAMESPACE) && s.invalid_at(at).is_none())
    {
        return Ok(());
    }
    let why = if !first.allows_namespace(NAMESPACE) {
        format!("its namespaces= does not include {NAMESPACE}")
    } else {
        first.invalid_at(at).unwrap_or_default()
    };
    Err(format!(
        "key {fp} may not sign at {at}: {why} ({}:{})",
        signers.file, first.line
    ))
}

/// The principal a signer acts as: `wanted` (`--as`/config identity) when the key admits it,
/// else the key's first listed principal. Errors explain what to fix.
pub fn principal_for(
    signers: &AllowedSigners,
    fp: &str,
    wanted: Option<&str>,
) -> Result<String, String> {
    let entries: Vec<_> = signers.for_key(fp).collect();
    if entries.is_empty() {
        return Err(format!(
            "the signing key {fp} is not in {}: add a line `<principal> <the key's .pub contents>`",
            signers.file
        ));
    }
    if let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) {
        if entries.iter().any(|s| s.admits(wanted)) {
            let listed = signers.principals_of(fp);
            // Record the principal as listed, not as typed, when the listing names it.
            return Ok(listed
                .into_iter()
                .find(|p| fold(p) == fold(wanted))
                .unwrap_or_else(|| wanted.to_string()));
        }
        return Err(format!(
            "--as \"{wanted}\" disagrees with the signing key {fp}, whose principals are: {} ({}:{})",
            signers.principals_of(fp).join(", "),
            signers.file,
            entries[0].line
        ));
    }
    signers.principals_of(fp).into_iter().next().ok_or_else(|| {
        format!(
            "the signing key {fp} is listed only under patterns in {}; say who you are with --as",
            signers.file
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_bytes_leave_out_the_chain_and_the_signature() {
        let text = "[[event]]\nseq = 3\nat = 2026-11-02T09:14:00Z\nactor = \"bob\"\nkind = \"closed\"\nsigner = \"SHA256:x\"\nsignature = \"-----BEGIN\"\nprev = \"ab\"\nhash = \"cd\"\n\n";
        assert_eq!(
            signed_bytes(text),
            "[[event]]\nat = 2026-11-02T09:14:00Z\nactor = \"bob\"\nkind = \"closed\"\nsigner = \"SHA256:x\"\n"
        );
        assert_eq!(message("g", "x\n"), b"g\nx\n");
    }

    #[test]
    fn which_events_need_signing() {
        let closed = EventBody::Closed {
            reason: None,
            accepted: vec![],
            items: vec![],
            policy: Default::default(),
            artifacts: vec![],
            build: None,
        };
        let created = EventBody::Created {
            owner: None,
            policy: Default::default(),
            templates: vec![],
            baseline: None,
        };
        let built = EventBody::BuildCompleted {
            policy: Default::default(),
            artifacts: vec![],
        };
        assert!(requires_signature(SignaturePolicy::Decisions, &closed));
        assert!(!requires_signature(SignaturePolicy::Decisions, &built));
        assert!(requires_signature(SignaturePolicy::All, &built));
        assert!(!requires_signature(SignaturePolicy::All, &created));
        assert!(!requires_signature(SignaturePolicy::Off, &closed));
    }
}
