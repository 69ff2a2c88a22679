//! The command line: one file per subcommand. Exit codes (DESIGN §3): 0 done; 1 a rule refused
//! the action or `check` found a problem; 2 usage error or a file that cannot be read or parsed.

pub mod amend;
pub mod build_complete;
pub mod catalog;
pub mod check;
pub mod close;
pub mod completions;
pub mod component;
pub mod deviation;
pub mod diff;
pub mod export;
pub mod feasibility_complete;
pub mod gate;
pub mod git;
pub mod mcp;
pub mod merge_journal;
pub mod new;
pub mod queue;
pub mod record_policy;
pub mod report;
pub mod signatures;
pub mod status;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::domain::journal::Stamp;
use crate::domain::rules::Refusal;
use crate::store::engagement::{Committed, TxError, now};
use crate::store::{StoreError, workspace};

#[derive(Debug, Parser)]
#[command(
    name = "phasegate",
    version,
    about = "Spec-driven development engagements, enforced: phases, gates, deviations and as-built reconciliation",
    long_about = "Run without a subcommand to open the workspace in the full-screen terminal UI."
)]
pub struct Cli {
    /// Workspace directory holding engagements [env: PHASEGATE_WORKSPACE]
    #[arg(long, global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// Configuration file [env: PHASEGATE_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Identity recorded in the journal (default: config identity, git user.name, $USER@host)
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub as_name: Option<String>,
    /// Allowed-signers file verifying signed decisions (default: config allowed_signers,
    /// else <workspace>/allowed_signers)
    #[arg(long, global = true, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Create an engagement from templates
    New(new::Args),
    /// Open one engagement in the terminal UI
    Open {
        /// Engagement path or workspace slug (default: the current directory)
        engagement: Option<String>,
    },
    /// Phase, gates, criteria, components, reconciliation and the next action
    Status(status::Args),
    /// Verify the journal chain, snapshots, stale gates and recorded items (for CI and hooks)
    Check(check::Args),
    /// Approve, reject or reopen a gate
    Gate(gate::Args),
    /// Record that every requirement has a feasibility verdict (none `conflict`)
    FeasibilityComplete(EngagementArg),
    /// Mark a component built or validated (in build order)
    Component(component::Args),
    /// Record that every component is validated; enters As-Built
    BuildComplete(EngagementArg),
    /// Record a deviation from the approved design in as-built.md and the journal
    Deviation(deviation::Args),
    /// Append a spec amendment for a scope-change deviation
    Amend(amend::Args),
    /// Record engagement.toml's owner and [policy] in the journal (after changing them)
    RecordPolicy(record_policy::Args),
    /// Close the engagement once reconciliation is complete
    Close(close::Args),
    /// The approved design against the as-built, hunk by hunk, with what explains each
    Diff(diff::Args),
    /// Metrics per engagement and across the workspace
    Report(report::Args),
    /// The reuse catalog: every component of every closed engagement, versioned
    Catalog(catalog::Args),
    /// Every gate across the workspace you may decide, oldest first
    Queue(queue::Args),
    /// Write the audit packet (HTML, Markdown, JSON) or the traceability matrix (CSV)
    Export(export::Args),
    /// Print shell completions
    Completions(completions::Args),
    /// Serve the engagement to an AI agent over MCP on stdio (no decision tools; events as agent:<client>)
    Mcp(mcp::Args),
    /// The workspace's git repository: `git setup` registers the journal merge driver
    Git(git::Args),
    /// Git's merge driver for journals: merge-journal %O %A %B [%P] (set up by `git setup`)
    MergeJournal(merge_journal::Args),
}

#[derive(Debug, clap::Args)]
pub struct EngagementArg {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
}

/// How a command ended.
#[derive(Debug)]
pub enum Exit {
    Ok,
    Refused,
    Usage,
    /// The TUI was ended by this signal (after restoring the terminal): 128 + its number, as a
    /// shell reports a process the signal killed.
    Signal(i32),
}

impl Exit {
    pub fn code(&self) -> i32 {
        match self {
            Exit::Ok => 0,
            Exit::Refused => 1,
            Exit::Usage => 2,
            Exit::Signal(n) => 128 + n,
        }
    }
}

