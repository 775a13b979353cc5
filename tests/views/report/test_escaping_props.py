"""Properties of the escaping helpers, for any text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from crisiscli.text import md_escape_block
from crisiscli.views.report.charts import mermaid_label
from crisiscli.views.report.render import _md

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list("<>&|[]()*_`#-!{}%:;\\\n\r\x1b\u2028\u2029\x85")),
    ),
    max_size=60,
)


@given(TEXT)
def test_md_fast_path_equals_full_escaping(text: str) -> None:
    # _md skips md_escape for text with nothing to escape; it must never change the result
    assert _md(text) == "<br>".join(md_escape_block(text))


@given(TEXT)
def test_md_output_is_inert_on_one_line(text: str) -> None:
    out = _md(text)
    assert "\n" not in out and "\r" not in out
    without_breaks = out.replace("<br>", "")
    assert not re.search(r"(?<!\\)[<>|`\[\]*_#]", without_breaks.replace("\\\\", ""))


@given(TEXT)
def test_mermaid_labels_only_keep_safe_characters(text: str) -> None:
    label = mermaid_label(text)
    assert re.fullmatch(r"[\w .,'()/+]+", label)
    assert not label.startswith(" ") and "  " not in label and len(label) <= 66
