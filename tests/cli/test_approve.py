"""`crisis approve` from the approver's side: what waits, deciding as oneself, and every
way of asking it wrong answered with one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FrozenClock
from tests.helpers import FIXTURES, ok

TEXT = "We know about the post and are looking into it."


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def waiting(cli: Any, crisis_home: Path, tmp_path: Path, clock: FrozenClock) -> Path:
    """An incident whose holding line waits for Dana (who has not answered yet)."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "inputs: {brand: Acme}\nsteps:\n  people: {answers: {approver: Dana Reyes}}\n"
        "  holding: {approver: {name: Dana Reyes, decision: none}, action: defer}\n"
        "  grade: {action: pause}\n",
        encoding="utf-8",
    )
    book = str(FIXTURES / "approvals.yaml")
    ok(cli("start", book, "--answers", str(answers), actor="ana", clock=clock))
    (folder,) = (p for p in (crisis_home / "incidents").iterdir() if not p.name.startswith("."))
    return folder


def decisions(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["type"] == "message.approval_decided"]


def test_the_list_shows_the_exact_version_and_json_says_the_same(cli: Any, waiting: Path, clock: FrozenClock) -> None:  # fmt: skip
    clock.advance(180)
    shown = ok(cli("approve", "--list", actor="Dana Reyes", clock=clock)).stdout
    assert TEXT in shown and "asked of Dana Reyes by ana" in shown and "m ago)" in shown
    (item,) = json.loads(ok(cli("approve", "--json", actor="Dana Reyes", clock=clock)).stdout)
    assert item["incident"] == waiting.name and item["step"] == "holding"
    assert item["text"] == TEXT and item["approver"] == "Dana Reyes"


def test_a_rejection_needs_a_reason_and_is_recorded_as_the_person(cli: Any, waiting: Path) -> None:  # fmt: skip
    refused = cli("approve", waiting.name, "--reject", actor="Dana Reyes")
    assert refused.exit_code == 2 and "a rejection needs a reason" in refused.stderr
    assert decisions(waiting) == []
    said = ok(cli("approve", waiting.name, "--reject", "-m", "Too vague", actor="Dana Reyes"))
    assert "rejected by Dana Reyes" in said.stdout
    (decided,) = decisions(waiting)
    assert decided["actor"] == "Dana Reyes" and decided["data"]["comment"] == "Too vague"
    assert "No message is waiting" in ok(cli("approve", "--list")).stdout


def test_someone_else_deciding_is_on_record_as_themselves(cli: Any, waiting: Path) -> None:
    said = ok(cli("approve", waiting.name, "--approve", actor="Sam Ode")).stdout
    assert "it was asked of Dana Reyes; recorded as decided by Sam Ode" in said
    (decided,) = decisions(waiting)
    assert decided["actor"] == decided["data"]["approver"] == "Sam Ode"


def test_the_writer_approving_is_self_approval(cli: Any, waiting: Path) -> None:
    said = ok(cli("approve", waiting.name, "--approve", actor="ana")).stdout
    assert "recorded as self-approved" in said
    report = json.loads(ok(cli("report", waiting.name, "--format", "json")).stdout)
    (draft,) = [m for m in report["drafts"] if m["step"] == "holding"]
    assert draft["approval"]["status"] == "self-approved"


def test_asked_wrong_it_answers_with_one_line(cli: Any, waiting: Path) -> None:
    for args, code, words in (
        (("--step", "nope", "--approve"), 4, "no message of step 'nope' waits for approval"),
        ((waiting.name, "--approve", "--reject"), 2, ""),
        ((), 6, "standard input is not a terminal: decide with --approve or --reject"),
        (("no-such-incident", "--list"), 4, ""),
    ):
        result = cli("approve", *args, actor="Dana Reyes")
        assert result.exit_code == code, (args, result)
        assert "Traceback" not in result.stderr and words in result.stderr, (args, result.stderr)
    assert decisions(waiting) == []
