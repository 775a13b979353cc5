"""Making untrusted text safe to show and to log, without changing what it says.

User text (titles, notes, answers) and playbook text are never interpreted: no Rich
markup, no terminal escape sequences, no markdown formatting in the log. Control
characters are made visible (``\\x1b``) rather than silently dropped, so a log shows
exactly what was typed.

Markdown is escaped for where the text lands, and only where it would change the
rendering: people read ``log.md`` and reports as plain text too, so ``Social-media`` stays
``Social-media`` and a backslash appears only before a character that would otherwise
format (``\\*``, ``\\[``, ``\\_init_\\_``…). ``tests/test_text.py`` renders hostile text with
a CommonMark parser (markdown-it-py) and checks that what shows is what was written.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (which some terminals obey).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What formats wherever it stands in a line: emphasis (* and _ at a word's edge), code (`),
# links and images ([), raw HTML and autolinks (<), strikethrough (~), a backslash before
# punctuation or at the end of a line (it would escape it, or break the line), and an
# entity reference (&name; &#123;).
_INLINE = re.compile(
    r"[*`\[<~]|\\(?=[!-/:-@\[-`{-~]|$)|&(?=#?[A-Za-z0-9]+;)|(?<![^\W_])_|_(?![^\W_])"
)
# What formats only at the start of a line: headings, quotes, lists, rules, setext
# underlines, tables (a mark), and digits followed by . or ) (an ordered list).
_BLOCK_START = re.compile(r"(?P<mark>[#>+=|-])|(?P<number>[0-9]{1,9})(?=[.)])")


def visible_controls(text: str) -> str:
    """Replace control characters (ESC, BEL, CR, …) with a visible ``\\xNN`` form."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    """Collapse a possibly multi-line text to one line for headers and lists."""
    return " ".join(visible_controls(text).split())


def _inline(text: str) -> str:
    return _INLINE.sub(lambda m: "&amp;" if m.group() == "&" else "\\" + m.group(), text)


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
        match = _BLOCK_START.match(body)
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


def md_escape_block(text: str) -> list[str]:
    return md_lines(text) or [""]
