"""Issue 25.4: the timeline names who walked the incident, never the process or the machine.
"Walking the incident (pid 4242 on anas-laptop.local, /dev/pts/3)" once stood in the
post-mortem, its public (--redact) version and log.md: a machine's name can be a person's
name, and neither a pid nor a host is anything a reader of a post-mortem needs."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from crisiscli.record import events as ev
from crisiscli.record.store import create_incident
from crisiscli.views.report.model import build_report
from crisiscli.views.report.render import render
from tests.conftest import FrozenClock, make_env
from tests.views.report.support import review_playbook

START = datetime(2026, 11, 27, 19, 0, tzinfo=timezone.utc)
HOST, OTHER_HOST = "anas-laptop.local", "bo-workstation"


def test_the_walker_line_names_a_person_in_the_report_and_its_public_version(
    tmp_path: Path,
) -> None:
    env = make_env(tmp_path / "home", clock=FrozenClock(START), actor="Bo Lind")
    incident = create_incident(env, review_playbook(), title="Soup complaint", severity="high")
    incident.record(ev.walker_started("L1", pid=4242, host=OTHER_HOST, tty="/dev/pts/3"))
    incident.env.actor = "Ana Berg"
    taken_from = {"actor": "Bo Lind", "pid": 4242, "host": OTHER_HOST, "lease": "L1"}
    incident.record(
        ev.walker_taken_over("L2", pid=5151, host=HOST, tty="/dev/pts/9", taken_from=taken_from)
    )
    incident.record(ev.incident_closed("Resolved"))
    state = incident.replay(history=True)
    for redact in (False, True):
        model = build_report(
            state, incident.playbook(), incident.id, now=START, tz=timezone.utc,
            zone_name="UTC", redact=redact,
        )  # fmt: skip
        for fmt in ("md", "html", "json"):
            shown = render(model, fmt)
            for machine in (HOST, OTHER_HOST, "4242", "5151", "/dev/pts", "pid "):
                assert machine not in shown, (redact, fmt, machine)
        md = render(model, "md")
        if redact:
            assert "[person 1] started walking the incident" in md.replace("\\[", "[")
            assert "Ana Berg" not in md
        else:
            assert "Bo Lind started walking the incident" in md
            assert "Ana Berg took over the walk-through from Bo Lind" in md
    log = incident.log_path.read_text(encoding="utf-8")
    assert "Ana Berg took over the walk-through from Bo Lind" in log
    assert HOST not in log and "4242" not in log
