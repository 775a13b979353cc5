"""Property tests over everything a user hands to crisis: playbooks, answers files,
journal lines and notes. No input may cause a traceback: only a ``CrisisError`` with a
location. Valid playbooks round-trip through the canonical form and the JSON Schema.

CI uses the `ci` hypothesis profile (tests/conftest.py); for a deep local run:
    pytest tests/fuzz --hypothesis-profile=long
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from crisiscli.errors import CrisisError
from crisiscli.playbook.load import build_text, load_playbook, problem_location
from crisiscli.playbook.model import to_data
from crisiscli.playbook.schema import playbook_schema
from crisiscli.record.journal import parse_journal
from crisiscli.walk.answers import check_against, load_answers
from tests.fuzz import strategies as s

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHOWN = "fuzz.yaml"
SCHEMA = playbook_schema()


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _assert_located(exc: CrisisError, path: str = SHOWN) -> None:
    assert exc.location is not None, exc.message
    assert exc.location.path == path
    assert exc.message.strip() and "\n" not in exc.one_line()


@given(s.valid_playbooks())
def test_valid_playbooks_load_round_trip_and_match_the_schema(book: dict[str, Any]) -> None:
    jsonschema.validate(book, SCHEMA)
    result = build_text(_dump(book), SHOWN)
    assert result.errors == [], [p.message for p in result.errors]
    assert result.playbook is not None
    canonical = to_data(result.playbook)
    jsonschema.validate(canonical, SCHEMA)
    again = build_text(_dump(canonical), SHOWN)
    assert again.errors == [] and again.playbook is not None
    assert to_data(again.playbook) == canonical
    assert again.playbook == result.playbook


@given(s.broken_playbooks())
def test_broken_playbooks_give_located_problems(book: dict[str, Any]) -> None:
    try:
        result = build_text(_dump(book), SHOWN)
    except CrisisError as exc:
        _assert_located(exc)
        return
    for problem in result.problems:
        where = problem_location(result, problem, SHOWN)
        assert where.path == SHOWN and where.line is not None and where.line >= 1, problem
        assert problem.message.strip() and problem.rule
    if not result.errors:  # the mutation happened to be harmless: the schema agrees
        jsonschema.validate(to_data(result.playbook), SCHEMA)  # type: ignore[arg-type]


@given(s.yaml_noise)
def test_any_text_as_a_playbook_is_an_error_or_a_playbook(text: str) -> None:
    try:
        result = build_text(text, SHOWN)
    except CrisisError as exc:
        _assert_located(exc)
        return
    for problem in result.problems:
        assert problem_location(result, problem, SHOWN).line is not None


@given(doc=s.answers_documents())
def test_answers_files_fail_only_with_located_errors(doc: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(_dump(doc), encoding="utf-8")
    book = load_playbook(FIXTURES / "mini.yaml")
    try:
        check_against(load_answers(path), book)
    except CrisisError as exc:
        _assert_located(exc, str(path))


@given(text=s.yaml_noise)
def test_any_text_as_an_answers_file(text: str, tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_answers(path)
    except CrisisError as exc:
        _assert_located(exc, str(path))


def _event(n: int, text: str) -> bytes:
    record = {
        "v": 1,
        "id": f"e{n}",
        "ts": f"2026-11-23T15:{n // 60:02d}:{n % 60:02d}.000000+00:00",
        "actor": "fuzz",
        "type": "note.added",
        "data": {"text": text},
    }
    return json.dumps(record, ensure_ascii=False).encode()


@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("event"), s.hostile_text),
            st.tuples(st.just("junk"), st.binary(max_size=60)),
            st.tuples(
                st.just("json"),
                st.sampled_from(
                    [
                        "{}",
                        "[]",
                        '"x"',
                        '{"id": 5}',
                        "null",
                        '{"id":"a","ts":"yesterday","type":"x"}',
                    ]
                ),
            ),
        ),
        max_size=25,
    ),
    st.integers(0, 40),
)
def test_journal_lines_never_break_reading(lines: list[tuple[str, Any]], cut: int) -> None:
    """Garbage lines are skipped with a warning; every valid event is kept, in order."""
    blob_lines, expected = [], []
    for n, (kind, payload) in enumerate(lines):
        if kind == "event":
            blob_lines.append(_event(n, payload))
            expected.append(f"e{n}")
        elif kind == "junk":
            blob_lines.append(payload.replace(b"\n", b" "))
        else:
            blob_lines.append(payload.encode())
    blob = b"\n".join(blob_lines) + (b"\n" if blob_lines else b"")
    result = parse_journal(blob, "journal.jsonl")
    got = [e.id for e in result.events]
    # A junk line may happen to be a valid event only if it parses; ours never do.
    assert got == expected
    for warning in result.warnings:
        assert warning.startswith("journal.jsonl:") and "\n" not in warning
    # Cutting the file anywhere loses at most the event being cut.
    torn = parse_journal(blob[: max(0, len(blob) - cut)], "journal.jsonl")
    assert [e.id for e in torn.events] == expected[: len(torn.events)]
    if blob_lines and cut <= len(blob_lines[-1]) + 1:  # the cut is inside the last line
        assert len(torn.events) >= len(expected) - 1


@given(text=s.hostile_text)
def test_notes_are_recorded_exactly_and_logged_escaped(text: str, cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    from crisiscli.record.store import list_incidents
    from tests.conftest import make_env
    from tests.helpers import assert_renders_literally, open_incident

    env = make_env(crisis_home)
    incident = (list_incidents(env) or [open_incident(env)])[0]
    if text == "-":  # means "read the note from stdin"
        text = "-\n"
    result = cli("note", "--incident", incident.id, "--", text)
    if not text.strip():
        assert result.exit_code == 2 and result.stderr.startswith("crisis: error: ")
        return
    assert result.exit_code == 0, result.stderr
    assert incident.state().notes[-1].text == text.rstrip("\n")
    assert "\x1b" not in result.stdout + result.stderr
    log = (incident.dir / "log.md").read_text(encoding="utf-8")
    assert "\x1b" not in log and "\x07" not in log and "\x9b" not in log
    # Markdown shows the note as written: nothing in it became markup (CommonMark parser).
    assert_renders_literally(log, f"Note: {text.rstrip(chr(10))}".replace("\n", " "))


@pytest.mark.parametrize("name", ["mini.yaml"])
def test_the_fixture_playbook_matches_the_schema(name: str) -> None:
    """Sanity: the schema used above accepts a hand-written playbook."""
    book = load_playbook(FIXTURES / name)
    jsonschema.validate(to_data(book), SCHEMA)


csv_cells = st.one_of(
    s.hostile_text,
    st.sampled_from(
        ["2026-11-23 15:00", "23/11/2026", "11/23/2026 3pm", "tomorrow", "", "x", "bluesky"]
    ),
)


@given(
    header=st.lists(
        st.sampled_from(
            ["date", "time", "text", "post", "platform", "network", "when", "junk", ""]
        ),
        max_size=5,
    ),
    rows=st.lists(st.lists(csv_cells, max_size=6), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    junk=st.binary(max_size=20),
)
def test_csv_queues_fail_only_with_located_errors(
    header: list[str], rows: list[list[str]], delimiter: str, junk: bytes
) -> None:
    import csv
    import io
    from datetime import timezone

    from crisiscli.queue.importer import read_queue_csv

    out = io.StringIO()
    # An escape character lets Python 3.10's writer emit a NUL at all (3.11+ needs none);
    # the bytes still reach the parser with the NUL in them.
    writer = csv.writer(out, delimiter=delimiter, escapechar="\\")
    writer.writerow(header)
    writer.writerows(rows)
    for blob in (out.getvalue().encode("utf-8"), out.getvalue().encode("utf-8") + junk):
        try:
            read_queue_csv(blob, "queue.csv", zone=timezone.utc)
        except CrisisError as exc:
            _assert_located(exc, "queue.csv")


@given(
    book=st.one_of(s.valid_playbooks(), s.broken_playbooks()),
    noise=s.yaml_noise,
)
def test_lint_findings_are_deterministic_and_located(book: dict[str, Any], noise: str) -> None:
    from crisiscli.lint.checks import check_text
    from crisiscli.lint.config import LintConfig

    for text in (_dump(book), noise):
        first = check_text(text, SHOWN, LintConfig())
        again = check_text(text, SHOWN, LintConfig())
        assert first.findings == again.findings  # same findings, same order, every time
        lines = max(1, text.count("\n") + 1)
        for finding in first.findings:
            assert finding.path == SHOWN and 1 <= finding.line <= lines + 1, finding
            assert finding.column >= 1 and finding.message.strip() and "\n" not in finding.message
