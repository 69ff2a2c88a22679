#!/usr/bin/env bash
# End-to-end: the As-Built sample's audit packet rendered by a real headless browser (Debian's
# `chromium`) to a PNG whose size is checked. CI (.ci/run) installs chromium when absent; here a
# missing chromium is a FAILURE, never a skip. Usage: tests/export_browser.sh [path/to/phasegate]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
bin="${1:-}"
if [ -z "$bin" ]; then
  cargo build --quiet --locked --manifest-path "$repo/Cargo.toml"
  bin="$repo/target/debug/phasegate"
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "FAIL: chromium is not installed (.ci/run installs it: apt-get install -y chromium)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/ws"
cp -R "$repo/sample-engagements/vlan-qos" "$work/ws/vlan-qos"
PHASEGATE_CONFIG="$work/no-config.toml" "$bin" --workspace "$work/ws" \
  export vlan-qos --html "$work/packet.html" >/dev/null

png="${PACKET_PNG:-$work/packet.png}"
rm -f "$png"
# No network at all: the packet must render from the file alone.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile" \
  --screenshot="$png" --window-size=1200,2000 "file://$work/packet.html" >"$work/chromium.log" 2>&1 || {
  echo "FAIL: chromium exited with an error:" >&2
  cat "$work/chromium.log" >&2
  exit 1
}
[ -s "$png" ] || { echo "FAIL: chromium wrote no screenshot ($png)" >&2; cat "$work/chromium.log" >&2; exit 1; }

# The PNG signature, then IHDR's width and height (big-endian, bytes 16..23).
sig="$(od -An -tx1 -N8 "$png" | tr -d ' \n')"
[ "$sig" = "89504e470d0a1a0a" ] || { echo "FAIL: $png is not a PNG ($sig)" >&2; exit 1; }
read -r w1 w2 w3 w4 h1 h2 h3 h4 < <(od -An -tu1 -j16 -N8 "$png")
width=$(( (w1 << 24) | (w2 << 16) | (w3 << 8) | w4 ))
height=$(( (h1 << 24) | (h2 << 16) | (h3 << 8) | h4 ))
bytes="$(wc -c <"$png")"
if [ "$width" -ne 1200 ] || [ "$height" -ne 2000 ]; then
  echo "FAIL: screenshot is ${width}x${height}, expected 1200x2000" >&2
  exit 1
fi
# A blank (or unstyled error) page compresses to a few KB; the packet's tables and text do not.
if [ "$bytes" -lt 60000 ]; then
  echo "FAIL: screenshot is only $bytes bytes: the packet did not render" >&2
  exit 1
fi
# Readable in a text browser at 80 columns: w3m (installed by .ci/run like chromium) dumps it
# with no line wider than the terminal, every section present.
command -v w3m >/dev/null || { echo "FAIL: w3m is not installed (.ci/run installs it)" >&2; exit 1; }
w3m -dump -cols 80 -T text/html "$work/packet.html" >"$work/packet.txt"
widest="$(LC_ALL=C.UTF-8 wc -L <"$work/packet.txt")"
if [ "$widest" -gt 80 ]; then
  echo "FAIL: w3m -cols 80 shows a line $widest columns wide:" >&2
  LC_ALL=C.UTF-8 awk 'length($0) > 80' "$work/packet.txt" | head -5 >&2
  exit 1
fi
for heading in "Phase timeline" "Decisions" "Approved texts" "Design against as-built" \
  "Traceability" "Deviations and amendments" "Metrics" "Journal head"; do
  grep -qx "$heading" "$work/packet.txt" || { echo "FAIL: w3m dump lacks the heading $heading" >&2; exit 1; }
done

echo "ok: packet rendered by $(basename "$browser") to ${width}x${height} PNG, $bytes bytes"
