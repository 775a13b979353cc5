"""Properties of the report's markdown filters, for any text, checked with a CommonMark
parser (markdown-it-py): what a reader sees is what was written, no element comes from the
text, nothing leaves its line, cell or block — and nothing is escaped needlessly."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from crisiscli.views.report.charts import mermaid_label
from crisiscli.views.report.render import _md, _md_cell, _md_heading, _md_para, _md_quote
from tests.helpers import assert_renders_literally, render_markdown

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(list("<>&|[]()*_`#-!{}%:;=+.\\\n\r\x1b\u2028\u2029\x85 ")),
    ),
    max_size=60,
)
SHAPES = st.lists(
    st.sampled_from(["<script>", "</b>", "**", "1. ", "# ", "> ", "```", "&amp;", "[x](y)",
                     "| a |", "_x_", "- ", "===", "\n", "~~", "<!--", "\\", "word"]),
    max_size=8,
).map("".join)  # fmt: skip
ANY = st.one_of(TEXT, SHAPES)
ELEMENTS = ("<script", "<b>", "<em>", "<strong>", "<a ", "<img", "<code>", "<h", "<ol", "<ul",
            "<blockquote", "<pre", "<del", "<hr", "<table")  # fmt: skip


def _only_paragraph(markdown: str, allowed: tuple[str, ...] = ("<p>", "<br />")) -> None:
    html = render_markdown(markdown)
    for tag in ELEMENTS:
        assert tag not in html.replace("<br />", ""), (markdown, html)
    assert html.count("<p>") <= 1, (markdown, html)


@given(ANY)
def test_inline_text_renders_literally_in_a_paragraph(text: str) -> None:
    out = _md(text)
    assert "\n" not in out and "\r" not in out
    markdown = f"Reason: {out}"
    _only_paragraph(markdown)
    assert_renders_literally(markdown, text)


@given(ANY)
def test_text_starting_a_list_item_stays_in_it(text: str) -> None:
    markdown = f"- {_md(text, start=True)}"
    html = render_markdown(markdown)
    assert html.count("<li>") == 1 and html.count("<ul>") == 1, (markdown, html)
    assert "<ol" not in html and "<h" not in html and "<blockquote" not in html
    assert_renders_literally(markdown, text)


@given(ANY, ANY)
def test_a_table_row_keeps_its_cells(first: str, second: str) -> None:
    markdown = f"| A | B |\n|---|---|\n| {_md_cell(first)} | {_md_cell(second)} |\n"
    html = render_markdown(markdown)
    assert html.count("<td>") + html.count("<td ") == 2, (markdown, html)
    assert_renders_literally(markdown, first)
    assert_renders_literally(markdown, second)


@given(ANY)
def test_a_heading_shows_the_whole_title(text: str) -> None:
    markdown = f"### Post-mortem: {_md_heading(text)}"
    html = render_markdown(markdown)
    assert html.startswith("<h3>") and html.count("<h3>") == 1, (markdown, html)
    assert_renders_literally(markdown, f"Post-mortem: {text}")


@given(ANY)
def test_quotes_and_paragraphs_stay_one_block(text: str) -> None:
    quote = render_markdown(_md_quote(text))
    assert quote.count("<blockquote>") == 1 and "<h" not in quote and "<ol" not in quote
    assert_renders_literally(_md_quote(text), text)
    para = _md_para(text)
    for tag in ("<h", "<ol", "<ul", "<blockquote", "<pre", "<table", "<hr"):
        assert tag not in render_markdown(para), (para, render_markdown(para))
    assert_renders_literally(para, text)


@given(ANY)
def test_the_plain_text_shortcut_changes_nothing(text: str) -> None:
    from crisiscli.text import md_cell, md_inline

    assert _md(text) == md_inline(text) and _md_cell(text) == md_cell(text)


def test_ordinary_text_is_left_as_it_is() -> None:
    # People read the raw file too: nothing that would not format gets a backslash.
    for text in ("Social-media (general) 2026-11-30-1542-wrong-image", "3 + 4 = 7!", "50%",
                 "Who: Sam; when: {today}", "snake_case_name", "a > b", "#hashtag"):  # fmt: skip
        assert _md(text) == text
        assert _md_cell(text) == text
    assert _md_cell("a | b") == "a \\| b"
    assert _md("*really*") == "\\*really\\*"


@given(TEXT)
def test_mermaid_labels_only_keep_safe_characters(text: str) -> None:
    label = mermaid_label(text)
    assert re.fullmatch(r"[\w .,'()/+]+", label)
    assert not label.startswith(" ") and "  " not in label and len(label) <= 66
