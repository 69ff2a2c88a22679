//! One engagement open, as the model holds it: what is on disk, the editor buffer, the live
//! evaluation of the buffer, the gate review, the build board and the diff (`model::build`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use super::build::BuildState;
use super::review::{DraftSync, ReviewBasis};
use crate::app::buffer::TextBuffer;
use crate::domain::artifact::Artifact;
use crate::domain::criteria::{CriterionEval, CriterionKind};
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::{Evaluation, evaluate};
use crate::domain::journal::{CriterionResult, GateId};
use crate::domain::phase::Phase;
use crate::domain::progress::{artifact_of, gate_ahead};
use crate::domain::rules::{GateReview, edit_refusal};
use crate::store::engagement::LoadedEngagement;

/// The reviewer's input for the gate ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub gate: GateId,
    pub checks: BTreeSet<String>,
    pub waivers: BTreeMap<String, String>,
    /// The reviewer's note sent with the decision.
    pub note: String,
    pub selected: usize,
    /// What the ticks were made against (set at the first tick; `app::update::review`).
    pub basis: Option<ReviewBasis>,
}

impl Review {
    pub fn new(gate: GateId) -> Review {
        Review {
            gate,
            checks: BTreeSet::new(),
            waivers: BTreeMap::new(),
            note: String::new(),
            selected: 0,
            basis: None,
        }
    }

    /// Nothing ticked, waived or noted.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty() && self.waivers.is_empty() && self.note.is_empty()
    }

    /// Forgets the reviewer's input (the selection stays).
    pub fn clear(&mut self) {
        *self = Review {
            selected: self.selected,
            ..Review::new(self.gate)
        };
    }

    pub fn as_gate_review(&self) -> GateReview {
        GateReview {
            checks: self.checks.iter().cloned().collect(),
            waivers: self
                .waivers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            note: self.note.clone(),
        }
    }
}

/// What git says about the open engagement (`store::git::engagement_status`), for the status
/// bar: the full line and a short one for a narrow terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitLine {
    /// `GitStatus::summary()`: branch, ahead/behind its upstream, events not committed.
    pub summary: String,
    /// `git: 1 behind, 2 decisions not committed`.
    pub short: String,
}

impl GitLine {
    pub fn of(status: &crate::store::git::GitStatus) -> GitLine {
        let mut short = Vec::new();
        if status.behind > 0 {
            short.push(format!("{} behind", status.behind));
        }
        if status.ahead > 0 {
            short.push(format!("{} ahead", status.ahead));
        }
        let decisions = status.uncommitted_decisions();
        if decisions > 0 {
            short.push(format!(
                "{decisions} decision{} not committed",
                if decisions == 1 { "" } else { "s" }
            ));
        } else if !status.uncommitted.is_empty() || !status.changed.is_empty() {
            short.push("uncommitted changes".into());
        }
        if short.is_empty() {
            short.push("committed".into());
        }
        GitLine {
            summary: status.summary(),
            short: format!("git: {}", short.join(", ")),
        }
    }
}

