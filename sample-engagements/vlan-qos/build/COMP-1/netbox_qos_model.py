#!/usr/bin/env python3
"""Create the NET-STD-007 v3 QoS class model in NetBox and backfill existing VLANs.

Idempotent: re-running only fills VLANs that still have no class.
    netbox_qos_model.py --netbox https://netbox.corp.example --dry-run
"""
import argparse
import json
import pathlib
import sys

from netbox_client import connect  # netbox-client v2.3 (token from Vault via NETBOX_TOKEN_PATH)

CHOICE_SET = "net-std-007-v3"
FIELD = "qos_class"
CHOICES = [
    ["voice", "Voice (EF)"],
    ["video", "Video (AF41)"],
    ["business-critical", "Business critical (AF31)"],
    ["best-effort", "Best effort (DF)"],
    ["scavenger", "Scavenger (CS1)"],
]
CONTEXT = pathlib.Path(__file__).with_name("config-context-qos-standard-v3.json")
ACCESS_ROLES = ["campus-access", "hq-access"]


def ensure_model(nb, dry_run):
    cs = nb.extras.custom_field_choice_sets.get(name=CHOICE_SET)
    if cs is None and not dry_run:
        cs = nb.extras.custom_field_choice_sets.create(
            name=CHOICE_SET, extra_choices=CHOICES, order_alphabetically=False)
    if nb.extras.custom_fields.get(name=FIELD) is None and not dry_run:
        nb.extras.custom_fields.create(
            name=FIELD, label="QoS class", type="select", object_types=["ipam.vlan"],
            choice_set=cs.id, default="best-effort", required=False,
            description="NET-STD-007 v3 class; drives access-port marking")
    if nb.extras.config_contexts.get(name="qos-standard-v3") is None and not dry_run:
        roles = [nb.dcim.device_roles.get(slug=r).id for r in ACCESS_ROLES]
        nb.extras.config_contexts.create(
            name="qos-standard-v3", weight=1000, roles=roles,
            data=json.loads(CONTEXT.read_text()))


def backfill(nb, dry_run):
    todo = [v.id for v in nb.ipam.vlans.filter(**{f"cf_{FIELD}__empty": "true"})]
    print(f"{len(todo)} VLANs without a QoS class")
    if dry_run or not todo:
        return
    for i in range(0, len(todo), 200):  # NetBox bulk PATCH, 200 objects per call
        nb.ipam.vlans.update(
            [{"id": vid, "custom_fields": {FIELD: "best-effort"}} for vid in todo[i:i + 200]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netbox", required=True)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    nb = connect(args.netbox)
    ensure_model(nb, args.dry_run)
    backfill(nb, args.dry_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
