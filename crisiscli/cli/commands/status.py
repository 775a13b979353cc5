from __future__ import annotations

from typing import Annotated, Any

import typer

HELP = """Show where an incident stands: current step, progress, deadlines, last notes.

\b
Examples:
  crisis status
  crisis status wrong-image --json
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest open one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.record.store import find_incident, list_incidents
    from crisiscli.team.contacts import open_follow_ups
    from crisiscli.ui.output import echo, echo_json, warn
    from crisiscli.walk.deadlines import deadline_statuses, format_duration
    from crisiscli.walk.flow import next_target, unfinished

    env = get_env()
    if incident is None and not any(not i.state().closed for i in list_incidents(env)):
        echo(f"No open incident. Data home: {env.home}")
        echo("Start one with: crisis start")
        return
    found = find_incident(env, incident, open_only=incident is None)
    state = found.state()
    book = found.playbook()
    now = env.clock()
    target = next_target(book, state) if not (state.closed or state.finished) else None
    current = book.step(target.step) if target else None
    counts: dict[str, int] = {}
    for step in book.steps:
        st = state.steps.get(step.id)
        counts[st.status if st else "pending"] = counts.get(st.status if st else "pending", 0) + 1
    deadlines = deadline_statuses(book, state, now)
    data: dict[str, Any] = {
        "id": found.id,
        "title": state.title,
        "status": state.status,
        "severity": state.severity,
        "drill": state.drill,
        "playbook": {"id": book.id, "title": book.title, "version": book.version},
        "started": state.started_at.isoformat() if state.started_at else None,
        "elapsed_seconds": (now - state.started_at).total_seconds() if state.started_at else None,
        "current_step": current.id if current else None,
        "open_steps": [
            {"step": sid, "title": book.step(sid).title, "status": state.steps[sid].status}
            for sid in unfinished(book, state)
        ],
        "steps": counts,
        "deadlines": [
            {"step": d.step, "label": d.label, "due": d.due_at.isoformat(), "state": d.state}
            for d in deadlines
        ],
        "responders": state.actors,
        "notes": [
            {"ts": n.ts.isoformat(), "actor": n.actor, "text": n.text} for n in state.notes[-5:]
        ],
        "log": str(found.log_path),
    }
    follow_ups = open_follow_ups(state, now)
    data["follow_ups"] = [
        {
            "contact": f.contact_id,
            "who": f.who,
            "channel": f.channel,
            "due": f.due.isoformat(),
            "overdue": f.overdue,
        }
        for f in follow_ups
    ]
    data["queue"] = {
        "posts": len(state.queue),
        "undecided": sum(1 for p in state.queue.values() if p.decision is None),
    }
    for warning in found.warnings:
        warn(warning)
    if as_json:
        echo_json(data)
        return
    drill = "  [DRILL]" if state.drill else ""
    echo(f"{' '.join(state.title.split())}{drill}")
    elapsed = format_duration(data["elapsed_seconds"] or 0)
    echo(f"  {found.id} · {state.status} · severity {state.severity} · {elapsed} since start")
    echo(f"  playbook: {book.title} ({book.id} v{book.version})")
    done = counts.get("done", 0)
    echo(
        f"  steps: {done} done of {len(book.steps)}"
        + "".join(
            f", {n} {k.replace('_', ' ')}"
            for k, n in counts.items()
            if k not in ("done", "pending")
        )
    )
    if current is not None:
        echo(f"  now: {current.title}")
    for step in data["open_steps"]:
        how = "deferred" if step["status"] == "deferred" else "started, not finished"
        echo(f"  still open: {step['title']} ({how})")
    for d in deadlines:
        if d.state == "overdue":
            echo(f"  OVERDUE: {d.label} ({format_duration(-d.seconds_left(now))} late)")
        elif d.state == "open":
            echo(f"  due: {d.label} in {format_duration(d.seconds_left(now))}")
    for f in follow_ups:
        who = " ".join(f.who.split())
        if f.overdue:
            echo(
                f"  FOLLOW UP OVERDUE: {who} ({f.channel}) {format_duration(-f.seconds_left(now))} late"
                f" — crisis contact done {f.contact_id}"
            )
        else:
            echo(
                f"  follow up: {who} ({f.channel}) in {format_duration(f.seconds_left(now))}"
                f" — crisis contact done {f.contact_id}"
            )
    if state.queue:
        undecided = data["queue"]["undecided"]
        echo(
            f"  scheduled posts: {len(state.queue)} imported, {undecided} undecided"
            + (" — crisis queue decide" if undecided else "")
        )
    for note in state.notes[-3:]:
        echo(
            f"  note {note.ts.astimezone().strftime('%H:%M')} {note.actor}: {' '.join(note.text.split())}"
        )
    echo(f"  log: {found.log_path}")
    if not (state.closed or state.finished):
        echo(f"  continue: crisis resume {found.id}")
    elif state.finished and not state.closed:
        echo(f'  next: crisis report {found.id}  ·  crisis close {found.id} --summary "…"')


def register(app: typer.Typer) -> None:
    app.command("status", help=HELP)(command)
