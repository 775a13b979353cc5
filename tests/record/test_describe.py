"""One describer (issue 25.4): every sentence about an event comes from
``record/describe.py`` in the playbook's language; every event kind has its words in every
language; a Swedish incident's log, status, watch and handoff say nothing in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crisiscli.i18n import Catalogue, _load, languages
from crisiscli.record import describe as describer
from crisiscli.record import events
from crisiscli.record.journal import Event
from crisiscli.walk import alerts
from tests.conftest import REPO, FrozenClock

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
SAMPLES: dict[Any, list[Any]] = {
    events._text: ["Något hände"],
    events._name: ["s1"],
    events._flag: [True, False],
    events._number: [2],
    events._count: [3],
    events._amount: [600],
    events._names: [["s1", "s2"]],
    events._time: ["2026-11-23T16:00:00+00:00"],
    events._answer: ["ja"],
    events._digest: ["a" * 64],
}
RECORDS = {
    "playbook": {"title": "Klagomål", "id": "complaint-sv"},
    "counts": {k: 1 for k in ("overdue", "deferred", "unfinished", "follow_ups", "approvals", "actions")},
    "from": {"actor": "Maja", "pid": 7, "host": "laptop"},
}  # fmt: skip


def _values(name: str, check: Any) -> list[Any]:
    if check in SAMPLES:
        return SAMPLES[check]
    if check is events._record:
        return [RECORDS.get(name, [{"id": "p1"}])]
    words = check.__closure__[0].cell_contents  # _one_of(...)
    return list(words)


def _samples(kind: str) -> Iterator[dict[str, Any]]:
    """The event with every field it may carry, and each variant of its one-of and yes/no
    fields (the other fields as in the first)."""
    spec = events.SPECS[kind]
    fields = {**spec.required, **spec.optional}
    full = {name: _values(name, check)[0] for name, check in fields.items()}
    yield full
    for name, check in fields.items():
        for value in _values(name, check)[1:]:
            yield {**full, name: value}
    yield {name: full[name] for name in spec.required}


class Spy(Catalogue):
    """A catalogue that notes every key asked of it."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.asked: set[str] = set()

    def t(self, key: str, **values: Any) -> str:
        self.asked.add(key)
        return super().t(key, **values)


class Names:
    def __init__(self, words: Catalogue) -> None:
        self.words = words

    def step_title(self, step_id: str) -> str:
        return f"Steg {step_id}"

    def question_label(self, question_id: str) -> str:
        return f"Fråga {question_id}"

    def answer_label(self, question_id: str, value: Any) -> str:
        return str(value)

    def item_text(self, step_id: str, item_id: str) -> str:
        return f"Punkt {item_id}"

    def time_text(self, ts: datetime) -> str:
        return ts.isoformat()


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("kind", sorted(events.SPECS))
def test_every_event_kind_has_its_words_in_every_language(kind: str, language: str) -> None:
    assert kind in {*describer._DESCRIBERS, *describer._BY_WHOM}, (
        f"{kind} has no sentence (it would read '{kind}: …')"
    )
    own = _load(language)
    for data in _samples(kind):
        spy = Spy(language)
        event = Event("e1", NOW, "Maja", kind, data)
        said = describer.describe(event, Names(spy))
        assert said.strip() and "{" not in said, said
        missing = sorted(k for k in spy.asked if k not in own)
        assert not missing, f"{language} has no words for {missing} ({kind})"


@pytest.mark.parametrize("language", languages())
def test_every_language_has_every_sentence(language: str) -> None:
    english = {k for k in _load("en") if k.startswith(("event.", "notice."))}
    assert not sorted(english - set(_load(language)))


@pytest.mark.parametrize("kind", sorted(alerts.ORDER))
def test_every_notification_has_its_words(kind: str) -> None:
    en = _load("en")
    assert f"notice.{kind}.title" in en and f"notice.{kind}.text" in en
    source = (REPO / "crisiscli" / "walk" / "alerts.py").read_text(encoding="utf-8")
    used = set(re.findall(r"""f\.t\(\s*f?["']([a-z_.]+)["'{]""", source))
    assert "someone" in used  # the words of alerts.py are asked of the catalogue
    missing = sorted(k for k in used if not k.endswith(".") and f"notice.{k}" not in en)
    assert not missing, missing
    assert {"notice.decision.approved", "notice.decision.rejected"} <= set(en)


