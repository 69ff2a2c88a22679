//! Watching an engagement directory for outside edits.
//!
//! Directories are watched, never files: an editor that saves by writing a temp file and renaming
//! it over the artifact replaces the inode a file watch would hold. The engagement directory is
//! watched non-recursively (artifacts, `engagement.toml`), `.phasegate/` non-recursively (the
//! journal), `.phasegate/presence/` and `.phasegate/agents/` non-recursively (who else has it
//! open, which agent sessions run) and `build/`
//! recursively; when `build/` or `.phasegate/` is created, replaced or
//! renamed over, its watch is re-armed and its files are re-examined.
//!
//! The first event is acted on at once: events arriving with it are taken along (`COALESCE`:
//! until `QUIET` passes without one, `COALESCE` at most; a file modified in place is waited for
//! until its writer closes it, `WRITE_CLOSE_WAIT` at most), then every touched file of interest is
//! hashed and compared
//! with what this watcher saw last: a `touch`, a temp file that came and went, or a save that
//! restored the same bytes is no change. A file whose new hash is the one this process wrote last
//! (`note_write`, called by every atomic write) is phasegate's own write and is not reported.
//! Nothing here uses a time window.
//!
//! Where the kernel cannot tell us (NFS, SMB/CIFS, FUSE, 9p — detected with `statfs` — or when
//! inotify runs out of watches or instances), the watcher polls instead: every `POLL_INTERVAL`
//! it stats the files of interest and hashes only those whose size, mtime, ctime or inode changed.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use sha2::{Digest, Sha256};

use crate::domain::artifact::Artifact;
use crate::domain::journal::JOURNAL_FILE;
use crate::domain::meta::ENGAGEMENT_FILE;

use super::layout::{AGENTS_DIR, BUILD_DIR, PRESENCE_DIR, STATE_DIR};

/// The longest a burst of events (an editor's temp file, write, fsync and rename) is gathered
/// after its first event before the touched files are examined. The watcher thread blocks
/// while nothing happens: no tick, no wakeups when idle.
pub const COALESCE: Duration = Duration::from_millis(20);
/// A burst ends earlier when no event came for this long.
pub const QUIET: Duration = Duration::from_millis(5);
/// The longest a burst waits for a file modified in place to be closed by its writer.
pub const WRITE_CLOSE_WAIT: Duration = Duration::from_millis(250);
/// The polling fallback's interval; `PHASEGATE_POLL_MS` overrides it (at least 100 ms).
pub const POLL_INTERVAL: Duration = Duration::from_millis(1500);

/// How the engagement is being watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchMode {
    /// Kernel notifications (inotify, FSEvents, kqueue…).
    Native,
    /// Stat polling, and why notifications could not be used.
    Polling { interval: Duration, reason: String },
}

impl WatchMode {
    /// What the status bar says about it (`None` for the normal case).
    pub fn status(&self) -> Option<String> {
        match self {
            WatchMode::Native => None,
            WatchMode::Polling { interval, reason } => Some(format!(
                "polling every {:.1} s: {reason}",
                interval.as_secs_f64()
            )),
        }
    }
}

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// The watch is in place. Read the engagement once now: an edit made while starting up
    /// happened before the watch and would otherwise be missed.
    Armed(WatchMode),
    /// Files whose content changed (created, modified, replaced or deleted), relative to the
    /// engagement directory with `/` separators. `build/…` paths are listed one by one.
    Changed(Vec<String>),
    /// The watch has a problem (the directory was removed, an error from the OS).
    Problem(String),
}

/// Whether a path relative to the engagement matters to phasegate.
pub fn is_relevant(rel: &str) -> bool {
    rel == ENGAGEMENT_FILE
        || rel == JOURNAL_FILE
        || rel == BUILD_DIR
        || rel
            .strip_prefix(BUILD_DIR)
            .is_some_and(|r| r.starts_with('/'))
        || is_presence(rel)
        || Artifact::from_file_name(rel).is_some()
}

/// The directories of liveness files: other instances with the engagement open, and agent
/// sessions (`phasegate mcp`). Their changes mean "who is here", not new content.
const LIVENESS_DIRS: [&str; 2] = [PRESENCE_DIR, AGENTS_DIR];

