//! Loading an engagement with the workspace's catalog, creating new ones, and the locked
//! read-modify-write every journal append goes through (reading one directory is `load.rs`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::domain::allowed_signers::fold;
use crate::domain::artifact::{Artifact, ArtifactHashes};
use crate::domain::criteria::predefined_ids;
use crate::domain::digest::sha256_hex;
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::{Evaluation, evaluate, gate_evidence};
use crate::domain::journal::{self, ArtifactRecord, EventBody, JOURNAL_FILE, Stamp, Trailer};
use crate::domain::meta::{ENGAGEMENT_FILE, SignaturePolicy, parse_engagement, render_engagement};
use crate::domain::position::{Finding, Position};
use crate::domain::rules::{self, Refusal};
use crate::domain::signature;
use crate::domain::time::Timestamp;

use super::StoreError;
use super::atomic::write_atomic;
use super::limits::{MAX_FILE_BYTES, read_text};
use super::lock::EngagementLock;
use super::sign::Signing;
use super::templates;
use super::workspace::validate_slug;

pub use super::layout::{BUILD_DIR, OBJECTS_DIR, RECOVERY_DIR};
// Reading one engagement lives below the catalog; these are the paths callers name it by.
use super::load::{ALWAYS_PRESENT, hash_file};
pub use super::load::{
    LoadedEngagement, MAX_BUILD_DEPTH, list_build_files, load_engagement, load_head, object_path,
    read_artifacts, read_object, read_snapshots,
};

/// Loads everything the rules need. `engagement.toml` and the journal are required: without
/// them nothing can be derived, so they fail the load. The workspace's catalog comes along when
/// the engagement has a baseline or its design reuses from the catalog.
pub fn load(root: &Path) -> Result<LoadedEngagement, StoreError> {
    let mut loaded = load_engagement(root)?;
    if needs_catalog(&loaded.engagement) {
        // A closed engagement that cannot be read is left out of the catalog; its own `check`
        // names the problem.
        let (catalog, _unreadable) =
            super::catalog::load_catalog(&super::catalog::workspace_of(root));
        loaded.engagement.catalog = std::sync::Arc::new(catalog);
        loaded.catalog_read = true;
    }
    Ok(loaded)
}

/// Whether evaluating the engagement reads the workspace's catalog: it has a Day-2 baseline or
/// its design reuses a component from the catalog.
pub fn needs_catalog(e: &Engagement) -> bool {
    // A reference names the `catalog` keyword: a design without the word is not parsed for one.
    let reuses_catalog = e.texts.get(&Artifact::Design).is_some_and(|t| {
        t.to_ascii_lowercase().contains("catalog")
            && crate::domain::design::components(&crate::domain::markdown::parse(t), t)
                .iter()
                .any(|c| {
                    c.reuse_decision()
                        .and_then(crate::domain::catalog::parse_reference)
                        .is_some()
                })
    });
    e.meta.baseline.is_some() || reuses_catalog
}

/// Loads and fails on any issue: what the CLI wants.
pub fn load_strict(root: &Path) -> Result<LoadedEngagement, StoreError> {
    let loaded = load(root)?;
    match loaded.issues.first() {
        Some(e) => Err(e.clone()),
        None => Ok(loaded),
    }
}

fn write_object(root: &Path, text: &str, writes: &mut TxWrites) -> Result<(), StoreError> {
    let sha = sha256_hex(text.as_bytes());
    let path = object_path(root, &sha);
    // An object already there is kept only when intact; an altered one is written again.
    if matches!(read_object(root, &sha), Ok(Some(_))) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
    }
    writes.write(&path, text.as_bytes())
}

/// A new engagement `x` made in `workspace` and loaded: the unit tests' scratch engagement.
#[cfg(test)]
pub(crate) fn scratch(workspace: &Path) -> LoadedEngagement {
    let stamp = Stamp {
        at: crate::domain::time::Timestamp::from_unix(0),
        actor: "o".into(),
        os_user: "o@h".into(),
    };
    let root = create(workspace, "x", "X", "o", None, &stamp).expect("create");
    load(&root).expect("load")
}