/// What every subcommand needs: where things are and who is acting.
pub struct Invocation {
    pub workspace: PathBuf,
    pub config_path: Option<PathBuf>,
    pub as_name: Option<String>,
    pub allowed_signers: Option<PathBuf>,
}

/// Who is acting on an engagement: the stamp (its actor the verified principal when a signer
/// is ready) and the signer, or why there is none.
pub struct Acting {
    pub stamp: Stamp,
    pub signing: crate::store::sign::Signing,
}

impl Invocation {
    pub fn from_cli(cli: &Cli) -> Result<Invocation, StoreError> {
        Ok(Invocation {
            workspace: workspace::resolve_workspace(cli.workspace.as_deref())?,
            config_path: cli.config.clone(),
            as_name: cli.as_name.clone(),
            allowed_signers: cli.allowed_signers.clone(),
        })
    }

    pub fn engagement(&self, arg: Option<&str>) -> Result<PathBuf, StoreError> {
        workspace::resolve_engagement(arg, &self.workspace)
    }

    /// Resolves and loads an engagement, failing on any bad input (reported, exit 2).
    pub fn load(
        &self,
        arg: Option<&str>,
    ) -> Result<crate::store::engagement::LoadedEngagement, Exit> {
        self.engagement(arg)
            .and_then(|root| crate::store::engagement::load_strict(&root))
            .map_err(|e| report_store_error(&e))
    }

    /// The acting identity and the OS user, stamped with the current time.
    pub fn stamp(&self) -> Result<Stamp, StoreError> {
        self.config_and_stamp().map(|(_, stamp)| stamp)
    }

    /// The config file (defaults when there is none, silently).
    pub fn config(&self) -> crate::config::Config {
        crate::config::load(self.config_path.as_deref(), &crate::config::process_env).0
    }

    /// The allowed-signers file this command verifies against.
    pub fn allowed_signers_path(&self, config: &crate::config::Config) -> PathBuf {
        crate::config::signing::allowed_signers_path(
            self.allowed_signers.as_deref(),
            config,
            &self.workspace,
        )
    }

    /// The stamp and signer for an action on the engagement at `root`. Under a signing policy
    /// the actor is the principal the allowed signers give the key; a `--as` that disagrees
    /// leaves no signer (the action is refused if it must be signed).
    pub fn acting(&self, root: &Path) -> Result<Acting, StoreError> {
        let (config, mut stamp) = self.config_and_stamp()?;
        let signing = self.signing_setup(config).acting(root, &mut stamp);
        Ok(Acting { stamp, signing })
    }

    pub fn signing_setup(
        &self,
        config: crate::config::Config,
    ) -> crate::config::signing::SigningSetup {
        crate::config::signing::SigningSetup {
            allowed_signers: self.allowed_signers_path(&config),
            as_name: self.as_name.clone(),
            config,
        }
    }

    fn config_and_stamp(&self) -> Result<(crate::config::Config, Stamp), StoreError> {
        let (config, errors) =
            crate::config::load(self.config_path.as_deref(), &crate::config::process_env);
        // A command that writes the journal must not guess who is acting: a broken config is
        // fatal here (the message already names the file and position).
        if let Some(first) = errors.into_iter().next() {
            let message = first
                .trim_end_matches(" (using the default settings)")
                .to_string();
            return Err(StoreError::new(PathBuf::new(), message));
        }
        let stamp = Stamp {
            at: now(),
            actor: crate::config::identity(self.as_name.as_deref(), &config),
            os_user: crate::config::os_user(),
        };
        Ok((config, stamp))
    }
}

impl Acting {
    /// The owner rule by key: under `distinct_approver`, a key the allowed signers list for the
    /// owner (under any principal name) cannot approve or close, whatever name it acts as.
    pub fn require_not_owner_key(
        &self,
        e: &crate::domain::engagement::Engagement,
        action: &str,
    ) -> Result<(), Refusal> {
        match &self.signing {
            Ok(signer) => signer.require_not_owner(e, action),
            Err(_) => Ok(()),
        }
    }
}

