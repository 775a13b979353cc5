"""Pre-publication checks: crisiscli.messages.checks (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crisiscli.messages import checks as compose
from crisiscli.messages.checks import check_message, review


def rules(findings: list[compose.MessageFinding], severity: str | None = None) -> list[str]:
    return [f.rule for f in findings if severity is None or f.severity == severity]


def test_a_clean_message_has_no_errors_or_warnings() -> None:
    text = "We got this wrong and we are sorry. We have removed the post and are reviewing how it happened."
    findings = check_message(text, ["x", "bluesky"], "en")
    assert rules(findings, "error") == []
    assert rules(findings, "warning") == []


def test_empty_message_is_an_error() -> None:
    assert rules(check_message("  \n", ["x"], "en"), "error") == ["empty"]


def test_unfilled_placeholders_are_errors_named_once() -> None:
    findings = check_message("Sorry from {{ brand }} and {{brand}} at {{ url }}", [], "en")
    placeholders = [f for f in findings if f.rule == "placeholder"]
    assert [f.excerpt for f in placeholders] == ["brand", "url"]
    assert all(f.severity == "error" for f in placeholders)


def test_bracketed_parts_of_a_template_left_unwritten_are_errors() -> None:
    text = "We got this wrong. [What happened]. We're sorry, especially to [who was affected]."
    blanks = [f.excerpt for f in check_message(text, [], "en") if f.rule == "placeholder"]
    assert blanks == ["[What happened]", "[who was affected]"]
    # Markdown-style links and empty brackets are not blanks.
    assert not [
        f
        for f in check_message("See [our post](https://a.example) []", [], "en")
        if f.rule == "placeholder"
    ]


def test_over_the_limit_is_an_error_per_platform() -> None:
    text = "a" * 290
    findings = check_message(text, ["x", "bluesky"], "en", spelling=False)
    over = [f for f in findings if f.rule == "length"]
    assert [(f.platform, f.severity) for f in over] == [("x", "error")]
    assert "10 over the x limit (290/280)" in over[0].message


def test_limits_are_overridable() -> None:
    text = "a" * 150
    assert rules(check_message(text, ["bluesky"], "en", limits={"bluesky": 100}), "error") == [
        "length"
    ]
    assert rules(check_message("a" * 290, ["x"], "en", limits={"x": 4000}), "error") == []


def test_x_counts_cjk_double_so_140_chinese_characters_fill_a_post() -> None:
    assert rules(check_message("字" * 140, ["x"], "zh"), "error") == []
    assert rules(check_message("字" * 141, ["x"], "zh"), "error") == ["length"]


def test_unknown_platform_has_no_limit_but_says_so() -> None:
    findings = check_message("hello", ["myspace"], "en")
    assert [(f.rule, f.severity) for f in findings if f.platform] == [("length", "info")]


def test_banned_phrases_are_errors_whatever_the_case_and_spacing() -> None:
    findings = check_message("Honestly, We  were\nSTUPID.", [], "en", banned=["we were stupid"])
    banned = [f for f in findings if f.rule == "banned"]
    assert len(banned) == 1 and banned[0].severity == "error"


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, a technical glitch published the post.",
        "Our account was hacked last night.",
        "The quote was taken out of context.",
        "We were stupid and we know it.",
        "We apologise if anyone was offended.",
        "We are sorry if you felt hurt.",
        "It was just a joke.",
        "An intern posted it.",
        "This was beyond our control.",
    ],
)
def test_excuse_and_blame_patterns_are_warnings(text: str) -> None:
    findings = check_message(text, [], "en", spelling=False)
    assert "excuse" in rules(findings, "warning")
    assert rules(findings, "error") == []


def test_swedish_excuses_are_recognised_and_english_ones_too() -> None:
    sv = check_message("Det var ett tekniskt fel, bara ett skämt.", [], "sv", spelling=False)
    assert rules(sv, "warning").count("excuse") == 2
    mixed = check_message("Kontot blev hackat, a technical glitch.", [], "sv", spelling=False)
    assert rules(mixed, "warning").count("excuse") == 2


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Read htps://acme.example/statement", "misspells the scheme"),
        ("Read http:/acme.example/statement", "needs '//'"),
        ("Read https:acme.example", "needs '//'"),
        ("Read https:///acme.example", "too many slashes"),
        ("Read https://acme..example/x", "malformed host"),
        ("Read https://acme/statement", "no top-level domain"),
        ("Read https://acme.example:99999/", "bad port"),
    ],
)
def test_malformed_links_are_warnings(text: str, why: str) -> None:
    links = [f for f in check_message(text, [], "en", spelling=False) if f.rule == "link"]
    assert any(f.severity == "warning" and why in f.message for f in links), links


def test_good_links_mentions_and_hashtags_are_listed_for_review() -> None:
    text = "Details: https://acme.example/statement (and acme.com/faq). Thanks @acme_help, @dana@social.example #AcmeCares #1"
    findings = check_message(text, ["x"], "en")
    info = {(f.rule, f.excerpt) for f in findings if f.severity == "info"}
    assert ("link", "https://acme.example/statement") in info
    assert ("link", "acme.com/faq") in info
    assert ("mention", "@acme_help") in info
    assert ("mention", "@dana@social.example") in info
    assert ("hashtag", "#AcmeCares") in info
    assert ("hashtag", "#1") not in info  # a number is not a hashtag
    assert rules(findings, "warning") == []  # no link or spelling problem in any of them


def test_times_and_labels_with_colons_are_not_links() -> None:
    findings = check_message("Update: we will post again at 10:30. Note:more soon", [], "en")
    assert "link" not in rules(findings)


def test_spelling_flags_misspellings_with_a_suggestion() -> None:
    findings = check_message("We recieve every message and we are sory.", [], "en")
    spelling = [f for f in findings if f.rule == "spelling"]
    assert [f.excerpt for f in spelling] == ["recieve", "sory"]
    assert all(f.severity == "warning" for f in spelling)
    assert "receive" in spelling[0].message


def test_spelling_accepts_british_spelling_names_and_known_words() -> None:
    text = "We apologise. Our colour, our behaviour: unacceptable. Dana at Zorblax will call, and so will Qwrtz."
    findings = check_message(text, [], "en", known_words=["Qwrtz"])
    assert rules(findings, "warning") == []


def test_spelling_ignores_links_mentions_hashtags_and_placeholders() -> None:
    findings = check_message("See https://xqzt.example/abcd @xqztq #xqztqq {{ xqzz }}", [], "en")
    assert "spelling" not in rules(findings, "warning")


def test_spelling_without_a_dictionary_degrades_to_a_notice_in_the_messages_language() -> None:
    findings = check_message("Vi ber om ursäkt. Vi har tagit bort inlägget.", [], "sv")
    spelling = [f for f in findings if f.rule == "spelling"]
    assert [(f.severity, "ingen offlineordlista för 'sv'" in f.message) for f in spelling] == [
        ("info", True)
    ]


def test_german_dictionary_is_used_for_german() -> None:
    findings = check_message("Wir entschuldigen uns. Das war ein Fehlr.", [], "de")
    assert [f.excerpt for f in findings if f.rule == "spelling"] == ["Fehlr"]


def test_errors_come_first_then_warnings_then_info() -> None:
    text = "{{ x }} a technical glitch, see https://acme.example"
    severities = [f.severity for f in check_message(text, ["x"], "en")]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_review_blocks_on_errors_until_overridden() -> None:
    rev = review("a" * 300, ["x"], "en")
    assert rev.blocked and len(rev.errors) == 1
    assert rev.lengths[0].over == 20
    overridden = review("a" * 300, ["x"], "en", override="Posting as a thread of two")
    assert not overridden.blocked
    assert compose.summary_line(rev) == "x 300/280 · 1 error, 0 warnings"


@given(st.text(max_size=200))
@example("\ufeff")  # X refuses it: an error, though within the limit
def test_check_message_never_fails_and_flags_are_consistent(text: str) -> None:
    findings = check_message(text, ["x", "mastodon", "threads"], "en", banned=["sorry"])
    assert all(f.severity in compose.SEVERITIES for f in findings)
    assert ("empty" in rules(findings)) == (not text.strip())
    over = {
        f.platform
        for f in findings
        if f.rule == "length" and f.severity == "error" and "X refuses" not in f.message
    }  # an invisible character X refuses (U+FEFF, …) is an error of its own, at any length
    for length in compose.lengths(text, ["x", "mastodon", "threads"]):
        assert (length.platform in over) == (length.over > 0)


def test_screens_show_lengths_findings_and_untrusted_text_literally() -> None:
    import io

    from crisiscli.ui.screens import make_console, show_review

    text = "[bold red]We are sorry[/] \x1b[31m" + "x" * 300 + " [who was affected]"
    rev = review(text, ["x", "bluesky"], "en")
    out = io.StringIO()
    show_review(make_console(out, is_tty=False), rev)
    shown = out.getvalue()
    assert "[bold red]We are sorry[/]" in shown  # markup in a message is text, not style
    assert "\x1b" not in shown and "\\x1b" in shown  # the escape is made visible
    assert "x 350/280  OVER LIMIT by 70" in shown
    assert "“[who was affected]” still needs writing." in shown
    assert "cannot be marked done until it is fixed" in shown


def test_spelling_without_the_library_degrades_to_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    compose._spellchecker.cache_clear()
    monkeypatch.setitem(sys.modules, "spellchecker", None)  # import fails
    try:
        findings = check_message("We recieve it.", [], "en")
    finally:
        compose._spellchecker.cache_clear()
    spelling = [(f.severity, f.message) for f in findings if f.rule == "spelling"]
    assert spelling == [("info", "Spelling not checked: no offline dictionary for 'en'.")]


def test_swedish_conditional_apologies_are_flagged() -> None:
    """Issue 11: "vi ber om ursäkt om någon tog illa upp" went through unflagged."""
    for text in (
        "Vi ber om ursäkt om någon tog illa upp.",
        "Vi beklagar om inlägget har sårat någon.",
        "Förlåt till alla som tog illa upp.",
    ):
        excuses = [f for f in check_message(text, [], "sv") if f.rule == "excuse"]
        assert [f.message.endswith("villkorad ursäkt.") for f in excuses] == [True], text


def test_a_banned_phrase_is_listed_once() -> None:
    """Issue 11: a banned phrase that is also an excuse was listed twice (an error and a
    warning); a phrase the playbook lists twice, or in another case, was listed twice too."""
    text = "We are sorry if anyone was offended by the post."
    findings = check_message(
        text, [], "en", banned=["if anyone was offended", "If anyone  was offended"]
    )
    about = [f for f in findings if "if anyone was offended" in (f.excerpt or "").lower()]
    assert [(f.severity, f.rule) for f in about] == [("error", "banned")]


def test_one_excuse_matched_by_two_patterns_is_listed_once() -> None:
    findings = check_message("We are sorry if you felt hurt.", [], "en")
    assert len([f for f in findings if f.rule == "excuse"]) == 1