/// Creates `workspace/slug` from templates with its `created` event; with `from`, a Day-2
/// engagement starting from that closed engagement (DESIGN §7): its spec, its reconciled design
/// as the design draft, and a feasibility listing every inherited requirement to reassess.
pub fn create(
    workspace: &Path,
    slug: &str,
    title: &str,
    owner: &str,
    from: Option<&str>,
    stamp: &Stamp,
) -> Result<PathBuf, TxError> {
    create_with(
        workspace,
        slug,
        title,
        owner,
        from,
        stamp,
        SignaturePolicy::Off,
    )
}

/// [`create`] with the `[policy] signatures` to write (`decisions` when a key is configured).
pub fn create_with(
    workspace: &Path,
    slug: &str,
    title: &str,
    owner: &str,
    from: Option<&str>,
    stamp: &Stamp,
    signatures: SignaturePolicy,
) -> Result<PathBuf, TxError> {
    validate_slug(slug).map_err(|m| StoreError::new(workspace.join(slug), m))?;
    let root = workspace.join(slug);
    if root.exists() {
        return Err(StoreError::new(&root, "already exists; choose another slug").into());
    }
    let title = if title.trim().is_empty() {
        slug
    } else {
        title.trim()
    };
    let start = match from {
        Some(base) => Some(day_two_start(workspace, base)?),
        None => None,
    };
    fs::create_dir_all(root.join(OBJECTS_DIR)).map_err(|e| StoreError::io(&root, &e))?;
    fs::create_dir_all(root.join(RECOVERY_DIR)).map_err(|e| StoreError::io(&root, &e))?;
    fs::create_dir_all(root.join(BUILD_DIR)).map_err(|e| StoreError::io(&root, &e))?;
    let baseline = start.as_ref().map(|s| s.reference.clone());
    let meta = render_engagement(title, owner, stamp.at, baseline.as_deref(), signatures);
    let mut records = Vec::new();
    for artifact in ALWAYS_PRESENT {
        let Some(template) = templates::template(artifact, title) else {
            continue;
        };
        let text = match (&start, artifact) {
            (Some(s), Artifact::Spec) => s.spec.clone(),
            (Some(s), Artifact::Design) => s.design.clone(),
            (Some(s), Artifact::Feasibility) => {
                crate::domain::baseline::reassessment_feasibility(&template, &s.reference, &s.spec)
            }
            _ => template,
        };
        write_atomic(&root.join(artifact.file_name()), text.as_bytes())?;
        let h = ArtifactHashes::of(artifact, &text);
        records.push(ArtifactRecord {
            file: artifact.file_name().into(),
            sha256: h.sha256,
            governed_sha256: h.governed_sha256,
        });
    }
    let parsed = parse_engagement(&meta, &predefined_ids())
        .map_err(|f| StoreError::from_finding(&root, &f))?;
    let journal = journal::new_journal_with(
        stamp,
        &EventBody::Created {
            owner: Some(parsed.owner),
            policy: parsed.policy,
            templates: records,
            baseline,
        },
        &Trailer {
            clock_override: clock_overridden(),
            ..Trailer::default()
        },
    );
    write_atomic(&root.join(JOURNAL_FILE), journal.as_bytes())?;
    // Last: a directory is an engagement once it holds `engagement.toml` (`list_engagements`,
    // the workspace watch), and by then it is whole.
    write_atomic(&root.join(ENGAGEMENT_FILE), meta.as_bytes())?;
    Ok(root)
}

/// What a Day-2 engagement starts from.
struct DayTwoStart {
    /// `SLUG@<closing event hash>`.
    reference: String,
    spec: String,
    design: String,
}

fn day_two_start(workspace: &Path, base: &str) -> Result<DayTwoStart, TxError> {
    let root = workspace.join(base);
    if validate_slug(base).is_err() || !super::workspace::is_engagement(&root) {
        return Err(StoreError::new(
            &root,
            format!("no engagement `{base}` in the workspace to start from"),
        )
        .into());
    }
    let loaded = load_strict(&root)?;
    let phase = evaluate(&loaded.engagement).phase;
    let closed = match super::catalog::load_closed(&root)? {
        Some(c) if phase == crate::domain::phase::Phase::Closed => c,
        _ => {
            return Err(Refusal::rule(format!(
                "{base} is in {}, not closed: a Day-2 engagement starts from a closed engagement's reconciled record (close {base} first)",
                phase.title()
            ))
            .into());
        }
    };
    Ok(DayTwoStart {
        reference: crate::domain::baseline::BaselineRef::render(&closed.slug, &closed.closing_hash),
        design: closed.reconciled_design(),
        spec: closed.spec,
    })
}

