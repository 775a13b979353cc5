"""``crisis stats --drills``: each scenario's runs, oldest first, and how the team is doing.

Drills never count in the incident figures of ``views/stats.py``; here they are the whole
story: for every scenario played, each run's score (expectations met of those it had, and
which were missed) and the trend from the first run to the latest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from crisiscli.drill.score import scorecard


def drill_runs(
    incidents: Iterable[Any], *, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    """One row per drill played from a scenario, oldest first."""
    rows = []
    for incident in incidents:
        state = incident.state()
        card = scorecard(state) if state.drill_run is not None else None
        if card is None:
            continue
        day = card.started_at.date()
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        rows.append(
            {
                "incident": incident.id,
                "scenario": card.scenario,
                "title": card.title,
                "started_at": card.started_at.isoformat(),
                "clock": card.clock,
                "met": card.met,
                "expectations": len(card.verdicts),
                "missed": [v.id for v in card.verdicts if not v.met],
                "ended": card.ended,
            }
        )
    rows.sort(key=lambda r: (r["started_at"], r["incident"]))
    return rows


def drill_trend(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs grouped by scenario, each with its trend (first run against the latest)."""
    scenarios: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = scenarios.setdefault(
            row["scenario"], {"scenario": row["scenario"], "title": row["title"], "runs": []}
        )
        entry["title"] = row["title"]  # the latest run's words
        entry["runs"].append(row)
    for entry in scenarios.values():
        first, last = entry["runs"][0], entry["runs"][-1]
        entry["trend"] = (
            _trend(_share(first), _share(last)) if len(entry["runs"]) > 1 else "one run"
        )
    return {
        "drills": len(rows),
        "scenarios": sorted(scenarios.values(), key=lambda e: e["scenario"]),
    }


def _share(row: dict[str, Any]) -> float:
    return row["met"] / row["expectations"] if row["expectations"] else 1.0


def _trend(first: float, last: float) -> str:
    return "better" if last > first else "worse" if last < first else "the same"


def render_text(trend: dict[str, Any]) -> list[str]:
    """Plain lines (callers print them through ``output.echo``)."""
    if not trend["drills"]:
        return ["No drills played from a scenario yet (crisis drill run SCENARIO)."]
    out = [f"{trend['drills']} drill(s), by scenario — expectations met, oldest run first:"]
    for entry in trend["scenarios"]:
        out.append("")
        out.append(f"{entry['scenario']} — {' '.join(entry['title'].split())}")
        for run in entry["runs"]:
            missed = f"  missed: {', '.join(run['missed'])}" if run["missed"] else ""
            clock = " (simulated)" if run["clock"] == "simulated" else ""
            out.append(
                f"  {run['started_at'][:10]}  {run['met']}/{run['expectations']}{clock}{missed}"
            )
        out.append(f"  trend: {entry['trend']}")
    return out
