"""One broken playbook per rule: the expected finding (rule, line, column), exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crisiscli.lint.checks import check_file
from crisiscli.lint.config import LintConfig
from crisiscli.lint.rules import all_rules
from crisiscli.playbook.catalog import bundled_dir

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]

# fixture file -> every finding it must produce, in order: (code, line, column)
EXPECTED: dict[str, list[tuple[str, int, int]]] = {
    "CR001-yaml-syntax.yaml": [("CR001", 24, 11)],
    "CR002-unreadable.yaml": [("CR002", 1, 1)],
    "CR003-yaml-unsupported.yaml": [("CR003", 12, 12)],
    "CR004-duplicate-key.yaml": [("CR004", 26, 9)],
    "CR005-yaml11-scalar.yaml": [("CR005", 5, 10)],
    "CR071-bidi-control.yaml": [("CR071", 18, 66), ("CR071", 18, 78)],
    "CR072-invisible-character.yaml": [("CR072", 34, 85)],
    "CR073-control-character.yaml": [("CR073", 20, 13)],
    "CR101-schema.yaml": [("CR101", 26, 22)],
    "CR102-required.yaml": [("CR102", 24, 9)],
    "CR103-unknown-key.yaml": [("CR103", 16, 9)],
    "CR104-bad-id.yaml": [("CR104", 24, 13)],
    "CR201-duplicate-id.yaml": [("CR201", 36, 13)],
    "CR202-unknown-target.yaml": [("CR202", 28, 15)],
    "CR203-unknown-ref.yaml": [("CR203", 26, 16)],
    "CR204-unknown-choice.yaml": [("CR204", 26, 16)],
    "CR205-undefined-variable.yaml": [("CR205", 34, 79)],
    "CR206-question-asked-later.yaml": [("CR206", 23, 20)],
    "CR301-unreachable-step.yaml": [("CR301", 35, 13)],
    "CR302-branch-cycle.yaml": [("CR302", 42, 9)],
    "CR401-message-too-long.yaml": [("CR401", 34, 21)],
    "CR402-statement-without-approval.yaml": [("CR402", 28, 9)],
    "CR403-escalation-without-approval.yaml": [("CR403", 35, 11)],
    "CR404-escalation-without-backup.yaml": [("CR404", 34, 11)],
    "CR405-banned-in-template.yaml": [("CR405", 36, 21)],
    "CR406-excuse-in-template.yaml": [("CR406", 35, 21)],
    "CR407-milestone-without-message.yaml": [("CR407", 19, 20)],
    "CR450-cadence-without-message.yaml": [("CR450", 14, 9)],
    "CR451-cadence-too-often.yaml": [("CR451", 17, 26)],
    "CR452-cadence-never-on.yaml": [("CR452", 16, 5)],
    "CR453-cadence-until-unreached.yaml": [("CR453", 17, 12)],
    "CR454-cadence-unmet-at-level.yaml": [("CR454", 15, 26)],
    "CR501-long-checklist.yaml": [("CR501", 19, 9)],
    "CR502-no-review.yaml": [("CR502", 12, 1)],
    "CR503-no-exit-criteria.yaml": [("CR503", 2, 1)],
    "CR504-deadline-order.yaml": [("CR504", 29, 14)],
    "CR505-no-pause-step.yaml": [("CR505", 13, 1)],
    "CR506-no-severity-scale.yaml": [("CR506", 3, 1)],
    "CR600-paths-sampled.yaml": [("CR600", 13, 1)],
    "CR601-gate-not-held.yaml": [("CR601", 25, 13)],
    "CR602-approver-not-named.yaml": [("CR602", 32, 9)],
    "CR603-required-phase-skipped.yaml": [("CR603", 27, 5)],
    "CR604-deadline-out-of-reach.yaml": [("CR604", 31, 9)],
    "CR605-ends-without-review.yaml": [("CR605", 17, 13)],
    "CR606-named-without-consent.yaml": [("CR606", 34, 57)],
    "CR607-grade-not-set.yaml": [("CR607", 21, 17)],
    "CR901-unused-noqa.yaml": [("CR901", 4, 26)],
    "CR902-bad-noqa.yaml": [("CR902", 5, 17)],
}


def lint(path: Path) -> list[tuple[str, int, int]]:
    result = check_file(path, path.name, LintConfig())
    return [(f.code, f.line, f.column) for f in result.findings]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_exactly_its_finding(name: str) -> None:
    assert lint(FIXTURES / name) == EXPECTED[name]


def test_every_rule_has_a_fixture() -> None:
    on_disk = sorted(p.name for p in FIXTURES.glob("CR*.yaml"))
    assert sorted(p.split("-")[0] for p in on_disk) == [r.code for r in all_rules()]
    assert sorted(EXPECTED) == on_disk


def test_clean_fixture_is_clean() -> None:
    assert lint(FIXTURES / "clean.yaml") == []


# The path rules, and the update cadence's rules, each with a near miss that passes.
PATH_RULES = [r for r in all_rules() if r.code.startswith(("CR6", "CR45"))]


@pytest.mark.parametrize("rule", PATH_RULES, ids=lambda r: r.code)
def test_each_path_rule_has_a_fixture_that_passes(rule) -> None:  # type: ignore[no-untyped-def]
    # The near miss: the same playbook, changed just enough to be right on every path.
    passing = FIXTURES / "ok" / f"{rule.code}-{rule.name}.yaml"
    assert passing.is_file(), passing
    assert lint(passing) == []
    assert lint(FIXTURES / passing.name) != []


def test_fixture_names_match_rule_names() -> None:
    by_code = {r.code: r.name for r in all_rules()}
    for name in EXPECTED:
        code, rule = re.match(r"(CR\d+)-(.+)\.yaml$", name).groups()  # type: ignore[union-attr]
        assert by_code[code] == rule


def test_bundled_playbooks_lint_clean(cli) -> None:  # type: ignore[no-untyped-def]
    folder = bundled_dir()
    files = sorted(folder.glob("*.yaml"))
    assert files, "no bundled playbooks found"
    for path in files:
        assert lint(path) == [], path.name
    result = cli("lint", "--strict", str(folder))
    assert result.exit_code == 0, result.stdout + result.stderr


def test_docs_have_one_entry_per_rule() -> None:
    text = (REPO / "docs" / "lint.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### (CR\d{3}) `([a-z0-9-]+)`", text, flags=re.M)
    assert headings == [(r.code, r.name) for r in all_rules()]


def test_structure_errors_stop_the_cascade(tmp_path: Path) -> None:
    # A step without a title is dropped by the loader; the goto that targets it must not
    # produce an unknown-target finding on top of the real problem.
    text = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    text = text.replace("        title: Write down the lessons\n", "")
    text = text.replace("        due: 30m\n", "        due: 30m\n        goto: lessons\n")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert [code for code, _, _ in lint(path)] == ["CR102"]


def test_nested_condition_reference_points_at_its_key(tmp_path: Path) -> None:
    text = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    text = text.replace("when: {reach: wide}", "when: {any: [{reach: wide}, {spread: wide}]}")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("        when: {any: [{reach: wide}, {spread: wide}]}") + 1
    column = text.splitlines()[line - 1].index("spread") + 1
    assert lint(path) == [("CR203", line, column)]


@pytest.mark.parametrize(
    ("written", "code", "at"),
    [
        ("when: {severity: {at_least: high}}", None, ""),
        ("when: {severity: [high, critical]}", None, ""),
        ("when: {severity: {at_leest: high}}", "CR103", "at_leest"),
        ("when: {severity: {at_least: hihg}}", "CR204", "hihg"),
        ("when: {severity: [high, severe]}", "CR204", "severe"),
        ("when: {severity: {at_least: critical, at_most: low}}", "CR101", "{at_least"),
    ],
)
def test_severity_conditions_are_checked_where_they_are_written(
    tmp_path: Path, written: str, code: str | None, at: str
) -> None:
    text = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    text = text.replace("when: {reach: wide}", written)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    if code is None:
        assert lint(path) == []
        return
    line = text.splitlines().index(f"        {written}") + 1
    column = text.splitlines()[line - 1].index(at) + 1
    assert lint(path) == [(code, line, column)]


@pytest.mark.parametrize(
    ("replace", "by", "code", "at"),
    [
        ("          approval: true\n", "          approval: true\n          escalate_after: 5\n",
         "CR101", "5"),
        ("          approval: true\n", "          approval: true\n          escalate_after: soon\n",
         "CR101", "soon"),
        ("  - id: approver\n", "  - id: severity\n", "CR104", "severity"),
    ],
)  # fmt: skip
def test_escalation_and_the_reserved_severity_id_are_located(
    tmp_path: Path, replace: str, by: str, code: str, at: str
) -> None:
    text = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    assert replace in text
    text = text.replace(replace, by)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.endswith(f": {at}"))
    found = [f for f in lint(path) if f[0] == code]
    assert found == [(code, line, lines[line - 1].rindex(at) + 1)]


def test_conditional_goto_keeps_following_step_reachable(tmp_path: Path) -> None:
    text = (FIXTURES / "CR301-unreachable-step.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "        goto: lessons\n",
        "        goto:\n          - to: lessons\n            when: {reach: low}\n",
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert lint(path) == []


def test_conditional_loop_with_an_exit_is_fine(tmp_path: Path) -> None:
    text = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "        milestone: resolution\n",
        "        milestone: resolution\n        goto:\n          - to: look\n            when: {reach: low}\n",
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert lint(path) == []


def test_goto_end_is_a_way_out(tmp_path: Path) -> None:
    text = (FIXTURES / "CR302-branch-cycle.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "        goto: look\n",
        "        goto:\n          - to: end\n            when: {reach: low}\n          - look\n",
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    assert lint(path) == []


def test_variables_in_block_scalars_are_located(tmp_path: Path) -> None:
    text = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "        guidance: Check what {{ brand }} posted, and when.\n",
        "        guidance: |\n          First line.\n          Then ask {{  owner }} and {{ incident.title }}.\n",
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "owner" in t)
    assert lint(path) == [("CR205", line, lines[line - 1].index("{{") + 1)]


def test_syntax_error_names_where_the_open_construct_began() -> None:
    result = check_file(FIXTURES / "CR001-yaml-syntax.yaml", "x.yaml", LintConfig())
    assert result.findings[0].message == (
        "invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence, which starts at line 23, column 22)"
    )


def test_path_states_setting_bounds_the_explorer(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(
        (FIXTURES / "ok" / "CR600-paths-sampled.yaml").read_text(encoding="utf-8"), "utf-8"
    )
    assert cli("lint", "--strict", "p.yaml").exit_code == 0
    (tmp_path / "crisis.toml").write_text("[lint]\npath-states = 100\n", encoding="utf-8")
    sampled = cli("lint", "-f", "concise", "p.yaml")
    assert "CR600 more than 100 distinct states" in sampled.stdout
    (tmp_path / "crisis.toml").write_text("[lint]\npath-states = 5\n", encoding="utf-8")
    refused = cli("lint", "p.yaml")
    assert refused.exit_code == 2 and "'path-states'" in refused.stderr
