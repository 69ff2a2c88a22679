"""Drives `phasegate mcp` with the official MCP Python SDK (`mcp` on PyPI) over stdio.

Run by tests/mcp_e2e.rs (which prepares the workspace), not by hand:

    python tests/mcp_client.py PHASEGATE_BINARY WORKSPACE REQUIREMENTS_SLUG BUILD_SLUG
    python tests/mcp_client.py PHASEGATE_BINARY WORKSPACE full-build SLUG HUMAN
    python tests/mcp_client.py PHASEGATE_BINARY WORKSPACE write SLUG ARTIFACT LINE

`full-build`: the agent builds every component of SLUG (in Build) in dependency order, writing
its build/ files and marking it built; between two components HUMAN validates the one just built
with the real CLI (`phasegate --as HUMAN component COMP-n validated`), and completes the build at
the end. `write`: the agent reads ARTIFACT and writes it back with LINE inserted after its first
line (one write, compare-and-swap on the hash it read).

Every step asserts what the server must answer; the first failed assertion exits non-zero with
what was expected and what came back. The last line on stdout is a JSON summary the Rust test
checks against the journal.
"""

import asyncio
import json
import os
import subprocess
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
import mcp.types as types

CLIENT_NAME = "phasegate-e2e"
DECISION_WORDS = ("approve", "reject", "reopen", "waive", "validate", "close")


class Failure(Exception):
    """An answer the server must not give."""


def fail(step, message):
    raise Failure(f"FAILED at {step}: {message}")


def text_of(result):
    return "".join(c.text for c in result.content if isinstance(c, types.TextContent))


async def ok(session, step, tool, args=None):
    """Calls a tool that must succeed; returns its JSON answer."""
    result = await session.call_tool(tool, args or {})
    if result.is_error:
        fail(step, f"{tool} was refused: {text_of(result)}")
    try:
        return json.loads(text_of(result))
    except ValueError as e:
        fail(step, f"{tool} did not answer JSON ({e}): {text_of(result)!r}")


async def refused(session, step, tool, args, *needles):
    """Calls a tool that must be refused; its message must hold every needle."""
    result = await session.call_tool(tool, args)
    message = text_of(result)
    if not result.is_error:
        fail(step, f"{tool} was accepted, expected a refusal: {message}")
    if not message.startswith("refused: "):
        fail(step, f"{tool}'s refusal does not start with `refused: `: {message!r}")
    for needle in needles:
        if needle not in message:
            fail(step, f"{tool}'s refusal lacks {needle!r}: {message!r}")
    return message


def server(binary, workspace, slug):
    env = {
        "PHASEGATE_CONFIG": os.path.join(workspace, "no-config.toml"),
        "PHASEGATE_NOW": os.environ.get("PHASEGATE_NOW", "2026-11-20T12:00:00Z"),
    }
    return StdioServerParameters(
        command=binary, args=["--workspace", workspace, "mcp", slug], env=env
    )


