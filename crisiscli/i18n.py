"""The walk-through's own words in the playbook's language: one message catalogue.

Each language is a plain YAML file beside this module (``locales/<language>.yaml``, a
mapping of key → text with ``{placeholders}``), so a translator adds a language by
copying ``en.yaml`` — no code. A key missing from a language falls back to English; a
language with no file at all is English. Catalogue files ship with crisis and are read
with ``yaml.safe_load`` only.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).resolve().parent / "locales"
FALLBACK = "en"


# One entry a line, as the bundled files are written: ``key: "text"  # comment``. The fold
# describes every event in the playbook's language, so ``crisis note`` reads a catalogue:
# this reads one in a millisecond, where importing a YAML parser would double the command's
# start-up. A file with any other line (a translator's block scalar, an escape) is read by
# ``yaml.safe_load`` instead; a test checks both readings agree on every bundled file.
_ENTRY = re.compile(
    r'(?:"(?P<quoted>[^"\\]*)"|(?P<key>[A-Za-z0-9_.-]+)): "(?P<text>[^"\\]*)" *(?:#.*)?'
)
_BLANK = re.compile(r" *(?:#.*)?")
# Keys YAML 1.1 reads as something other than their text (``no:`` is false): left to YAML.
_NOT_TEXT = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _simple_entries(text: str) -> dict[str, str] | None:
    """The entries of a catalogue written one ``key: "text"`` a line; None for any other."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        entry = _ENTRY.fullmatch(line)
        if entry is not None and (entry["key"] or "").lower() not in _NOT_TEXT:
            found[entry["quoted"] if entry["key"] is None else entry["key"]] = entry["text"]
        elif _BLANK.fullmatch(line) is None:
            return None
    return found


@functools.cache
def _load(language: str) -> dict[str, str]:
    path = LOCALES / f"{language}.yaml"
    if not language.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    simple = _simple_entries(text)
    if simple is not None:
        return simple
    import yaml

    data = yaml.safe_load(text) or {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def languages() -> list[str]:
    """Every language the catalogue has words for."""
    return sorted(p.stem for p in LOCALES.glob("*.yaml"))


@functools.cache
def catalogue(language: str) -> Catalogue:
    """The catalogue of ``language``, built once (the fold describes every event with it)."""
    return Catalogue(language)


class Catalogue:
    """``t("key", name=value)``: the text of ``key`` in one language, placeholders filled."""

    def __init__(self, language: str = FALLBACK) -> None:
        base = language.lower().split("-")[0].split("_")[0] if language else FALLBACK
        self.language = base if base in languages() else FALLBACK
        self._words = {**_load(FALLBACK), **_load(self.language)}

    def t(self, key: str, **values: Any) -> str:
        text = self._words.get(key, key)
        return text.format(**values) if values else text

    def knows(self, key: str) -> bool:
        """Whether this language (or English) has words for ``key``."""
        return key in self._words

    def level(self, level_id: str) -> str:
        """A severity level as this language names it (``high`` → ``hög``); a level the
        catalogue does not know (a playbook's own scale) keeps its id."""
        return self._words.get(f"severity.{level_id}", level_id)

    def letters(self, key: str) -> set[str]:
        """The letters of ``yes_keys``/``no_keys`` (English ones always work too)."""
        return set(self.t(key).lower()) | set(_load(FALLBACK).get(key, "").lower())
