//! Agent sessions: one small file per running `phasegate mcp` server in `.phasegate/agents/`,
//! so the humans see that an agent is working on the engagement (`status`, the TUI). A file is
//! removed when its server exits; one left by a server that was killed is stale and ignored.
//!
//! Per-machine state like `recovery/` and `lock`: never committed, never evidence of anything.
//! The liveness test (same host, the pid alive with the start time it recorded) is the minimal
//! one; the lead unifies it with `store::instance` (presence files) when both are merged.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::atomic::write_atomic;
use super::limits::read_text;

pub const AGENTS_DIR: &str = ".phasegate/agents";

/// What a session file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSession {
    /// The MCP client's name (`agent:<client>` in the journal); empty until it introduced itself.
    pub client: String,
    pub pid: u32,
    pub host: String,
    /// When the server started (`YYYY-MM-DDTHH:MM:SSZ`).
    pub started: String,
    /// The process's start time in clock ticks since boot (Linux), so a reused pid is not taken
    /// for the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_start: Option<u64>,
}

impl AgentSession {
    /// This process's session, started now.
    pub fn current(client: &str) -> AgentSession {
        let pid = std::process::id();
        AgentSession {
            client: client.to_string(),
            pid,
            host: host_name(),
            started: super::engagement::now().to_string(),
            process_start: process_start(pid),
        }
    }

    /// Whether the server that wrote this file still runs (on this host; one on another host
    /// cannot be checked and is not shown).
    pub fn is_alive(&self) -> bool {
        if self.host != host_name() {
            return false;
        }
        let Ok(pid) = libc::pid_t::try_from(self.pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 sends nothing; it only reports whether the pid exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        exists
            && match (self.process_start, process_start(self.pid)) {
                (Some(recorded), Some(now)) => recorded == now,
                _ => true,
            }
    }
}

pub fn session_path(root: &Path, pid: u32) -> PathBuf {
    root.join(AGENTS_DIR).join(format!("{pid}.toml"))
}

/// Writes (or rewrites) this process's session file.
pub fn write_session(root: &Path, session: &AgentSession) -> Result<PathBuf, StoreError> {
    let path = session_path(root, session.pid);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
    }
    let text = toml::to_string(session)
        .map_err(|e| StoreError::new(&path, format!("cannot write the session: {e}")))?;
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// The sessions whose servers still run, oldest first. Unreadable and stale files are skipped:
/// they describe no one.
pub fn live_sessions(root: &Path) -> Vec<AgentSession> {
    let Ok(entries) = fs::read_dir(root.join(AGENTS_DIR)) else {
        return Vec::new();
    };
    let mut out: Vec<AgentSession> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".toml"))
        .filter_map(|e| read_text(root, &e.path()).ok().flatten())
        .filter_map(|text| toml::from_str::<AgentSession>(&text).ok())
        .filter(AgentSession::is_alive)
        .collect();
    out.sort_by(|a, b| a.started.cmp(&b.started).then(a.pid.cmp(&b.pid)));
    out
}

/// Removes the session file when dropped (the server's normal exit).
pub struct SessionGuard {
    path: PathBuf,
}

impl SessionGuard {
    pub fn new(path: PathBuf) -> SessionGuard {
        SessionGuard { path }
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Field 22 of `/proc/<pid>/stat` (after the command name, which may hold spaces and parens).
fn process_start(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_session_is_listed_and_a_stale_one_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let me = AgentSession::current("claude-code");
        let path = write_session(root, &me).expect("write");
        assert_eq!(live_sessions(root), vec![me.clone()]);

        // A pid that cannot be running (beyond pid_max) and a reused pid (our pid, another
        // start time) are both stale.
        let gone = AgentSession {
            pid: 4_194_304 + 7,
            ..me.clone()
        };
        write_session(root, &gone).expect("write");
        let reused = AgentSession {
            process_start: me.process_start.map(|s| s + 1),
            ..me.clone()
        };
        fs::write(
            root.join(AGENTS_DIR).join("1.toml"),
            toml::to_string(&reused).expect("toml"),
        )
        .expect("write");
        fs::write(root.join(AGENTS_DIR).join("2.toml"), "not = [toml").expect("write");
        let live = live_sessions(root);
        if me.process_start.is_some() {
            assert_eq!(live, vec![me]);
        }
        drop(SessionGuard::new(path.clone()));
        assert!(!path.exists());
    }
}