/// Prints human output on stdout with its control characters escaped: an actor, a title or a
/// line of an artifact may carry a terminal escape (`ESC]0;…`, `ESC[8m`). Every human output
/// goes through this or [`say_err`]; JSON output is escaped by the serializer.
pub fn say(text: &str) {
    let _ = std::io::stdout()
        .lock()
        .write_all(crate::domain::controls::escape_controls(text).as_bytes());
}

/// [`say`] on stderr.
pub fn say_err(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(crate::domain::controls::escape_controls(text).as_bytes());
}

pub use crate::domain::position::locate;

pub fn report_store_error(err: &StoreError) -> Exit {
    say_err(&format!("error: {err}\n"));
    // A writer that gave up waiting for the lock met a busy engagement, not bad input.
    if crate::store::lock::gave_up(err) {
        Exit::Refused
    } else {
        Exit::Usage
    }
}

/// How this process waits for an engagement's lock: `PHASEGATE_LOCK_TIMEOUT`, else config
/// `lock_timeout`, else 30 s; a command says whom it waits for (the TUI owns the terminal and
/// does not). A config that does not parse is reported by the commands that need it.
fn configure_lock_wait(ctx: &Invocation, tell: bool) -> Result<(), StoreError> {
    use crate::store::lock;
    let (config, _) = crate::config::load(ctx.config_path.as_deref(), &crate::config::process_env);
    let env = std::env::var(lock::TIMEOUT_ENV).ok();
    let timeout = lock::timeout_from(env.as_deref(), config.lock_timeout)
        .map_err(|message| StoreError::new(PathBuf::new(), message))?;
    lock::configure(timeout, tell.then_some(say_err as fn(&str)));
    // Read here with the lock wait so the CLI and the TUI both commit per config `[git]`.
    crate::store::git::configure(config.git.commit);
    Ok(())
}

pub fn report_refusal(root: &Path, refusal: &Refusal) -> Exit {
    say_err(&format!("{}\n", refusal.block(|f| locate(root, f))));
    if refusal.usage {
        Exit::Usage
    } else {
        Exit::Refused
    }
}

/// Runs a journal-writing transition and reports its outcome.
pub fn commit(
    ctx: &Invocation,
    engagement: Option<&str>,
    decide: impl FnOnce(
        &crate::domain::engagement::Engagement,
        &crate::domain::evaluate::Evaluation,
    ) -> Result<crate::store::engagement::Change, Refusal>,
    describe: impl FnOnce(&Committed) -> String,
) -> Exit {
    let root = match ctx.engagement(engagement) {
        Ok(r) => r,
        Err(e) => return report_store_error(&e),
    };
    let acting = match ctx.acting(&root) {
        Ok(a) => a,
        Err(e) => return report_store_error(&e),
    };
    commit_as(&root, &acting, decide, describe)
}

/// [`commit`] with the acting identity already resolved (for decisions whose rule needs it).
pub fn commit_as(
    root: &Path,
    acting: &Acting,
    decide: impl FnOnce(
        &crate::domain::engagement::Engagement,
        &crate::domain::evaluate::Evaluation,
    ) -> Result<crate::store::engagement::Change, Refusal>,
    describe: impl FnOnce(&Committed) -> String,
) -> Exit {
    let root = root.to_path_buf();
    let stamp = &acting.stamp;
    match crate::store::engagement::transact_signed(&root, stamp, None, &acting.signing, decide) {
        Ok(done) => {
            let signed = done
                .signer
                .as_ref()
                .map(|fp| format!(", signed with {fp}"))
                .unwrap_or_default();
            say(&format!(
                "{} (event {}, by {}{signed})\n",
                describe(&done),
                done.seq,
                stamp.actor
            ));
            if done.created_as_built
                && !matches!(
                    done.event,
                    crate::domain::journal::EventBody::GateApproved(_)
                )
            {
                say(
                    "as-built.md was missing after Gate 2's approval and is re-created from the approved design\n",
                );
            }
            if let Some(e) = &done.deferred {
                say_err(&format!(
                    "warning: {e} (the decision is recorded; the next phasegate write creates it)\n"
                ));
            }
            match (&done.git, done.git.note()) {
                (crate::store::git::CommitOutcome::Committed { .. }, Some(note)) => {
                    say(&format!("{note}\n"))
                }
                (_, Some(note)) => say_err(&format!("warning: git: {note}\n")),
                (_, None) => {}
            }
            Exit::Ok
        }
        Err(TxError::Store(e)) => report_store_error(&e),
        Err(TxError::Refused(r)) => report_refusal(&root, &r),
    }
}

