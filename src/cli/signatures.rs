//! Verifying an engagement's signed decisions for `check` and `status` (DESIGN §7).

use std::path::PathBuf;

use super::Invocation;
use crate::domain::engagement::Engagement;
use crate::domain::meta::SignaturePolicy;
use crate::domain::signature::{Governance, SignatureReport, verify_journal};
use crate::store::StoreError;
use crate::store::sign::load_allowed_signers;

/// The engagement's signature report and the allowed-signers file it was checked against.
/// Nothing is read when signing is off and no event is signed.
pub fn verify(
    ctx: &Invocation,
    e: &Engagement,
) -> Result<(SignatureReport, Option<PathBuf>), StoreError> {
    let policy = e.meta.policy;
    let any_signed = e.journal.events.iter().any(|ev| ev.seal.is_some());
    let governance = Governance {
        policy: policy.signatures,
        owner: &e.meta.owner,
        distinct_approver: policy.distinct_approver,
    };
    if policy.signatures == SignaturePolicy::Off && !any_signed {
        return Ok((verify_journal(&e.journal, governance, None), None));
    }
    let path = ctx.allowed_signers_path(&ctx.config());
    let signers = load_allowed_signers(&path)?;
    let report = verify_journal(&e.journal, governance, signers.as_ref());
    Ok((report, signers.is_none().then_some(path)))
}
