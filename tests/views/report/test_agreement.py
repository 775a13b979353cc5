"""The views agree: for random event sequences, ``log.md``, ``report --format json``,
``status --json`` and ``handoff --json`` say the same about step states, deadlines,
messages, severity and action items — they are all read from one fold."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisiscli.record import events as ev
from crisiscli.record.store import Incident, create_incident
from crisiscli.views.report.render import STATUS_WORDS  # the log's words, and "not reached"
from tests.conftest import FrozenClock, make_env, run_cli
from tests.views.report.support import START, review_playbook

STEPS = ["look", "pause", "apology", "reply", "invite", "updates", "lessons", "close"]
MESSAGE_STEPS = {"apology": ("apology", ["x", "bluesky"]), "updates": ("update", ["x"])}
LEVELS = ["low", "moderate", "high", "critical"]


def _event(draw: Any, n: int) -> ev.NewEvent:
    step = draw(st.sampled_from(STEPS))
    kind = draw(
        st.sampled_from(
            ["enter", "enter", "done", "done", "left", "message", "check", "approve",
             "severity", "action", "action_done", "answer", "close", "reopen", "finish"]
        )
    )  # fmt: skip
    if kind == "enter":
        return ev.step_entered(step, draw(st.sampled_from(["next", "back", "revisit"])))
    if kind == "done":
        return ev.step_done(step)
    if kind == "left":
        how = draw(st.sampled_from(["skipped", "deferred", "not_applicable"]))
        return ev.step_left(how, step, f"because {n}")
    message_step = draw(st.sampled_from(sorted(MESSAGE_STEPS)))
    if kind == "message":
        text = draw(
            st.sampled_from(["We are sorry.", "Update on [topic] at [time].", "Hi {{ x }}"])
        )
        msg_kind, platforms = MESSAGE_STEPS[message_step]
        return ev.message_recorded(message_step, text, platforms, msg_kind)
    if kind == "check":
        errors = draw(st.integers(0, 2))
        override = f"reason {n}" if errors and draw(st.booleans()) else None
        return ev.message_checked(message_step, lengths={}, findings=[], errors=errors,
                                  warnings=0, summary=f"{errors} errors", override=override)  # fmt: skip
    if kind == "approve":
        if draw(st.booleans()):
            return ev.message_approved(message_step, approver="Sam")
        return ev.message_approved(message_step, override=f"nobody reachable {n}")
    if kind == "severity":
        return ev.severity_changed(draw(st.sampled_from(LEVELS)), reason=f"why {n}")
    if kind == "action":
        return ev.action_added(f"A{draw(st.integers(1, 4))}", f"Do thing {n}", owner="dana")
    if kind == "action_done":
        return ev.action_done(f"A{draw(st.integers(1, 4))}")
    if kind == "answer":
        return ev.answer_set("reply", "individual", draw(st.booleans()))
    if kind == "close":
        return ev.incident_closed()
    if kind == "reopen":
        return ev.incident_reopened()
    return ev.run_finished([])


@st.composite
def histories(draw: Any) -> list[tuple[int, ev.NewEvent]]:
    count = draw(st.integers(1, 30))
    return [(draw(st.integers(0, 40)), _event(draw, n)) for n in range(count)]


def _log_steps(log: str, titles: dict[str, str]) -> dict[str, str]:
    found = {}
    for step_id, title in titles.items():
        match = re.search(rf"^- \[[ x]\] {re.escape(title)} — ([a-z ()]+)", log, re.M)
        assert match, (title, log[:2000])
        found[step_id] = match.group(1).strip()
    return found


def _log_messages(log: str, titles: dict[str, str]) -> dict[str, str]:
    if "## Messages" not in log:
        return {}
    part = log.split("## Messages", 1)[1].split("\n## ", 1)[0]
    found = {}
    for step_id, title in titles.items():
        match = re.search(rf"^### {re.escape(title)} — .*?\n\n(?:>.*\n)+\n- (.+)$", part, re.M)
        if match:
            found[step_id] = match.group(1)
    return found


def _check(incident: Incident, clock: FrozenClock) -> None:
    home = incident.env.home
    report = json.loads(
        run_cli(home, "report", incident.id, "--format", "json", clock=clock).stdout
    )
    status = json.loads(run_cli(home, "status", incident.id, "--json", clock=clock).stdout)
    handoff = json.loads(run_cli(home, "handoff", incident.id, "--json", clock=clock).stdout)
    log = incident.log_path.read_text(encoding="utf-8")
    titles = {s.id: s.title for s in review_playbook().steps}

    # severity
    assert report["incident"]["severity"] == status["severity"] == handoff["severity"]
    assert re.search(rf"^\| Severity \| {re.escape(report['incident']['severity'])}\b", log, re.M)
    assert len(report["severity_changes"]) == len(
        [line for line in log.splitlines() if " · Severity changed to " in line]
    )

    # step states
    in_log = _log_steps(log, titles)
    for step in report["steps"]:
        word = (
            "not applicable (condition)" if step["by_condition"] else STATUS_WORDS[step["status"]]
        )
        assert in_log[step["id"]] == word, (step, in_log[step["id"]])
    counts = {k: 0 for k in ("done", "skipped", "deferred", "not_applicable", "active", "pending")}
    for step in report["steps"]:
        key = (
            "pending" if step["status"] == "not_reached" or step["by_condition"] else step["status"]
        )
        counts[key] += 1
    for brief in (status, handoff):
        assert {k: brief["steps"].get(k, 0) for k in counts} == counts

    # deadlines
    open_now = [
        (d["step"], d["state"]) for d in report["deadlines"] if d["state"] in ("open", "overdue")
    ]
    assert [(d["step"], d["state"]) for d in status["deadlines"]] == open_now
    assert [(d["step"], d["state"]) for d in handoff["deadlines"]] == open_now
    log_words = {"met": "met, ", "missed": "missed", "waived": "not needed", "open": "not done yet",
                 "overdue": "not done yet"}  # fmt: skip
    for d in report["deadlines"]:
        line = next(x for x in log.splitlines() if x.startswith(f"- {d['label']} — due "))
        assert log_words[d["state"]] in line.split(" — ")[-1], (d, line)

    # messages: published, dropped or still a draft; approvals still wanted
    in_log = _log_messages(log, titles)
    fate = {
        "published": "Published",
        "dropped": "Never published",
        "draft": "Draft, not published yet",
    }
    for m in report["messages"] + report["drafts"]:
        assert m["published"] == (m["outcome"] == "published")
        assert in_log[m["step"]].startswith(fate[m["outcome"]]), (m["outcome"], in_log[m["step"]])
        assert (m in report["messages"]) == m["sent"]
        if m["check_override"]:
            assert f"Published despite failed checks: {m['check_override']}" in log
    needs_approval = {"apology"}
    waiting = sorted(
        m["step"] for m in report["messages"] + report["drafts"]
        if m["step"] in needs_approval and not m["approver"] and not m["override"]
        and m["outcome"] != "dropped"
    )  # fmt: skip
    assert sorted(a["step"] for a in status["approvals"]) == waiting
    assert sorted(a["step"] for a in handoff["approvals"]) == waiting

    # action items
    open_ids = [a["id"] for a in report["actions"] if not a["done"]]
    assert [a["id"] for a in status["actions"]] == open_ids
    assert [a["id"] for a in handoff["actions"]] == open_ids
    for a in report["actions"]:
        row = next(x for x in log.splitlines() if x.startswith(f"| {a['id']} | "))
        assert row.endswith("| open |") != a["done"], row


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(histories())
def test_log_report_status_and_handoff_agree(history: list[tuple[int, ev.NewEvent]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = FrozenClock(START)
        env = make_env(Path(tmp), clock=clock, actor="dana")
        incident = create_incident(env, review_playbook(), title="Agree", severity="moderate")
        incident.record(ev.input_set("brand", "Acme"))
        for minutes, event in history:
            clock.advance(minutes * 60)
            try:
                incident.record(event)
            except ValueError:
                continue  # a builder's own refusal (nothing recorded)
        clock.advance(timedelta(minutes=5).total_seconds())
        _check(incident, clock)
