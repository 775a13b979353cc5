"""Characters a reader cannot see in a playbook (CR071–CR073).

A playbook's text reaches responders at 2 a.m. and, through message templates, the public.
Bidirectional controls can make text read in another order than it is stored ("Trojan
Source"), invisible characters can hide in a hashtag or a name, and control characters
can drive a terminal. crisis shows them visibly wherever it prints (``text.visible``); lint
says where they are, whether typed literally (line and column of the character) or written
as a YAML escape such as ``"\\u202e"`` (the position of the value).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from crisiscli.text import hidden_characters, is_bidi_control

Path_ = tuple[str | int, ...]
Found = tuple[str, int, int, str]  # code, line, column, message; or a value's path below


_CONTROL_NAMES = {
    0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x0B: "LINE TABULATION", 0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE",
    0x9B: "CONTROL SEQUENCE INTRODUCER", 0x9C: "STRING TERMINATOR",
    0x9D: "OPERATING SYSTEM COMMAND",
}  # fmt: skip


def _describe(char: str) -> str:
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code


def rule_for(char: str) -> str:
    if is_bidi_control(char):
        return "CR071"
    if ord(char) < 0xA0:
        return "CR073"
    return "CR072"


def message_for(char: str, *, escaped: bool) -> str:
    what = {
        "CR071": "bidirectional control character {c}: text can read in another order than it is stored",
        "CR072": "invisible character {c}",
        "CR073": "control character {c}",
    }[rule_for(char)].format(c=_describe(char))
    return what + (" (written as an escape)" if escaped else "")


def in_source(lines: list[str]) -> Iterator[Found]:
    """Every such character typed literally in the file (comments included)."""
    for number, line in enumerate(lines, start=1):
        for at, char in hidden_characters(line):
            if char in "\r":  # a CRLF file's line ends are not hidden text
                continue
            yield rule_for(char), number, at + 1, message_for(char, escaped=False)


def in_values(data: Any, path: Path_ = ()) -> Iterator[tuple[str, Path_, str]]:
    """Every such character in a string value (keys and values), with its path."""
    if isinstance(data, str):
        for _at, char in hidden_characters(data):
            yield rule_for(char), path, message_for(char, escaped=True)
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and hidden_characters(key):
                for _at, char in hidden_characters(key):
                    yield rule_for(char), (*path, key), message_for(char, escaped=True)
            yield from in_values(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from in_values(value, (*path, index))
