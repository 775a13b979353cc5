"""The drill's lint rules: what a scenario means against its playbook."""

from __future__ import annotations

from pathlib import Path

from crisiscli.drill.rules import check
from crisiscli.drill.scenario import parse_scenario
from tests.helpers import load_fixture_playbook

BASE = """\
title: Drill
playbook: mini
length: 30m
start: {inputs: {brand: Acme}}
injects:
  - {at: +5m, kind: customer, text: "Where is my refund?"}
expectations:
  - {expect: step-done, step: look, by: +10m}
"""


def findings(text: str, folder: str = ".") -> list[tuple[str, int | None, str]]:
    scenario = parse_scenario(text, "s.yaml", folder=folder)
    return [(f.rule, f.location.line, f.message) for f in check(scenario, load_fixture_playbook())]


def test_a_good_scenario_has_no_findings() -> None:
    assert findings(BASE) == []


def test_an_unknown_step_in_an_expectation_is_dr101_with_a_suggestion() -> None:
    found = findings(BASE.replace("step: look", "step: lok"))
    assert found == [
        ("DR101", 8, "expectation 'e1': no step 'lok' in playbook 'mini' (did you mean 'look'?)")
    ]


def test_an_inject_after_the_end_is_dr102() -> None:
    found = findings(BASE.replace("at: +5m", "at: +31m"))
    assert [(r, line) for r, line, _ in found] == [("DR102", 6)]
    assert "comes after the drill ends (+30m)" in found[0][2]


def test_unreachable_expectations_are_dr103() -> None:
    late = findings(BASE.replace("by: +10m", "by: +40m"))
    assert [(r, "after the drill ends" in m) for r, _, m in late] == [("DR103", True)]
    no_message = findings(
        BASE.replace("{expect: step-done, step: look, by: +10m}", "{expect: approved, step: reply}")
    )
    assert [(r, m.endswith("step 'reply' has no message")) for r, _, m in no_message] == [
        ("DR103", True)
    ]
    # a step after an unconditional jump past it, which no path can reach
    book = load_fixture_playbook()
    scenario = parse_scenario(BASE.replace("step: look", "step: safety"), "s.yaml")
    assert [f.rule for f in check(scenario, book)] == []  # safety is reachable (threat: yes)


def test_a_step_no_path_reaches_is_dr103(tmp_path: Path) -> None:
    from tests.helpers import load_playbook_text

    book = load_playbook_text(
        """\
crisis: 1
id: jumps
title: Jumps
phases:
  - id: p
    title: P
    steps:
      - {id: a, title: A, goto: [{to: c}]}
      - {id: b, title: B}
      - {id: c, title: C}
""",
        "jumps.yaml",
    )
    scenario = parse_scenario(
        BASE.replace("playbook: mini", "playbook: jumps")
        .replace("step: look", "step: b")
        .replace("start: {inputs: {brand: Acme}}\n", ""),
        "s.yaml",
    )
    assert [(f.rule, f.message) for f in check(scenario, book)] == [
        ("DR103", "expectation 'e1': no path through the playbook reaches 'b'")
    ]


def test_unknown_inputs_missing_files_and_no_expectations(tmp_path: Path) -> None:
    text = BASE.replace("{brand: Acme}", "{brand: Acme, colour: red}").replace(
        'text: "Where is my refund?"', 'text: "x", evidence: shot.png'
    )
    text = text[: text.index("expectations:")]
    rules = [r for r, _, _ in findings(text, str(tmp_path))]
    assert rules == ["DR104", "DR105", "DR106"]
    (tmp_path / "shot.png").write_bytes(b"\x89PNG")
    assert [r for r, _, _ in findings(text, str(tmp_path))] == ["DR104", "DR106"]


BRANCHING = """\
crisis: 1
id: branching
title: Branching
inputs:
  - {id: brand, prompt: Which brand?}
  - {id: source, prompt: Whose post?, type: choice, choices: [ours, customer, press]}
phases:
  - id: p
    title: P
    steps:
      - {id: look, title: Look}
      - {id: delete-ours, title: Delete our post, when: {source: ours}}
      - {id: answer, title: Answer them, when: {source: [customer, press]}}
"""


def test_a_step_no_path_reaches_from_the_scenarios_inputs_is_dr103() -> None:
    from tests.helpers import load_playbook_text

    book = load_playbook_text(BRANCHING, "branching.yaml")

    def rules(source: str, step: str) -> list[tuple[str, str]]:
        text = (
            BASE.replace("playbook: mini", "playbook: branching")
            .replace("{brand: Acme}", f"{{brand: Acme, source: {source}}}")
            .replace("step: look", f"step: {step}")
        )
        return [(f.rule, f.message) for f in check(parse_scenario(text, "s.yaml"), book)]

    assert rules("customer", "delete-ours") == [
        (
            "DR103",
            "expectation 'e1': no path through the playbook reaches 'delete-ours' from the "
            "scenario's starting inputs (brand=Acme, source=customer)",
        )
    ]
    assert rules("ours", "delete-ours") == []
    # press and customer are one group to the explorer; the value given is the one followed
    assert rules("press", "answer") == []
    assert [r for r, _ in rules("press", "delete-ours")] == ["DR103"]
