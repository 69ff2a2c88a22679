//! The engagement's advisory lock, taken for every read-modify-write and held for milliseconds.
//!
//! `.phasegate/lock` is a file anyone with write access to the engagement can replace, so it is
//! opened defensively: never through a symlink (`O_NOFOLLOW`; a symlink leaving the engagement
//! once made phasegate create files elsewhere), never blocking on open (`O_NONBLOCK`: a named
//! pipe there once hung every write command), and only when it is a regular file. A writer that
//! finds the lock taken says who holds it after a second and gives up after a timeout
//! (`lock_timeout` in config.toml, `PHASEGATE_LOCK_TIMEOUT`; 30 s by default).

use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::StoreError;
use super::instance::InstanceOwner;
use super::limits::{file_kind, leaves_engagement};

pub const LOCK_FILE: &str = ".phasegate/lock";

/// The environment variable that overrides `lock_timeout` (seconds).
pub const TIMEOUT_ENV: &str = "PHASEGATE_LOCK_TIMEOUT";
/// How long a writer waits for the lock unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a writer waits quietly before saying whom it waits for.
const ANNOUNCE_AFTER: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(20);
/// The start of the message of a writer that gave up waiting (see [`gave_up`]).
const GAVE_UP: &str = "still locked after";

/// How writers of this process wait: the timeout, and who is told that they wait (the CLI
/// prints it; the TUI, which owns the terminal, is not told).
struct Waiting {
    timeout: Duration,
    notice: Option<fn(&str)>,
}

static WAITING: Mutex<Waiting> = Mutex::new(Waiting {
    timeout: DEFAULT_TIMEOUT,
    notice: None,
});

/// Sets how every later [`EngagementLock::acquire`] of this process waits.
pub fn configure(timeout: Duration, notice: Option<fn(&str)>) {
    if let Ok(mut w) = WAITING.lock() {
        *w = Waiting { timeout, notice };
    }
}

/// The timeout from `PHASEGATE_LOCK_TIMEOUT`, else the config's `lock_timeout`, else the
/// default; an unreadable value in the environment is named in the error.
pub fn timeout_from(env: Option<&str>, config: Option<u64>) -> Result<Duration, String> {
    match env.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v.parse::<u64>().map(Duration::from_secs).map_err(|_| {
            format!("{TIMEOUT_ENV}={v} is not a number of seconds (for example {TIMEOUT_ENV}=30)")
        }),
        None => Ok(config.map_or(DEFAULT_TIMEOUT, Duration::from_secs)),
    }
}

/// True when `err` is a writer that gave up waiting for the lock: the engagement is busy, not
/// broken (the CLI exits 1, not 2).
pub fn gave_up(err: &StoreError) -> bool {
    err.path.ends_with(LOCK_FILE) && err.message.starts_with(GAVE_UP)
}

/// Held while alive; dropping the file releases the lock.
pub struct EngagementLock {
    _file: File,
}

impl EngagementLock {
    pub fn acquire(root: &Path) -> Result<EngagementLock, StoreError> {
        let (timeout, notice) = WAITING
            .lock()
            .map(|w| (w.timeout, w.notice))
            .unwrap_or((DEFAULT_TIMEOUT, None));
        EngagementLock::acquire_waiting(root, timeout, notice)
    }

    /// Takes the lock, waiting at most `timeout`; `notice` hears once, after a second, whom it
    /// waits for.
    pub fn acquire_waiting(
        root: &Path,
        timeout: Duration,
        notice: Option<fn(&str)>,
    ) -> Result<EngagementLock, StoreError> {
        let path = root.join(LOCK_FILE);
        let file = open_lock_file(root, &path)?;
        let start = Instant::now();
        let mut announced = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Err(StoreError::io(&path, &e)),
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(StoreError::new(
                    &path,
                    format!(
                        "{GAVE_UP} {} s: held by {}. If no phasegate is running there, the lock is \
                         stale only in name (it is released when its process ends); otherwise wait, or \
                         set `lock_timeout` in config.toml or {TIMEOUT_ENV} to wait longer",
                        timeout.as_secs(),
                        holder(&file)
                    ),
                ));
            }
            if !announced
                && waited >= ANNOUNCE_AFTER
                && let Some(say) = notice
            {
                announced = true;
                say(&format!(
                    "waiting for the lock held by {} ({}); giving up after {} s\n",
                    holder(&file),
                    path.display(),
                    timeout.as_secs()
                ));
            }
            std::thread::sleep(POLL.min(timeout.saturating_sub(waited)));
        }
        record_holder(&file);
        Ok(EngagementLock { _file: file })
    }
}

