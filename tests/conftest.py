"""Shared fixtures: every test gets its own CRISIS_HOME and a way to run `crisis`."""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from crisiscli.env import Environment, set_env
from crisiscli.views.log import derived_files

# Hypothesis profiles: `ci` (the default) is modest and derandomized so CI is repeatable;
# `long` is for a deep local run: pytest tests/fuzz --hypothesis-profile=long
settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="run the deep reliability suites (1,000 crash kills, 500 sync kills) instead of the CI-sized ones",
    )


REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def crisis_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "crisis-home"
    monkeypatch.setenv("CRISIS_HOME", str(home))
    monkeypatch.setenv("CRISIS_USER", "tester")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    set_env(None)
    yield home
    set_env(None)
    _stop_sender(home)


def _stop_sender(home: Path) -> None:
    """A background notification sender a test's commands started (walk/sender.py) is
    stopped with the test: it would otherwise wait for a dead channel's next try."""
    if not (home / "notify-sender" / "lock").exists():
        return
    import contextlib
    import signal

    from crisiscli.team.notify import worker as sender

    pid = sender.holder(home)
    if pid is not None and pid != os.getpid():  # an in-process `crisis notify` holds it here
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


class FrozenClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 15, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FrozenClock:
    """A clock at 2026-11-23 15:00 UTC (``tests.helpers.START``) that the test moves."""
    return FrozenClock()


def make_env(home: Path, *, stdin: str = "", tty: bool = False, clock: FrozenClock | None = None,
             actor: str = "tester", columns: int | None = None) -> Environment:  # fmt: skip
    env = Environment(
        stdin=io.StringIO(stdin),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin_isatty=tty,
        stdout_isatty=False,
        columns=columns,
        home=home,
        actor=actor,
        derived=derived_files,  # log.md, as cli/app.py composes it
    )
    if clock is not None:
        env.clock = clock
    env.notify_inline = True  # deliveries in this process, on this clock (not a sender process)
    return env


def run_cli(
    home: Path, *args: str, stdin: str = "", clock: FrozenClock | None = None, actor: str = "tester",
    columns: int | None = None,
) -> Result:  # fmt: skip
    """`crisis ARGS` in-process against ``home``, with captured streams (``columns``: the
    terminal's width; None, as for a pipe, keeps whole lines)."""
    from crisiscli.cli.app import main

    env = make_env(home, stdin=stdin, clock=clock, actor=actor, columns=columns)
    set_env(env)
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        set_env(None)
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return Result(code, env.stdout.getvalue(), env.stderr.getvalue())


@pytest.fixture
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private git configuration: no user settings leak in, commits have an author."""
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Crisis Test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.org")


@pytest.fixture
def cli(crisis_home: Path):  # type: ignore[no-untyped-def]
    """Run `crisis ARGS` in-process: ``cli("list", "--json")`` → Result."""

    def run(
        *args: str, stdin: str = "", clock: FrozenClock | None = None, actor: str = "tester"
    ) -> Result:
        return run_cli(crisis_home, *args, stdin=stdin, clock=clock, actor=actor)

    return run


def crisis_command() -> list[str]:
    """``CRISIS_UNDER_TEST`` (an installed `crisis` script: CI's smoke runs), else the
    installed `crisis` script next to this Python, else `python -m crisiscli`."""
    under_test = os.environ.get("CRISIS_UNDER_TEST")
    if under_test:
        return [under_test]
    script = Path(sys.executable).parent / "crisis"
    if script.exists():
        return [str(script)]
    found = shutil.which("crisis")
    return [found] if found else [sys.executable, "-m", "crisiscli"]


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"CRISIS_HOME": str(home), "CRISIS_USER": "tester", "TZ": "UTC", "PROMPT_TOOLKIT_NO_CPR": "1",
                "TERM": "xterm", "COLUMNS": "100", "LINES": "40", "NO_COLOR": "1"})  # fmt: skip
    env.update(extra)
    return env
