"""Plain output: tables align by terminal columns, not by len()."""

from __future__ import annotations

from pathlib import Path

from crisiscli.width import display_width, pad


def test_display_width() -> None:
    assert display_width("abc") == 3
    assert display_width("日本語") == 6
    assert display_width("e\u0301") == 1  # a combining mark takes no column
    assert display_width("\U0001f468\u200d\U0001f469\u200d\U0001f467") == 2
    assert pad("日本", 6) == "日本  "


def test_table_columns_line_up_with_cjk_cells(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    from crisiscli.env import set_env
    from crisiscli.ui.output import table
    from tests.conftest import make_env

    env = make_env(crisis_home)
    set_env(env)
    try:
        table([["お詫び文", "x"], ["apology", "y"]], ["TEXT", "PLATFORM"])
    finally:
        set_env(None)
    lines = env.stdout.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines[2].endswith("x") and lines[3].endswith("y")
    # the second column starts at the same terminal column: 8 (お詫び文) + 2
    assert [display_width(line[:-1]) for line in lines[2:]] == [10, 10]
    assert display_width(lines[0][: lines[0].index("PLATFORM")]) == 10


def test_playbooks_listing_aligns_a_cjk_file_name(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    folder = crisis_home / "playbooks"
    folder.mkdir(parents=True)
    (folder / "お詫び.yaml").write_text("id: [broken\n", encoding="utf-8")
    out = cli("playbooks").stdout
    line = next(line for line in out.splitlines() if "お詫び" in line)
    # the id column is a third of the 80 columns a pipe gets (issue 22): 26 cells, the CJK
    # name counted two cells a character
    assert display_width(line.split("does not load")[0]) == 2 + 80 // 3 + 1