/// What a transition writes: Markdown changes first, then the event.
#[derive(Debug, Clone)]
pub struct Change {
    pub writes: Vec<(Artifact, String)>,
    pub event: EventBody,
}

impl From<EventBody> for Change {
    fn from(event: EventBody) -> Change {
        Change {
            writes: Vec::new(),
            event,
        }
    }
}

/// Why a transaction wrote nothing: the store failed, or a rule refused.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Refused(Refusal),
}

impl From<Refusal> for TxError {
    fn from(r: Refusal) -> TxError {
        TxError::Refused(r)
    }
}

/// The result of a committed transition.
#[derive(Debug, Clone)]
pub struct Committed {
    pub seq: u64,
    pub event: EventBody,
    pub created_as_built: bool,
    /// The signing key's fingerprint when the event was signed.
    pub signer: Option<String>,
    /// A write after the commit point that failed (creating as-built.md); the decision stands
    /// and the next transaction redoes it.
    pub deferred: Option<StoreError>,
    /// The git commit config `[git] commit` asked for (made under the lock, after every
    /// write); a refused one leaves the event recorded. `note()` says it in one line.
    pub git: super::git::CommitOutcome,
}

/// A read-modify-write under the engagement lock: load, evaluate, decide, write, append.
/// `expected` makes it a compare-and-swap: the decision was reviewed on these artifact hashes,
/// and is refused if any file changed in between.
pub fn transact<F>(
    root: &Path,
    stamp: &Stamp,
    expected: Option<&[ArtifactRecord]>,
    decide: F,
) -> Result<Committed, TxError>
where
    F: FnOnce(&Engagement, &Evaluation) -> Result<Change, Refusal>,
{
    let unsigned: Signing = Err("this action was not given a signing key".into());
    transact_signed(root, stamp, expected, &unsigned, decide)
}