def test_the_english_words_of_the_views_are_the_describers() -> None:
    """log_sections and the report still name audiences in English from ``events``: the
    same words as the English catalogue."""
    en = _load("en")
    assert {k: en[f"event.audience.{k}"] for k in events.AUDIENCE_WORDS} == events.AUDIENCE_WORDS
    assert {k: en[f"event.sent.{k}"] for k in events.SENT_WORDS} == events.SENT_WORDS
    assert {k: en[f"event.reply.outcome.{k}"] for k in events.REPLY_OUTCOMES} == (
        events.REPLY_OUTCOMES
    )


# -- a Swedish incident, told in Swedish ------------------------------------------------------


def _english_openings() -> list[str]:
    """The fixed words each English event sentence begins with ("Incident opened", "Started
    step", …), where Swedish says it otherwise."""
    en, sv = _load("en"), _load("sv")
    found = []
    for key, text in en.items():
        if not key.startswith(("event.", "notice.")) or sv.get(key) == text:
            continue
        opening = text.split("{")[0].strip(" :—(")
        if len(opening) >= 6 and " " in opening:  # a phrase, not a word like "Paused"
            found.append(opening)
    return found


def test_a_swedish_incident_is_told_in_swedish(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock(NOW)
    script = (REPO / "tests" / "fixtures" / "answers" / "complaint-sv.yaml").read_text("utf-8")
    answers = crisis_home.parent / "answers.yaml"
    answers.write_text(script.replace("close: true", "close: false"), encoding="utf-8")
    started = cli("start", "complaint-sv", "--answers", str(answers), clock=clock)
    assert started.exit_code == 0, started.stderr
    incident = next((crisis_home / "incidents").iterdir()).name
    for args in (
        ("note", "-i", incident, "Kunden har svarat"),
        ("contact", "add", "-i", incident, "--who", "Sara", "--channel", "dm",
         "--outcome", "no-answer", "--follow-up", "2h"),
        ("handoff", incident, "--to", "Erik"),
    ):  # fmt: skip
        done = cli(*args, clock=clock)
        assert done.exit_code == 0, done.stderr
    log = (crisis_home / "incidents" / incident / "log.md").read_text(encoding="utf-8")
    status = cli("status", incident, clock=clock).stdout
    watch = cli("watch", incident, "--once", "--no-notify", clock=clock).stdout
    full_log = cli("log", incident, "--full", clock=clock).stdout
    # the walk-through's approval line (and every view's): what became of the approval
    from crisiscli.i18n import catalogue
    from crisiscli.record.store import Incident
    from crisiscli.walk.approvals import outcome
    from tests.conftest import make_env

    state = Incident(incident, crisis_home / "incidents" / incident, make_env(crisis_home)).state()
    said = [outcome(m, catalogue("sv")) for m in state.messages.values() if m.approver]
    assert said and all(s.startswith("godkänt av") for s in said), said
    assert "Incident öppnad: Trasig leverans delas brett" in log
    assert "Började steget:" in log and "Klart:" in log
    timeline = log.partition("## Timeline")[2]
    assert timeline.strip()
    shown_texts = (
        ("log.md", timeline),
        ("status", status),
        ("watch", watch),
        ("log", full_log.partition("## Timeline")[2]),
    )
    for shown, text in shown_texts:
        english = [o for o in _english_openings() if o in text]
        assert not english, f"{shown} says in English: {english}"


def test_a_swedish_incidents_notifications_are_in_swedish(crisis_home: Path) -> None:
    from crisiscli.playbook.catalog import bundled_dir
    from crisiscli.playbook.load import load_playbook
    from crisiscli.record import events as ev
    from crisiscli.record.store import create_incident
    from tests.conftest import make_env

    env = make_env(crisis_home, clock=FrozenClock(NOW))
    book = load_playbook(bundled_dir() / "complaint-sv.yaml")
    incident = create_incident(env, book, title="Sen leverans", severity="moderate")
    incident.record(ev.severity_changed("high", was="moderate", reason="Pressen ringer"))
    incident.record(ev.handoff_recorded("brief", {"follow_ups": 1}, to="Erik"))
    told = alerts.alerts(incident.id, incident.state(), book, NOW)
    said = " ".join(f"{n.title} {n.text}" for n in told)
    assert "Incident öppnad: Sen leverans" in said and "Allvarlighet nu hög (var måttlig)" in said
    assert "Överlämning från" in said and "1 uppföljning(ar) att göra" in said
    english = [o for o in _english_openings() if o in said]
    assert not english, english


def test_english_openings_are_found() -> None:
    openings = _english_openings()
    assert "Incident opened" in openings and "Started step" in openings


def test_an_incident_opened_before_the_language_was_recorded_asks_its_playbook(
    cli,
    crisis_home: Path,  # type: ignore[no-untyped-def]
) -> None:
    """Journals written before crisis named the language in ``incident.opened``: the log,
    rebuilt from them, speaks the playbook snapshot's language."""
    clock = FrozenClock(NOW)
    script = (REPO / "tests" / "fixtures" / "answers" / "complaint-sv.yaml").read_text("utf-8")
    answers = crisis_home.parent / "answers.yaml"
    answers.write_text(script.replace("close: true", "close: false"), encoding="utf-8")
    assert cli("start", "complaint-sv", "--answers", str(answers), clock=clock).exit_code == 0
    folder = next((crisis_home / "incidents").iterdir())
    journal = folder / "journal.jsonl"
    old = journal.read_text(encoding="utf-8").replace(',"language":"sv"', "", 1)
    assert '"language"' not in old.splitlines()[0]
    journal.write_text(old, encoding="utf-8")
    rebuilt = cli("log", folder.name, "--rebuild", "--full", clock=clock)
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert "Incident öppnad: Trasig leverans delas brett" in rebuilt.stdout
    assert "Incident opened" not in rebuilt.stdout


# -- sentences read as a person would ---------------------------------------------------------


def _said(kind: str, data: dict[str, Any], language: str = "en", actor: str = "Ana") -> str:
    return describer.describe(Event("e1", NOW, actor, kind, data), Names(Catalogue(language)))


def test_a_kept_draft_says_what_was_kept_and_how_long() -> None:
    """The draft sentence was once its field's name alone ("note")."""
    kept = {"field": "note", "key": "s1", "text": "three short words"}
    assert _said("draft.kept", kept) == "Draft of a note kept, not recorded (3 words)"
    assert _said("draft.dropped", kept) == "Draft of a note done with"
    assert _said("draft.kept", kept, "sv") == "Utkast till anteckning sparat, inte bokfört (3 ord)"


def test_the_walker_is_a_person_not_a_process_on_a_host() -> None:
    """The timeline of log.md and of the report (and its public version) names who walks:
    the pid and the machine's name are the lease's business, not a post-mortem's."""
    where = {"lease": "L1", "pid": 4242, "host": "anas-laptop.local", "tty": "/dev/pts/3"}
    started = _said("walker.started", where)
    taken = _said(
        "walker.taken_over", {**where, "from": {"actor": "Bo", "pid": 7, "host": "bo-pc"}}
    )
    assert started == "Ana started walking the incident"
    assert taken == "Ana took over the walk-through from Bo"
    sv = _said("walker.started", where, "sv")
    assert sv == "Ana började gå igenom incidenten"
    for line in (started, taken, sv):
        assert not any(x in line for x in ("4242", "anas-laptop", "bo-pc", "pts", "pid"))


def test_the_impact_marks_are_told_in_the_playbooks_language() -> None:
    both = {"started": "2026-11-23T13:50:00+00:00", "detected": "2026-11-23T14:25:00+00:00"}
    assert _said("impact.recorded", both) == (
        "Impact began 2026-11-23T13:50:00+00:00; noticed 2026-11-23T14:25:00+00:00"
    )
    asked = {"started": both["started"], "by_question": "impact-start"}
    assert _said("impact.recorded", asked, "sv") == (
        "Påverkan började 2026-11-23T13:50:00+00:00, av svaret på ”Fråga impact-start”"
    )
    assert _said("impact.recorded", {"detected": both["detected"], "note": "x"}) == (
        "Noticed 2026-11-23T14:25:00+00:00 — x"
    )


def test_a_yes_or_no_answer_is_said_in_the_language() -> None:
    """A Swedish timeline said "Har någon hotat personalen? → no"."""
    no = {"step": "s1", "question": "threat", "value": False}
    assert _said("answer.set", no, "sv") == "Fråga threat → nej"
    assert _said("answer.set", {**no, "value": True}) == "Fråga threat → yes"
