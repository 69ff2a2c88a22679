//! Properties of the pure signing code: the allowed-signers parser never panics and keeps what
//! it is given; what a signature covers ignores the chain fields.

use phasegate::domain::allowed_signers::{AllowedSigners, fold};
use phasegate::domain::signature::signed_bytes;
use proptest::prelude::*;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmpgq7pl+hAiC35DgdlS90CsKHTsDZRU5qTB6vnp16t";

fn principal() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9._@-]{0,12}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any text: an entry list or an error with a 1-based line, never a panic.
    #[test]
    fn parser_never_panics(text in "\\PC{0,200}", lines in proptest::collection::vec("[ -~]{0,80}", 0..6)) {
        for input in [text, lines.join("\n")] {
            match AllowedSigners::parse("allowed_signers", &input) {
                Ok(s) => prop_assert!(s.signers.iter().all(|e| e.line >= 1)),
                Err(f) => prop_assert!(f.position.line >= 1 && f.position.column >= 1),
            }
        }
    }

    /// Principals and options written in ssh-keygen's format come back as written.
    #[test]
    fn principals_and_validity_round_trip(
        names in proptest::collection::vec(principal(), 1..4),
        after in proptest::option::of(20200101u32..20291231),
        comment in "[a-z ]{0,20}",
    ) {
        let options = after
            .filter(|d| (d % 100) >= 1 && (d % 100) <= 28 && (d / 100 % 100) >= 1 && (d / 100 % 100) <= 12)
            .map(|d| format!("valid-after=\"{d}Z\",namespaces=\"phasegate\" "))
            .unwrap_or_default();
        let line = format!("{} {options}{KEY} {comment}\n", names.join(","));
        let parsed = AllowedSigners::parse("f", &line).unwrap();
        let entry = &parsed.signers[0];
        prop_assert_eq!(&entry.principals, &names);
        for n in &names {
            let typed = format!(" {} ", n.to_uppercase());
            prop_assert!(entry.admits(&typed));
        }
        prop_assert!(!entry.admits("nobody-listed-here!"));
        prop_assert_eq!(options.is_empty(), entry.valid_after.is_none());
        prop_assert!(parsed.principals_of(&entry.fingerprint).iter().all(|p| names.iter().any(|n| fold(n) == fold(p))));
    }

    /// The chain fields and the signature itself are outside what is signed; nothing else is.
    #[test]
    fn signed_bytes_ignore_only_the_chain_and_the_signature(
        seq in 1u64..10_000,
        prev in "[0-9a-f]{64}",
        actor in "[a-z]{1,8}",
        signature in "[A-Za-z0-9+/=]{10,40}",
    ) {
        let event = |seq: u64, prev: &str, actor: &str| format!(
            "[[event]]\nseq = {seq}\nat = 2026-11-02T09:14:00Z\nactor = \"{actor}\"\nkind = \"closed\"\nsigner = \"SHA256:x\"\nsignature = \"{signature}\"\nprev = \"{prev}\"\nhash = \"{prev}\"\n\n"
        );
        let a = signed_bytes(&event(seq, &prev, &actor));
        prop_assert_eq!(&a, &signed_bytes(&event(seq + 1, &"0".repeat(64), &actor)));
        prop_assert_eq!(&signed_bytes(&a), &a);
        let other = signed_bytes(&event(seq, &prev, &format!("{actor}x")));
        prop_assert!(a != other);
        prop_assert!(!a.contains(&signature));
    }
}
