"""X's count against twitter-text's own references.

- ``data/twitter_text_conformance.json``: inputs and expected results from the twitter-text
  conformance suite (validate.yml v3 weighted-length cases, extract.yml link cases).
- ``data/twitter_text_differential.json``: a seeded corpus of crisis-message-like texts
  whose expected counts and links were computed by the reference implementation (npm
  twitter-text 3.1.0, twemoji-parser 14.0.0). docs/composer.md says how it was made and
  which disagreement classes are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crisiscli.messages import platforms, urls

DATA = Path(__file__).parent / "data"
CONFORMANCE = json.loads((DATA / "twitter_text_conformance.json").read_text("utf-8"))
DIFFERENTIAL = json.loads((DATA / "twitter_text_differential.json").read_text("utf-8"))


def _links(text: str) -> list[str]:
    return [text[start:end] for start, end in urls.find_links(text)]


@pytest.mark.parametrize(
    "case", CONFORMANCE["weighted_length"], ids=lambda c: c["description"][:60]
)
def test_conformance_weighted_length_v3(case: dict[str, Any]) -> None:
    assert platforms.count(case["text"], "x") == case["weighted_length"]


@pytest.mark.parametrize("case", CONFORMANCE["links"], ids=lambda c: c["description"][:60])
def test_conformance_link_extraction(case: dict[str, Any]) -> None:
    assert _links(case["text"]) == case["links"]


def test_differential_corpus_agrees_with_the_reference() -> None:
    cases = DIFFERENTIAL["cases"]
    assert len(cases) > 1000
    wrong_counts = [c for c in cases if platforms.count(c["text"], "x") != c["weighted_length"]]
    wrong_links = [c for c in cases if _links(c["text"]) != c["links"]]
    assert wrong_counts == []
    assert wrong_links == []


JAPANESE_AFTER_LINK = (
    "詳細は https://example.jp/infoをご覧ください。お客様にはご迷惑をおかけし申し訳ございません。"
)
# A realistic apology: under 280 when the Japanese after the link is swallowed into it.
JAPANESE_APOLOGY = (
    "【お詫び】昨夜当アカウントより投稿した内容に、不適切な表現が含まれておりました。"
    "ご覧になった皆様、関係者の皆様に深くお詫び申し上げます。該当の投稿はすでに削除いたしました。"
    "経緯と今後の対策については https://example.co.jp/news/2026/apologyにてご報告しております。"
    "ご意見・お問い合わせは support@example.co.jp までお寄せください。"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (JAPANESE_AFTER_LINK, 92),
        (JAPANESE_APOLOGY, 311),
        ("詳細はexample.comまで", 33),  # a link right after CJK text
        ("example.de", 23),
        ("foo.bar", 23),
        ("Read https://example.com/statement—thanks", 35),
        ("Read https://example.com/statement… more", 35),
        ("“See https://example.com/statement”", 29),
        ("\u2066https://example.com/a\u2069 ok", 30),  # directional isolates around a link
        ("\u202ahttps://example.com/a\u202c", 27),
    ],
)
def test_examples_from_the_issue_count_as_twitter_text(text: str, expected: int) -> None:
    assert platforms.count(text, "x") == expected


def test_the_japanese_apology_is_over_the_limit() -> None:
    assert platforms.count(JAPANESE_APOLOGY, "x") > platforms.limit("x")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "links"),
    [
        (JAPANESE_AFTER_LINK, ["https://example.jp/info"]),
        ("詳細はexample.comまで", ["example.com"]),
        ("Read https://example.com/statement—thanks", ["https://example.com/statement"]),
        ("Read https://example.com/statement… more", ["https://example.com/statement"]),
        ("“See https://example.com/statement”", ["https://example.com/statement"]),
        ("\u2066https://example.com/a\u2069", ["https://example.com/a"]),
        ("help@example.com", []),
        ("a.example.com-x", []),
        (
            "see https://en.wikipedia.org/wiki/Foo_(bar).",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
    ],
)
def test_link_boundaries(text: str, links: list[str]) -> None:
    assert _links(text) == links


def test_mastodon_counts_only_links_with_a_scheme() -> None:
    assert platforms.count("see example.com", "mastodon") == len("see example.com")
    assert platforms.count("see https://example.com/a—b", "mastodon") == 4 + 23 + 2


def test_x_refuses_invisible_non_characters() -> None:
    """twitter-text's validation refuses U+FEFF, U+FFFE and U+FFFF (conformance: 'Handle
    invalid characters' is not valid)."""
    from crisiscli.messages.checks import check_message

    findings = check_message("We are sorry.\ufeff", ["x"], spelling=False)
    assert [f.message for f in findings if f.severity == "error"] == [
        "X refuses a post containing U+FEFF (an invisible character)."
    ]
    assert not [
        f
        for f in check_message("We are sorry.\ufeff", ["bluesky"], spelling=False)
        if f.severity == "error"
    ]


EMOJI_DIFFERENTIAL = json.loads((DATA / "twitter_text_emoji_differential.json").read_text("utf-8"))


def test_emoji_differential_agrees_with_the_reference() -> None:
    """Emoji as twitter-text finds them: no known-sequence ZWJ chain, no flag that is not one,
    no VS16 an emoji does not take counts lower here than X counts it (or higher)."""
    cases = EMOJI_DIFFERENTIAL["cases"]
    assert len(cases) > 6000
    wrong = [c for c in cases if platforms.count(c["text"], "x") != c["weighted_length"]]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\U0001f1fd\U0001f1fd", 4),  # two regional indicators that are no flag
        ("\U0001f1f8\U0001f1ea", 2),  # a flag
        ("\U0001f48b\u200d\U0001f468", 5),  # a kiss chain without its VS16: not a sequence
        ("\U0001f447\ufe0f", 4),  # a VS16 after an emoji that takes none
        ("\u267e\ufe0f", 4),  # the one text-style emoji twitter-text does not join with VS16
        ("\u2764\ufe0f", 2),
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467", 2),
        ("#\u20e3", 2),
        ("\u00a9", 1),
    ],
)
def test_the_issue_s_emoji_count_as_x_counts_them(text: str, expected: int) -> None:
    assert platforms.count(text, "x") == expected
