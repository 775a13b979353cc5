"""Issue 21: --redact keeps its promise. For any people the journal knows — whoever records
events, role holders, approvers, handoff recipients, contacts, people in the reply ledger,
action owners — and any
@handles, e-mail addresses and phone numbers written in it, none survives in the md, html or
json report, wherever the journal put it (contact notes, notes, messages, handoff briefs,
reasons, action items, the timeline)."""

from __future__ import annotations

import re
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crisiscli.record.events import NewEvent
from crisiscli.record.store import create_incident
from crisiscli.views.report.model import build_report
from crisiscli.views.report.render import render
from tests.conftest import FrozenClock, make_env
from tests.views.report.support import review_playbook

START = datetime(2026, 11, 27, 19, 0, tzinfo=timezone.utc)
# Words without vowels never occur in the report's own English: a survivor is a leak.
word = st.text("bcdfghjklmnpqrstvwxz", min_size=3, max_size=7).map(lambda w: w.capitalize())
person = st.tuples(word, word).map(" ".join)
handle = st.text("bcdfghjklmnpqrstvwxz0123456789_", min_size=4, max_size=12).map(lambda h: "@q" + h)
email = st.tuples(
    st.text("bcdfghjklmnpqrstvwxz.", min_size=2, max_size=10).map(lambda s: "q" + s.strip(".")),
    st.sampled_from(["example.net", "mail.example.org", "corp.example.co.uk"]),
).map(lambda t: f"{t[0]}@{t[1]}")
phone = st.tuples(
    st.sampled_from(["+46 70 ", "+1 (555) ", "07", "+44 20 "]),
    st.text("0123456789", min_size=3, max_size=3),
    st.sampled_from([" ", "-", "."]),
    st.text("0123456789", min_size=4, max_size=4),
).map("".join)


def record_incident(home: Path, people: list[str], handles: list[str], emails: list[str], phones: list[str]) -> Any:  # fmt: skip
    """An incident whose journal knows ``people`` in every place a person can be."""
    clock = FrozenClock(START)
    env = make_env(home, clock=clock, actor=people[0])
    title = f"Complaint from {people[-1]}"  # the incident's id is made from its title
    incident = create_incident(env, review_playbook(), title=title, severity="high")
    minute = [0]

    def at(event: str, actor: str | None = None, **data: Any) -> None:
        minute[0] += 1
        clock.now = START + timedelta(minutes=minute[0])
        incident.env.actor = actor or people[0]
        incident.record(NewEvent(event, data))

    a, b, c, d, e = (people * 5)[:5]
    f = people[-1] if len(people) > 5 else " ".join(reversed(people[-1].split()))
    contact = f"{d} ({emails[0]}, {phones[0]}) wrote as {handles[0]}"
    at("role.assigned", role="approver", person=b)
    at("note.added", text=f"{c} and {a} on it; {b} approves; ping {handles[-1]}", actor=c)
    at("step.entered", step="apology", via="next")
    at("message.recorded", step="apology", kind="apology", platforms=["x"],
       text=f"Hi {d.split()[0]}, we're sorry. Write to {emails[-1]} or call {phones[-1]}.")  # fmt: skip
    at("message.approved", step="apology", approver=b)
    at("step.done", step="apology")
    at("contact.logged", id="c1", who=d, channel="phone", outcome="talked", note=contact)
    at("reply.person", id="r1", who=f, platform="x", link="https://x.com/q/status/1")
    at("reply.sent", id="r1", text=f"Thanks {f}, we are on it.")
    at("handoff.recorded", to=e, brief=f"{d} may call back on {phones[0]}; {e} takes over")
    at("action.added", id="A1", text=f"{c} to brief legal", owner=c, due="2026-12-01")
    at("step.skipped", step="updates", reason=f"{a} said no update was needed", actor=a)
    at("incident.closed", summary=f"Resolved with {d} by phone")
    return incident, clock


_BOILERPLATE: set[str] = set()


def boilerplate() -> set[str]:
    """Every word the report writes of its own (markup, CSS, labels), in lower case."""
    if not _BOILERPLATE:
        with tempfile.TemporaryDirectory() as tmp:
            incident, clock = record_incident(
                Path(tmp), ["Anna Berg", "Bo Ek"], ["@ab"], ["a@example.net"], ["+46 70 111 22 33"]
            )
            state = incident.replay(history=True)
            model = build_report(state, incident.playbook(), incident.id, now=clock.now,
                                 tz=timezone.utc, zone_name="UTC")  # fmt: skip
            for fmt in ("md", "html", "json"):
                _BOILERPLATE.update(w.lower() for w in re.findall(r"\w+", render(model, fmt)))
    return _BOILERPLATE


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    people=st.lists(person, min_size=1, max_size=5, unique=True),
    handles=st.lists(handle, min_size=1, max_size=3, unique=True),
    emails=st.lists(email, min_size=1, max_size=2, unique=True),
    phones=st.lists(phone, min_size=1, max_size=2, unique=True),
)
def test_nobody_the_journal_knows_survives_in_any_format(
    people: list[str], handles: list[str], emails: list[str], phones: list[str]
) -> None:
    people = [*people, " ".join(reversed(people[-1].split()))]  # only in the reply ledger
    people = list(dict.fromkeys(people))
    words = {w.lower() for name in people for w in name.split()}
    assume(not words & boilerplate())  # "Svg", "Xmlns": words the report itself writes
    with tempfile.TemporaryDirectory() as tmp:
        incident, clock = record_incident(Path(tmp), people, handles, emails, phones)
        state = incident.replay(history=True)
        model = build_report(
            state, incident.playbook(), incident.id, now=clock.now, tz=timezone.utc,
            zone_name="UTC", redact=True,
        )  # fmt: skip
        for fmt in ("md", "html", "json"):
            shown = render(model, fmt)
            for name in people:
                for part in (name, *name.split(), name.replace(" ", "-")):
                    # any case: the incident's id is its title's words in lower case
                    found = re.search(rf"(?<!\w){re.escape(part)}(?!\w)", shown, re.I)
                    assert found is None, (fmt, part, shown[found.start() - 60 : found.end() + 20])
            for secret in (*handles, *emails, *phones):
                assert secret.casefold() not in shown.casefold(), (fmt, secret)
