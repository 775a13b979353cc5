"""Checks of the update cadence (``cadence:``, rules ``CR450``–``CR452``).

A recurring deadline is met only by a published message of one of its kinds, runs only at
severity levels that have an interval, and should leave people time to write, approve and
post an update. ``CR453`` (an ``until`` step no path reaches) needs the path explorer and
lives with the path rules (``pathrules.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

from crisiscli.playbook import model as m

Path_ = tuple[str | int, ...]
Raw = tuple[str, Path_, bool, str]

CODES = frozenset({"CR450", "CR451", "CR452"})
MIN_INTERVAL = 10 * 60  # nobody writes, approves and posts a real update faster than this


def check_cadence(playbook: m.Playbook) -> Iterator[Raw]:
    # what a step posts where the public reads it (a staff memo keeps no public clock)
    posted = [s.message for s in playbook.steps if s.message is not None]
    levels = [lv.id for lv in playbook.severities]
    for ci, cadence in enumerate(playbook.cadences):
        at: Path_ = ("cadence", ci)
        if not any(cadence.met_by(msg.kind, msg.audience) for msg in posted):
            yield (
                "CR450",
                (*at, "id"),
                False,
                f"cadence '{cadence.id}' is met only by a message of kind "
                f"{' or '.join(cadence.kinds)} posted in public, and no step posts one: add "
                "a message step (kind: update) or list the kinds the playbook does publish",
            )
        on = [level for level in levels if cadence.interval(level) is not None]
        if not on:
            yield (
                "CR452",
                (*at, "severity") if cadence.by_severity else (*at, "id"),
                True,
                f"cadence '{cadence.id}' is off at every severity level "
                f"({', '.join(levels)}): give 'every' or an interval for some level",
            )
        timed: list[tuple[Path_, int, str]] = []
        if cadence.every is not None and cadence.every_text is not None:
            timed.append(((*at, "every"), cadence.every, cadence.every_text))
        timed += [
            ((*at, "severity", level), seconds, text)
            for level, seconds, text in cadence.by_severity
            if seconds is not None
        ]
        for where, seconds, text in timed:
            if seconds < MIN_INTERVAL:
                yield (
                    "CR451",
                    where,
                    False,
                    f"an update every {text} leaves no time to write, approve and post it: "
                    f"{MIN_INTERVAL // 60} minutes is the shortest cadence that holds",
                )
