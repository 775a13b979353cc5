"""`crisis approve` from the approver's side: what waits, deciding as oneself, and every
way of asking it wrong answered with one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FrozenClock
from tests.helpers import FIXTURES, ok

TEXT = "We know about the post and are looking into it."


def start_waiting(
    cli: Any,
    crisis_home: Path,
    tmp_path: Path,
    clock: FrozenClock,
    actor: str = "ana",
    book: Path = FIXTURES / "approvals.yaml",
) -> Path:
    """An incident whose holding line waits for Dana (who has not answered yet)."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "inputs: {brand: Acme}\nsteps:\n  people: {answers: {approver: Dana Reyes}}\n"
        "  holding: {approver: {name: Dana Reyes, decision: none}, action: defer}\n"
        "  grade: {action: pause}\n",
        encoding="utf-8",
    )
    ok(cli("start", str(book), "--answers", str(answers), actor=actor, clock=clock))
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


def test_someone_else_is_refused_with_who_may(cli: Any, waiting: Path) -> None:
    """Issue 23: anyone could approve anything by setting CRISIS_USER."""
    refused = cli("approve", waiting.name, "--approve", actor="Bo Lind")
    assert refused.exit_code == 2
    assert "Bo Lind may not decide" in refused.stderr and "Dana Reyes" in refused.stderr
    assert "--on-behalf-of" in refused.stderr
    assert decisions(waiting) == []


def test_deciding_on_behalf_of_the_approver_needs_a_reason_and_says_so_everywhere(
    cli: Any, waiting: Path
) -> None:
    no_reason = cli("approve", waiting.name, "--approve", "--on-behalf-of", "Dana Reyes", actor="Sam Ode")  # fmt: skip
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr
    wrong = cli("approve", waiting.name, "--approve", "--on-behalf-of", "Bo", "--reason", "x", actor="Sam Ode")  # fmt: skip
    assert wrong.exit_code == 2 and "Bo may not decide" in wrong.stderr
    args = ["--on-behalf-of", "Dana Reyes", "--reason", "Dana is on a flight"]
    said = ok(cli("approve", waiting.name, "--approve", *args, actor="Sam Ode")).stdout
    assert "approved by Sam Ode on behalf of Dana Reyes (Dana is on a flight)" in said
    (decided,) = decisions(waiting)
    assert decided["actor"] == decided["data"]["approver"] == "Sam Ode"
    assert decided["data"]["on_behalf_of"] == "Dana Reyes"
    assert decided["data"]["reason"] == "Dana is on a flight"
    log = ok(cli("log", waiting.name)).stdout
    assert "on behalf of Dana Reyes" in log
    report = ok(cli("report", waiting.name)).stdout
    assert "on behalf of Dana Reyes" in report


def test_a_decision_names_the_version_it_saw(cli: Any, waiting: Path, clock: FrozenClock) -> None:
    """Issue 23: a version appended between --list and --approve was approved unseen."""
    (item,) = json.loads(ok(cli("approve", "--json", actor="Dana Reyes", clock=clock)).stdout)
    seen = item["digest"][:12]
    listed = ok(cli("approve", "--list", actor="Dana Reyes", clock=clock)).stdout
    assert f"--version {seen}" in listed
    wrong = cli("approve", waiting.name, "--approve", "--version", "0" * 12, actor="Dana Reyes")
    assert wrong.exit_code == 5 and "a newer version is waiting" in wrong.stderr
    assert TEXT in wrong.stderr  # the version that waits now, shown to decide on
    assert decisions(waiting) == []
    said = ok(cli("approve", waiting.name, "--approve", "--version", seen, actor="Dana Reyes"))
    assert TEXT in said.stdout  # what was approved, word for word
    (decided,) = decisions(waiting)
    assert decided["data"]["digest"] == item["digest"]


def test_the_writer_approving_on_behalf_is_self_approval(cli: Any, waiting: Path) -> None:
    args = ["--on-behalf-of", "Dana", "--reason", "Dana said yes by phone"]
    said = ok(cli("approve", waiting.name, "--approve", *args, actor="ana")).stdout
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
