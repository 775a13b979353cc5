from __future__ import annotations

from typing import Annotated

import typer

HELP = """Send the notifications that are due, retry owed deliveries, or test the channels.

Notifications (incident opened, severity changed, a deadline 2 minutes away or passed,
approval requested or decided, handoff, close) go to the channels in config.toml:
notify.webhook (Slack, Mattermost, Teams), notify.command, notify.desktop. Commands send
them as they happen, and a running walk-through or `crisis watch` sends deadline ones; this
command is for a cron job, or to retry after fixing a channel. See docs/notify.md.

\b
Examples:
  crisis notify --test            # a test message to every channel (exit 1 if one fails)
  crisis notify                   # what every open incident owes, now
  crisis notify wrong-image
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: every open incident).")
    ] = None,
    test: Annotated[
        bool, typer.Option("--test", help="Send a test notification to every channel.")
    ] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import ExitCode, UsageError
    from crisiscli.ui.output import echo
    from crisiscli.walk.notifier import send_now, test_channels

    env = get_env()
    if test:
        results = test_channels(env)
        if not results:
            raise UsageError(
                "no notification channel is configured",
                hint="crisis config set notify.webhook https://… (see docs/notify.md)",
            )
        for label, error in results:
            echo(f"{label}: " + ("delivered" if error is None else f"NOT delivered ({error})"))
        if any(error is not None for _, error in results):
            raise typer.Exit(int(ExitCode.FINDINGS))
        return
    sent = 0
    for incident_id, round_ in send_now(env, incident):
        for outcome in round_.outcomes:
            note, channel, _attempt = outcome.job
            word = "delivered" if outcome.error is None else f"not delivered ({outcome.error})"
            echo(f"{incident_id}: {note.title} → {channel.label}: {word}")
            sent += 1
    if not sent:
        echo("Nothing to send: every notification that is due has been delivered.")


def register(app: typer.Typer) -> None:
    app.command("notify", help=HELP)(command)
