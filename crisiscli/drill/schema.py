"""The JSON Schema of scenario files (``crisis drill schema``), for editors and CI.

Built from the same constants the loader checks (``scenario.py``: the keys, the inject
kinds, what each expectation takes), so the two cannot drift apart; the file
``scenarios/scenario.schema.json`` is this, kept current by a test. What the schema cannot
see (a step the playbook lacks, an inject after the end) is ``crisis drill lint``'s.
"""

from __future__ import annotations

from typing import Any

from crisiscli.drill.scenario import (
    COMMON_EXPECT_KEYS,
    EXPECT_KEYS,
    INJECT_KEYS,
    INJECT_KINDS,
    INJECT_REQUIRED,
    MAX_EXPECTATIONS,
    MAX_INJECTS,
    MAX_TEXT,
    PER_WORDS,
    START_KEYS,
    TOP_KEYS,
    TOP_REQUIRED,
)

SCHEMA_ID = "https://crisis.invalid/scenario.schema.json"
ID_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$"
# +12m, 1h30m, +45s, +0: the playbooks' duration grammar with an optional +
OFFSET_PATTERN = (
    r"^\+?\s*(0|([0-9]+\s*d)?\s*([0-9]+\s*h)?\s*([0-9]+\s*m(in)?)?\s*([0-9]+\s*s)?)\s*$"
)


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "description": description}


def _offset(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": OFFSET_PATTERN, "description": description}


FIELDS: dict[str, dict[str, Any]] = {
    "step": {"type": "string", "description": "a step id of the playbook"},
    "by": _offset("due by this drill time (+10m)"),
    "within": _offset("an approval's turnaround: decided this long after it was asked"),
    "approver": _text("the person who should approve"),
    "phrases": {
        "type": "array",
        "minItems": 1,
        "items": _text("a phrase no message may say"),
        "description": "phrases no message or reply may contain (default: the message "
        "checks' excuse and blame patterns, in the playbook's language)",
    },
}


def _expectation(kind: str) -> dict[str, Any]:
    required, optional = EXPECT_KEYS[kind]
    props: dict[str, Any] = {
        "id": {"type": "string", "pattern": ID_PATTERN},
        "expect": {"const": kind},
        "label": _text("what was expected, in words (default: said from the keys)"),
    }
    props.update({name: FIELDS[name] for name in (*required, *optional)})
    assert set(props) == {*COMMON_EXPECT_KEYS, *required, *optional}
    return {
        "type": "object",
        "required": ["expect", *required],
        "properties": props,
        "additionalProperties": False,
    }


def scenario_schema() -> dict[str, Any]:
    inject = {
        "type": "object",
        "required": list(INJECT_REQUIRED),
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN},
            "at": _offset("when, in drill time (+12m)"),
            "kind": {"enum": [k for k in INJECT_KINDS if k != "post"]},
            "text": _text("what happens, as the players read it"),
            "from": _text("who it comes from"),
            "evidence": _text("a file next to the scenario, kept as evidence"),
            "count": {"type": "integer", "minimum": 0, "description": "mentions: how many"},
            "per": {"enum": list(PER_WORDS)},
            "goes_out": _offset(
                "scheduled: when the post goes out unless stopped (default: 15m later)"
            ),
        },
        "additionalProperties": False,
    }
    assert set(inject["properties"]) == set(INJECT_KEYS)  # type: ignore[call-overload]
    start = {
        "type": "object",
        "properties": {
            "inputs": {"type": "object", "description": "input id → value (the playbook's inputs)"},
            "post": _text("the post that started it, played at +0"),
            "image": _text("an image of it, next to the scenario (kept as evidence)"),
            "title": _text("the drill incident's title"),
        },
        "additionalProperties": False,
    }
    assert set(start["properties"]) == set(START_KEYS)  # type: ignore[call-overload]
    properties = {
        "id": {"type": "string", "pattern": ID_PATTERN},
        "title": _text("what the scenario is about"),
        "playbook": _text("the playbook to run: an id, or a path relative to the scenario"),
        "severity": _text("the severity level to start at"),
        "length": _offset("the drill's length: no inject after it"),
        "facilitator": _text("how to play it (the facilitator's notes)"),
        "start": start,
        "injects": {"type": "array", "maxItems": MAX_INJECTS, "items": inject},
        "expectations": {
            "type": "array",
            "maxItems": MAX_EXPECTATIONS,
            "items": {"oneOf": [_expectation(kind) for kind in EXPECT_KEYS]},
        },
    }
    assert set(properties) == set(TOP_KEYS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "crisis drill scenario",
        "description": "A tabletop drill: the playbook, the starting facts, the injects and "
        "the expectations (docs/drills.md).",
        "type": "object",
        "required": list(TOP_REQUIRED),
        "properties": properties,
        "additionalProperties": False,
    }
