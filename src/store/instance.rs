//! Who runs this phasegate process, as the OS reports it, and whether a process that wrote a file
//! (a recovery file, a presence file, an agent session: `store::agents`) is still running.
//!
//! An [`InstanceOwner`] is the OS account (from the password database for the real uid, never
//! `$USER`), the host name (`gethostname`), the pid and the process start time (field 22 of
//! `/proc/<pid>/stat`, in clock ticks since boot). The start time is what makes a recorded pid
//! trustworthy: after a crash the pid may be reused by an unrelated process, whose start time
//! differs — the check vim makes for its swap files.
//!
//! **Presence.** A running TUI keeps one small file in `.phasegate/presence/` (its owner, as
//! TOML) while it has the engagement open, so another instance can say who else is here. It is
//! written atomically when the engagement opens and removed when it closes; a file whose process
//! is gone (a `kill -9`) is ignored.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::atomic::write_atomic;

/// Where running instances announce themselves, relative to the engagement.
pub use super::layout::PRESENCE_DIR;

/// The process that owns a file, as recorded in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceOwner {
    pub user: String,
    pub host: String,
    pub pid: u32,
    /// Start time in clock ticks since boot (`0`: unknown where this was written).
    pub started: u64,
}

impl InstanceOwner {
    /// This process.
    pub fn current() -> &'static InstanceOwner {
        static CURRENT: OnceLock<InstanceOwner> = OnceLock::new();
        CURRENT.get_or_init(|| {
            let pid = std::process::id();
            InstanceOwner {
                user: os_account(),
                host: host_name(),
                pid,
                started: process_started(pid).unwrap_or(0),
            }
        })
    }

    /// `user@host`, the form journal events record as `os_user`.
    pub fn user_at_host(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }

    /// `user@host (pid N)`, for messages.
    pub fn describe(&self) -> String {
        format!("{} (pid {})", self.user_at_host(), self.pid)
    }

    /// True if this is the running process itself.
    pub fn is_current(&self) -> bool {
        self == InstanceOwner::current()
    }

    /// Whether the owner may still be running. A process on another host cannot be checked from
    /// here, so it counts as running (its files are never taken from it); on this host the pid
    /// must exist and, where the start time was recorded, have started at that time.
    pub fn is_alive(&self) -> bool {
        let me = InstanceOwner::current();
        if self.host != me.host {
            return true;
        }
        if self.pid == me.pid {
            return self.started == me.started;
        }
        match (self.started, process_started(self.pid)) {
            (0, _) => pid_exists(self.pid),
            (recorded, Some(now)) => recorded == now,
            // No /proc entry: gone, unless /proc cannot be read here at all.
            (_, None) if process_started(me.pid).is_some() => false,
            (_, None) => pid_exists(self.pid),
        }
    }

    /// The owner as a small TOML file.
    pub fn to_toml(&self) -> String {
        format!(
            "user = {}\nhost = {}\npid = {}\nstarted = {}\n",
            toml_string(&self.user),
            toml_string(&self.host),
            self.pid,
            self.started
        )
    }

    /// Reads an owner file's text; `None` when it is not one.
    pub fn parse(text: &str) -> Option<InstanceOwner> {
        toml::from_str(text).ok()
    }
}

/// This process's presence file in the engagement at `root`.
pub fn presence_path(root: &Path) -> PathBuf {
    let me = InstanceOwner::current();
    let host: String = me
        .host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    root.join(PRESENCE_DIR)
        .join(format!("{host}.{}.toml", me.pid))
}

/// Says this process has the engagement at `root` open (atomically; the directory is created).
pub fn announce(root: &Path) -> Result<PathBuf, StoreError> {
    let path = presence_path(root);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
    }
    write_atomic(&path, InstanceOwner::current().to_toml().as_bytes())?;
    Ok(path)
}

/// Removes this process's presence file (nothing to do if it is gone).
pub fn withdraw(root: &Path) -> Result<(), StoreError> {
    let path = presence_path(root);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(&path, &e)),
    }
}

/// The other instances that have the engagement at `root` open and are still running, sorted.
/// Stale files (a process of this host that is gone, or whose pid now belongs to another
/// process) are ignored and removed, so a `kill -9` leaves nothing behind for long.
pub fn others_present(root: &Path) -> Vec<InstanceOwner> {
    let mut out: Vec<InstanceOwner> = live_files(root, PRESENCE_DIR, InstanceOwner::parse, |o| o)
        .into_iter()
        .filter(|o| !o.is_current())
        .collect();
    out.sort_by(|a, b| (&a.user, &a.host, a.pid).cmp(&(&b.user, &b.host, b.pid)));
    out.dedup();
    out
}

