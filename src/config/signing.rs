//! Where the signer comes from (DESIGN §7): the configured key (`signing_key`, else git's
//! `user.signingKey`), the allowed-signers file and the identity, resolved from the config. The
//! signing itself (ssh-keygen, the agent) is `store::sign`, which knows nothing of the config.

use std::path::{Path, PathBuf};

use crate::domain::journal::Stamp;
use crate::domain::meta::SignaturePolicy;
use crate::domain::signature;
use crate::store::sign::{
    ALLOWED_SIGNERS_FILE, Signer, SignerLabel, Signing, load_allowed_signers, load_key, peek_policy,
};

use super::{Config, git_config};

fn expand_home(path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(rest))
            .unwrap_or_else(|| path.to_path_buf()),
        Err(_) => path.to_path_buf(),
    }
}

/// Config `signing_key`, else git's `user.signingKey` when `gpg.format = ssh`.
pub fn configured_key_path(config: &Config) -> Result<PathBuf, String> {
    if let Some(p) = &config.signing_key {
        return Ok(expand_home(p));
    }
    let git_ssh = git_config("gpg.format").is_some_and(|f| f == "ssh");
    match git_config("user.signingKey") {
        Some(key) if git_ssh => {
            if key.starts_with("key::") || key.starts_with("ssh-") {
                Err("git's user.signingKey is a literal key; set signing_key in phasegate's config.toml to the key's file (or its .pub when the key is in ssh-agent)".into())
            } else {
                Ok(expand_home(Path::new(&key)))
            }
        }
        _ => Err("no signing key: set signing_key in phasegate's config.toml (a private key file, or a .pub whose key is in ssh-agent), or git's user.signingKey with gpg.format = ssh".into()),
    }
}

/// `--allowed-signers FILE`, else config `allowed_signers`, else `<workspace>/allowed_signers`.
pub fn allowed_signers_path(explicit: Option<&Path>, config: &Config, workspace: &Path) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| config.allowed_signers.as_deref().map(expand_home))
        .unwrap_or_else(|| workspace.join(ALLOWED_SIGNERS_FILE))
}

/// What an action needs to find its signer: the config (`signing_key`), the allowed-signers
/// file and the `--as` given. Shared by the CLI and the TUI.
#[derive(Debug, Clone)]
pub struct SigningSetup {
    pub config: Config,
    pub allowed_signers: PathBuf,
    pub as_name: Option<String>,
}

impl SigningSetup {
    /// Who would sign, for the confirmation dialog (no engagement policy is looked at).
    pub fn label(&self) -> Result<SignerLabel, String> {
        signer(
            &self.config,
            &self.allowed_signers,
            self.as_name.as_deref(),
            self.config.identity.as_deref(),
        )
        .map(|s| SignerLabel {
            principal: s.principal,
            fingerprint: s.key.fingerprint,
        })
    }

    /// The signer for an action on the engagement at `root`, with the stamp's actor set to the
    /// verified principal. Under `signatures = "off"` nothing is looked up.
    pub fn acting(&self, root: &Path, stamp: &mut Stamp) -> Signing {
        let policy = peek_policy(root).unwrap_or_default();
        if policy.signatures == SignaturePolicy::Off {
            return Err("signing is off".into());
        }
        let signing = signer(
            &self.config,
            &self.allowed_signers,
            self.as_name.as_deref(),
            self.config.identity.as_deref(),
        );
        // Refuse now what `check` would refuse later: a key outside its validity or namespaces.
        let signing = signing.and_then(|s| {
            let signers = load_allowed_signers(&self.allowed_signers)
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            signature::admit(&signers, &s.key.fingerprint, &s.principal, stamp.at)?;
            Ok(s)
        });
        if let Ok(s) = &signing {
            stamp.actor = s.principal.clone();
        }
        signing
    }
}

/// The signer for this command: the configured key, matched to a principal of the allowed
/// signers. `wanted` is `--as`; `identity` the configured identity, used when the key admits it.
pub fn signer(
    config: &Config,
    signers_path: &Path,
    wanted: Option<&str>,
    identity: Option<&str>,
) -> Signing {
    let key = load_key(&configured_key_path(config)?)?;
    let signers = load_allowed_signers(signers_path)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "{}: not found; the allowed signers say whose key is whose (--allowed-signers FILE, config allowed_signers, or this default)",
                signers_path.display()
            )
        })?;
    let principal = match wanted {
        Some(w) => signature::principal_for(&signers, &key.fingerprint, Some(w))?,
        None => identity
            .and_then(|i| signature::principal_for(&signers, &key.fingerprint, Some(i)).ok())
            .map_or_else(
                || signature::principal_for(&signers, &key.fingerprint, None),
                Ok,
            )?,
    };
    Ok(Signer {
        principals: signers.principals_of(&key.fingerprint),
        principal,
        key,
    })
}
