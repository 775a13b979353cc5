"""``crisis approve``: finding what waits, showing it, and recording a decision."""

from __future__ import annotations

from typing import Any

from crisiscli.errors import NotFoundError, NotInteractiveError, UsageError
from crisiscli.record.store import find_incident, log_timezone
from crisiscli.ui.output import echo as plain_echo
from crisiscli.ui.output import echo_json
from crisiscli.views.approvals import (
    Waiting,
    for_me_first,
    request_lines,
    waiting_everywhere,
    waiting_in,
    waiting_json,
)
from crisiscli.walk import approvals


def echo(text: str = "") -> None:
    """A line, broken at spaces to the terminal's width (never in the middle of a word)."""
    plain_echo(text, wrapped=True)


def waiting_for(env: Any, ref: str | None, step: str | None) -> list[Waiting]:
    found = waiting_everywhere(env) if ref is None else waiting_in(find_incident(env, ref))
    if step is not None:
        found = [w for w in found if w.item.step.id == step]
        if not found:
            raise NotFoundError(
                f"no message of step '{step}' waits for approval",
                hint="see: crisis approve --list",
            )
    return for_me_first(found, env.actor)


def decide(
    env: Any,
    found: list[Waiting],
    decision: str | None,
    comment: str | None,
    *,
    list_only: bool,
    as_json: bool,
) -> None:
    now, tz = env.clock(), log_timezone(env)
    if as_json:
        echo_json([waiting_json(w, now) for w in found])
        return
    if not found:
        echo("No message is waiting for approval.")
        return
    if list_only:
        for w in found:
            echo("\n".join(request_lines(w, now, tz)))
            echo()
        return
    if decision is not None:
        if len(found) > 1:
            steps = ", ".join(f"{w.incident.id} --step {w.item.step.id}" for w in found[:4])
            raise UsageError(
                f"{len(found)} messages wait for approval: name one ({steps})",
                hint="see: crisis approve --list",
            )
        _record(env, found[0], decision, comment)
        return
    if not env.stdin_isatty:
        raise NotInteractiveError(
            "standard input is not a terminal: decide with --approve or --reject",
            hint="crisis approve ID --step STEP --approve --comment TEXT",
        )
    from crisiscli.ui.prompts import QuestionaryPrompter

    prompter = QuestionaryPrompter(env)
    for w in found:
        echo("\n".join(request_lines(w, now, tz)))
        picked = prompter.choose(
            "Your decision?",
            [("approve", "Approve it"), ("reject", "Reject it (say why)"), ("skip", "Not now")],
        )
        if picked == "skip":
            continue
        text = prompter.ask_text(
            "Why? (recorded)" if picked == "reject" else "A comment? (optional, recorded)",
            required=picked == "reject",
        )
        _record(env, w, picked, text)


def _record(env: Any, w: Waiting, decision: str, comment: str | None) -> None:
    if decision == "reject" and not (comment or "").strip():
        raise UsageError("a rejection needs a reason: --comment TEXT")
    event = approvals.decision_event(w.item, decision, env.actor, comment)
    state = w.incident.record(event)
    message = state.messages[w.item.step.id]
    echo(f"{w.incident.id}: the message for “{w.item.step.title}” is {approvals.outcome(message)}.")
    if not approvals.addressed_to(w.item.request, env.actor):
        echo(f"  (it was asked of {w.item.request.approver}; recorded as decided by {env.actor})")
    if message.self_approved:
        echo("  You wrote this version: recorded as self-approved.")
