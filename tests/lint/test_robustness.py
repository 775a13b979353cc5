"""No input makes `crisis lint` crash: every bad file is a finding, every bad call an error."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisiscli.lint.checks import check_file, check_text
from crisiscli.lint.config import LintConfig
from crisiscli.lint.rules import BY_CODE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONFIG = LintConfig()


def assert_sane(result_findings: list, text: str | None = None) -> None:  # type: ignore[type-arg]
    for f in result_findings:
        assert f.rule.code in BY_CODE
        assert f.line >= 1 and f.column >= 1
        assert (f.end_line, f.end_column) > (f.line, f.column)
        assert "could not check this file" not in f.message, f.message
        if text is not None and f.source_line is not None:
            assert f.line <= text.count("\n") + text.count("\r") + 1 + text.count("\x85")


# -- generated input -------------------------------------------------------------------------

scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "on", "off", "1.10", "~", "end", "{{ x }}", "15m", "1h"]),
    st.integers(),
    st.booleans(),
    st.none(),
)
keys = st.sampled_from(
    ["id", "title", "phases", "steps", "items", "goto", "when", "due", "message", "template",
     "questions", "choices", "type", "inputs", "crisis", "prompt", "to", "all", "any", "not",
     "platforms", "kind", "approval", "exit_criteria", "milestone", "pause_point", "x"]
)  # fmt: skip
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_generated_playbook_shapes_never_crash(data: object) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    assert_sane(check_text(text, "gen.yaml", CONFIG).findings, text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    assert_sane(check_text(text, "t.yaml", CONFIG).findings, text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(tmp_path_factory: pytest.TempPathFactory, blob: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "b.yaml"
    path.write_bytes(blob)
    assert_sane(check_file(path, "b.yaml", CONFIG).findings)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_fixture_never_crashes(data: st.DataObject) -> None:
    text = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 8))
        insert = data.draw(
            st.sampled_from(
                ["", ":", "- ", "{", "]", "\n", "  ", "&a ", "*a", "'", '"', "#", "\t", "{{"]
            )
        )
        text = text[:at] + insert + text[at + cut :]
    assert_sane(check_text(text, "m.yaml", CONFIG).findings, text)


# -- hostile files ----------------------------------------------------------------------------


def test_billion_laughs_is_bounded() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    text = "\n".join(lines) + "\n"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    findings = check_text(text, "bomb.yaml", CONFIG).findings
    used = time.process_time() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [f.code for f in findings] == ["CR003"]
    assert "expands to more than" in findings[0].message
    # Expanding 9**10 values would take hours and terabytes; the cap stops it early.
    assert used < 30 and grown_mb < 1024


def test_recursive_alias_is_a_finding() -> None:
    findings = check_text("a: &x\n  b: *x\n", "r.yaml", CONFIG).findings
    assert [f.code for f in findings] == ["CR003"]


def test_deep_nesting_is_a_finding() -> None:
    text = "a: " + "[" * 200 + "]" * 200 + "\n"
    findings = check_text(text, "deep.yaml", CONFIG).findings
    assert [f.code for f in findings] in (["CR003"], ["CR001"])


def test_ten_megabyte_file(tmp_path: Path) -> None:
    base = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")
    filler = "          " + "A long guidance line for a big playbook. " * 40 + "\n"
    body = filler * (10 * 1024 * 1024 // len(filler))
    text = base.replace(
        "        guidance: Check what {{ brand }} posted, and when.\n",
        "        guidance: |\n" + body,
    )
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 10 * 1024 * 1024
    assert check_file(path, "big.yaml", CONFIG).findings == []


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"a: b\n" * (17 * 1024 * 1024 // 5))
    findings = check_file(path, "huge.yaml", CONFIG).findings
    assert [(f.code, f.line, f.column) for f in findings] == [("CR002", 1, 1)]
    assert "larger than" in findings[0].message


def test_ten_megabyte_single_line_keeps_the_snippet_short(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "line.yaml"
    path.write_text("title: [" + "x, " * (3 * 1024 * 1024) + "\n", encoding="utf-8")
    result = cli("lint", str(path))
    assert result.exit_code == 1
    assert "CR003" in result.stdout and "more than 200000 values" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) < 400


def test_binary_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "pic.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = cli("lint", "-f", "concise", str(path))
    assert result.exit_code == 1
    assert "CR002 binary file, not YAML text" in result.stdout


def test_invalid_utf8_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"id: x\ntitle: Caf\xe9\n")
    findings = check_file(path, "latin1.yaml", CONFIG).findings
    assert [(f.code, f.line, f.column) for f in findings] == [("CR002", 2, 11)]


def test_unreadable_file_is_a_finding(cli) -> None:  # type: ignore[no-untyped-def]
    # /proc/self/mem exists but reading it from offset 0 fails (EIO), even for root.
    if not Path("/proc/self/mem").exists():
        pytest.skip("needs Linux /proc")
    result = cli("lint", "-f", "concise", "/proc/self/mem")
    assert result.exit_code == 1
    assert "CR002 cannot read" in result.stdout


def test_permission_denied_is_a_finding(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if os.geteuid() == 0:
        pytest.skip("root can read any file; see test_unreadable_file_is_a_finding")
    path = tmp_path / "secret.yaml"
    path.write_text("id: x\n", encoding="utf-8")
    path.chmod(0)
    result = cli("lint", "-f", "concise", str(path))
    assert "CR002 permission denied" in result.stdout


def test_symlink_loops(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    (folder / "loop").symlink_to(folder)  # a folder that contains itself
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)
    (folder / "ok.yaml").write_text((FIXTURES / "clean.yaml").read_text(encoding="utf-8"))
    result = cli("lint", "-f", "concise", str(folder))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert sum("CR002" in line for line in lines) == 2
    assert "3 files checked" in lines[-1]


def test_folder_named_like_a_playbook(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "dir.yaml").mkdir()
    result = cli("lint", str(tmp_path / "dir.yaml"))
    assert result.exit_code == 0  # an empty folder: nothing to check
    assert "0 files checked" in result.stdout


def test_empty_and_comment_only_files(tmp_path: Path) -> None:
    for text in ("", "   \n", "# only a comment\n"):
        findings = check_text(text, "e.yaml", CONFIG).findings
        assert [(f.code, f.line, f.column) for f in findings] == [("CR001", 1, 1)]


# -- flow analysis against the engine's own flow -------------------------------------------------

targets = st.sampled_from(["s0", "s1", "s2", "s3", "s4", "s5", "end", "nowhere"])
conditions = st.sampled_from([None, "{q: 'yes'}", "{q: 'no'}"])
step_shapes = st.lists(
    st.tuples(conditions, st.lists(st.tuples(targets, conditions), max_size=3)),
    min_size=1,
    max_size=6,
)


def _flow_playbook(shapes: list) -> str:  # type: ignore[type-arg]
    lines = [
        "crisis: 1",
        "id: flow",
        "title: Flow",
        "exit_criteria: [done]",
        "inputs:",
        "  - {id: q, prompt: Q, type: yesno}",
        "phases:",
        "  - id: review",
        "    title: Review",
        "    steps:",
    ]
    for i, (when, branches) in enumerate(shapes):
        lines.append(f"      - id: s{i}")
        lines.append(f"        title: Step {i}")
        if when:
            lines.append(f"        when: {when}")
        if branches:
            lines.append("        goto:")
            for to, bwhen in branches:
                lines.append(f"          - to: {to}")
                if bwhen:
                    lines.append(f"            when: {bwhen}")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(step_shapes)
def test_flow_findings_agree_with_the_engine(shapes: list) -> None:  # type: ignore[type-arg]
    from types import SimpleNamespace

    from crisiscli.playbook.load import build_text
    from crisiscli.walk.flow import applies, successor

    text = _flow_playbook(shapes)
    result = check_text(text, "flow.yaml", CONFIG)
    codes = {f.code for f in result.findings}
    if codes & {"CR202"}:
        return  # an unknown target: the playbook does not load, flow checks wait
    assert "could not check" not in str([f.message for f in result.findings])
    playbook = build_text(text, "flow.yaml").playbook
    assert playbook is not None
    unreachable = {f.message.split("'")[1] for f in result.findings if f.code == "CR301"}
    looping = any(f.code == "CR302" for f in result.findings)
    for answer in (True, False):
        state = SimpleNamespace(inputs={"q": answer}, answers={}, severity="moderate", grading=[])
        current = next((s.id for s in playbook.steps if applies(s, state)), None)  # type: ignore[arg-type]
        seen: list[str] = []
        while current is not None and len(seen) <= 3 * len(playbook.steps):
            assert current not in unreachable, (text, current)
            seen.append(current)
            current = successor(playbook, current, state)  # type: ignore[arg-type]
    if looping:
        # A reported loop has no way out for any answer: no walk that enters it finishes.
        loop_steps = {
            name.strip("'")
            for f in result.findings
            if f.code == "CR302"
            for name in f.message.split(" loop ")[0].removeprefix("steps ").split(", ")
        }
        for answer in (True, False):
            state = SimpleNamespace(
                inputs={"q": answer}, answers={}, severity="moderate", grading=[]
            )
            current = next((s.id for s in playbook.steps if applies(s, state)), None)  # type: ignore[arg-type]
            entered = False
            for _ in range(3 * len(playbook.steps) + 1):
                if current is None:
                    break
                entered |= current in loop_steps
                current = successor(playbook, current, state)  # type: ignore[arg-type]
            assert not (entered and current is None), text
    # (No CR302 does not promise a finishing walk: the check assumes any condition may
    # go either way, so it reports only loops that no answer can leave.)
