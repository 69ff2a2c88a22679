//! The live engagement directory: outside edits, conflicts, crash recovery.
//!
//! The pieces, in Elm terms:
//! - **Subscription.** `tui::subscriptions::Runtime` keeps a watcher on the open engagement (started
//!   when an engagement is open, stopped when none is) and arms the autosave deadline. Its
//!   reports arrive on the event loop's one channel as [`LiveAction::Watch`].
//! - **Update.** [`update`] turns reports into a reload ([`LiveEffect::Reload`]); [`reloaded`]
//!   applies what was read: a clean buffer follows the disk in place (cursor and scroll kept) with
//!   a toast, a dirty buffer whose file changed (or vanished) raises an [`EditConflict`], and gate or
//!   phase changes made elsewhere (a second instance, `git pull`) are announced.
//! - **Saving** is a compare-and-swap: the file must still hold the version the buffer was loaded
//!   from (or, once a conflict is resolved, the disk version the user compared against), checked
//!   under the engagement lock. Otherwise the save is refused and the conflict view opens.
//! - **Conflict view**: mine vs disk side by side ([`side_by_side`]); keep mine (save over), take
//!   disk (my text is set aside in `.phasegate/recovery/` first), or merge by editing and then
//!   mark resolved.
//! - **Crash recovery**: a dirty buffer is autosaved to `.phasegate/recovery/` one second after
//!   the first keystroke not yet saved there (a one-shot deadline of the event loop, never a
//!   periodic timer) and removed on save; recovery files found when an engagement opens are
//!   offered: compare, restore or discard.

use std::sync::Arc;

use ratatui_textarea::DataCursor;

use crate::app::action::LiveAction;
use crate::app::effect::{Cleanup, Effect, LiveEffect};
use crate::app::keys::Command;
use crate::app::model::live::{Autosave, EditConflict, Live, LiveView, Offered, Stage, shown_path};
use crate::app::{Confirm, EngagementState, Mode, Overlay, Pane, Severity, State, TextBuffer};
use crate::domain::artifact::Artifact;
use crate::domain::digest::sha256_hex;
use crate::domain::evaluate::{Evaluation, GateState, GateStatus};
use crate::domain::journal::GateId;
use crate::domain::merge3::merge3;
use crate::domain::phase::Phase;
use crate::domain::sidebyside::{RowKind, SideBySide, side_by_side};
use crate::store::agents::is_agent;
use crate::store::engagement::LoadedEngagement;
use crate::store::recovery::{RecoveryFile, RecoveryKind};
use crate::store::watch::{WatchEvent, is_presence};

// ---------------------------------------------------------------------------------------------
// Actions and effects

/// The shown artifact was saved with this text: the buffer is clean if it still holds it, and
/// the engagement is read again.
fn saved(state: &mut State, artifact: Artifact, text: String) -> Vec<Effect> {
    let Some(e) = &mut state.engagement else {
        return Vec::new();
    };
    if e.shown_artifact() == Some(artifact) {
        if e.editor.text_equals(&text) {
            e.dirty = false;
        }
        e.saved_text = text;
        e.live_pending = true;
    }
    let root = e.root.clone();
    state.info(format!("saved {}", artifact.file_name()));
    vec![Effect::Load { root }]
}

/// The live state of the open engagement (reset when another engagement is open).
fn live_of(state: &mut State) -> Option<(&mut Live, &mut EngagementState)> {
    let e = state.engagement.as_mut()?;
    if state.live.root.as_deref() != Some(e.root.as_path()) {
        state.live = Live {
            root: Some(e.root.clone()),
            ..Live::default()
        };
    }
    Some((&mut state.live, e))
}

fn fx(effect: LiveEffect) -> Effect {
    Effect::Live(effect)
}

// ---------------------------------------------------------------------------------------------
// Running effects

// ---------------------------------------------------------------------------------------------
// Update

