"""Typed text wraps between words (issue 22): the processor's rows, drawn the way
prompt_toolkit draws a wrapped line, never cut a word that fits on a row; the text and the
cursor positions are unchanged. A real screen at 80×24 is in tests/e2e/test_issue22.py."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from prompt_toolkit.layout.processors import TransformationInput
from prompt_toolkit.utils import get_cwidth

from crisiscli.ui.word_wrap import WrapAtWords

LINE = (
    "We are deeply sorry to everyone who was affected by the post that went out from our "
    "account this morning; it should never have been published and we have removed it."
)


def transform(text: str, width: int, lead: int = 0, lineno: int = 0) -> Any:
    ti = TransformationInput(
        None,  # type: ignore[arg-type]  # the processor needs neither control nor document
        None,  # type: ignore[arg-type]
        lineno,
        lambda i: i,
        [("", text)],
        width,
        10,
    )
    return WrapAtWords(lambda: lead).apply_transformation(ti)


def rows(fragments: list[Any], width: int, lead: int = 0) -> list[str]:
    """What prompt_toolkit draws: a character that does not fit starts the next row."""
    out, row, x = [], " " * lead, lead
    for fragment in fragments:
        for char in fragment[1]:
            cells = get_cwidth(char)
            if x + cells > width:
                out.append(row)
                row, x = "", 0
            row += char
            x += cells
    out.append(row)
    return out


def test_a_word_that_would_cross_the_edge_starts_the_next_row() -> None:
    before = rows([("", LINE)], 80, lead=10)  # as prompt_toolkit alone draws it
    assert before[1].endswith(" we h") and before[2].startswith("ave removed")
    assert before[1].startswith(" out")  # the space after "went" indents the next row
    shown = rows(transform(LINE, 80, lead=10).fragments, 80, lead=10)
    assert [r.strip() for r in shown] == [
        "We are deeply sorry to everyone who was affected by the post that",
        "went out from our account this morning; it should never have been published and",
        "we have removed it.",
    ]
    assert not any(r.startswith(" ") for r in shown[1:])


def test_the_text_and_the_cursor_are_unchanged() -> None:
    t = transform(LINE, 80, lead=10)
    drawn = "".join(f[1] for f in t.fragments)
    assert drawn.replace(" ", "") == LINE.replace(" ", "")
    moved = LINE.index("went")
    assert drawn[t.source_to_display(moved) :].startswith("went out")
    for i in range(len(LINE) + 1):
        assert t.display_to_source(t.source_to_display(i)) == i
    # a click in the padding lands at the start of the word it moved
    assert t.display_to_source(t.source_to_display(moved) - 1) == moved


def test_other_lines_start_at_the_edge_and_a_word_longer_than_a_row_is_cut() -> None:
    long = "x" * 100
    assert rows(transform(f"ok {long}", 40, lineno=1).fragments, 40)[0] == "ok " + "x" * 37
    short = transform("fits on one row", 40, lead=30, lineno=1)
    assert rows(short.fragments, 40) == ["fits on one row"]


words = st.lists(
    st.text(alphabet="abcdéfgh漢字🙂", min_size=1, max_size=12), min_size=1, max_size=30
)


@settings(max_examples=300, deadline=None)
@given(words, st.integers(min_value=8, max_value=100), st.integers(min_value=0, max_value=60))
def test_no_word_that_fits_a_row_is_ever_cut(chunks: list[str], width: int, lead: int) -> None:
    text = " ".join(chunks)
    t = transform(text, width, lead=lead)
    shown = rows(t.fragments, width, lead=lead % width)
    whole = set(chunks)
    for chunk in chunks:
        if sum(get_cwidth(c) for c in chunk) + 1 < width:
            assert any(chunk in row.split() for row in shown), (chunk, shown)
    for row in shown:
        for piece in row.split():
            assert piece in whole or any(piece in c for c in whole)
    for i in range(len(text) + 1):
        assert t.display_to_source(t.source_to_display(i)) == i


def _drawn(question: str, keys: str, columns: int) -> tuple[str, list[str]]:
    """Run a real text prompt at ``columns`` columns; the answer and the screen's rows."""
    import io

    import pyte
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from crisiscli.i18n import Catalogue
    from crisiscli.ui.widgets import Prompts

    class Terminal(io.StringIO):
        encoding = "utf-8"

    terminal = Terminal()
    output = Vt100_Output(terminal, lambda: Size(rows=24, columns=columns), enable_cpr=False)
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        got = Prompts(Catalogue("en"), None, pipe, output, guard=0.0).text(question)
    screen = pyte.Screen(columns, 24)
    pyte.Stream(screen).feed(terminal.getvalue())
    return got, [row.rstrip() for row in screen.display if row.strip()]


def test_a_question_wider_than_its_row_goes_above_the_answer_wrapped_between_words() -> None:
    question = "Who should hear it first: legal, the customer care lead or the CEO?"
    got, shown = _drawn(question, "Legal first, then the CEO\r", 40)
    assert got == "Legal first, then the CEO"
    assert shown == [
        "? Who should hear it first: legal, the",
        "customer care lead or the CEO?",
        "Legal first, then the CEO",
    ]


def test_a_question_that_fits_keeps_the_answer_beside_it() -> None:
    got, shown = _drawn("Who posted it?", "Kim\r", 40)
    assert got == "Kim" and shown == ["? Who posted it? Kim"]
