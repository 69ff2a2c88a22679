#!/usr/bin/env bash
# Regenerates the sample engagements by driving phasegate itself with the texts in .sources/,
# so every journal is one phasegate wrote. Timestamps come from PHASEGATE_NOW so the output is
# reproducible. Usage: sample-engagements/regenerate.sh [path/to/phasegate]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
bin="${1:-}"
if [ -z "$bin" ]; then
  cargo build --quiet --locked --manifest-path "$repo/Cargo.toml"
  bin="$repo/target/debug/phasegate"
fi
src="$here/.sources"
ws="$(mktemp -d)"
trap 'rm -rf "$ws"' EXIT
export PHASEGATE_CONFIG="$ws/no-config.toml"   # defaults; never the user's config

pg() { # pg TIME ACTOR args...
  local at="$1" actor="$2"; shift 2
  PHASEGATE_NOW="$at" "$bin" --workspace "$ws" --as "$actor" "$@" >/dev/null
}

# firewall-drift: Requirements, spec drafted.
pg 2026-11-09T08:30:00Z dana new firewall-drift --title "Firewall rule compliance drift detection" --owner dana
cp "$src/firewall-drift/customer-spec.md" "$ws/firewall-drift/"

# bgp-peer-onboarding: Gate 1 approved, feasibility completed, design drafted.
e=bgp-peer-onboarding
pg 2026-11-03T09:00:00Z bob new $e --title "BGP peer onboarding for transit and IX sessions" --owner bob
cp "$src/$e/customer-spec.md" "$ws/$e/"
pg 2026-11-05T15:20:00Z carol gate 1 approve $e --check G1-5 --check G1-6 --check G1-7 --check G1-8 \
  --note "Reviewed with the peering team; RPKI policy confirmed with security."
cp "$src/$e/feasibility.md" "$ws/$e/"
pg 2026-11-10T11:05:00Z bob feasibility-complete $e
cp "$src/$e/solution-design.md" "$ws/$e/"

# vlan-qos: through Gate 2 and the build to As-Built, with two real deviations and an amendment.
e=vlan-qos
pg 2026-11-02T09:14:00Z alice new $e --title "Extend VLAN provisioning with QoS tagging" --owner alice
# Its baseline predates this workspace: a hand-written name, linked to nothing here (`new --from`
# needs a closed engagement of the workspace).
sed -i 's/^created = .*/&\nbaseline = "vlan-provisioning"/' "$ws/$e/engagement.toml"
cp "$src/$e/customer-spec.md" "$ws/$e/"
pg 2026-11-04T14:02:00Z bob gate 1 approve $e --check G1-5 --check G1-6 --check G1-7 --check G1-8 \
  --note "Spec walked through with the campus network team."
cp "$src/$e/feasibility.md" "$ws/$e/"
pg 2026-11-06T10:30:00Z alice feasibility-complete $e
cp "$src/$e/solution-design.md" "$ws/$e/"
pg 2026-11-09T16:45:00Z bob gate 2 approve $e --check G2-7 --check G2-8 --check G2-9 \
  --note "Design approved; NOC wants the rollback drill in the lab first."
cp -R "$here/$e/build" "$ws/$e/"   # build/ is input only: phasegate never writes it
day=12
for c in COMP-1 COMP-2 COMP-3 COMP-4; do   # build order: leaves first
  pg "2026-11-${day}T10:00:00Z" alice component "$c" built $e
  pg "2026-11-${day}T15:30:00Z" alice component "$c" validated $e
  day=$((day + 1))
done
pg 2026-11-16T17:10:00Z alice build-complete $e
cp "$src/$e/as-built.md" "$ws/$e/"
pg 2026-11-17T09:40:00Z alice deviation record DEV-1 $e
pg 2026-11-17T09:42:00Z alice deviation record DEV-2 $e
pg 2026-11-17T10:15:00Z alice amend --deviation DEV-2 --text "$(cat "$src/$e/amendment.txt")" $e

# campus-time-baseline: the whole lifecycle to Closed, with a minor deviation.
e=campus-time-baseline
pg 2026-10-05T08:00:00Z erin new $e --title "Campus time and logging baseline" --owner erin
cp "$src/$e/customer-spec.md" "$ws/$e/"
pg 2026-10-06T15:00:00Z frank gate 1 approve $e --check G1-5 --check G1-6 --check G1-7 --check G1-8 \
  --note "Regions and collectors confirmed with the SOC."
cp "$src/$e/feasibility.md" "$ws/$e/"
pg 2026-10-07T10:00:00Z erin feasibility-complete $e
cp "$src/$e/solution-design.md" "$ws/$e/"
pg 2026-10-08T16:00:00Z frank gate 2 approve $e --check G2-7 --check G2-8 --check G2-9 \
  --note "Design approved for the Wednesday windows."
cp -R "$here/$e/build" "$ws/$e/"   # build/ is input only: phasegate never writes it
day=12
for c in COMP-1 COMP-2 COMP-3; do   # build order: leaves first
  pg "2026-10-${day}T10:00:00Z" erin component "$c" built $e
  pg "2026-10-${day}T15:00:00Z" erin component "$c" validated $e
  day=$((day + 1))
