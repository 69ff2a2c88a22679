"""Push the rendered time and logging baseline with nornir-push (EOS: inside a config session)."""

from nornir_push import push_sections

SECTIONS = ("ntp", "logging")


def run(task, rendered):
    session = task.host.platform == "eos"
    return push_sections(task, rendered, SECTIONS, config_session=session)
