"""Deciding on scheduled posts at the terminal: one post at a time, each decision recorded
before the next post is shown (``crisis queue decide`` without arguments)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from crisiscli.errors import UsageError
from crisiscli.moments import parse_when
from crisiscli.queue.triage import fmt_time, make_decision, record, relative, undecided
from crisiscli.record.store import Incident
from crisiscli.text import one_line


def interactive(incident: Incident, zone: tzinfo, **prompt_kwargs: Any) -> int:
    """Ask about every undecided post; returns how many decisions were recorded."""
    import questionary
    from questionary import Choice

    from crisiscli.ui.output import echo

    env = incident.env
    made = 0
    asked: set[str] = set()
    while True:
        state = incident.state()  # fresh: another terminal may have decided some
        waiting = [p for p in undecided(state) if p.id not in asked]
        if not waiting:
            break
        post = waiting[0]
        asked.add(post.id)
        now = env.clock()
        left = len(undecided(state))
        echo("")
        echo(
            f"Post {post.id} · due {fmt_time(post.due, zone)} ({relative(post.due, now)})"
            f" · {post.platform or 'no platform named'} · {left} undecided"
        )
        if post.due is not None and post.due <= now:
            echo("  (its time has passed: it may already be published — check the scheduler)")
        for line in (post.text or "(no text)").splitlines() or [""]:
            echo(f"  | {line}")
        if post.link:
            echo(f"  link: {one_line(post.link)}")
        choice = questionary.select(
            "Decision for this post?",
            choices=[
                Choice("keep — let it go out as planned", value="keep", shortcut_key="k"),
                Choice("cancel — remove it from the queue", value="cancel", shortcut_key="c"),
                Choice(
                    "reschedule — move it to a later time", value="reschedule", shortcut_key="r"
                ),
                Choice("skip for now", value="skip", shortcut_key="s"),
                Choice("stop — decide the rest later", value="stop", shortcut_key="q"),
            ],
            use_shortcuts=True,
            use_jk_keys=False,
            **prompt_kwargs,
        ).unsafe_ask()
        if choice == "stop":
            break
        if choice == "skip":
            continue
        to = None
        if choice == "reschedule":

            def valid_time(value: str) -> bool | str:
                try:
                    when = parse_when(value, env.clock(), zone, what="new time")
                except UsageError as exc:
                    return exc.message
                return True if when > env.clock() else "that time is in the past"

            to = str(
                questionary.text(
                    "New time (2h, 18:00, 2026-11-25 09:00):", validate=valid_time, **prompt_kwargs
                ).unsafe_ask()
            )
        reason = str(
            questionary.text(
                "Reason (one line):",
                validate=lambda v: bool(v.strip()) or "A reason is needed.",
                **prompt_kwargs,
            ).unsafe_ask()
        )
        decision = make_decision(
            incident.state(), post.id, str(choice), reason, to, env.clock(), zone
        )
        record(incident, decision)
        made += 1
        shown = f" to {fmt_time(decision.new_time, zone)}" if decision.new_time else ""
        echo(f"Recorded: {post.id} → {decision.decision}{shown}")
    return made