async def requirements(binary, workspace, slug, summary):
    """Requirements: read status, write the spec, be refused the design, request Gate 1."""
    info = types.Implementation(name=CLIENT_NAME, version="1.0")
    async with stdio_client(server(binary, workspace, slug)) as (read, write):
        async with ClientSession(read, write, client_info=info) as session:
            await session.initialize()

            tools = [t.name for t in (await session.list_tools()).tools]
            summary["tools"] = sorted(tools)
            for name in tools:
                if any(word in name for word in DECISION_WORDS):
                    fail("list tools", f"a decision tool is offered: {name}")
            for needed in ("status", "read_artifact", "write_artifact", "request_review",
                           "mark_component_built", "write_build_file", "gate_criteria",
                           "build_order", "reconciliation", "record_deviation",
                           "propose_amendment"):
                if needed not in tools:
                    fail("list tools", f"{needed} is missing from {tools}")

            status = await ok(session, "status", "status")
            if status["phase"] != "requirements" or status["engagement"] != slug:
                fail("status", f"expected {slug} in requirements: {status}")
            if not any(a["actor"] == f"agent:{CLIENT_NAME}" for a in status["agents"]):
                fail("status", f"no active agent session named agent:{CLIENT_NAME}: {status['agents']}")

            criteria = await ok(session, "criteria", "gate_criteria")
            if criteria["gate"] != 1 or not criteria["criteria"]:
                fail("criteria", f"expected Gate 1's criteria: {criteria}")
            if not all("line" in c and "file" in c for c in criteria["criteria"]):
                fail("criteria", f"criteria lack positions: {criteria}")

            spec = await ok(session, "read spec", "read_artifact", {"artifact": "customer-spec.md"})
            if not spec["writable_now"]:
                fail("read spec", f"the spec is not writable in Requirements: {spec}")
            new_spec = spec["text"].rstrip("\n") + "\n\n<!-- refined by the agent -->\n"
            written = await ok(session, "write spec", "write_artifact", {
                "artifact": "customer-spec.md", "text": new_spec,
                "base_sha256": spec["sha256"],
            })
            if written["by"] != f"agent:{CLIENT_NAME}":
                fail("write spec", f"written as {written['by']}")
            with open(os.path.join(workspace, slug, "customer-spec.md"), encoding="utf-8") as f:
                if f.read() != new_spec:
                    fail("write spec", "customer-spec.md on disk is not the text written")

            # The hash it read is stale now: a write on it is refused.
            await refused(session, "stale base", "write_artifact", {
                "artifact": "customer-spec.md", "text": "lost?", "base_sha256": spec["sha256"],
            }, "customer-spec.md changed since you read it", written["sha256"])

            design = await ok(session, "read design", "read_artifact",
                              {"artifact": "solution-design.md"})
            if design["writable_now"]:
                fail("read design", "the design is writable in Requirements")
            summary["design_refusal"] = await refused(
                session, "write design", "write_artifact", {
                    "artifact": "solution-design.md", "text": "# Design\n",
                    "base_sha256": design["sha256"],
                }, "solution-design.md is drafted from Feasibility on")

            await refused(session, "gate 2 review", "request_review", {
                "gate": 2, "base_sha256": design["sha256"],
            }, "Gate 2 is reviewed once feasibility is completed")
            review = await ok(session, "request review", "request_review", {
                "gate": 1, "note": "ready for Gate 1", "base_sha256": written["sha256"],
            })
            if review["kind"] != "review_requested" or review["actor"] != f"agent:{CLIENT_NAME}":
                fail("request review", f"unexpected event: {review}")
            summary["review_event"] = review["event"]

            status = await ok(session, "status after review", "status")
            gate1 = status["gates"]["1"]
            if gate1["state"] != "pending" or gate1.get("review_requested", {}).get("by") != f"agent:{CLIENT_NAME}":
                fail("status after review", f"Gate 1 should be pending with the request: {gate1}")
            if status["phase"] != "requirements":
                fail("status after review", "a review request moved the phase")

            # The resources carry the same texts and hashes.
            resources = [str(r.uri) for r in (await session.list_resources()).resources]
            if "phasegate://artifact/customer-spec.md" not in resources:
                fail("resources", f"no spec resource in {resources}")
            spec_resource = await session.read_resource("phasegate://artifact/customer-spec.md")
            contents = spec_resource.contents[0]
            if contents.text != new_spec:
                fail("resources", "the spec resource is not the spec's text")


async def build(binary, workspace, slug, summary):
    """Build: components in dependency order, build/ paths confined to build/."""
    info = types.Implementation(name=CLIENT_NAME, version="1.0")
    async with stdio_client(server(binary, workspace, slug)) as (read, write):
        async with ClientSession(read, write, client_info=info) as session:
            await session.initialize()
            status = await ok(session, "status", "status")
            if status["phase"] != "build":
                fail("status", f"expected {slug} in build, not {status['phase']}")
            order = await ok(session, "build order", "build_order")
            blocked = next((c for c in order["components"] if c["waiting_on"]), None)
            if blocked is None:
                fail("build order", f"no component waits on another: {order}")
            as_built = await ok(session, "read as-built", "read_artifact",
                                {"artifact": "as-built.md"})
            base = as_built["sha256"]
            waits = blocked["waiting_on"][0]
            summary["out_of_order"] = await refused(
                session, "out of order", "mark_component_built",
                {"component": blocked["id"], "base_sha256": base},
                f"{blocked['id']} cannot be built before its dependencies", waits,
                "solution-design.md:")

            leaf = order["components"][0]
            if leaf["waiting_on"]:
                fail("build order", f"the first component waits: {leaf}")
            built = await ok(session, "mark leaf", "mark_component_built",
                             {"component": leaf["id"], "base_sha256": base})
            summary["built"] = {"component": leaf["id"], "event": built["event"]}

            # A deviation goes into as-built.md; the hash read before it is stale afterwards.
            minor = await ok(session, "minor deviation", "record_deviation", {
                "component": leaf["id"], "impact": "minor", "what": "timer raised to 30 s",
                "why": "the lab peers flap under 10 s", "base_sha256": base,
            })
            scope = await ok(session, "scope deviation", "record_deviation", {
                "component": "general", "impact": "scope-change",
                "what": "IPv6 peers onboarded too", "why": "the customer asked during Build",
                "base_sha256": minor["as_built_sha256"],
            })
            await refused(session, "stale as-built", "mark_component_built",
                          {"component": order["components"][1]["id"], "base_sha256": base},
                          "as-built.md changed since you read it")
            spec = await ok(session, "read spec", "read_artifact", {"artifact": "customer-spec.md"})
            await refused(session, "amend a minor", "propose_amendment", {
                "deviation": "DEV-1", "text": "x", "base_sha256": spec["sha256"],
            }, "DEV-1 is minor, not scope-change")
            amended = await ok(session, "amend", "propose_amendment", {
                "deviation": "DEV-2", "text": "IPv6 peers are in scope",
                "base_sha256": spec["sha256"],
            })
            summary["recorded"] = [minor["kind"], scope["kind"], amended["kind"]]
            rec = await ok(session, "reconciliation", "reconciliation")
            if "hunks" not in rec:
                fail("reconciliation", f"no hunks in Build: {rec}")

            await refused(session, "traversal", "write_build_file",
                          {"path": "build/../x", "text": "escape"}, "`..` is not allowed")
            await refused(session, "symlink", "write_build_file",
                          {"path": "build/escape/x", "text": "escape"},
                          "build/escape is a symlink leading out of the engagement")
            await refused(session, "outside build", "write_build_file",
                          {"path": "customer-spec.md", "text": "x"}, "is not under build/")
            path = f"build/{leaf['id']}/agent.txt"
            made = await ok(session, "write build file", "write_build_file",
                            {"path": path, "text": "generated by the agent\n"})
            again = await ok(session, "read build file", "read_build_file", {"path": path})
            if again["sha256"] != made["sha256"]:
                fail("read build file", f"{again} vs {made}")
            await refused(session, "create twice", "write_build_file",
                          {"path": path, "text": "again"}, "changed since you read it")
            summary["build_file"] = path


