//! Who acts and when, for the effects that write: the identity and the clock, injected.

use std::path::Path;

use crate::app::effect::Effect;
use crate::config::signing::SigningSetup;
use crate::domain::journal::Stamp;
use crate::domain::time::Timestamp;
use crate::store::engagement;
use crate::store::sign::Signing;

/// Who acts and when: injected so tests get a fixed clock and identity.
pub struct EffectContext {
    pub actor: String,
    pub os_user: String,
    pub clock: Box<dyn Fn() -> Timestamp + Send>,
    /// How decisions find their signing key (`None`: they are never signed).
    pub signing: Option<SigningSetup>,
}

impl EffectContext {
    pub fn system(actor: String, signing: Option<SigningSetup>) -> EffectContext {
        EffectContext {
            actor,
            os_user: crate::config::os_user(),
            clock: Box::new(engagement::now),
            signing,
        }
    }

    /// Whether running `effect` may prompt on the terminal: an event the engagement asks to be
    /// signed (a decision, or any event under `signatures = "all"`), with a key file (not an
    /// agent) whose passphrase ssh-keygen may ask for.
    pub fn may_prompt(&self, effect: &Effect) -> bool {
        use crate::app::effect::BuildEffect;
        use crate::app::effect::LifecycleEffect;
        use crate::domain::meta::SignaturePolicy;
        let (root, decision) = match effect {
            Effect::ApproveGate { root, .. } | Effect::RejectGate { root, .. } => {
                (root.as_path(), true)
            }
            Effect::Build(b) => (b.root(), matches!(b, BuildEffect::Close { .. })),
            Effect::Lifecycle(LifecycleEffect::ReopenGate { root, .. }) => (root.as_path(), true),
            Effect::Lifecycle(LifecycleEffect::CompleteFeasibility { root, .. }) => {
                (root.as_path(), false)
            }
            _ => return false,
        };
        let Some(setup) = &self.signing else {
            return false;
        };
        let signed = crate::store::sign::peek_policy(root).is_some_and(|p| match p.signatures {
            SignaturePolicy::Off => false,
            SignaturePolicy::Decisions => decision,
            SignaturePolicy::All => true,
        });
        signed
            && crate::config::signing::configured_key_path(&setup.config)
                .is_ok_and(|p| p.extension().is_none_or(|e| e != "pub"))
    }

    /// `[policy] signatures` of an engagement created here: signed decisions from the start
    /// when this user has said which key signs (as `phasegate new`).
    pub fn new_signature_policy(&self) -> crate::domain::meta::SignaturePolicy {
        use crate::domain::meta::SignaturePolicy;
        match &self.signing {
            Some(setup) if setup.config.signing_key.is_some() => SignaturePolicy::Decisions,
            _ => SignaturePolicy::Off,
        }
    }

    /// The stamp and signer of a decision on the engagement at `root` (as the CLI's).
    pub fn acting(&self, root: &Path) -> (Stamp, Signing) {
        let mut stamp = self.stamp();
        let signing = match &self.signing {
            Some(setup) => setup.acting(root, &mut stamp),
            None => Err("this session was started without a signing set-up".into()),
        };
        (stamp, signing)
    }

    pub fn stamp(&self) -> Stamp {
        Stamp {
            at: (self.clock)(),
            actor: self.actor.clone(),
            os_user: self.os_user.clone(),
        }
    }
}