pub fn run(cli: Cli) -> Exit {
    let ctx = match Invocation::from_cli(&cli) {
        Ok(c) => c,
        Err(e) => return report_store_error(&e),
    };
    let tell = !matches!(cli.command, None | Some(CliCommand::Open { .. }));
    if let Err(e) = configure_lock_wait(&ctx, tell) {
        return report_store_error(&e);
    }
    let Some(command) = cli.command else {
        return run_tui_workspace(&ctx);
    };
    match command {
        CliCommand::New(args) => new::run(&ctx, &args),
        CliCommand::Open { engagement } => run_tui_engagement(&ctx, engagement.as_deref()),
        CliCommand::Status(args) => status::run(&ctx, &args),
        CliCommand::Check(args) => check::run(&ctx, &args),
        CliCommand::Gate(args) => gate::run(&ctx, &args),
        CliCommand::FeasibilityComplete(args) => feasibility_complete::run(&ctx, &args),
        CliCommand::Component(args) => component::run(&ctx, &args),
        CliCommand::BuildComplete(args) => build_complete::run(&ctx, &args),
        CliCommand::Deviation(args) => deviation::run(&ctx, &args),
        CliCommand::Amend(args) => amend::run(&ctx, &args),
        CliCommand::RecordPolicy(args) => record_policy::run(&ctx, &args),
        CliCommand::Close(args) => close::run(&ctx, &args),
        CliCommand::Diff(args) => diff::run(&ctx, &args),
        CliCommand::Report(args) => report::run(&ctx, &args),
        CliCommand::Catalog(args) => catalog::run(&ctx, &args),
        CliCommand::Queue(args) => queue::run(&ctx, &args),
        CliCommand::Export(args) => export::run(&ctx, &args),
        CliCommand::Completions(args) => completions::run(&args),
        CliCommand::Mcp(args) => mcp::run(&ctx, &args),
        CliCommand::Git(args) => git::run(&ctx, &args),
        CliCommand::MergeJournal(args) => merge_journal::run(&ctx, &args),
    }
}

/// No subcommand: the TUI on the workspace, seeded with a sample engagement on first run.
fn run_tui_workspace(ctx: &Invocation) -> Exit {
    if let Err(e) = crate::store::seed::seed_workspace(&ctx.workspace) {
        return report_store_error(&e);
    }
    let mut setup =
        crate::tui::TuiSetup::from_config(ctx.config_path.as_deref(), ctx.as_name.as_deref());
    setup.signing = Some(ctx.signing_setup(ctx.config()));
    match crate::tui::run_workspace(&ctx.workspace, setup) {
        Ok(ended) => tui_exit(&ended),
        Err(e) => {
            say_err(&format!("error: terminal: {e}\n"));
            Exit::Usage
        }
    }
}

/// The exit of a TUI session; a signal's is told on stderr (with where unsaved text went).
fn tui_exit(ended: &crate::tui::Ended) -> Exit {
    if let Some(m) = ended.message() {
        say_err(&format!("{m}\n"));
    }
    match ended {
        crate::tui::Ended::Quit => Exit::Ok,
        crate::tui::Ended::Signal { signal, .. } => Exit::Signal(*signal),
    }
}

/// `open [ENGAGEMENT]`: the TUI on one engagement.
fn run_tui_engagement(ctx: &Invocation, engagement: Option<&str>) -> Exit {
    let root = match ctx.engagement(engagement) {
        Ok(r) => r,
        Err(e) => return report_store_error(&e),
    };
    let mut setup =
        crate::tui::TuiSetup::from_config(ctx.config_path.as_deref(), ctx.as_name.as_deref());
    setup.signing = Some(ctx.signing_setup(ctx.config()));
    match crate::tui::run_engagement(&root, setup) {
        Ok(ended) => tui_exit(&ended),
        Err(e) => {
            say_err(&format!("error: {e}\n"));
            Exit::Usage
        }
    }
}
