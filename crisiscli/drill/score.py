"""The score of a drill: each expectation met or missed, with its times (docs/drills.md).

Read from the fold alone (``IncidentState.drill_run`` carries the expectations the scenario
had when the drill started), so every machine of the team scores a drill alike, from the
journal, without the scenario file. Times are drill time: seconds since the drill started,
less its pauses, times its speed — whole seconds, so a drill played on a real clock and the
same drill on a simulated one score alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from crisiscli.drill.player import TOLERANCE, WENT_OUT
from crisiscli.drill.scenario import Expectation, expectation_from_data, offset_text
from crisiscli.playbook.model import Playbook
from crisiscli.playbook.spec import said_in_public
from crisiscli.record.fold import DrillRun, IncidentState


class Verdict(NamedTuple):
    """One expectation, judged."""

    id: str
    expect: str
    label: str  # what was expected, in words
    met: bool
    target: int | None  # drill seconds it was due by
    at: int | None  # drill seconds it happened (None: it did not)
    detail: str  # why, in words
    open: bool = False  # not met yet, but the drill runs on and its time has not passed

    @property
    def word(self) -> str:
        return "met" if self.met else "open" if self.open else "missed"

    def as_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "expect": self.expect,
            "label": self.label,
            "met": self.met,
            "target": self.target,
            "at": self.at,
            "detail": self.detail,
            "state": self.word,
        }


class Observation(NamedTuple):
    """Beside the expectations: what the playbook's own clock, the checks, the approvers and
    the reply ledger say about the drill (deadlines and cadence, message checks, approval
    turnaround, people left unanswered), in drill time."""

    section: str  # deadlines | checks | approvals | unanswered
    ok: bool | None  # None: neither good nor bad (still open)
    text: str

    def as_data(self) -> dict[str, Any]:
        return {"section": self.section, "ok": self.ok, "text": self.text}


SECTIONS = {
    "deadlines": "Deadlines and cadence",
    "checks": "Message checks",
    "approvals": "Approval turnaround",
    "unanswered": "Unanswered people",
}


class Scorecard(NamedTuple):
    scenario: str
    title: str
    started_at: datetime
    speed: float
    clock: str
    injects_played: int
    injects_total: int
    ended: bool
    verdicts: list[Verdict]
    record: tuple[Observation, ...] = ()

    @property
    def met(self) -> int:
        return sum(v.met for v in self.verdicts)

    @property
    def missed(self) -> int:
        return sum(not v.met and not v.open for v in self.verdicts)

    @property
    def passed(self) -> bool:
        """Nothing missed (an expectation still open in a running drill is not a miss)."""
        return self.missed == 0

    def as_data(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "started_at": self.started_at.isoformat(),
            "speed": self.speed,
            "clock": self.clock,
            "injects": {"played": self.injects_played, "total": self.injects_total},
            "ended": self.ended,
            "met": self.met,
            "expectations": len(self.verdicts),
            "verdicts": [v.as_data() for v in self.verdicts],
            "record": [o.as_data() for o in self.record],
        }


def scorecard(
    state: IncidentState, playbook: Playbook | None = None, now: datetime | None = None
) -> Scorecard | None:
    """The score of the drill played on this incident (None: no drill was played); with
    the incident's ``playbook``, also its deadlines and cadence. ``now`` (a running drill):
    an expectation not met yet whose time has not passed is *open*, not missed."""
    run = state.drill_run
    if run is None:
        return None
    verdicts = []
    clock = _at(run, now or state.last_event_at or run.started_at) or 0
    for data in run.expectations:
        exp = expectation_from_data(data)
        if exp is not None:
            verdict = judge(exp, state, run, playbook.language if playbook else "en")
            if (
                not verdict.met
                and verdict.at is None
                and run.ended_at is None
                and (exp.by is None or clock < exp.by)
            ):
                verdict = verdict._replace(
                    open=True, detail=f"{verdict.detail}; the drill is at {_when(clock)}"
                )
            verdicts.append(verdict)
    scenario_injects = sum(
        1 for i in run.played.values() if i.due is not None and not i.key.endswith(WENT_OUT)
    )
    return Scorecard(
        run.scenario, run.title, run.started_at, run.speed, run.clock,
        scenario_injects, run.injects, run.ended_at is not None, verdicts,
        tuple(record(state, run, playbook, run.ended_at or now)),
    )  # fmt: skip


def record(
    state: IncidentState, run: DrillRun, playbook: Playbook | None, now: datetime | None = None
) -> list[Observation]:
    """The drill as the playbook's clock, the checks, the approvers and the ledger saw it."""
    found: list[Observation] = []
    now = now or run.ended_at or state.last_event_at or run.started_at
    if playbook is not None:
        from crisiscli.walk.deadlines import deadline_statuses

        for d in deadline_statuses(playbook, state, now):
            due = _when(_at(run, d.due_at))
            if d.state == "waived":
                continue
            if d.state in ("met", "missed") and d.finished_at is not None:
                done = f"{d.state} at {_when(_at(run, d.finished_at))}"
            elif d.state == "open" and run.ended_at is not None:
                done = "after the drill ended"
            elif d.state == "overdue" and run.ended_at is not None:
                done = "not done when the drill ended"
            else:
                done = {"open": "not due yet", "overdue": "overdue"}.get(d.state, d.state)
            ok = True if d.state == "met" else None if d.state == "open" else False
            found.append(Observation("deadlines", ok, f"{d.title}: due {due}, {done}"))
    for message in state.messages.values():
        # the counts, not the lengths per platform ("x 74/280 · … · 0 errors, 0 warnings")
        summary = (message.check_summary or "not checked").split(" · ")[-1]
        problems = [text for severity, text in message.check_findings if severity == "error"]
        problems += [text for severity, text in message.check_findings if severity == "warning"]
        text = f"{message.step}: {summary}"
        if message.check_override:
            text += f"; sent despite them: {message.check_override}"
        if problems:
            text += " — " + "; ".join(problems[:3])
        found.append(Observation("checks", not problems and not message.check_override, text))
    for message in state.messages.values():
        if not message.requests:
            continue
        asked = _at(run, message.requests[0].ts)
        if message.approved_at is not None:
            at = _at(run, message.approved_at)
            turnaround = offset_text((at or 0) - (asked or 0)).lstrip("+")
            who = message.decided_by or message.approver or message.approved_by or "?"
            text = f"{message.step}: asked at {_when(asked)}, approved by {who} at {_when(at)} ({turnaround})"
            found.append(Observation("approvals", True, text))
        else:
            outcome = message.decision or "no answer"
            text = f"{message.step}: asked at {_when(asked)} of {message.requests[-1].approver}, {outcome}"
            found.append(Observation("approvals", False, text))
    for thread in state.replies.values():
        if thread.unanswered:
            since = _when(_at(run, thread.added_at))
            found.append(Observation("unanswered", False, f"{thread.who} (owed since {since})"))
    return found


