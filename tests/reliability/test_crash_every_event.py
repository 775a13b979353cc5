"""A crash after every single event, in-process: deterministic where SIGKILL is random.

The process "dies" (a BaseException nobody catches) right after the N-th event reached the
journal, for every N of a full scripted walk-through; a fresh process then resumes with
the same answers file. The outcome must equal the uninterrupted run's, whichever event the
crash followed. CI walks tests/fixtures/mini.yaml (every kind of event, ~30 of them);
`pytest --long` adds the bundled general playbook (~130 events, about a minute).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crisiscli.playbook.catalog import resolve
from crisiscli.record.events import NewEvent
from crisiscli.record.journal import Journal
from crisiscli.record.store import Incident, create_incident, list_incidents
from crisiscli.walk.answers import ScriptedPrompter, load_answers
from crisiscli.walk.engine import Walkthrough
from tests.conftest import make_env
from tests.helpers import events_of
from tests.reliability import crashkit

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
CASES = {
    "mini": (str(FIXTURES / "mini.yaml"), HERE / "mini-answers.yaml"),
    "general": ("general", HERE / "general-answers.yaml"),
    "grading": (str(HERE / "grading.yaml"), HERE / "grading-answers.yaml"),
}


class Died(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler records anything."""


def _start(home: Path, case: str) -> Incident:
    env = make_env(home)
    ref, answers = CASES[case]
    script = load_answers(answers)
    book = resolve(env, ref).playbook
    assert book is not None
    return create_incident(env, book, title=script.title or "", severity=script.severity or "")


def _walk(home: Path, case: str) -> None:
    """What `crisis start/resume --answers` does after the incident exists."""
    env = make_env(home)
    incident = list_incidents(env)[0]
    state = incident.state()
    if state.closed:
        return
    if state.finished:
        incident.record(
            NewEvent("incident.closed", {})
        )  # what is left: the close (see the SIGKILL test)
        return
    Walkthrough(incident, ScriptedPrompter(load_answers(CASES[case][1]))).run()


def _reference(home: Path, case: str) -> tuple[dict[str, Any], int, dict[str, Any]]:
    _start(home, case)
    _walk(home, case)
    incident = list_incidents(make_env(home))[0]
    return (
        crashkit.essence(incident),
        len(events_of(incident)),
        crashkit.report_essence(incident),
    )


@pytest.mark.parametrize("case", ["mini", "grading", "general"])
def test_crash_after_every_event_then_resume(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if case == "general" and not request.config.getoption("--long"):
        pytest.skip("about a minute: runs with --long")
    # Durability is the SIGKILL test's business; here fsync would only cost time.
    monkeypatch.setattr("os.fsync", lambda fd: None)
    expected, total, expected_report = _reference(tmp_path / "reference", case)
    kinds = {kind for kind, _data in expected["events"]}
    assert case != "grading" or "severity.changed" in kinds
    assert case == "grading" or {"input.set", "item.checked", "answer.set", "note.added", "step.deferred",
            "message.recorded", "message.approved", "step.done", "incident.closed"} <= kinds  # fmt: skip
    real_append = Journal.append
    failures = []
    for crash_after in range(1, total):
        home = tmp_path / f"crash-{crash_after}"
        written = 0

        def append(self: Journal, *args: Any, crash_after: int = crash_after, **kwargs: Any) -> Any:
            nonlocal written
            event = real_append(self, *args, **kwargs)
            written += 1
            if written == crash_after:
                raise Died()
            return event

        monkeypatch.setattr(Journal, "append", append)
        try:
            _start(home, case)
            _walk(home, case)
        except Died:
            pass
        monkeypatch.setattr(Journal, "append", real_append)
        _walk(home, case)  # the resume
        incident = list_incidents(make_env(home))[0]
        got = crashkit.essence(incident)
        if got == expected and crashkit.report_essence(incident) != expected_report:
            got = {**got, "report": "differs"}
        if got != expected:
            failures.append((crash_after, events_of(incident)[crash_after - 1].type, got, expected))
    assert not failures, [
        f"crash after event {n} ({kind}): {_diff(got, exp)}" for n, kind, got, exp in failures
    ]


def _diff(got: dict[str, Any], expected: dict[str, Any]) -> str:
    keys = [k for k in expected if got.get(k) != expected[k]]
    if keys == ["events"] or "events" in keys:
        g = got["events"]
        e = expected["events"]
        i = next(
            (i for i, (a, b) in enumerate(zip(g, e, strict=False)) if a != b), min(len(g), len(e))
        )
        return f"{keys}; first difference at decision {i}: {g[i : i + 1]} != {e[i : i + 1]}"
    return str(keys)
