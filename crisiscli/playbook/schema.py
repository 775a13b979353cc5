"""JSON Schema (draft 2020-12) of playbook format v1, for editors and CI.

Hand-written to match ``load.py``; a test validates every bundled playbook and the
canonical form of generated playbooks against it, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from crisiscli.playbook.load import MESSAGE_KINDS
from crisiscli.playbook.model import CHECKLIST_KINDS, MILESTONES, QUESTION_TYPES

ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"}
DURATION = {
    "type": "string",
    "pattern": r"^\s*(\d+\s*d)?\s*(\d+\s*h)?\s*(\d+\s*m)?\s*(\d+\s*s)?\s*$",
}
TEXT = {"type": "string"}
LIMITS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}


def playbook_schema() -> dict[str, Any]:
    condition: dict[str, Any] = {
        "type": "object",
        "minProperties": 1,
        "description": "{question-id: value | [values]}, or all/any (lists) and not.",
        "properties": {
            "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
            "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
            "not": {"$ref": "#/$defs/condition"},
        },
        "additionalProperties": {
            "anyOf": [
                {"type": ["string", "number", "boolean"]},
                {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
            ]
        },
    }
    choice = {
        "anyOf": [
            {"type": ["string", "number", "boolean"]},
            {
                "type": "object",
                "required": ["value"],
                "additionalProperties": False,
                "properties": {"value": {"type": ["string", "number", "boolean"]}, "label": TEXT},
            },
        ]
    }
    question = {
        "type": "object",
        "required": ["id", "prompt"],
        "additionalProperties": False,
        "properties": {
            "id": ID,
            "prompt": TEXT,
            "type": {"enum": list(QUESTION_TYPES), "default": "text"},
            "choices": {"type": "array", "minItems": 1, "items": choice},
            "required": {"type": "boolean", "default": True},
            "default": {},
            "help": TEXT,
            "sets": {
                "enum": ["severity"],
                "description": "The answer becomes the incident's severity (choice questions).",
            },
        },
    }
    item = {
        "anyOf": [
            TEXT,
            {
                "type": "object",
                "required": ["id", "text"],
                "additionalProperties": False,
                "properties": {"id": ID, "text": TEXT, "when": {"$ref": "#/$defs/condition"}},
            },
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
    message = {
        "type": "object",
        "required": ["template"],
        "additionalProperties": False,
        "properties": {
            "template": TEXT,
            "platforms": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
            "approval": {"type": "boolean", "default": False},
            "kind": {"enum": list(MESSAGE_KINDS), "default": "statement"},
            "banned": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
            "limits": LIMITS,
        },
    }
    step = {
        "type": "object",
        "required": ["id", "title"],
        "additionalProperties": False,
        "properties": {
            "id": ID,
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
        },
    }
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
        "type": "object",
        "required": ["id", "title", "phases"],
        "additionalProperties": False,
        "properties": {
            "crisis": {"const": 1, "description": "Format version."},
            "id": ID,
            "title": TEXT,
            "version": {"type": ["string", "number"]},
            "description": TEXT,
            "language": TEXT,
            "kind": TEXT,
            "tags": {"anyOf": [TEXT, {"type": "array", "items": TEXT}]},
            "inputs": {"type": "array", "items": {"$ref": "#/$defs/question"}},
            "severity": {
                "type": "object",
                "required": ["levels"],
                "additionalProperties": False,
                "properties": {
                    "levels": {"type": "array", "minItems": 1, "items": severity_level},
                    "default": TEXT,
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
            "phases": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["id", "title", "steps"],
                    "additionalProperties": False,
                    "properties": {
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
                },
            },
        },
        "$defs": {"condition": condition, "question": question, "step": step},
    }