/// One engagement open: what is on disk, the editor buffer, and the live evaluation of the
/// buffer.
#[derive(Debug, Clone)]
pub struct EngagementState {
    pub root: PathBuf,
    /// Shared with the live re-check's worker (`LiveJob`): a keystroke copies no engagement.
    pub engagement: Arc<Engagement>,
    /// Whether the workspace's catalog was read into `engagement` (or asked for): a load reads
    /// it only when the design on disk reuses from it, so a reload keeps the one the buffer's
    /// catalog reuses were checked against ([`EngagementState::keep_catalog`]), and a buffer
    /// that starts reusing from it asks for it ([`EngagementState::apply_live`]).
    pub catalog_read: bool,
    /// Load problems (shown as a banner; the TUI keeps working with what is valid).
    pub issues: Vec<String>,
    /// Evaluation of the text on disk (shared: `live` is the same one while the buffer is clean,
    /// and a 50,000-line artifact's evaluation is megabytes to copy).
    pub disk: Arc<Evaluation>,
    /// Evaluation with the buffer text swapped in (what the gate pane shows).
    pub live: Arc<Evaluation>,
    pub shown_phase: Phase,
    pub editor: TextBuffer,
    /// The shown artifact's text on disk (what `dirty` compares against).
    pub saved_text: String,
    pub dirty: bool,
    /// The buffer changed since `live` was computed.
    pub live_pending: bool,
    /// A live re-check is being evaluated off the input path: the next one waits for its
    /// result, so the buffer's text is taken once per evaluation rather than once per key
    /// (the edits made meanwhile are in the next one).
    pub live_running: bool,
    /// Counts the changes of what the panes show from `live` (the loop draws again for those
    /// only, `app::driver`).
    pub live_shown: u64,
    pub review: Review,
    /// The reviewer's draft on disk (`app::update::review`).
    pub draft: DraftSync,
    pub journal_selected: usize,
    /// The selected journal event is shown in full, scrolled this many rows (`Enter`).
    pub journal_detail: Option<usize>,
    pub search: String,
    /// The build board and the diff pane (`model::build`, `app::update::build`).
    pub build: BuildState,
    /// What the view needs to know about the buffer (its identity, its place, the rows edits
    /// touched).
    pub view: BufferMarks,
    /// The engagement's git status as last read (`Effect::GitStatus`, on every load; `None`
    /// outside a git work tree).
    pub git: Option<GitLine>,
}

/// What the view needs to know about the editor buffer, as plain data (the view's own state is
/// `ui::ViewState`): the buffer's identity for the view's caches ([`BufferMarks::id`], new
/// whenever the text is replaced), the identity of the place the view keeps
/// ([`BufferMarks::place`]: the view starts at the top of a new place, and keeps its scroll
/// while the place stays, e.g. across a reload) and the rows the latest edits touched
/// ([`BufferMarks::edited_since`]), so the highlighter re-parses from there. A clone gets a new
/// id (its highlighting is rebuilt from its own text) and the same place.
#[derive(Debug)]
pub struct BufferMarks {
    id: u64,
    place: u64,
    /// Counts the edits; `edits` holds the latest ones as (count, first row touched).
    seq: u64,
    edits: std::collections::VecDeque<(u64, usize)>,
}

/// How many edits [`BufferMarks`] remembers; a view further behind re-parses from the top.
const EDITS_KEPT: usize = 64;

fn next_view_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Default for BufferMarks {
    fn default() -> Self {
        BufferMarks {
            id: next_view_id(),
            place: next_view_id(),
            seq: 0,
            edits: std::collections::VecDeque::new(),
        }
    }
}

impl Clone for BufferMarks {
    fn clone(&self) -> Self {
        BufferMarks {
            place: self.place,
            ..BufferMarks::default()
        }
    }
}

impl BufferMarks {
    /// The buffer's identity for the view's caches.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The place the view keeps its scroll for.
    pub fn place(&self) -> u64 {
        self.place
    }

    /// Counts the edits so far (what a cache remembers it has seen).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// An edit changed rows from `row` on.
    pub fn edited(&mut self, row: usize) {
        self.seq += 1;
        if self.edits.len() == EDITS_KEPT {
            self.edits.pop_front();
        }
        self.edits.push_back((self.seq, row));
    }

    /// The first row edited after edit number `seen` (`Some(0)` when that is too long ago to
    /// tell), `None` when nothing was.
    pub fn edited_since(&self, seen: u64) -> Option<usize> {
        if seen >= self.seq {
            return None;
        }
        let oldest = self.edits.front().map_or(self.seq, |(s, _)| *s);
        if seen.saturating_add(1) < oldest {
            return Some(0);
        }
        self.edits
            .iter()
            .filter(|(s, _)| *s > seen)
            .map(|(_, row)| *row)
            .min()
    }

    /// The buffer was replaced: nothing cached for it applies, and its view starts at the top.
    pub fn reset(&mut self) {
        *self = BufferMarks::default();
    }

