//! The agent's tools: reads, and writes through the rules. No decision tool exists here, by
//! design (DESIGN §7): a tool added to this list is a tool an agent can call.

use std::cell::Cell;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::GovernedServer;
use crate::domain::artifact::Artifact;
use crate::domain::digest::sha256_hex;
use crate::domain::engagement::Engagement;
use crate::domain::evaluate::{Evaluation, approved_design_text, evaluate};
use crate::domain::ids::{IdPrefix, ItemId};
use crate::domain::journal::{ComponentStatus, GateId, Stamp};
use crate::domain::phase::Phase;
use crate::domain::reconcile::Side;
use crate::domain::records::{DeviationTarget, Impact};
use crate::domain::rules::{self, Refusal};
use crate::domain::status_json::criterion_json;
use crate::store::StoreError;
use crate::store::agents::status_object;
use crate::store::engagement::{
    Change, TxError, WriteTarget, changed_since_read, load_strict, now, transact, write_checked,
};
use crate::store::limits::read_text_file;

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ArtifactArg {
    /// The artifact's file name: customer-spec.md, feasibility.md, solution-design.md or as-built.md
    pub artifact: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct BuildPathArg {
    /// A path under build/, relative to the engagement (e.g. build/COMP-1/vlan.j2)
    pub path: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct WriteArtifactArgs {
    /// The artifact's file name: customer-spec.md, feasibility.md, solution-design.md or as-built.md
    pub artifact: String,
    /// The whole new text of the artifact
    pub text: String,
    /// The sha256 of the artifact as you last read it (read_artifact); refused if it changed since
    pub base_sha256: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct WriteBuildFileArgs {
    /// A path under build/, relative to the engagement (e.g. build/COMP-1/vlan.j2)
    pub path: String,
    /// The whole new text of the file
    pub text: String,
    /// The sha256 of the file as you last read it (read_build_file); omit it to create a new file
    #[serde(default)]
    pub base_sha256: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct MarkBuiltArgs {
    /// The component, e.g. COMP-2
    pub component: String,
    /// The sha256 of as-built.md as you last read it (the record of what was built)
    pub base_sha256: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeviationArgs {
    /// The component the deviation is about (COMP-n), or `general`
    pub component: String,
    /// minor, design-change or scope-change
    pub impact: String,
    /// What differs from the approved design (one line)
    pub what: String,
    /// Why it had to (one line)
    pub why: String,
    /// The sha256 of as-built.md as you last read it (the deviation is written into it)
    pub base_sha256: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct AmendmentArgs {
    /// The scope-change deviation this amendment answers (DEV-n)
    pub deviation: String,
    /// The amendment, one line
    pub text: String,
    /// The sha256 of customer-spec.md as you last read it (the amendment is appended to it)
    pub base_sha256: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReviewArgs {
    /// The gate to review: 1 (the spec) or 2 (the design)
    pub gate: u8,
    /// What the reviewers should know (optional)
    #[serde(default)]
    pub note: Option<String>,
    /// The sha256 of the gate's artifact as you last read it: customer-spec.md for Gate 1,
    /// solution-design.md for Gate 2
    pub base_sha256: String,
}

/// A tool's answer: JSON text on success; the rule, with positions, on a refusal.
fn answer(result: Result<Value, String>) -> CallToolResult {
    match result {
        Ok(v) => CallToolResult::success(vec![ContentBlock::text(v.to_string())]),
        Err(message) => CallToolResult::error(vec![ContentBlock::text(message)]),
    }
}

fn refused(r: &Refusal) -> String {
    r.block(|f| f.to_string())
}

fn failed(e: &StoreError) -> String {
    format!("error: {e}")
}

fn tx_message(e: &TxError) -> String {
    match e {
        TxError::Refused(r) => refused(r),
        TxError::Store(e) => failed(e),
    }
}

fn artifact_named(name: &str) -> Result<Artifact, String> {
    Artifact::from_file_name(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = Artifact::ALL.iter().map(|a| a.file_name()).collect();
        format!(
            "refused: `{name}` is not an artifact; one of {}",
            names.join(", ")
        )
    })
}

fn id_of(s: &str, prefix: IdPrefix, what: &str) -> Result<ItemId, String> {
    match s.trim().parse::<ItemId>() {
        Ok(id) if id.prefix == prefix => Ok(id),
        Ok(id) => Err(format!("refused: {id} is not {what}")),
        Err(e) => Err(format!("refused: `{s}`: {e}")),
    }
}

/// The compare-and-swap of an event tool: `artifact` must still have the hash the agent read.
fn require_base(ev: &Evaluation, artifact: Artifact, base: &str) -> Result<(), Refusal> {
    let now = ev.hashes.get(&artifact).map(|h| h.sha256.as_str());
    if now == Some(base.trim()) {
        Ok(())
    } else {
        Err(changed_since_read(artifact.file_name(), now, Some(base)))
    }
}

/// The gate a review would be asked for now: the first that does not hold, once its phase is
/// reached.
fn gate_ahead(ev: &Evaluation) -> Option<GateId> {
    if ev.phase == Phase::Closed {
        None
    } else if !ev.gate(GateId::One).holds() {
        Some(GateId::One)
    } else if ev.phase >= Phase::Feasibility && !ev.gate(GateId::Two).holds() {
        Some(GateId::Two)
    } else {
        None
    }
}

#[tool_router(vis = "pub(super)")]
impl GovernedServer {
    fn stamp(&self, ctx: &RequestContext<RoleServer>) -> Stamp {
        Stamp {
            at: now(),
            actor: self.actor(ctx),
            os_user: crate::config::os_user(),
        }
    }

    fn loaded(&self) -> Result<(Engagement, Evaluation), String> {
        let loaded = load_strict(&self.root).map_err(|e| failed(&e))?;
        let ev = evaluate(&loaded.engagement);
        Ok((loaded.engagement, ev))
    }

    /// An event through `store::transact` and `decide` (the rules), reported with its seq.
    fn commit(
        &self,
        ctx: &RequestContext<RoleServer>,
        decide: impl FnOnce(&Engagement, &Evaluation) -> Result<Change, Refusal>,
    ) -> Result<Value, String> {
        let stamp = self.stamp(ctx);
        let done = transact(&self.root, &stamp, None, decide).map_err(|e| tx_message(&e))?;
        Ok(json!({
            "event": done.seq,
            "kind": done.event.kind(),
            "summary": done.event.summary(),
            "actor": stamp.actor,
        }))
    }

    #[tool(
        description = "The engagement's status: phase, gates (with any open review request), every criterion with its position, components, reconciliation summary, warnings, active agent sessions, journal head and the next action. The same object as `phasegate status --json`."
    )]
    fn status(&self, ctx: RequestContext<RoleServer>) -> CallToolResult {
        let _ = self.actor(&ctx);
        answer(
            load_strict(&self.root)
                .map_err(|e| failed(&e))
                .map(|l| status_object(&l.root, &l.engagement, &evaluate(&l.engagement))),
        )
    }

    #[tool(
        description = "An artifact's full text with its sha256 (pass it as base_sha256 when you write), the phase it belongs to, and whether it may be written now (and if not, the rule)."
    )]
    fn read_artifact(
        &self,
        Parameters(ArtifactArg { artifact }): Parameters<ArtifactArg>,
    ) -> CallToolResult {
        answer((|| {
            let artifact = artifact_named(&artifact)?;
            let (e, ev) = self.loaded()?;
            let Some(text) = e.texts.get(&artifact) else {
                return Err(format!(
                    "refused: {} does not exist yet{}",
                    artifact.file_name(),
                    if artifact == Artifact::AsBuilt {
                        " (it is created at the first Gate 2 approval)"
                    } else {
                        ""
                    }
                ));
            };
            let refusal = rules::edit_refusal(Some(artifact), ev.phase);
            Ok(json!({
                "file": artifact.file_name(),
                "phase": artifact.phase().as_str(),
                "sha256": sha256_hex(text.as_bytes()),
                "governed_sha256": ev.hashes.get(&artifact).map(|h| h.governed_sha256.clone()),
                "writable_now": refusal.is_none(),
                "write_refused_because": refusal,
                "text": text,
            }))
        })())
    }

    #[tool(
        description = "A file under build/ with its sha256 (pass it as base_sha256 when you rewrite it). Paths are confined to build/: `..` and symlinks leading out are refused."
    )]
    fn read_build_file(
        &self,
        Parameters(BuildPathArg { path }): Parameters<BuildPathArg>,
    ) -> CallToolResult {
        answer((|| {
            let file = crate::store::confine::resolve_build_path(&self.root, &path)
                .map_err(|why| format!("refused: {why}"))?;
            let text = read_text_file(&file)
                .map_err(|e| failed(&e))?
                .ok_or_else(|| format!("refused: {path} does not exist"))?;
            Ok(json!({
                "path": path,
                "sha256": sha256_hex(text.as_bytes()),
                "text": text,
            }))
        })())
    }

    #[tool(
        description = "The criteria of the gate ahead (the first gate that does not hold), each with its result, message and position (file, line, column). Auto criteria are computed; manual ones are ticked by the human reviewer."
    )]
    fn gate_criteria(&self) -> CallToolResult {
        answer(self.loaded().map(|(e, ev)| {
            let gate = gate_ahead(&ev);
            json!({
                "phase": ev.phase.as_str(),
                "gate": gate.map(GateId::number),
                "state": gate.map(|g| ev.gate(g).state.as_str()),
                "criteria": gate.map_or_else(Vec::new, |g| ev
                    .criteria_of(g)
                    .map(|c| criterion_json(&e, &ev, c))
                    .collect()),
            })
        }))
    }

    #[tool(
        description = "Components of the execution contract in build order (leaves first), each with its status, what it depends on, which dependencies it still waits on, and its build/ files."
    )]
    fn build_order(&self) -> CallToolResult {
        answer(self.loaded().map(|(e, ev)| {
            let mut ordered: Vec<ItemId> = ev.build_order.order.clone();
            ordered.extend(
                ev.components
                    .iter()
                    .map(|c| c.id)
                    .filter(|id| !ev.build_order.order.contains(id)),
            );
            let components: Vec<Value> = ordered
                .iter()
                .filter_map(|id| ev.component(*id))
                .map(|c| {
                    let waiting: Vec<String> = c
                        .depends_on
                        .iter()
                        .filter(|d| {
                            ev.component(**d).is_some_and(|x| {
                                x.status == ComponentStatus::Pending && !x.removed
                            })
                        })
                        .map(ToString::to_string)
                        .collect();
                    json!({
                        "id": c.id.to_string(),
                        "title": c.title,
                        "status": c.status.as_str(),
                        "depends_on": c.depends_on.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "waiting_on": waiting,
                        "added": c.added,
                        "removed": c.removed,
                        "build_files": e.build_files.iter()
                            .filter(|f| f.component() == Some(c.id))
                            .map(|f| json!({"path": format!("build/{}", f.path), "sha256": f.sha256, "problem": f.problem}))
                            .collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "phase": ev.phase.as_str(),
                "order": ordered.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "cycles": ev.build_order.cycles.iter()
                    .map(|c| c.iter().map(ToString::to_string).collect::<Vec<_>>())
                    .collect::<Vec<_>>(),
                "components": components,
            })
        }))
    }

    #[tool(
        description = "The approved design against the as-built, hunk by hunk: the lines removed and added, the components each touches, and which deviations explain it (or what no deviation names yet)."
    )]
    fn reconciliation(&self) -> CallToolResult {
        answer((|| {
            let (e, ev) = self.loaded()?;
            let (Some(design), Some(as_built), Some(rec)) = (
                approved_design_text(&e, &ev),
                e.texts.get(&Artifact::AsBuilt),
                ev.reconciliation.as_ref(),
            ) else {
                return Ok(json!({
                    "phase": ev.phase.as_str(),
                    "reconciliation": null,
                    "why": "there is no approved design to compare yet (the diff exists from Gate 2 on)",
                }));
            };
            let old = Side::new(Artifact::Design, design);
            let new = Side::new(Artifact::AsBuilt, as_built);
            let lines = |side: &Side, r: &std::ops::Range<usize>| -> Vec<String> {
                side.lines
                    .get(r.clone())
                    .map(<[String]>::to_vec)
                    .unwrap_or_default()
            };
            let hunks: Vec<Value> = rec
                .hunks
                .iter()
                .map(|h| {
                    json!({
                        "file": h.position.file, "line": h.position.line, "column": h.position.column,
                        "removed": lines(&old, &h.design_lines),
                        "added": lines(&new, &h.as_built_lines),
                        "components": h.components.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "outside_components": h.outside,
                        "explained": h.is_explained(),
                        "explained_by": h.explained_by.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "verdict": h.verdict(),
                    })
                })
                .collect();
            Ok(json!({
                "phase": ev.phase.as_str(),
                "hunks": hunks,
                "explained": rec.explained(),
                "added_components": rec.added_components().iter().map(ToString::to_string).collect::<Vec<_>>(),
                "removed_components": rec.removed_components().iter().map(ToString::to_string).collect::<Vec<_>>(),
            }))
        })())
    }

    #[tool(
        description = "Replace an artifact's text. Only the artifact of the current phase may be written (the same editing rule as the TUI: the spec in Requirements, feasibility in Feasibility, the design in Feasibility and Design, as-built.md in Build and As-Built); refused with the rule otherwise, and refused if the file changed since the base_sha256 you read."
    )]
    fn write_artifact(
        &self,
        Parameters(args): Parameters<WriteArtifactArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let actor = self.actor(&ctx);
        answer((|| {
            let artifact = artifact_named(&args.artifact)?;
            let sha = write_checked(
                &self.root,
                WriteTarget::Artifact(artifact),
                &args.text,
                Some(args.base_sha256.trim()),
                |_, ev| match rules::edit_refusal(Some(artifact), ev.phase) {
                    Some(rule) => Err(Refusal::rule(rule)),
                    None => Ok(()),
                },
            )
            .map_err(|e| tx_message(&e))?;
            Ok(json!({"written": artifact.file_name(), "sha256": sha, "by": actor}))
        })())
    }

    #[tool(
        description = "Write a file under build/ (Build and As-Built only). The path is resolved inside the engagement's build/: `..`, absolute paths and symlinks leading out are refused. Pass the base_sha256 you read to replace a file; omit it to create one."
    )]
    fn write_build_file(
        &self,
        Parameters(args): Parameters<WriteBuildFileArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let actor = self.actor(&ctx);
        answer((|| {
            let sha = write_checked(
                &self.root,
                WriteTarget::Build(&args.path),
                &args.text,
                args.base_sha256.as_deref().map(str::trim),
                |_, ev| match rules::build_edit_refusal(ev.phase) {
                    Some(rule) => Err(Refusal::rule(rule)),
                    None => Ok(()),
                },
            )
            .map_err(|e| tx_message(&e))?;
            Ok(json!({"written": args.path, "sha256": sha, "by": actor}))
        })())
    }

    #[tool(
        description = "Mark a component built, in dependency order (refused, naming the dependency, while one it depends on is still pending). Validation is a human decision and has no tool."
    )]
    fn mark_component_built(
        &self,
        Parameters(args): Parameters<MarkBuiltArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        answer((|| {
            let id = id_of(&args.component, IdPrefix::Comp, "a component ID (COMP-n)")?;
            self.commit(&ctx, |e, ev| {
                require_base(ev, Artifact::AsBuilt, &args.base_sha256)?;
                rules::set_component_status(e, ev, id, ComponentStatus::Built).map(Into::into)
            })
        })())
    }

    #[tool(
        description = "Record a deviation from the approved design: writes `- DEV-n (COMP-x, impact): what — why` into as-built.md's Deviations and a deviation_recorded event. A design-change asks the humans for Gate 2 re-approval; a scope-change needs an amendment (propose_amendment)."
    )]
    fn record_deviation(
        &self,
        Parameters(args): Parameters<DeviationArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        answer((|| {
            let target = DeviationTarget::parse(args.component.trim()).ok_or_else(|| {
                format!("refused: `{}`: expected COMP-n or general", args.component)
            })?;
            let impact = Impact::parse(args.impact.trim()).ok_or_else(|| {
                format!(
                    "refused: `{}`: expected minor, design-change or scope-change",
                    args.impact
                )
            })?;
            let written = Cell::new(None);
            let mut done = self.commit(&ctx, |e, ev| {
                require_base(ev, Artifact::AsBuilt, &args.base_sha256)?;
                let (text, event) =
                    rules::add_deviation(e, ev, target, impact, &args.what, &args.why)?;
                written.set(Some(sha256_hex(text.as_bytes())));
                Ok(Change {
                    writes: vec![(Artifact::AsBuilt, text)],
                    event,
                })
            })?;
            done["as_built_sha256"] = json!(written.take());
            Ok(done)
        })())
    }

    #[tool(
        description = "Propose a spec amendment for a scope-change deviation: appends `- AMD-n (DEV-x): text` to customer-spec.md's Amendments (outside the governed text; Gate 1 stays approved) and records it. Closing the engagement stays a human decision."
    )]
    fn propose_amendment(
        &self,
        Parameters(args): Parameters<AmendmentArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        answer((|| {
            let deviation = id_of(&args.deviation, IdPrefix::Dev, "a deviation ID (DEV-n)")?;
            let written = Cell::new(None);
            let mut done = self.commit(&ctx, |e, ev| {
                require_base(ev, Artifact::Spec, &args.base_sha256)?;
                if let Some(d) = ev.deviations.iter().find(|d| d.id == deviation)
                    && d.impact != Some(Impact::ScopeChange)
                {
                    return Err(Refusal::rule(format!(
                        "{deviation} is {}, not scope-change: only a scope-change deviation needs a spec amendment",
                        d.impact.map_or("malformed", Impact::as_str)
                    )));
                }
                let (text, event) = rules::add_amendment(e, ev, deviation, &args.text)?;
                written.set(Some(sha256_hex(text.as_bytes())));
                Ok(Change {
                    writes: vec![(Artifact::Spec, text)],
                    event,
                })
            })?;
            done["spec_sha256"] = json!(written.take());
            Ok(done)
        })())
    }

    #[tool(
        description = "Ask the humans to review a gate (an event `review_requested` that shows in status and the lead's queue). It is not a decision: the gate stays pending until a person approves or rejects it."
    )]
    fn request_review(
        &self,
        Parameters(args): Parameters<ReviewArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        answer((|| {
            let gate = GateId::from_number(i64::from(args.gate))
                .ok_or_else(|| format!("refused: gate {} does not exist (1 or 2)", args.gate))?;
            let artifact = match gate {
                GateId::One => Artifact::Spec,
                GateId::Two => Artifact::Design,
            };
            self.commit(&ctx, |_, ev| {
                require_base(ev, artifact, &args.base_sha256)?;
                rules::request_review(ev, gate, args.note.as_deref().unwrap_or("")).map(Into::into)
            })
        })())
    }
}
