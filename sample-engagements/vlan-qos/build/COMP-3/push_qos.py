"""Apply rendered QoS intent to campus access switches, verify, and roll back per device.

EOS:    nornir-push v3.1 NAPALM path (configuration session, commit, rollback).
IOS-XE: RESTCONF on Cisco-IOS-XE-native with a pre-change snapshot; NAPALM's IOS driver needs
        `ip scp server enable`, which the campus hardening baseline forbids (see as-built).
"""
import difflib
import json
from urllib.parse import quote

import requests
from nornir.core.task import Result, Task
from nornir_napalm.plugins.tasks import napalm_configure

from nornir_push import run_parallel           # nornir-push v3.1, 10 workers, per-host results

NATIVE = "restconf/data/Cisco-IOS-XE-native:native"
HDRS = {"Accept": "application/yang-data+json", "Content-Type": "application/yang-data+json"}


def _if_path(name):
    kind = name.rstrip("0123456789/")
    return f"{NATIVE}/interface/{kind}={quote(name[len(kind):], safe='')}"


def _session(task):
    s = requests.Session()
    s.auth = (task.host.username, task.host.password)
    s.headers.update(HDRS)
    s.verify = "/etc/ssl/certs/corp-ca.pem"
    return s, f"https://{task.host.hostname}/"


def _payload(intent):
    maps = []
    for name, pol in intent["policies"].items():
        classes = [{"name": "class-default", "action-list": [
            {"action-type": "set", "set": {"dscp": {"dscp-val": pol["dscp_name"]}}}]}]
        if pol["voice_aux"]:
            classes.insert(0, {"name": "CM-QOS-VOICE-AUX", "action-list": [
                {"action-type": "set", "set": {"dscp": {"dscp-val": "ef"}}}]})
        maps.append({"name": name, "class": classes})
    ifaces = {}
    for port in intent["ports"]:
        kind = port["name"].rstrip("0123456789/")
        ifaces.setdefault(kind, []).append({
            "name": port["name"][len(kind):],
            "Cisco-IOS-XE-policy:service-policy": {"input": port["policy"]}})
    return {"Cisco-IOS-XE-native:native": {
        "policy": {"Cisco-IOS-XE-policy:policy-map": maps}, "interface": ifaces}}


def _snapshot(s, base, intent):
    snap = {"policy": s.get(base + f"{NATIVE}/policy").json()}
    for port in intent["ports"]:
        r = s.get(base + _if_path(port["name"]) + "/Cisco-IOS-XE-policy:service-policy")
        snap[port["name"]] = r.json() if r.status_code == 200 else None
    return snap


def _restore(s, base, snap):
    s.put(base + f"{NATIVE}/policy", data=json.dumps(snap["policy"])).raise_for_status()
    for name, sp in snap.items():
        if name == "policy":
            continue
        url = base + _if_path(name) + "/Cisco-IOS-XE-policy:service-policy"
        r = s.put(url, data=json.dumps(sp)) if sp else s.delete(url)
        r.raise_for_status()


def _verify(s, base, intent):
    for port in intent["ports"]:
        r = s.get(base + _if_path(port["name"]) + "/Cisco-IOS-XE-policy:service-policy/input")
        if r.status_code != 200 or port["policy"] not in r.text:
            return f"{port['name']}: expected input policy {port['policy']}"
    return None


def push_iosxe(task: Task, intent: dict) -> Result:
    s, base = _session(task)
    before = _snapshot(s, base, intent)
    s.patch(base + NATIVE, data=json.dumps(_payload(intent))).raise_for_status()
    after = _snapshot(s, base, intent)
    diff = "\n".join(difflib.unified_diff(
        json.dumps(before, indent=1, sort_keys=True).splitlines(),
        json.dumps(after, indent=1, sort_keys=True).splitlines(), "before", "after", lineterm=""))
    problem = _verify(s, base, intent)
    if problem:
        _restore(s, base, before)
        return Result(host=task.host, failed=True, diff=diff, result=f"rolled back: {problem}")
    return Result(host=task.host, diff=diff, result="applied")


def push_eos(task: Task, intent: dict, snippet: str) -> Result:
    res = task.run(task=napalm_configure, configuration=snippet, replace=False)
    diff = res[0].diff
    conn = task.host.get_connection("napalm", task.nornir.config)
    out = conn.cli([f"show running-config interfaces {p['name']}" for p in intent["ports"]])
    bad = [p["name"] for p in intent["ports"] if p["policy"] not in
           out[f"show running-config interfaces {p['name']}"]]
    if bad:
        conn.rollback()
        return Result(host=task.host, failed=True, diff=diff, result=f"rolled back: {bad}")
    return Result(host=task.host, diff=diff, result="applied")


def push(task: Task, rendered: dict) -> Result:
    intent, snippet = rendered[task.host.name]
    if task.host.platform == "eos":
        return push_eos(task, intent, snippet)
    return push_iosxe(task, intent)


def main(nr, rendered):
    return run_parallel(nr, push, rendered=rendered, workers=10)
