"""``crisis show --flow``: Mermaid flowcharts that parse, show every real move and nothing
else, and cannot be broken or hijacked by what a playbook says.

CI checks every chart against the exact grammar the renderer writes (below). The real
Mermaid parser runs too when it is installed: set ``MERMAID_NODE_MODULES`` to a folder
whose ``node_modules`` holds ``mermaid`` and ``jsdom`` (``npm install mermaid jsdom``);
see docs/library.md, "Flowcharts".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crisiscli.playbook.catalog import bundled_dir
from crisiscli.playbook.load import load_playbook
from crisiscli.views.flowchart import label_text, render_flowchart
from crisiscli.walk.answers import check_against, load_answers
from crisiscli.walk.paths import explore
from tests.helpers import load_playbook_text
from tests.views import library_flows

BUNDLED = sorted(bundled_dir().glob("*.yaml"))
HERE = Path(__file__).resolve().parent

LABEL = r"(?:[\w .,:!?'()\-/=]|#\d+;|<br/>)*"
LINE = re.compile(
    "|".join(
        [
            r"flowchart TD",
            rf"  %% {LABEL}",
            r'  start\(\["Start"\]\)',
            r'  finish\(\["End"\]\)',
            rf'  subgraph p\d+\["{LABEL}"\]',
            r"    direction TB",
            rf'    s\d+\["{LABEL}"\]',
            r"  end",
            rf'  (?:start|s\d+) -->(?:\|"{LABEL}"\|)? (?:s\d+|finish)',
        ]
    )
)

HOSTILE = """
id: hostile
title: "Evil \\"]; click s1 call alert(1) %% <img src=x onerror=alert(1)> `x` | #35; end"
phases:
  - id: a
    title: "Phase\\"]\\nend\\nsubgraph X[\\"y"
    steps:
      - id: end-ish
        title: "Title with \\u202ebidi\\u202c, \\u0007bell, tab\\tand line\\nbreak -->|x| s2"
        questions:
          - {id: q, prompt: "Q?", type: choice, choices: ["a\\"]-->b", "<b>x</b>"]}
        goto:
          - {to: last, when: {q: "a\\"]-->b"}}
      - id: mid
        title: "{{ brand }} & entities &lt; &#35; ;;; [[x]] ((y)) {z} ```"
        when: {q: "<b>x</b>"}
      - id: last
        title: "%%{init: {'theme':'dark'}}%%"
      - id: styled
        title: "Check the style: colours #fff; and classDef x fill:#f00;"
"""


def hostile_chart() -> str:
    return render_flowchart(load_playbook_text(HOSTILE, "hostile.yaml"))


def charts() -> dict[str, str]:
    found = {p.stem: render_flowchart(load_playbook(p)) for p in BUNDLED}
    found["hostile"] = hostile_chart()
    return found


def grammar_errors(chart: str) -> list[str]:
    lines = chart.rstrip("\n").split("\n")
    bad = [line for line in lines if not LINE.fullmatch(line)]
    if lines[0] != "flowchart TD":
        bad.insert(0, "first line")
    opened = sum(1 for line in lines if line.startswith("  subgraph "))
    closed = sum(1 for line in lines if line == "  end")
    if opened != closed:
        bad.append(f"{opened} subgraphs, {closed} ends")
    return bad


@pytest.mark.parametrize("name", [*(p.stem for p in BUNDLED), "hostile"])
def test_every_chart_keeps_to_the_grammar(name: str) -> None:
    assert grammar_errors(charts()[name]) == []


def test_hostile_text_stays_text() -> None:
    chart = hostile_chart()
    # Nothing a playbook says can close a label, start a comment, a directive, a new
    # statement or a tag: every such character is an entity code.
    body = "\n".join(line for line in chart.splitlines() if not line.startswith("  %%"))
    labels = re.findall(r'"([^"]*)"', body)
    assert labels
    for label in labels:
        plain = re.sub(r"#\d+;", "", label.replace("<br/>", ""))
        assert not set(plain) & set('"<>|`%[]{};\n\t\x07\u202e\u202c'), label
    assert "click" in chart  # the words survive, harmless inside a label
    assert "#115;tyle" in chart and "#99;lassDef" in chart
    # Hidden characters are shown as every other view shows them (`<U+202E>`, `\x07`),
    # written as entity codes; a tab or line break is a space.
    assert (
        "Title with #60;U#43;202E#62;bidi#60;U#43;202C#62;, #92;x07bell, tab and line break"
        in chart
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ('Say "sorry"', "Say #34;sorry#34;"),
        ("a|b", "a#124;b"),
        ("100% <b>", "100#37; #60;b#62;"),
        ("Äg samtalet", "Äg samtalet"),
        ("line\nbreak\u202e", "line break#60;U#43;202E#62;"),
        ("zero\u200bwidth", "zero#60;U#43;200B#62;width"),
        ("family 👨\u200d👧", "family #128104;#8205;#128103;"),  # a joiner in an emoji stays
        ("x" * 100, "x" * 79 + "#8230;"),
    ],
)
def test_label_text(text: str, label: str) -> None:
    assert label_text(text) == label


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_chart_has_every_step_and_only_real_moves(path: Path) -> None:
    playbook = load_playbook(path)
    chart = render_flowchart(playbook)
    ids = {s.id: f"s{i + 1}" for i, s in enumerate(playbook.steps)}
    for step in playbook.steps:
        assert f'    {ids[step.id]}["{label_text(step.title)}' in chart, step.id
    drawn = set(re.findall(r"^  (start|s\d+) -->(?:\|[^|]*\|)? (s\d+|finish)$", chart, re.M))
    exploration = explore(playbook)
    moves = {
        (
            "start" if t.visit is None else ids[t.visit.step],
            "finish" if t.target is None else ids[t.target.step],
        )
        for t in exploration.transitions
    }
    assert drawn == moves


def test_goto_arrows_carry_their_condition() -> None:
    chart = render_flowchart(load_playbook(bundled_dir() / "general.yaml"))
    assert '-->|"grade = low and not (source in ours, personal-post)"|' in chart


def test_docs_library_shows_every_playbook_and_is_current() -> None:
    text = library_flows.DOC.read_text(encoding="utf-8")
    shown = [m.group("id") for m in library_flows.BLOCK.finditer(text)]
    assert sorted(shown) == sorted(p.stem for p in BUNDLED)
    assert library_flows.updated(text) == text, (
        "docs/library.md flowcharts are out of date: python -m tests.views.library_flows"
    )


def mermaid_modules() -> Path | None:
    folder = os.environ.get("MERMAID_NODE_MODULES")
    if not folder or shutil.which("node") is None:
        return None
    path = Path(folder)
    return path if (path / "node_modules" / "mermaid").is_dir() else None


@pytest.mark.skipif(mermaid_modules() is None, reason="the real Mermaid parser is not installed")
def test_the_real_mermaid_parser_accepts_every_chart(tmp_path: Path) -> None:
    folder = mermaid_modules()
    assert folder is not None
    files = []
    for name, chart in charts().items():
        target = tmp_path / f"{name}.mmd"
        target.write_text(chart, encoding="utf-8")
        files.append(str(target))
    script = folder / "mermaid_parse.mjs"
    script.write_text((HERE / "mermaid_parse.mjs").read_text(encoding="utf-8"), "utf-8")
    done = subprocess.run(
        ["node", str(script), *files], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("OK ") == len(files)


# -- the command ---------------------------------------------------------------------------


def test_show_flow_prints_the_chart(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "tragedy", "--flow")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == render_flowchart(load_playbook(bundled_dir() / "tragedy.yaml"))


def test_show_paths_lists_them_and_writes_drill_scripts(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "tragedy", "--paths", "--scripts", str(tmp_path / "drills"))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # tragedy grades now (issue 20: directly affected, threats): 92 paths, all listed
    assert lines[0] == "tragedy: 92 paths, every one listed."
    assert any("resume=no, resume=yes" in line for line in lines)
    files = sorted((tmp_path / "drills").glob("*.yaml"))
    assert [f.name for f in files] == [f"tragedy-path-{n:03d}.yaml" for n in range(1, 93)]
    playbook = load_playbook(bundled_dir() / "tragedy.yaml")
    for file in files:
        check_against(load_answers(file), playbook)
    ran = cli("start", "tragedy", "--answers", str(files[1]))
    assert ran.exit_code == 0, ran.stderr


def test_show_paths_over_the_budget_says_it_sampled(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "general", "--paths", "--budget", "3", "--seed", "4")
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("general: ") and "over the budget of 3" in first and "seed 4" in first
    assert len(result.stdout.splitlines()) == 4


def test_show_options_that_do_not_go_together(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("show", "general", "--flow", "--paths").exit_code == 2
    assert cli("show", "general", "--scripts", "x").exit_code == 2


@given(st.text())
def test_any_text_becomes_a_safe_label(text: str) -> None:
    label = label_text(text)
    assert re.fullmatch(LABEL, label)
    assert not set(re.sub(r"#\d+;", "", label)) & set('"<>|`%[]{};#\n\r\t')
    assert "style" not in label and "classDef" not in label
