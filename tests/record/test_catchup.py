"""The incremental fold: a checkpoint plus the new lines is the same as a full replay.

Each case changes the journal the way the world does (another writer, a crash, a git
merge, a hand edit, a wrong clock) and checks that the state a command folds is the state
a full replay gives, and that a checkpoint is only ever a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscli.record import checkpoint as cp
from crisiscli.record import events as ev
from crisiscli.record import fold
from crisiscli.record.catchup import catch_up
from crisiscli.record.store import JOURNAL, Incident, find_incident, list_incidents
from tests.conftest import FrozenClock, make_env, run_cli
from tests.helpers import append_raw, open_incident


def _fresh(incident: Incident) -> Incident:
    """The same incident as another process would see it (no memory of this one)."""
    return find_incident(
        make_env(incident.dir.parent.parent, clock=incident.env.clock), incident.id
    )  # type: ignore[arg-type]


def differences(a: object, b: object, where: str = "state") -> list[str]:
    """Where two fold values differ, field by field on the objects themselves.

    Written apart from the checkpoint's codec on purpose: it reads every slot and every
    NamedTuple field the classes have, so a field the checkpoint forgot shows here."""
    if type(a) is not type(b):
        return [f"{where}: {type(a).__name__} != {type(b).__name__}"]
    if isinstance(a, tuple) and hasattr(a, "_fields"):
        names: list[str] = list(a._fields)
    elif hasattr(type(a), "__slots__"):
        names = [n for klass in type(a).__mro__ for n in getattr(klass, "__slots__", ())]
    else:
        names = []
    if names:
        found = []
        for name in names:
            found += differences(getattr(a, name), getattr(b, name), f"{where}.{name}")
        return found
    if isinstance(a, dict):
        assert isinstance(b, dict)
        if list(a) != list(b):
            return [f"{where}: keys {list(a)} != {list(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{where}[{k!r}]")]
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple))
        if len(a) != len(b):
            return [f"{where}: {len(a)} items != {len(b)}"]
        return [
            d
            for n, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{where}[{n}]")
        ]
    if isinstance(a, datetime):
        assert isinstance(b, datetime)
        same = a == b and a.utcoffset() == b.utcoffset()
        return [] if same else [f"{where}: {a!r} != {b!r}"]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def _same(a: Incident, b: Incident) -> None:
    assert differences(a.state(), b.replay(history=False)) == []


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))


@pytest.fixture
def incident(crisis_home: Path, clock: FrozenClock) -> Incident:
    inc = open_incident(make_env(crisis_home, clock=clock))
    inc.record(ev.note_added("first"))
    return inc


def test_a_second_process_folds_only_the_new_lines(incident: Incident, clock: FrozenClock) -> None:
    other = _fresh(incident)
    assert other.state().note_count == 1
    clock.advance(1)
    incident.record(ev.note_added("second"))
    checkpoint = cp.load(incident.dir)
    assert checkpoint is not None
    appended = incident.journal.read_from(checkpoint.position.offset)
    assert appended == b""  # the writer's checkpoint covers its own event
    clock.advance(1)
    append_raw(incident, "note.added", {"text": "from a tool that keeps no checkpoint"})
    caught = catch_up(other.journal, cp.load(other.dir), other._context(None))
    assert not caught.replayed and [e.text for e in caught.entries] == [
        "Note: from a tool that keeps no checkpoint"
    ]
    _same(_fresh(incident), incident)


def test_a_journal_that_shrank_or_was_replaced_is_replayed(incident: Incident) -> None:
    incident.record(ev.note_added("second"))
    path = incident.dir / JOURNAL
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))  # shrank (a hand edit, a restore)
    fresh = _fresh(incident)
    assert [n.text for n in fresh.state().notes] == ["first"]
    # Replaced by a file of the same size but other content (git checkout writes a new file).
    other = lines[-2].replace(b"first", b"FIRST")
    path.write_bytes(b"".join(lines[:-2]) + other)
    assert [n.text for n in _fresh(incident).state().notes] == ["FIRST"]


def test_older_events_arriving_later_are_put_in_their_place(
    incident: Incident, clock: FrozenClock
) -> None:
    """A merge appends a teammate's events that happened before ours: full replay, in order."""
    clock.advance(600)
    incident.record(ev.note_added("mine, later"))
    earlier = (clock.now - timedelta(seconds=300)).isoformat()
    line = {"v": 1, "id": "a" * 32, "ts": earlier, "actor": "dana", "type": "note.added",
            "data": {"text": "hers, earlier"}}  # fmt: skip
    with (incident.dir / JOURNAL).open("a") as out:
        out.write(json.dumps(line) + "\n")
    state = _fresh(incident).state()
    assert [n.text for n in state.notes] == ["first", "hers, earlier", "mine, later"]
    log = run_cli(incident.dir.parent.parent, "log", incident.id).stdout
    assert log.index("hers, earlier") < log.index("mine, later")