    /// The view keeps the scroll it had at `place` (a replaced text shown where the old one
    /// was; the next frame clamps it to the new text).
    pub fn keep_place(&mut self, place: u64) {
        self.place = place;
    }
}

/// `build/` as a read-only listing: components of the contract and the files.
pub fn build_listing(e: &Engagement, ev: &Evaluation) -> String {
    let mut out = String::from("# Build\n\n## Components (build order)\n");
    for id in &ev.build_order.order {
        if let Some(c) = ev.component(*id) {
            out.push_str(&format!("- {} [{}] {}\n", c.id, c.status.as_str(), c.title));
        }
    }
    if ev.build_order.order.is_empty() {
        out.push_str("(no components yet)\n");
    }
    out.push_str("\n## Files in build/\n");
    for f in &e.build_files {
        match (&f.sha256, &f.problem) {
            (_, Some(p)) => out.push_str(&format!("- {}  ({p})\n", f.path)),
            (Some(sha), None) => out.push_str(&format!("- {}  {}\n", f.path, short_hash(sha))),
            (None, None) => out.push_str(&format!("- {}\n", f.path)),
        }
    }
    if e.build_files.is_empty() {
        out.push_str("(empty)\n");
    }
    out
}

/// Where `needle` occurs in `lines`, case-insensitively: (row, character column), in order.
pub fn search_matches(lines: &[String], needle: &str) -> Vec<(usize, usize)> {
    let needle = needle.to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let lower = line.to_lowercase();
        // Lowercasing can change byte lengths; columns are counted on the lowered line, which
        // has the same characters for every script phasegate's artifacts use.
        let mut from = 0;
        while let Some(b) = lower.get(from..).and_then(|rest| rest.find(&needle)) {
            let at = from + b;
            out.push((row, lower[..at].chars().count()));
            from = at + needle.len().max(1);
        }
    }
    out
}

pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

impl EngagementState {
    pub fn new(loaded: LoadedEngagement) -> EngagementState {
        let disk = Arc::new(evaluate(&loaded.engagement));
        let shown_phase = match disk.phase {
            Phase::Closed => Phase::AsBuilt,
            p => p,
        };
        let gate = gate_ahead(&disk);
        let mut state = EngagementState {
            root: loaded.root,
            issues: loaded.issues.iter().map(ToString::to_string).collect(),
            live: disk.clone(),
            disk,
            engagement: Arc::new(loaded.engagement),
            catalog_read: loaded.catalog_read,
            shown_phase,
            editor: TextBuffer::new(""),
            saved_text: String::new(),
            dirty: false,
            live_pending: false,
            live_running: false,
            live_shown: 0,
            review: Review::new(gate),
            draft: DraftSync::default(),
            journal_selected: 0,
            journal_detail: None,
            search: String::new(),
            build: BuildState::default(),
            view: BufferMarks::default(),
            git: None,
        };
        state.build = BuildState::new(&state.disk);
        state.show_phase(shown_phase);
        state
    }

    pub fn shown_artifact(&self) -> Option<Artifact> {
        artifact_of(self.shown_phase)
    }

    /// The text on disk of whatever `phase` shows.
    fn disk_text(&self, phase: Phase) -> String {
        match artifact_of(phase) {
            Some(a) => self.engagement.texts.get(&a).cloned().unwrap_or_default(),
            None => build_listing(&self.engagement, &self.disk),
        }
    }

    /// Shows `phase`'s artifact from disk, cursor at line 1, column 1 (discarding the buffer).
    pub fn show_phase(&mut self, phase: Phase) {
        self.shown_phase = phase;
        let text = self.disk_text(phase);
        self.editor = TextBuffer::new(&text);
        self.view.reset();
        self.saved_text = text;
        self.dirty = false;
        self.live = self.disk.clone();
        self.live_pending = false;
    }

