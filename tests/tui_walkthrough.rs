//! Acceptance: a new engagement taken from `new` to `closed` in the TUI alone, by two people
//! whose identities come from two config files (the owner writes, the approver decides), with
//! the real app (`route` → `update` → effects on a temp workspace). The end state is read back
//! with the real binary's `status --json`.

mod common;

use std::path::{Path, PathBuf};

use common::Workspace;
use common::app::{ctx_as, dispatch_with, key_with, run_with};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use phasegate::app::action::Action;
use phasegate::app::effect::Effect;
use phasegate::app::model::overlay::{LifecycleConfirm, LifecycleOverlay};
use phasegate::app::run::EffectContext;
use phasegate::app::{Confirm, Keys, Mode, Overlay, Pane, Screen, State, WorkspaceState};
use phasegate::domain::journal::EventBody;
use phasegate::domain::phase::Phase;

/// One person at their own phasegate: state, identity from their config file, effects as them.
struct Person {
    state: State,
    ctx: EffectContext,
}

impl Person {
    fn from_config(config: &Path, workspace: &Path) -> Person {
        // What `TuiSetup::from_config` does, with an environment that keeps the real home out.
        let xdg = config.parent().map(|d| d.join("xdg").display().to_string());
        let env = |name: &str| (name == "XDG_CONFIG_HOME").then(|| xdg.clone()).flatten();
        let (loaded, banner) = phasegate::config::load_all(Some(config), &env);
        assert!(banner.is_empty(), "{banner:?}");
        let identity = phasegate::config::identity(None, &loaded.config);
        let mut state = State::new(identity.clone(), Keys::new(loaded.keymap), (120, 40));
        state.workspace = Some(WorkspaceState {
            root: workspace.to_path_buf(),
            ..WorkspaceState::default()
        });
        let ctx = ctx_as(&identity);
        let mut p = Person { state, ctx };
        p.effect(Effect::LoadWorkspace {
            workspace: workspace.to_path_buf(),
        });
        p
    }

    fn effect(&mut self, effect: Effect) {
        run_with(&mut self.state, effect, &self.ctx);
    }

    fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        key_with(&mut self.state, KeyEvent::new(code, modifiers), &self.ctx);
    }

    fn press(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::NONE);
    }

    fn enter(&mut self) {
        self.key(KeyCode::Enter, KeyModifiers::NONE);
    }

    fn esc(&mut self) {
        self.key(KeyCode::Esc, KeyModifiers::NONE);
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.key(KeyCode::Char(c), m);
        }
    }

    fn paste(&mut self, text: &str) {
        dispatch_with(&mut self.state, Action::Paste(text.into()), &self.ctx);
    }

    /// What the watcher delivers when another instance wrote: the engagement read again.
    fn reload(&mut self) {
        let root = self.root();
        self.effect(Effect::Load { root });
    }

    fn root(&self) -> PathBuf {
        self.state
            .engagement
            .as_ref()
            .map(|e| e.root.clone())
            .expect("an engagement is open")
    }

    /// Opens `slug` from the workspace list (read again, as the list is when you come back to
    /// it), with the keys.
    fn open(&mut self, slug: &str) {
        let workspace = self.state.workspace.clone().expect("workspace").root;
        self.effect(Effect::LoadWorkspace { workspace });
        let ws = self.state.workspace.clone().expect("workspace");
        let i = ws.position_of(slug).expect("listed");
        self.key(KeyCode::Home, KeyModifiers::NONE);
        for _ in 0..i {
            self.press('j');
        }
        self.enter();
        assert_eq!(self.state.screen, Screen::Engagement);
    }

    fn phase(&self) -> Phase {
        self.state
            .engagement
            .as_ref()
            .expect("engagement")
            .disk
            .phase
    }

    fn toast(&self) -> String {
        self.state
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default()
    }

    /// Search for a heading in the shown artifact, edit, and put `text` on new lines right
    /// after it (End, then a bracketed paste starting with a newline).
    fn write_after(&mut self, heading: &str, text: &str) {
        self.press('/');
        self.type_text(heading);
        self.enter();
        let e = self.state.engagement.as_ref().expect("engagement");
        let row = e.editor.cursor().0;
        assert_eq!(
            e.editor.lines()[row],
            heading,
            "search found the heading: {}",
            self.toast()
        );
        self.press('e');
        assert_eq!(self.state.mode, Mode::Edit, "{}", self.toast());
        self.key(KeyCode::End, KeyModifiers::NONE);
        self.paste(&format!("\n{text}"));
        self.esc();
        assert_eq!(self.state.mode, Mode::View);
    }

    fn save(&mut self) {
        self.press('e');
        self.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
        self.esc();
        let e = self.state.engagement.as_ref().expect("engagement");
        assert!(!e.dirty, "saved: {}", self.toast());
    }

    /// Ticks the manual criteria of the gate in the review pane (Space on each).
    fn tick_manual(&mut self) {
        self.press('g');
        assert_eq!(self.state.pane, Pane::Gate);
        let manual: Vec<usize> = {
            let e = self.state.engagement.as_ref().expect("engagement");
            e.review_rows()
                .iter()
                .enumerate()
                .filter(|(_, (c, _))| {
                    c.def.kind == phasegate::domain::criteria::CriterionKind::Manual
                })
                .map(|(i, _)| i)
                .collect()
        };
        for i in manual {
            self.key(KeyCode::Home, KeyModifiers::NONE);
            for _ in 0..i {
                self.press('j');
            }
            self.press(' ');
        }
    }

    /// Where a board action asks for a confirmation, give it (`y`).
    fn confirm_if_asked(&mut self) {
        if self.state.overlay.is_some() {
            self.press('y');
        }
    }
}