/// Applies a live action.
pub fn update(state: &mut State, action: LiveAction) -> Vec<Effect> {
    let Some((live, e)) = live_of(state) else {
        return Vec::new();
    };
    let root = e.root.clone();
    match action {
        // A late report of a watch on another engagement (the user switched).
        LiveAction::Watch { root: watched, .. } if watched != root => Vec::new(),
        LiveAction::Watch {
            event: WatchEvent::Armed(mode),
            ..
        } => {
            live.mode = Some(mode);
            let mut out = vec![
                fx(LiveEffect::Reload { root: root.clone() }),
                fx(LiveEffect::ScanPresence { root: root.clone() }),
            ];
            if !live.scanned {
                live.scanned = true;
                out.push(fx(LiveEffect::ScanRecovery {
                    root,
                    open_view: true,
                }));
            }
            out
        }
        LiveAction::Watch {
            event: WatchEvent::Changed(paths),
            ..
        } => {
            let mut out = Vec::new();
            if paths.iter().any(|p| is_presence(p)) {
                live.recheck_presence = true;
                out.push(fx(LiveEffect::ScanPresence { root: root.clone() }));
            }
            if !paths.iter().all(|p| is_presence(p)) {
                out.push(fx(LiveEffect::Reload { root }));
            }
            out
        }
        LiveAction::Watch {
            event: WatchEvent::Problem(m),
            ..
        } => {
            live.problem = Some(m.clone());
            state.error(format!("watch: {m}"));
            Vec::new()
        }
        LiveAction::Reloaded(mut loaded) => {
            if loaded.root != root {
                return Vec::new();
            }
            e.keep_catalog(&mut loaded);
            live.problem = None;
            // The re-read after arming usually finds what was loaded: nothing to re-evaluate.
            let same_issues = loaded.issues.len() == e.issues.len()
                && loaded
                    .issues
                    .iter()
                    .zip(&e.issues)
                    .all(|(new, old)| new.to_string() == *old);
            // An agent's session file is not watched: who is at work is read again with
            // every reload its writes cause.
            let scan = fx(LiveEffect::ScanPresence { root: root.clone() });
            if !e.dirty && same_issues && loaded.engagement == *e.engagement {
                return vec![scan];
            }
            let mut out = reloaded(state, *loaded, true);
            out.push(scan);
            // A `git pull` or a commit made elsewhere: where git stands is read again.
            out.push(Effect::GitStatus { root });
            out
        }
        LiveAction::ReloadFailed(m) => {
            live.problem = Some(m.clone());
            state.error(format!(
                "could not re-read the engagement: {m} (showing the last good state)"
            ));
            Vec::new()
        }
        LiveAction::AutosaveDue => {
            let recheck = std::mem::take(&mut live.recheck_presence);
            let mut out = autosave(state);
            if recheck {
                out.push(fx(LiveEffect::ScanPresence { root }));
            }
            out
        }
        LiveAction::AutosaveWritten {
            artifact,
            path,
            sha256,
        } => {
            live.autosave = Some(Autosave {
                artifact,
                path,
                sha256,
            });
            Vec::new()
        }
        LiveAction::RecoveryFound {
            files,
            problems,
            open_view,
        } => recovery_found(state, files, problems, open_view),
        LiveAction::Saved {
            artifact,
            text,
            kept,
        } => {
            live.conflict = None;
            live.autosave = None;
            live.restored = None;
            if matches!(live.view, Some(LiveView::Conflict { .. })) {
                live.view = None;
            }
            let effects = saved(state, artifact, text);
            if let Some(kept) = kept {
                state.info(format!(
                    "saved {}; the disk version it replaced is kept in {}",
                    artifact.file_name(),
                    shown_path(&root, &kept)
                ));
            }
            effects
        }
        LiveAction::SaveRefused { artifact, disk } => {
            if e.shown_artifact() == Some(artifact) && e.dirty {
                live.conflict = Some(EditConflict {
                    artifact,
                    disk,
                    stage: Stage::Open,
                });
                if state.mode == Mode::Edit {
                    // Typing goes on into the buffer: the choices wait in the conflict view.
                    let msg = refused_while_editing(&state.keys, artifact, Stage::Open);
                    state.error(msg);
                } else {
                    open_conflict_view(state);
                    state.error(format!(
                        "not saved: {} changed on disk since you loaded it — compare, then keep yours, take the disk version or merge",
                        artifact.file_name()
                    ));
                }
            }
            vec![fx(LiveEffect::Reload { root })]
        }
        LiveAction::TookDisk {
            artifact,
            set_aside,
        } => {
            live.conflict = None;
            live.autosave = None;
            live.restored = None;
            live.view = None;
            if e.shown_artifact() == Some(artifact) {
                let disk = e
                    .engagement
                    .texts
                    .get(&artifact)
                    .cloned()
                    .unwrap_or_default();
                replace_buffer(e, &disk);
                e.saved_text = disk;
                e.dirty = false;
                e.live = e.disk.clone();
                e.live_pending = false;
            }
            let shown = set_aside
                .strip_prefix(&root)
                .unwrap_or(&set_aside)
                .display()
                .to_string();
            state.mode = Mode::View;
            state.info(format!(
                "took the disk version of {}; your text is kept in {shown} (R lists recovery files)",
                artifact.file_name()
            ));
            vec![fx(LiveEffect::ScanRecovery {
                root,
                open_view: false,
            })]
        }
        LiveAction::Discarded { path, quiet } => {
            let was = live.offered.iter().position(|o| o.file.path == path);
            live.offered.retain(|o| o.file.path != path);
            if let Some(LiveView::Recovery {
                selected,
                compare,
                scroll,
                confirm_discard,
            }) = &mut live.view
                && was.is_some()
            {
                *selected = (*selected).min(live.offered.len().saturating_sub(1));
                *confirm_discard = false;
                if compare.is_some()
                    && let Some(o) = live.offered.get(*selected)
                {
                    let (rows, top) = compare_rows(e, o);
                    *compare = Some(rows);
                    *scroll = top;
                }
            }
            if live.offered.is_empty() && matches!(live.view, Some(LiveView::Recovery { .. })) {
                live.view = None;
            }
            if !quiet {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                state.info(format!("discarded recovery file {name}"));
            }
            Vec::new()
        }
        LiveAction::PresenceFound {
            root: found,
            others,
            agents,
        } => {
            if found == root {
                live.others = others;
                live.agents = agents;
            }
            Vec::new()
        }
        LiveAction::Failed(m) => {
            state.error(m);
            Vec::new()
        }
    }
}

/// Puts the view back at `place` (the scroll it had) and the cursor at `cursor` (as near as the
/// text allows) after the buffer's text was replaced.
fn reposition(e: &mut EngagementState, cursor: DataCursor, place: u64) {
    // The next draw clamps the view's top to the new text and only moves it if the cursor
    // would leave the view.
    e.view.keep_place(place);
    e.editor.jump_to(cursor.0, cursor.1);
}

