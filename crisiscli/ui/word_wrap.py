"""Text being typed wraps between words, not inside them (issue 22).

prompt_toolkit wraps an input line where the row is full, so "we have removed it" shows as
"we h" / "ave removed it", in the composer and in the answer left on screen. This
processor pads the end of a row with spaces, on screen only, so that a word which would
cross the edge starts the next row instead. The text is unchanged: the padding maps to the
start of the word it moves, so the cursor, a click or a deletion lands where it should. A
word longer than a whole row is still cut (there is nowhere else to put it).
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput
from prompt_toolkit.layout.utils import explode_text_fragments
from prompt_toolkit.utils import get_cwidth


def _width(fragment: tuple[str, str] | tuple[str, str, object]) -> int:
    if "[ZeroWidthEscape]" in fragment[0]:
        return 0
    return get_cwidth(fragment[1])


class WrapAtWords(Processor):
    """``lead`` gives the width already used on the first row of line 0 (the question
    drawn before the answer by ``get_line_prefix``)."""

    def __init__(self, lead: Callable[[], int] = lambda: 0) -> None:
        self.lead = lead

    def apply_transformation(self, ti: TransformationInput) -> Transformation:
        width = ti.width
        if width <= 1:
            return Transformation(ti.fragments)
        chars = explode_text_fragments(ti.fragments)
        # Where the line's own text begins on its first row (the prefix wraps by cells).
        column = self.lead() % width if ti.lineno == 0 else 0
        padding: dict[int, int] = {}  # fragment index -> spaces drawn before it
        at = 0
        while at < len(chars):
            if chars[at][1] == " ":
                column = self._advance(column, _width(chars[at]), width)
                at += 1
                continue
            end = at
            while end < len(chars) and chars[end][1] != " ":
                end += 1
            word = sum(_width(c) for c in chars[at:end])
            # with the space after it: drawn past the edge it would indent the next row
            spaced = word + (1 if end < len(chars) else 0)
            if column and column + spaced > width and spaced <= width:
                padding[at] = width - column
                column = 0
            for c in chars[at:end]:
                column = self._advance(column, _width(c), width)
            at = end
        if not padding:
            return Transformation(ti.fragments)
        return self._padded(chars, padding)

    @staticmethod
    def _advance(column: int, cells: int, width: int) -> int:
        """The column after a character of ``cells`` cells, wrapping as prompt_toolkit does
        (a character that does not fit starts the next row)."""
        if column + cells > width:
            column = 0
        return column + cells

    @staticmethod
    def _padded(chars: StyleAndTextTuples, padding: dict[int, int]) -> Transformation:
        fragments: StyleAndTextTuples = []
        source_to_display: list[int] = []
        display_to_source: list[int] = []
        for index, fragment in enumerate(chars):
            spaces = padding.get(index, 0)
            if spaces:
                fragments.append(("", " " * spaces))
                display_to_source.extend([index] * spaces)
            source_to_display.append(len(display_to_source))
            fragments.append(fragment)
            display_to_source.append(index)
        source_to_display.append(len(display_to_source))  # the cursor after the last char
        display_to_source.append(len(chars))

        def to_display(i: int) -> int:
            return source_to_display[min(i, len(source_to_display) - 1)]

        def to_source(i: int) -> int:
            return display_to_source[min(i, len(display_to_source) - 1)]

        return Transformation(fragments, to_display, to_source)
