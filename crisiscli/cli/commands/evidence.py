from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crisiscli.cli.commands._group import command_group

HELP = """Keep screenshots, exports and links as evidence, with proof they were not changed.

Files are copied into the incident folder as evidence/<sha256> (the name is the SHA-256
of the bytes) with their size, type, original name, who and when; links are recorded,
never fetched. `crisis evidence verify` reads every file back. Evidence shows in log.md,
status, handoff and reports, and travels with `crisis sync` and `crisis export`.

\b
Examples:
  crisis evidence add screenshot.png --note "The post, with the time visible"
  crisis evidence add --url https://x.com/acme/status/1 --note "The original post"
  crisis evidence list
  crisis evidence verify
"""

ADD_HELP = """Keep files (copied, hashed) or a link (--url; nothing is fetched) as evidence.

Each file at most 50 MB; links to files and folders are refused (give the file itself).

\b
Examples:
  crisis evidence add screenshot.png export.csv --note "Before we deleted it"
  crisis evidence add --url https://bsky.app/profile/acme/post/1 --note "The reply thread"
"""
LIST_HELP = """List an incident's evidence: files (with SHA-256) and links.

\b
Examples:
  crisis evidence list
  crisis evidence list --incident wrong-image --json
"""
VERIFY_HELP = """Check every evidence file against its SHA-256 (exit 1 naming any that changed).

\b
Examples:
  crisis evidence verify
  crisis evidence verify --incident wrong-image
"""

IncidentOpt = Annotated[
    str | None, typer.Option("--incident", "-i", help="Incident id (default: the latest one).")
]


def add(
    files: Annotated[list[Path] | None, typer.Argument(help="Files to keep.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="A link to keep instead.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What it is, why it matters.")] = None,
    incident: IncidentOpt = None,
) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import UsageError
    from crisiscli.record.store import find_incident
    from crisiscli.team.evidence import add_files, add_link
    from crisiscli.ui.output import echo

    if bool(files) == bool(url):
        raise UsageError("give files to keep, or --url URL (not both)")
    found = find_incident(get_env(), incident)
    if url:
        add_link(found, url, note=note)
        echo(f"Kept the link in {found.id}.")
        return
    for item in add_files(found, list(files or []), note=note):
        echo(
            f"Kept {item.name} in {found.id}: sha256 {item.sha256} ({item.size} bytes, {item.type})"
        )


FULL_HASH_COLUMNS = 140  # narrower than this, a table with whole hashes leaves no room


def list_items(incident: IncidentOpt = None, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:  # fmt: skip
    from crisiscli.env import get_env
    from crisiscli.record.store import find_incident
    from crisiscli.team.evidence import evidence_rows
    from crisiscli.text import one_line
    from crisiscli.ui.output import echo, echo_json, table

    env = get_env()
    found = find_incident(env, incident)
    rows = evidence_rows(found)
    if as_json:
        echo_json({"incident": found.id, "evidence": rows})
    elif not rows:
        echo(f"No evidence in {found.id}. Keep some with: crisis evidence add FILE --note TEXT")
    else:
        # What is long goes last (it wraps there): the hash is cut to its first 12 digits
        # when the full one would not fit the terminal (--json and verify show it whole).
        short = env.columns is not None and env.columns < FULL_HASH_COLUMNS
        cells = [
            [
                str(r["at"])[:16].replace("T", " "),
                one_line(str(r["by"])),
                str(r["kind"]),
                (str(r["sha256"])[:12] + "…" if short else str(r["sha256"]))
                if r["sha256"]
                else "—",
                one_line(str(r["name"])) + (f" — {one_line(str(r['note']))}" if r["note"] else ""),
            ]
            for r in rows
        ]
        table(cells, ["WHEN (UTC)", "BY", "KIND", "SHA-256", "WHAT — NOTE"])


def verify(incident: IncidentOpt = None) -> None:
    from crisiscli.env import get_env
    from crisiscli.errors import ExitCode
    from crisiscli.record.store import find_incident
    from crisiscli.team.evidence import verify as check
    from crisiscli.text import one_line
    from crisiscli.ui.output import echo, echo_err

    found = find_incident(get_env(), incident)
    items = found.state().evidence
    problems = check(found, items)
    for p in problems:
        echo_err(f"{found.id}: evidence/{p.item.sha256} ({one_line(p.item.name)}): {p.problem}")
    files = len({i.sha256 for i in items if i.kind == "file"})
    if problems:
        raise typer.Exit(int(ExitCode.FINDINGS))
    echo(f"{found.id}: {files} evidence file(s), every SHA-256 matches.")


def register(app: typer.Typer) -> None:
    sub = command_group(HELP)
    sub.command("add", help=ADD_HELP)(add)
    sub.command("list", help=LIST_HELP)(list_items)
    sub.command("verify", help=VERIFY_HELP)(verify)
    app.add_typer(sub, name="evidence")
