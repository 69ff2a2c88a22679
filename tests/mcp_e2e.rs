//! `phasegate mcp` driven over stdio by a real MCP client nobody here wrote: the official
//! Python SDK (`mcp` on PyPI), running tests/mcp_client.py against the real binary.
//!
//! The SDK lives in a virtualenv at `$PHASEGATE_TEST_VENV`, by default `.ci/venv` in the
//! repository, made by `.ci/mcp-venv.sh` (which `.ci/run` calls first, and these tests call when
//! it is missing). If it cannot be made the tests fail (never skip), saying why.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Workspace;

const REQUIREMENTS: &str = "firewall-drift";
const BUILD: &str = "bgp-peer-onboarding";
const CLIENT: &str = "agent:phasegate-e2e";

/// The venv's python, made by `.ci/mcp-venv.sh` when missing, or a failure that says why not.
fn python() -> PathBuf {
    let venv = std::env::var_os("PHASEGATE_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/venv"));
    let python = venv.join("bin/python");
    if !python.exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/mcp-venv.sh");
        let made = Command::new("bash")
            .arg(&script)
            .arg(&venv)
            .status()
            .map(|s| s.success());
        assert!(
            matches!(made, Ok(true)),
            "the MCP Python SDK's virtualenv at {} could not be made by {} ({made:?}); it needs \
             python3 with venv and pip, and PyPI; or point PHASEGATE_TEST_VENV at a venv that has \
             `mcp` installed",
            venv.display(),
            script.display()
        );
    }
    python
}

/// Runs the Python client's main scenario to completion, or fails after `deadline` (a hang is a
/// failure).
fn run_client(ws: &Workspace, deadline: Duration) -> (i32, String, String) {
    run_client_with(ws, &[REQUIREMENTS, BUILD], deadline)
}

/// Runs the Python client with `args` after the binary and the workspace.
fn run_client_with(ws: &Workspace, args: &[&str], deadline: Duration) -> (i32, String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp_client.py");
    let child = Command::new(python())
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_phasegate"))
        .arg(ws.path())
        .args(args)
        .env("PHASEGATE_NOW", "2026-11-20T12:00:00Z")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the Python MCP client");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(deadline) {
        Ok(out) => {
            let out = out.expect("wait for the client");
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
        Err(_) => {
            // SAFETY: kill on the pid of the child this test spawned and has not reaped.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("the MCP client did not finish within {deadline:?}");
        }
    }
}

