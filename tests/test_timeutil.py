"""One grammar for time (issue 25.3): the playbook schema, the playbook loader, the config,
``--sync``, ``--follow-up``/``--to`` and the walk-through's prompt read durations and clock
times with one parser and refuse them with one sentence; the local zone follows DST."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscli.config import check_value
from crisiscli.errors import PlaybookError, UsageError
from crisiscli.moments import PAST_HELP, local_zone, parse_past, parse_when
from crisiscli.playbook.schema import playbook_schema
from crisiscli.record.autosync import wanted_interval
from crisiscli.timeutil import (
    DURATION_EXAMPLES,
    DURATION_HELP,
    MAX_DURATION_SECONDS,
    duration_text,
    format_duration,
    not_a_duration,
    parse_clock,
    parse_duration,
)
from tests.conftest import make_env
from tests.helpers import load_playbook_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
UTC = timezone.utc

# Text that looks like a duration, and text that nearly does: units, spaces, digits of
# other scripts, capitals, tabs.
duration_like = st.lists(
    st.sampled_from(
        [*"0123456789", "0", "1", "d", "h", "m", "s", "min", " ", "\t", "M", "H", "١", "٠", "x"]
    ),
    max_size=10,
).map("".join)


def _schema_duration_pattern() -> str:
    """The duration pattern the JSON Schema gives editors and CI (``due``'s first form)."""
    schema = playbook_schema()
    found: set[str] = set()

    def visit(node: Any) -> Iterator[None]:
        if isinstance(node, dict):
            if node.get("type") == "string" and "(?=[^1-9]*[1-9])" in str(node.get("pattern", "")):
                found.add(node["pattern"])
            for value in node.values():
                yield from visit(value)
        elif isinstance(node, list):
            for value in node:
                yield from visit(value)

    list(visit(schema))
    assert len(found) == 1, found  # one pattern for every duration key
    return found.pop()


SCHEMA_PATTERN = re.compile(_schema_duration_pattern())


@given(duration_like)
def test_the_schema_pattern_and_the_parser_agree(text: str) -> None:
    assert (SCHEMA_PATTERN.search(text) is not None) == (parse_duration(text) is not None)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45s", 45), ("15m", 900), ("90min", 5400), ("1h30m", 5400), ("1h 30m", 5400),
     ("2d", 172800), (" 1d 2h 3m 4s ", 93784), ("0h5m", 300)],
)  # fmt: skip
def test_durations_that_are_read(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds
    assert SCHEMA_PATTERN.search(text)


@pytest.mark.parametrize(
    "text",
    ["", "0m", "0", "15", "١٠m", "15 minutes", "1m1h", "2H", "1.5h", "15m\n", "\t15m", "m"],
)
def test_durations_that_are_refused(text: str) -> None:
    assert parse_duration(text) is None
    assert not SCHEMA_PATTERN.search(text)


# -- every entry point -------------------------------------------------------------------

PLAYBOOK = """\
crisis: 1
id: demo
title: Demo
cadence:
  - id: updates
    every: "{every}"
phases:
  - id: one
    title: One
    steps:
      - id: look
        title: Look
        due: "{due}"
        message:
          template: Hello
          approval: true
          escalate_after: "{escalate}"
"""


def _playbook_refusals(text: str) -> list[str]:
    """What the loader says about ``text`` as ``due``, ``every`` and ``escalate_after``."""
    said = []
    for key in ("due", "every", "escalate"):
        values = {"due": "15m", "every": "30m", "escalate": "10m", key: text}
        try:
            load_playbook_text(PLAYBOOK.format(**values), "pb.yaml")
        except PlaybookError as exc:
            said.append(exc.one_line())
        else:
            said.append("")
    return said


def _config_refusal(text: str) -> str:
    try:
        check_value("sync.auto", text)
    except ValueError as exc:
        return str(exc)
    return ""


def _sync_refusal(text: str, tmp_path: Any) -> str:
    try:
        wanted_interval(make_env(tmp_path), text)
    except UsageError as exc:
        return str(exc)
    return ""


def _moment_refusal(text: str, read: Any = parse_when) -> str:
    """What a moment reader (``parse_when``, ``parse_past``) says about ``text``."""
    try:
        read(text, NOW, UTC, what="the time")
    except UsageError as exc:
        return f"{exc} ({exc.hint})"
    return ""


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        duration_like, st.sampled_from(["45s", "90min", "١٠m", "1h 30m", "2H", "0\t0", "2H ago"])
    )
)
def test_every_entry_point_accepts_and_refuses_the_same_durations(
    tmp_path_factory: Any, text: str
) -> None:
    tmp = tmp_path_factory.mktemp("home")
    if text.strip() in ("off", "none") or not text.strip():
        return  # "off" is sync.auto's own word, and an empty option is no value
    accepted = parse_duration(text) is not None
    sentence = not_a_duration(text).partition("'")[2].partition("'")[2]  # the words after it
    assert sentence == f" is not a duration: {DURATION_HELP}"
    for said in _playbook_refusals(text):
        assert (sentence in said) == (not accepted), said
    for said in (_config_refusal(text), _sync_refusal(text, tmp)):
        assert (sentence in said) == (not accepted), said
    # A follow-up, a new post time, the next update: a duration from now (or a clock time
    # or a date, which this alphabet cannot spell).
    # ... and how long ago the impact began or was noticed (crisis impact, the first step)
    for said in (_moment_refusal(text), _moment_refusal(text, parse_past)):
        assert (said == "") == accepted, said
        if not accepted:
            assert DURATION_EXAMPLES in said


