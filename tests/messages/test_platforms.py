"""Length counting per platform: known examples per rule, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crisiscli.messages import platforms

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man-woman-girl-boy ZWJ
THUMB_MEDIUM = "\U0001f44d\U0001f3fd"  # thumbs up + medium skin tone
SWEDEN = "\U0001f1f8\U0001f1ea"
FINLAND = "\U0001f1eb\U0001f1ee"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
KEYCAP_ONE = "1\ufe0f\u20e3"
RED_HEART = "\u2764\ufe0f"
LONG_URL = "https://example.com/press/2026/11/our-statement-about-the-post-from-last-night"


# -- grapheme clusters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clusters"),
    [
        ("abc", ["a", "b", "c"]),
        (FAMILY, [FAMILY]),
        (THUMB_MEDIUM + "!", [THUMB_MEDIUM, "!"]),
        (SWEDEN + FINLAND, [SWEDEN, FINLAND]),
        ("\U0001f1f8\U0001f1ea\U0001f1eb", [SWEDEN, "\U0001f1eb"]),
        (SCOTLAND, [SCOTLAND]),
        (KEYCAP_ONE, [KEYCAP_ONE]),
        (RED_HEART + "x", [RED_HEART, "x"]),
        ("e\u0301t\u00e9", ["e\u0301", "t", "\u00e9"]),
        ("a\u0308\u0301", ["a\u0308\u0301"]),
        ("\r\n\n", ["\r\n", "\n"]),
        ("\u1100\u1161\u11a8", ["\u1100\u1161\u11a8"]),  # conjoining Hangul jamo
        ("\u0915\u093f", ["\u0915\u093f"]),  # Devanagari ka + vowel sign i (spacing mark)
        ("a\u200db", ["a\u200d", "b"]),  # ZWJ joins only emoji
    ],
)
def test_grapheme_clusters(text: str, clusters: list[str]) -> None:
    assert list(platforms.graphemes(text)) == clusters


# -- X ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We are sorry.", 13),
        ("", 0),
        (LONG_URL, 23),
        ("Read: " + LONG_URL + ".", 6 + 23 + 1),  # trailing full stop is not part of the link
        ("http://a.co", 23),  # short links count 23 too
        ("details at example.com soon", 11 + 23 + 5),  # bare domain with a generic TLD
        ("bit.ly/3abc", 23),  # country TLD with a path
        ("i.e. not a link", 15),
        ("mail me at help@example.com", 27),  # an address is not a link
        (FAMILY, 2),
        (THUMB_MEDIUM, 2),
        ("\U0001f44d", 2),
        (SWEDEN + FINLAND, 4),
        (SCOTLAND, 2),
        (KEYCAP_ONE, 2),
        (RED_HEART, 2),
        ("\U0001f44d\u0301", 3),  # a combining mark on an emoji counts on its own
        ("\U0001f3fd", 2),  # a lone skin-tone swatch is an emoji too
        ("\u00a9 2026", 6),  # a text-style symbol in the light range counts 1
        ("日本語", 6),  # CJK counts 2 each
        ("한국어", 6),
        ("e\u0301", 1),  # NFC composes it to é
        ("q\u0303", 2),  # no precomposed form: two light code points
        ("\u2014\u201c\u201d", 3),  # dash and curly quotes are in the light ranges
        ("\u2026", 2),  # the ellipsis (U+2026) is not
        ("\u20ac", 2),  # the euro sign is not
        ("\u00e5\u00e4\u00f6", 3),
    ],
)
def test_x_weighted_count(text: str, expected: int) -> None:
    assert platforms.count(text, "x") == expected


def test_x_280_cjk_characters_fit_only_140() -> None:
    assert platforms.count("字" * 140, "x") == 280
    assert platforms.count("字" * 141, "x") > platforms.limit("x")  # type: ignore[operator]


def test_twitter_is_an_alias_of_x() -> None:
    assert platforms.count(LONG_URL, "Twitter") == 23
    assert platforms.limit("twitter") == 280
    assert platforms.limit("twitter", {"x": 25000}) == 25000


# -- Bluesky, Mastodon, Threads, the rest -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        (FAMILY, 1),
        (THUMB_MEDIUM, 1),
        (SWEDEN + FINLAND, 2),
        ("e\u0301", 1),
        ("日本語", 3),
        (LONG_URL, len(LONG_URL)),  # Bluesky counts links in full
    ],
)
def test_bluesky_counts_graphemes(text: str, expected: int) -> None:
    assert platforms.count(text, "bluesky") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LONG_URL, 23),
        ("see http://a.co", 4 + 23),
        ("example.com", 11),  # without a scheme it is plain text on Mastodon
        ("@alice@mastodon.social thank you", 6 + 10),
        ("@alice thank you", 6 + 10),
        (FAMILY, 1),
        ("日本語", 3),
    ],
)
def test_mastodon_urls_and_mentions(text: str, expected: int) -> None:
    assert platforms.count(text, "mastodon") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sorry", 5),
        ("\U0001f44d", 4),  # UTF-8 bytes of the emoji
        (THUMB_MEDIUM, 8),
        (FAMILY, 25),
        ("日本語", 3),
        ("e\u0301", 2),
    ],
)
def test_threads_counts_emoji_as_utf8_bytes(text: str, expected: int) -> None:
    assert platforms.count(text, "threads") == expected


@pytest.mark.parametrize("platform", ["linkedin", "instagram", "facebook", "tiktok"])
def test_utf16_platforms(platform: str) -> None:
    assert platforms.count("sorry", platform) == 5
    assert platforms.count("\U0001f44d", platform) == 2
    assert platforms.count(FAMILY, platform) == 11
    assert platforms.count("日本語", platform) == 3


def test_default_limits_table() -> None:
    assert platforms.DEFAULT_LIMITS == {
        "x": 280,
        "bluesky": 300,
        "threads": 500,
        "mastodon": 500,
        "linkedin": 3000,
        "instagram": 2200,
        "facebook": 63206,
        "tiktok": 2200,
    }
    assert set(platforms.RULES) == set(platforms.DEFAULT_LIMITS)


def test_limit_overrides_and_unknown_platforms() -> None:
    assert platforms.limit("x") == 280
    assert platforms.limit("X", {"x": 100}) == 100
    assert platforms.limit("bluesky", {"x": 100}) == 300
    assert platforms.limit("myspace") is None
    assert platforms.limit("myspace", {"myspace": 40}) == 40
    assert platforms.count(FAMILY + "ab", "myspace") == 3  # graphemes
    assert platforms.merged_limits({"twitter": 1}, None, {"X": 2}) == {"x": 2}


# -- properties ---------------------------------------------------------------------------

ALL = [*platforms.DEFAULT_LIMITS, "unknown"]
# Text without link or mention syntax: a few letters, CJK, marks, emoji parts and controls.
PLAIN = st.text(
    alphabet=st.sampled_from(
        [
            *"abc XYZ,!\n\r\t",
            "é",
            "\u0301",
            "\u0308",
            "字",
            "한",
            "\u1100",
            "\u1161",
            "\u200d",
            "\ufe0f",
            "\U0001f468",
            "\U0001f469",
            "\U0001f3fd",
            "\U0001f1f8",
            "\U0001f1ea",
            "\u2764",
            *["\u20e3", "\U000e0067", "\u093f", "€", "—"],
        ]
    ),
    max_size=40,
)


@given(text=st.text(max_size=60), platform=st.sampled_from(ALL))
def test_count_is_never_negative_and_empty_is_zero(text: str, platform: str) -> None:
    assert platforms.count(text, platform) >= 0
    assert platforms.count("", platform) == 0
    assert (platforms.count(text, platform) == 0) == (text == "")


@given(text=st.text(max_size=80))
def test_graphemes_partition_the_text(text: str) -> None:
    clusters = list(platforms.graphemes(text))
    assert "".join(clusters) == text
    assert all(clusters)
    assert platforms.grapheme_count(text) <= len(text)


@given(a=PLAIN, b=PLAIN, platform=st.sampled_from(ALL))
def test_adding_text_never_decreases_the_count(a: str, b: str, platform: str) -> None:
    assert platforms.count(a + b, platform) >= platforms.count(a, platform)


# Not Threads: there, joining "1" and "\ufe0f\u20e3" makes a keycap emoji, counted in bytes.
@given(a=PLAIN, b=PLAIN, platform=st.sampled_from([p for p in ALL if p != "threads"]))
def test_joining_texts_never_counts_more_than_apart(a: str, b: str, platform: str) -> None:
    assert platforms.count(a + b, platform) <= platforms.count(a, platform) + platforms.count(
        b, platform
    )


@given(text=st.text(alphabet=st.characters(max_codepoint=0x7E, min_codepoint=0x20), max_size=60))
def test_printable_ascii_without_links_counts_its_length(text: str) -> None:
    if platforms.find_urls(text) or "@" in text:
        return
    for platform in ALL:
        assert platforms.count(text, platform) == len(text)


@given(text=PLAIN)
def test_x_counts_at_least_one_per_grapheme_and_at_most_two_per_code_point(text: str) -> None:
    import unicodedata

    weighted = platforms.count(text, "x")
    assert weighted >= platforms.grapheme_count(unicodedata.normalize("NFC", text))
    assert weighted <= 2 * len(unicodedata.normalize("NFC", text))


@given(url_path=st.text(alphabet="abcdefghij0123456789-/_", max_size=200))
def test_any_http_link_counts_23_on_x_and_mastodon(url_path: str) -> None:
    url = "https://example.org/" + url_path
    assert platforms.count(url, "x") == 23
    assert platforms.count(url, "mastodon") == 23


def test_config_knows_the_same_platforms() -> None:
    """config.py lists the platform names itself (it sits below messages/): the same ones."""
    from crisiscli import config

    assert set(config.PLATFORMS) == set(platforms.DEFAULT_LIMITS)
