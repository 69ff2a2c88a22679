//! The journal merge keeps every signature valid (DESIGN §7): for any two signed extensions of a
//! common prefix, the merge holds each event of both sides exactly once, in `at` order, with a
//! whole chain, and every signature — made by real `ssh-keygen` keys — verifies against the
//! allowed signers on the merged journal, though every later event was re-chained.

mod common;

use std::sync::OnceLock;

use phasegate::domain::allowed_signers::AllowedSigners;
use phasegate::domain::journal::{
    self, EventBody, Stamp, Trailer, append_with, new_journal, parse_journal,
};
use phasegate::domain::merge_journal::merge;
use phasegate::domain::meta::{Policy, SignaturePolicy};
use phasegate::domain::records::{DeviationTarget, Impact};
use phasegate::domain::signature::{self, Governance, verify_journal};
use phasegate::domain::time::Timestamp;
use phasegate::store::sign::{SigningKey, load_key};
use proptest::prelude::*;

/// alice's and bob's keys, made once by ssh-keygen, and the allowed signers naming them.
struct Signers {
    _keys: common::signing::Keys,
    alice: SigningKey,
    bob: SigningKey,
    allowed: AllowedSigners,
}

fn signers() -> &'static Signers {
    static SIGNERS: OnceLock<Signers> = OnceLock::new();
    SIGNERS.get_or_init(|| {
        let keys = common::signing::Keys::new();
        let alice = load_key(&keys.generate("alice", "ed25519")).expect("alice's key");
        let bob = load_key(&keys.generate("bob", "ecdsa")).expect("bob's key");
        let text = format!(
            "alice {}\nbob {}\n",
            keys.public("alice"),
            keys.public("bob")
        );
        let allowed = AllowedSigners::parse("allowed_signers", &text).expect("allowed signers");
        Signers {
            _keys: keys,
            alice,
            bob,
            allowed,
        }
    })
}

fn stamp(actor: &str, minute: u32) -> Stamp {
    Stamp {
        at: Timestamp::parse(&format!(
            "2026-11-20T{:02}:{:02}:00Z",
            10 + minute / 60,
            minute % 60
        ))
        .expect("time"),
        actor: actor.into(),
        os_user: format!("{actor}@host"),
    }
}

fn deviation(n: u32) -> EventBody {
    EventBody::DeviationRecorded {
        id: format!("DEV-{n}").parse().expect("id"),
        target: DeviationTarget::General,
        impact: Impact::Minor,
        text_sha256: format!("{n:064}"),
    }
}

/// Appends deviation `n` as `actor`, signed with that actor's key when `signed`, exactly as a
/// transaction seals an event.
fn add(journal: &str, actor: &str, minute: u32, n: u32, signed: bool) -> String {
    let stamp = stamp(actor, minute);
    let body = deviation(n);
    let mut trailer = Trailer::default();
    if signed {
        let key = if actor == "alice" {
            &signers().alice
        } else {
            &signers().bob
        };
        trailer.signer = Some(key.fingerprint.clone());
        let genesis = parse_journal(journal).expect("journal").events[0]
            .hash
            .clone();
        let bytes = signature::signed_bytes(&journal::unchained_event(&stamp, &body, &trailer));
        trailer.signature = Some(
            key.sign(&signature::message(&genesis, &bytes))
                .expect("ssh-keygen signs"),
        );
    }
    append_with(journal, &stamp, &body, &trailer)
        .expect("append")
        .0
}

fn created() -> String {
    new_journal(
        &stamp("alice", 0),
        &EventBody::Created {
            owner: Some("alice".into()),
            policy: Policy::default(),
            templates: vec![],
            baseline: None,
        },
    )
}

/// (minutes after the previous event, signed?)
fn steps(max: usize) -> impl Strategy<Value = Vec<(u32, bool)>> {
    proptest::collection::vec((0u32..3, any::<bool>()), 0..max)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_merge_of_two_signed_extensions_keeps_every_event_once_and_every_signature_valid(
        prefix in steps(3),
        ours in steps(4),
        theirs in steps(4),
    ) {
        let (mut n, mut minute) = (0, 0);
        let mut base = created();
        for (step, signed) in &prefix {
            n += 1;
            minute += step;
            base = add(&base, "alice", minute, n, *signed);
        }
        let fork = minute;
        let mut o = base.clone();
        for (step, signed) in &ours {
            n += 1;
            minute += step;
            o = add(&o, "alice", minute, n, *signed);
        }
        minute = fork;
        let mut t = base.clone();
        for (step, signed) in &theirs {
            n += 1;
            minute += step;
            t = add(&t, "bob", minute, n, *signed);
        }

        let merged = merge(&base, &o, &t).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(merged.journal.broken.clone(), None);
        prop_assert_eq!(merged.journal.events.len(), 1 + prefix.len() + ours.len() + theirs.len());
        // Each event of both sides exactly once, its bytes (but the chain fields) unchanged.
        let identity = |e: &journal::Event| (e.actor.clone(), e.at, e.body.clone(), e.seal.clone());
        let mut expected: Vec<_> = parse_journal(&o).unwrap().events.iter().map(identity).collect();
        expected.extend(parse_journal(&t).unwrap().events.iter().skip(1 + prefix.len()).map(identity));
        let mut got: Vec<_> = merged.journal.events.iter().map(identity).collect();
        let key = |x: &(String, Timestamp, EventBody, Option<journal::Seal>)| x.2.summary();
        expected.sort_by_key(key);
        got.sort_by_key(key);
        prop_assert_eq!(got, expected);
        prop_assert!(merged.journal.events.windows(2).all(|w| w[0].at <= w[1].at));
        // Every signature verifies on the merged journal against the allowed signers.
        let report = verify_journal(
            &merged.journal,
            Governance { policy: SignaturePolicy::Off, owner: "alice", distinct_approver: true },
            Some(&signers().allowed),
        );
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
        let signed = prefix.iter().chain(&ours).chain(&theirs).filter(|(_, s)| *s).count();
        prop_assert_eq!(report.events.iter().filter(|e| e.verified).count(), signed);
    }
}
