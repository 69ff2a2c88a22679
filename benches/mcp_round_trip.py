"""`phasegate mcp` tool round trip: 1,000 `status` calls from the official MCP Python SDK over
stdio on a copy of the As-Built sample (vlan-qos); prints the median and p95.

    cargo build --release && .ci/venv/bin/python benches/mcp_round_trip.py target/release/phasegate

The time includes the Python client's own work per call, so it is an upper bound for the server.
"""

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
import mcp.types as types

CALLS = 1000


async def main(binary):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as workspace:
        shutil.copytree(os.path.join(repo, "sample-engagements", "vlan-qos"),
                        os.path.join(workspace, "vlan-qos"))
        params = StdioServerParameters(
            command=os.path.abspath(binary),
            args=["--workspace", workspace, "mcp", "vlan-qos"],
            env={"PHASEGATE_CONFIG": os.path.join(workspace, "no-config.toml")},
        )
        async with stdio_client(params) as (read, write):
            info = types.Implementation(name="bench", version="1")
            async with ClientSession(read, write, client_info=info) as session:
                await session.initialize()
                times = []
                for _ in range(CALLS):
                    start = time.perf_counter()
                    result = await session.call_tool("status", {})
                    times.append(time.perf_counter() - start)
                    if result.is_error:
                        sys.exit(f"status was refused: {result.content}")
    times.sort()
    print(f"mcp status round trip over {CALLS} calls: median {statistics.median(times) * 1000:.2f} ms, "
          f"p95 {times[int(CALLS * 0.95) - 1] * 1000:.2f} ms (bar: median <= 5 ms)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: mcp_round_trip.py PHASEGATE_BINARY")
    asyncio.run(main(sys.argv[1]))