/// The events of an engagement's journal as (actor, kind) pairs.
fn events(ws: &Workspace, slug: &str) -> Vec<(String, String)> {
    let text = ws.read(slug, ".phasegate/journal.toml");
    let doc: toml::Table = toml::from_str(&text).expect("journal parses");
    doc["event"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or_default().to_string(),
                e["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_official_mcp_client_works_inside_the_phases_and_decides_nothing() {
    let ws = Workspace::with_samples();
    // The Build engagement: a person approves Gate 2 (bob owns it, alice approves).
    let o = ws.run(
        "alice",
        &[
            "gate", "2", "approve", BUILD, "--check", "G2-7", "--check", "G2-8", "--check", "G2-9",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let outside = tempfile::tempdir().expect("tempdir");
    let build = ws.engagement(BUILD).join("build");
    std::fs::create_dir_all(&build).expect("mkdir build");
    std::os::unix::fs::symlink(outside.path(), build.join("escape")).expect("symlink");
    let design_before = ws.read(REQUIREMENTS, "solution-design.md");

    let (code, stdout, stderr) = run_client(&ws, Duration::from_secs(120));
    assert_eq!(code, 0, "the client failed:\n{stderr}\nstdout: {stdout}");
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("no JSON summary ({e}):\n{stdout}\n{stderr}"));

    // No decision tool is offered at all.
    let tools: Vec<&str> = summary["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    for word in ["approve", "reject", "reopen", "waive", "validate", "close"] {
        assert!(
            tools.iter().all(|t| !t.contains(word)),
            "a `{word}` tool: {tools:?}"
        );
    }

    // Requirements: the spec was written, the design refused with the TUI's rule, a review
    // requested — and nothing decided.
    assert!(
        ws.read(REQUIREMENTS, "customer-spec.md")
            .ends_with("<!-- refined by the agent -->\n")
    );
    assert_eq!(ws.read(REQUIREMENTS, "solution-design.md"), design_before);
    assert_eq!(
        summary["design_refusal"],
        "refused: read-only: solution-design.md is drafted from Feasibility on, after Gate 1 is approved"
    );
    let journal = events(&ws, REQUIREMENTS);
    assert_eq!(
        journal.last(),
        Some(&(CLIENT.to_string(), "review_requested".to_string())),
        "{journal:?}"
    );
    let status = ws.status(REQUIREMENTS);
    assert_eq!(status["phase"], "requirements");
    assert_eq!(status["gates"]["1"]["state"], "pending");
    assert_eq!(status["gates"]["1"]["review_requested"]["by"], CLIENT);

    // Build: out of order refused naming the dependency and where it is declared; the leaf
    // built by the agent; nothing written outside build/.
    let out_of_order = summary["out_of_order"].as_str().expect("refusal");
    assert!(
        out_of_order
            .contains("COMP-3 cannot be built before its dependencies: COMP-2 not built yet")
            && out_of_order.contains("solution-design.md:"),
        "{out_of_order}"
    );
    assert_eq!(
        summary["recorded"],
        serde_json::json!([
            "deviation_recorded",
            "deviation_recorded",
            "amendment_recorded"
        ])
    );
    let journal = events(&ws, BUILD);
    let agent_kinds: Vec<&str> = journal
        .iter()
        .filter(|(actor, _)| actor == CLIENT)
        .map(|(_, kind)| kind.as_str())
        .collect();
    assert_eq!(
        agent_kinds,
        [
            "component_status",
            "deviation_recorded",
            "deviation_recorded",
            "amendment_recorded"
        ]
    );
    assert!(
        ws.read(BUILD, "customer-spec.md")
            .contains("- AMD-1 (DEV-2): IPv6 peers are in scope")
    );
    assert!(
        journal
            .iter()
            .any(|(a, k)| a == "alice" && k == "gate_approved")
    );
    let status = ws.status(BUILD);
    let built = summary["built"]["component"].as_str().expect("built");
    let row = status["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["id"] == built)
        .expect("component");
    assert_eq!(row["status"], "built");
    assert_eq!(
        ws.read(BUILD, summary["build_file"].as_str().expect("path")),
        "generated by the agent\n"
    );
    assert_eq!(
        std::fs::read_dir(outside.path()).expect("outside").count(),
        0,
        "something was written through the symlink"
    );
    assert!(!ws.engagement(BUILD).join("x").exists());

    // Both journals still verify, and the sessions are gone with their servers.
    for slug in [REQUIREMENTS, BUILD] {
        let o = ws.run("reader", &["check", slug]);
        assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
        let agents = ws.engagement(slug).join(".phasegate/agents");
        let left: Vec<_> = std::fs::read_dir(&agents)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "session files left behind: {left:?}");
    }
}

#[test]
fn stdout_carries_only_protocol_messages() {
    let ws = Workspace::with_samples();
    // Stdin closed at once: the server starts, announces itself on stderr and ends cleanly.
    let out = ws
        .command("alice", &["mcp", REQUIREMENTS])
        .stdin(Stdio::null())
        .output()
        .expect("run phasegate mcp");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(stderr.contains("phasegate mcp: serving"), "{stderr}");
    // An engagement that does not load is refused before serving (exit 2), stdout still clean.
    let out = ws
        .command("alice", &["mcp", "no-such-engagement"])
        .stdin(Stdio::null())
        .output()
        .expect("run phasegate mcp");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

#[test]
fn status_says_an_agent_session_is_active_while_the_server_runs() {
    let ws = Workspace::with_samples();
    let mut server = ws
        .command("alice", &["mcp", REQUIREMENTS])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn phasegate mcp");
    let agents = ws.engagement(REQUIREMENTS).join(".phasegate/agents");
    let session = agents.join(format!("{}.toml", server.id()));
    let until = std::time::Instant::now() + Duration::from_secs(30);
    while !session.exists() {
        assert!(
            std::time::Instant::now() < until,
            "no session file at {}",
            session.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = ws.run("reader", &["status", REQUIREMENTS]);
    assert!(
        o.stdout.contains(&format!(
            "agent session active: agent:unknown (pid {}",
            server.id()
        )),
        "{}",
        o.stdout
    );
    let status = ws.status(REQUIREMENTS);
    assert_eq!(status["agents"][0]["pid"], server.id());

    // Closing stdin ends the session; its file goes with it.
    drop(server.stdin.take());
    let code = server.wait().expect("wait for the server");
    assert!(code.success(), "{code:?}");
    assert!(!session.exists());
    let status = ws.status(REQUIREMENTS);
    assert_eq!(status["agents"], serde_json::json!([]));
}

/// The JSON summary the client prints last, or a failure showing what it said.
fn summary_of(run: &(i32, String, String)) -> serde_json::Value {
    let (code, stdout, stderr) = run;
    assert_eq!(*code, 0, "the client failed:\n{stderr}\nstdout: {stdout}");
    serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("no JSON summary ({e}):\n{stdout}\n{stderr}"))
}

/// The whole Build phase driven by the agent through the official client: it writes each
/// component's build/ files and marks it built, leaves first (one that still waits is refused),
/// while a person validates each through the CLI in between and completes the build. `check`
/// then passes, and the journal alternates the agent's `built` with the person's `validated`.
#[test]
fn an_agent_driven_build_phase_checks_clean_with_the_human_decisions_between() {
    let ws = Workspace::with_samples();
    let o = ws.run("alice", &common::gate2_approve(BUILD));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let gate2_events = events(&ws, BUILD).len();

    let run = run_client_with(
        &ws,
        &["full-build", BUILD, "carol"],
        Duration::from_secs(180),
    );
    let summary = summary_of(&run);
    assert_eq!(summary["phase"], "as-built", "{summary}");
    let built: Vec<String> = summary["built"]
        .as_array()
        .expect("built")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    assert_eq!(built.len(), 5, "every component of the design: {built:?}");
    // Dependency order, from the design: COMP-3 after COMP-2, COMP-4 after 2 and 3, COMP-5
    // after 1 and 4.
    let at = |c: &str| built.iter().position(|b| b == c).expect("built");
    assert!(at("COMP-2") < at("COMP-3"));
    assert!(at("COMP-3") < at("COMP-4"));
    assert!(at("COMP-1") < at("COMP-5") && at("COMP-4") < at("COMP-5"));

    // The journal: the agent's writes with the person's decisions between them.
    let journal = events(&ws, BUILD);
    let text = ws.read(BUILD, ".phasegate/journal.toml");
    let doc: toml::Table = toml::from_str(&text).expect("journal");
    let statuses: Vec<(String, String, String)> = doc["event"]
        .as_array()
        .expect("events")
        .iter()
        .skip(gate2_events)
        .map(|e| {
            let s = |k: &str| {
                e.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            (
                s("actor"),
                s("kind"),
                format!("{} {}", s("component"), s("status")),
            )
        })
        .collect();
    let mut expected = Vec::new();
    for c in &built {
        expected.push((
            CLIENT.to_string(),
            "component_status".to_string(),
            format!("{c} built"),
        ));
        expected.push((
            "carol".to_string(),
            "component_status".to_string(),
            format!("{c} validated"),
        ));
    }
    expected.push((
        "carol".to_string(),
        "build_completed".to_string(),
        " ".to_string(),
    ));
    assert_eq!(statuses, expected, "{journal:?}");
    for c in &built {
        assert_eq!(
            ws.read(BUILD, &format!("build/{c}/main.txt")),
            format!("{c} as the agent built it\n")
        );
    }
    let o = ws.run("reader", &["check", BUILD]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains(" 0 problem(s)"), "{}", o.stdout);
}

/// The agent writes while a person has the artifact open in the TUI (a real pty): with the
/// buffer clean the TUI reloads the agent's text; with unsaved typing it shows the conflict
/// and keeps the typing, and after "take disk" both texts are there — the agent's on disk, the
/// person's in `.phasegate/recovery/`.
#[test]
fn the_agent_writes_while_the_tui_has_the_artifact_open() {
    use common::pty::{Spawn, keys, last_row, text_of};

    let ws = Workspace::with_samples();
    let mut tui = Spawn::phasegate(
        env!("CARGO_BIN_EXE_phasegate"),
        ws.path(),
        &["open", REQUIREMENTS],
    )
    .size(120, 40)
    .start();
    tui.wait_for_text(&["customer-spec.md [VIEW]", " VIEW ", REQUIREMENTS]);

    // Clean: reloaded.
    let one = "Agent line one.";
    summary_of(&run_client_with(
        &ws,
        &["write", REQUIREMENTS, "customer-spec.md", one],
        Duration::from_secs(60),
    ));
    let screen = tui.wait_for("the reload of the agent's write", |s| {
        last_row(s).contains("reloaded: customer-spec.md changed on disk")
    });
    assert!(text_of(&screen).contains(one), "{}", text_of(&screen));

    // Dirty: typed, not saved; the agent writes; the TUI shows the conflict, typing kept.
    let typed = "typed by the human ";
    tui.send("e");
    tui.wait_for_text(&["customer-spec.md [EDIT]"]);
    tui.send(keys::DOWN);
    tui.send(typed);
    tui.wait_for_text(&[typed, "[+] modified"]);
    let two = "Agent line two.";
    summary_of(&run_client_with(
        &ws,
        &["write", REQUIREMENTS, "customer-spec.md", two],
        Duration::from_secs(60),
    ));
    let screen = tui.wait_for("the conflict", |s| {
        text_of(s).contains("CONFLICT customer-spec.md")
    });
    assert!(text_of(&screen).contains(typed), "{}", text_of(&screen));
    let disk = ws.read(REQUIREMENTS, "customer-spec.md");
    assert!(
        disk.contains(one) && disk.contains(two) && !disk.contains(typed),
        "{disk}"
    );

    // The conflict view shows both sides; taking the disk keeps the typing in recovery.
    tui.send(keys::ESC);
    tui.wait_for_text(&["modified [VIEW]"]);
    tui.send(keys::CTRL_S);
    tui.wait_for_text(&["keep mine", "take disk", typed.trim_end(), two]);
    tui.send("t");
    let screen = tui.wait_for("take disk", |s| {
        last_row(s).contains("took the disk version of customer-spec.md")
    });
    assert!(text_of(&screen).contains(two), "{}", text_of(&screen));
    let recovery = ws.engagement(REQUIREMENTS).join(".phasegate/recovery");
    let kept: Vec<String> = std::fs::read_dir(&recovery)
        .expect("recovery dir")
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert!(kept.iter().any(|t| t.contains(typed)), "{kept:?}");
    assert_eq!(
        ws.read(REQUIREMENTS, "customer-spec.md"),
        disk,
        "the agent's text stays"
    );
    let journal = events(&ws, REQUIREMENTS);
    assert!(
        journal.iter().all(|(a, _)| a != CLIENT),
        "writes are not events: {journal:?}"
    );

    tui.send("q");
    assert!(tui.wait_exit().success());
}
