//! Real SSH keys, a real ssh-agent and an attacker's re-chaining, for the signed-decision
//! tests. A machine without OpenSSH fails these tests (CI has it): nothing is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory of throwaway keys made by `ssh-keygen`.
pub struct Keys {
    pub dir: tempfile::TempDir,
}

impl Keys {
    pub fn new() -> Keys {
        Keys {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Generates `name` (`ed25519`, `ecdsa` P-256 or `ecdsa384`) without a passphrase and
    /// returns the private key's path.
    pub fn generate(&self, name: &str, kind: &str) -> PathBuf {
        self.generate_with_passphrase(name, kind, "")
    }

    pub fn generate_with_passphrase(&self, name: &str, kind: &str, passphrase: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        let mut cmd = Command::new("ssh-keygen");
        cmd.args(["-q", "-N", passphrase, "-C", name, "-f"])
            .arg(&path);
        match kind {
            "ed25519" => cmd.args(["-t", "ed25519"]),
            "ecdsa" => cmd.args(["-t", "ecdsa", "-b", "256"]),
            "ecdsa384" => cmd.args(["-t", "ecdsa", "-b", "384"]),
            other => panic!("unknown key kind {other}"),
        };
        let status = cmd
            .status()
            .expect("ssh-keygen must be installed for the signing tests");
        assert!(status.success(), "ssh-keygen failed for {name}");
        path
    }

    /// `keytype base64` of a key, as an allowed-signers line wants it.
    pub fn public(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.path().join(format!("{name}.pub")))
            .expect("public key");
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn pub_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.pub"))
    }
}

/// An ssh-agent this test started; killed when dropped.
pub struct Agent {
    pub sock: PathBuf,
    pid: i32,
}

impl Agent {
    /// `ssh-agent -s -a SOCK`: the socket is listening when the command returns.
    pub fn start(dir: &Path) -> Agent {
        let sock = dir.join("agent.sock");
        let out = Command::new("ssh-agent")
            .args(["-s", "-a"])
            .arg(&sock)
            .output()
            .expect("ssh-agent must be installed for the signing tests");
        assert!(out.status.success(), "ssh-agent failed to start");
        let text = String::from_utf8_lossy(&out.stdout);
        let pid = text
            .split(';')
            .find_map(|part| part.trim().strip_prefix("SSH_AGENT_PID="))
            .and_then(|p| p.trim().parse().ok())
            .expect("ssh-agent prints its pid");
        Agent { sock, pid }
    }

    pub fn add(&self, key: &Path) {
        let status = Command::new("ssh-add")
            .arg("-q")
            .arg(key)
            .env("SSH_AUTH_SOCK", &self.sock)
            .status()
            .expect("ssh-add must be installed for the signing tests");
        assert!(status.success(), "ssh-add failed");
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the pid of the agent this test started.
        unsafe {
            libc::kill(self.pid, libc::SIGTERM);
        }
    }
}

/// Sets `[policy]` lines of an engagement (`signatures = …`, `approvals = …`), replacing any
/// `signatures` line `phasegate new` wrote, without recording the change in the journal.
pub fn edit_policy(engagement: &Path, lines: &str) {
    let meta = engagement.join("engagement.toml");
    let text = std::fs::read_to_string(&meta).expect("engagement.toml");
    let kept: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("signatures ="))
        .collect();
    let text = kept.replacen("[policy]\n", &format!("[policy]\n{lines}\n"), 1);
    std::fs::write(&meta, text).expect("engagement.toml");
}

/// [`edit_policy`], then [`record_policy`].
pub fn set_policy(engagement: &Path, lines: &str) {
    edit_policy(engagement, lines);
    record_policy(engagement);
}

/// `phasegate record-policy` (unsigned: the policy it leaves asks for no signature), stamped at
/// the journal's last event so no later event goes back in time.
pub fn record_policy(engagement: &Path) {
    let journal =
        std::fs::read_to_string(engagement.join(".phasegate/journal.toml")).expect("journal.toml");
    let last_at = journal
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("at = "))
        .expect("an event's `at`")
        .trim()
        .to_string();
    let workspace = engagement.parent().expect("the engagement's workspace");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phasegate"))
        .arg("--workspace")
        .arg(workspace)
        .args(["--as", "lead", "record-policy"])
        .arg(engagement)
        .args(["--reason", "the test sets the policy"])
        .env("PHASEGATE_CONFIG", workspace.join("no-config.toml"))
        .env("PHASEGATE_NOW", &last_at)
        .env_remove("PHASEGATE_WORKSPACE")
        .output()
        .expect("run phasegate record-policy");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || stderr.contains("already recorded"),
        "record-policy: {stderr}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    phasegate::domain::digest::sha256_hex(bytes)
}

/// Rewrites every event's `seq`, `prev` and `hash` so the chain is whole again: what someone
/// who edits the journal by hand (or a merge) does. Signatures are what must catch them.
pub fn rechain(journal: &str) -> String {
    let mut header = String::new();
    let mut blocks: Vec<String> = Vec::new();
    for line in journal.split_inclusive('\n') {
        if line.trim_end() == "[[event]]" {
            blocks.push(String::new());
        }
        match blocks.last_mut() {
            Some(b) => b.push_str(line),
            None => header.push_str(line),
        }
    }
    let mut out = header;
    let mut prev = "0".repeat(64);
    for (i, block) in blocks.iter().enumerate() {
        let mut body = String::new();
        for line in block.split_inclusive('\n') {
            if line.starts_with("hash = ") || line.trim().is_empty() {
                continue;
            } else if line.starts_with("seq = ") {
                body.push_str(&format!("seq = {}\n", i + 1));
            } else if line.starts_with("prev = ") {
                body.push_str(&format!("prev = \"{prev}\"\n"));
            } else {
                body.push_str(line);
            }
        }
        let hash = sha256_hex(body.as_bytes());
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&body);
        out.push_str(&format!("hash = \"{hash}\"\n"));
        prev = hash;
    }
    out
}

/// The `[[event]]` blocks of a journal, each with its `hash` line (no separating blank line).
pub fn event_blocks(journal: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in journal.split_inclusive('\n') {
        if line.trim_end() == "[[event]]" {
            blocks.push(String::new());
        }
        if let Some(b) = blocks.last_mut()
            && !line.trim().is_empty()
        {
            b.push_str(line);
        }
    }
    blocks
}
