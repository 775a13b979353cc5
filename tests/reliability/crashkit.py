"""Shared checks for the crash tests: what must hold after a SIGKILL, and what "the same
outcome" means when two runs of one script are compared."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crisiscli.record.fold import replay
from crisiscli.record.journal import parse_journal
from crisiscli.record.store import JOURNAL, LOG, Incident, list_incidents
from crisiscli.views.log import render_log
from tests.conftest import make_env, run_cli
from tests.helpers import events_of

DEFAULT_SEED = 20261123
CI_KILLS = 50
LONG_KILLS = 1000


def crash_seed() -> int:
    """CRISIS_CRASH_SEED=N reproduces a run; the seed is printed with every failure."""
    text = os.environ.get("CRISIS_CRASH_SEED", "").strip()
    return int(text) if text else DEFAULT_SEED


def make_rng(salt: str) -> tuple[int, random.Random]:
    seed = crash_seed()
    print(f"crash test {salt}: seed {seed} (reproduce with CRISIS_CRASH_SEED={seed})")
    return seed, random.Random(f"{seed}:{salt}")


def kill_budget(config: pytest.Config, share: float) -> int:
    total = LONG_KILLS if config.getoption("--long") else CI_KILLS
    return max(1, round(total * share))


def share(budget: int, shard: int, shards: int) -> int:
    """Shard ``shard``'s part of ``budget`` kills dealt to ``shards`` tests (they add up)."""
    return budget // shards + (1 if shard < budget % shards else 0)


def the_incident(home: Path) -> Incident:
    found = list_incidents(make_env(home))
    assert len(found) == 1, f"expected one incident in {home}, found {[i.id for i in found]}"
    return found[0]


def incident_or_none(home: Path) -> Incident | None:
    """The incident of a crash run, if its first event reached the journal."""
    found = list_incidents(make_env(home))
    if not found or not events_of(found[0]):
        return None
    return found[0]


def journal_ids(path: Path) -> set[str]:
    """Ids of the complete events in a journal right now (a torn tail is not counted)."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return set()
    return {e.id for e in parse_journal(blob, str(path)).events}


@dataclass
class AfterKill:
    events: int
    torn_tail: bool


def check_after_kill(
    home: Path, acknowledged: set[str], shown_steps: list[str], why: str
) -> AfterKill:
    """Everything that must hold right after a SIGKILL, before anything resumes."""
    found = list_incidents(make_env(home))
    if not found:
        # Killed before the incident folder got its first event: nothing was acknowledged.
        assert not acknowledged, why
        return AfterKill(0, False)
    incident = found[0]
    path = incident.dir / JOURNAL
    blob = path.read_bytes()
    result = parse_journal(blob, str(path))
    torn = bool(blob) and not blob.endswith(b"\n")
    # The journal parses: the only tolerated defect is an incomplete last line.
    bad = [w for w in result.warnings if "incomplete last line" not in w]
    assert not bad, f"{why}: {bad}"
    assert len(result.warnings) <= 1, why
    # Every event seen in the journal before the kill is still there.
    ids = {e.id for e in result.events}
    lost = acknowledged - ids
    assert not lost, f"{why}: {len(lost)} acknowledged events lost"
    # Every step the child announced on stdout had been entered in the journal.
    state = replay(result.events)
    titles = {incident.playbook().step(s).title for s in state.steps if state.steps[s].visits}
    for title in shown_steps:
        assert title in titles, f"{why}: step '{title}' was shown but never recorded"
    # log.md is derived and replaced atomically: it is a whole log of an earlier moment
    # (usually the last event but one; more after kills in a row), never half a file.
    if incident.log_path.exists() and result.events:
        on_disk = _timeline(incident.log_path.read_text(encoding="utf-8"))
        history = incident.replay(history=True).history
        assert history is not None
        full = _timeline(render_log(state, incident, history.timeline, incident.tz()))
        n = len(on_disk)
        assert on_disk and any(full[k : k + n] == on_disk for k in range(len(full) - n + 1)), (
            f"{why}: log.md is not a complete log of an earlier moment"
        )
    return AfterKill(len(result.events), torn)


def _timeline(log: str) -> list[str]:
    """The timeline lines of a log (one per event), which must all be there."""
    part = log.split("## Timeline", 1)[-1]
    return [line for line in part.splitlines() if line.startswith("- ")]


def check_log_rebuild(incident: Incident) -> None:
    """`crisis log --rebuild` writes exactly the log regenerated from the journal, complete."""
    home = incident.env.home
    rebuilt = run_cli(home, "log", incident.id, "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    fresh = run_cli(home, "log", incident.id)
    assert rebuilt.stdout == (incident.dir / LOG).read_text(encoding="utf-8")
    assert _timeline(rebuilt.stdout) == _timeline(fresh.stdout)
    events = events_of(incident)
    assert len(_timeline(rebuilt.stdout)) == len(events), "the log's timeline misses events"


def essence(incident: Incident) -> dict[str, Any]:
    """What a report is made of, without times, ids or session bookkeeping."""
    state = incident.state()
    return {
        "title": state.title,
        "severity": state.severity,
        "drill": state.drill,
        "inputs": state.inputs,
        "answers": state.answers,
        "steps": {
            sid: {
                "status": st.status,
                "checked": sorted(st.checked),
                "reason": st.reason,
                "unchecked_at_done": list(st.unchecked_at_done),
            }
            for sid, st in sorted(state.steps.items())
        },
        "notes": [(n.text, n.step, n.actor) for n in state.notes],
        "messages": [
            (m.step, m.text, m.platforms, m.kind, m.approver, m.override)
            for m in list(state.messages.values())
        ],
        "finished": state.finished,
        "finish_status": state.finish_status,
        "closed": state.closed,
        "summary": state.summary,
        # The decisions in order; pauses, interruptions, resumes and walkers are bookkeeping.
        "events": [(e.type, e.data) for e in events_of(incident) if not e.type.startswith(SESSION)],
    }


# Which process walked when (pauses, resumes, interruptions, each walker's pid and lease)
# differs between a killed run and an undisturbed one; the decisions do not.
SESSION = ("session.", "walker.")
# ``in_brief`` is a sentence of the times and durations below, already compared one by one.
_BOOKKEEPING = {"id", "visits", "events", "generated_at", "duration_seconds", "in_brief"}


def _strip(value: Any) -> Any:
    """A report without times, ids, durations and session bookkeeping."""
    if isinstance(value, dict):
        if {"utc", "local"} <= set(value):
            return "<time>"
        return {
            k: _strip(v)
            for k, v in value.items()
            if k not in _BOOKKEEPING and not k.endswith("_seconds") and k != "seconds"
        }
    if isinstance(value, list):
        kept = [
            v
            for v in value
            if not (isinstance(v, dict) and str(v.get("type", "")).startswith(SESSION))
        ]
        return [_strip(v) for v in kept]
    return value


def report_essence(incident: Incident) -> dict[str, Any]:
    """`crisis report --format json`, minus what legitimately differs between two runs."""
    shown = run_cli(incident.env.home, "report", incident.id, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    return dict(_strip(json.loads(shown.stdout)))