/// Replaces the buffer's text, keeping the cursor and the scroll as near as the text allows.
pub(crate) fn replace_buffer(e: &mut EngagementState, text: &str) {
    let cursor = e.editor.cursor();
    let place = e.view.place();
    e.editor = TextBuffer::new(text);
    e.view.reset();
    reposition(e, cursor, place);
}

/// What an engagement looked like before a reload, for the announcement.
struct Before {
    texts: std::collections::BTreeMap<Artifact, String>,
    meta: crate::domain::meta::EngagementMeta,
    events: usize,
    build_files: Vec<crate::domain::evaluate::BuildFile>,
    disk: Arc<Evaluation>,
}

/// What a reload changed, in words: gates, phase, artifacts other than the shown one,
/// `engagement.toml`, the journal and `build/`.
fn announce(
    old: &Before,
    now: &EngagementState,
    shown_reloaded: Option<String>,
) -> Vec<(Severity, String)> {
    let mut out: Vec<(Severity, String)> = shown_reloaded
        .into_iter()
        .map(|m| (Severity::Info, m))
        .collect();
    for gate in [GateId::One, GateId::Two] {
        let (b, a) = (old.disk.gate(gate), now.disk.gate(gate));
        let n = gate.number();
        if !decided(b, a) {
            continue;
        }
        out.push(match a.state {
            GateState::Approved => match &a.approval {
                Some(ap) if seq(a) != seq(b) => (
                    Severity::Info,
                    format!("Gate {n} approved by {} (event {})", ap.actor, ap.seq),
                ),
                _ => (
                    Severity::Info,
                    format!("Gate {n} holds again (the approved text is back)"),
                ),
            },
            GateState::Stale => {
                let files: Vec<&str> = a.stale.iter().map(|s| s.file.as_str()).collect();
                (
                    Severity::Error,
                    format!(
                        "Gate {n} is now STALE: {} changed since its approval",
                        files.join(", ")
                    ),
                )
            }
            GateState::Rejected => (Severity::Info, format!("Gate {n} rejected")),
            GateState::Pending => (Severity::Info, format!("Gate {n} reopened")),
        });
    }
    if old.disk.phase != now.disk.phase {
        out.push((
            Severity::Info,
            format!(
                "phase: {} → {}",
                old.disk.phase.title(),
                now.disk.phase.title()
            ),
        ));
    }
    let shown = now.shown_artifact();
    for a in Artifact::ALL.into_iter().filter(|a| Some(*a) != shown) {
        let (b, n) = (old.texts.get(&a), now.engagement.texts.get(&a));
        if b != n {
            out.push((
                Severity::Info,
                match n {
                    Some(_) => format!("{} changed on disk", a.file_name()),
                    None => format!("{} was deleted on disk", a.file_name()),
                },
            ));
        }
    }
    if old.meta != now.engagement.meta {
        out.push((Severity::Info, "engagement.toml changed on disk".into()));
    }
    let new_events = now
        .engagement
        .journal
        .events
        .get(old.events..)
        .unwrap_or(&[]);
    // An agent's writes are named, first: the humans govern what it does (DESIGN §7).
    let agents: Vec<(Severity, String)> = new_events
        .iter()
        .filter(|ev| is_agent(&ev.actor))
        .map(|ev| {
            (
                Severity::Info,
                format!("{}: {} (event {})", ev.actor, ev.body.summary(), ev.seq),
            )
        })
        .collect();
    let grew = new_events.iter().filter(|ev| !is_agent(&ev.actor)).count();
    out.splice(0..0, agents);
    if grew > 0 && !out.iter().any(|(_, m)| m.starts_with("Gate ")) {
        out.push((
            Severity::Info,
            format!(
                "journal: {grew} new event{}",
                if grew == 1 { "" } else { "s" }
            ),
        ));
    }
    if old.build_files != now.engagement.build_files && shown.is_some() {
        out.push((Severity::Info, "build/ changed on disk".into()));
    }
    out
}

fn seq(s: &GateStatus) -> Option<u64> {
    s.approval.as_ref().map(|x| x.seq)
}

/// Whether a gate's decision changed between two evaluations.
fn decided(before: &GateStatus, after: &GateStatus) -> bool {
    before.state != after.state || seq(before) != seq(after)
}

/// Applies a re-read engagement. `outside`: the reload follows a change made outside this
/// session (the watcher), so what changed is announced.
pub fn reloaded(state: &mut State, loaded: LoadedEngagement, outside: bool) -> Vec<Effect> {
    let before = state.engagement.as_ref().map(|e| e.disk.phase);
    let effects = reload_in_place(state, loaded, outside);
    if let Some(before) = before {
        follow_phase(state, before);
    }
    effects
}

/// The phase to show for the engagement's phase (a closed engagement shows its as-built).
fn shown_for(phase: Phase) -> Phase {
    match phase {
        Phase::Closed => Phase::AsBuilt,
        p => p,
    }
}

