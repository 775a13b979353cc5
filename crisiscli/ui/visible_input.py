"""Text being edited shows what it holds: bidi controls and invisible characters in an input
field are drawn as ``<U+202E>`` (highlighted) while the text itself keeps them.

A draft message can carry a right-to-left override or a zero-width space from a template or
a pasted value; in the inline editor the responder must see it before it is published. The
characters stay in the buffer (deleting the mark deletes the character), only the display
changes. Control characters are already drawn as ``^[`` by prompt_toolkit.
"""

from __future__ import annotations

from typing import Any

from prompt_toolkit.formatted_text.utils import fragment_list_to_text
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput

from crisiscli.text import hidden_characters, visible

STYLE = "class:hidden-character reverse"


class ShowHiddenCharacters(Processor):
    def apply_transformation(self, ti: TransformationInput) -> Transformation:
        text = fragment_list_to_text(ti.fragments)
        hidden = {at for at, char in hidden_characters(text) if ord(char) >= 0xA0}
        if not hidden:
            return Transformation(ti.fragments)
        fragments: list[Any] = []
        source_to_display: list[int] = []
        display_to_source: list[int] = []
        source = 0
        for fragment in ti.fragments:
            style, chunk = fragment[0], fragment[1]
            for char in chunk:
                source_to_display.append(len(display_to_source))
                if source in hidden:
                    shown = visible(char)
                    fragments.append((f"{style} {STYLE}", shown))
                    display_to_source.extend([source] * len(shown))
                else:
                    fragments.append((style, char))
                    display_to_source.append(source)
                source += 1
        source_to_display.append(len(display_to_source))  # the cursor after the last char
        display_to_source.append(source)

        def to_display(i: int) -> int:
            return source_to_display[min(i, len(source_to_display) - 1)]

        def to_source(i: int) -> int:
            return display_to_source[min(i, len(display_to_source) - 1)]

        return Transformation(fragments, to_display, to_source)
