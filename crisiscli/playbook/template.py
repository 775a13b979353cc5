"""``{{ name }}`` placeholders in guidance, items and message templates.

Deliberately tiny: names are looked up in a flat mapping, nothing is evaluated, and a
placeholder with no value stays visible (``{{ brand }}``) so the responder sees what is
missing instead of a silent blank. ``escape`` lets callers quote values for markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")


def placeholders(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def display_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else None
    text = str(value)
    return text if text.strip() else None


def render(
    text: str, values: Mapping[str, Any], escape: Callable[[str], str] | None = None
) -> tuple[str, list[str]]:
    """Fill placeholders; returns the text and the names that had no value."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        shown = display_value(values.get(name))
        if shown is None:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return escape(shown) if escape else shown

    return PLACEHOLDER.sub(fill, text), missing