/// After an approval or a transition (here or elsewhere) the view follows the phase: a clean
/// buffer that showed the phase the engagement was in shows the new phase's artifact, and the
/// toast names the key that shows the previous one. A dirty buffer, or one showing another
/// phase on purpose, stays.
fn follow_phase(state: &mut State, before: Phase) {
    let Some(e) = state.engagement.as_mut() else {
        return;
    };
    let (was, now) = (shown_for(before), shown_for(e.disk.phase));
    if was == now || e.dirty || e.shown_phase != was {
        return;
    }
    let name = |p: Phase| {
        crate::domain::progress::artifact_of(p)
            .map_or_else(|| "build/".to_string(), |a| a.file_name().to_string())
    };
    let (old, new) = (name(was), name(now));
    e.show_phase(now);
    let show_was = match was {
        Phase::Requirements => Command::ShowPhase1,
        Phase::Feasibility => Command::ShowPhase2,
        Phase::Design => Command::ShowPhase3,
        Phase::Build => Command::ShowPhase4,
        Phase::AsBuilt | Phase::Closed => Command::ShowPhase5,
    };
    let key = state
        .keys
        .hint(crate::app::Context::View, show_was)
        .map(|k| format!(" ({k} shows {old})"))
        .unwrap_or_default();
    state.info_beside(format!("now in {}: showing {new}{key}", now.title()), false);
}

fn reload_in_place(state: &mut State, loaded: LoadedEngagement, outside: bool) -> Vec<Effect> {
    let mut forget: Cleanup = Vec::new();
    let (mut messages, conflict_msg, decided_gates, root) = {
        let Some((live, e)) = live_of(state) else {
            return Vec::new();
        };
        if e.dirty
            && let Some(a) = e.shown_artifact()
            && e.editor.text() == e.saved_text
        {
            // Edited and undone back to the text on disk: as good as clean.
            e.dirty = false;
            forget = cleanup_of(live, a);
            live.autosave = None;
            live.restored = None;
        }
        let was_dirty = e.dirty;
        let cursor = e.editor.cursor();
        let place = e.view.place();
        let before = Before {
            texts: e.engagement.texts.clone(),
            meta: e.engagement.meta.clone(),
            events: e.engagement.journal.events.len(),
            build_files: e.engagement.build_files.clone(),
            disk: e.disk.clone(),
        };
        // The text the buffer is based on: `replace_loaded` moves it to the disk's text, which
        // must not happen while the buffer has unsaved edits.
        let base_text = was_dirty.then(|| e.saved_text.clone());
        let old_text = (!was_dirty).then(|| e.editor.text());
        let _ = e.replace_loaded(loaded);
        let shown = e.shown_artifact();
        let mut shown_msg: Option<String> = None;
        let mut conflict_msg: Option<String> = None;
        if let Some(old_text) = old_text {
            live.conflict = None;
            if e.editor.text() != old_text {
                reposition(e, cursor, place);
                shown_msg = Some(match shown {
                    Some(a) if !e.engagement.texts.contains_key(&a) => {
                        format!("{} was deleted on disk", a.file_name())
                    }
                    Some(a) => format!("reloaded: {} changed on disk", a.file_name()),
                    None => "reloaded: build/ changed on disk".into(),
                });
            }
        } else if let Some(a) = shown {
            e.saved_text = base_text.unwrap_or_default();
            let disk = e.engagement.texts.get(&a).cloned();
            let disk_sha = disk.as_deref().map(|t| sha256_hex(t.as_bytes()));
            let base = match &live.conflict {
                Some(c) if c.artifact == a && c.stage == Stage::Resolved => c.disk_sha(),
                _ => Some(sha256_hex(e.saved_text.as_bytes())),
            };
            if disk_sha == base {
                // The disk is (again) the version the buffer is based on.
                if live
                    .conflict
                    .as_ref()
                    .is_some_and(|c| c.stage != Stage::Resolved)
                {
                    live.conflict = None;
                    conflict_msg = Some(format!(
                        "{} is back to the version you started from; no conflict",
                        a.file_name()
                    ));
                }
            } else if disk.as_deref() == Some(e.editor.text().as_str()) {
                // Someone saved exactly this buffer's text: nothing to merge.
                e.saved_text = disk.unwrap_or_default();
                e.dirty = false;
                live.conflict = None;
                forget = cleanup_of(live, a);
                live.autosave = None;
                live.restored = None;
                conflict_msg = Some(format!("{} on disk now matches your buffer", a.file_name()));
            } else if live
                .conflict
                .as_ref()
                .is_none_or(|c| c.artifact != a || c.disk != disk)
            {
                let what = if disk.is_some() {
                    "changed"
                } else {
                    "was deleted"
                };
                live.conflict = Some(EditConflict {
                    artifact: a,
                    disk,
                    stage: Stage::Open,
                });
                conflict_msg = Some(format!(
                    "CONFLICT: {} {what} on disk while you were editing — your buffer is kept; C compares and lets you choose",
                    a.file_name()
                ));
                if matches!(live.view, Some(LiveView::Conflict { .. })) {
                    open_conflict_view_inner(live, e);
                }
            }
            e.live_pending = true;
        }
        let decided_gates: Vec<GateId> = [GateId::One, GateId::Two]
            .into_iter()
            .filter(|g| decided(before.disk.gate(*g), e.disk.gate(*g)))
            .collect();
        (
            announce(&before, e, shown_msg),
            conflict_msg,
            decided_gates,
            e.root.clone(),
        )
    };
    // This session's recovery files of a buffer that turned out saved.
    let effects = if forget.is_empty() {
        Vec::new()
    } else {
        vec![fx(LiveEffect::Forget {
            root,
            cleanup: forget,
        })]
    };
    // A decision being confirmed on a gate that was just decided elsewhere is void.
    if let Some(Overlay::Confirm(Confirm::Approve(d) | Confirm::Reject(d))) = &state.overlay
        && decided_gates.contains(&d.gate)
    {
        let n = d.gate.number();
        state.overlay = None;
        messages.insert(
            0,
            (
                Severity::Error,
                format!(
                    "Gate {n} was decided elsewhere while you reviewed; your decision was not recorded"
                ),
            ),
        );
    }
    if let Some(m) = &conflict_msg {
        messages.insert(0, (Severity::Error, m.clone()));
    }
    if messages.is_empty() {
        return effects;
    }
    let alarming = messages.iter().any(|(s, _)| *s == Severity::Error);
    let text = messages
        .into_iter()
        .map(|(_, m)| m)
        .collect::<Vec<_>>()
        .join(" · ");
    let refused = state
        .toast
        .as_ref()
        .is_some_and(|t| t.kind == Severity::Error);
    if refused && !outside {
        // Our own action was refused (a lost race): say what won, after the refusal.
        if let Some(t) = &mut state.toast {
            t.text = format!("{} — now: {text}", t.text);
        }
    } else if outside || conflict_msg.is_some() {
        if alarming {
            state.error(text);
        } else {
            state.info(text);
        }
    }
    effects
}