def test_the_impact_times_are_read_in_the_one_grammar() -> None:
    """main's crisis impact brought its own readers (``\\d`` in its clock pattern): an impact
    start of "١٩:٥٠" was taken; 90min and 7:50 pm are read as everywhere else."""
    late = NOW.replace(hour=21)
    assert parse_past("90min", NOW, UTC, what="x") == NOW - timedelta(minutes=90)
    assert parse_past("1h30m ago", NOW, UTC, what="x") == NOW - timedelta(minutes=90)
    assert parse_past("7:50 pm", late, UTC, what="x") == late.replace(hour=19, minute=50)
    for typed in ("١٩:٥٠", "١٠m", "2H", "tomorrow-ish"):
        with pytest.raises(UsageError) as refused:
            parse_past(typed, NOW, UTC, what="the impact start")
        assert refused.value.hint == PAST_HELP and DURATION_EXAMPLES in PAST_HELP


def test_the_issues_disagreements() -> None:
    """Each was accepted by one reader and refused by another before."""
    # --follow-up 45s was refused while escalate_after: 45s linted clean
    assert parse_when("45s", NOW, UTC, what="follow-up") == NOW + timedelta(seconds=45)
    # 90min: the walk-through took it, a playbook did not
    load_playbook_text(PLAYBOOK.format(due="90min", every="90min", escalate="90min"), "pb.yaml")
    # Arabic-Indic digits: parse_when took "١٠m"; timeutil says a person never means it
    with pytest.raises(UsageError):
        parse_when("١٠m", NOW, UTC, what="follow-up")
    with pytest.raises(UsageError):
        parse_when("١٤:٣٠", NOW, UTC, what="follow-up")
    assert parse_clock("١٤:٣٠") is None
    # a playbook's 45s and sync.auto's 45s were always fine; "2h" as "+2h" too
    assert parse_when("+2h", NOW, UTC, what="x") == NOW + timedelta(hours=2)


def test_a_refused_duration_names_what_is_accepted_with_file_line_column() -> None:
    said = _playbook_refusals("15 minutes")[0]
    assert said == (
        "pb.yaml:13:14: '15 minutes' is not a duration: write days, hours, minutes, seconds "
        "in that order, e.g. 45s, 15m, 90min, 1h30m, 2d"
    )


