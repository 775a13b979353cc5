"""Loading playbooks: every error names file:line:column, YAML 1.1 cannot corrupt
choices or versions, and no input whatsoever raises anything but a CrisisError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisiscli.errors import CrisisError, PlaybookError
from crisiscli.playbook.load import load_playbook
from tests.conftest import REPO
from tests.helpers import load_playbook_text

BASE = """\
crisis: 1
id: demo
title: Demo
version: "1.0"
inputs:
  - id: source
    prompt: Where?
    type: choice
    choices: [ours, theirs]
phases:
  - id: one
    title: One
    steps:
      - id: look
        title: Look
        due: 15m
        questions:
          - {id: reach, prompt: How far?, type: choice, choices: [isolated, wide]}
        goto:
          - {to: reply, when: {reach: isolated}}
      - id: reply
        title: Reply
        when: {source: ours}
"""


def error_of(text: str, shown: str = "pb.yaml") -> str:
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(text, shown)
    line = caught.value.one_line()
    assert "\n" not in line
    return line


def test_the_base_loads() -> None:
    book = load_playbook_text(BASE, "pb.yaml")
    assert [s.id for s in book.steps] == ["look", "reply"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("        title: Look\n", "        titel: Look\n",
         "pb.yaml:15:9: unknown key 'titel' in step; did you mean 'title'?"),
        ("id: look", "id: Look Here",
         "pb.yaml:14:13: step id 'Look Here' must be lowercase letters, digits, '-' or '_' (max 64)"),
        ("due: 15m", "due: 15 minutes",
         "pb.yaml:16:14: '15 minutes' is not a duration: write days, hours, minutes, seconds in "
         "that order, e.g. 45s, 15m, 90min, 1h30m, 2d"),
        ("to: reply", "to: replay",
         "pb.yaml:20:18: goto target 'replay' is not a step id; did you mean 'reply'?"),
        ("when: {source: ours}", "when: {sauce: ours}",
         "pb.yaml:23:16: condition refers to 'sauce', which is no input or question; did you mean 'source'?"),
        ("when: {source: ours}", "when: {source: mine}",
         "pb.yaml:23:16: 'mine' is not a choice of 'source' (ours, theirs)"),
        ("        due: 15m\n", "        due: 15m\n        due: 20m\n",
         "pb.yaml:17:9: key 'due' appears twice (first at line 16); YAML keeps only the last"),
        ("title: Demo", "title: [Demo",
         "pb.yaml:4:8: invalid YAML: did not find expected ',' or ']' "
         "(while parsing a flow sequence, which starts at line 3, column 8)"),
        ("id: reply", "id: look", "pb.yaml:21:13: step id 'look' is used twice"),
        ("title: Demo", "title: !!python/object:os.system x",
         "pb.yaml:3:8: unsupported YAML tag !!python/object:os.system"),
    ],
    ids=["unknown-key", "bad-id", "bad-duration", "goto-unknown", "condition-unknown-question",
         "condition-unknown-choice", "duplicate-key", "yaml-syntax", "duplicate-step-id",
         "python-tag"],
)  # fmt: skip
def test_errors_name_line_and_column(old: str, new: str, expected: str) -> None:
    assert old in BASE
    assert error_of(BASE.replace(old, new, 1)) == expected


def test_yaml_11_words_stay_text_in_choices_and_conditions() -> None:
    text = BASE.replace("choices: [ours, theirs]", "choices: [yes, no, on, off, y, n]").replace(
        "when: {source: ours}", "when: {source: no}"
    )
    book = load_playbook_text(text, "pb.yaml")
    assert [c.value for c in book.inputs[0].choices] == ["yes", "no", "on", "off", "y", "n"]
    assert all(isinstance(c.label, str) for c in book.inputs[0].choices)
    when = book.step("reply").when
    assert when is not None and getattr(when, "values", None) == ("no",)


def test_unquoted_versions_and_numbers_keep_their_written_text() -> None:
    book = load_playbook_text(BASE.replace('version: "1.0"', "version: 1.10"), "pb.yaml")
    assert book.version == "1.10"
    book = load_playbook_text(BASE.replace('version: "1.0"', "version: 2.0"), "pb.yaml")
    assert book.version == "2.0"
    book = load_playbook_text(BASE.replace("title: Demo", "title: 2024-01-01"), "pb.yaml")
    assert book.title == "2024-01-01"


def test_choice_labels_from_yaml_11_words_are_text() -> None:
    text = BASE.replace(
        "choices: [ours, theirs]", "choices: [{value: on, label: off}, {value: 'no', label: No}]"
    ).replace("when: {source: ours}", "when: {source: on}")
    book = load_playbook_text(text, "pb.yaml")
    assert [(c.value, c.label) for c in book.inputs[0].choices] == [("on", "off"), ("no", "No")]
    when = book.step("reply").when
    assert when is not None and getattr(when, "values", None) == ("on",)


def test_unquoted_yaml_11_choices_are_only_a_warning() -> None:
    from crisiscli.playbook.load import build_text

    result = build_text(BASE.replace("[ours, theirs]", "[yes, ours, theirs]"), "pb.yaml")
    assert result.errors == []
    assert [(p.rule, p.severity) for p in result.problems] == [("yaml11-scalar", "warning")]


def test_the_bundled_playbook_loads() -> None:
    book = load_playbook(REPO / "playbooks" / "general.yaml")
    assert book.id == "general" and len(book.phases) == 6 and len(book.steps) == 19


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"# only a comment\n\n", "the file is empty"),
        (b"- a\n- b\n", "expected a playbook (a mapping with id, title and phases), found a list"),
        (b"crisis: 1\nid: caf\xe9\n", "not valid UTF-8 (byte 0xe9)"),
        (b"\x00\x01binary", "binary file, not YAML text"),
    ],
)
def test_files_that_are_no_playbook(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "pb.yaml"
    path.write_bytes(content)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert expected in caught.value.message
    location = caught.value.location
    assert location is not None and location.path == str(path) and location.line is not None


def test_non_utf8_error_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "pb.yaml"
    path.write_bytes(b"crisis: 1\nid: demo\ntitle: Caf\xe9\n")
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert caught.value.one_line() == f"{path}:3:11: not valid UTF-8 (byte 0xe9); save the file as UTF-8"  # fmt: skip


def test_a_control_character_is_named_with_its_place() -> None:
    assert error_of("crisis: 1\ntitle: a\x07b\n") == (
        "pb.yaml:2:9: invalid YAML: unacceptable character #x0007: control characters are not allowed"
    )


def test_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for n in "bcdefgh":
        prev = chr(ord(n) - 1)
        bomb += f"{n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"  # fmt: skip
    assert "an alias bomb" in error_of(bomb)


# -- nothing but CrisisError, always with a location --------------------------------------

YAMLISH = st.text(
    alphabet=st.sampled_from(list("abcdefgh:-[]{}!&*#|>'\"\\ \n\t,.?%@`01~=<")) | st.characters(),
    max_size=200,
)


def _check(text: str) -> None:
    try:
        load_playbook_text(text, "fuzz.yaml")
    except CrisisError as exc:
        assert exc.location is not None and exc.location.path == "fuzz.yaml", exc.one_line()
        assert exc.location.line is not None, exc.one_line()
        assert "\n" not in exc.one_line()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_any_text_raises_only_crisis_errors_with_a_location(text: str) -> None:
    _check(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(BASE.splitlines(keepends=True)), max_size=30))
def test_shuffled_playbook_lines_raise_only_crisis_errors(lines: list[str]) -> None:
    _check("".join(lines))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.binary(max_size=200))
def test_any_bytes_raise_only_crisis_errors_with_a_location(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(blob)
    try:
        load_playbook(path)
    except CrisisError as exc:
        assert exc.location is not None and exc.location.path == str(path)
        assert exc.location.line is not None, exc.one_line()
