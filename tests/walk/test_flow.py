"""What conditions read (walk/flow.py): a grading answer is the incident's severity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crisiscli.record.store import Incident, find_incident
from crisiscli.walk.flow import applies, facts
from tests.conftest import FrozenClock, make_env, run_cli

FIRST: dict[str, Any] = {
    "title": "Fly in the soup",
    "severity": "moderate",
    "inputs": {"brand": "Acme Cafe", "platform": "x", "customer": "Lena"},
    "default": "done",
    "steps": {
        "first-look": {"answers": {"reach": "spreading"}},
        "first-reply": {"message": "Hi Lena, I'm so sorry. Could you DM us your order? Mia"},
        "bring-in": {"answers": {"facts": "partly", "approver": "self", "threat": False}},
        "holding-line": {"message": "We've seen it and we're sorry. More here by 21:30.",
                         "approver": "self"},
        "grade-severity": {"answers": {"grade": "moderate"}, "action": "pause"},
    },
}  # fmt: skip


def latest_incident_in(home: Path) -> Incident:
    return find_incident(make_env(home), None)


def write(path: Path, data: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def test_a_regrade_from_another_terminal_reaches_the_steps_that_read_the_grade(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Graded moderate at the grading step, then `crisis severity high` from another
    terminal: the press step (``when: {grade: [high, critical]}``) applies, as it would
    had the step itself been answered high. Before, the stale answer kept it off: the
    report said "not applicable" beside "Severity high"."""
    home = tmp_path / "home"
    assert run_cli(home, "start", "complaint", "--answers", write(tmp_path / "a.yaml", FIRST),
                   clock=clock).exit_code == 0  # fmt: skip
    clock.advance(120)
    regraded = run_cli(home, "severity", "high", "--reason", "A consumer programme shared it",
                       clock=clock)  # fmt: skip
    assert regraded.exit_code == 0, regraded.stderr
    said = " ".join(regraded.stdout.split())
    assert "Answer the press through one spokesperson" in said, said
    assert "Keep updates coming" in said, said
    incident = latest_incident_in(home)
    state = incident.state()
    press = incident.playbook().step("press")
    assert state.answers["grade"] == "moderate"  # what was answered stays what was answered
    assert facts(state)["grade"] == "high"
    assert applies(press, state)

    rest = {"default": "done", "steps": {
        "press": {"answers": {"spokesperson": "Dana"}, "approver": "self",
                  "message": "Brief for Dana: what we know, what we did, next update by 22:40."},
        "public-apology": {"message": "A customer found a fly in our soup, and we're sorry.",
                           "approver": "self"},
        "updates": {"message": "Update: lids checked. Next update by 22:40.", "approver": "self"},
        "reply-each": {"message": "Hi, I'm sorry you had that too. Could you DM us?"},
        "move-dm": {"answers": {"direct-contact": "talking"},
                    "message": "Hi Lena, I'm Mia. Could I call you?"},
        "close-loop": {"message": "Thanks for talking with us, Lena."},
        "resume-normal": {"action": "pause"}}}  # fmt: skip
    result = run_cli(home, "resume", "--answers", write(tmp_path / "b.yaml", rest), clock=clock)
    assert result.exit_code == 0, result.stderr
    state = latest_incident_in(home).state()
    assert state.steps["press"].status == "done"
    assert state.messages["press"].text.startswith("Brief for Dana")
    assert state.steps["updates"].status == "done"


def test_a_grade_follows_a_hypothetical_severity_too(tmp_path: Path, clock: FrozenClock) -> None:
    """``facts(state, severity=…)``: what-if questions (can a step still post at high?)
    read the grading answer at that level as well."""
    home = tmp_path / "home"
    run_cli(home, "start", "complaint", "--answers", write(tmp_path / "a.yaml", FIRST), clock=clock)
    state = latest_incident_in(home).state()
    assert facts(state)["grade"] == "moderate"
    assert facts(state, severity="critical")["grade"] == "critical"
    assert facts(state, severity="critical")["severity"] == "critical"
