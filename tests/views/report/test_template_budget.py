"""Issue 26 finding 7: a `--template` is a person's file and runs in a sandbox with a budget
of time, output and memory. A template with a 10^10-iteration loop used to run on after 60 s;
now each overrun is one line naming the template, exit 3, and nothing written."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

import pytest

from crisiscli.views.report import sandbox
from tests.conftest import crisis_command, subprocess_env
from tests.helpers import open_incident

LOOP = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}done\n"


def report(home: Path, template: Path, *extra: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """The real command, its address space capped at 3 GiB (a runaway template on the old
    code must not take the machine down with it)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    return subprocess.run(
        [*crisis_command(), "report", "--template", str(template), *extra],
        capture_output=True,
        text=True,
        env=subprocess_env(home, **env),
        timeout=timeout,
        preexec_fn=cap,
        check=False,
    )


@pytest.fixture
def incident_home(crisis_home: Path) -> Path:
    from tests.conftest import make_env

    open_incident(make_env(crisis_home))
    return crisis_home


def one_line(result: subprocess.CompletedProcess[str], template: Path, *words: str) -> None:
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("  hint:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"crisis: error: {template}"), lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def test_a_loop_of_ten_billion_is_stopped_at_the_time_budget(incident_home: Path, tmp_path: Path) -> None:  # fmt: skip
    template = tmp_path / "loop.md.j2"
    template.write_text(LOOP, encoding="utf-8")
    out = tmp_path / "report.md"
    began = time.monotonic()
    result = report(
        incident_home, template, "-o", str(out), timeout=60, CRISIS_TEMPLATE_SECONDS="3"
    )
    took = time.monotonic() - began
    assert result.returncode == 3, result.stderr
    one_line(result, template, "ran longer than 3 s", "nothing was written")
    assert took < 30, took
    assert not out.exists()


def test_output_over_the_budget_is_refused(incident_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    monkeypatch.setattr(sandbox, "TEMPLATE_MAX_CHARS", 1_000_000)
    template = tmp_path / "big.md.j2"
    template.write_text('{% for a in range(100000) %}{{ "x" * 100 }}{% endfor %}', encoding="utf-8")
    result = cli("report", "--template", str(template))
    assert result.exit_code == 3, result
    assert result.stdout == ""
    assert "more than 1,000,000 characters" in result.stderr
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"crisis: error: {template}") and "of output and was stopped" in line


def test_memory_over_the_budget_is_refused(incident_home: Path, tmp_path: Path) -> None:
    template = tmp_path / "huge.md.j2"
    template.write_text('{{ ("x" * 100000000) * 40 }}', encoding="utf-8")  # 4 GB of text
    result = report(incident_home, template, timeout=120)
    assert result.returncode == 3, result.stderr[-2000:]
    one_line(result, template, "memory")
    assert result.stdout == ""


def test_a_template_within_its_budget_still_works(incident_home: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    template = tmp_path / "ok.md.j2"
    template.write_text(
        "{{ incident.title }} — {% for a in range(3) %}{{ a }}{% endfor %}\n", encoding="utf-8"
    )
    result = cli("report", "--template", str(template))
    assert result.exit_code == 0, result
    assert result.stdout == "Test incident — 012\n"


def test_the_budget_variable_must_be_a_positive_number(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, seconds in (("5", 5.0), ("0", 30.0), ("-1", 30.0), ("soon", 30.0), ("", 30.0)):
        monkeypatch.setenv("CRISIS_TEMPLATE_SECONDS", raw)
        assert sandbox.budget_seconds() == seconds
    assert os.environ["CRISIS_TEMPLATE_SECONDS"] == ""
