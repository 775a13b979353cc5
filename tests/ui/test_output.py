"""The plain output layer: tables are data, written whole and as typed."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from crisiscli.env import set_env
from crisiscli.ui.output import table
from tests.conftest import make_env


def test_a_table_cell_is_never_respelled_as_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run as `python -m crisiscli`, hints say so; a title that reads "crisis note" is the
    # title, not a hint, and stays as written.
    monkeypatch.setattr(sys, "argv", ["/src/crisiscli/__main__.py", "list"])
    env = make_env(tmp_path)
    set_env(env)
    try:
        table([["a1", "crisis note failed on the train"]], ["ID", "TITLE"])
    finally:
        set_env(None)
    assert isinstance(env.stdout, io.StringIO)
    shown = env.stdout.getvalue().splitlines()
    assert shown == ["ID  TITLE", "--  " + "-" * 31, "a1  crisis note failed on the train"]


def test_a_table_is_one_write(tmp_path: Path) -> None:
    writes: list[str] = []

    class Counting(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return super().write(text)

    env = make_env(tmp_path)
    env.stdout = Counting()
    set_env(env)
    try:
        table([[f"id{n}", "title"] for n in range(50)], ["ID", "TITLE"])
    finally:
        set_env(None)
    assert len(writes) == 1 and writes[0].count("\n") == 52


def test_a_table_shows_hidden_characters(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    set_env(env)
    try:
        table([["a1", "Wrong \u202eimage\x1b[2J"], ["b2", "plain"]], ["ID", "TITLE"])
    finally:
        set_env(None)
    assert isinstance(env.stdout, io.StringIO)
    shown = env.stdout.getvalue()
    assert "a1  Wrong <U+202E>image\\x1b[2J\n" in shown
    assert "\u202e" not in shown and "\x1b" not in shown


@pytest.mark.parametrize("columns", [48, 60, 72])
def test_a_wrapped_last_column_lines_up_under_itself(tmp_path: Path, columns: int) -> None:
    env = make_env(tmp_path, columns=columns)
    set_env(env)
    title = "Our apology post went out with the wrong image on every platform"
    try:
        table([["2026-11-30-1542-x", "open", title]], ["ID", "STATUS", "TITLE"])
    finally:
        set_env(None)
    assert isinstance(env.stdout, io.StringIO)
    lines = env.stdout.getvalue().splitlines()
    start = lines[0].index("TITLE")  # where the last column begins
    assert lines[2].index("Our apology") == start
    continued = lines[3:]
    assert continued and all(len(x) - len(x.lstrip(" ")) == start for x in continued), lines
    assert all(len(x) <= columns for x in lines), lines
    assert " ".join(" ".join(x.split()) for x in lines[2:]).endswith(title)
