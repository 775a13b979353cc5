"""Making untrusted text safe to show and to log, without changing what it says.

User text (titles, notes, answers) and playbook text are never interpreted: no Rich
markup, no terminal escape sequences, no markdown formatting in the log. What a person
could not see is made visible rather than silently dropped, so every view shows exactly
what was typed, while the journal keeps it exact:

- control characters (ESC, BEL, CR, DEL, C1) as ``\\x1b``;
- bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069,
  U+200E/U+200F, U+061C), which can make text read in another order than it is stored
  ("Trojan Source"), and invisible characters (zero-width space, word joiner, BOM,
  invisible operators, tag characters, line/paragraph separators) as ``<U+202E>``.
  A zero-width joiner or non-joiner between two non-ASCII letters or symbols (emoji
  sequences, Persian, Indic scripts) is left alone: there it is part of the writing.

``visible`` is the one function every view uses; ``json_dumps`` gives JSON whose raw text
carries none of these characters (they are written as ``\\u202e`` escapes: same value).

Markdown is escaped for where the text lands, and only where it would change the
rendering: people read ``log.md`` and reports as plain text too, so ``Social-media`` stays
``Social-media`` and a backslash appears only before a character that would otherwise
format (``\\*``, ``\\[``, ``\\_init_\\_``…). The tests render hostile text with a
CommonMark parser (markdown-it-py) and check that what shows is what was written.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

# C0 controls except tab and newline, DEL, and C1 controls (which some terminals obey).
_CONTROL_CLASS = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidi controls and invisible characters a reader cannot see.
_HIDDEN_CLASS = (
    r"\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e"
    r"\ufff9-\ufffb\U000e0000-\U000e007f"
)
_JOINERS = "\u200c\u200d"
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Patterns are compiled when first used (``_re``): the wide character classes take about a
# millisecond to compile, and ASCII text, the usual case, needs none of them.
_SUSPECT = f"[{_CONTROL_CLASS}{_HIDDEN_CLASS}{_JOINERS}]"
_FLAG_TAGS = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # subdivision flags
_JSON_UNSAFE = f"[\x7f-\x9f{_HIDDEN_CLASS}{_JOINERS}]"
# What formats wherever it stands in a line: emphasis (* and _ at a word's edge), code (`),
# links and images ([), raw HTML and autolinks (<), strikethrough (~), a backslash before
# punctuation or at the end of a line (it would escape it, or break the line), and an
# entity reference (&name; &#123;).
_INLINE = r"[*`\[<~]|\\(?=[!-/:-@\[-`{-~]|$)|&(?=#?[A-Za-z0-9]+;)|(?<![^\W_])_|_(?![^\W_])"
# What formats only at the start of a line: headings, quotes, lists, rules, setext
# underlines, tables (a mark), and digits followed by . or ) (an ordered list).
_BLOCK_START = r"(?P<mark>[#>+=|-])|(?P<number>[0-9]{1,9})(?=[.)])"


@functools.cache
def _re(source: str) -> re.Pattern[str]:
    return re.compile(source)


def _shown(char: str) -> str:
    code = ord(char)
    if code < 0xA0:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """Where ``text`` holds a control, bidi or invisible character: (index, character)."""
    if text.isascii() and text.isprintable():  # the usual case, without a regex
        return []
    if _re(_SUSPECT).search(text) is None:  # the usual case elsewhere: nothing to do
        return []
    keep = {m.start() + i for m in _re(_FLAG_TAGS).finditer(text) for i in range(len(m.group()))}
    found = []
    for match in _re(_SUSPECT).finditer(text):
        at, char = match.start(), match.group()
        if at in keep or (char in _JOINERS and _in_writing(text, at)):
            continue
        found.append((at, char))
    return found


def visible(text: str) -> str:
    """``text`` with every control, bidi and invisible character made visible."""
    hidden = hidden_characters(text)
    if not hidden:
        return text
    out = []
    last = 0
    for at, char in hidden:
        out.append(text[last:at])
        out.append(_shown(char))
        last = at + 1
    out.append(text[last:])
    return "".join(out)


def is_bidi_control(char: str) -> bool:
    return char in _BIDI


def _in_writing(text: str, at: int) -> bool:
    """A joiner between two non-ASCII, non-space characters (an emoji, a script's letters)."""
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    return all(c and ord(c) > 0x7F and not c.isspace() and _re(_SUSPECT).match(c) is None
               for c in (before, after))  # fmt: skip


def visible_line(text: str) -> str:
    """``visible``, and a line break or tab shown too (``\\x0a``): for what must stay on
    one line whatever it holds, such as a file name in a message (a newline in a name could
    otherwise forge a line of its own)."""
    return visible(text).replace("\n", "\\x0a").replace("\t", "\\x09")


def visible_controls(text: str) -> str:
    """The same as ``visible`` (the older name, kept for existing callers)."""
    return visible(text)


def json_dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON whose raw text is safe to print: C1, bidi and invisible characters are written
    as ``\\uXXXX`` escapes (JSON already escapes C0). The value is unchanged."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    if text.isascii() and "\x7f" not in text:  # nothing to escape
        return text
    return _re(_JSON_UNSAFE).sub(lambda m: f"\\u{ord(m.group()):04x}", _astral_safe(text))


def _astral_safe(text: str) -> str:
    # Tag characters lie outside the BMP: JSON spells them as a surrogate pair.
    def pair(match: re.Match[str]) -> str:
        code = ord(match.group()) - 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

    return re.sub("[\U000e0000-\U000e007f]", pair, text)


def one_line(text: str) -> str:
    """Collapse a possibly multi-line text to one line for headers and lists."""
    return " ".join(visible_controls(text).split())


def _inline(text: str) -> str:
    return _re(_INLINE).sub(lambda m: "&amp;" if m.group() == "&" else "\\" + m.group(), text)


def md_inline(text: str, *, starts_block: bool = False) -> str:
    """Text inside a markdown line (after ``**Label:** ``, in a timeline entry): escaped
    where it would format; line breaks become ``<br>`` so nothing starts a new block.
    ``starts_block``: the text begins a block (a list item's first words), so ``# …``,
    ``> …`` or ``1. …`` would format there too."""
    lines = (
        md_lines(text) if starts_block else [_inline(x) for x in visible_controls(text).split("\n")]
    )
    return "<br>".join(line.strip() for line in lines) if len(lines) > 1 else lines[0]


def md_cell(text: str) -> str:
    """Text in a table cell: inline escaping, and ``|`` would end the cell."""
    return md_inline(text).replace("|", "\\|")


def md_lines(text: str) -> list[str]:
    """A multi-line text as lines of its own (a paragraph, a block quote), each escaped as
    a line start too: ``# not a heading``, ``1. not a list``. Blank lines are kept."""
    out = []
    for line in visible_controls(text).split("\n"):
        body = _inline(line.strip())
        match = _re(_BLOCK_START).match(body)
        if match and match.group("mark"):
            body = "\\" + body
        elif match:
            body = f"{body[: match.end()]}\\{body[match.end() :]}"
        out.append(body)
    return out


def md_code(text: str) -> str:
    """An inline code span that shows ``text`` exactly, whatever backticks it holds."""
    flat = visible_controls(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


# Old names, kept for the report's template filters (they escape for inline use).
def md_escape(text: str) -> str:
    return md_inline(text)
