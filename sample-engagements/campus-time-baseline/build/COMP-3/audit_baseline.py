"""Weekly audit: compare each switch's ntp and logging sections with the rendered baseline."""


def differing_lines(running: dict, rendered: dict) -> list:
    out = []
    for section in ("ntp", "logging"):
        want = set(rendered.get(section, []))
        have = set(running.get(section, []))
        out += [f"- {line}" for line in sorted(want - have)]
        out += [f"+ {line}" for line in sorted(have - want)]
    return out
