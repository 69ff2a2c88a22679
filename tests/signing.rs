//! Signed decisions end to end (DESIGN §7, issue 10) with real keys made by `ssh-keygen`, a
//! real ssh-agent, and the tampering a signature must catch. Missing OpenSSH fails the tests.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Output;
use common::signing::{Agent, Keys, edit_policy, event_blocks, rechain, set_policy};

const NOW: &str = "2026-11-20T12:00:00Z";
const SLUG: &str = "edge-acl";
const GATE1: [&str; 8] = [
    "--check", "G1-5", "--check", "G1-6", "--check", "G1-7", "--check", "G1-8",
];

/// A workspace with a spec ready for Gate 1, owner alice, `signatures = "decisions"`.
struct Team {
    ws: tempfile::TempDir,
    keys: Keys,
    agent: Option<Agent>,
}

fn spec() -> String {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements/vlan-qos");
    let text = std::fs::read_to_string(samples.join("customer-spec.md")).expect("sample spec");
    // Gate 1 reviews the spec before any amendment exists.
    match text.find("## Amendments") {
        Some(i) => text[..i].trim_end().to_string() + "\n",
        None => text,
    }
}

impl Team {
    fn new() -> Team {
        let team = Team {
            ws: tempfile::tempdir().expect("tempdir"),
            keys: Keys::new(),
            agent: None,
        };
        team.keys.generate("alice", "ed25519");
        team.keys.generate("bob", "ed25519");
        team.keys.generate("carol", "ecdsa");
        team.allow(&[("alice", "alice"), ("bob", "bob"), ("carol", "carol")]);
        team.create(SLUG);
        team
    }

    fn root(&self, slug: &str) -> PathBuf {
        self.ws.path().join(slug)
    }

    fn create(&self, slug: &str) {
        // With a signing key configured, `new` records signed decisions from the start.
        let o = self.run(Some(&self.key("alice")), Some("alice"), &["new", slug]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        set_policy(&self.root(slug), "signatures = \"decisions\"");
        std::fs::write(self.root(slug).join("customer-spec.md"), spec()).expect("spec");
    }

    /// Writes `<workspace>/allowed_signers`: (principal list, key name) per line.
    fn allow(&self, lines: &[(&str, &str)]) {
        self.allow_with(lines, "");
    }

    fn allow_with(&self, lines: &[(&str, &str)], options: &str) {
        let text: String = lines
            .iter()
            .map(|(principals, key)| format!("{principals} {options}{}\n", self.keys.public(key)))
            .collect();
        std::fs::write(self.ws.path().join("allowed_signers"), text).expect("allowed_signers");
    }

    /// Runs phasegate signing with `key` (a path given to `signing_key`), as `as_name`.
    fn run_at(&self, at: &str, key: Option<&Path>, as_name: Option<&str>, args: &[&str]) -> Output {
        let config = self.ws.path().join("config.toml");
        let text = key
            .map(|k| format!("signing_key = {:?}\n", k.display().to_string()))
            .unwrap_or_default();
        std::fs::write(&config, text).expect("config");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_phasegate"));
        cmd.arg("--workspace").arg(self.ws.path());
        if let Some(name) = as_name {
            cmd.args(["--as", name]);
        }
        cmd.args(args)
            .env("PHASEGATE_CONFIG", &config)
            .env("PHASEGATE_NOW", at)
            .env_remove("PHASEGATE_WORKSPACE")
            // Tests never read the developer's git config (user.signingKey).
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(std::process::Stdio::null());
        match &self.agent {
            Some(agent) => cmd.env("SSH_AUTH_SOCK", &agent.sock),
            None => cmd.env_remove("SSH_AUTH_SOCK"),
        };
        let out = cmd.output().expect("run phasegate");
        let o = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!o.stderr.contains("panicked"), "panicked: {}", o.stderr);
        o
    }