fn autosave(state: &mut State) -> Vec<Effect> {
    let Some((live, e)) = live_of(state) else {
        return Vec::new();
    };
    let Some(artifact) = e.shown_artifact() else {
        return Vec::new();
    };
    if !e.dirty {
        return Vec::new();
    }
    let text = e.editor.text();
    let sha = sha256_hex(text.as_bytes());
    let previous = live
        .autosave
        .as_ref()
        .filter(|a| a.artifact == artifact)
        .map(|a| (a.path.clone(), a.sha256.clone()));
    if previous.as_ref().is_some_and(|(_, s)| *s == sha) {
        return Vec::new();
    }
    vec![fx(LiveEffect::Autosave {
        root: e.root.clone(),
        artifact,
        text,
        previous,
    })]
}

/// The recovery files to remove once the buffer of `artifact` is saved or set aside.
fn cleanup_of(live: &Live, artifact: Artifact) -> Cleanup {
    let mut out: Cleanup = Vec::new();
    if let Some(a) = live.autosave.as_ref().filter(|a| a.artifact == artifact) {
        out.push((a.path.clone(), Some(a.sha256.clone())));
    }
    if let Some((p, sha)) = &live.restored {
        out.push((p.clone(), Some(sha.clone())));
    }
    out
}

/// The save of the shown buffer: a compare-and-swap against the version it was based on, or a
/// refusal while a conflict is unresolved.
pub fn save(state: &mut State, artifact: Artifact) -> Vec<Effect> {
    let editing = state.mode == Mode::Edit;
    let keys = state.keys.clone();
    let Some((live, e)) = live_of(state) else {
        return Vec::new();
    };
    let (expected, keep_disk) = match live.conflict.as_ref().filter(|c| c.artifact == artifact) {
        Some(c) if c.stage == Stage::Resolved => (c.disk_sha(), true),
        Some(c) if editing => {
            // Letters typed after Ctrl-S are text: the conflict's choices are not offered here.
            let msg = refused_while_editing(&keys, artifact, c.stage);
            state.error(msg);
            return Vec::new();
        }
        Some(c) => {
            let stage = c.stage;
            open_conflict_view(state);
            state.error(match stage {
                Stage::Merging => format!(
                    "not saved: mark the merge resolved first (a in this view), or keep yours (o) — {} changed on disk",
                    artifact.file_name()
                ),
                _ => format!(
                    "not saved: {} changed on disk while you were editing — keep yours (o), take the disk version (t) or merge (m)",
                    artifact.file_name()
                ),
            });
            return Vec::new();
        }
        None => (Some(sha256_hex(e.saved_text.as_bytes())), false),
    };
    // A text file ends with a newline: a buffer whose last line is not empty gets one (as an
    // undoable edit, so the buffer and the saved text agree).
    if e.editor.end_with_newline() {
        let last = e.editor.lines().len().saturating_sub(2);
        e.view.edited(last);
    }
    vec![fx(LiveEffect::Save {
        root: e.root.clone(),
        artifact,
        text: e.editor.text(),
        expected,
        keep_disk,
        cleanup: cleanup_of(live, artifact),
    })]
}

/// What a save refused because of a conflict says while the user is typing: how to reach the
/// conflict view, whose single-letter choices are never taken from typed text.
fn refused_while_editing(keys: &crate::app::Keys, artifact: Artifact, stage: Stage) -> String {
    let leave = keys
        .hint(crate::app::keys::Context::Edit, Command::Leave)
        .unwrap_or_else(|| "Esc".into());
    let show = keys
        .hint(crate::app::keys::Context::View, Command::ShowConflict)
        .unwrap_or_else(|| "C".into());
    let then = match stage {
        Stage::Merging => "mark the merge resolved there, then save",
        _ => "keep yours, take the disk version or merge",
    };
    format!(
        "not saved: {} changed on disk while you were editing — your text stays in the editor; {leave} then {show} compares: {then}",
        artifact.file_name()
    )
}

