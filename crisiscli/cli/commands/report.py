from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HELP = """Write a post-mortem of an incident: markdown, self-contained HTML, JSON or PDF.

Built only from the incident's journal and playbook snapshot, so it can be regenerated at
any time. First what a manager reads: a summary (the review's answer, then a paragraph of
facts written from the journal), the impact, key times on two clocks (from when the impact
began, `crisis impact`, and from the opening: time to detect, acknowledge, first public
response, contain), the exit criteria (met or not, who checked and when), the review
(contributing factors, what helped, lessons, owner and meeting date) and the action items
with their status. Then the details: milestones, deadlines and the update clock (each miss
at its time), severity changes, a diagram of phases against time, the messages published
(with approvals, or that none was needed) and the drafts that were not, scheduled posts,
contacts, evidence, mentions, roles and handoffs; the steps and the full timeline are an
appendix (collapsed in HTML). HTML prints cleanly (page breaks between sections, rows never
cut, links written out); --format pdf prints it through an installed Chromium or Chrome.
--redact replaces every person the journal knows, greetings' names, @handles, e-mail
addresses, phone numbers, social-network links and --redact-term words (and the config's
redact list), leaves evidence out, and says what it replaced and what it cannot catch
(docs/report.md).

\b
Examples:
  crisis report > postmortem.md
  crisis report wrong-image --format html -o postmortem.html
  crisis report wrong-image --format pdf -o postmortem.pdf
  crisis report wrong-image --format json | jq .metrics.clocks
  crisis report --tz America/New_York --redact --redact-term "Acme Bistro" -o public.md
  crisis report --template our-layout.md.j2
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest one).")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="md, html, json, or pdf (with -o FILE; needs Chromium or Chrome).",
            metavar="FORMAT",
        ),
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
        typer.Option(
            "--redact", help="Replace people's names and contact details (a public version)."
        ),
    ] = False,
    redact_terms: Annotated[
        list[str] | None,
        typer.Option(
            "--redact-term",
            help="Also replace this word or name (repeat it; adds to the config's redact list).",
            metavar="TERM",
        ),
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.fsutil import atomic_write_chunks, blocks
    from crisiscli.record.store import find_incident
    from crisiscli.ui.output import echo_err
    from crisiscli.views.report.model import (
        report_for,
        report_thumbnails,
        resolve_zone,
    )
    from crisiscli.views.report.redact import Redactor
    from crisiscli.views.report.render import render_chunks

    env = get_env()
    zone, zone_name = resolve_zone(tz, env)
    found = find_incident(env, incident)
    terms = [*redact_terms_configured(env), *(redact_terms or ())] if redact else []
    if redact_terms and not redact:
        raise UsageError("--redact-term works with --redact", hint="add --redact")
    redactor: list[Redactor] = []
    model = report_for(
        found,
        now=env.clock(),
        tz=zone,
        zone_name=zone_name,
        redact=redact,
        redact_terms=terms,
        redactor=redactor,
    )
    kind = fmt.lower()
    if kind == "pdf":
        from crisiscli.views.report.pdf import write_pdf

        if output is None:
            raise UsageError(
                "--format pdf needs --output FILE", hint="crisis report -f pdf -o report.pdf"
            )
        write_pdf(
            render_chunks(model, "html", template, report_thumbnails(found, model, "html")),
            output,
            env,
        )
        echo_err(f"Report written to {output}")
    else:
        shown = report_thumbnails(found, model, kind)
        chunks = render_chunks(model, kind, template, shown)
        if output is None:
            for block in blocks(chunks):
                env.stdout.write(block)
            env.stdout.flush()
        else:
            atomic_write_chunks(output, chunks)
            echo_err(f"Report written to {output}")
    if redactor:
        echo_err(
            redactor[0].summary()
            + ". Read it before you publish: some names cannot be caught (docs/report.md)."
        )


def redact_terms_configured(env: object) -> list[str]:
    """The config's ``redact`` list (``crisis config set redact ...``)."""
    from crisiscli.config import current_config

    return list(current_config(env).redact)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    app.command("report", help=HELP)(command)
