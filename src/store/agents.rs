//! Agent sessions: one small file per running `phasegate mcp` server in `.phasegate/agents/`,
//! so the humans see that an agent is working on the engagement (`status`, the TUI). A file is
//! removed when its server exits; one left by a server that was killed is stale and ignored.
//!
//! Per-machine state like `recovery/` and `presence/`: never committed, never evidence of
//! anything. Who wrote a session file and whether it still runs is `store::instance`'s
//! [`InstanceOwner`] — the same owner and liveness rule as presence files and recovery owners
//! (OS account, host, pid and process start time; another host's session counts as running).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::engagement::Engagement;
use crate::domain::evaluate::Evaluation;
use crate::domain::status_json::status_json;

use super::StoreError;
use super::atomic::write_atomic;
use super::instance::{InstanceOwner, live_files};

pub const AGENTS_DIR: &str = ".phasegate/agents";

/// What a session file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSession {
    /// The MCP client's name (`agent:<client>` in the journal); empty until it introduced itself.
    pub client: String,
    /// When the server started (`YYYY-MM-DDTHH:MM:SSZ`).
    pub since: String,
    /// The server's process.
    pub owner: InstanceOwner,
}

impl AgentSession {
    /// This process's session, started now.
    pub fn current(client: &str) -> AgentSession {
        AgentSession {
            client: client.to_string(),
            since: super::engagement::now().to_string(),
            owner: InstanceOwner::current().clone(),
        }
    }

    /// Whether the server that wrote this file still runs.
    pub fn is_alive(&self) -> bool {
        self.owner.is_alive()
    }
}

/// How an agent's client name appears in the journal: `agent:<client>`.
pub fn agent_actor(client: &str) -> String {
    // One short line whatever the client sent: the name lands in the journal.
    let client: String = client
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(64)
        .collect();
    let client = client.trim();
    if client.is_empty() {
        "agent:unknown".into()
    } else {
        format!("agent:{client}")
    }
}

/// Whether a journal actor is an agent's ([`agent_actor`]).
pub fn is_agent(actor: &str) -> bool {
    actor.starts_with("agent:")
}

pub fn session_path(root: &Path, pid: u32) -> PathBuf {
    root.join(AGENTS_DIR).join(format!("{pid}.toml"))
}

/// Writes (or rewrites) this process's session file.
pub fn write_session(root: &Path, session: &AgentSession) -> Result<PathBuf, StoreError> {
    let path = session_path(root, session.owner.pid);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, &e))?;
    }
    let text = toml::to_string(session)
        .map_err(|e| StoreError::new(&path, format!("cannot write the session: {e}")))?;
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// The sessions whose servers still run, oldest first. Unreadable files describe no one and are
/// skipped; stale ones of this host are removed.
pub fn live_sessions(root: &Path) -> Vec<AgentSession> {
    let mut out = live_files(
        root,
        AGENTS_DIR,
        |text| toml::from_str::<AgentSession>(text).ok(),
        |s| &s.owner,
    );
    out.sort_by(|a, b| a.since.cmp(&b.since).then(a.owner.pid.cmp(&b.owner.pid)));
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

/// The `status --json` object with what only the filesystem knows: the agent sessions running
/// on the engagement (`phasegate mcp`). The MCP server's `status` tool returns this same object.
pub fn status_object(root: &Path, e: &Engagement, ev: &Evaluation) -> Value {
    let mut v = status_json(e, ev);
    v["agents"] = json!(
        live_sessions(root)
            .iter()
            .map(|s| json!({
                "actor": agent_actor(&s.client),
                "pid": s.owner.pid,
                "host": s.owner.host,
                "user": s.owner.user,
                "started": s.since,
            }))
            .collect::<Vec<_>>()
    );
    v
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
        // start time) are both stale, and removed; a file that is not a session stays.
        let gone = AgentSession {
            owner: InstanceOwner {
                pid: 4_194_304 + 7,
                ..me.owner.clone()
            },
            ..me.clone()
        };
        let gone_path = write_session(root, &gone).expect("write");
        let reused = AgentSession {
            owner: InstanceOwner {
                started: me.owner.started + 1,
                ..me.owner.clone()
            },
            ..me.clone()
        };
        let reused_path = root.join(AGENTS_DIR).join("1.toml");
        fs::write(&reused_path, toml::to_string(&reused).expect("toml")).expect("write");
        let junk = root.join(AGENTS_DIR).join("2.toml");
        fs::write(&junk, "not = [toml").expect("write");
        // Another host's session cannot be checked from here: it counts as running.
        let elsewhere = AgentSession {
            owner: InstanceOwner {
                host: format!("{}-elsewhere", me.owner.host),
                pid: 3,
                ..me.owner.clone()
            },
            since: "2026-01-01T00:00:00Z".into(),
            ..me.clone()
        };
        fs::write(
            root.join(AGENTS_DIR).join("3.toml"),
            toml::to_string(&elsewhere).expect("toml"),
        )
        .expect("write");
        if me.owner.started != 0 {
            assert_eq!(live_sessions(root), vec![elsewhere, me]);
            assert!(!gone_path.exists() && !reused_path.exists(), "stale: swept");
        }
        assert!(junk.exists(), "not ours to judge");
        drop(SessionGuard::new(path.clone()));
        assert!(!path.exists());
    }

    #[test]
    fn a_session_file_round_trips_and_names_its_owner() {
        let me = AgentSession::current("claude-code");
        let text = toml::to_string(&me).expect("toml");
        assert!(text.contains("[owner]"), "{text}");
        assert_eq!(toml::from_str::<AgentSession>(&text).ok(), Some(me));
    }
}
