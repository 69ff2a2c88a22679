#!/usr/bin/env bash
# The official MCP Python SDK in a virtualenv, for tests/mcp_e2e.rs: created once, reused while
# it holds the pinned version. Used by .ci/run and by the test itself (so `cargo test --locked`
# alone sets it up). Usage: .ci/mcp-venv.sh VENV_DIR
set -euo pipefail
MCP_SDK_VERSION=2.3.0
venv="${1:?usage: $0 VENV_DIR}"
mkdir -p "$(dirname "$venv")"
# One creator at a time (tests may run in parallel processes).
exec 9>"$venv.lock"
flock 9
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('mcp') != '$MCP_SDK_VERSION')" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "mcp==$MCP_SDK_VERSION"
fi