/// [`transact`] that signs the event when the engagement's `[policy] signatures` asks for it,
/// before anything is written: a signature that cannot be made writes nothing.
pub fn transact_signed<F>(
    root: &Path,
    stamp: &Stamp,
    expected: Option<&[ArtifactRecord]>,
    signing: &Signing,
    decide: F,
) -> Result<Committed, TxError>
where
    F: FnOnce(&Engagement, &Evaluation) -> Result<Change, Refusal>,
{
    let _lock = EngagementLock::acquire(root)?;
    remove_leftover_temps(root);
    let mut writes = TxWrites::new();
    let mut loaded = load_strict(root)?;
    let mut evaluation = evaluate(&loaded.engagement);
    let mut created_as_built = false;
    // A Gate 2 approval commits with the journal append; creating as-built.md follows it. A
    // process stopped in between left the approval without its as-built: finish it now.
    if let Some(text) = missing_as_built(&loaded.engagement, &evaluation) {
        writes.write(&root.join(Artifact::AsBuilt.file_name()), text.as_bytes())?;
        created_as_built = true;
        loaded = load_strict(root)?;
        evaluation = evaluate(&loaded.engagement);
    }
    if let Some(expected) = expected {
        let now = evaluation.artifact_records();
        let changed: Vec<String> = expected
            .iter()
            .filter(|e| !now.iter().any(|n| n.file == e.file && n.sha256 == e.sha256))
            .map(|e| e.file.clone())
            .chain(
                now.iter()
                    .filter(|n| !expected.iter().any(|e| e.file == n.file))
                    .map(|n| n.file.clone()),
            )
            .collect();
        if !changed.is_empty() {
            return Err(TxError::Refused(Refusal::rule(format!(
                "refused: {} changed on disk since it was reviewed; review again",
                changed.join(", ")
            ))));
        }
    }
    if let Some(broken) = &loaded.engagement.journal.broken {
        return Err(TxError::Refused(
            Refusal::rule(
                "the journal's chain is broken; nothing is appended until it is repaired",
            )
            .with([broken.clone()]),
        ));
    }
    // Nothing but the recording itself is appended while engagement.toml's owner or policy
    // differs from the journal's; a refusal on other grounds says so too.
    let unrecorded = rules::require_policy_recorded(&loaded.engagement, &evaluation.replay).err();
    let change = match (decide(&loaded.engagement, &evaluation), unrecorded) {
        (Ok(change), None) => change,
        (Ok(change), Some(_)) if matches!(change.event, EventBody::PolicyChanged { .. }) => change,
        (Ok(_), Some(unrecorded)) => return Err(TxError::Refused(unrecorded)),
        (Err(refusal), None) => return Err(TxError::Refused(refusal)),
        (Err(refusal), Some(unrecorded)) => {
            let note = Finding::new(Position::file(ENGAGEMENT_FILE), unrecorded.rule);
            return Err(TxError::Refused(refusal.with([note])));
        }
    };
    // Signed once the rules have decided and before anything is written: a signature that
    // cannot be made writes nothing.
    let trailer = seal(
        &loaded.engagement,
        evaluation.replay.policy,
        stamp,
        &change.event,
        signing,
    )?;
    // Writes in an order where the journal append is the commit point: before it, only the
    // Markdown the event records (an item written but not recorded is reported and can be
    // recorded) and content-addressed snapshots (unreferenced ones are harmless); after it,
    // only as-built.md, which is derived from the approved design and re-created if missing.
    // The new journal first: an append that would push it past the read limit is refused
    // before anything is written.
    let journal_path = root.join(JOURNAL_FILE);
    let current = read_text(root, &journal_path)?.unwrap_or_default();
    let (journal_text, seq) = journal::append_with(&current, stamp, &change.event, &trailer)
        .map_err(|f| StoreError::from_finding(root, &f))?;
    if journal_text.len() as u64 > MAX_FILE_BYTES {
        return Err(TxError::Refused(
            Refusal::rule(format!(
                "refused: event {seq} would take the journal to {} bytes, past the {} MiB every command reads; nothing was written. Close this engagement and continue in a new one that starts from it (`phasegate new SLUG --baseline {}`)",
                journal_text.len(),
                MAX_FILE_BYTES / (1024 * 1024),
                loaded.engagement.slug
            ))
            .with([Finding::new(Position::file(JOURNAL_FILE), "at the size limit")]),
        ));
    }
    let mut texts = loaded.engagement.texts.clone();
    for (artifact, text) in &change.writes {
        writes.write(&root.join(artifact.file_name()), text.as_bytes())?;
        texts.insert(*artifact, text.clone());
    }
    let mut as_built = None;
    if let EventBody::GateApproved(g) = &change.event {
        for artifact in gate_evidence(g.gate) {
            if let Some(text) = texts.get(artifact) {
                write_object(root, text, &mut writes)?;
            }
        }
        if g.gate == journal::GateId::Two
            && let Some(design) = texts.get(&Artifact::Design)
        {
            let first = evaluation.replay.gate2.approval_seqs.is_empty();
            let create = match texts.get(&Artifact::AsBuilt) {
                None => true,
                Some(current) => first && is_orphan_as_built(root, current, design),
            };
            if create {
                as_built = Some(templates::as_built_from_design(design));
            }
        }
    }
    writes.write(&journal_path, journal_text.as_bytes())?;
    let mut deferred = None;
    if let Some(text) = as_built {
        match writes.write(&root.join(Artifact::AsBuilt.file_name()), text.as_bytes()) {
            Ok(()) => created_as_built = true,
            Err(e) => deferred = Some(e),
        }
    }
    let head = journal_text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("hash = \""))
        .unwrap_or_default()
        .trim_end_matches('"');
    let git = super::git::commit_event(root, &loaded.engagement.slug, seq, &change.event, head);
    Ok(Committed {
        seq,
        event: change.event,
        created_as_built,
        signer: trailer.signer,
        deferred,
        git,
    })
}

