//! `phasegate mcp [ENGAGEMENT]`: serve one engagement to an AI agent over MCP on stdio. Stdout
//! carries only protocol messages; everything for people goes to stderr.

use std::io::Write;

use super::{Exit, Invocation, report_store_error};
use crate::mcp::GovernedServer;
use crate::store::agents::SessionGuard;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Engagement path or workspace slug (default: the current directory)
    pub engagement: Option<String>,
}

pub fn run(ctx: &Invocation, args: &Args) -> Exit {
    let root = match ctx
        .engagement(args.engagement.as_deref())
        .and_then(|r| std::fs::canonicalize(&r).map_err(|e| crate::store::StoreError::io(&r, &e)))
    {
        Ok(r) => r,
        Err(e) => return report_store_error(&e),
    };
    // Refuse to serve an engagement that does not load: the agent would only see errors.
    if let Err(e) = crate::store::engagement::load_strict(&root) {
        return report_store_error(&e);
    }
    // Tokio lives only here: one thread, created for this subcommand and gone with it.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot start the MCP runtime: {e}"
            );
            return Exit::Usage;
        }
    };
    if let Some(name) = &ctx.as_name {
        let _ = writeln!(
            std::io::stderr(),
            "phasegate mcp: note: --as {name} is ignored; the agent's events carry agent:<its MCP client name>"
        );
    }
    let server = GovernedServer::new(&root);
    let _session = server.session_path().map(SessionGuard::new);
    let _ = writeln!(
        std::io::stderr(),
        "phasegate mcp: serving {} on stdio (pid {}); agents write through the rules, people decide the gates",
        root.display(),
        std::process::id()
    );
    let outcome = runtime.block_on(async {
        use rmcp::ServiceExt;
        use rmcp::service::ServerInitializeError;
        let service = match server.serve(rmcp::transport::stdio()).await {
            Ok(s) => s,
            // A client that hangs up before initializing ended nothing of ours.
            Err(ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
            Err(e) => return Err(Box::<dyn std::error::Error>::from(e)),
        };
        service.waiting().await?;
        Ok(())
    });
    match outcome {
        Ok(()) => Exit::Ok,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: MCP session ended: {e}");
            Exit::Usage
        }
    }
}
