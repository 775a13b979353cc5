"""``crisis stats``: what a team learns across incidents.

Each incident is reduced to a small summary (playbook, severity, time to each milestone,
deadline results, skipped steps, open action items) from its fold — the checkpoint plus
any lines written since, so a thousand closed incidents cost a thousand small reads —
and its snapshot; snapshots that are byte-for-byte equal are built once. Percentiles use linear
interpolation between the closest ranks (numpy's default), so the median of 1, 2, 3, 10
is 2.5 and a single value is its own median and 90th percentile.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crisiscli.playbook.model import MILESTONES, Playbook
from crisiscli.views.report.model import MILESTONE_LABELS, milestone_times
from crisiscli.walk.deadlines import deadline_statuses, format_duration

CHART_WIDTH = 40


@dataclass
class IncidentSummary:
    id: str
    title: str
    playbook: str
    severity: str
    drill: bool
    started_at: datetime | None
    status: str
    milestones: dict[str, float] = field(default_factory=dict)
    deadlines: list[tuple[str, str, str, float | None]] = field(default_factory=list)
    skipped: list[tuple[str, str, str | None]] = field(default_factory=list)
    open_actions: list[dict[str, Any]] = field(default_factory=list)
    routine: bool = False  # a routine check, or a run an answer called "no incident"


class SnapshotCache:
    """Playbook snapshots by content: a thousand incidents on one playbook build it once."""

    def __init__(self) -> None:
        self._built: dict[bytes, Playbook] = {}

    def load(self, incident: Any) -> Playbook:
        from crisiscli.errors import PlaybookError
        from crisiscli.fsutil import read_bounded
        from crisiscli.record.store import MAX_SNAPSHOT_BYTES, SNAPSHOT, load_snapshot

        path = incident.dir / SNAPSHOT
        try:
            blob = read_bounded(path, MAX_SNAPSHOT_BYTES)
        except OSError:
            blob = b""
        if blob and blob in self._built:
            return self._built[blob]
        if not blob:
            raise PlaybookError("the incident has no playbook snapshot")
        playbook = load_snapshot(path)
        self._built[blob] = playbook
        return playbook


def summarize(incident: Any, cache: SnapshotCache, now: datetime) -> IncidentSummary:
    playbook = cache.load(incident)
    state = incident.state()
    summary = IncidentSummary(
        incident.id,
        state.title,
        str(state.playbook.get("id") or playbook.id),
        state.severity or "unknown",
        state.drill,
        state.started_at,
        state.status,
        routine=state.routine,
    )
    if state.started_at is not None:
        for mid, (_step, ts) in milestone_times(playbook, state).items():
            summary.milestones[mid] = (ts - state.started_at).total_seconds()
    for dl in deadline_statuses(playbook, state, now):
        summary.deadlines.append((dl.step, dl.label, dl.state, dl.late_by))
    titles = {s.id: s.title for s in playbook.steps}
    for step_id, st in state.steps.items():
        if st.status == "skipped":
            summary.skipped.append((step_id, titles.get(step_id, step_id), st.reason))
    for item in state.actions.values():
        if item.done_at is None:
            summary.open_actions.append(
                {
                    "incident": incident.id,
                    "id": item.id,
                    "text": item.text,
                    "owner": item.owner,
                    "due": item.due,
                }
            )
    return summary


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks; ``q`` in 0..100."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def select(
    summaries: Iterable[IncidentSummary],
    *,
    since: date | None = None,
    until: date | None = None,
    drills: bool = False,
) -> list[IncidentSummary]:
    chosen = []
    for s in summaries:
        if s.drill and not drills:
            continue
        day = s.started_at.date() if s.started_at else None
        if since is not None and (day is None or day < since):
            continue
        if until is not None and (day is None or day > until):
            continue
        chosen.append(s)
    return chosen


def compute(
    summaries: list[IncidentSummary],
    *,
    since: date | None = None,
    until: date | None = None,
    drills: bool = False,
) -> dict[str, Any]:
    selected = select(summaries, since=since, until=until, drills=drills)
    # A routine check (purpose: check) or a run an answer called "no incident" is no incident:
    # it counts in no figure here, only as the number left out.
    chosen = [s for s in selected if not s.routine]
    by_playbook = Counter(s.playbook for s in chosen)
    by_severity = Counter(s.severity for s in chosen)
    time_to = {}
    for mid in MILESTONES:
        values = [s.milestones[mid] for s in chosen if mid in s.milestones]
        time_to[mid] = {
            "label": MILESTONE_LABELS.get(mid, mid),
            "count": len(values),
            "median_seconds": percentile(values, 50),
            "p90_seconds": percentile(values, 90),
        }
    deadline_rows: dict[tuple[str, str], dict[str, Any]] = {}
    totals = Counter[str]()
    for s in chosen:
        for step, label, state, late in s.deadlines:
            totals[state] += 1
            row = deadline_rows.setdefault(
                (s.playbook, step),
                {"playbook": s.playbook, "step": step, "label": label, "missed": 0, "met": 0,
                 "late_seconds": []},
            )  # fmt: skip
            if state in ("met", "missed"):
                row[state] += 1
            if state == "missed" and late is not None:
                row["late_seconds"].append(late)
    missed_rows = []
    for row in deadline_rows.values():
        if row["missed"]:
            lates = row.pop("late_seconds")
            row["median_late_seconds"] = percentile(lates, 50)
            missed_rows.append(row)
    missed_rows.sort(key=lambda r: (-r["missed"], r["playbook"], r["step"]))
    skipped: dict[tuple[str, str], dict[str, Any]] = {}
    for s in chosen:
        for step, title, reason in s.skipped:
            row = skipped.setdefault(
                (s.playbook, step),
                {"playbook": s.playbook, "step": step, "title": title, "count": 0, "reasons": []},
            )
            row["count"] += 1
            if reason and reason not in row["reasons"] and len(row["reasons"]) < 3:
                row["reasons"].append(reason)
    most_skipped = sorted(skipped.values(), key=lambda r: (-r["count"], r["playbook"], r["step"]))
    months = Counter(s.started_at.strftime("%Y-%m") for s in chosen if s.started_at)
    apology = [
        {"incident": s.id, "title": s.title, "seconds": s.milestones["apology"]}
        for s in sorted(chosen, key=lambda s: (s.started_at is None, s.started_at, s.id))
        if "apology" in s.milestones
    ]
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "drills_included": drills,
        "incidents": len(chosen),
        "routine_checks": len(selected) - len(chosen),
        "by_playbook": dict(sorted(by_playbook.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_severity": dict(sorted(by_severity.items(), key=lambda kv: (-kv[1], kv[0]))),
        "time_to": time_to,
        "deadlines": {
            "met": totals["met"],
            "missed": totals["missed"],
            # not missed: not needed (skipped, not applicable, closed before it was due…)
            # or still to come in an open incident
            "not_needed": totals["waived"],
            "open": totals["open"],
            "overdue": totals["overdue"],
            "missed_by_deadline": missed_rows,
        },
        "most_skipped": most_skipped[:10],
        "open_actions": [a for s in chosen for a in s.open_actions],
        "per_month": [{"month": m, "incidents": n} for m, n in sorted(months.items())],
        "time_to_apology": apology,
    }


def _bar(value: float, top: float) -> str:
    if top <= 0:
        return ""
    n = round(CHART_WIDTH * value / top)
    return "#" * max(n, 1 if value > 0 else 0)


def _dur(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(seconds)


def render_text(stats: dict[str, Any]) -> list[str]:
    """Plain lines for the terminal (callers print them through ``output.echo``)."""
    out: list[str] = []
    span = ""
    if stats["since"] or stats["until"]:
        span = f" from {stats['since'] or 'the start'} to {stats['until'] or 'today'}"
    drills = " (drills included)" if stats["drills_included"] else " (drills excluded)"
    out.append(f"{stats['incidents']} incident(s){span}{drills}")
    routine = stats.get("routine_checks", 0)
    if routine:
        out.append(
            f"{routine} routine check{'s' if routine != 1 else ''} not counted "
            "(purpose: check, or answered as no incident)"
        )
    if not stats["incidents"]:
        return out
    out.append("")
    out.append("By playbook:  " + ", ".join(f"{k} {v}" for k, v in stats["by_playbook"].items()))
    out.append("By severity:  " + ", ".join(f"{k} {v}" for k, v in stats["by_severity"].items()))
    out.append("")
    out.append("Time from start to            n   median      p90")
    for row in stats["time_to"].values():
        out.append(
            f"  {row['label']:<26} {row['count']:>3}  {_dur(row['median_seconds']):>7}  "
            f"{_dur(row['p90_seconds']):>7}"
        )
    dl = stats["deadlines"]
    out.append("")
    others = [
        f"{dl[key]} {words}"
        for key, words in (
            ("overdue", "overdue"),
            ("open", "not due yet"),
            ("not_needed", "not needed"),
        )
        if dl[key]
    ]
    out.append(
        f"Deadlines: {dl['met']} met, {dl['missed']} missed"
        + (f" ({', '.join(others)})" if others else "")
    )
    for row in dl["missed_by_deadline"][:5]:
        out.append(
            f"  missed {row['missed']}x  {row['playbook']} / {row['label']} "
            f"(median {_dur(row['median_late_seconds'])} late)"
        )
    if stats["most_skipped"]:
        out.append("")
        out.append("Most skipped steps (a hint the playbook needs work):")
        for row in stats["most_skipped"][:5]:
            reasons = "; ".join(" ".join(r.split()) for r in row["reasons"])
            out.append(
                f"  {row['count']}x  {row['playbook']} / {row['title']}"
                + (f" — {reasons}" if reasons else "")
            )
    actions = stats["open_actions"]
    out.append("")
    out.append(f"Open action items: {len(actions)}")
    for a in actions[:10]:
        extra = ", ".join(x for x in (a["owner"], f"due {a['due']}" if a["due"] else None) if x)
        text = " ".join(str(a["text"]).split())
        out.append(f"  {a['incident']} {a['id']}: {text}" + (f" ({extra})" if extra else ""))
    if len(actions) > 10:
        out.append(f"  … and {len(actions) - 10} more (crisis stats --json)")
    months = stats["per_month"]
    if months:
        out.append("")
        out.append("Incidents per month:")
        top = max(m["incidents"] for m in months)
        for m in months:
            out.append(
                f"  {m['month']}  {_bar(m['incidents'], top):<{CHART_WIDTH}} {m['incidents']}"
            )
    apology = stats["time_to_apology"][-12:]
    if apology:
        out.append("")
        out.append("Time to apology (latest 12):")
        top = max(a["seconds"] for a in apology)
        for a in apology:
            out.append(
                f"  {a['incident'][:28]:<28} {_bar(a['seconds'], top):<{CHART_WIDTH}} "
                f"{_dur(a['seconds'])}"
            )
    return out
