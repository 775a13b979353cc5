"""Loader errors point at the right place, also when other parts of the file are broken."""

from __future__ import annotations

import pytest

from crisiscli.errors import PlaybookError
from crisiscli.playbook.yamlsource import parse
from tests.helpers import load_playbook_text

DUPLICATE = """\
id: x
title: X
phases:
  - id: p
    title: P
    steps:
      - {id: broken}
      - {id: a, title: A}
      - {id: a, title: A again, goto: nowhere}
"""


def test_repeated_step_id_points_at_the_repeat_even_after_a_broken_step() -> None:
    with pytest.raises(PlaybookError) as info:
        load_playbook_text(DUPLICATE, "dup.yaml")
    assert info.value.one_line().startswith("dup.yaml:7:9: step needs 'title'")
    from crisiscli.playbook.load import build_text, problem_location

    result = build_text(DUPLICATE, "dup.yaml")
    where = {p.rule: str(problem_location(result, p, "dup.yaml")) for p in result.problems}
    assert where["duplicate-id"] == "dup.yaml:9:14"
    assert where["unknown-target"] == "dup.yaml:9:39"


def test_control_character_is_named_with_line_and_column() -> None:
    with pytest.raises(PlaybookError) as info:
        parse('id: x\ntitle: "a\x07 b"\n', "c.yaml")
    assert info.value.one_line().startswith("c.yaml:2:10: invalid YAML: unacceptable character")


def test_unclosed_bracket_says_where_it_began() -> None:
    with pytest.raises(PlaybookError) as info:
        parse("id: x\nitems: [a, b\ntitle: y\n", "u.yaml")
    message = info.value.one_line()
    assert message.startswith("u.yaml:3:") and "starts at line 2, column 8" in message
