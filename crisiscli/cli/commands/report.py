from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HELP = """Write a post-mortem of an incident: markdown, self-contained HTML, or JSON.

Built only from the incident's journal and playbook snapshot, so it can be regenerated at
any time: header, summary and impact, time to each milestone, deadlines (met, missed, not
due yet or not needed, and why), steps done / skipped / deferred, severity changes with
their reasons, a diagram of phases against time, the messages published (with approvals
and check overrides) and the drafts that were not, scheduled posts, contacts, roles,
lessons, action items and the full timeline (local time and UTC; one column when local
time is UTC).
--redact replaces outsiders' names and contact details for a public version (exactly what
is replaced: docs/report.md).

\b
Examples:
  crisis report > postmortem.md
  crisis report wrong-image --format html -o postmortem.html
  crisis report wrong-image --format json | jq .metrics.milestones
  crisis report --tz America/New_York --redact -o public.md
  crisis report --template our-layout.md.j2
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest one).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="md, html or json.", metavar="FORMAT")
    ] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to FILE instead of standard output.", metavar="FILE"
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help="A Jinja2 template (sandboxed) instead of the default.",
            metavar="FILE",
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="Time zone for local times, e.g. Europe/Stockholm.", metavar="ZONE"
        ),
    ] = None,
    redact: Annotated[
        bool,
        typer.Option("--redact", help="Replace outsiders' names and contact details."),
    ] = False,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.fsutil import atomic_write_chunks, blocks
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo_err
    from crisiscli.views.report.model import report_for, resolve_zone
    from crisiscli.views.report.render import render_chunks

    env = get_env()
    zone, zone_name = resolve_zone(tz, env)
    found = find_incident(env, incident)
    model = report_for(found, now=env.clock(), tz=zone, zone_name=zone_name, redact=redact)
    chunks = render_chunks(model, fmt.lower(), template)
    if output is None:
        for block in blocks(chunks):
            env.stdout.write(block)
        env.stdout.flush()
        return
    atomic_write_chunks(output, chunks)
    echo_err(f"Report written to {output}")


def register(app: typer.Typer) -> None:
    app.command("report", help=HELP)(command)
