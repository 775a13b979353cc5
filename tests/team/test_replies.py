"""A reply to each person (issue 20, finding 10): the reply ledger, from `crisis reply` to
status, handoff, log and report."""

from __future__ import annotations

import json
from pathlib import Path

from crisiscli.record.store import find_incident
from tests.conftest import FrozenClock, make_env, run_cli
from tests.helpers import open_incident


def test_the_ledger_keeps_each_person_their_reply_and_what_came_of_it(crisis_home: Path) -> None:
    clock = FrozenClock()
    incident = open_incident(make_env(crisis_home, clock=clock))

    def cli(*args: str):  # type: ignore[no-untyped-def]
        return run_cli(crisis_home, *args, clock=clock)

    assert cli("reply", "add", "--who", "@fly_in_soup", "--platform", "x", "--link",
               "https://x.com/fly_in_soup/status/1").exit_code == 0  # fmt: skip
    assert cli("reply", "add", "--who", "Dana K.", "--platform", "facebook").exit_code == 0
    status = cli("status").stdout
    assert "UNANSWERED: @fly_in_soup on x — crisis reply sent r1" in status
    assert "UNANSWERED: Dana K. on facebook" in status

    # Checked like any message: X's limit refuses a reply that does not fit
    long = cli("reply", "sent", "r1", "--text", "Sorry! " * 60)
    assert long.exit_code != 0 and "cannot go out" in long.stderr
    ok = cli(
        "reply", "sent", "r1", "--text", "Hi Sam, that should never happen. I've sent you a DM."
    )
    assert ok.exit_code == 0, ok.stderr
    assert cli("contact", "add", "--who", "@fly_in_soup", "--channel", "dm", "--outcome",
               "talked").exit_code == 0  # fmt: skip
    assert cli("reply", "done", "r1", "--outcome", "dm", "--contact", "c1").exit_code == 0

    state = find_incident(make_env(crisis_home), incident.id).state()
    first = state.replies["r1"]
    assert first.text is not None and first.text.startswith("Hi Sam")
    assert (first.outcome, first.contact, first.unanswered) == ("dm", "c1", False)
    assert state.replies["r2"].unanswered

    status = cli("status").stdout
    assert "@fly_in_soup" not in status and "UNANSWERED: Dana K." in status
    handoff = cli("handoff").stdout
    assert "Still owed a reply:\n  - Dana K. on facebook (r2)" in handoff
    listed = json.loads(cli("reply", "list", "--json").stdout)
    assert [r["unanswered"] for r in listed] == [False, True]
    log = incident.log_path.read_text(encoding="utf-8")
    assert "Reply r1: moved to direct messages (contact c1)" in log
    report = cli("report", incident.id).stdout
    assert "## A reply to each person" in report
    assert "Dana K. (facebook) — **still unanswered**" in report
