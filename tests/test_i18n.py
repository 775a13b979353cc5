"""The message catalogue (crisiscli/locales): every language a translator adds must fit."""

from __future__ import annotations

import re

import pytest
import yaml

from crisiscli.i18n import LOCALES, Catalogue, languages

FIELD = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


def raw(language: str) -> dict[object, object]:
    data = yaml.safe_load((LOCALES / f"{language}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("language", languages())
def test_every_key_is_a_string_english_knows(language: str) -> None:
    data, english = raw(language), raw("en")
    # YAML reads an unquoted yes/no/on/off key as a boolean: "yes" would never be found.
    assert all(isinstance(k, str) for k in data), [k for k in data if not isinstance(k, str)]
    assert set(data) <= set(english), set(data) - set(english)


@pytest.mark.parametrize("language", languages())
def test_placeholders_match_english(language: str) -> None:
    data, english = raw(language), raw("en")
    for key, text in data.items():
        assert set(FIELD.findall(str(text))) == set(FIELD.findall(str(english[key]))), key


def test_swedish_says_everything_english_says() -> None:
    assert set(raw("sv")) == set(raw("en"))


def test_words_fall_back_to_english_and_yes_no_letters_add_up() -> None:
    sv = Catalogue("sv-SE")
    assert sv.language == "sv" and sv.t("yes") == "Ja" and sv.t("what_now") == "Vad nu?"
    assert sv.letters("yes_keys") == {"j", "y"}  # English letters still work
    assert Catalogue("xx").t("what_now") == "What now?"  # no catalogue: English
    assert Catalogue("en").t("engine.done_anyway", count=2).startswith("2 item(s) not ticked")
    assert Catalogue("../en").language == "en"  # a language is a name, never a path


def test_the_walk_through_says_nothing_outside_the_catalogue() -> None:
    """Prompts and notices of the walk-through come from the catalogue: a literal text handed
    to a prompt or a notice is English on a Swedish screen (found: the evidence prompts,
    "Next update promised by?" and its error)."""
    import ast
    from pathlib import Path

    import crisiscli

    asking = {"ask_text", "confirm", "notify", "text", "select", "checkbox", "show_status"}
    root = Path(crisiscli.__file__).parent
    found = []
    for name in ("ui/prompts.py", "walk/engine.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in asking
                and node.args
                and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
                and not (isinstance(node.args[0], ast.Constant) and node.args[0].value == "")
            ):
                found.append(f"{name}:{node.lineno}: {ast.unparse(node.args[0])[:60]}")
    assert not found, "\n".join(found)


def test_the_quick_reading_of_a_catalogue_is_yamls() -> None:
    """The fold reads catalogues without a YAML parser (start-up); on every bundled file it
    reads what ``yaml.safe_load`` reads, and gives way to it on any other line."""
    import yaml

    from crisiscli.i18n import LOCALES, _simple_entries

    for path in LOCALES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        quick = _simple_entries(text)
        assert quick is not None, f"{path.name}: not one entry a line"
        assert quick == {str(k): str(v) for k, v in yaml.safe_load(text).items()}
    for other in ('no: "Nej"', "a: |\n  text", 'a: "x\\ty"', "a: plain"):
        assert _simple_entries(other) is None, other