/// The `.toml` files of `dir` (relative to the engagement at `root`) whose process still runs,
/// each read with `parse` and judged by the [`InstanceOwner`] `owner` finds in it: the one
/// liveness rule of presence files and agent sessions. A file naming a process of this host that
/// is gone is removed (best effort: another instance may sweep it at the same moment); a file
/// that does not parse is left alone, not ours to judge.
pub fn live_files<T>(
    root: &Path,
    dir: &str,
    parse: impl Fn(&str) -> Option<T>,
    owner: impl Fn(&T) -> &InstanceOwner,
) -> Vec<T> {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let here = &InstanceOwner::current().host;
    let mut out = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        if !entry.file_name().to_string_lossy().ends_with(".toml") {
            continue;
        }
        let path = entry.path();
        let Some(item) = super::limits::read_text(root, &path)
            .ok()
            .flatten()
            .and_then(|t| parse(&t))
        else {
            continue;
        };
        let o = owner(&item);
        if o.is_alive() {
            out.push(item);
        } else if o.host == *here {
            let _ = fs::remove_file(&path);
        }
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The OS account of the real uid, from the password database (`$USER` is whatever the caller
/// set; NSS, so an LDAP account on a jump host counts). Without an entry (a container's arbitrary
/// uid): `uid<N>`.
fn os_account() -> String {
    let uid = rustix::process::getuid().as_raw();
    account_name(uid).unwrap_or_else(|| format!("uid{uid}"))
}

fn account_name(uid: u32) -> Option<String> {
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)).ok()??;
    let name = user.name.trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The host name as the kernel reports it (`localhost` if it cannot).
fn host_name() -> String {
    let uname = rustix::system::uname();
    let name = uname.nodename().to_string_lossy().trim().to_string();
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

/// A process's start time (field 22 of `/proc/<pid>/stat`); `None` where there is no such
/// process or no `/proc`.
pub fn process_started(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_time(&stat)
}

/// Field 22 of a `/proc/<pid>/stat` line. The command name (field 2) is in parentheses and may
/// hold spaces and parentheses itself, so fields are counted after its last `)`.
fn parse_start_time(stat: &str) -> Option<u64> {
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    // After the name comes field 3; field 22 is the 20th from there.
    rest.split_whitespace().nth(19)?.parse().ok()
}

fn pid_exists(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // Signal 0 only asks whether the process exists and may be signalled; EPERM: it exists.
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_is_field_22_even_with_odd_command_names() {
        let stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 \
                    1000 200";
        assert_eq!(parse_start_time(stat), Some(987_654));
        assert_eq!(parse_start_time("garbage"), None);
    }

    #[test]
    fn this_process_is_alive_and_a_changed_start_time_is_not() {
        let me = InstanceOwner::current().clone();
        assert!(me.is_current() && me.is_alive());
        assert!(!me.user.is_empty() && !me.host.is_empty());
        if me.started != 0 {
            let reused = InstanceOwner {
                started: me.started + 1,
                ..me.clone()
            };
            assert!(!reused.is_alive(), "same pid, another start time");
        }
        let elsewhere = InstanceOwner {
            host: format!("{}-elsewhere", me.host),
            pid: 1,
            ..me.clone()
        };
        assert!(elsewhere.is_alive(), "another host cannot be checked");
    }

    #[test]
    fn a_finished_process_is_dead() {
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("spawn true");
        let pid = child.id();
        let started = process_started(pid).unwrap_or(0);
        child.wait().expect("wait");
        let gone = InstanceOwner {
            pid,
            started,
            ..InstanceOwner::current().clone()
        };
        assert!(!gone.is_alive());
    }

    #[test]
    fn presence_is_announced_withdrawn_and_stale_files_are_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let mine = announce(root).expect("announce");
        assert!(mine.starts_with(root.join(PRESENCE_DIR)));
        assert!(
            others_present(root).is_empty(),
            "this process is not 'other'"
        );
        let parent = std::os::unix::process::parent_id();
        let other = InstanceOwner {
            pid: parent,
            started: process_started(parent).unwrap_or(0),
            ..InstanceOwner::current().clone()
        };
        let presence = root.join(PRESENCE_DIR);
        fs::write(presence.join("x.1.toml"), other.to_toml()).expect("write");
        let stale = InstanceOwner {
            started: other.started + 1,
            ..other.clone()
        };
        fs::write(presence.join("x.2.toml"), stale.to_toml()).expect("write");
        fs::write(presence.join("junk.toml"), "not [toml").expect("write");
        assert_eq!(others_present(root), vec![other]);
        assert!(
            !presence.join("x.2.toml").exists(),
            "the stale file is swept"
        );
        assert!(presence.join("junk.toml").exists(), "not ours to judge");
        withdraw(root).expect("withdraw");
        assert!(!mine.exists());
        withdraw(root).expect("twice is fine");
    }

    #[test]
    fn owner_files_round_trip() {
        let o = InstanceOwner {
            user: "al \"ice\"".into(),
            host: "jump01".into(),
            pid: 7,
            started: 123,
        };
        assert_eq!(InstanceOwner::parse(&o.to_toml()), Some(o.clone()));
        assert_eq!(o.describe(), "al \"ice\"@jump01 (pid 7)");
        assert_eq!(InstanceOwner::parse("not = [toml"), None);
    }

    #[test]
    fn the_user_and_host_are_what_the_system_tools_say() {
        // `id -un` and `hostname` ask the same databases by another road than ours.
        let tool = |cmd: &str, args: &[&str]| {
            let out = std::process::Command::new(cmd).args(args).output().ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        };
        let me = InstanceOwner::current();
        let uid = rustix::process::getuid().as_raw();
        let user = tool("id", &["-un"]).unwrap_or_else(|| format!("uid{uid}"));
        assert_eq!(me.user, user);
        if let Some(host) = tool("hostname", &[]) {
            assert_eq!(me.host, host);
        }
        assert_eq!(me.pid, std::process::id());
        assert!(pid_exists(me.pid));
        assert!(!pid_exists(0));
    }
}