fn config(dir: &Path, name: &str, identity: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("identity = \"{identity}\"\n")).expect("write config");
    path
}

#[test]
fn a_new_engagement_goes_from_new_to_closed_in_the_tui() {
    let ws = Workspace::new();
    let configs = tempfile::tempdir().expect("tempdir");
    let mut owner =
        Person::from_config(&config(configs.path(), "olivia.toml", "olivia"), ws.path());
    let mut approver =
        Person::from_config(&config(configs.path(), "arjun.toml", "arjun"), ws.path());
    assert_eq!(owner.state.identity, "olivia");
    assert_eq!(approver.state.identity, "arjun");

    // Create: `n` on the workspace list, slug, title, owner (defaults to who you are).
    owner.press('n');
    owner.type_text("qos-tagging");
    owner.key(KeyCode::Tab, KeyModifiers::NONE);
    owner.type_text("Tag VLANs with QoS");
    owner.enter();
    assert!(
        matches!(
            owner.state.overlay,
            Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
                LifecycleConfirm::NewEngagement { .. }
            )))
        ),
        "{:?}",
        owner.state.overlay
    );
    // Enter does not create it: it says what does.
    owner.enter();
    assert!(owner.state.overlay.is_some());
    assert!(owner.toast().contains("press y"), "{}", owner.toast());
    assert!(!ws.engagement("qos-tagging").exists());
    owner.press('y');
    assert_eq!(owner.state.screen, Screen::Engagement, "{}", owner.toast());
    assert_eq!(owner.phase(), Phase::Requirements);

    // Requirements: the owner writes the spec.
    owner.write_after(
        "## Business Context",
        "Campus operators ask for voice VLANs to carry their QoS class end to end.",
    );
    owner.write_after(
        "## Requirements",
        "- REQ-1: Every new VLAN is tagged with the QoS class the requester picks.",
    );
    owner.write_after(
        "## Integrations",
        "- NetBox: the source of truth for VLANs.",
    );
    owner.write_after(
        "## Acceptance Criteria",
        "- AC-1 (REQ-1): A VLAN created in the lab carries the requested class in NetBox.",
    );
    owner.write_after("## Constraints", "- Changes only in the weekly window.");
    owner.write_after("## Out of Scope", "- Wireless networks.");
    owner.save();

    // The owner cannot approve Gate 1 (four eyes); the approver can.
    owner.tick_manual();
    owner.press('a');
    assert!(
        owner.toast().contains("owns this engagement"),
        "{}",
        owner.toast()
    );
    approver.open("qos-tagging");
    approver.tick_manual();
    approver.press('a');
    assert!(
        matches!(
            approver.state.overlay,
            Some(Overlay::Confirm(Confirm::Approve(_)))
        ),
        "{}",
        approver.toast()
    );
    // A note goes with the decision.
    approver.press('e');
    approver.type_text("read with the requester");
    approver.enter();
    assert!(matches!(
        approver.state.overlay,
        Some(Overlay::Confirm(Confirm::Approve(_)))
    ));
    approver.press('y');
    assert_eq!(approver.phase(), Phase::Feasibility, "{}", approver.toast());

    // Feasibility: Gate 2 is not ahead yet, and the message says what is.
    owner.reload();
    owner.esc();
    owner.press('2');
    owner.press('g');
    owner.press('a');
    assert_eq!(
        owner.toast(),
        "Gate 2 is not ahead: complete feasibility first — F"
    );
    owner.esc();
    owner.write_after(
        "## Platform Inventory",
        "- NetBox 4.1 with the REST API; Catalyst 9300 switches on IOS-XE 17.9.",
    );
    owner.write_after(
        "## Requirement Assessment",
        "- REQ-1: feasible — a NetBox custom field holds the class.",
    );
    owner.write_after("## Reuse Candidates", "- vlan-templates v1.4.");
    owner.write_after("## Constraints", "- Weekly change window only.");
    owner.save();
    owner.press('F');
    assert!(
        matches!(
            owner.state.overlay,
            Some(Overlay::Lifecycle(LifecycleOverlay::Confirm(
                LifecycleConfirm::CompleteFeasibility { .. }
            )))
        ),
        "{}",
        owner.toast()
    );
    owner.enter();
    assert_eq!(owner.phase(), Phase::Feasibility, "Enter records nothing");
    owner.press('y');
    assert_eq!(owner.phase(), Phase::Design, "{}", owner.toast());

    // Design: the owner writes one component; the approver approves Gate 2.
    owner.press('3');
    owner.write_after(
        "## Overview",
        "The catalog item passes the class to AWX, which renders and pushes the policy.",
    );
    owner.write_after(
        "## Components",
        "### COMP-1: QoS tagging workflow\n- satisfies: REQ-1\n- depends-on: none\n- reuse: new\n- acceptance: a lab VLAN carries its class",
    );
    owner.write_after(
        "## Testing Approach",
        "- Lab run of COMP-1 before the pilot.",
    );
    owner.save();
    approver.reload();
    approver.esc();
    approver.tick_manual();
    approver.press('a');
    approver.press('y');
    assert_eq!(approver.phase(), Phase::Build, "{}", approver.toast());

    // Build: the owner marks the component built and validated, then completes the build.
    owner.reload();
    owner.press('4');
    owner.press('b');
    owner.confirm_if_asked();
    owner.press('v');
    owner.confirm_if_asked();
    owner.press('c');
    owner.press('y');
    assert_eq!(owner.phase(), Phase::AsBuilt, "{}", owner.toast());

    // As-Built: nothing deviates; the approver closes from the diff pane.
    approver.reload();
    approver.press('d');
    approver.press('C');
    approver.press('y');
    assert_eq!(approver.phase(), Phase::Closed, "{}", approver.toast());

    // The journal holds the whole story, with the note and both identities.
    let events = &approver
        .state
        .engagement
        .as_ref()
        .expect("engagement")
        .engagement
        .journal
        .events;
    let note = events.iter().find_map(|e| match &e.body {
        EventBody::GateApproved(g) if g.gate.number() == 1 => Some(g.note.clone()),
        _ => None,
    });
    assert_eq!(note.as_deref(), Some("read with the requester"));
    let actors: Vec<&str> = events.iter().map(|e| e.actor.as_str()).collect();
    assert_eq!(
        actors,
        [
            "olivia", "arjun", "olivia", "arjun", "olivia", "olivia", "olivia", "arjun"
        ]
    );

    // The real binary agrees.
    let status = ws.status("qos-tagging");
    assert_eq!(status["phase"], "closed", "{status}");
    assert_eq!(status["owner"], "olivia");
    assert_eq!(status["gates"]["1"]["approved_by"], "arjun");
    assert_eq!(status["gates"]["2"]["approved_by"], "arjun");
    assert_eq!(status["problems"], serde_json::json!([]), "{status}");
}
