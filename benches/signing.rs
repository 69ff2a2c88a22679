//! `check` of signed decisions: parse and verify a 1,000-event journal in which every event
//! after `created` is signed (ed25519, SSHSIG namespace `phasegate`), against an allowed-signers
//! file. Bar (issue 10): ≤ 200 ms in a release build.
//!
//! The key is made at start-up from /dev/urandom and never leaves memory. Run with
//! `cargo bench --bench signing` (add `-- --quick` for a short run).

use std::hint::black_box;
use std::io::Read;

use criterion::{Criterion, criterion_group, criterion_main};
use phasegate::domain::allowed_signers::{AllowedSigners, fingerprint};
use phasegate::domain::ids::{IdPrefix, ItemId};
use phasegate::domain::journal::{
    self, ArtifactRecord, ComponentStatus, CriterionRecord, CriterionResult, EventBody, GateId,
    GateRecord, Stamp, Trailer,
};
use phasegate::domain::meta::{Policy, SignaturePolicy};
use phasegate::domain::signature::{self, Governance, NAMESPACE, verify_journal};
use phasegate::domain::time::Timestamp;
use ssh_key::private::Ed25519Keypair;
use ssh_key::{HashAlg, LineEnding, PrivateKey};

fn stamp(secs: i64, actor: &str) -> Stamp {
    Stamp {
        at: Timestamp::from_unix(secs),
        actor: actor.into(),
        os_user: format!("{actor}@jump1"),
    }
}

fn artifacts() -> Vec<ArtifactRecord> {
    ["customer-spec.md", "feasibility.md", "solution-design.md"]
        .iter()
        .enumerate()
        .map(|(i, f)| ArtifactRecord {
            file: (*f).into(),
            sha256: format!("{i:064x}"),
            governed_sha256: format!("{:064x}", i + 7),
        })
        .collect()
}

fn policy() -> Policy {
    Policy {
        signatures: SignaturePolicy::All,
        ..Policy::default()
    }
}

fn body(i: usize) -> EventBody {
    match i % 4 {
        0 => EventBody::GateApproved(GateRecord {
            gate: GateId::Two,
            reason: None,
            note: format!("review {i}"),
            policy: policy(),
            artifacts: artifacts(),
            criteria: (1..=9)
                .map(|n| CriterionRecord {
                    id: format!("G2-{n}"),
                    result: CriterionResult::Pass,
                    reason: None,
                })
                .collect(),
        }),
        _ => EventBody::ComponentStatus {
            component: ItemId::new(IdPrefix::Comp, 1 + (i % 60) as u32),
            status: ComponentStatus::Built,
            policy: policy(),
            artifacts: artifacts(),
        },
    }
}

/// A 1,000-event journal, every event after `created` signed by bob.
fn signed_journal(key: &PrivateKey, events: usize) -> String {
    let created = EventBody::Created {
        owner: Some("alice".into()),
        policy: policy(),
        templates: artifacts(),
        baseline: None,
    };
    let mut text = journal::new_journal(&stamp(1_793_610_840, "alice"), &created);
    let genesis = journal::parse_journal(&text).unwrap().events[0]
        .hash
        .clone();
    let signer = fingerprint(key.public_key());
    for i in 1..events {
        let s = stamp(1_793_610_840 + i as i64 * 60, "bob");
        let b = body(i);
        let mut trailer = Trailer {
            signer: Some(signer.clone()),
            ..Trailer::default()
        };
        let bytes = signature::signed_bytes(&journal::unchained_event(&s, &b, &trailer));
        let sig = key
            .sign(
                NAMESPACE,
                HashAlg::Sha512,
                &signature::message(&genesis, &bytes),
            )
            .unwrap();
        trailer.signature = Some(sig.to_pem(LineEnding::LF).unwrap().trim_end().to_string());
        text = journal::append_with(&text, &s, &b, &trailer).unwrap().0;
    }
    text
}

fn bench_check(c: &mut Criterion) {
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .expect("/dev/urandom");
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    let allowed = format!("bob {}\n", key.public_key().to_openssh().unwrap());
    let signers = AllowedSigners::parse("allowed_signers", &allowed).unwrap();
    let text = signed_journal(&key, 1_000);
    let governance = Governance {
        policy: SignaturePolicy::All,
        owner: "alice",
        distinct_approver: true,
    };
    let parsed = journal::parse_journal(&text).unwrap();
    let report = verify_journal(&parsed, governance, Some(&signers));
    assert!(report.problems.is_empty(), "{:?}", report.problems.first());
    assert_eq!(report.events.iter().filter(|e| e.verified).count(), 999);

    // The machine may be shared: report the CPU time one check takes too (not wall time).
    let runs = 5;
    let before = cpu_seconds();
    for _ in 0..runs {
        let parsed = journal::parse_journal(black_box(&text)).unwrap();
        black_box(verify_journal(&parsed, governance, Some(&signers)));
    }
    println!(
        "signing/check_1000_signed_events: {:.1} ms of CPU per check",
        (cpu_seconds() - before) * 1000.0 / f64::from(runs)
    );

    let mut g = c.benchmark_group("signing");
    g.sample_size(10);
    g.bench_function("verify_only_1000_signed_events", |b| {
        b.iter(|| verify_journal(black_box(&parsed), governance, Some(&signers)))
    });
    g.bench_function("check_1000_signed_events", |b| {
        b.iter(|| {
            let parsed = journal::parse_journal(black_box(&text)).unwrap();
            verify_journal(&parsed, governance, Some(&signers))
        })
    });
    g.finish();
}

/// User + system CPU time of this process, in seconds.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe {
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
