//! What the TUI shows about signed decisions: who would sign an approval (the confirmation
//! dialog) and which journal events verified (the journal pane). Verification is the domain's;
//! this only remembers its result per journal head, so a frame never re-verifies.

use std::cell::RefCell;
use std::sync::Arc;

use crate::domain::allowed_signers::AllowedSigners;
use crate::domain::engagement::SignaturePolicy;
use crate::domain::evaluate::Engagement;
use crate::domain::signature::{Governance, SignatureReport, verify_journal};
pub use crate::store::sign::SignerLabel;

/// The signature report of the journal at one head, computed on first use.
#[derive(Debug, Clone, Default)]
pub struct SignatureMemo {
    cell: RefCell<Option<(String, Arc<SignatureReport>)>>,
}

impl SignatureMemo {
    pub fn report(&self, e: &Engagement, signers: Option<&AllowedSigners>) -> Arc<SignatureReport> {
        let head = e.journal.head();
        if let Some((h, report)) = &*self.cell.borrow()
            && h == head
        {
            return report.clone();
        }
        let report = Arc::new(
            if e.meta.policy.signatures == SignaturePolicy::Off
                && e.journal.events.iter().all(|ev| ev.seal.is_none())
            {
                SignatureReport::default()
            } else {
                verify_journal(
                    &e.journal,
                    Governance {
                        policy: e.meta.policy.signatures,
                        owner: &e.meta.owner,
                        distinct_approver: e.meta.policy.distinct_approver,
                    },
                    signers,
                )
            },
        );
        *self.cell.borrow_mut() = Some((head.to_string(), report.clone()));
        report
    }
}
