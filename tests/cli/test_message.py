"""`crisis message check`: the composer's checks from the shell."""

from __future__ import annotations

import json

APOLOGY_JA = (
    "詳細は https://example.jp/infoをご覧ください。お客様にはご迷惑をおかけし申し訳ございません。"
)


def test_counts_as_each_platform_counts(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("message", "check", "--json", "-p", "x", "-p", "bluesky", APOLOGY_JA)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    lengths = {entry["platform"]: entry["count"] for entry in data["lengths"]}
    assert lengths == {"x": 92, "bluesky": len(APOLOGY_JA)}
    links = [f["excerpt"] for f in data["findings"] if f["rule"] == "link"]
    assert links == ["https://example.jp/info"]
    assert not [f for f in data["findings"] if f["rule"] == "spelling"]  # not English words


def test_errors_exit_1_and_are_listed(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "message", "check", "-p", "x", "--banned", "no comment", "No comment, {{ brand }}."
    )
    assert result.exit_code == 1
    assert "“{{ brand }}” is not filled in." in result.stdout
    assert "banned phrase" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("x ")


def test_over_the_limit_and_limit_overrides(cli) -> None:  # type: ignore[no-untyped-def]
    text = "字" * 141
    over = cli("message", "check", "-p", "x", "--no-spelling", text)
    assert over.exit_code == 1
    assert "2 over" in over.stdout
    raised = cli("message", "check", "-p", "x", "--limit", "x=25000", "--no-spelling", text)
    assert raised.exit_code == 0
    bad = cli("message", "check", "--limit", "x=lots", "hi")
    assert bad.exit_code == 2


def test_reads_standard_input_and_warnings_fail_with_strict(cli) -> None:  # type: ignore[no-untyped-def]
    piped = cli("message", "check", "-", "-p", "x", stdin="We were hacked.\n")
    assert piped.exit_code == 0
    assert "blames an attacker" in piped.stdout
    assert "x 15/280" in piped.stdout
    strict = cli("message", "check", "--strict", "-p", "x", stdin="We were hacked.\n")
    assert strict.exit_code == 1


def test_a_draft_saved_on_windows_counts_as_typed(cli) -> None:  # type: ignore[no-untyped-def]
    """CRLF from a file written on Windows is one line break, not a stray `\\r` X counts."""
    crlf = cli(
        "message", "check", "-", "-p", "x", "--json", stdin="We are sorry.\r\nMore soon.\r\n"
    )
    lf = cli("message", "check", "-", "-p", "x", "--json", stdin="We are sorry.\nMore soon.\n")
    assert crlf.exit_code == lf.exit_code == 0
    assert json.loads(crlf.stdout) == json.loads(lf.stdout)
