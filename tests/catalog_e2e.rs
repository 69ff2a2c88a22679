//! The catalog end to end: the real `phasegate` binary in a pty opens the catalog from the
//! design, is read again from disk meanwhile, filters the catalog, inserts a reuse line at the
//! cursor, saves, and G2-3 passes live.

mod common;

use common::Workspace;
use common::pty::{Spawn, assert_terminal_restored, keys, last_row, text_of};

fn criterion_row(screen: &vt100::Screen, id: &str) -> String {
    let auto = format!("{id}  auto");
    text_of(screen)
        .lines()
        .find(|l| l.contains(&auto))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn insert_a_catalog_reuse_from_the_design_and_see_g2_3_pass() {
    let ws = Workspace::with_samples();
    let o = ws.run(
        "bob",
        &["close", "vlan-qos", "--reason", "accepted by the CAB"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    // COMP-1 of the design in progress has no reuse decision: G2-3 fails.
    let design = ws.read("bgp-peer-onboarding", "solution-design.md");
    let first_reuse = design
        .lines()
        .find(|l| l.starts_with("- reuse:"))
        .expect("a reuse line")
        .to_string();
    ws.write(
        "bgp-peer-onboarding",
        "solution-design.md",
        &design.replacen(&format!("{first_reuse}\n"), "", 1),
    );

    let mut pty = Spawn::phasegate(
        env!("CARGO_BIN_EXE_phasegate"),
        ws.path(),
        &["open", "bgp-peer-onboarding"],
    )
    .size(120, 40)
    .start();
    pty.wait_for("G2-3 failing", |s| {
        criterion_row(s, "G2-3").contains("fail")
            && text_of(s).contains("solution-design.md [VIEW]")
    });

    // The cursor goes to COMP-1's heading; the catalog opens over the design.
    pty.send("/");
    pty.send("### COMP-1");
    pty.send(keys::ENTER);
    pty.send("L");
    pty.wait_for_text(&["Catalog: 4 component(s) of 1 closed engagement(s)"]);
    // Read again from disk meanwhile (an outside edit of its title): the design on disk reuses
    // nothing from the catalog, so that load does not read it; the reuse about to be inserted
    // must resolve all the same.
    let meta = ws.read("bgp-peer-onboarding", "engagement.toml");
    ws.write(
        "bgp-peer-onboarding",
        "engagement.toml",
        &meta.replace(
            "BGP peer onboarding for transit and IX sessions",
            "BGP peering",
        ),
    );
    pty.wait_for_text(&["bgp-peer-onboarding — BGP peering  "]);
    pty.send("vlan-qos/COMP-1");
    pty.wait_for_text(&["filter: vlan-qos/COMP-1", "1/4"]);
    pty.send(keys::ENTER);
    pty.wait_for_text(&["name: NetBox QoS data model", "inserts `- reuse: catalog"]);
    pty.send("i");
    let screen = pty.wait_for("the inserted line and G2-3 passing", |s| {
        let t = text_of(s);
        t.contains("- reuse: catalog vlan-qos/COMP-1@")
            && t.contains("[EDIT]")
            && criterion_row(s, "G2-3").contains("pass")
    });
    assert!(
        last_row(&screen).contains("inserted the reuse of vlan-qos/COMP-1@"),
        "{}",
        last_row(&screen)
    );

    pty.send(keys::CTRL_S);
    pty.wait_for("the save", |s| {
        last_row(s).contains("saved solution-design.md")
            && !text_of(s).contains("modified")
            && criterion_row(s, "G2-3").contains("pass")
    });
    let saved = ws.read("bgp-peer-onboarding", "solution-design.md");
    let line = saved
        .lines()
        .find(|l| l.starts_with("- reuse: catalog vlan-qos/COMP-1@"))
        .expect("the reuse line on disk");
    assert_eq!(line.len(), "- reuse: catalog vlan-qos/COMP-1@".len() + 12);
    let status = ws.status("bgp-peer-onboarding");
    let g23 = status["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "G2-3")
        .unwrap()
        .clone();
    assert_eq!(g23["result"], "pass", "{g23}");

    pty.send(keys::ESC);
    pty.send("q");
    let exit = pty.wait_exit();
    assert!(exit.success(), "{exit}");
    assert_terminal_restored(&pty);
}
