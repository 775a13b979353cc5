"""JSON Schema (draft 2020-12) of playbook format v1, for editors and CI.

Built from the same definition as the loader (``spec.py``: ids, durations, keys, required
keys, reserved ids, which question types take choices). It compiles under ajv's strict
mode (no union types, every ``required`` key declared). What a schema cannot express —
ids unique across the playbook, ``goto`` targets and condition references that exist, a
default that is one of the choices — only ``crisis lint`` checks; docs/lint.md lists it.
tests/playbook/test_schema_agreement.py generates playbooks and checks both agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crisiscli.playbook import spec
from crisiscli.playbook.model import (
    CHECKLIST_KINDS,
    MILESTONES,
    QUESTION_TYPES,
    SEVERITY_BOUNDS,
    SEVERITY_REF,
)

# Anchored with (?![\s\S]) rather than $: the same end-of-text in ECMAScript (editors, ajv)
# and Python (jsonschema), where $ also matches before a trailing newline.
ID = {"type": "string", "pattern": f"^{spec.ID_REGEX}(?![\\s\\S])"}
DURATION = {"type": "string", "pattern": f"^{spec.DURATION_REGEX}(?![\\s\\S])"}
# Text fields take any scalar: `title: 2026` is the title "2026" (lint suggests quoting).
SCALAR = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}
TEXT = SCALAR
LIMITS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}


def _obj(keys: tuple[str, ...], required: tuple[str, ...], props: dict[str, Any]) -> dict[str, Any]:
    """An object schema whose keys are exactly ``keys`` (checked against ``props``)."""
    assert tuple(props) == keys, (tuple(props), keys)
    return {
        "type": "object",
        "required": list(required),
        "additionalProperties": False,
        "properties": props,
    }


def playbook_schema() -> dict[str, Any]:
    level_bounds = {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {word: SCALAR for word in SEVERITY_BOUNDS},
    }
    condition: dict[str, Any] = {
        "type": "object",
        "minProperties": 1,
        "description": (
            "{question-id: value | [values]}, {severity: level | [levels] | "
            "{at_least: level, at_most: level}}, or all/any (lists) and not."
        ),
        "properties": {
            "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
            "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
            "not": {"$ref": "#/$defs/condition"},
            SEVERITY_REF: {
                "description": "The incident's current severity (re-grades switch steps).",
                "anyOf": [
                    SCALAR,
                    {"type": "array", "minItems": 1, "items": SCALAR},
                    level_bounds,
                ],
            },
        },
        "additionalProperties": {"anyOf": [SCALAR, {"type": "array", "items": SCALAR}]},
    }
    choice = {
        "anyOf": [
            SCALAR,
            {
                "type": "object",
                "required": ["value"],
                "additionalProperties": False,
                "properties": {
                    "value": SCALAR,
                    "label": TEXT,
                    "no_incident": {
                        "type": "boolean",
                        "description": "Choosing it says the run is a routine check, not an "
                        "incident (not counted in stats).",
                    },
                    "floor": {
                        **ID,
                        "description": "Chosen, this answer sets a minimum severity level.",
                    },
                },
            },
        ]
    }
    question = _obj(
        spec.QUESTION_KEYS,
        spec.QUESTION_REQUIRED,
        {
            # "severity" is reserved: in conditions it means the incident's severity
            "id": {"allOf": [ID, {"not": {"const": SEVERITY_REF}}]},
            "prompt": TEXT,
            "type": {"enum": list(QUESTION_TYPES), "default": "text"},
            "choices": {"type": "array", "minItems": 1, "items": choice},
            "required": {"type": "boolean", "default": True},
            "default": {"description": "The answer preset: its shape follows the type."},
            "help": TEXT,
            "sets": {
                "enum": list(spec.SETTABLE),
                "description": "The answer becomes the incident's severity (choice questions), "
                "when the impact began or was noticed, or the link to the first post (text "
                "questions).",
            },
            "floor": {
                **ID,
                "description": "A yes sets a minimum severity level (yes/no questions).",
            },
            "review": {
                "enum": list(spec.REVIEW_FIELDS),
                "description": "The post-mortem field the answer fills (one question per field).",
            },
        },
    )
    # Choice and multi questions list choices; no other type takes any; only a choice
    # question can set the severity.
    question["if"] = {
        "properties": {"type": {"enum": list(spec.CHOICE_TYPES)}},
        "required": ["type"],
    }
    question["then"] = {"properties": {"choices": True}, "required": ["choices"]}
    question["else"] = {"properties": {"choices": False}}
    # The default's shape follows the type (the loader's rule): a yes/no word or boolean,
    # one text or a list of them for multi, one text otherwise (no type means text).
    yes_no_word = "|".join(f"[{w[0].upper()}{w[0]}]{''.join(f'[{c.upper()}{c}]' for c in w[1:])}"
                           for w in ("yes", "no", "true", "false", "on", "off", "y", "n"))  # fmt: skip
    yes_no = {
        "anyOf": [
            {"type": "boolean"},
            {"type": "string", "pattern": f"^\\s*(?:{yes_no_word})\\s*$"},
        ]
    }
    typed = {"properties": {"type": {"const": "yesno"}}, "required": ["type"]}
    multi = {"properties": {"type": {"const": "multi"}}, "required": ["type"]}
    question["allOf"] = [
        {
            "if": typed,
            "then": {"properties": {"default": yes_no}},
            "else": {
                "if": multi,
                "then": {
                    "properties": {"default": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]}}
                },
                "else": {"properties": {"default": TEXT}},
            },
        }
    ]
    question["dependentSchemas"] = {
        "sets": {
            "anyOf": [
                {
                    "properties": {"sets": {"const": "severity"}, "type": {"const": "choice"}},
                    "required": ["type"],
                },
                {
                    "properties": {
                        "sets": {"enum": [k for k, t in spec.SETS_TYPE.items() if t == "text"]},
                        "type": {"const": "text"},
                    }
                },
            ]
        },
        # action items are entered one at a time: nothing to preset
        "default": {"not": {"properties": {"type": {"const": "actions"}}, "required": ["type"]}},
    }
    item = {
        "anyOf": [
            TEXT,
            _obj(
                spec.ITEM_KEYS,
                spec.ITEM_REQUIRED,
                {"id": ID, "text": TEXT, "when": {"$ref": "#/$defs/condition"}},
            ),
        ]
    }
    branch = {
        "anyOf": [
            TEXT,
            {
                "type": "object",
                "required": ["to"],
                "additionalProperties": False,
                "properties": {"to": TEXT, "when": {"$ref": "#/$defs/condition"}},
            },
        ]
    }
    message = _obj(
        spec.MESSAGE_KEYS,
        spec.MESSAGE_REQUIRED,
        {
            "template": TEXT,
            "platforms": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
            "approval": {"type": "boolean", "default": False},
            "kind": {"enum": list(spec.MESSAGE_KINDS), "default": "statement"},
            "audience": {
                "enum": list(spec.MESSAGE_AUDIENCES),
                "description": "Who it is for; only public posts, public replies and direct "
                "messages are held to a platform's limits (default: by its kind).",
            },
            "banned": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
            "limits": LIMITS,
            "escalate_after": {
                **DURATION,
                "description": "No decision by then: the backup approver is asked.",
            },
            "per_person": {
                "type": "boolean",
                "default": False,
                "description": "Keep a reply ledger at this step: one reply to each person "
                "who engaged, written and checked one by one.",
            },
        },
    )
    mention_floor = {
        "type": "object",
        "required": ["above", "floor"],
        "additionalProperties": False,
        "properties": {"above": {"type": "number", "minimum": 0}, "floor": ID},
    }
    step = _obj(
        spec.STEP_KEYS,
        spec.STEP_REQUIRED,
        {
            "id": {"allOf": [ID, {"not": {"enum": list(spec.RESERVED_STEP_IDS)}}]},
            "title": TEXT,
            "guidance": {"type": "string", "description": "Markdown; {{ name }} placeholders."},
            "checklist": {"enum": list(CHECKLIST_KINDS), "default": "do-confirm"},
            "items": {"type": "array", "items": item},
            "questions": {"type": "array", "items": {"$ref": "#/$defs/question"}},
            "when": {"$ref": "#/$defs/condition"},
            "goto": {"anyOf": [TEXT, {"type": "array", "items": branch}]},
            "due": {
                "anyOf": [
                    DURATION,
                    {
                        "type": "object",
                        "required": ["after"],
                        "additionalProperties": False,
                        "properties": {"after": DURATION, "label": TEXT},
                    },
                ]
            },
            "milestone": {"enum": list(MILESTONES)},
            "message": message,
            "pause_point": {"type": "boolean", "default": False},
            "not_before": {
                "description": "The earliest time to act, from the start; earlier asks a reason.",
                "anyOf": [
                    DURATION,
                    {
                        "type": "object",
                        "required": ["after"],
                        "additionalProperties": False,
                        "properties": {"after": DURATION, "label": TEXT},
                    },
                ],
            },
        },
    )
    cadence = _obj(
        spec.CADENCE_KEYS,
        spec.CADENCE_REQUIRED,
        {
            "id": ID,
            "label": TEXT,
            "every": {**DURATION, "description": "Time between updates, e.g. 30m."},
            "first": {**DURATION, "description": "Time from the start to the first update."},
            "severity": {
                "type": "object",
                "description": "Interval by severity level; off: no updates due at that level.",
                "additionalProperties": {"anyOf": [DURATION, {"enum": [*spec.OFF_WORDS, False]}]},
            },
            "kinds": {
                "anyOf": [
                    {"enum": list(spec.MESSAGE_KINDS)},
                    {"type": "array", "items": {"enum": list(spec.MESSAGE_KINDS)}},
                ],
                "description": "Message kinds that count as an update (default: "
                + ", ".join(spec.PUBLIC_KINDS)
                + ").",
            },
            "until": {**ID, "description": "A step whose end stops the clock."},
        },
    )
    # Some interval: every, or intervals by severity.
    cadence["anyOf"] = [
        {"properties": {"every": True}, "required": ["every"]},
        {"properties": {"severity": True}, "required": ["severity"]},
    ]
    severity_level = {
        "anyOf": [
            ID,
            {
                "type": "object",
                "required": ["id"],
                "additionalProperties": False,
                "properties": {"id": ID, "description": TEXT},
            },
        ]
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://crisis.example/schema/playbook-v1.json",
        "title": "crisis playbook (format 1)",
        **_obj(
            spec.PLAYBOOK_KEYS,
            spec.PLAYBOOK_REQUIRED,
            {
                "crisis": {"const": 1, "description": "Format version."},
                "id": ID,
                "title": TEXT,
                "version": {"anyOf": [{"type": "string"}, {"type": "number"}]},
                "description": TEXT,
                "language": TEXT,
                "kind": TEXT,
                "purpose": {
                    "enum": list(spec.PURPOSES),
                    "default": "incident",
                    "description": "incident, or check: a routine check (not counted as an "
                    "incident in stats, listed apart).",
                },
                "tags": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
                "inputs": {
                    "type": "array",
                    "items": {
                        "$ref": "#/$defs/question",
                        # said here too, for validators that check `required` against the
                        # type in the same schema object (ajv's strict mode)
                        "type": "object",
                        # asked before the walk-through: action items belong to a step
                        "not": {"properties": {"type": {"const": "actions"}}, "required": ["type"]},
                    },
                },
                "severity": {
                    "type": "object",
                    "required": ["levels"],
                    "additionalProperties": False,
                    "properties": {
                        "levels": {"type": "array", "minItems": 1, "items": severity_level},
                        "default": TEXT,
                        "mentions": {
                            "description": "A mention ratio above `above` x normal sets a floor.",
                            "anyOf": [mention_floor, {"type": "array", "items": mention_floor}],
                        },
                    },
                },
                "exit_criteria": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
                "platform_limits": LIMITS,
                "roles": {
                    "type": "array",
                    "items": ID,
                    "uniqueItems": True,
                    "description": "Incident roles assigned at start (default: commander, comms-lead, approver, monitor).",
                },
                "approval": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "require_signature": {
                            "type": "boolean",
                            "default": False,
                            "description": "An approval counts only when signed with the "
                            "approver's SSH key, listed in allowed_signers (docs/team.md).",
                        }
                    },
                },
                "cadence": {
                    "type": "array",
                    "items": cadence,
                    "description": "Recurring deadlines, e.g. a public update every 30m.",
                },
                "phases": {
                    "type": "array",
                    "minItems": 1,
                    "items": _obj(
                        spec.PHASE_KEYS,
                        spec.PHASE_REQUIRED,
                        {
                            "id": ID,
                            "title": TEXT,
                            "description": TEXT,
                            "required": {
                                "type": "boolean",
                                "default": False,
                                "description": "Every path must enter this phase (lint CR603).",
                            },
                            "steps": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"$ref": "#/$defs/step"},
                            },
                        },
                    ),
                },
            },
        ),
        "$defs": {"condition": condition, "question": question, "step": step},
    }


SCHEMA_FILE = "playbook.schema.json"


def schema_text() -> str:
    """The schema as ``crisis schema`` prints it (and playbooks/playbook.schema.json holds)."""
    return json.dumps(playbook_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema_beside(folder: Path) -> bool:
    """Keep ``folder/playbook.schema.json`` current, so the modeline of a playbook copied
    there (``$schema=./playbook.schema.json``) resolves. Returns whether it wrote."""
    from crisiscli.fsutil import atomic_write_text

    target = folder / SCHEMA_FILE
    text = schema_text()
    try:
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            return False
        atomic_write_text(target, text)
    except OSError:
        return False  # a read-only folder: the playbooks still work, only the editor hint
    return True