def test_a_follow_up_of_45s_from_the_command_line(cli, crisis_home) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import FrozenClock
    from tests.helpers import open_incident

    open_incident(make_env(crisis_home, clock=FrozenClock(NOW)))
    result = cli(
        "contact", "add", "--who", "Dana", "--channel", "dm", "--outcome", "no-answer",
        "--follow-up", "45s", clock=FrozenClock(NOW),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = cli(
        "contact", "add", "--who", "Dana", "--channel", "dm", "--outcome", "no-answer",
        "--follow-up", "١٠m", clock=FrozenClock(NOW),
    )  # fmt: skip
    assert result.exit_code == 2 and DURATION_EXAMPLES in result.stderr


# -- writing durations back --------------------------------------------------------------


@given(st.integers(min_value=1, max_value=MAX_DURATION_SECONDS))
def test_duration_text_round_trips(seconds: int) -> None:
    assert parse_duration(duration_text(seconds)) == seconds


@given(st.integers(min_value=1, max_value=MAX_DURATION_SECONDS))
def test_what_people_are_shown_reads_back_to_within_its_rounding(seconds: int) -> None:
    shown = format_duration(seconds)
    read = parse_duration(shown)
    assert read is not None, shown
    # "2d 3h" drops the minutes, "1h 05m" the seconds: never more than the unit it drops
    unit = 3600 if seconds >= 86400 else 60 if seconds >= 600 else 1
    assert 0 <= seconds - read < unit


@given(
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=59),
)
def test_clock_times_round_trip(hour: int, minute: int, second: int) -> None:
    assert parse_clock(f"{hour:02d}:{minute:02d}") == (hour, minute, 0)
    assert parse_clock(f"{hour}:{minute:02d}:{second:02d}") == (hour, minute, second)
    twelve = hour % 12 or 12
    assert parse_clock(f"{twelve}:{minute:02d} {'pm' if hour >= 12 else 'am'}") == (
        hour,
        minute,
        0,
    )


# -- the local zone ----------------------------------------------------------------------


@pytest.fixture
def stockholm() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Stockholm"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_the_local_zone_follows_daylight_saving(stockholm: None) -> None:
    zone = local_zone()
    winter = datetime(2026, 1, 15, 12, 0, tzinfo=UTC).astimezone(zone)
    summer = datetime(2026, 7, 15, 12, 0, tzinfo=UTC).astimezone(zone)
    assert (winter.hour, summer.hour) == (13, 14)
    # 14:30 typed on the evening before the clocks go forward is 14:30 summer time
    before = datetime(2026, 3, 28, 19, 0, tzinfo=UTC)  # 20:00 CET
    assert parse_when("14:30", before, zone, what="x") == datetime(2026, 3, 29, 12, 30, tzinfo=UTC)


def test_ecmascript_reads_the_schema_pattern_as_python_does() -> None:
    """Editors and ajv run the schema's pattern as an ECMAScript ``u`` regex: on the same
    strings it matches exactly where ``parse_duration`` reads a duration."""
    import json
    import random
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    rng = random.Random(25)
    pieces = [*"0123456789", "d", "h", "m", "s", "min", " ", "\t", "\n", "١", "H", "x", "+"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    texts += ["45s", "90min", "1h 30m", "0m", "15m\n", "١٠m"]
    script = (
        "const [p, t] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const r = new RegExp(p, 'u');"
        "process.stdout.write(JSON.stringify(t.map(s => r.test(s))));"
    )
    pattern = _schema_duration_pattern()
    run = subprocess.run(
        [node, "-e", script], input=json.dumps([pattern, texts]), capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    for text, matched in zip(texts, json.loads(run.stdout), strict=True):
        assert matched == (parse_duration(text) is not None), repr(text)


def test_the_walk_throughs_prompt_names_the_same_durations() -> None:
    """The "next update" prompt refuses in the playbook's language, naming the durations
    every other reader names."""
    from crisiscli.i18n import _load, languages

    for language in languages():
        assert DURATION_EXAMPLES in _load(language)["update.bad_time"], language


def test_one_grammar_of_dates_on_every_python() -> None:
    """An action's due date and ``crisis stats --since`` were read by
    ``date.fromisoformat``, which from Python 3.11 on also takes 20261215 and 2026-W51-2:
    the same command line was a date on one Python and refused on another."""
    from datetime import date

    from crisiscli.team.actions import check_due
    from crisiscli.timeutil import parse_date

    assert parse_date(" 2026-12-15 ") == date(2026, 12, 15)
    for typed in ("20261215", "2026-W51-2", "2026-02-30", "٢٠٢٦-١٢-١٥", "2026-12-15T10:00", ""):
        assert parse_date(typed) is None, typed
    assert check_due("2026-12-15") == "2026-12-15"
    with pytest.raises(
        UsageError, match=r"the due date '20261215' is not a date \(use YYYY-MM-DD\)"
    ):
        check_due("20261215")


def test_stats_reads_its_dates_in_the_same_grammar(cli) -> None:  # type: ignore[no-untyped-def]
    refused = cli("stats", "--since", "20260101")
    assert refused.exit_code == 2
    assert "--since '20260101' is not a date (use YYYY-MM-DD)" in refused.stderr
    assert cli("stats", "--since", "2026-01-01").exit_code == 0
