//! `phasegate mcp`: a Model Context Protocol server (the official Rust SDK, `rmcp`) through
//! which an AI agent works *inside* the operating model (DESIGN §7 "Agents under governance").
//!
//! The agent reads what a person reads (status, artifacts with their hashes, the criteria of
//! the gate ahead, build order, reconciliation) and writes only what the phase allows, through
//! the same `store` transactions and `domain::rules` as the CLI and the TUI, each write a
//! compare-and-swap on the sha256 the agent last read. There is deliberately no tool that
//! approves, rejects, reopens, waives, validates or closes: those decisions stay with people.
//! Every event it appends carries `actor = "agent:<client name>"`.

pub mod tools;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    Implementation, InitializeRequestParams, InitializeResult, ListResourcesResult, MetaObject,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Resource, ResourceContents, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};

use crate::domain::artifact::Artifact;
use crate::domain::digest::sha256_hex;
use crate::store::agents::agent_actor;
use crate::store::agents::{self, AgentSession};
use crate::store::engagement::load_strict;

/// What the server tells the agent when it connects.
const INSTRUCTIONS: &str = "phasegate governs this engagement: Requirements -[Gate 1]- Feasibility - Design -[Gate 2]- Build - As-Built. \
You work inside the phases; people decide the gates. Read `status` first. Write only the artifact of the current phase \
(`write_artifact`; `write_build_file` for build/ in Build), always passing the `base_sha256` you last read: a write on a \
text that changed since is refused, so read again and redo it. In Build, mark components built in dependency order and \
record every difference from the approved design as a deviation. When an artifact is ready, `request_review`; you cannot \
approve, reject, reopen, waive, validate or close anything.";

/// The agent's connection to one engagement.
#[derive(Clone)]
pub struct GovernedServer {
    root: PathBuf,
    session: Arc<Mutex<SessionState>>,
    tool_router: ToolRouter<GovernedServer>,
}

/// The session file humans see, rewritten when the client introduces itself.
struct SessionState {
    session: AgentSession,
    path: Option<PathBuf>,
}

impl GovernedServer {
    /// A server rooted at `root` (already resolved and loaded once), announcing itself in
    /// `.phasegate/agents/` until it is dropped.
    pub fn new(root: &Path) -> GovernedServer {
        let session = AgentSession::current("");
        let path = match agents::write_session(root, &session) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("phasegate mcp: warning: the agent session file was not written: {e}");
                None
            }
        };
        GovernedServer {
            root: root.to_path_buf(),
            session: Arc::new(Mutex::new(SessionState { session, path })),
            tool_router: Self::tool_router(),
        }
    }

    /// The session file's path, for the caller to remove on exit.
    pub fn session_path(&self) -> Option<PathBuf> {
        self.session.lock().ok().and_then(|s| s.path.clone())
    }

    /// `agent:<client name>` for the request's client (from `initialize` or, in the stateless
    /// protocol, the request's metadata); the session file follows the name.
    fn actor(&self, ctx: &RequestContext<RoleServer>) -> String {
        let client = ctx.client_info().map(|i| i.name).unwrap_or_default();
        self.note_client(&client);
        agent_actor(&client)
    }

    /// Names the client in the session file once it is known.
    fn note_client(&self, client: &str) {
        if let Ok(mut state) = self.session.lock()
            && state.session.client != client
            && !client.is_empty()
        {
            state.session.client = client.to_string();
            if state.path.is_some()
                && let Err(e) = agents::write_session(&self.root, &state.session)
            {
                eprintln!("phasegate mcp: warning: the agent session file was not updated: {e}");
            }
        }
    }
}

const STATUS_URI: &str = "phasegate://status";
const ARTIFACT_URI: &str = "phasegate://artifact/";

#[tool_handler(router = self.tool_router)]
impl ServerHandler for GovernedServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("phasegate", env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        // The SDK's own handshake, plus the client's name in the session file right away.
        ctx.peer.set_peer_info(request.clone());
        self.note_client(&request.client_info.name);
        self.negotiate_initialize(&request)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut resources = vec![
            Resource::new(STATUS_URI, "status")
                .with_description("the engagement's status: the `phasegate status --json` object")
                .with_mime_type("application/json"),
        ];
        for artifact in Artifact::ALL {
            if self.root.join(artifact.file_name()).exists() {
                resources.push(
                    Resource::new(
                        format!("{ARTIFACT_URI}{}", artifact.file_name()),
                        artifact.file_name(),
                    )
                    .with_description(format!(
                        "{} (its sha256 is in the contents' _meta)",
                        artifact.title()
                    ))
                    .with_mime_type("text/markdown"),
                );
            }
        }
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let loaded = load_strict(&self.root)
            .map_err(|e| ErrorData::internal_error(format!("error: {e}"), None))?;
        let contents = if uri == STATUS_URI {
            let ev = crate::domain::evaluate::evaluate(&loaded.engagement);
            let status = crate::store::agents::status_object(&loaded.root, &loaded.engagement, &ev);
            ResourceContents::TextResourceContents {
                uri: uri.clone(),
                mime_type: Some("application/json".into()),
                text: status.to_string(),
                meta: None,
            }
        } else if let Some(artifact) = uri
            .strip_prefix(ARTIFACT_URI)
            .and_then(Artifact::from_file_name)
            && let Some(text) = loaded.engagement.texts.get(&artifact)
        {
            let mut meta = serde_json::Map::new();
            meta.insert("sha256".into(), sha256_hex(text.as_bytes()).into());
            ResourceContents::TextResourceContents {
                uri: uri.clone(),
                mime_type: Some("text/markdown".into()),
                text: text.clone(),
                meta: Some(MetaObject(meta)),
            }
        } else {
            return Err(ErrorData::resource_not_found(
                format!("no such resource: {uri}"),
                None,
            ));
        };
        // Never cached: the files change under the agent (people edit them too).
        Ok(ReadResourceResult::new(vec![contents])
            .with_ttl_ms(0)
            .into())
    }
}
