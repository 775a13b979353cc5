"""The path explorer: every path, answers reduced to what conditions can tell apart, loops
cut where a state repeats, a budget with a seeded sample past it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisiscli.playbook.load import load_playbook
from crisiscli.walk.paths import (
    describe,
    enumerate_paths,
    explore,
    not_yet,
)
from tests.helpers import load_fixture_playbook, load_playbook_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def steps_of(playbook_name: str, **kw: int) -> list[tuple[str, ...]]:
    found = enumerate_paths(load_fixture_playbook(playbook_name), **kw)
    assert found.complete
    return [p.steps for p in found.paths]


def test_mini_has_exactly_its_three_ways_through() -> None:
    # reach isolated jumps to 'reply'; otherwise threat decides whether 'safety' applies.
    found = enumerate_paths(load_fixture_playbook("mini"))
    assert found.complete and found.total == 3 and found.note() is None
    by_answers = {tuple(p.choices()): p.steps for p in found.paths}
    assert by_answers == {
        # After 'isolated' nothing reads 'threat' any more: one path stands for both answers.
        ("reach=isolated", "threat=yes"): ("look", "reply", "lessons"),
        ("reach=wide", "threat=yes"): ("look", "safety", "statement", "reply", "lessons"),
        ("reach=wide", "threat=no"): ("look", "statement", "reply", "lessons"),
    }
    # 'source' is read only by an item's condition, not by the flow: it is not branched on.
    assert all(p.inputs == () for p in found.paths)


def test_a_loop_is_followed_until_it_lets_go() -> None:
    found = enumerate_paths(load_fixture_playbook("loop"))
    assert found.complete
    assert [p.steps for p in found.paths] == [
        ("halt", "check", "first-back", "lessons"),
        ("halt", "check", "keep-holding", "check", "first-back", "lessons"),
    ]
    # "no" a second time comes back to a state already on the path: cut, counted.
    assert found.loops == 1
    second = found.paths[1]
    assert [v.answers for v in second.visits if v.step == "check"] == [
        (("resume", False),),
        (("resume", True),),
    ]
    assert describe(second) == (
        "resume=no, resume=yes: halt → check → keep-holding → check → first-back → lessons"
    )


def test_choices_that_every_condition_treats_alike_count_once() -> None:
    playbook = load_playbook_text(
        """
id: p
title: P
phases:
  - id: a
    title: A
    steps:
      - id: one
        title: One
        questions:
          - {id: kind, prompt: Which?, type: choice, choices: [red, green, blue, pink]}
      - {id: two, title: Two, when: {kind: [red, pink]}}
      - {id: three, title: Three}
""",
        "p.yaml",
    )
    explorer = explore(playbook).explorer
    assert explorer is not None
    assert explorer.domains["kind"] == ("red", "green")  # red/pink alike, green/blue alike
    assert len(enumerate_paths(playbook).paths) == 2


def test_multi_choices_are_grouped_by_what_conditions_read() -> None:
    playbook = load_fixture_playbook("mini")
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "          - {id: threat, prompt: Any threats?, type: yesno}",
        "          - {id: threat, prompt: Any threats?, type: multi,"
        " choices: [none, visit, harm, lawsuit, police]}",
    )
    text = text.replace('when: {threat: "yes"}', "when: {threat: [visit, harm]}")
    playbook = load_playbook_text(text, "mini.yaml")
    explorer = explore(playbook).explorer
    assert explorer is not None
    # Groups: {none, lawsuit, police} read by nothing, {visit, harm} read by 'safety'.
    assert explorer.domains["threat"] == (("none",), ("visit",))


def test_optional_questions_may_be_left_empty() -> None:
    text = (
        (FIXTURES / "mini.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "{id: threat, prompt: Any threats?, type: yesno}",
            "{id: threat, prompt: Any threats?, type: choice, choices: [yes-threat, none],"
            " required: false}",
        )
    )
    text = text.replace('when: {threat: "yes"}', "when: {threat: yes-threat}")
    explorer = explore(load_playbook_text(text, "m.yaml")).explorer
    assert explorer is not None
    assert explorer.domains["threat"] == ("yes-threat", "none")  # empty acts like "none"


def test_over_the_budget_a_seeded_sample_is_listed_and_said_so() -> None:
    playbook = load_fixture_playbook("mini")
    found = enumerate_paths(playbook, budget=2, seed=7)
    assert not found.complete
    assert len(found.paths) == 2
    assert found.note() == "3 paths, over the budget of 2: 2 sampled at random (seed 7)"
    again = enumerate_paths(playbook, budget=2, seed=7)
    assert [p.steps for p in again.paths] == [p.steps for p in found.paths]


def test_a_state_graph_over_its_budget_is_sampled_and_said_so() -> None:
    playbook = load_playbook(FIXTURES.parent / "lint" / "fixtures" / "CR600-paths-sampled.yaml")
    small = explore(playbook, max_states=500, seed=3)
    assert small.sampled
    note = small.note()
    assert note is not None and "seed 3" in note and "random paths" in note
    assert small.walks > 0
    # Every sampled walk still follows the engine's moves to the end of the playbook.
    ends = [t for t in small.transitions if t.target is None]
    assert ends and all(t.move.how == "last" for t in ends)
    same = explore(playbook, max_states=500, seed=3)
    assert [t.visit for t in same.transitions] == [t.visit for t in small.transitions]


def test_an_explicit_end_is_told_apart_from_running_out_of_steps() -> None:
    text = (
        (FIXTURES / "mini.yaml")
        .read_text(encoding="utf-8")
        .replace("- {to: reply, when: {reach: isolated}}", "- {to: end, when: {reach: isolated}}")
    )
    found = enumerate_paths(load_playbook_text(text, "m.yaml"))
    endings = {p.steps: p.ending for p in found.paths}
    assert endings[("look",)] == "end"
    assert endings[("look", "statement", "reply", "lessons")] == "last"


@pytest.mark.parametrize(
    ("prompt", "kind", "value", "label", "meant"),
    [
        ("Are we resuming now?", "yesno", False, "", True),
        ("Are we resuming now?", "yesno", True, "", False),
        ("Is anyone's safety threatened?", "yesno", False, "", False),
        ("Har det lagt sig?", "yesno", False, "", True),
        ("Did they answer?", "choice", "waiting", "No answer yet", True),
        ("Did they answer?", "choice", "ingen", "Inget svar än", True),
        ("Did they answer?", "choice", "refused", "They refused", False),
    ],
)
def test_what_counts_as_not_yet(prompt: str, kind: str, value: object, label: str, meant: bool) -> None:  # fmt: skip
    from crisiscli.playbook.model import Choice, Question

    choices = (Choice(str(value), label),) if kind == "choice" else ()
    question = Question("q", prompt, kind, choices)  # type: ignore[arg-type]
    assert not_yet(question, value) is meant