def _at(run: DrillRun, ts: datetime | None) -> int | None:
    # Whole drill seconds; a clock moved by float steps may land a hair before one.
    return None if ts is None else int(run.offset(ts) + TOLERANCE)


def _in_time(at: int | None, by: int | None) -> bool:
    return at is not None and (by is None or at <= by)


def _when(at: int | None) -> str:
    return offset_text(at) if at is not None else "never"


def judge(exp: Expectation, state: IncidentState, run: DrillRun, language: str = "en") -> Verdict:
    """Met or missed, when, and why."""
    label = exp.label or _label(exp)

    def verdict(met: bool, at: int | None, detail: str) -> Verdict:
        return Verdict(exp.id, exp.expect, label, met, exp.by, at, detail)

    if exp.expect == "step-done":
        step = state.steps.get(exp.step or "")
        at = _at(run, step.done_at if step is not None else None)
        if at is None:
            status = step.status.replace("_", " ") if step is not None else "not reached"
            return verdict(False, None, f"not done ({status})")
        return verdict(_in_time(at, exp.by), at, f"done at {_when(at)}")
    if exp.expect == "message":
        published = [
            p for p in state.published
            if (
                p.step == exp.step
                if exp.step
                else said_in_public(p.kind, p.audience)
            )
        ]  # fmt: skip
        at = _at(run, published[0].ts if published else None)
        if at is None:
            return verdict(False, None, "nothing published")
        return verdict(_in_time(at, exp.by), at, f"first published at {_when(at)}")
    if exp.expect == "approved":
        return _approved(exp, state, run, verdict)
    if exp.expect == "no-phrases":
        found = _phrases_used(exp, state, language)
        return verdict(not found, None, "; ".join(found) if found else "none used")
    if exp.expect == "replies":
        threads = list(state.replies.values())
        waiting = [t.who for t in threads if t.unanswered]
        times = [t.sent_at or t.closed_at for t in threads]
        last = max((t for t in times if t is not None), default=None)
        at = _at(run, last)
        if waiting:
            return verdict(False, None, "still unanswered: " + ", ".join(waiting[:10]))
        if not threads:
            return verdict(True, None, "nobody was owed a reply")
        return verdict(
            _in_time(at, exp.by), at, f"{len(threads)} answered, the last at {_when(at)}"
        )
    if exp.expect == "queue-decided":
        posts = list(state.queue.values())
        if not posts:
            return verdict(False, None, "no scheduled posts were imported")
        open_posts = [p.id for p in posts if p.decision is None]
        if open_posts:
            return verdict(False, None, f"{len(open_posts)} of {len(posts)} posts undecided")
        last = max(p.decided_at for p in posts if p.decided_at is not None)
        at = _at(run, last)
        return verdict(_in_time(at, exp.by), at, f"{len(posts)} decided, the last at {_when(at)}")
    return verdict(False, None, f"'{exp.expect}' is not an expectation this crisis knows")