done
pg 2026-10-15T17:00:00Z erin build-complete $e
cp "$src/$e/as-built.md" "$ws/$e/"
pg 2026-10-16T09:00:00Z erin deviation record DEV-1 $e
pg 2026-10-19T11:30:00Z frank close $e

# campus-time-nts: Day 2, started from the closed baseline; reuses two of its components through
# the catalog, pinned to the baseline's version; in Design.
e=campus-time-nts
pg 2026-11-23T09:00:00Z erin new $e --from campus-time-baseline \
  --title "Campus time and logging baseline, authenticated NTP" --owner erin
cp "$src/$e/customer-spec.md" "$ws/$e/"
pg 2026-11-24T14:00:00Z frank gate 1 approve $e --check G1-5 --check G1-6 --check G1-7 --check G1-8 \
  --note "Delta reviewed against campus-time-baseline: REQ-1 changed, REQ-4 added."
cp "$src/$e/feasibility.md" "$ws/$e/"
pg 2026-11-25T10:00:00Z erin feasibility-complete $e
version="$("$bin" --workspace "$ws" catalog campus-time-baseline/COMP-1 --json \
  | sed -n 's/.*"version":"\([0-9a-f]*\)".*/\1/p')"
[ -n "$version" ] || { echo "no catalog version for campus-time-baseline" >&2; exit 1; }
sed "s/@VERSION/@$version/" "$src/$e/solution-design.md" > "$ws/$e/solution-design.md"

# bgp-peer-onboarding-signed: the same engagement with SSH-signed decisions (DESIGN §7), taken
# to Build. The keys are throwaway, made here in the temp workspace and deleted with it: only the
# public keys (signers/) and allowed_signers are published, never a private key.
e=bgp-peer-onboarding-signed
keys="$ws/.private-keys"
mkdir -p "$keys" "$ws/signers"
ssh-keygen -q -t ed25519 -N '' -C carol -f "$keys/carol"
ssh-keygen -q -t ecdsa -b 256 -N '' -C dan -f "$keys/dan"
cp "$keys/carol.pub" "$keys/dan.pub" "$ws/signers/"
{
  echo "# Who signs decisions in the sample engagements (ssh-keygen allowed-signers format)."
  echo "carol $(cut -d' ' -f1,2 "$keys/carol.pub")"
  echo "dan $(cut -d' ' -f1,2 "$keys/dan.pub")"
} > "$ws/allowed_signers"
pgs() { # pgs TIME KEY args...: signed with KEY; the actor is the key's principal
  local at="$1" key="$2"; shift 2
  printf 'signing_key = "%s"\n' "$key" > "$ws/signing.toml"
  PHASEGATE_CONFIG="$ws/signing.toml" PHASEGATE_NOW="$at" "$bin" --workspace "$ws" "$@" >/dev/null
}
pg 2026-11-03T09:00:00Z bob new $e --title "BGP peer onboarding, with signed decisions" --owner bob
awk '/^signatures = / { print "signatures = \"decisions\"   # gate decisions and close are SSH-signed"; next } { print }' \
  "$ws/$e/engagement.toml" > "$ws/$e/engagement.toml.new"
mv "$ws/$e/engagement.toml.new" "$ws/$e/engagement.toml"
# The journal records the policy in force (nothing else is appended until it does); turning
# signatures on is governed by the policy it leaves (off), so this one needs no key.
pg 2026-11-03T09:00:00Z bob record-policy $e --reason "gate decisions and close are SSH-signed"
cp "$src/bgp-peer-onboarding/customer-spec.md" "$ws/$e/"
pgs 2026-11-05T15:20:00Z "$keys/carol" gate 1 approve $e --check G1-5 --check G1-6 --check G1-7 --check G1-8 \
  --note "Reviewed with the peering team; signed with carol's key."
cp "$src/bgp-peer-onboarding/feasibility.md" "$ws/$e/"
pg 2026-11-10T11:05:00Z bob feasibility-complete $e
cp "$src/bgp-peer-onboarding/solution-design.md" "$ws/$e/"
pgs 2026-11-12T16:00:00Z "$keys/dan" gate 2 approve $e --check G2-7 --check G2-8 --check G2-9 \
  --note "Design approved; signed with dan's ecdsa key."

for e in firewall-drift bgp-peer-onboarding vlan-qos campus-time-baseline campus-time-nts bgp-peer-onboarding-signed; do
  rm -f "$ws/$e/.phasegate/lock"
  rm -rf "${here:?}/$e"
  cp -R "$ws/$e" "$here/$e"
  "$bin" --allowed-signers "$ws/allowed_signers" check "$here/$e" >/dev/null \
    || { echo "check failed for $e" >&2; exit 1; }
done
rm -rf "${here:?}/signers"
cp -R "$ws/signers" "$here/signers"
cp "$ws/allowed_signers" "$here/allowed_signers"
echo "regenerated: firewall-drift bgp-peer-onboarding vlan-qos campus-time-baseline campus-time-nts bgp-peer-onboarding-signed"