    fn run(&self, key: Option<&Path>, as_name: Option<&str>, args: &[&str]) -> Output {
        self.run_at(NOW, key, as_name, args)
    }

    fn key(&self, name: &str) -> PathBuf {
        self.keys.dir.path().join(name)
    }

    fn approve_gate1(&self, slug: &str, key: &Path, as_name: Option<&str>) -> Output {
        let mut args = vec!["gate", "1", "approve", slug];
        args.extend(GATE1);
        self.run(Some(key), as_name, &args)
    }

    fn journal(&self, slug: &str) -> String {
        std::fs::read_to_string(self.root(slug).join(".phasegate/journal.toml")).expect("journal")
    }

    fn write_journal(&self, slug: &str, text: &str) {
        std::fs::write(self.root(slug).join(".phasegate/journal.toml"), text).expect("journal");
    }

    fn check(&self, slug: &str) -> Output {
        self.run(None, Some("reader"), &["check", slug])
    }
}

/// `check` exits 1 and names the event (`journal.toml:LINE` and `event N`) with `why`.
#[track_caller]
fn assert_check_names(o: &Output, event: u64, why: &str) {
    assert_eq!(o.code, 1, "check should fail\n{}{}", o.stdout, o.stderr);
    let line = o
        .stdout
        .lines()
        .find(|l| l.starts_with("error:") && l.contains(&format!("event {event} ")))
        .unwrap_or_else(|| panic!("no error names event {event}:\n{}", o.stdout));
    assert!(line.contains(".phasegate/journal.toml:"), "{line}");
    assert!(line.contains(why), "`{why}` not in: {line}");
}

fn approved_by_bob(team: &Team) {
    let o = team.approve_gate1(SLUG, &team.key("bob"), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("by bob, signed with SHA256:"),
        "{}",
        o.stdout
    );
}