    pub fn edit_refusal(&self) -> Option<String> {
        if let Some(a) = self.shown_artifact()
            && !self.engagement.texts.contains_key(&a)
        {
            return Some(format!(
                "read-only: {} does not exist yet{}",
                a.file_name(),
                if a == Artifact::AsBuilt {
                    " (it is created at the first Gate 2 approval)"
                } else {
                    ""
                }
            ));
        }
        edit_refusal(self.shown_artifact(), self.disk.phase)
    }

    /// Replaces what is on disk after a reload. A clean buffer follows the disk (cursor kept); a
    /// dirty buffer is kept and flagged when the disk changed under it.
    pub fn replace_loaded(&mut self, mut loaded: LoadedEngagement) -> bool {
        self.keep_catalog(&mut loaded);
        self.issues = loaded.issues.iter().map(ToString::to_string).collect();
        self.engagement = Arc::new(loaded.engagement);
        self.disk = Arc::new(evaluate(&self.engagement));
        self.build.reload(&self.engagement, &self.disk);
        let new_text = self.disk_text(self.shown_phase);
        let mut conflict = false;
        if self.dirty {
            conflict = new_text != self.saved_text;
            self.saved_text = new_text;
            self.live_pending = true;
        } else {
            if new_text != self.editor.text() {
                let ratatui_textarea::DataCursor(row, col) = self.editor.cursor();
                self.editor = TextBuffer::new(&new_text);
                self.view.reset();
                self.editor.jump_to(row, col);
            }
            self.saved_text = new_text;
            self.live = self.disk.clone();
            self.live_pending = false;
        }
        let gate = gate_ahead(&self.disk);
        if gate != self.review.gate {
            self.review = Review::new(gate);
        }
        conflict
    }

    /// Gives `loaded` the catalog read before when its load did not read one (its design on
    /// disk reuses nothing from it, but the buffer, or the design about to be saved, may):
    /// without it, a reload would fail the buffer's catalog reuses as dangling (G2-3).
    pub fn keep_catalog(&self, loaded: &mut LoadedEngagement) {
        if self.catalog_read && !loaded.catalog_read {
            loaded.engagement.catalog = Arc::clone(&self.engagement.catalog);
            loaded.catalog_read = true;
        }
    }

    /// Takes the live re-check that is due (`Action::LiveRecheck`): a clean buffer settles at
    /// once from the disk evaluation; an edited one needs an evaluation with its text swapped
    /// in, returned as a job to run off the input path (`Effect::Evaluate`).
    pub fn take_live_job(&mut self) -> Option<LiveJob> {
        if !self.live_pending {
            return None;
        }
        self.live_pending = false;
        match self.shown_artifact() {
            Some(artifact) if self.dirty => {
                self.live_running = true;
                Some(LiveJob {
                    engagement: Arc::clone(&self.engagement),
                    artifact,
                    text: self.editor.snapshot(),
                })
            }
            _ => {
                let disk = self.disk.clone();
                self.show_live(disk);
                None
            }
        }
    }

    /// Takes a live re-check computed off the input path, unless the buffer went clean
    /// meanwhile (then the disk evaluation already holds). Returns true when the buffer reuses
    /// from the catalog and the catalog was never read: it is to be read (`Effect::LoadCatalog`),
    /// and its arrival re-checks the buffer.
    pub fn apply_live(&mut self, evaluation: Evaluation) -> bool {
        self.live_running = false;
        if !self.dirty {
            return false;
        }
        let read_catalog = !self.catalog_read && !evaluation.reuse.dangling.is_empty();
        if read_catalog {
            self.catalog_read = true;
        }
        self.show_live(Arc::new(evaluation));
        read_catalog
    }

    fn show_live(&mut self, live: Arc<Evaluation>) {
        let changed = !Arc::ptr_eq(&live, &self.live)
            && visible_summary(&live) != visible_summary(&self.live);
        self.live = live;
        if changed {
            self.live_shown = self.live_shown.wrapping_add(1);
        }
    }