/// Effects to run before quitting with unsaved edits the user chose to discard: this session's
/// autosave goes too (it would be offered back otherwise).
pub fn discarding(state: &State) -> Vec<Effect> {
    let Some(live) = Live::current(state) else {
        return Vec::new();
    };
    let Some(e) = &state.engagement else {
        return Vec::new();
    };
    live.autosave
        .iter()
        .map(|a| {
            fx(LiveEffect::Discard {
                root: e.root.clone(),
                path: a.path.clone(),
                quiet: true,
            })
        })
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

fn open_conflict_view_inner(live: &mut Live, e: &EngagementState) {
    let Some(c) = &live.conflict else { return };
    let mine = lines(&e.editor.text());
    let disk = c.disk.as_deref().map(lines).unwrap_or_default();
    let rows = side_by_side(&mine, &disk);
    let scroll = rows.hunks.first().map_or(0, |h| h.start.saturating_sub(3));
    live.view = Some(LiveView::Conflict { rows, scroll });
    live.hscroll = 0;
}

fn open_conflict_view(state: &mut State) {
    if let Some((live, e)) = live_of(state) {
        open_conflict_view_inner(live, e);
    }
}

fn offered_of(e: &EngagementState, file: RecoveryFile) -> Offered {
    let disk = e
        .engagement
        .texts
        .get(&file.artifact)
        .map(|t| lines(t))
        .unwrap_or_default();
    let sbs = side_by_side(&lines(&file.text), &disk);
    let mut added = 0;
    let mut removed = 0;
    for r in &sbs.rows {
        match r.kind {
            RowKind::Changed => {
                added += 1;
                removed += 1;
            }
            RowKind::Deleted => added += 1,
            RowKind::Inserted => removed += 1,
            RowKind::Equal => {}
        }
    }
    Offered {
        file,
        added,
        removed,
    }
}

fn recovery_found(
    state: &mut State,
    files: Vec<RecoveryFile>,
    problems: Vec<String>,
    open_view: bool,
) -> Vec<Effect> {
    let Some((live, e)) = live_of(state) else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    let mut offered = Vec::new();
    let mut held = Vec::new();
    for file in files {
        if file.holder.is_some() {
            held.push(file);
            continue;
        }
        let ours = live.autosave.as_ref().is_some_and(|a| a.path == file.path)
            || live.restored.as_ref().is_some_and(|(p, _)| *p == file.path);
        if ours {
            continue;
        }
        if e.engagement.texts.get(&file.artifact) == Some(&file.text) {
            // Saved after all (a crash between the save and the removal): nothing to offer.
            effects.push(fx(LiveEffect::Discard {
                root: e.root.clone(),
                path: file.path.clone(),
                quiet: true,
            }));
            continue;
        }
        offered.push(offered_of(e, file));
    }
    let n = offered.len();
    live.offered = offered;
    live.held = held;
    let editing_elsewhere: Vec<String> = live
        .held
        .iter()
        .filter_map(|f| {
            let o = f.holder.as_ref()?;
            Some(format!(
                "{} is being edited by {}",
                f.artifact.file_name(),
                o.describe()
            ))
        })
        .collect();
    if n == 0 && open_view && !editing_elsewhere.is_empty() {
        // Not a recovery: someone is at work. Their unsaved text is theirs.
        if matches!(live.view, Some(LiveView::Recovery { .. })) {
            live.view = None;
        }
        state.info(format!(
            "{} (unsaved there; saving here may conflict)",
            editing_elsewhere.join(" · ")
        ));
    } else if n == 0 && open_view && matches!(live.view, Some(LiveView::Recovery { .. })) {
        live.view = None;
        state.info("no recovery files: every buffer was saved");
    } else if let (true, Some(first)) = (open_view, live.offered.first()) {
        let (rows, scroll) = compare_rows(e, first);
        live.view = Some(LiveView::Recovery {
            selected: 0,
            compare: Some(rows),
            scroll,
            confirm_discard: false,
        });
        state.info(format!(
            "{n} recovery file{} from an earlier session: compare (c), restore (r) or discard (x)",
            if n == 1 { "" } else { "s" }
        ));
    }
    if let Some(p) = problems.first() {
        state.error(format!("recovery: {p}"));
    }
    effects
}

// ---------------------------------------------------------------------------------------------
// Commands

/// Global commands of this module (outside its views).
pub fn command(state: &mut State, c: Command) -> Vec<Effect> {
    match c {
        Command::ShowConflict => {
            if Live::conflict_of(state).is_some() {
                state.mode = Mode::View;
                open_conflict_view(state);
            } else {
                state.info("no conflict: the buffer is based on the file on disk");
            }
            Vec::new()
        }
        Command::ShowRecovery => {
            let Some((live, e)) = live_of(state) else {
                return Vec::new();
            };
            live.view = Some(LiveView::Recovery {
                selected: 0,
                compare: None,
                scroll: 0,
                confirm_discard: false,
            });
            live.hscroll = 0;
            let root = e.root.clone();
            state.mode = Mode::View;
            vec![fx(LiveEffect::ScanRecovery {
                root,
                open_view: true,
            })]
        }
        _ => Vec::new(),
    }
}

fn scroll_by(scroll: &mut usize, c: Command, rows: usize, page: usize) {
    let last = rows.saturating_sub(1);
    *scroll = match c {
        Command::MoveDown => scroll.saturating_add(1),
        Command::MoveUp => scroll.saturating_sub(1),
        Command::PageDown => scroll.saturating_add(page),
        Command::PageUp => scroll.saturating_sub(page),
        Command::Top => 0,
        Command::Bottom => last,
        _ => *scroll,
    }
    .min(last);
}

/// A command while a live view is open.
pub fn view_command(state: &mut State, c: Command) -> Vec<Effect> {
    let page = crate::app::layout::pages(state).pane;
    match c {
        Command::Help => {
            // Help opens on top of the view; the view is still there when it closes.
            state.overlay = Some(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        Command::ForceQuit => {
            state.live.view = None;
            return super::common::quit_or_ask(state);
        }
        Command::Leave | Command::Cancel | Command::Quit => {
            state.live.view = None;
            return Vec::new();
        }
        // The key that opened a view opens it afresh: R looks at the recovery files again
        // (an instance may have died since the list was made, or the list is still coming).
        Command::ShowRecovery | Command::ShowConflict => return command(state, c),
        Command::MoveLeft | Command::MoveRight => {
            let widest = match &state.live.view {
                Some(LiveView::Conflict { rows, .. })
                | Some(LiveView::Recovery {
                    compare: Some(rows),
                    ..
                }) => widest(rows),
                _ => 0,
            };
            let step = crate::app::layout::HSCROLL_STEP.unsigned_abs();
            let h = state.live.hscroll;
            state.live.hscroll = if c == Command::MoveLeft {
                h.saturating_sub(step)
            } else {
                h.saturating_add(step).min(widest.saturating_sub(1))
            };
            return Vec::new();
        }
        _ => {}
    }
    match state.live.view.clone() {
        Some(LiveView::Conflict { .. }) => conflict_command(state, c, page),
        Some(LiveView::Recovery { .. }) => recovery_command(state, c, page),
        None => Vec::new(),
    }
}

fn conflict_command(state: &mut State, c: Command, page: usize) -> Vec<Effect> {
    let Some((live, e)) = live_of(state) else {
        return Vec::new();
    };
    let Some(conflict) = live.conflict.clone() else {
        live.view = None;
        return Vec::new();
    };
    let file = conflict.artifact.file_name();
    match c {
        Command::KeepMine => {
            if let Some(why) = e
                .edit_refusal()
                .filter(|_| e.engagement.texts.contains_key(&conflict.artifact))
            {
                state.error(format!("cannot save: {why}"));
                return Vec::new();
            }
            if let Some(cf) = &mut live.conflict {
                cf.stage = Stage::Resolved;
            }
            vec![fx(LiveEffect::Save {
                root: e.root.clone(),
                artifact: conflict.artifact,
                text: e.editor.text(),
                expected: conflict.disk_sha(),
                keep_disk: true,
                cleanup: cleanup_of(live, conflict.artifact),
            })]
        }
        Command::TakeDisk => vec![fx(LiveEffect::TakeDisk {
            root: e.root.clone(),
            artifact: conflict.artifact,
            mine: e.editor.text(),
            cleanup: cleanup_of(live, conflict.artifact)
                .into_iter()
                .filter(|(p, _)| live.restored.as_ref().is_none_or(|(r, _)| r != p))
                .collect(),
        })],
        Command::MergeEdit => {
            live.view = None;
            let editable = e.edit_refusal().is_none();
            // A three-way merge of the version the buffer was loaded from, mine and the disk's:
            // every change of one side applied, markers only where both changed the same lines.
            let merged = conflict.disk.as_deref().filter(|_| editable).map(|disk| {
                merge3(
                    &e.saved_text,
                    &e.editor.text(),
                    disk,
                    ["mine", "base (as last loaded)", "disk"],
                )
            });
            let stage = match &merged {
                Some(m) if m.conflicts == 0 => Stage::Resolved,
                _ => Stage::Merging,
            };
            if let Some(cf) = &mut live.conflict {
                cf.stage = stage;
            }
            let message = match merged {
                None => format!(
                    "merging {file}: bring the disk's changes into your buffer (C shows the diff), then mark it resolved (a) and save"
                ),
                Some(merged) => {
                    // One edit replaces the buffer, so Ctrl-Z gives mine back; the resolved save
                    // keeps the disk version it replaces in .phasegate/recovery/.
                    e.editor.replace_all(&merged.text);
                    e.view.edited(0);
                    e.dirty = true;
                    e.live_pending = true;
                    if merged.conflicts == 0 {
                        format!(
                            "merged {file}: your changes and the disk's, no conflict; review and save (Ctrl-S); Ctrl-Z gives yours back"
                        )
                    } else {
                        format!(
                            "merged {file}: {} conflicting hunk(s) between <<<<<<< mine and >>>>>>> disk; edit them, mark resolved (a), save",
                            merged.conflicts
                        )
                    }
                }
            };
            state.pane = Pane::Editor;
            if editable {
                state.mode = Mode::Edit;
            }
            state.info(message);
            Vec::new()
        }
        Command::MarkResolved => {
            if let Some(cf) = &mut live.conflict {
                cf.stage = Stage::Resolved;
            }
            live.view = None;
            state.info(format!(
                "resolved: saving replaces the disk version of {file} you compared against (Ctrl-S)"
            ));
            Vec::new()
        }
        Command::NextHunk | Command::PrevHunk => {
            if let Some(LiveView::Conflict { rows, scroll }) = &mut live.view {
                *scroll = jump_hunk(rows, *scroll, c == Command::NextHunk);
            }
            Vec::new()
        }
        other => {
            if let Some(LiveView::Conflict { rows, scroll }) = &mut live.view {
                scroll_by(scroll, other, rows.rows.len(), page);
            }
            Vec::new()
        }
    }
}

fn recovery_command(state: &mut State, c: Command, page: usize) -> Vec<Effect> {
    let Some((live, e)) = live_of(state) else {
        return Vec::new();
    };
    let Some(LiveView::Recovery {
        selected,
        compare,
        scroll,
        confirm_discard,
    }) = live.view.clone()
    else {
        return Vec::new();
    };
    let Some(entry) = live.offered.get(selected).cloned() else {
        if !matches!(c, Command::MoveDown | Command::MoveUp) {
            live.view = None;
        }
        return Vec::new();
    };
    let set = |live: &mut Live,
               selected: usize,
               compare: Option<SideBySide>,
               scroll: usize,
               confirm: bool| {
        if compare.is_none()
            || live.offered.get(selected).map(|o| &o.file.path) != Some(&entry.file.path)
        {
            live.hscroll = 0;
        }
        live.view = Some(LiveView::Recovery {
            selected,
            compare,
            scroll,
            confirm_discard: confirm,
        });
    };
    if confirm_discard && c == Command::Confirm {
        return vec![fx(LiveEffect::Discard {
            root: e.root.clone(),
            path: entry.file.path.clone(),
            quiet: false,
        })];
    }
    match c {
        Command::MoveDown | Command::MoveUp => {
            let last = live.offered.len().saturating_sub(1);
            let s = if c == Command::MoveDown {
                (selected + 1).min(last)
            } else {
                selected.saturating_sub(1)
            };
            let (rows, top) = match (&compare, live.offered.get(s)) {
                (Some(_), Some(o)) => {
                    let (rows, top) = compare_rows(e, o);
                    (Some(rows), top)
                }
                _ => (None, 0),
            };
            set(live, s, rows, top, false);
        }
        Command::CompareRecovery | Command::Confirm => {
            if compare.is_some() {
                set(live, selected, None, 0, false);
            } else {
                let (rows, top) = compare_rows(e, &entry);
                set(live, selected, Some(rows), top, false);
            }
        }
        Command::NextHunk | Command::PrevHunk => {
            if let Some(rows) = &compare {
                let s = jump_hunk(rows, scroll, c == Command::NextHunk);
                set(live, selected, compare, s, false);
            }
        }
        Command::RestoreRecovery => {
            let artifact = entry.file.artifact;
            if e.dirty {
                let msg = format!(
                    "save or undo your edits of {} before restoring a recovery file",
                    e.shown_artifact().map_or("the buffer", Artifact::file_name)
                );
                state.error(msg);
                return Vec::new();
            }
            let refusal = if e.engagement.texts.contains_key(&artifact) {
                crate::domain::rules::edit_refusal(Some(artifact), e.disk.phase)
            } else {
                Some(format!("{} does not exist on disk", artifact.file_name()))
            };
            if let Some(why) = refusal {
                state.error(format!(
                    "cannot restore into {}: {why}; compare (c) shows the text",
                    artifact.file_name()
                ));
                return Vec::new();
            }
            e.show_phase(artifact.phase());
            e.editor = TextBuffer::new(&entry.file.text);
            e.view.reset();
            e.dirty = entry.file.text != e.saved_text;
            e.live_pending = true;
            let sha = sha256_hex(entry.file.text.as_bytes());
            live.restored = Some((entry.file.path.clone(), sha.clone()));
            if entry.file.kind == RecoveryKind::Autosave {
                // Adopt it: this session's autosaves of the buffer go there from now on.
                live.autosave = Some(Autosave {
                    artifact,
                    path: entry.file.path.clone(),
                    sha256: sha,
                });
            }
            live.offered.retain(|o| o.file.path != entry.file.path);
            live.view = None;
            state.pane = Pane::Editor;
            state.info(format!(
                "restored {} from {}: review it and save (Ctrl-S)",
                artifact.file_name(),
                entry.file.name
            ));
        }
        Command::DiscardRecovery => {
            set(live, selected, compare, scroll, true);
            let yes = state
                .keys
                .hint(crate::app::keys::Context::Overlay, Command::Confirm)
                .unwrap_or_else(|| "confirm".into());
            state.error(format!(
                "discard {}? its text is deleted for good — press {yes} to delete, any other key keeps it",
                entry.file.name
            ));
        }
        other => {
            let mut s = scroll;
            if let Some(rows) = &compare {
                scroll_by(&mut s, other, rows.rows.len(), page);
            }
            set(live, selected, compare, s, false);
        }
    }
    Vec::new()
}

/// The widest line of a compare, in display columns (bounds scrolling sideways).
fn widest(rows: &SideBySide) -> usize {
    rows.rows
        .iter()
        .flat_map(|r| [r.left.as_ref(), r.right.as_ref()])
        .flatten()
        .map(|c| unicode_width::UnicodeWidthStr::width(c.text().as_str()))
        .max()
        .unwrap_or(0)
}

/// The selected recovery file against the disk, scrolled to its first difference.
fn compare_rows(e: &EngagementState, o: &Offered) -> (SideBySide, usize) {
    let disk = e
        .engagement
        .texts
        .get(&o.file.artifact)
        .map(|t| lines(t))
        .unwrap_or_default();
    let rows = side_by_side(&lines(&o.file.text), &disk);
    let top = rows.hunks.first().map_or(0, |h| h.start.saturating_sub(3));
    (rows, top)
}

/// The scroll position that shows the next (or previous) hunk, wrapping around.
fn jump_hunk(rows: &SideBySide, scroll: usize, forward: bool) -> usize {
    let next = if forward {
        rows.hunks
            .iter()
            .find(|h| h.start > scroll + 3)
            .or(rows.hunks.first())
    } else {
        rows.hunks
            .iter()
            .rev()
            .find(|h| h.start + 3 < scroll)
            .or(rows.hunks.last())
    };
    next.map_or(scroll, |h| h.start.saturating_sub(3))
}
