"""The rule registry: every check ``crisis lint`` makes, with a stable id.

Ids never change meaning once released (a retired rule keeps its number unused). The
groups: ``CR0xx`` reading the file (``CR07x``: characters a reader cannot see), ``CR1xx`` structure (the loader's errors: a playbook
with one of these does not load at all), ``CR2xx`` references, ``CR3xx`` flow,
``CR4xx`` messages (``CR45x`` the update cadence), ``CR5xx`` checklist design, ``CR6xx`` paths (checked on every path
the path explorer finds), ``CR9xx`` the linter itself.

Rules marked ``always_on`` are the loader's errors: they are checked whatever the
configuration selects, cannot be suppressed, and keep severity ``error``, because
otherwise ``crisis lint`` could pass a playbook that ``crisis start`` then refuses.
Each rule has an entry in docs/lint.md (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
SEVERITIES: tuple[str, ...] = ("error", "warning")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    always_on: bool = False

    @property
    def structural(self) -> bool:
        """Reported first; when present, reference and semantic checks wait."""
        return self.code < "CR200"


_RULES: tuple[Rule, ...] = (
    # -- reading the file -------------------------------------------------------------------
    Rule("CR001", "yaml-syntax", "error", "The file is not valid YAML, or is empty.", True),
    Rule(
        "CR002",
        "unreadable",
        "error",
        "The file cannot be read as UTF-8 text (missing, permissions, binary, too large).",
        True,
    ),
    Rule(
        "CR003",
        "yaml-unsupported",
        "error",
        "YAML the loader refuses: tags, alias bombs, nesting too deep, complex keys.",
        True,
    ),
    Rule("CR004", "duplicate-key", "error", "A mapping has the same key twice.", True),
    Rule(
        "CR005",
        "yaml11-scalar",
        "warning",
        "An unquoted yes/no/on/off or number where text is expected.",
    ),
    # -- characters a reader cannot see -------------------------------------------------------
    Rule(
        "CR071",
        "bidi-control",
        "error",
        "A bidirectional control character: text can read in another order than it is stored.",
    ),
    Rule(
        "CR072",
        "invisible-character",
        "warning",
        "An invisible character (zero-width space, word joiner, BOM, tag character, …).",
    ),
    Rule("CR073", "control-character", "error", "A control character (ESC, BEL, CR, C1 …)."),
    # -- structure --------------------------------------------------------------------------
    Rule("CR101", "schema", "error", "A value has the wrong type or an invalid value.", True),
    Rule("CR102", "required", "error", "A required key is missing.", True),
    Rule("CR103", "unknown-key", "error", "A key the format does not know (a typo?).", True),
    Rule("CR104", "bad-id", "error", "An id that does not follow the id pattern.", True),
    # -- references -------------------------------------------------------------------------
    Rule("CR201", "duplicate-id", "error", "An id used twice where it must be unique.", True),
    Rule("CR202", "unknown-target", "error", "A goto target that is not a step id.", True),
    Rule("CR203", "unknown-ref", "error", "A condition on a question that does not exist.", True),
    Rule(
        "CR204",
        "unknown-choice",
        "error",
        "A condition or default names a value that is not one of the question's choices.",
        True,
    ),
    Rule(
        "CR205",
        "undefined-variable",
        "warning",
        "A {{ variable }} that no input, question or built-in defines.",
    ),
    Rule(
        "CR206",
        "question-asked-later",
        "warning",
        "A condition on a question that is only asked in a later step.",
    ),
    # -- flow -------------------------------------------------------------------------------
    Rule("CR301", "unreachable-step", "warning", "A step no path through the playbook reaches."),
    Rule(
        "CR302",
        "branch-cycle",
        "error",
        "Steps whose goto rules loop with no way out to a later step or the end.",
    ),
    # -- messages ---------------------------------------------------------------------------
    Rule(
        "CR401",
        "message-too-long",
        "warning",
        "A message template longer than a target platform's limit.",
    ),
    Rule(
        "CR402",
        "statement-without-approval",
        "warning",
        "A statement, apology or update the public or the press reads that skips approval.",
    ),
    Rule(
        "CR403",
        "escalation-without-approval",
        "warning",
        "escalate_after on a message that needs no approval: nobody is ever escalated to.",
    ),
    Rule(
        "CR404",
        "escalation-without-backup",
        "warning",
        "escalate_after in a playbook that never asks who the backup approver is.",
    ),
    Rule(
        "CR405",
        "banned-in-template",
        "error",
        "A message template that contains one of its own banned phrases.",
    ),
    Rule(
        "CR406",
        "excuse-in-template",
        "warning",
        "A message template with an excuse or blame phrase the composer warns about.",
    ),
    Rule(
        "CR407",
        "milestone-without-message",
        "error",
        "A public milestone (acknowledged, first-response, apology) on a step that posts no "
        "public message.",
    ),
    # -- update cadence (recurring deadlines: ``cadence:``) --------------------------------
    Rule(
        "CR450",
        "cadence-without-message",
        "warning",
        "A recurring deadline no message of the playbook can meet (no step posts a message of "
        "one of its kinds in public).",
    ),
    Rule(
        "CR451",
        "cadence-too-often",
        "warning",
        "A recurring deadline more often than every 10 minutes.",
    ),
    Rule(
        "CR452",
        "cadence-never-on",
        "warning",
        "A recurring deadline that is 'off' at every severity level of the playbook.",
    ),
    Rule(
        "CR453",
        "cadence-until-unreached",
        "warning",
        "A recurring deadline whose 'until' step no path reaches: only the close stops it.",
    ),
    Rule(
        "CR454",
        "cadence-unmet-at-level",
        "error",
        "A recurring deadline that runs at the severity a path ends at, where no step of that "
        "path posts the updates it asks for.",
    ),
    # -- checklist design -------------------------------------------------------------------
    Rule(
        "CR501",
        "long-checklist",
        "warning",
        "A step with more than 9 items and no pause point.",
    ),
    Rule("CR502", "no-review", "warning", "The playbook has no review phase."),
    Rule(
        "CR503", "no-exit-criteria", "warning", "The playbook says nothing about when it is over."
    ),
    Rule(
        "CR504",
        "deadline-order",
        "warning",
        "A deadline later than a deadline in a later phase.",
    ),
    Rule(
        "CR505",
        "no-pause-step",
        "warning",
        "An incident playbook with no step that pauses the scheduled posts.",
    ),
    Rule(
        "CR506",
        "no-severity-scale",
        "warning",
        "An incident playbook with no severity scale of its own.",
    ),
    # -- paths (every way through the playbook: crisiscli/walk/paths.py) -----------------
    Rule(
        "CR600",
        "paths-sampled",
        "warning",
        "Too many paths to check every one: the path rules checked a seeded sample.",
    ),
    Rule(
        "CR601",
        "gate-not-held",
        "error",
        'A "not yet" answer leads straight to the review or the end.',
    ),
    Rule(
        "CR602",
        "approver-not-named",
        "warning",
        "A path reaches a message that needs approval before anyone is named to approve it.",
    ),
    Rule(
        "CR603",
        "required-phase-skipped",
        "error",
        "A path passes by every step of a phase marked 'required: true'.",
    ),
    Rule(
        "CR604",
        "deadline-out-of-reach",
        "warning",
        "A deadline whose step no path reaches, or reaches only after a later phase began.",
    ),
    Rule(
        "CR605",
        "ends-without-review",
        "warning",
        "A path ends without reaching the review phase, and not by an explicit 'goto: end'.",
    ),
    Rule(
        "CR606",
        "named-without-consent",
        "warning",
        "A public message names a person on a path where nobody asked their permission.",
    ),
    Rule(
        "CR607",
        "grade-not-set",
        "warning",
        "A question whose choices are the severity levels, without 'sets: severity'.",
    ),
    # -- the linter itself ------------------------------------------------------------------
    Rule("CR901", "unused-noqa", "warning", "A suppression comment that suppresses nothing."),
    Rule("CR902", "bad-noqa", "warning", "A suppression comment naming an unknown rule."),
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in _RULES}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in _RULES}

# The loader's rule names (``load.Problem.rule``) and the parse failures, by code.
LOADER_RULES: dict[str, Rule] = {
    "schema": BY_CODE["CR101"],
    "required": BY_CODE["CR102"],
    "unknown-key": BY_CODE["CR103"],
    "bad-id": BY_CODE["CR104"],
    "duplicate-key": BY_CODE["CR004"],
    "yaml11-scalar": BY_CODE["CR005"],
    "duplicate-id": BY_CODE["CR201"],
    "unknown-target": BY_CODE["CR202"],
    "unknown-ref": BY_CODE["CR203"],
    "unknown-choice": BY_CODE["CR204"],
}


def all_rules() -> tuple[Rule, ...]:
    return _RULES


def lookup(word: str) -> Rule | None:
    """A rule by code (``CR101``, any case) or name (``schema``)."""
    return BY_CODE.get(word.upper()) or BY_NAME.get(word.lower())


def expand(selector: str) -> list[Rule]:
    """Rules matching a selector: ``ALL``, a code prefix (``CR5``), a code or a name."""
    word = selector.strip()
    if word.upper() == "ALL":
        return list(_RULES)
    rule = lookup(word)
    if rule is not None:
        return [rule]
    upper = word.upper()
    if upper.startswith("CR") and upper[2:].isdigit():
        return [r for r in _RULES if r.code.startswith(upper)]
    return []