/// Whether a relative path is a liveness directory (presence, agent sessions) or a file in it.
pub fn is_presence(rel: &str) -> bool {
    LIVENESS_DIRS
        .iter()
        .any(|dir| rel == *dir || rel.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
}

// ---------------------------------------------------------------------------------------------
// Own writes

/// Kept where `write_atomic` can reach it without the watcher (`store::own_writes`).
pub use super::own_writes::note_write;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The content hash of a file (`None` when it is absent or not a regular file). A symlink is
/// never followed: its target path is hashed instead.
fn content_hash(path: &Path) -> Option<String> {
    let meta = fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(path).ok()?;
        let mut h = Sha256::new();
        h.update(b"symlink\0");
        h.update(target.to_string_lossy().as_bytes());
        return Some(hex(&h.finalize()));
    }
    if !meta.is_file() {
        return None;
    }
    let mut file = fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(buf.get(..n)?),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(hex(&h.finalize()))
}

// ---------------------------------------------------------------------------------------------
// What the watcher has seen

/// The content this watcher last saw of each file of interest, by absolute path.
struct Seen {
    root: PathBuf,
    hashes: HashMap<PathBuf, Option<String>>,
}

impl Seen {
    fn new(root: PathBuf) -> Seen {
        Seen {
            root,
            hashes: HashMap::new(),
        }
    }

