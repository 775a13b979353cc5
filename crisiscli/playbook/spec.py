"""The rules of the playbook format that both checkers read: one definition.

``load.py`` (what ``crisis lint``, ``start`` and the engine accept) and ``schema.py`` (the
JSON Schema editors and CI validate with) take their ids, durations, keys and required
keys from here, so the two cannot drift apart; tests/playbook/test_schema_agreement.py
generates playbooks and checks that both say the same.

Patterns are written once in the common subset of Python's and ECMAScript's regular
expressions: ASCII digits only (``[0-9]``, never ``\\d``, which in Python also matches
``١٠``) and no ``\\s``; Python matches them with ``fullmatch`` (``$`` would accept a
trailing newline), JSON Schema anchors them with ``^…(?![\\s\\S])`` (the end of the text
in both languages).
"""

from __future__ import annotations

import re

from crisiscli import timeutil

ID_REGEX = "[a-z0-9][a-z0-9_-]{0,63}"
# A duration: the one grammar of durations every command and prompt reads too (timeutil).
DURATION_REGEX = timeutil.DURATION_REGEX

ID_PATTERN = re.compile(ID_REGEX)

#: The one reserved step id: ``goto: end`` finishes the walk-through.
RESERVED_STEP_IDS = ("end",)

#: Question types that list choices (and must).
CHOICE_TYPES = ("choice", "multi")

PLAYBOOK_KEYS = (
    "crisis",
    "id",
    "title",
    "version",
    "description",
    "language",
    "kind",
    "purpose",
    "tags",
    "inputs",
    "severity",
    "exit_criteria",
    "platform_limits",
    "roles",
    "approval",
    "cadence",
    "phases",
)
APPROVAL_KEYS = ("require_signature",)  # ``approval: {require_signature: true}``
PLAYBOOK_REQUIRED = ("id", "title", "phases")
PHASE_KEYS = ("id", "title", "description", "required", "steps")
PHASE_REQUIRED = ("id", "title", "steps")
STEP_KEYS = (
    "id",
    "title",
    "guidance",
    "checklist",
    "items",
    "questions",
    "when",
    "goto",
    "due",
    "milestone",
    "message",
    "pause_point",
    "not_before",
)
STEP_REQUIRED = ("id", "title")
QUESTION_KEYS = (
    "id",
    "prompt",
    "type",
    "choices",
    "required",
    "default",
    "help",
    "sets",
    "floor",
    "review",
)
QUESTION_REQUIRED = ("id", "prompt")
ITEM_KEYS = ("id", "text", "when")
CHOICE_KEYS = ("value", "label", "no_incident", "floor")
#: What a playbook is for (``purpose:``): an incident, or a routine check (a pre-publication
#: check) that is not counted as an incident in ``stats`` and is listed apart.
PURPOSES = ("incident", "check")
ITEM_REQUIRED = ("id", "text")
MESSAGE_KEYS = (
    "template",
    "platforms",
    "approval",
    "kind",
    "audience",
    "banned",
    "limits",
    "escalate_after",
    "per_person",
)
MESSAGE_REQUIRED = ("template",)
MESSAGE_KINDS = ("statement", "apology", "reply", "dm-invite", "update", "internal")
#: Who a message is for (``audience:``). Only what goes out on a platform (a public post, a
#: public reply, a direct message) is held to that platform's limits; banned and excuse
#: phrases apply to every audience.
MESSAGE_AUDIENCES = ("public-post", "public-reply", "dm", "press", "internal", "support-macro")
PLATFORM_AUDIENCES = ("public-post", "public-reply", "dm")
#: What anyone can read where it happened: a public response, an update, a promise kept.
PUBLIC_AUDIENCES = ("public-post", "public-reply")


def said_in_public(kind: str, audience: str) -> bool:
    """A statement, apology or update the public reads where it happened: what makes and
    keeps a promise of the next update, and what a drill counts as the first response."""
    return kind in PUBLIC_KINDS and audience in PUBLIC_AUDIENCES


#: The audience a message has when its step does not say: by its kind.
AUDIENCE_BY_KIND = {
    "statement": "public-post",
    "apology": "public-post",
    "update": "public-post",
    "reply": "public-reply",
    "dm-invite": "dm",
    "internal": "internal",
}


def audience_of(kind: str) -> str:
    """The audience of a message of ``kind`` whose step names none."""
    return AUDIENCE_BY_KIND.get(kind, "public-post")


# What a question's answer may set on the incident: its severity (a choice question), when
# the impact began and when the team noticed (text questions read as a past time), the
# link to the first post (a text question, kept as evidence).
SETTABLE = ("severity", "impact-start", "detected-at", "first-post")
SETS_TYPE = {
    "severity": "choice",
    "impact-start": "text",
    "detected-at": "text",
    "first-post": "text",
}
#: ``review:`` on a question: which field of the post-mortem its answer fills. The report
#: reads review answers by this key only (at most one question per key in a playbook).
REVIEW_FIELDS = (
    "summary",
    "impact",
    "contributing-factors",
    "what-helped",
    "went-well",
    "went-wrong",
    "lucky",
    "review-owner",
    "review-date",
)
#: A recurring deadline (``cadence:``): public updates every so often while the incident is open.
CADENCE_KEYS = ("id", "label", "every", "first", "severity", "kinds", "until")
CADENCE_REQUIRED = ("id",)
#: Message kinds that speak to the public: they satisfy a cadence (by default) and a promised
#: next update, and the composer asks when the next update is due after one of them.
PUBLIC_KINDS = ("statement", "apology", "update")
#: ``severity: {low: off}``: no recurring deadline at that level (YAML 1.1 reads ``off`` as false).
OFF_WORDS = ("off", "none")


def is_id(text: str) -> bool:
    return ID_PATTERN.fullmatch(text) is not None