/// The clock mark and, when the policy asks for one, the signature of the event to append.
fn seal(
    engagement: &Engagement,
    in_force: Option<crate::domain::meta::Policy>,
    stamp: &Stamp,
    event: &EventBody,
    signing: &Signing,
) -> Result<Trailer, Refusal> {
    let mut trailer = Trailer {
        clock_override: clock_overridden(),
        ..Trailer::default()
    };
    // The policy in force governs: engagement.toml's, which equals the journal's for every event
    // but a policy_changed; that one is governed by the policy it leaves (as `check` reads it).
    let policy = match (event, in_force) {
        (EventBody::PolicyChanged { .. }, Some(before)) => before.signatures,
        _ => engagement.meta.policy.signatures,
    };
    if !signature::requires_signature(policy, event) {
        return Ok(trailer);
    }
    let asks = || {
        format!(
            "[policy] signatures = \"{}\" asks for a signed {}",
            policy.as_str(),
            event.kind()
        )
    };
    let signer = signing
        .as_ref()
        .map_err(|why| Refusal::rule(format!("{}, and {why}", asks())))?;
    if fold(&signer.principal) != fold(&stamp.actor) {
        return Err(Refusal::rule(format!(
            "the event would be recorded as \"{}\" but signed by {} ({})",
            stamp.actor, signer.principal, signer.key.fingerprint
        )));
    }
    trailer.signer = Some(signer.key.fingerprint.clone());
    let genesis = engagement
        .journal
        .events
        .first()
        .map_or(journal::GENESIS, |e| e.hash.as_str());
    let bytes = signature::signed_bytes(&journal::unchained_event(stamp, event, &trailer));
    let armored = signer
        .key
        .sign(&signature::message(genesis, &bytes))
        .map_err(|why| Refusal::rule(format!("{}, and {why}", asks())))?;
    trailer.signature = Some(armored);
    Ok(trailer)
}

/// as-built.md as it must be re-created when a Gate 2 approval is in force and the file is
/// missing (the approval committed, the process stopped before creating it).
fn missing_as_built(e: &Engagement, ev: &Evaluation) -> Option<String> {
    if e.texts.contains_key(&Artifact::AsBuilt) {
        return None;
    }
    let approval = ev.gate(journal::GateId::Two).approval.as_ref()?;
    let design = approval.artifact(Artifact::Design.file_name())?;
    let text = e.snapshots.get(&design.sha256)?;
    Some(templates::as_built_from_design(text))
}

/// Whether an as-built.md found at the first Gate 2 approval is an orphan of an earlier
/// approval that never committed (a phasegate before this order of writes): its governed text
/// is a design's — the current one or a snapshot that approval left in `objects/` — so
/// regenerating it loses nothing anyone wrote.
fn is_orphan_as_built(root: &Path, as_built: &str, design: &str) -> bool {
    use crate::domain::artifact::GovernedText;
    let governed = GovernedText::of(Artifact::AsBuilt, as_built).sha256();
    if GovernedText::of(Artifact::Design, design).sha256() == governed {
        return true;
    }
    let Ok(entries) = fs::read_dir(root.join(OBJECTS_DIR)) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        name.len() == 64
            && matches!(read_object(root, &name), Ok(Some(text))
                if GovernedText::of(Artifact::Design, &text).sha256() == governed)
    })
}

/// Temp files an interrupted atomic write left in `.phasegate/` and its `objects/`
/// (`.NAME.XXXXXX.tmp`). Only phasegate writes there, always under the lock.
pub fn leftover_temps(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [root.join(".phasegate"), root.join(OBJECTS_DIR)] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.')
                && name.ends_with(".tmp")
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

/// Removes `leftover_temps` (called under the lock, so no write of ours is in flight there).
fn remove_leftover_temps(root: &Path) {
    for path in leftover_temps(root) {
        let _ = fs::remove_file(path);
    }
}

/// The writes of one transaction. In debug builds only, `PHASEGATE_TEST_FAIL_AFTER_WRITES=N`
/// makes every write after the N-th fail as a full disk would: the crash tests use it to stop
/// a transaction between any two of its writes.
struct TxWrites {
    done: usize,
    fail_after: Option<usize>,
}

impl TxWrites {
    fn new() -> TxWrites {
        #[cfg(debug_assertions)]
        let fail_after = std::env::var("PHASEGATE_TEST_FAIL_AFTER_WRITES")
            .ok()
            .and_then(|v| v.parse().ok());
        #[cfg(not(debug_assertions))]
        let fail_after = None;
        TxWrites {
            done: 0,
            fail_after,
        }
    }

    fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        if self.fail_after.is_some_and(|n| self.done >= n) {
            return Err(StoreError::new(
                path,
                "not written: failure injected by PHASEGATE_TEST_FAIL_AFTER_WRITES (a test hook)",
            ));
        }
        write_atomic(path, bytes)?;
        self.done += 1;
        Ok(())
    }
}

/// What a guarded write replaces: an artifact, or a file under `build/` named as the caller
/// named it (resolved by `confine::resolve_build_path` under the lock).
#[derive(Debug, Clone, Copy)]
pub enum WriteTarget<'a> {
    Artifact(Artifact),
    Build(&'a str),
}

