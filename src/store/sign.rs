//! Signing decisions with the user's own SSH key through `ssh-keygen -Y sign` (DESIGN §7), and
//! reading the allowed-signers file (which key and file to use is `config::signing`). phasegate
//! never reads a private key and never stores a key or a passphrase: ssh-keygen (or ssh-agent)
//! does the signing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ssh_key::PublicKey;

use crate::domain::allowed_signers::{AllowedSigners, fingerprint, fold};
use crate::domain::criteria::predefined_ids;
use crate::domain::engagement::Engagement;
use crate::domain::meta::{ENGAGEMENT_FILE, Policy, parse_engagement};
use crate::domain::rules::Refusal;
use crate::domain::signature::{self, NAMESPACE};

use super::StoreError;
use super::limits::{read_text, read_text_file};

/// The file name of the default allowed-signers file, at the top of the workspace.
pub const ALLOWED_SIGNERS_FILE: &str = "allowed_signers";

/// A key phasegate can sign with: the public half is read here, the private half stays with
/// ssh-keygen or the agent.
#[derive(Debug, Clone)]
pub struct SigningKey {
    /// What `ssh-keygen -f` is given.
    pub path: PathBuf,
    pub public: PublicKey,
    pub fingerprint: String,
    /// A `.pub` path: the private key is in ssh-agent.
    pub via_agent: bool,
}

/// Who signs: the key and the principal it acts as (from the allowed signers).
#[derive(Debug, Clone)]
pub struct Signer {
    pub key: SigningKey,
    pub principal: String,
    /// Every principal the allowed signers list for this key (for the owner rule).
    pub principals: Vec<String>,
}

/// The key an approval would be signed with, as the TUI's confirmation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerLabel {
    pub principal: String,
    pub fingerprint: String,
}

/// A signer, or why there is none (said only when a signature is needed).
pub type Signing = Result<Signer, String>;

/// Reads the public half of a signing key: the `.pub` itself, or `KEY.pub` next to `KEY`.
pub fn load_key(path: &Path) -> Result<SigningKey, String> {
    let via_agent = path.extension().is_some_and(|e| e == "pub");
    let pub_path = if via_agent {
        path.to_path_buf()
    } else {
        let mut p = path.as_os_str().to_owned();
        p.push(".pub");
        PathBuf::from(p)
    };
    let text = match read_text_file(&pub_path) {
        Ok(Some(t)) => t,
        Ok(None) if via_agent => return Err(format!("{}: not found", pub_path.display())),
        Ok(None) => {
            return Err(format!(
                "{}: not found; phasegate reads the public key next to the private one (create it with ssh-keygen -y -f {} > {})",
                pub_path.display(),
                path.display(),
                pub_path.display()
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    let public = PublicKey::from_openssh(text.trim()).map_err(|e| {
        format!(
            "{}:1:1: not an OpenSSH public key ({e}); phasegate signs with ed25519 and ecdsa keys",
            pub_path.display()
        )
    })?;
    Ok(SigningKey {
        path: path.to_path_buf(),
        fingerprint: fingerprint(&public),
        public,
        via_agent,
    })
}

impl SigningKey {
    /// Signs `message` with `ssh-keygen -Y sign -n phasegate`, then verifies the result in
    /// Rust before it is trusted. A passphrase prompt goes to the terminal (ssh-keygen opens
    /// /dev/tty itself).
    pub fn sign(&self, message: &[u8]) -> Result<String, String> {
        if self.via_agent && std::env::var_os("SSH_AUTH_SOCK").is_none_or(|s| s.is_empty()) {
            return Err(format!(
                "{} is a public key, so its private half must be in ssh-agent, but SSH_AUTH_SOCK is not set (start an agent and ssh-add the key, or forward your agent with ssh -A)",
                self.path.display()
            ));
        }
        let dir = tempfile::tempdir()
            .map_err(|e| format!("cannot create a temporary directory to sign in: {e}"))?;
        let file = dir.path().join("event");
        fs::write(&file, message).map_err(|e| format!("{}: {e}", file.display()))?;
        let out = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
            .arg(&self.path)
            .arg(&file)
            .stdin(Stdio::inherit())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "ssh-keygen not found on PATH: signing needs the OpenSSH client (apt install openssh-client)".to_string()
                }
                _ => format!("cannot run ssh-keygen: {e}"),
            })?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr)
                .trim()
                .replace('\n', "; ");
            let hint = if self.via_agent {
                " (is the key loaded? ssh-add -l lists what the agent holds)"
            } else {
                ""
            };
            return Err(format!(
                "ssh-keygen could not sign with {}: {said}{hint}",
                self.path.display()
            ));
        }
        let mut sig_path = file.into_os_string();
        sig_path.push(".sig");
        let armored = fs::read_to_string(&sig_path)
            .map_err(|e| format!("ssh-keygen wrote no signature: {e}"))?;
        let armored = armored.trim_end().to_string();
        signature::verify(message, &armored, &self.public).map_err(|why| {
            format!(
                "ssh-keygen's signature does not verify with {} ({why})",
                self.fingerprint
            )
        })?;
        Ok(armored)
    }
}

/// Reads and parses the allowed signers; `Ok(None)` when the file does not exist.
pub fn load_allowed_signers(path: &Path) -> Result<Option<AllowedSigners>, StoreError> {
    let Some(text) = read_text_file(path)? else {
        return Ok(None);
    };
    let file = path.display().to_string();
    AllowedSigners::parse(&file, &text)
        .map(Some)
        .map_err(|f| StoreError {
            path: path.to_path_buf(),
            line: f.position.line,
            column: f.position.column,
            message: f.message,
        })
}

/// The engagement's policy, read ahead of a transaction to know whether to prepare a signer
/// (the transaction reads it again under the lock). `None` when it cannot be read: the
/// transaction reports that.
pub fn peek_policy(root: &Path) -> Option<Policy> {
    let text = read_text(root, &root.join(ENGAGEMENT_FILE)).ok()??;
    parse_engagement(&text, &predefined_ids())
        .ok()
        .map(|m| m.policy)
}

impl Signer {
    /// The owner rule by key: under `distinct_approver`, a key the allowed signers list for the
    /// owner (under any principal name) cannot approve or close, whatever name it acts as.
    pub fn require_not_owner(&self, e: &Engagement, action: &str) -> Result<(), Refusal> {
        let owner = fold(&e.meta.owner);
        if e.meta.policy.distinct_approver && self.principals.iter().any(|p| fold(p) == owner) {
            return Err(Refusal::rule(format!(
                "the signing key {} belongs to {}, who owns this engagement and cannot {action}: [policy] distinct_approver = true asks for a second person",
                self.key.fingerprint, e.meta.owner
            )));
        }
        Ok(())
    }
}