    /// The live criteria of the reviewed gate with the result the reviewer's input gives them.
    pub fn review_rows(&self) -> Vec<(&CriterionEval, CriterionResult)> {
        let gate = self.review.gate;
        let status = self.live.gate(gate);
        self.live
            .criteria_of(gate)
            .map(|c| {
                let base = crate::domain::evaluate::shown_result(&self.engagement, status, c);
                let result = if c.result == CriterionResult::Pass {
                    CriterionResult::Pass
                } else if self.review.waivers.contains_key(&c.def.id) {
                    CriterionResult::Waived
                } else if c.def.kind == CriterionKind::Manual
                    && self.review.checks.contains(&c.def.id)
                {
                    CriterionResult::Checked
                } else {
                    base
                };
                (c, result)
            })
            .collect()
    }
}

/// The live gate re-check of an edited buffer: the engagement as loaded (shared, not copied)
/// and the buffer's text for `artifact`. Evaluated on the loop's worker, or in place by
/// `driver::Driver::recheck`.
#[derive(Debug, Clone)]
pub struct LiveJob {
    engagement: Arc<Engagement>,
    artifact: Artifact,
    /// Shared with the buffer: joined into one string on the worker, not on the input path.
    text: crate::app::buffer::TextSnapshot,
}

impl LiveJob {
    /// The evaluation with the buffer's text in place of the artifact on disk.
    pub fn evaluate(self) -> Evaluation {
        let mut e = Arc::unwrap_or_clone(self.engagement);
        e.texts.insert(self.artifact, self.text.text());
        evaluate(&e)
    }
}

impl PartialEq for LiveJob {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.engagement, &other.engagement)
            && self.artifact == other.artifact
            && self.text == other.text
    }
}

impl Eq for LiveJob {}

/// What the panes show from a live evaluation, to tell whether a re-check needs a redraw.
fn visible_summary(ev: &crate::domain::evaluate::Evaluation) -> impl PartialEq + use<> {
    let criteria: Vec<(String, CriterionResult, String)> = ev
        .criteria
        .iter()
        .map(|c| (c.def.id.clone(), c.result, c.message()))
        .collect();
    let gates: Vec<_> = ev.gates.iter().map(|g| g.state).collect();
    let reconciliation = ev.reconciliation.as_ref().map(|r| {
        let hunks: Vec<_> = r
            .hunks
            .iter()
            .map(|h| {
                (
                    h.design_lines.clone(),
                    h.as_built_lines.clone(),
                    h.unexplained.clone(),
                )
            })
            .collect();
        hunks
    });
    let warnings: Vec<String> = ev.warnings.iter().map(ToString::to_string).collect();
    (
        criteria,
        gates,
        reconciliation,
        warnings,
        ev.components.iter().map(|c| c.status).collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::BufferMarks;

    #[test]
    fn buffer_marks_tell_the_first_row_edited_since_a_count() {
        let mut m = BufferMarks::default();
        assert_eq!(m.edited_since(0), None);
        m.edited(7);
        m.edited(3);
        let seen = m.seq();
        assert_eq!(m.edited_since(0), Some(3));
        assert_eq!(m.edited_since(seen), None);
        m.edited(9);
        assert_eq!(m.edited_since(seen), Some(9));
        // Further behind than the marks remember: everything is re-read.
        for row in 100..200 {
            m.edited(row);
        }
        assert_eq!(m.edited_since(seen), Some(0));
        assert_eq!(m.edited_since(m.seq() - 1), Some(199));
    }

    #[test]
    fn a_clone_keeps_the_place_and_a_reset_starts_a_new_one() {
        let mut m = BufferMarks::default();
        m.edited(4);
        let c = m.clone();
        assert_eq!(c.place(), m.place());
        assert_ne!(c.id(), m.id());
        assert_eq!(c.edited_since(0), None);
        let place = m.place();
        m.reset();
        assert_ne!(m.place(), place);
        m.keep_place(place);
        assert_eq!(m.place(), place);
    }
}