/// Opens (creating) the lock file without following a symlink and without blocking, and only
/// when it is a regular file inside the engagement.
fn open_lock_file(root: &Path, path: &Path) -> Result<File, StoreError> {
    if let Some(why) = leaves_engagement(root, path) {
        return Err(StoreError::new(path, why));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, &e))?;
    }
    // Looked at before opening too, so a device node is never opened at all.
    if let Ok(meta) = fs::symlink_metadata(path)
        && !meta.is_file()
    {
        return Err(not_a_lock(path, &meta.file_type()));
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => StoreError::new(path, symlink_refused()),
            _ if e.kind() == ErrorKind::IsADirectory => {
                StoreError::new(path, "is a directory; the engagement's lock must be a file")
            }
            _ => StoreError::io(path, &e),
        })?;
    let meta = file.metadata().map_err(|e| StoreError::io(path, &e))?;
    if !meta.is_file() {
        return Err(not_a_lock(path, &meta.file_type()));
    }
    // A regular file ignores O_NONBLOCK; cleared anyway so the descriptor is an ordinary one.
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    fcntl_getfl(&file)
        .and_then(|flags| fcntl_setfl(&file, flags & !OFlags::NONBLOCK))
        .map_err(|e| StoreError::io(path, &std::io::Error::from(e)))?;
    Ok(file)
}

fn symlink_refused() -> String {
    "is a symlink; the engagement's lock is never opened through one (it could create or \
     truncate a file elsewhere). Remove it; phasegate creates the lock as a plain file"
        .into()
}

fn not_a_lock(path: &Path, kind: &fs::FileType) -> StoreError {
    if kind.is_symlink() {
        return StoreError::new(path, symlink_refused());
    }
    StoreError::new(
        path,
        format!(
            "is {}, not a regular file; the engagement's lock is not opened. Remove it; \
             phasegate creates the lock as a plain file",
            file_kind(kind)
        ),
    )
}

/// Writes who holds the lock into it (this process, as the OS reports it), for a writer that
/// has to wait. In place, not by rename: a renamed file would be a new inode, and the others
/// lock the old one.
fn record_holder(file: &File) {
    let text = InstanceOwner::current().to_toml();
    // Only informs a waiting writer: the lock holds even if this fails.
    let _ = file.set_len(0);
    let _ = file.write_all_at(text.as_bytes(), 0);
}

/// "pid N on HOST" from the lock file's content, or a plain description when it has none.
fn holder(file: &File) -> String {
    let mut buf = [0u8; 512];
    let n = file.read_at(&mut buf, 0).unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    let value = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    match (value("pid"), value("host")) {
        (Some(pid), Some(host)) => format!("pid {pid} on {host}"),
        (Some(pid), None) => format!("pid {pid}"),
        _ => "another process".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_order_env_config_default() {
        assert_eq!(timeout_from(Some("5"), Some(9)), Ok(Duration::from_secs(5)));
        assert_eq!(timeout_from(None, Some(9)), Ok(Duration::from_secs(9)));
        assert_eq!(timeout_from(Some(" "), None), Ok(DEFAULT_TIMEOUT));
        assert!(
            timeout_from(Some("soon"), None)
                .unwrap_err()
                .contains(TIMEOUT_ENV)
        );
    }

    #[test]
    fn a_waiting_writer_names_the_holder_and_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let held = EngagementLock::acquire_waiting(dir.path(), Duration::ZERO, None).unwrap();
        let err = match EngagementLock::acquire_waiting(dir.path(), Duration::ZERO, None) {
            Err(e) => e,
            Ok(_) => panic!("a second lock was granted"),
        };
        assert!(gave_up(&err), "{err}");
        assert!(
            err.message.contains(&format!(
                "pid {} on {}",
                std::process::id(),
                InstanceOwner::current().host
            )),
            "{err}"
        );
        drop(held);
        assert!(EngagementLock::acquire_waiting(dir.path(), Duration::ZERO, None).is_ok());
    }
}
