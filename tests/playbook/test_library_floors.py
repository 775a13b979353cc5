"""The bundled library after issue 20 (findings 3, 4 and 8): approvers with a backup and an
escalation everywhere an approval is needed, threats and safety asked where they can arise,
floors that keep a graded-down incident honest, gates that are not deadlines."""

from __future__ import annotations

from typing import Any

import pytest

from crisiscli.playbook.catalog import bundled_dir
from crisiscli.playbook.load import load_playbook
from crisiscli.playbook.model import Playbook, condition_refs
from crisiscli.record.fold import IncidentState
from crisiscli.walk.floors import below_floor, severity_floor
from crisiscli.walk.flow import Flow

BOOKS = {load_playbook(p).id: load_playbook(p) for p in sorted(bundled_dir().glob("*.yaml"))}


def state_with(**answers: Any) -> IncidentState:
    return IncidentState(severity="moderate", answers=dict(answers))


@pytest.mark.parametrize("pid", sorted(BOOKS))
def test_every_approval_has_an_approver_a_backup_and_an_escalation(pid: str) -> None:
    book = BOOKS[pid]
    approving = [s for s in book.steps if s.message is not None and s.message.approval]
    if not approving:
        return
    questions = book.questions()
    assert "approver" in questions and "backup" in questions, pid
    for step in approving:
        assert step.message is not None and step.message.escalate_seconds, (pid, step.id)


def _asks_about_threats(book: Playbook) -> str:
    floored = [q.id for q in book.questions().values() if q.type == "yesno" and q.floor is not None]
    assert floored, f"{book.id} asks nothing about threats or safety with a floor"
    for step in book.steps:
        refs = {leaf.ref for leaf in condition_refs(step.when)}
        if refs & set(floored) and step.checklist == "read-do":
            return step.id
    raise AssertionError(f"{book.id}: no safety step follows a yes")


@pytest.mark.parametrize("pid", ["hashtag", "personal-post", "product-failure", "tragedy"])
def test_threats_and_safety_are_asked_and_handed_on(pid: str) -> None:
    _asks_about_threats(BOOKS[pid])


def test_politics_protects_harassed_staff() -> None:
    book = BOOKS["politics"]
    route = Flow(book).would_visit(
        {"situation": "misread", "harassed": True, "severity": "moderate"}
    )
    assert "staff-safety" in route


def test_hidden_attack_threats_of_a_visit_are_not_low_without_a_reason() -> None:
    book = BOOKS["hidden-attack"]
    state = state_with(threats=["visit"])
    floor = severity_floor(book, state)
    assert floor is not None and floor.level == "high"
    assert below_floor(book, state, "low") is not None
    assert below_floor(book, state, "high") is None
    assert severity_floor(book, state_with(threats=["violence"])).level == "critical"  # type: ignore[union-attr]


def test_product_failure_with_a_safety_risk_says_stop_using_it_at_any_grade() -> None:
    book = BOOKS["product-failure"]
    state = state_with(failure="safety")
    assert below_floor(book, state, "low") is not None  # graded low: a reason is asked
    answers = {
        "failure": "safety",
        "reach": "isolated",
        "grade": "low",
        "severity": "low",
        "fixed": True,
        "threat": False,
        "individual": False,
    }
    route = Flow(book).would_visit(answers)
    assert "stop-using" in route


def test_product_failure_at_low_grade_posts_no_fix_in_a_thread_never_opened() -> None:
    book = BOOKS["product-failure"]
    answers = {
        "failure": "defect",
        "reach": "isolated",
        "grade": "low",
        "severity": "low",
        "fixed": True,
        "threat": False,
        "individual": False,
    }
    route = Flow(book).would_visit(answers)
    assert "holding-line" not in route and "apologise" not in route
    assert "fixed-update" not in route and "fixed-personal" in route


def test_tragedy_resume_is_a_gate_and_a_tragedy_touching_us_is_graded() -> None:
    book = BOOKS["tragedy"]
    resume = book.step("resume-criteria")
    assert resume.due is None and resume.not_before is not None
    assert resume.not_before.seconds == 24 * 3600
    assert any(q.sets == "severity" for q in book.questions().values())
    floor = severity_floor(book, state_with(link="direct"))
    assert floor is not None and floor.level == "high"