def human(binary, workspace, who, *args):
    """A person's decision through the real CLI, between two of the agent's calls."""
    env = dict(os.environ)
    env["PHASEGATE_CONFIG"] = os.path.join(workspace, "no-config.toml")
    env.pop("PHASEGATE_WORKSPACE", None)
    done = subprocess.run([binary, "--workspace", workspace, "--as", who, *args],
                          env=env, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        fail(f"human {' '.join(args)}", f"exit {done.returncode}: {done.stderr}")
    return done.stdout


async def full_build(binary, workspace, slug, who, summary):
    """The whole Build phase: the agent builds, a person validates in between."""
    info = types.Implementation(name=CLIENT_NAME, version="1.0")
    async with stdio_client(server(binary, workspace, slug)) as (read, write):
        async with ClientSession(read, write, client_info=info) as session:
            await session.initialize()
            built = []
            while True:
                order = await ok(session, "build order", "build_order")
                if order["phase"] != "build":
                    fail("build order", f"expected the build phase: {order['phase']}")
                pending = [c for c in order["components"] if c["status"] == "pending"]
                if not pending:
                    break
                ready = [c for c in pending if not c["waiting_on"]]
                if not ready:
                    fail("build order", f"pending components all wait: {pending}")
                # One that still waits is refused, naming what it waits on.
                waiting = next((c for c in pending if c["waiting_on"]), None)
                as_built = await ok(session, "read as-built", "read_artifact",
                                    {"artifact": "as-built.md"})
                if waiting is not None:
                    await refused(session, f"early {waiting['id']}", "mark_component_built",
                                  {"component": waiting["id"], "base_sha256": as_built["sha256"]},
                                  f"{waiting['id']} cannot be built before its dependencies",
                                  waiting["waiting_on"][0])
                comp = ready[0]["id"]
                path = f"build/{comp}/main.txt"
                await ok(session, f"write {path}", "write_build_file",
                         {"path": path, "text": f"{comp} as the agent built it\n"})
                marked = await ok(session, f"build {comp}", "mark_component_built",
                                  {"component": comp, "base_sha256": as_built["sha256"]})
                if marked["actor"] != f"agent:{CLIENT_NAME}":
                    fail(f"build {comp}", f"recorded as {marked['actor']}")
                built.append(comp)
                human(binary, workspace, who, "component", comp, "validated", slug)
            summary["built"] = built
            human(binary, workspace, who, "build-complete", slug)
            status = await ok(session, "status after the build", "status")
            summary["phase"] = status["phase"]


async def write_once(binary, workspace, slug, artifact, line, summary):
    """One write by the agent: LINE inserted after the artifact's first line."""
    info = types.Implementation(name=CLIENT_NAME, version="1.0")
    async with stdio_client(server(binary, workspace, slug)) as (read, write):
        async with ClientSession(read, write, client_info=info) as session:
            await session.initialize()
            current = await ok(session, "read", "read_artifact", {"artifact": artifact})
            first, _, rest = current["text"].partition("\n")
            written = await ok(session, "write", "write_artifact", {
                "artifact": artifact, "text": f"{first}\n{line}\n{rest}",
                "base_sha256": current["sha256"],
            })
            summary["sha256"] = written["sha256"]


async def main():
    summary = {}
    if len(sys.argv) == 6 and sys.argv[3] == "full-build":
        binary, workspace, _, slug, who = sys.argv[1:]
        await full_build(binary, workspace, slug, who, summary)
        print(json.dumps(summary))
        return
    if len(sys.argv) == 7 and sys.argv[3] == "write":
        binary, workspace, _, slug, artifact, line = sys.argv[1:]
        await write_once(binary, workspace, slug, artifact, line, summary)
        print(json.dumps(summary))
        return
    if len(sys.argv) != 5:
        fail("arguments", "usage: mcp_client.py PHASEGATE_BINARY WORKSPACE REQUIREMENTS_SLUG BUILD_SLUG")
    binary, workspace, req_slug, build_slug = sys.argv[1:]
    summary = {}
    await requirements(binary, workspace, req_slug, summary)
    await build(binary, workspace, build_slug, summary)
    print(json.dumps(summary))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except* Failure as failures:
        for failure in failures.exceptions:
            print(failure, file=sys.stderr)
        sys.exit(1)
