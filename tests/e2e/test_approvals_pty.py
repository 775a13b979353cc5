"""Approvals end to end: the responder's walk-through in a real pseudo-terminal asks Dana;
Dana decides with `crisis approve` in a process of her own; the walk-through, waiting or
gone on with other steps, sees the decision and carries on. A re-grade in the
walk-through switches on the steps meant for the new severity, at the next screen."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import crisis_command, subprocess_env
from tests.e2e.driver import Session
from tests.helpers import FIXTURES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")

BOOK = str(FIXTURES / "approvals.yaml")
ASK = "Who approves this message?"
ASK_LABELS = [
    "Ask Dana Reyes (named approver)",
    "Ask someone else…",
    "I approve it myself (recorded as self-approved)",
    "Publish without approval (recorded, with a reason)",
    "Not now — nobody is asked yet",
]
MEANWHILE = [
    "Wait here for the decision (Ctrl-C stops waiting)",
    "Go on with other steps meanwhile — this step comes back with the decision",
    "Back to this step's menu",
]
GRADES = ["low", "moderate", "high", "critical"]


def journal(home: Path) -> list[dict[str, Any]]:
    (folder,) = (home / "incidents").iterdir()
    return [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]


def of_type(home: Path, kind: str) -> list[dict[str, Any]]:
    return [e for e in journal(home) if e["type"] == kind]


def dana(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`crisis approve` run by Dana, in a process of her own (no terminal)."""
    return subprocess.run(
        [*crisis_command(), "approve", *args],
        env=subprocess_env(home, CRISIS_USER="Dana Reyes"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def to_the_holding_line(s: Session) -> None:
    s.text_answer("Which brand?", "Acme")
    s.text_answer("Who approves public messages?", "Dana Reyes")
    s.text_answer("Who approves if they can't be reached?", "")
    s.menu("Mark this step done")
    s.expect(r"Holding line")
    s.message(None)
    s.review("Use this message")
    s.promise("")  # no next update promised
    s.select(ASK, ASK_LABELS, ASK_LABELS[0])
    s.expect(r"waiting for approval from Dana Reyes — under a minute")


def test_waiting_here_the_decision_from_another_process_arrives(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Session(home, "start", BOOK, "--title", "Wrong post", "--severity", "moderate",
                timeout=60, CRISIS_USER="ana")  # fmt: skip
    to_the_holding_line(s)
    s.select("Meanwhile?", MEANWHILE, MEANWHILE[0])
    s.expect(r"\(Ctrl-C stops waiting\)")
    (asked,) = of_type(home, "message.approval_requested")
    assert asked["actor"] == "ana" and asked["data"]["approver"] == "Dana Reyes"

    listed = dana(home, "--list")
    assert listed.returncode == 0, listed.stderr
    assert "We know about the post and are looking into it." in listed.stdout
    assert "asked of Dana Reyes by ana" in listed.stdout
    incident = next(p.name for p in (home / "incidents").iterdir())
    decided = dana(home, incident, "--approve", "-m", "Go ahead")
    assert decided.returncode == 0, decided.stderr
    assert "approved by Dana Reyes" in decided.stdout

    # The waiting walk-through reads the decision from the journal and carries on.
    s.expect(r"The message is approved by Dana Reyes")
    s.checklist(["Posted it"], [0])
    s.menu("Mark this step done")
    # the grading question starts on the current level, moderate (issue 20)
    s.select("How serious is it now?", GRADES, "moderate", start=1)
    s.menu("Pause — resume later")
    assert s.finish() == 0
    (decision,) = of_type(home, "message.approval_decided")
    assert decision["actor"] == "Dana Reyes"  # recorded as the person asked
    assert decision["data"]["decision"] == "approve" and decision["data"]["comment"] == "Go ahead"
    assert decision["data"].get("scripted") is not True
    done = [e["data"]["step"] for e in journal(home) if e["type"] == "step.done"]
    assert done == ["people", "holding"]


def test_going_on_the_step_comes_back_and_a_regrade_switches_a_step_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Session(home, "start", BOOK, "--title", "Wrong post", "--severity", "moderate",
                timeout=60, CRISIS_USER="ana")  # fmt: skip
    to_the_holding_line(s)
    s.select("Meanwhile?", MEANWHILE, MEANWHILE[1])
    s.expect(r"│ waiting for approval from Dana Reyes")  # in the status line meanwhile
    s.expect(r"Grade it")
    s.select("How serious is it now?", GRADES, "high", start=1)  # starts on moderate

    incident = next(p.name for p in (home / "incidents").iterdir())
    decided = dana(home, incident, "--approve")
    assert decided.returncode == 0, decided.stderr

    s.menu("Mark this step done")
    # The deferred step comes back with its decision, before anything else.
    s.expect(r"Holding line")
    s.expect(r"Approval: approved by Dana Reyes")
    s.checklist(["Posted it"], [0])
    s.menu("Mark this step done")
    # Meant for high: passed at moderate, switched on by the re-grade, taken now.
    s.expect(r"Brief the CEO")
    s.checklist(["Call the CEO"], [0])
    s.menu("Mark this step done")
    s.expect(r"Public statement")
    s.expect(r"The message:")
    s.send("\x03")  # Ctrl-C: leave; everything so far is recorded
    s.finish()
    (change,) = of_type(home, "severity.changed")
    assert change["data"]["to"] == "high" and change["data"]["by_question"] == "grade"
    assert change["data"]["switched_on"] == ["brief-ceo", "statement"]
    entered = [(e["data"]["step"], e["data"].get("via", "next")) for e in of_type(home, "step.entered")]  # fmt: skip
    assert entered[-3:] == [("holding", "aside"), ("brief-ceo", "aside"), ("statement", "next")]
