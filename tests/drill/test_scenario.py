"""Scenario files: what loads, and one located line for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisiscli.drill.scenario import load_scenario, offset_text, parse_offset, parse_scenario
from crisiscli.errors import PlaybookError

GOOD = """\
id: photo
title: A photo we had no licence for
playbook: mini
length: 45m
severity: high
start:
  inputs: {brand: Acme, source: ours}
  post: "Happy holidays!"
injects:
  - {at: +12m, kind: press, text: "A reporter asks for a comment", from: Daily Ledger}
  - {at: +5m, kind: mentions, count: 900, text: "Mentions jump"}
expectations:
  - {id: look, expect: step-done, step: look, by: +10m}
  - {expect: message, by: +30m}
  - {expect: approved, step: statement, approver: Dana, within: 5m}
  - {expect: no-phrases, phrases: ["any inconvenience"]}
  - {expect: replies}
  - {expect: queue-decided, by: 20m}
"""


def test_a_scenario_loads_with_its_injects_in_time_order() -> None:
    s = parse_scenario(GOOD, "photo.yaml")
    assert (s.id, s.title, s.playbook, s.length, s.severity) == (
        "photo", "A photo we had no licence for", "mini", 45 * 60, "high",
    )  # fmt: skip
    assert [(i.key, i.at, i.kind) for i in s.injects] == [
        ("post", 0, "post"), ("i2", 300, "mentions"), ("i1", 720, "press"),
    ]  # fmt: skip
    assert s.injects[1].count == 900 and s.injects[1].per == "hour"
    assert s.injects[2].sender == "Daily Ledger"
    assert dict(s.inputs) == {"brand": "Acme", "source": "ours"}
    assert [e.id for e in s.expectations] == ["look", "e2", "e3", "e4", "e5", "e6"]
    assert s.expectations[2].within == 300 and s.expectations[2].approver == "Dana"
    assert s.expectations[3].phrases == ("any inconvenience",)
    assert s.expectations[0].line == 13


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("+12m", 720), ("12m", 720), ("+1h30m", 5400), ("+45s", 45), ("+0", 0), ("+ 2h", 7200)],
)
def test_offsets_use_the_playbook_duration_grammar(text: str, seconds: int) -> None:
    assert parse_offset(text) == seconds


@pytest.mark.parametrize("text", ["", "+", "-5m", "soon", "+12 parsecs", "+400d", "+١٠m"])
def test_what_is_not_an_offset(text: str) -> None:
    assert parse_offset(text) is None


def test_offset_text_reads_back() -> None:
    for seconds in (0, 45, 720, 5400, 5445):
        assert parse_offset(offset_text(seconds)) == seconds


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (("length: 45m", "length: soon"), "photo.yaml:4:9", "is not a time offset"),
        (("kind: press", "kind: pigeon"), "photo.yaml:10:22", "kind 'pigeon' is not one of"),
        (("expect: replies", "expect: vibes"), "photo.yaml:17:14", "expect 'vibes'"),
        (
            ("  post:", "  psot:"),
            "photo.yaml:8:3",
            "unknown key 'psot' in start (did you mean 'post'?)",
        ),
        (("{id: look,", "{id: Look!,"), "photo.yaml:13:10", "expectation id 'Look!'"),
        (("count: 900, ", ""), "photo.yaml:11:5", "a mentions inject needs 'count'"),
        (("by: +10m}", "}"), "photo.yaml:13:5", "a step-done expectation needs 'by'"),
        (
            ("title: A photo we had no licence for", "title: [a, b]"),
            "photo.yaml:2:8",
            "title must be text",
        ),
    ],
)
def test_each_problem_is_one_located_line(change: tuple[str, str], where: str, words: str) -> None:
    text = GOOD.replace(*change, 1)
    assert text != GOOD
    with pytest.raises(PlaybookError) as caught:
        parse_scenario(text, "photo.yaml")
    line = caught.value.one_line()
    assert line.startswith(where + ": "), line
    assert words in line


def test_a_missing_key_and_a_twice_used_id_are_named() -> None:
    with pytest.raises(PlaybookError, match="the scenario has no 'length'"):
        parse_scenario(GOOD.replace("length: 45m\n", ""), "photo.yaml")
    twice = GOOD.replace("{expect: replies}", "{id: look, expect: replies}")
    with pytest.raises(PlaybookError, match="expectation id 'look' is used twice"):
        parse_scenario(twice, "photo.yaml")


def test_untrusted_yaml_is_refused_as_a_playbook_is(tmp_path: Path) -> None:
    for bad, words in [
        ("!!python/object:os.system {}\n", "tag"),
        ("title: [unclosed\n", ""),
        ("", "empty"),
        ("- a list\n", "a scenario must be a mapping"),
    ]:
        path = tmp_path / "bad.yaml"
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(PlaybookError) as caught:
            load_scenario(path)
        assert str(path) in caught.value.one_line() and words in caught.value.one_line()


def test_evidence_and_images_stay_in_the_scenario_folder() -> None:
    text = GOOD.replace('text: "Mentions jump"', 'text: "x", evidence: ../../etc/passwd')
    with pytest.raises(PlaybookError, match="must be a file in the scenario's folder"):
        parse_scenario(text, "photo.yaml")
