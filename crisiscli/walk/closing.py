"""Closing an incident against the playbook's exit criteria.

Before an incident closes, each exit criterion is shown and checked: met or not, with a
note when it is not. Each answer is an ``exit.checked`` event (docs/journal.md), so the
log, status and report show what was true when it closed. A criterion that is not met
does not forbid closing, but a person is asked to confirm; a script (``--met`` or an
answers file's ``exit_criteria``) has said what it wants. Both ``crisis close`` and the
end of a walk-through come through ``check_and_close``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from crisiscli.errors import UsageError
from crisiscli.playbook.model import truthy_word
from crisiscli.record.events import exit_checked, incident_closed
from crisiscli.record.store import Incident


@dataclass(frozen=True)
class CriterionCheck:
    index: int  # 1-based
    text: str
    met: bool
    note: str = ""


class ExitChecker(Protocol):
    def check_exit(self, criteria: tuple[str, ...]) -> list[CriterionCheck]:
        """Each criterion checked, in order; an empty list: not checked this time."""
        ...

    def close_anyway(self, unmet: list[CriterionCheck]) -> bool:
        """Some criteria are not met: close all the same?"""
        ...


class NotChecked:
    """Nobody to ask (no terminal, no ``--met``): close without checking."""

    def check_exit(self, criteria: tuple[str, ...]) -> list[CriterionCheck]:
        return []

    def close_anyway(self, unmet: list[CriterionCheck]) -> bool:
        return True


class Given:
    """Checks decided in advance (``--met``, an answers file): close whatever they say."""

    def __init__(self, met: list[bool], notes: list[str] | None = None) -> None:
        self.met = met
        self.notes = notes or [""] * len(met)

    def check_exit(self, criteria: tuple[str, ...]) -> list[CriterionCheck]:
        return [
            CriterionCheck(i, text, self.met[i - 1], self.notes[i - 1])
            for i, text in enumerate(criteria, 1)
        ]

    def close_anyway(self, unmet: list[CriterionCheck]) -> bool:
        return True


def criteria_words(count: int) -> str:
    """``1 exit criterion``, ``3 exit criteria``."""
    return f"{count} exit criteri{'on' if count == 1 else 'a'}"


def parse_met(spec: str, count: int) -> list[bool]:
    """``all``, ``none`` or criterion numbers (``1,3``): which of ``count`` are met."""
    word = spec.strip().lower()
    if word == "all":
        return [True] * count
    if word in ("none", ""):
        return [False] * count
    met = [False] * count
    for part in word.replace(" ", "").split(","):
        if not part.isdigit() or not 1 <= int(part) <= count:
            raise UsageError(
                f"--met wants all, none or criterion numbers from 1 to {count}, not '{part}'",
                hint="see the numbered list with: crisis close --help",
            )
        met[int(part) - 1] = True
    return met


def scripted_checks(value: Any, count: int) -> tuple[list[bool], list[str]]:
    """An answers file's ``exit_criteria``: ``all``, ``none``, or one entry per criterion
    (yes/no, or ``{met: no, note: ...}``). Raises ValueError with a reason."""
    if isinstance(value, str) and value.strip().lower() in ("all", "none"):
        return parse_met(value, count), [""] * count
    if not isinstance(value, list):
        raise ValueError("exit_criteria must be all, none, or a list with one entry per criterion")
    if len(value) != count:
        raise ValueError(f"exit_criteria has {len(value)} entries; the playbook has {count}")
    met: list[bool] = []
    notes: list[str] = []
    for entry in value:
        note = ""
        if isinstance(entry, dict):
            note = str(entry.get("note") or "")
            entry = entry.get("met")
        word = truthy_word(str(entry)) if not isinstance(entry, bool) else entry
        if word is None:
            raise ValueError(f"'{entry}' is not yes or no")
        met.append(word)
        notes.append(note)
    return met, notes


def check_and_close(
    incident: Incident,
    criteria: tuple[str, ...],
    checker: ExitChecker,
    summary: str | None = None,
) -> tuple[bool, list[CriterionCheck]]:
    """Check the criteria, record each answer, and close unless the checker declines."""
    checks = checker.check_exit(criteria) if criteria else []
    if checks:
        incident.record(*(exit_checked(c.index, c.text, c.met, c.note) for c in checks))
    unmet = [c for c in checks if not c.met]
    if unmet and not checker.close_anyway(unmet):
        return False, checks
    incident.record(incident_closed((summary or "").strip() or None))
    return True, checks


def reopen(incident: Incident) -> None:
    """Record ``incident.reopened`` (refused when the incident is not closed)."""
    from crisiscli.errors import StateError
    from crisiscli.record.events import incident_reopened

    if not incident.state().closed:
        raise StateError(f"incident {incident.id} is not closed")
    incident.record(incident_reopened())


def steps_still_open(incident: Incident) -> list[str]:
    """The titles of the steps a close would leave open: the one a walk-through is at first
    (naming who walks it now, or that it stopped there), then every step not finished (refused when the incident
    is already closed)."""
    from crisiscli.errors import StateError
    from crisiscli.walk.flow import position, unfinished

    state = incident.state()
    if state.closed:
        raise StateError(f"incident {incident.id} is already closed")
    book = incident.playbook()
    still_open = [book.step(sid).title for sid in unfinished(book, state)]
    if not state.finished and state.current is not None:  # paused, interrupted, or walked now
        from crisiscli.walk.lease import Lease

        index, count = position(book, state.current)
        lease = Lease(incident)
        walking = lease.try_hold()  # who holds the walk-through now, if anyone
        lease.release()
        if walking is not None:
            where = (
                f"{walking.actor} is walking it now, step {index} of {count}"
                f" — pid {walking.pid} on {walking.host}, {walking.tty}"
            )
        else:
            where = f"the walk-through stopped here, step {index} of {count}"
        still_open.insert(0, f"{book.step(state.current).title} ({where})")
    return still_open
