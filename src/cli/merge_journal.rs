//! `phasegate merge-journal %O %A %B [%P]`: the git merge driver for `.phasegate/journal.toml`
//! (`phasegate git setup` registers it). Keeps the common history, appends both sides' later
//! events in `at` order, re-chains and verifies them (`domain::merge_journal`), replays the
//! rules with the engagement's files, and writes the result to `%A` atomically (exit 0). A
//! merge it refuses leaves `%A` untouched and exits 1 with the events named: git then reports a
//! conflict and both sides' files stay as they were.

use std::path::{Path, PathBuf};

use super::{Exit, Invocation, say_err};
use crate::config::signing::allowed_signers_path;
use crate::domain::merge_journal::{MergeRefusal, merge};
use crate::store::atomic::write_atomic;
use crate::store::engagement::{load_engagement, read_object};
use crate::store::sign::load_allowed_signers;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The common ancestor's journal (git's %O)
    pub base: PathBuf,
    /// Ours (git's %A): the merged journal is written here
    pub ours: PathBuf,
    /// Theirs (git's %B)
    pub theirs: PathBuf,
    /// The journal's path in the repository (git's %P): finds the engagement whose files and
    /// allowed signers the merged order is judged with
    pub path: Option<PathBuf>,
}

fn read(path: &Path, missing_ok: bool) -> Result<String, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(t),
        Err(e) if missing_ok && e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn refused(journal: &str, why: &MergeRefusal) -> Exit {
    say_err(&format!(
        "phasegate merge-journal: {journal}: {why}\nNothing was merged: the journal is left as a conflict, both sides' files as they were.\n"
    ));
    Exit::Refused
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let name = args
        .path
        .as_deref()
        .unwrap_or(&args.ours)
        .display()
        .to_string();
    let texts = (|| {
        Ok::<_, String>((
            read(&args.base, true)?,
            read(&args.ours, false)?,
            read(&args.theirs, false)?,
        ))
    })();
    let (base, ours, theirs) = match texts {
        Ok(t) => t,
        Err(e) => {
            say_err(&format!("phasegate merge-journal: cannot read {e}\n"));
            return Exit::Usage;
        }
    };
    let merged = match merge(&base, &ours, &theirs) {
        Ok(m) => m,
        Err(why) => return refused(&name, &why),
    };
    // The engagement is the journal's directory's parent (`SLUG/.phasegate/journal.toml`); git
    // runs the driver at the work tree's top, where %P is relative to.
    let root = args
        .path
        .as_deref()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        });
    match root.as_deref().map(load_engagement) {
        Some(Ok(loaded)) => {
            let mut engagement = loaded.engagement;
            // The approved snapshots the merged journal refers to, as far as the work tree
            // holds them already.
            for e in &merged.journal.events {
                if let crate::domain::journal::EventBody::GateApproved(g) = &e.body {
                    for a in &g.artifacts {
                        if !engagement.snapshots.contains_key(&a.sha256)
                            && let Ok(Some(text)) = read_object(&loaded.root, &a.sha256)
                        {
                            engagement.snapshots.insert(a.sha256.clone(), text);
                        }
                    }
                }
            }
            let workspace = loaded.root.parent().unwrap_or(Path::new("."));
            let path =
                allowed_signers_path(ctx.allowed_signers.as_deref(), &ctx.config(), workspace);
            let signers = match load_allowed_signers(&path) {
                Ok(s) => s,
                Err(e) => {
                    say_err(&format!("phasegate merge-journal: {e}\n"));
                    return Exit::Usage;
                }
            };
            if signers.is_none() && merged.journal.events.iter().any(|e| e.seal.is_some()) {
                say_err(&format!(
                    "phasegate merge-journal: note: no allowed-signers file at {}: signatures verified against their own keys only\n",
                    path.display()
                ));
            }
            if let Err(why) = merged.judge(&engagement, signers.as_ref()) {
                return refused(&name, &why);
            }
        }
        Some(Err(e)) => say_err(&format!(
            "phasegate merge-journal: note: the engagement could not be read ({e}): the merge was judged on the journals alone\n"
        )),
        None => {}
    }
    if let Err(e) = write_atomic(&args.ours, merged.text.as_bytes()) {
        say_err(&format!("phasegate merge-journal: {e}\n"));
        return Exit::Usage;
    }
    Exit::Ok
}