/// A write for someone who read the file first (the MCP server's agent): under the lock, the
/// engagement is loaded and `allow` judges it as it is now (the phase rule), then the file must
/// still have the sha256 `base` the writer read (`None`: it must not exist yet) — the
/// compare-and-swap that keeps a write from silently replacing an edit it never saw. Returns
/// the new text's sha256.
pub fn write_checked<F>(
    root: &Path,
    target: WriteTarget<'_>,
    text: &str,
    base: Option<&str>,
    allow: F,
) -> Result<String, TxError>
where
    F: FnOnce(&Engagement, &Evaluation) -> Result<(), Refusal>,
{
    let _lock = EngagementLock::acquire(root)?;
    let loaded = load_strict(root)?;
    let evaluation = evaluate(&loaded.engagement);
    allow(&loaded.engagement, &evaluation)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(TxError::Refused(Refusal::usage(format!(
            "the text is {} bytes, past the {} MiB limit every file of an engagement keeps",
            text.len(),
            MAX_FILE_BYTES / (1024 * 1024)
        ))));
    }
    let (path, shown, current) = match target {
        WriteTarget::Artifact(artifact) => {
            let path = root.join(artifact.file_name());
            let current = read_text(root, &path)?.map(|t| sha256_hex(t.as_bytes()));
            (path, artifact.file_name().to_string(), current)
        }
        WriteTarget::Build(rel) => {
            let path = super::confine::resolve_build_path(root, rel)
                .map_err(|why| TxError::Refused(Refusal::rule(why)))?;
            let current = match fs::symlink_metadata(&path) {
                Ok(_) => Some(hash_file(&path).map_err(|e| StoreError::io(&path, &e))?),
                Err(_) => None,
            };
            (path, rel.to_string(), current)
        }
    };
    if current.as_deref() != base {
        return Err(TxError::Refused(changed_since_read(
            &shown,
            current.as_deref(),
            base,
        )));
    }
    if let WriteTarget::Build(_) = target
        && let Some(dir) = path.parent()
    {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
    }
    write_atomic(&path, text.as_bytes())?;
    Ok(sha256_hex(text.as_bytes()))
}

/// The refusal of a compare-and-swap: `shown` has the sha256 `now` (`None`: missing), not the
/// `base` the writer read.
pub fn changed_since_read(shown: &str, now: Option<&str>, base: Option<&str>) -> Refusal {
    let now = now.map_or_else(
        || "it does not exist".to_string(),
        |h| format!("its sha256 is now {h}"),
    );
    let sent = base.map_or_else(
        || "no base_sha256 (a new file)".to_string(),
        |h| format!("base_sha256 {h}"),
    );
    Refusal::rule(format!(
        "{shown} changed since you read it ({now}; you sent {sent}); nothing was written. Read it again and redo the change on its current text"
    ))
}

/// "Restore approved": the snapshot's governed text with the current ungoverned sections kept.
pub fn restore_approved(
    root: &Path,
    artifact: Artifact,
    approved_sha256: &str,
) -> Result<String, StoreError> {
    let _lock = EngagementLock::acquire(root)?;
    let snapshot = read_object(root, approved_sha256)?.ok_or_else(|| {
        StoreError::new(
            object_path(root, approved_sha256),
            "approved snapshot not found",
        )
    })?;
    let current = read_text(root, &root.join(artifact.file_name()))?.unwrap_or_default();
    let restored = crate::domain::progress::merge_ungoverned(artifact, &snapshot, &current);
    write_atomic(&root.join(artifact.file_name()), restored.as_bytes())?;
    Ok(restored)
}

/// Whether `PHASEGATE_NOW` overrides the clock; events written under it say so
/// (`clock = "override"`), and `check` reports them.
pub fn clock_overridden() -> bool {
    std::env::var("PHASEGATE_NOW")
        .ok()
        .and_then(|v| Timestamp::parse(&v))
        .is_some()
}

/// Current UTC time, or `PHASEGATE_NOW` when set (reproducible sample journals and tests).
pub fn now() -> Timestamp {
    if let Some(t) = std::env::var("PHASEGATE_NOW")
        .ok()
        .and_then(|v| Timestamp::parse(&v))
    {
        return t;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Timestamp::from_unix(secs)
}