def test_a_checkpoint_is_only_a_cache(incident: Incident) -> None:
    expected = incident.state()
    (incident.dir / cp.CHECKPOINT).unlink()
    assert differences(_fresh(incident).state(), expected) == []
    (incident.dir / cp.CHECKPOINT).write_text('{"format": 1, "state": "garbage"')
    assert differences(_fresh(incident).state(), expected) == []
    (incident.dir / cp.CHECKPOINT).write_bytes(os.urandom(2000))
    assert differences(_fresh(incident).state(), expected) == []


def test_a_kill_between_append_and_checkpoint_loses_nothing(
    incident: Incident, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event is durable; the log and caches are not written (killed); the next command
    folds the event and brings log.md up to date."""
    clock.advance(1)

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit(137)

    monkeypatch.setattr(Incident, "_refresh_derived", killed)
    with pytest.raises(SystemExit):
        incident.record(ev.note_added("acknowledged, then killed"))
    monkeypatch.undo()
    home = incident.dir.parent.parent
    assert "acknowledged, then killed" not in (incident.dir / "log.md").read_text()
    assert run_cli(home, "note", "next", "--incident", incident.id).exit_code == 0
    log = (incident.dir / "log.md").read_text()
    assert log.index("acknowledged, then killed") < log.index("Note: next")


def test_a_reader_between_a_crash_and_the_next_writer(
    incident: Incident, clock: FrozenClock
) -> None:
    """status folds a line no writer showed to log.md; the next writer still adds it."""
    append_raw(incident, "note.added", {"text": "written by a writer that died"}, actor="tester")
    home = incident.dir.parent.parent
    assert run_cli(home, "status").exit_code == 0  # saves a checkpoint past that line
    assert run_cli(home, "note", "after", "--incident", incident.id).exit_code == 0
    log = (incident.dir / "log.md").read_text()
    assert "written by a writer that died" in log and "Note: after" in log


def test_an_event_stamped_a_year_ahead_waits_and_is_not_copied(
    incident: Incident, clock: FrozenClock
) -> None:
    future = (clock.now + timedelta(days=365)).isoformat()
    line = {"v": 1, "id": "f" * 32, "ts": future, "actor": "dana", "type": "note.added",
            "data": {"text": "from a clock a year ahead"}}  # fmt: skip
    with (incident.dir / JOURNAL).open("a") as out:
        out.write(json.dumps(line) + "\n")
    clock.advance(60)
    incident.record(ev.note_added("now"))
    state = _fresh(incident).state()
    assert [n.text for n in state.notes] == ["first", "now"]
    now_event = [json.loads(x) for x in (incident.dir / JOURNAL).read_text().splitlines()][-1]
    assert now_event["ts"].startswith("2026-11-23T15:01")  # the real time, not the future one
    assert any("ahead of this machine's clock" in w for w in incident.env.warnings)
    # A year later the event is folded in its place.
    clock.advance(366 * 86400)
    later = _fresh(incident)
    assert [n.text for n in later.state().notes][-1] == "from a clock a year ahead"
    _same(later, later)


@pytest.mark.parametrize(
    "line",
    [
        {"ts": "9999-12-31T23:59:59.999999+00:00", "type": "note.added", "data": {"text": "x"}},
        {"ts": "0001-01-01T00:00:00+05:00", "type": "note.added", "data": {"text": "x"}},
        {"type": "answer.set", "data": {"step": "look", "question": "reach", "value": [{"a": 1}]}},
        {"type": "step.done", "data": {"step": "no-such-step"}},
        {"type": "note.added", "data": {"text": "x", "deep": "DEEP"}},
        {"type": "from.a.newer.crisis", "data": {}},
    ],
    ids=[
        "year-9999",
        "year-1-offset",
        "answer-of-mappings",
        "unknown-step",
        "deep",
        "unknown-type",
    ],
)
def test_lines_that_do_not_fit_are_left_out_with_a_located_warning(
    incident: Incident, line: dict[str, object]
) -> None:
    record = {"v": 1, "id": "b" * 32, "ts": incident.env.clock().isoformat(), "actor": "x", **line}
    text = json.dumps(record).replace('"DEEP"', "[" * 1100 + "]" * 1100)  # one line, 1,100 deep
    with (incident.dir / JOURNAL).open("a") as out:
        out.write(text + "\n")
    home = incident.dir.parent.parent
    first = run_cli(home, "status", "--json")
    assert first.exit_code == 0 and f"{JOURNAL}:3: skipped " in first.stderr  # located
    for args in (("status", "--json"), ("list",), ("log", incident.id), ("report", incident.id)):
        result = run_cli(home, *args)
        assert result.exit_code == 0, (args, result.stderr)
    state = _fresh(incident).state()
    assert state.quarantined and state.quarantined[0].line == 3
    assert state.note_count == 1 and not state.finished
    shown = json.loads(run_cli(home, "status", "--json").stdout)
    assert shown["left_out"][0]["line"] == 3  # said every time, not only the first
    assert "line 3:" in run_cli(home, "log", incident.id).stdout


def test_a_resumed_walk_through_is_not_ended_by_a_step_the_playbook_lacks(
    incident: Incident, tmp_path: Path
) -> None:
    from tests.helpers import answers_from, run_script

    append_raw(incident, "step.entered", {"step": "ghost", "via": "next"})
    append_raw(incident, "step.done", {"step": "ghost"})
    summary = run_script(
        _fresh(incident),
        answers_from(
            tmp_path,
            {
                "inputs": {"brand": "A", "source": "ours"},
                "steps": {"look": {"answers": {"reach": "isolated", "threat": False}}},
                "default": "done",
            },
        ),
    )
    state = _fresh(incident).state()
    assert summary.status == "complete"
    assert sum(1 for s in state.steps.values() if s.status == "done") >= 3


# -- incremental == full, for any sequence and any split -----------------------------------

NOTES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
EVENTS = st.lists(
    st.one_of(
        NOTES.map(lambda t: ev.note_added(t)),
        st.sampled_from(["look", "statement", "reply", "lessons"]).map(
            lambda s: ev.step_entered(s, "next")
        ),
        st.tuples(  # every way in, and what brought a deferred step back (the recall turns)
            st.sampled_from(["look", "statement"]),
            st.sampled_from(
                [("back", ""), ("revisit", ""), ("aside", ""), ("return", ""), ("recall", "")]
                + [("recall", why) for why in ("deadline", "overdue", "phase")]
            ),
        ).map(lambda t: ev.step_entered(t[0], *t[1])),
        st.sampled_from(["look", "statement", "reply"]).map(lambda s: ev.step_done(s)),
        st.sampled_from(["look", "statement"]).map(lambda s: ev.step_left("deferred", s, "later")),
        st.sampled_from(["moderate", "high", "low"]).map(
            lambda lv: ev.severity_changed(lv, reason="re-graded")
        ),
        NOTES.map(lambda t: ev.action_added("A1", t, owner="Dana")),
        st.just(ev.action_done("A1")),
        st.just(ev.session("paused")),
        st.just(ev.session("resumed")),
        st.sampled_from(["statement", "reply"]).map(
            lambda s: ev.message_recorded(s, "We are on it.", ["x"], "statement")
        ),
        st.integers(1, 90).map(
            lambda m: ev.update_promised(
                "statement",
                datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc) + timedelta(minutes=m),
            )
        ),
        st.sampled_from(["k1", "k2"]).map(
            lambda k: ev.notify_claimed(
                k, "webhook:ab", kind="handoff", attempt=1, text="t", label="l"
            )
        ),
        st.sampled_from(["k1", "k2"]).map(
            lambda k: ev.notify_delivered(k, "webhook:ab", attempt=1, label="l")
        ),
        st.sampled_from(["k1", "k2"]).map(
            lambda k: ev.notify_failed(
                k, "webhook:ab", attempt=1, error="down", final=False, label="l"
            )
        ),
        st.sampled_from(["look", "statement"]).map(lambda s: ev.item_ticked(s, "a")),
        st.sampled_from(["brand", "source"]).map(lambda q: ev.input_set(q, q.upper())),
        st.sampled_from([True, False]).map(lambda v: ev.answer_set("look", "threat", v)),
        st.sampled_from(["lead", "approver"]).map(lambda r: ev.role_assigned(r, "Dana")),
        st.just(ev.handoff_recorded("All calm.", {"open": 2}, to="Sam")),
        st.sampled_from(["C1", "C2"]).map(
            lambda c: ev.contact_logged(
                c,
                "@someone",
                "dm",
                "reached",
                follow_up_due=datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc),
            )
        ),
        st.sampled_from(["C1", "C2"]).map(ev.contact_followed_up),
        st.integers(1, 500).map(lambda n: ev.mentions_recorded(n, baseline=40.0)),
        st.just(ev.evidence_linked("https://example.org/post", note="screenshot")),
        st.sampled_from([True, False]).map(lambda met: ev.exit_checked(1, "Calm", met)),
        st.just(ev.incident_closed("over")),
        st.just(ev.incident_reopened()),
        st.just(ev.walker_started("L1", pid=42, host="here", tty="pts/1")),
        st.just(ev.run_finished(["statement"])),
        st.just(
            ev.queue_imported(
                "export.csv",
                [{"id": "p1", "due": "2026-11-23T18:00:00+00:00", "text": "Sale!"}],
                preset="generic",
                hours=24.0,
                window=(
                    datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc),
                    datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc),
                ),
                rows=1,
                encoding="utf-8",
                delimiter=",",
                columns={},
                past=0,
                later=0,
            )
        ),
        st.just(ev.queue_decided("p1", "cancel", "tone-deaf now")),
        st.just(
            ev.approval_requested(
                "statement",
                "Sam",
                text="We are on it.",
                digest=hashlib.sha256(b"We are on it.").hexdigest(),
                platforms=["x"],
                escalate_after=600.0,
                backup="Kim",
            )
        ),
        st.sampled_from(["approve", "reject"]).map(
            lambda d: ev.approval_decided(
                "statement",
                d,
                digest=hashlib.sha256(b"We are on it.").hexdigest(),
                approver="Sam",
                comment="ok",
            )
        ),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(events=EVENTS, cuts=st.lists(st.integers(0, 25), max_size=4))
def test_any_split_folds_to_the_full_replay(
    events: list[ev.NewEvent], cuts: list[int], crisis_home: Path
) -> None:
    clock = FrozenClock()
    env = make_env(crisis_home, clock=clock)
    for old in list_incidents(env):
        import shutil

        shutil.rmtree(old.dir)
    incident = open_incident(env)
    readers = []
    for n, event in enumerate(events):
        clock.advance(1)
        incident.record(event)
        if n in cuts:  # another process folds at this point and keeps its checkpoint
            readers.append(_fresh(incident))
            readers[-1].state()
    full = _fresh(incident).replay(history=False)
    for reader in readers:  # each catches up from the checkpoint it kept, field by field
        kept = reader._checkpoint
        assert kept is not None
        caught = catch_up(reader.journal, kept, reader._context(reader.tz()))
        assert not caught.replayed
        assert differences(caught.state, full) == []
    # ... and from the checkpoint on disk, through JSON, in a process that kept nothing.
    on_disk = cp.load(incident.dir)
    assert on_disk is not None and differences(on_disk.state, full) == []
    for reader in [*readers, _fresh(incident)]:
        _same(reader, incident)
    with_history = _fresh(incident).replay(history=True)
    assert with_history.history is not None
    assert len(with_history.history.timeline) == with_history.event_count


# -- the checkpoint keeps every field of the state, by name ------------------------------


class _NotedState(fold.IncidentState):
    """The issue's three-line patch: a new field that the fold keeps up to date."""

    __slots__ = ("last_note_text",)

    def __init__(self, *args: Any, last_note_text: str | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.last_note_text = last_note_text

    def apply(self, event: ev.Event) -> None:
        super().apply(event)
        if event.type == "note.added":
            self.last_note_text = event.data["text"]


@pytest.fixture
def fresh_codec(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The codec is built once per process: build it again around a patched fold."""
    monkeypatch.setattr(cp, "_CODEC", [], raising=False)
    yield
    getattr(cp, "_CODEC", []).clear()


def test_a_field_added_to_the_state_is_kept_without_touching_the_checkpoint(
    crisis_home: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, fresh_codec: None
) -> None:
    import crisiscli.record.catchup as catchup_module

    monkeypatch.setattr(fold, "IncidentState", _NotedState)
    monkeypatch.setattr(catchup_module, "IncidentState", _NotedState)
    incident = open_incident(make_env(crisis_home, clock=clock))
    incident.record(ev.note_added("first"))
    reader = _fresh(incident)
    assert reader.state().last_note_text == "first"  # type: ignore[attr-defined]
    clock.advance(1)
    incident.record(ev.note_added("second"))
    loaded = cp.load(reader.dir)
    assert loaded is not None and "last_note_text" in cp.state_codec().fields["IncidentState"]
    caught = catch_up(reader.journal, loaded, reader._context(reader.tz()))
    assert not caught.replayed
    assert caught.state.last_note_text == "second"  # type: ignore[attr-defined]
    assert differences(caught.state, incident.replay(history=False)) == []


def test_the_comparison_sees_a_field_that_differs() -> None:
    """The field-by-field comparison is what would catch a field the checkpoint dropped."""
    a, b = _NotedState(title="t"), _NotedState(title="t")
    assert differences(a, b) == []
    b.last_note_text = "only in one"
    assert differences(a, b) == ["state.last_note_text: NoneType != str"]
    b = _NotedState(title="t", steps={"look": fold.StepState(visits=2)})
    assert differences(a, b) == ["state.steps: keys [] != ['look']"]


def test_a_field_the_checkpoint_cannot_keep_fails_loudly(
    incident: Incident, monkeypatch: pytest.MonkeyPatch, fresh_codec: None
) -> None:
    class Odd(fold.IncidentState):
        __slots__ = ("odd",)

        def __init__(self, *args: Any, odd: complex = 0j, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self.odd = odd

    monkeypatch.setattr(fold, "IncidentState", Odd)
    with pytest.raises(TypeError, match=r"cannot keep IncidentState\.odd"):
        cp.state_codec()
    with pytest.raises(TypeError, match=r"cannot keep IncidentState\.odd"):
        cp.load(incident.dir)  # not taken for a damaged file and silently replayed

    class Unannotated(fold.IncidentState):
        __slots__ = ("set_elsewhere",)

    monkeypatch.setattr(fold, "IncidentState", Unannotated)
    getattr(cp, "_CODEC", []).clear()
    with pytest.raises(TypeError, match="set_elsewhere"):
        cp.state_codec()


def test_a_checkpoint_of_an_older_format_is_discarded_and_rebuilt(incident: Incident) -> None:
    path = incident.dir / cp.CHECKPOINT
    incident.state()
    data = json.loads(path.read_text())
    assert data["format"] == cp.FORMAT == 3
    positional = {**data, "format": 1, "state": {"title": "by position", "steps": {}}}
    path.write_text(json.dumps(positional))
    assert cp.load(incident.dir) is None
    assert differences(_fresh(incident).state(), incident.replay(history=False)) == []
    assert json.loads(path.read_text())["format"] == 3  # written again, in today's format
    # A checkpoint of this format whose classes had other fields is discarded too.
    shifted = {**data, "fields": {**data["fields"], "StepState": ["status", "checked"]}}
    path.write_text(json.dumps(shifted))
    assert cp.load(incident.dir) is None
    assert differences(_fresh(incident).state(), incident.replay(history=False)) == []


def _ahead(incident: Incident, clock: FrozenClock, count: int, *, hours: float = 3) -> None:
    """``count`` notes from Bo, whose clock runs ``hours`` ahead, as a sync brings them."""
    start = clock.now + timedelta(hours=hours)
    with (incident.dir / JOURNAL).open("a") as out:
        for i in range(count):
            line = {"v": 1, "id": f"{i:032x}", "ts": (start + timedelta(seconds=i)).isoformat(),
                    "actor": "bo", "type": "note.added", "data": {"text": f"ahead {i}"}}  # fmt: skip
            out.write(json.dumps(line) + "\n")


def test_events_from_a_clock_ahead_are_said_once_per_command_while_they_wait(
    crisis_home: Path, incident: Incident, clock: FrozenClock
) -> None:
    """Issue 23: one warning per event was quadratic (env.warn searched a list) and was said
    only by the first command; the events then stayed out of every view without a word."""
    _ahead(incident, clock, 3000)
    clock.advance(60)
    first = run_cli(crisis_home, "log", incident.id, "--rebuild", clock=clock)
    assert first.exit_code == 0
    said = [line for line in first.stderr.splitlines() if "ahead of this machine's clock" in line]
    assert len(said) == 1, first.stderr[:500]
    assert "3000 events" in said[0] and "bo" in said[0]
    for command in (("status", incident.id), ("note", "later", "--incident", incident.id)):
        again = run_cli(crisis_home, *command, clock=clock)
        assert again.exit_code == 0
        assert sum("ahead of this machine's clock" in x for x in again.stderr.splitlines()) == 1
    # Once their time has come they are in every view, and the command that shows them
    # first says they waited.
    clock.advance(4 * 3600)
    after = run_cli(crisis_home, "log", incident.id, clock=clock)
    assert "ahead 2999" in after.stdout
    assert "ahead of this machine's clock" not in after.stderr
    assert "3000 events from bo that waited" in after.stderr, after.stderr
    quiet = run_cli(crisis_home, "status", incident.id, clock=clock)
    assert "waited" not in quiet.stderr


def test_the_checkpoint_keeps_audience_and_no_incident(
    crisis_home: Path, clock: FrozenClock
) -> None:
    """Issue 20: a message's audience and an answer that says "no incident" survive the
    checkpoint (encoded by position and by key), and a later answer undoes "no incident"."""
    incident = open_incident(make_env(crisis_home, clock=clock))
    incident.record(
        ev.message_recorded("look", "Brief", [], "internal", "press"),
        ev.answer_set("look", "reach", "isolated", no_incident=True),
    )
    codec = cp.state_codec()
    decoded = codec.decode(json.loads(json.dumps(codec.encode(incident.state()))))
    assert decoded.messages["look"].audience == "press" and decoded.routine
    _same(incident, _fresh(incident))
    incident.record(ev.answer_set("look", "reach", "wide"))
    assert not _fresh(incident).state().routine
    _same(incident, _fresh(incident))