    fn rel(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// Every file of interest now on disk (the build tree walked without following symlinks).
    fn files_on_disk(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Artifact::ALL
            .iter()
            .map(|a| self.root.join(a.file_name()))
            .chain([
                self.root.join(ENGAGEMENT_FILE),
                self.root.join(JOURNAL_FILE),
            ])
            .collect();
        walk(&self.root.join(BUILD_DIR), &mut out);
        for dir in LIVENESS_DIRS {
            walk(&self.root.join(dir), &mut out);
        }
        out
    }

    /// Files under `dir` on disk plus the ones seen there before (which may be gone now).
    fn tree(&self, dir: &Path) -> BTreeSet<PathBuf> {
        let mut out = Vec::new();
        walk(dir, &mut out);
        let mut set: BTreeSet<PathBuf> = out.into_iter().collect();
        set.extend(self.hashes.keys().filter(|k| k.starts_with(dir)).cloned());
        set
    }

    /// Records the current content of every file of interest without reporting anything.
    fn prime(&mut self) {
        for path in self.files_on_disk() {
            let h = content_hash(&path);
            self.hashes.insert(path, h);
        }
    }

    /// Compares `path` with what was seen; returns its relative path if it changed and the
    /// change is not this process's own write.
    fn examine(&mut self, path: &Path) -> Option<String> {
        let now = content_hash(path);
        let before = self
            .hashes
            .insert(path.to_path_buf(), now.clone())
            .flatten();
        if before == now {
            return None;
        }
        let own = super::own_writes::take(path);
        if now.is_some() && own == now {
            return None;
        }
        self.rel(path)
    }

    /// Examines the touched paths (and whole trees where a directory was touched); returns the
    /// changed files of interest.
    fn examine_all(
        &mut self,
        touched: impl IntoIterator<Item = PathBuf>,
        everything: bool,
    ) -> Vec<String> {
        let mut candidates: BTreeSet<PathBuf> = BTreeSet::new();
        // A liveness directory created, replaced or removed is reported as such: its files may
        // have come and gone before its watch was in place, and whoever lists them (the app
        // reads presence and agent sessions on its own) must look again.
        let mut liveness_dirs: Vec<String> = Vec::new();
        if everything {
            candidates.extend(self.files_on_disk());
            candidates.extend(self.hashes.keys().cloned());
        }
        for path in touched {
            let Some(rel) = self.rel(&path) else { continue };
            if rel.is_empty() {
                // The engagement directory itself: look at everything.
                candidates.extend(self.files_on_disk());
                candidates.extend(self.hashes.keys().cloned());
                continue;
            }
            if !is_relevant(&rel) && rel != STATE_DIR {
                continue;
            }
            if LIVENESS_DIRS.contains(&rel.as_str()) && !liveness_dirs.contains(&rel) {
                liveness_dirs.push(rel.clone());
            }
            let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            let was_dir = self
                .hashes
                .keys()
                .any(|k| k != &path && k.starts_with(&path));
            if is_dir || was_dir {
                if rel == STATE_DIR {
                    candidates.insert(self.root.join(JOURNAL_FILE));
                    for dir in LIVENESS_DIRS {
                        candidates.extend(self.tree(&self.root.join(dir)));
                    }
                } else {
                    candidates.extend(self.tree(&path));
                }
            } else if rel != STATE_DIR {
                candidates.insert(path);
            }
        }
        let mut changed = Vec::new();
        for path in candidates {
            if let Some(rel) = self.examine(&path) {
                changed.push(rel);
            }
        }
        // Forget files that are gone and were reported gone.
        self.hashes.retain(|_, h| h.is_some());
        for dir in liveness_dirs {
            if !changed.iter().any(|c| c.starts_with(&dir)) {
                changed.push(dir);
            }
        }
        changed
    }
}

/// Regular files and symlinks under `dir`, recursively, never following symlinks.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) => out.push(path),
                Err(_) => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Where notifications do not work

/// The kind of network or userspace filesystem `path` is on, where inotify does not see changes
/// made by other machines.
pub fn network_filesystem(path: &Path) -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        let buf = rustix::fs::statfs(path).ok()?;
        #[allow(clippy::unnecessary_cast)]
        let magic = (buf.f_type as i64) & 0xffff_ffff;
        match magic {
            0x6969 => Some("NFS"),
            0x517b => Some("SMB"),
            0xff53_4d42 => Some("CIFS"),
            0xfe53_4d42 => Some("SMB2"),
            0x6573_5546 => Some("FUSE"),
            0x0102_1997 => Some("9p"),
            0x00c3_6400 => Some("Ceph"),
            0x5346_414f => Some("AFS"),
            _ => None,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

fn poll_interval() -> Duration {
    std::env::var("PHASEGATE_POLL_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(POLL_INTERVAL, |ms| Duration::from_millis(ms.max(100)))
}

fn describe_notify_error(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => {
            "the inotify watch limit is reached (raise fs.inotify.max_user_watches)".into()
        }
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(libc::ENOSPC) => {
            "the inotify watch limit is reached (raise fs.inotify.max_user_watches)".into()
        }
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(libc::EMFILE) => {
            "no inotify instance left (raise fs.inotify.max_user_instances)".into()
        }
        _ => format!("file notifications unavailable: {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The watcher

enum Msg {
    /// One event (or error) from the native watcher.
    Event(notify::Result<notify::Event>),
    Stop,
}

type Sink = Box<dyn Fn(WatchEvent) + Send + 'static>;

/// A running watch on one engagement directory; dropping it stops the watch.
pub struct Watcher {
    root: PathBuf,
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Starts watching `root`; `sink` receives every report, on the watcher's thread. The first
    /// report is `Armed`.
    ///
    /// `PHASEGATE_WATCH=poll` forces polling (for filesystems that are not detected).
    pub fn start(root: &Path, sink: impl Fn(WatchEvent) + Send + 'static) -> Watcher {
        let forced = std::env::var("PHASEGATE_WATCH").is_ok_and(|v| v.trim() == "poll");
        let poll = forced.then(|| (poll_interval(), "PHASEGATE_WATCH=poll".to_string()));
        Watcher::spawn(root, poll, Box::new(sink))
    }

    /// Starts a polling watch (what `start` falls back to), every `interval`.
    pub fn start_polling(
        root: &Path,
        interval: Duration,
        reason: &str,
        sink: impl Fn(WatchEvent) + Send + 'static,
    ) -> Watcher {
        Watcher::spawn(root, Some((interval, reason.to_string())), Box::new(sink))
    }

    fn spawn(root: &Path, poll_with: Option<(Duration, String)>, sink: Sink) -> Watcher {
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let (tx, rx) = mpsc::channel::<Msg>();
        let forward = tx.clone();
        let thread_root = root.clone();
        let thread = thread::Builder::new()
            .name("phasegate-watch".into())
            .spawn(move || {
                // What is on disk is hashed once the watches are in place: a file created
                // before would otherwise be unknown to the watcher, and its later removal
                // would look like no change.
                let mut seen = Seen::new(thread_root.clone());
                let remote = network_filesystem(&thread_root).map(|fs| {
                    (
                        poll_interval(),
                        format!("{fs} filesystem, no change notifications"),
                    )
                });
                match poll_with.or(remote) {
                    Some((interval, reason)) => {
                        seen.prime();
                        poll(&mut seen, &rx, &sink, interval, reason)
                    }
                    None => match Native::arm(&thread_root, forward) {
                        Ok(native) => {
                            seen.prime();
                            native.run(&mut seen, &rx, &sink)
                        }
                        Err(reason) => {
                            seen.prime();
                            poll(&mut seen, &rx, &sink, poll_interval(), reason)
                        }
                    },
                }
            })
            .ok();
        Watcher { root, tx, thread }
    }

    /// The (canonical) directory being watched.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Watcher({})", self.root.display())
    }
}

struct Native {
    root: PathBuf,
    watcher: RecommendedWatcher,
}

impl Native {
    fn arm(root: &Path, forward: Sender<Msg>) -> Result<Native, String> {
        let watcher = notify::recommended_watcher(move |r: notify::Result<notify::Event>| {
            let _ = forward.send(Msg::Event(r));
        })
        .map_err(|e| describe_notify_error(&e))?;
        let mut native = Native {
            root: root.to_path_buf(),
            watcher,
        };
        native
            .watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| describe_notify_error(&e))?;
        native.rearm(STATE_DIR)?;
        native.rearm(BUILD_DIR)?;
        for dir in LIVENESS_DIRS {
            native.rearm(dir)?;
        }
        Ok(native)
    }

    /// (Re)watches a subdirectory that may have been created or replaced since.
    fn rearm(&mut self, sub: &str) -> Result<(), String> {
        let dir = self.root.join(sub);
        let _ = self.watcher.unwatch(&dir);
        if !dir.is_dir() {
            return Ok(());
        }
        let mode = if sub == BUILD_DIR {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        match self.watcher.watch(&dir, mode) {
            Ok(()) => Ok(()),
            // Removed again between the check and the watch: the root watch will tell.
            Err(e) if matches!(e.kind, notify::ErrorKind::PathNotFound) => Ok(()),
            Err(e) => Err(describe_notify_error(&e)),
        }
    }

    fn run(mut self, seen: &mut Seen, rx: &mpsc::Receiver<Msg>, sink: &Sink) {
        sink(WatchEvent::Armed(WatchMode::Native));
        loop {
            let Some(burst) = next_burst(rx, |p| seen.rel(p).is_some_and(|r| is_relevant(&r)))
            else {
                return;
            };
            let mut touched: Vec<PathBuf> = Vec::new();
            let mut everything = false;
            let mut errors: Vec<String> = Vec::new();
            for event in burst {
                match event {
                    Ok(ev) if changes_content(&ev.kind) => {
                        everything |= ev.need_rescan();
                        touched.extend(ev.paths);
                    }
                    // Only opens and reads (ours included: hashing opens files).
                    Ok(_) => {}
                    Err(e) => errors.push(describe_notify_error(&e)),
                }
            }
            if !errors.is_empty() {
                sink(WatchEvent::Problem(errors.join("; ")));
                everything = true;
            }
            if touched.is_empty() && !everything {
                continue;
            }
            if !self.root.is_dir() {
                sink(WatchEvent::Problem(format!(
                    "{} was removed or renamed; outside changes are no longer seen",
                    self.root.display()
                )));
            }
            // A subdirectory created, replaced or renamed over: its old watch is gone (the
            // presence directory goes with `.phasegate/`).
            let state_dir = self.root.join(STATE_DIR);
            for sub in [STATE_DIR, BUILD_DIR, PRESENCE_DIR, AGENTS_DIR] {
                let dir = self.root.join(sub);
                let replaced =
                    |p: &PathBuf| p == &dir || (LIVENESS_DIRS.contains(&sub) && p == &state_dir);
                if touched.iter().any(replaced)
                    && let Err(reason) = self.rearm(sub)
                {
                    // Out of watches: fall back to polling for the rest of the session.
                    drop(self);
                    poll(seen, rx, sink, poll_interval(), reason);
                    return;
                }
            }
            let changed = seen.examine_all(touched, everything);
            if !changed.is_empty() {
                sink(WatchEvent::Changed(changed));
            }
        }
    }
}

/// Blocks until the first event of a burst, then takes the rest of it along (until `QUIET`
/// passes without one, `COALESCE` at most). A file still open for writing (modified, not yet
/// closed) holds the burst open until it is closed, `WRITE_CLOSE_WAIT` at most: an editor or
/// script that truncates and then writes in place would otherwise be read half-written and
/// reported twice. `None` when the watch is stopped.
fn next_burst(
    rx: &mpsc::Receiver<Msg>,
    of_interest: impl Fn(&Path) -> bool,
) -> Option<Vec<notify::Result<notify::Event>>> {
    let first = match rx.recv() {
        Ok(Msg::Event(e)) => e,
        Ok(Msg::Stop) | Err(_) => return None,
    };
    let start = std::time::Instant::now();
    let mut writing: BTreeSet<PathBuf> = BTreeSet::new();
    note_writing(&mut writing, &first, &of_interest);
    let mut burst = vec![first];
    loop {
        let now = std::time::Instant::now();
        let cap = if writing.is_empty() {
            COALESCE
        } else {
            WRITE_CLOSE_WAIT
        };
        let left = (start + cap).saturating_duration_since(now);
        if left.is_zero() {
            return Some(burst);
        }
        let wait = if writing.is_empty() {
            left.min(QUIET)
        } else {
            left
        };
        match rx.recv_timeout(wait) {
            Ok(Msg::Event(e)) => {
                note_writing(&mut writing, &e, &of_interest);
                burst.push(e);
            }
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) if writing.is_empty() => return Some(burst),
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

/// Keeps `writing` as the set of files modified in place and not yet closed after writing.
/// Only files `of_interest` count: a lock file held open by its owner must not hold bursts open.
fn note_writing(
    writing: &mut BTreeSet<PathBuf>,
    event: &notify::Result<notify::Event>,
    of_interest: &impl Fn(&Path) -> bool,
) {
    use notify::event::ModifyKind;
    let Ok(ev) = event else { return };
    match ev.kind {
        EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
            writing.extend(ev.paths.iter().filter(|p| of_interest(p)).cloned());
        }
        EventKind::Access(AccessKind::Close(AccessMode::Write)) | EventKind::Remove(_) => {
            for p in &ev.paths {
                writing.remove(p);
            }
        }
        // Renamed away: the file under that name is no longer being written.
        EventKind::Modify(ModifyKind::Name(_)) => {
            for p in &ev.paths {
                writing.remove(p);
            }
        }
        _ => {}
    }
}

/// Whether an event can mean new content. inotify also reports opens and reads (notify asks for
/// `IN_OPEN`); reacting to those would make the watcher's own hashing wake it up again.
fn changes_content(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(
            AccessKind::Open(_) | AccessKind::Read | AccessKind::Close(AccessMode::Read)
        )
    )
}

/// A file's stat signature: what polling compares before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Signature {
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
}

fn signature(path: &Path) -> Option<Signature> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::symlink_metadata(path).ok()?;
    Some(Signature {
        len: m.len(),
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
        ino: m.ino(),
    })
}

fn poll(
    seen: &mut Seen,
    rx: &mpsc::Receiver<Msg>,
    sink: &Sink,
    interval: Duration,
    reason: String,
) {
    // Whatever changed while switching over (from a native watch that failed) is seen now.
    let changed = seen.examine_all([], true);
    let mut sigs: HashMap<PathBuf, Option<Signature>> = seen
        .files_on_disk()
        .into_iter()
        .map(|p| {
            let s = signature(&p);
            (p, s)
        })
        .collect();
    // Armed only once the baseline is taken: a change made right after the report must differ
    // from it, or it would never be seen.
    sink(WatchEvent::Armed(WatchMode::Polling { interval, reason }));
    if !changed.is_empty() {
        sink(WatchEvent::Changed(changed));
    }
    loop {
        match rx.recv_timeout(interval) {
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(Msg::Event(_)) | Err(RecvTimeoutError::Timeout) => {}
        }
        let mut paths: BTreeSet<PathBuf> = seen.files_on_disk().into_iter().collect();
        paths.extend(sigs.keys().cloned());
        let mut touched = Vec::new();
        for path in paths {
            let now = signature(&path);
            let before = sigs.insert(path.clone(), now).flatten();
            if before != now {
                touched.push(path);
            }
        }
        sigs.retain(|_, s| s.is_some());
        let changed = seen.examine_all(touched, false);
        if !changed.is_empty() {
            sink(WatchEvent::Changed(changed));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The workspace directory

/// What the workspace watch reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceEvent {
    /// The watch is in place. List the workspace once now: an engagement added while starting
    /// up would otherwise be missed.
    Armed(WatchMode),
    /// Engagement directories (their names, sorted) that appeared or went away since the last
    /// report. A directory counts once it holds `engagement.toml`, as `list_engagements` says.
    Changed {
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// The watch has a problem (the workspace was removed, an error from the OS).
    Problem(String),
}

/// A running watch on a workspace directory, for the list of engagements; dropping it stops
/// the watch. The workspace is watched non-recursively: an engagement's own files are its
/// engagement watcher's business ([`Watcher`]). A subdirectory that is not an engagement yet (a
/// `phasegate new`, `cp -r` or `git clone` under way) is watched non-recursively too, until its
/// `engagement.toml` appears. Bursts are coalesced like [`Watcher`]'s, with the same polling fallback.
pub struct WorkspaceWatcher {
    root: PathBuf,
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

type WorkspaceSink = Box<dyn Fn(WorkspaceEvent) + Send + 'static>;

impl WorkspaceWatcher {
    /// Starts watching the workspace directory `workspace`; `sink` receives every report, on
    /// the watcher's thread. The first report is `Armed`. `PHASEGATE_WATCH=poll` forces polling.
    pub fn start(
        workspace: &Path,
        sink: impl Fn(WorkspaceEvent) + Send + 'static,
    ) -> WorkspaceWatcher {
        let forced = std::env::var("PHASEGATE_WATCH").is_ok_and(|v| v.trim() == "poll");
        let poll = forced.then(|| (poll_interval(), "PHASEGATE_WATCH=poll".to_string()));
        WorkspaceWatcher::spawn(workspace, poll, Box::new(sink))
    }

    /// Starts a polling watch (what `start` falls back to), every `interval`.
    pub fn start_polling(
        workspace: &Path,
        interval: Duration,
        reason: &str,
        sink: impl Fn(WorkspaceEvent) + Send + 'static,
    ) -> WorkspaceWatcher {
        WorkspaceWatcher::spawn(
            workspace,
            Some((interval, reason.to_string())),
            Box::new(sink),
        )
    }

    fn spawn(
        workspace: &Path,
        poll_with: Option<(Duration, String)>,
        sink: WorkspaceSink,
    ) -> WorkspaceWatcher {
        let root = fs::canonicalize(workspace).unwrap_or_else(|_| workspace.to_path_buf());
        let (tx, rx) = mpsc::channel::<Msg>();
        let forward = tx.clone();
        let thread_root = root.clone();
        let thread = thread::Builder::new()
            .name("phasegate-watch-workspace".into())
            .spawn(move || {
                let mut listed = Listed::new(thread_root.clone());
                let remote = network_filesystem(&thread_root).map(|fs| {
                    (
                        poll_interval(),
                        format!("{fs} filesystem, no change notifications"),
                    )
                });
                match poll_with.or(remote) {
                    Some((interval, reason)) => {
                        poll_workspace(&mut listed, &rx, &sink, interval, reason)
                    }
                    None => match NativeWorkspace::arm(&thread_root, forward) {
                        Ok(native) => native.run(&mut listed, &rx, &sink),
                        Err(reason) => {
                            poll_workspace(&mut listed, &rx, &sink, poll_interval(), reason)
                        }
                    },
                }
            })
            .ok();
        WorkspaceWatcher { root, tx, thread }
    }

    /// The (canonical) workspace directory being watched.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for WorkspaceWatcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for WorkspaceWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WorkspaceWatcher({})", self.root.display())
    }
}

/// The engagements the workspace watch last reported, and its subdirectories that are not
/// engagements (yet).
struct Listed {
    root: PathBuf,
    engagements: BTreeSet<String>,
    pending: BTreeSet<PathBuf>,
}

impl Listed {
    fn new(root: PathBuf) -> Listed {
        let mut listed = Listed {
            root,
            engagements: BTreeSet::new(),
            pending: BTreeSet::new(),
        };
        listed.engagements = listed.scan().0;
        listed
    }

    /// The engagements on disk now, and the other subdirectories.
    fn scan(&self) -> (BTreeSet<String>, BTreeSet<PathBuf>) {
        let mut engagements = BTreeSet::new();
        let mut pending = BTreeSet::new();
        let Ok(entries) = fs::read_dir(&self.root) else {
            return (engagements, pending);
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if !path.is_dir() {
                continue;
            }
            if super::workspace::is_engagement(&path) {
                if let Some(name) = path.file_name() {
                    engagements.insert(name.to_string_lossy().into_owned());
                }
            } else {
                pending.insert(path);
            }
        }
        (engagements, pending)
    }

    /// Lists the workspace again: the report of what changed since the last one, if anything.
    fn rescan(&mut self) -> Option<WorkspaceEvent> {
        let (now, pending) = self.scan();
        self.pending = pending;
        let added: Vec<String> = now.difference(&self.engagements).cloned().collect();
        let removed: Vec<String> = self.engagements.difference(&now).cloned().collect();
        self.engagements = now;
        (!added.is_empty() || !removed.is_empty())
            .then_some(WorkspaceEvent::Changed { added, removed })
    }
}

struct NativeWorkspace {
    root: PathBuf,
    watcher: RecommendedWatcher,
    /// Subdirectories watched until they become engagements.
    watched: BTreeSet<PathBuf>,
}

impl NativeWorkspace {
    fn arm(root: &Path, forward: Sender<Msg>) -> Result<NativeWorkspace, String> {
        let watcher = notify::recommended_watcher(move |r: notify::Result<notify::Event>| {
            let _ = forward.send(Msg::Event(r));
        })
        .map_err(|e| describe_notify_error(&e))?;
        let mut native = NativeWorkspace {
            root: root.to_path_buf(),
            watcher,
            watched: BTreeSet::new(),
        };
        native
            .watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| describe_notify_error(&e))?;
        Ok(native)
    }

    /// Watches the subdirectories that are not engagements yet, and stops watching the others.
    fn follow(&mut self, pending: &BTreeSet<PathBuf>) -> Result<(), String> {
        for gone in self
            .watched
            .difference(pending)
            .cloned()
            .collect::<Vec<_>>()
        {
            let _ = self.watcher.unwatch(&gone);
            self.watched.remove(&gone);
        }
        for dir in pending
            .difference(&self.watched)
            .cloned()
            .collect::<Vec<_>>()
        {
            match self.watcher.watch(&dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.watched.insert(dir);
                }
                // Removed again in between: the workspace watch will tell.
                Err(e) if matches!(e.kind, notify::ErrorKind::PathNotFound) => {}
                Err(e) => return Err(describe_notify_error(&e)),
            }
        }
        Ok(())
    }

    fn run(mut self, listed: &mut Listed, rx: &mpsc::Receiver<Msg>, sink: &WorkspaceSink) {
        if let Err(reason) = self.follow(&listed.scan().1) {
            drop(self);
            poll_workspace(listed, rx, sink, poll_interval(), reason);
            return;
        }
        sink(WorkspaceEvent::Armed(WatchMode::Native));
        // Whatever was added while arming.
        if let Some(report) = listed.rescan() {
            sink(report);
        }
        loop {
            let Some(burst) = next_burst(rx, |p| p.ends_with(ENGAGEMENT_FILE)) else {
                return;
            };
            let errors: Vec<String> = burst
                .iter()
                .filter_map(|e| e.as_ref().err().map(describe_notify_error))
                .collect();
            if !errors.is_empty() {
                sink(WorkspaceEvent::Problem(errors.join("; ")));
            } else if !burst.iter().flatten().any(|ev| changes_content(&ev.kind)) {
                continue;
            }
            if !self.root.is_dir() {
                sink(WorkspaceEvent::Problem(format!(
                    "{} was removed or renamed; engagements added or removed are no longer seen",
                    self.root.display()
                )));
            }
            let report = listed.rescan();
            if let Err(reason) = self.follow(&listed.pending) {
                // Out of watches: poll for the rest of the session.
                if let Some(report) = report {
                    sink(report);
                }
                drop(self);
                poll_workspace(listed, rx, sink, poll_interval(), reason);
                return;
            }
            if let Some(report) = report {
                sink(report);
            }
        }
    }
}

fn poll_workspace(
    listed: &mut Listed,
    rx: &mpsc::Receiver<Msg>,
    sink: &WorkspaceSink,
    interval: Duration,
    reason: String,
) {
    sink(WorkspaceEvent::Armed(WatchMode::Polling {
        interval,
        reason,
    }));
    loop {
        if let Some(report) = listed.rescan() {
            sink(report);
        }
        match rx.recv_timeout(interval) {
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(Msg::Event(_)) | Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance() {
        assert!(is_relevant("customer-spec.md"));
        assert!(is_relevant("engagement.toml"));
        assert!(is_relevant(".phasegate/journal.toml"));
        assert!(is_relevant("build/a/b.j2"));
        assert!(is_relevant("build"));
        assert!(!is_relevant("buildx/a"));
        assert!(!is_relevant(".phasegate/lock"));
        assert!(!is_relevant(".customer-spec.md.swp"));
        assert!(!is_relevant("4913"));
    }

    #[test]
    fn own_writes_are_recognised_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let spec = root.join("customer-spec.md");
        fs::write(&spec, "one").unwrap();
        let mut seen = Seen::new(root.clone());
        seen.prime();
        note_write(&spec, b"two");
        fs::write(&spec, "two").unwrap();
        assert!(seen.examine_all([spec.clone()], false).is_empty());
        // Someone else writes, then writes our bytes back: both are changes.
        fs::write(&spec, "three").unwrap();
        assert_eq!(
            seen.examine_all([spec.clone()], false),
            ["customer-spec.md"]
        );
        fs::write(&spec, "two").unwrap();
        assert_eq!(
            seen.examine_all([spec.clone()], false),
            ["customer-spec.md"]
        );
        // Touching changes nothing.
        assert!(seen.examine_all([spec.clone()], false).is_empty());
        fs::remove_file(&spec).unwrap();
        assert_eq!(seen.examine_all([spec], false), ["customer-spec.md"]);
    }

    #[test]
    fn a_removed_build_tree_reports_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(root.join("build/sub")).unwrap();
        fs::write(root.join("build/sub/a"), "a").unwrap();
        fs::write(root.join("build/b"), "b").unwrap();
        let mut seen = Seen::new(root.clone());
        seen.prime();
        fs::remove_dir_all(root.join("build")).unwrap();
        let mut changed = seen.examine_all([root.join("build")], false);
        changed.sort();
        assert_eq!(changed, ["build/b", "build/sub/a"]);
    }
}

#[cfg(test)]
mod native_tests {
    use super::*;

    /// On a local filesystem the watch is native; the polling fallback would otherwise hide a
    /// watcher that failed to arm (the tests pass either way, only slower).
    /// An agent session starting and ending (`phasegate mcp` writes and removes its file under
    /// `.phasegate/agents/`, created after the watch began) is reported as presence, both ways.
    #[test]
    fn agent_sessions_coming_and_going_are_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join(STATE_DIR)).expect("state dir");
        let (tx, rx) = mpsc::channel();
        let _watcher = Watcher::start(dir.path(), move |e| {
            let _ = tx.send(e);
        });
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok(WatchEvent::Armed(_))
        ));
        let next_presence = |rx: &mpsc::Receiver<WatchEvent>| loop {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(WatchEvent::Changed(files)) if files.iter().any(|f| is_presence(f)) => {
                    break files;
                }
                Ok(_) => continue,
                Err(e) => panic!("no presence report: {e}"),
            }
        };
        let session = dir.path().join(AGENTS_DIR).join("4242.toml");
        fs::create_dir(dir.path().join(AGENTS_DIR)).expect("agents dir");
        fs::write(&session, "client = \"claude-code\"\n").expect("session");
        let mut files = next_presence(&rx);
        while !files.contains(&".phasegate/agents/4242.toml".to_string()) {
            files = next_presence(&rx);
        }
        fs::remove_file(&session).expect("session ends");
        assert_eq!(next_presence(&rx), vec![".phasegate/agents/4242.toml"]);
    }

    /// A script that truncates the spec and writes it back in two steps, pausing longer than
    /// `QUIET` in between: reported once, after the writer closed the file, never half-written.
    #[test]
    fn a_slow_in_place_write_is_reported_once_whole() {
        use std::io::Write as _;
        if std::env::var("PHASEGATE_WATCH").is_ok() {
            return; // polling has no close events; its own test covers it
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("customer-spec.md");
        fs::write(&spec, "# Spec\n").expect("write");
        let (tx, rx) = mpsc::channel();
        let _watcher = Watcher::start(dir.path(), move |e| {
            let _ = tx.send(e);
        });
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok(WatchEvent::Armed(WatchMode::Native))
        ));
        let reported = |rx: &mpsc::Receiver<WatchEvent>, within| loop {
            match rx.recv_timeout(within) {
                Ok(WatchEvent::Changed(files)) => {
                    break Some((files, fs::read_to_string(&spec).expect("read")));
                }
                Ok(_) => continue,
                Err(_) => break None,
            }
        };
        {
            let mut f = fs::File::create(&spec).expect("truncate");
            f.write_all(b"# Spec\n\nfirst half").expect("write");
            thread::sleep(QUIET * 8);
            f.write_all(b", second half\n").expect("write");
        }
        let (files, text) = reported(&rx, Duration::from_secs(10)).expect("a report");
        assert_eq!(files, vec!["customer-spec.md".to_string()]);
        assert_eq!(text, "# Spec\n\nfirst half, second half\n");
        assert_eq!(reported(&rx, COALESCE * 10), None, "one write, one report");
    }

    #[test]
    fn local_directories_get_the_native_watcher() {
        assert!(QUIET <= COALESCE, "a burst ends at COALESCE at the latest");
        let dir = tempfile::tempdir().expect("tempdir");
        let (tx, rx) = mpsc::channel();
        let _watcher = Watcher::start(dir.path(), move |e| {
            let _ = tx.send(e);
        });
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(WatchEvent::Armed(mode)) if std::env::var("PHASEGATE_WATCH").is_err() => {
                assert_eq!(mode, WatchMode::Native, "{:?}", mode.status())
            }
            Ok(WatchEvent::Armed(_)) => {}
            other => panic!("expected Armed first, got {other:?}"),
        }
    }
}