def _approved(
    exp: Expectation,
    state: IncidentState,
    run: DrillRun,
    verdict: Callable[[bool, int | None, str], Verdict],
) -> Verdict:
    message = state.messages.get(exp.step or "")
    if message is None or message.approved_at is None:
        return verdict(False, None, "not approved")
    at = _at(run, message.approved_at)
    who = message.decided_by or message.approver or message.approved_by or ""
    if exp.approver and who.casefold() != exp.approver.casefold():
        named = who or "nobody named"
        return verdict(False, at, f"approved by {named} at {_when(at)}, not {exp.approver}")
    if message.override:
        return verdict(False, at, f"sent without approval: {message.override}")
    detail = f"approved by {who} at {_when(at)}"
    met = _in_time(at, exp.by)
    if exp.within is not None and message.requests:
        asked = _at(run, message.requests[0].ts)
        turnaround = (at or 0) - (asked or 0)
        detail += f", {offset_text(turnaround).lstrip('+')} after it was asked"
        met = met and turnaround <= exp.within
    return verdict(met, at, detail)


def _phrases_used(exp: Expectation, state: IncidentState, language: str) -> list[str]:
    texts = [(m.step, m.text) for m in state.messages.values()]
    texts += [(f"reply to {t.who}", t.text) for t in state.replies.values() if t.text]
    found = []
    if not exp.phrases:  # the message checks' excuse and blame patterns
        from crisiscli.messages.checks import excuses

        for where, text in texts:
            found += [f"'{said}' ({why}) in {where}" for said, why in excuses(text, language)]
        return found
    for where, text in texts:
        folded = " ".join(text.casefold().split())
        for phrase in exp.phrases:
            if " ".join(phrase.casefold().split()) in folded:
                found.append(f"'{phrase}' in {where}")
    return found


def _label(exp: Expectation) -> str:
    by = f" by {offset_text(exp.by)}" if exp.by is not None else ""
    if exp.expect == "step-done":
        return f"step {exp.step} done{by}"
    if exp.expect == "message":
        what = f"the message of {exp.step}" if exp.step else "a first public response"
        return f"{what} published{by}"
    if exp.expect == "approved":
        who = f" by {exp.approver}" if exp.approver else ""
        within = f" within {offset_text(exp.within).lstrip('+')}" if exp.within else ""
        return f"the message of {exp.step} approved{who}{within}{by}"
    if exp.expect == "no-phrases":
        if not exp.phrases:
            return "no excuse or blame phrases in any message or reply"
        return "no message says: " + ", ".join(f"'{p}'" for p in exp.phrases[:5])
    if exp.expect == "replies":
        return f"every person owed a reply answered{by}"
    return f"every scheduled post decided{by}"


def text_lines(card: Scorecard) -> list[str]:
    """The scorecard as plain lines (``crisis drill score``; each output escapes them)."""
    speed = f", {card.speed:g}x speed" if card.speed != 1 else ""
    head = f"Drill score: {card.title} ({card.scenario}, {card.clock} clock{speed})"
    still = sum(v.open for v in card.verdicts)
    runs_on = f" ({still} still open: the drill runs on)" if still else ""
    lines = [head, f"Met {card.met} of {len(card.verdicts)} expectations{runs_on}."]
    for v in card.verdicts:
        # two spaces after the mark: a wrapped line hangs under the text, not the mark
        lines.append(f"  {v.word.upper():<6}  {v.id}: {v.label} — {v.detail}")
    played = f"Injects played: {card.injects_played} of {card.injects_total}"
    lines.append(played + ("" if card.ended else " (the drill has not ended)"))
    for section, title in SECTIONS.items():
        found = [o for o in card.record if o.section == section]
        if found:
            lines.append(f"{title}:")
            marks = {
                True: "ok    ",
                False: "MISSED" if section == "deadlines" else "LOOK  ",
                None: "open  ",
            }
            lines += [f"  {marks[o.ok]}  {o.text}" for o in found]
        elif section == "unanswered":
            lines.append(f"{title}: none")
    return lines


def junit(card: Scorecard, *, seconds: float = 0.0) -> str:
    """JUnit XML: one test case per expectation, a failure for each one missed (as lint's)."""
    import xml.etree.ElementTree as ET

    from crisiscli.text import visible_line

    def safe(text: str) -> str:
        return "".join(
            c if c not in "\ufffe\uffff" else f"\\u{ord(c):04x}" for c in visible_line(text)
        )

    missed = card.missed
    name = safe(f"crisis drill {card.scenario}")
    suites = ET.Element("testsuites", name="crisis drill")
    suite = ET.SubElement(suites, "testsuite", name=name)
    for v in card.verdicts:
        case = ET.SubElement(
            suite, "testcase", name=safe(f"{v.id}: {v.label}"), classname=name, time="0.000"
        )
        if v.open:
            ET.SubElement(case, "skipped", message=safe(f"open: {v.detail}"))
        elif not v.met:
            failure = ET.SubElement(case, "failure", message=safe(v.detail), type=v.expect)
            failure.text = safe(f"{v.id}: {v.label} — {v.detail}")
    for element in (suites, suite):
        element.set("tests", str(len(card.verdicts)))
        element.set("failures", str(missed))
        element.set("errors", "0")
        element.set("skipped", str(sum(v.open for v in card.verdicts)))
        element.set("time", f"{seconds:.3f}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
