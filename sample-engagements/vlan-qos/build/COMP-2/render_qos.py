"""Render per-device QoS intent and configuration for the switches carrying a set of VLANs."""
from dataclasses import dataclass, field, asdict

from jinja2 import Environment, FileSystemLoader, StrictUndefined

ENV = Environment(loader=FileSystemLoader("templates"), undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
SKIP_TAG = "camera-policing"   # ports that already carry an input policy (as-built, scope narrowed)
UPLINK_TAG = "uplink"


@dataclass
class DeviceIntent:
    device: str
    platform: str                      # "ios-xe" | "eos"
    policies: dict = field(default_factory=dict)
    ports: list = field(default_factory=list)
    uplinks: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def build_intent(nb, device, vlan_ids):
    ctx = device.config_context["qos_standard"]
    platform = device.platform.slug
    intent = DeviceIntent(device=device.name, platform=platform)
    for ifc in nb.dcim.interfaces.filter(device_id=device.id):
        tags = {t.slug for t in ifc.tags}
        if UPLINK_TAG in tags:
            intent.uplinks.append(ifc.name)
            continue
        if ifc.mode is None or ifc.mode.value != "access" or ifc.untagged_vlan is None:
            continue
        if ifc.untagged_vlan.id not in vlan_ids:
            continue
        if SKIP_TAG in tags:
            intent.skipped.append(ifc.name)
            continue
        cls = ctx["classes"][nb.ipam.vlans.get(ifc.untagged_vlan.id).custom_fields["qos_class"]]
        voice_aux = platform == "ios-xe" and ifc.custom_fields.get("voice_vlan") is not None
        name = cls["policy"].replace("-IN", "-VAUX-IN") if voice_aux else cls["policy"]
        intent.policies[name] = {"dscp": cls["dscp"], "dscp_name": cls["dscp_name"],
                                 "voice_aux": voice_aux}
        intent.ports.append({"name": ifc.name, "policy": name,
                             "previous_policy": ifc.custom_fields.get("qos_policy")})
    return intent


def render(intent, voice_aux_cos=5):
    template = ENV.get_template(f"{intent.platform}/qos_access.j2")
    snippet = template.render(voice_aux_cos=voice_aux_cos, **asdict(intent))
    return asdict(intent), snippet