#[test]
fn key_file_and_agent_sign_rust_verifies_and_ssh_keygen_agrees() {
    let mut team = Team::new();
    // bob signs with a key file; the recorded actor is his principal, not a typed name.
    approved_by_bob(&team);
    let check = team.check(SLUG);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    // Cross-check the first signature with ssh-keygen -Y verify on the same message.
    let journal = phasegate::domain::journal::parse_journal(&team.journal(SLUG)).unwrap();
    let seal = journal.events[1]
        .seal
        .clone()
        .expect("the approval is signed");
    let message =
        phasegate::domain::signature::message(&journal.events[0].hash, &seal.signed_bytes);
    let sig = team.ws.path().join("approval.sig");
    std::fs::write(&sig, format!("{}\n", seal.signature)).unwrap();
    let mut verify = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "phasegate", "-I", "bob", "-f"])
        .arg(team.ws.path().join("allowed_signers"))
        .arg("-s")
        .arg(&sig)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ssh-keygen");
    use std::io::Write;
    verify.stdin.take().unwrap().write_all(&message).unwrap();
    let out = verify.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ssh-keygen -Y verify rejected phasegate's message: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    // carol's ecdsa key lives only in an agent: the config names her .pub.
    let agent = Agent::start(team.keys.dir.path());
    team.agent = Some(agent);
    // On the jump host only the .pub exists: ssh-keygen must not find a private key beside it.
    let jump = team.ws.path().join("jump");
    std::fs::create_dir(&jump).unwrap();
    let carol_pub = jump.join("carol.pub");
    std::fs::copy(team.keys.pub_path("carol"), &carol_pub).unwrap();
    let before = team.journal(SLUG);
    let o = team.run(
        Some(&carol_pub),
        None,
        &["gate", "1", "reopen", SLUG, "--reason", "scope"],
    );
    assert_eq!(o.code, 1, "an empty agent cannot sign: {}", o.stdout);
    assert!(o.stderr.contains("ssh-add -l"), "{}", o.stderr);
    assert_eq!(
        team.journal(SLUG),
        before,
        "nothing is written when signing fails"
    );

    team.agent.as_ref().unwrap().add(&team.key("carol"));
    let o = team.run(
        Some(&carol_pub),
        None,
        &["gate", "1", "reopen", SLUG, "--reason", "scope"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("by carol, signed with"), "{}", o.stdout);
    let check = team.check(SLUG);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    let status = team.run(None, Some("reader"), &["status", SLUG, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let decisions = v["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["signer"], "bob");
    assert_eq!(decisions[1]["signer"], "carol");
    assert!(
        decisions.iter().all(|d| d["verified"] == true),
        "{decisions:?}"
    );
    assert!(
        decisions[1]["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
    let text = team.run(None, Some("reader"), &["status", SLUG]).stdout;
    assert!(
        text.contains("Gate 1 approved by bob — signed by bob (SHA256:"),
        "{text}"
    );
    assert!(text.contains("verified: yes"), "{text}");
}

#[test]
fn a_forged_approval_by_bob_signed_with_alices_key_fails_check() {
    let team = Team::new();
    // The forger lists her own key as "bob" in her copy of the allowed signers...
    team.allow(&[("alice", "carol"), ("bob", "alice")]);
    let o = team.approve_gate1(SLUG, &team.key("alice"), Some("bob"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    // ...the team's file says whose key it is.
    team.allow(&[("alice", "alice"), ("bob", "bob")]);
    assert_check_names(
        &team.check(SLUG),
        2,
        "actor \"bob\" is not a principal of key",
    );
}

#[test]
fn an_approval_copied_from_another_engagement_fails_check() {
    let team = Team::new();
    team.create("other");
    let o = team.approve_gate1("other", &team.key("bob"), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let copied = event_blocks(&team.journal("other")).pop().unwrap();
    let forged = rechain(&format!("{}\n{copied}", team.journal(SLUG)));
    team.write_journal(SLUG, &forged);
    assert_check_names(&team.check(SLUG), 2, "copied from another journal");
}

#[test]
fn the_same_approval_appended_twice_fails_check() {
    let team = Team::new();
    approved_by_bob(&team);
    let approval = event_blocks(&team.journal(SLUG)).pop().unwrap();
    let replayed = rechain(&format!("{}\n{approval}", team.journal(SLUG)));
    team.write_journal(SLUG, &replayed);
    assert_check_names(&team.check(SLUG), 3, "same signature as event 2");
}

#[test]
fn altered_signature_bytes_fail_check() {
    let team = Team::new();
    approved_by_bob(&team);
    let journal = team.journal(SLUG);
    let line = journal
        .lines()
        .find(|l| l.starts_with("signature = "))
        .unwrap();
    // Flip one base64 character near the end: the signature blob, not the key.
    let at = line.len() - 40;
    let mut bytes = line.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let altered = journal.replacen(line, std::str::from_utf8(&bytes).unwrap(), 1);
    team.write_journal(SLUG, &rechain(&altered));
    let o = team.check(SLUG);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.lines().any(|l| l.starts_with("error:")
            && l.contains("event 2 (gate_approved)")
            && l.contains("signature")),
        "{}",
        o.stdout
    );
}

#[test]
fn a_key_outside_the_allowed_signers_fails_check() {
    let team = Team::new();
    approved_by_bob(&team);
    team.allow(&[("alice", "alice"), ("carol", "carol")]);
    assert_check_names(&team.check(SLUG), 2, "a key that is not in");
}

#[test]
fn an_approval_after_the_keys_valid_before_fails_check() {
    let team = Team::new();
    approved_by_bob(&team);
    team.allow_with(
        &[("alice", "alice"), ("bob", "bob")],
        "valid-before=\"20261115Z\" ",
    );
    assert_check_names(
        &team.check(SLUG),
        2,
        "valid only before 2026-11-15T00:00:00Z",
    );
    // And an expired key is refused before anything is signed or written.
    team.create("other");
    let before = team.journal("other");
    let o = team.approve_gate1("other", &team.key("bob"), None);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stderr.contains("may not sign at"), "{}", o.stderr);
    assert_eq!(team.journal("other"), before, "nothing written");
}

#[test]
fn an_unsigned_approval_is_refused_and_fails_check_under_decisions() {
    let team = Team::new();
    let before = team.journal(SLUG);
    let mut args = vec!["gate", "1", "approve", SLUG];
    args.extend(GATE1);
    let o = team.run(None, Some("bob"), &args);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stderr
            .contains("signatures = \"decisions\" asks for a signed gate_approved"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("no signing key"), "{}", o.stderr);
    assert_eq!(team.journal(SLUG), before, "nothing written");

    // Turning signatures off in engagement.toml alone lets no unsigned decision in: nothing is
    // appended until the change is recorded, and recording it is a decision the policy it
    // leaves asks to be signed.
    let meta = team.root(SLUG).join("engagement.toml");
    let on = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(
        &meta,
        on.replace("signatures = \"decisions\"\n", "signatures = \"off\"\n"),
    )
    .unwrap();
    let o = team.run(None, Some("bob"), &args);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stderr
            .contains("engagement.toml changes what the journal records"),
        "{}",
        o.stderr
    );
    let o = team.run(
        None,
        Some("bob"),
        &["record-policy", SLUG, "--reason", "off"],
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stderr
            .contains("signatures = \"decisions\" asks for a signed policy_changed"),
        "{}",
        o.stderr
    );
    assert_eq!(team.journal(SLUG), before, "nothing written");
}

#[test]
fn self_approval_is_refused_by_name_case_and_key() {
    let team = Team::new();
    let before = team.journal(SLUG);
    for name in ["Alice", "alice "] {
        let o = team.approve_gate1(SLUG, &team.key("alice"), Some(name));
        assert_eq!(o.code, 1, "--as {name:?}: {}", o.stdout);
        assert!(
            o.stderr.contains("owns this engagement"),
            "--as {name:?}: {}",
            o.stderr
        );
    }
    // alice's key listed under a second principal is still alice.
    team.allow(&[("alice", "alice"), ("ally", "alice"), ("bob", "bob")]);
    let o = team.approve_gate1(SLUG, &team.key("alice"), Some("ally"));
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stderr.contains("belongs to alice"), "{}", o.stderr);
    // And a name the key does not carry is refused outright.
    let o = team.approve_gate1(SLUG, &team.key("alice"), Some("bob"));
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stderr.contains("disagrees with the signing key"),
        "{}",
        o.stderr
    );
    assert_eq!(team.journal(SLUG), before, "nothing written");
}

#[test]
fn gate2_quorum_waits_for_the_missing_role_and_a_text_change_voids_earlier_approvals() {
    let team = Team::new();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements/vlan-qos");
    for slug in [SLUG, "other"] {
        if slug != SLUG {
            team.create(slug);
        }
        edit_policy(
            &team.root(slug),
            "signatures = \"decisions\"\napprovals = { gate1 = 1, gate2 = 2 }\nrequired_roles = { gate2 = [\"network\", \"security\"] }",
        );
        let meta = team.root(slug).join("engagement.toml");
        let text = std::fs::read_to_string(&meta).unwrap()
            + "\n[roles]\nnetwork = [\"bob\"]\nsecurity = [\"carol\", \"dan\"]\n";
        std::fs::write(&meta, text).unwrap();
        // Signed: the policy it leaves (decisions) asks for it.
        let o = team.run(
            Some(&team.key("alice")),
            Some("alice"),
            &["record-policy", slug, "--reason", "quorum and roles"],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        let o = team.approve_gate1(slug, &team.key("bob"), None);
        assert_eq!(o.code, 0, "{}", o.stderr);
        for file in ["feasibility.md", "solution-design.md"] {
            std::fs::copy(samples.join(file), team.root(slug).join(file)).unwrap();
        }
        let o = team.run(None, Some("bob"), &["feasibility-complete", slug]);
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    let approve2 = |slug: &str, who: &str| {
        team.run(
            Some(&team.key(who)),
            None,
            &[
                "gate", "2", "approve", slug, "--check", "G2-7", "--check", "G2-8", "--check",
                "G2-9",
            ],
        )
    };
    let gate2 = |slug: &str| {
        let o = team.run(None, Some("reader"), &["status", slug, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        v["gates"]["2"].clone()
    };

    // One approval from the network role: pending, waiting for security.
    let o = approve2(SLUG, "bob");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("Gate 2: approved 1/2: bob (network); waiting for: security"),
        "{}",
        o.stdout
    );
    let g = gate2(SLUG);
    assert_eq!(g["state"], "pending");
    assert_eq!(g["quorum"]["needed"], 2);
    assert_eq!(g["quorum"]["have"], 1);
    assert_eq!(
        g["quorum"]["missing_roles"],
        serde_json::json!(["security"])
    );
    assert_eq!(g["approvals"][0]["by"], "bob");
    // The workspace list says how far the quorum is, not just "pending".
    let (rows, _) = phasegate::app::run::workspace_rows(team.ws.path());
    let row = rows
        .iter()
        .find(|r| r.slug == SLUG)
        .expect("the engagement is listed");
    assert_eq!(row.quorum, [None, Some((1, 2))]);
    let mut state =
        phasegate::app::State::new("reader", phasegate::app::Keys::default(), (120, 40));
    state.workspace = Some(phasegate::app::WorkspaceState {
        root: team.ws.path().to_path_buf(),
        rows,
        ..Default::default()
    });
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| {
            phasegate::ui::view(
                &state,
                &mut phasegate::ui::ViewState::default(),
                &phasegate::config::Theme::default(),
                f,
            )
        })
        .expect("draw");
    let screen = terminal.backend().to_string();
    assert!(
        screen
            .lines()
            .any(|l| l.contains(SLUG) && l.contains("G2 ○ 1/2 ok")),
        "{screen}"
    );
    let text = team.run(None, Some("reader"), &["status", SLUG]).stdout;
    assert!(
        text.contains("Gate 2: PENDING — approved 1/2: bob (network); waiting for: security"),
        "{text}"
    );
    // bob cannot fill the quorum twice.
    let o = approve2(SLUG, "bob");
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stderr.contains("already approved Gate 2"), "{}", o.stderr);

    // The second approval, from the missing role, approves the gate.
    let o = approve2(SLUG, "carol");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("Gate 2 approved"), "{}", o.stdout);
    let g = gate2(SLUG);
    assert_eq!(g["state"], "approved");
    assert_eq!(g["quorum"]["have"], 2);
    assert_eq!(g["quorum"]["missing_roles"], serde_json::json!([]));
    let check = team.check(SLUG);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    // A text change between two approvals voids the first.
    let o = approve2("other", "bob");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let design = team.root("other").join("solution-design.md");
    let changed = std::fs::read_to_string(&design).unwrap().replacen(
        "## Overview\n",
        "## Overview\nRevised after review.\n",
        1,
    );
    std::fs::write(&design, changed).unwrap();
    let o = approve2("other", "carol");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("Gate 2: approved 1/2: carol (security); waiting for: network"),
        "{}",
        o.stdout
    );
    let g = gate2("other");
    assert_eq!(g["state"], "pending");
    assert_eq!(g["approvals"].as_array().unwrap().len(), 1);
}

#[test]
fn a_clock_override_marks_events_and_check_reports_it() {
    let team = Team::new();
    let journal = team.journal(SLUG);
    assert!(
        journal.contains("clock = \"override\"\n"),
        "events written under PHASEGATE_NOW say so:\n{journal}"
    );
    let o = team.check(SLUG);
    assert_eq!(o.code, 0, "a warning, not an error: {}", o.stdout);
    assert!(
        o.stdout.lines().any(|l| l.starts_with("warning:")
            && l.contains("journal.toml:")
            && l.contains("clock override (PHASEGATE_NOW")),
        "{}",
        o.stdout
    );
    let o = team.run(None, Some("reader"), &["check", SLUG, "--strict"]);
    assert_eq!(o.code, 1, "an error under --strict: {}", o.stdout);
}

/// The TUI signs through an agent-held key: the confirmation names the key and principal
/// before anything is signed, and the journal pane marks the decision verified (`✔sig`).
#[test]
fn tui_approves_gate1_with_an_agent_held_key_and_the_journal_shows_it_verified() {
    use common::pty::{IDENTITY, last_row, text_of};
    let ws = common::Workspace::with_samples();
    let slug = "firewall-drift";
    set_policy(&ws.engagement(slug), "signatures = \"decisions\"");
    let keys = Keys::new();
    let key = keys.generate("reviewer", "ed25519");
    std::fs::write(
        ws.path().join("allowed_signers"),
        format!("{IDENTITY} {}\n", keys.public("reviewer")),
    )
    .unwrap();
    // Only the .pub is where phasegate looks; the private key is in the agent.
    let jump = ws.path().join("jump");
    std::fs::create_dir(&jump).unwrap();
    std::fs::copy(keys.pub_path("reviewer"), jump.join("reviewer.pub")).unwrap();
    std::fs::write(
        ws.path().join("no-config.toml"),
        format!(
            "signing_key = {:?}\n",
            jump.join("reviewer.pub").display().to_string()
        ),
    )
    .unwrap();
    let agent = Agent::start(keys.dir.path());
    agent.add(&key);

    let mut pty = gate1_ready_to_approve(&ws, slug, &agent.sock);
    let fingerprint = phasegate::domain::allowed_signers::fingerprint(
        &ssh_key::PublicKey::from_openssh(&keys.public("reviewer")).unwrap(),
    );
    pty.send("a");
    pty.wait_for_text(&[
        " Approve Gate 1? ",
        &format!("signs as: {IDENTITY} {fingerprint}"),
    ]);
    pty.send("y");
    let screen = pty.wait_for("the signed approval, marked verified", |s| {
        // Event 2 is set_policy's recorded policy change.
        last_row(s).contains(&format!("Gate 1 approved by {IDENTITY} (event 3)"))
            && text_of(s).contains("✔sig Gate 1 approved")
    });
    assert!(
        last_row(&screen).contains("signed with SHA256:"),
        "{}",
        last_row(&screen)
    );
    pty.send("q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status}");

    let journal = ws.read(slug, ".phasegate/journal.toml");
    assert!(
        journal.contains(&format!("signer = \"{fingerprint}\"")),
        "{journal}"
    );
    let status = ws.run("reader", &["status", slug, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(v["gates"]["1"]["signature"]["verified"], true, "{v}");
    drop(agent);
}

/// `open`s the engagement in the TUI (`SSH_AUTH_SOCK` = `agent_sock`), reviews Gate 1 and ticks
/// its four manual criteria, so `a` asks to approve.
fn gate1_ready_to_approve(
    ws: &common::Workspace,
    slug: &str,
    agent_sock: impl Into<std::ffi::OsString>,
) -> common::pty::Pty {
    use common::pty::{Spawn, last_row, text_of};
    let mut pty = Spawn::phasegate(env!("CARGO_BIN_EXE_phasegate"), ws.path(), &["open", slug])
        .size(120, 40)
        .env("SSH_AUTH_SOCK", agent_sock)
        .start();
    pty.wait_for_text(&["customer-spec.md [VIEW]", slug]);
    pty.send("g");
    pty.wait_for("the gate pane", |s| last_row(s).contains("Space tick"));
    pty.send("jjjj");
    pty.send(" j j j ");
    pty.wait_for("every manual criterion checked", |s| {
        ["G1-5", "G1-6", "G1-7", "G1-8"]
            .iter()
            .all(|id| text_of(s).contains(&format!("☑ {id}")))
    });
    pty
}

/// A key with a passphrase: the TUI hands the terminal to ssh-keygen's prompt, like `$EDITOR`,
/// and the screen comes back intact with the signed approval.
#[test]
fn tui_suspends_for_the_passphrase_prompt_and_comes_back() {
    use common::pty::{IDENTITY, keys as k, last_row, text_of};
    let ws = common::Workspace::with_samples();
    let slug = "firewall-drift";
    set_policy(&ws.engagement(slug), "signatures = \"decisions\"");
    let keys = Keys::new();
    let key = keys.generate_with_passphrase("reviewer", "ed25519", "correct horse");
    std::fs::write(
        ws.path().join("allowed_signers"),
        format!("{IDENTITY} {}\n", keys.public("reviewer")),
    )
    .unwrap();
    std::fs::write(
        ws.path().join("no-config.toml"),
        format!("signing_key = {:?}\n", key.display().to_string()),
    )
    .unwrap();

    let mut pty = gate1_ready_to_approve(&ws, slug, "");
    pty.send("a");
    pty.wait_for_text(&[" Approve Gate 1? ", "signs as: reviewer SHA256:"]);
    pty.send("y");
    pty.wait_for_text(&["Enter passphrase"]);
    pty.send("correct horse");
    pty.send(k::ENTER);
    pty.wait_for("the screen back, with the signed approval", |s| {
        // Event 2 is set_policy's recorded policy change.
        last_row(s).contains(&format!("Gate 1 approved by {IDENTITY} (event 3)"))
            && text_of(s).contains("✔sig Gate 1 approved")
            && text_of(s).contains("Journal")
    });
    pty.send("q");
    assert!(pty.wait_exit().success());
}

#[test]
fn new_writes_decisions_when_a_signing_key_is_configured_else_off_with_how_to() {
    let team = Team::new();
    let text = std::fs::read_to_string(team.root(SLUG).join("engagement.toml")).unwrap();
    assert!(!text.contains("signatures = \"off\""), "the helper set it");
    let o = team.run(None, Some("alice"), &["new", "plain"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(team.root("plain").join("engagement.toml")).unwrap();
    assert!(
        text.contains(
            "signatures = \"off\"   # \"decisions\": gate decisions and close are SSH-signed"
        ),
        "{text}"
    );
    let o = team.run(Some(&team.key("alice")), Some("alice"), &["new", "signed"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(team.root("signed").join("engagement.toml")).unwrap();
    assert!(text.contains("signatures = \"decisions\""), "{text}");
    let journal = team.journal("signed");
    assert!(
        journal.contains("signatures = \"decisions\""),
        "the created event records the policy:\n{journal}"
    );
}

/// The signed sample passes every rule `check` applies: its signatures, the policy the journal
/// records and the lawful replay (it once turned signatures on in engagement.toml without
/// recording the change, which `check` now names).
#[test]
fn the_signed_sample_checks_clean() {
    let ws = common::Workspace::new();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-engagements");
    common::copy_dir(
        &samples.join("bgp-peer-onboarding-signed"),
        &ws.engagement("bgp-peer-onboarding-signed"),
    );
    std::fs::copy(
        samples.join("allowed_signers"),
        ws.path().join("allowed_signers"),
    )
    .expect("allowed_signers");
    let o = ws.run("ci", &["check", "bgp-peer-onboarding-signed"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    common::assert_strict_clean_but_the_clock(
        &ws.run("ci", &["check", "bgp-peer-onboarding-signed", "--strict"]),
    );
    let status = ws.status("bgp-peer-onboarding-signed");
    assert_eq!(
        status["gates"]["2"]["signature"]["verified"], true,
        "{status}"
    );
}
