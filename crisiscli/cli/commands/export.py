from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HELP = """Bundle an incident for legal or a manager: one zip with a SHA-256 for every byte.

The zip holds the journal, the playbook snapshot, log.md, the report as HTML and JSON,
every evidence file and manifest.json (SHA-256 and size of each member). The same
incident always gives the same bytes. --verify checks a bundle against its manifest
(exit 1 naming each member missing, extra or changed).

\b
Examples:
  crisis export -o wrong-image.zip
  crisis export wrong-image -o /media/usb/wrong-image.zip --tz Europe/Stockholm
  crisis export --verify wrong-image.zip
"""


def command(
    incident: Annotated[
        str | None, typer.Argument(help="Incident id (default: the latest one).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The zip to write.", metavar="FILE.zip")
    ] = None,
    verify: Annotated[
        Path | None, typer.Option("--verify", help="Check a bundle instead.", metavar="FILE.zip")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Time zone of the log and reports.", metavar="ZONE")
    ] = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import ExitCode, UsageError
    from crisiscli.ui.output import echo, echo_err

    env = get_env()
    if verify is not None:
        if output is not None or incident is not None:
            raise UsageError("--verify checks a bundle: give only the zip")
        from crisiscli.views.export import verify_bundle

        manifest, findings = verify_bundle(verify)
        for f in findings:
            echo_err(f"{verify}: {f.member}: {f.problem}")
        if findings:
            raise typer.Exit(int(ExitCode.FINDINGS))
        count = len(manifest["members"])
        echo(
            f"{verify}: {count} member(s) and the manifest, of {manifest.get('incident')}; "
            "every SHA-256 matches."
        )
        return
    if output is None:
        raise UsageError("say where the bundle goes: -o FILE.zip")
    from crisiscli.record.store import find_incident
    from crisiscli.views.export import export
    from crisiscli.views.report.model import resolve_zone

    zone, zone_name = resolve_zone(tz, env)
    found = find_incident(env, incident)
    count = export(found, output, tz=zone, zone_name=zone_name) - 1  # the manifest apart
    echo(
        f"Exported {found.id} to {output}: {count} member(s) and the manifest. "
        f"Check it with: crisis export --verify {output}"
    )


def register(app: typer.Typer) -> None:
    app.command("export", help=HELP)(command)
