"""``crisis approve``: finding what waits, showing it, and recording a decision."""

from __future__ import annotations

from typing import Any, NamedTuple

from crisiscli.errors import NotFoundError, NotInteractiveError, StateError, UsageError
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


class Decision(NamedTuple):
    """What the approver said on the command line."""

    choice: str | None  # approve | reject | None (ask)
    comment: str | None = None
    version: str | None = None  # the digest (or its start) of the version they read
    on_behalf_of: str | None = None
    reason: str | None = None


def decide(
    env: Any, found: list[Waiting], decision: Decision, *, list_only: bool, as_json: bool
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
            echo(f"  decide: crisis approve {_command_for(w)}")
            echo()
        return
    if decision.choice is not None:
        if len(found) > 1:
            steps = ", ".join(f"{w.incident.id} --step {w.item.step.id}" for w in found[:4])
            raise UsageError(
                f"{len(found)} messages wait for approval: name one ({steps})",
                hint="see: crisis approve --list",
            )
        _record(env, found[0], decision)
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
        # The version shown is the version decided: a newer one arriving meanwhile is refused.
        seen = decision._replace(choice=picked, comment=text, version=w.item.message.digest)
        _record(env, w, seen)


def _command_for(w: Waiting) -> str:
    return (
        f"{w.incident.id} --step {w.item.step.id} --approve --version {w.item.message.digest[:12]}"
    )


def _refuse_unless_allowed(env: Any, w: Waiting, state: Any, decision: Decision) -> None:
    """Only the people asked, the backup, and the incident's approver and backup decide;
    anyone else decides for one of them, by name and with a reason, on record."""
    allowed = approvals.who_may_decide(w.item, state)
    who = ", ".join(allowed)
    if approvals.may_decide(w.item, state, env.actor):
        if decision.on_behalf_of:
            raise UsageError(
                f"{env.actor} may decide this message: leave out --on-behalf-of",
                hint=f"crisis approve {_command_for(w)}",
            )
        return
    if not decision.on_behalf_of:
        raise UsageError(
            f"{env.actor} may not decide on the message for “{w.item.step.title}”: "
            f"it was asked of {w.item.request.approver} (who may decide: {who})",
            hint=f"to decide for one of them: crisis approve {w.incident.id} --step "
            f"{w.item.step.id} --approve --on-behalf-of NAME --reason TEXT",
        )
    if not (decision.reason or "").strip():
        raise UsageError("deciding on behalf of someone needs a reason: --reason TEXT")
    if not approvals.may_decide(w.item, state, decision.on_behalf_of):
        raise UsageError(
            f"{decision.on_behalf_of} may not decide on this message either (who may: {who})"
        )


def _record(env: Any, w: Waiting, decision: Decision) -> None:
    choice = decision.choice or "approve"
    if choice == "reject" and not (decision.comment or "").strip():
        raise UsageError("a rejection needs a reason: --comment TEXT")
    current = next((p for p in waiting_in(w.incident) if p.item.step.id == w.item.step.id), None)
    if current is None:
        raise StateError(
            f"the message for “{w.item.step.title}” no longer waits for a decision",
            hint=f"see: crisis log {w.incident.id}",
        )
    wanted = (decision.version or "").strip().lower()
    if wanted and not current.item.message.digest.startswith(wanted):
        from crisiscli.record.store import log_timezone
        from crisiscli.ui.output import echo_err

        env_now, tz = env.clock(), log_timezone(env)
        echo_err("\n".join(request_lines(current, env_now, tz)))
        raise StateError(
            f"a newer version is waiting than the one you read ({wanted}): read it above "
            "and decide on that one",
            hint=f"crisis approve {_command_for(current)}",
        )
    state = current.incident.state()
    _refuse_unless_allowed(env, current, state, decision)
    _refuse_unless_signable(env, state.playbook.get("require_signature") is True)
    event = approvals.decision_event(
        current.item,
        choice,
        env.actor,
        decision.comment,
        on_behalf_of=decision.on_behalf_of,
        reason=decision.reason,
    )
    state = current.incident.record(event)
    message = state.messages[current.item.step.id]
    title = current.item.step.title
    echo(f"{current.incident.id}: the message for “{title}” is {approvals.outcome(message)}.")
    echo(f"  version {message.versions} ({message.digest[:12]}), word for word:")
    echo("  ---")
    for line in message.text.splitlines() or [""]:
        echo(f"  {line}")
    echo("  ---")
    if message.self_approved:
        echo("  You wrote this version: recorded as self-approved.")
    if message.uncounted and message.decision is None:
        echo(f"  Not counted: {approvals.uncounted_words(message.uncounted[-1])}.")


def _refuse_unless_signable(env: Any, playbook_requires: bool) -> None:
    """With approval.require_signature on (config or playbook), a decision that would not
    count (no key, a key not listed for this name, no ssh-keygen) is refused before
    anything is recorded."""
    home = env.home
    quiet = not (home / "config.toml").is_file() and not (home / "allowed_signers").exists()
    if quiet and not playbook_requires:
        return
    from crisiscli.record.signing import check_can_sign

    check_can_sign(env, env.actor, playbook_requires=playbook_requires)
