from __future__ import annotations

from typing import Annotated

import typer

from crisiscli.cli.commands._group import command_group

HELP = """Check a message before it is published: the composer's checks, from the shell.

Length on each platform as that platform counts it (X's weighted count with links as 23,
graphemes on Bluesky and Mastodon, ...), unfilled {{ blanks }} and [parts to write],
banned and excuse phrases, malformed links, possible misspellings, and the links,
mentions and hashtags to verify by hand. No incident needed: for pre-publication checks
and scripts. Limits come from CRISIS_HOME/config.toml (platform_limits) and --limit.

Exit codes: 0 no errors (warnings allowed), 1 errors found (warnings too with --strict),
2 usage error. See docs/composer.md.

\b
Examples:
  crisis message check "We are sorry. Details: https://example.com/statement"
  crisis message check --platform x --platform bluesky "We got this wrong."
  echo "Wir entschuldigen uns." | crisis message check - --language de --json
  crisis message check -p x --limit x=25000 --banned "no comment" < draft.txt
"""

sub = command_group(HELP)


@sub.command("check")
def check(
    text: Annotated[
        str | None,
        typer.Argument(
            help="The message; '-' or nothing reads standard input.",
            show_default=False,
            metavar="[TEXT|-]",
        ),
    ] = None,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            "--platform", "-p", help="Platform to count for (repeat; default: all known)."
        ),
    ] = None,
    language: Annotated[
        str, typer.Option("--language", "-l", help="Language for spelling and excuses.")
    ] = "en",
    banned: Annotated[
        list[str] | None, typer.Option("--banned", help="A phrase that must not appear (repeat).")
    ] = None,
    limit: Annotated[
        list[str] | None,
        typer.Option("--limit", help="Override a limit: PLATFORM=N (repeat).", metavar="P=N"),
    ] = None,
    spelling: Annotated[
        bool, typer.Option("--spelling/--no-spelling", help="Check spelling.")
    ] = True,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check a message: lengths per platform, blanks, banned and excuse phrases, links.

    \b
    Examples:
      crisis message check "We are sorry."
      crisis message check - --platform x --json < draft.txt
    """
    from crisiscli.config import current_config
    from crisiscli.env import get_env
    from crisiscli.errors import ExitCode, UsageError
    from crisiscli.messages import checks, platforms
    from crisiscli.ui.output import echo, echo_json

    env = get_env()
    if text is None or text == "-":
        if env.stdin_isatty:
            raise UsageError(
                "no message given", hint='crisis message check "We are sorry." (or pipe it in)'
            )
        # A draft saved on Windows (CRLF) or an old Mac (CR) breaks lines as typed: \n.
        text = env.stdin.read().replace("\r\n", "\n").replace("\r", "\n")
        if text.endswith("\n"):
            text = text[:-1]
    overrides: dict[str, int] = {}
    for entry in limit or []:
        name, _, value = entry.partition("=")
        if not name.strip() or not value.strip().isdigit() or int(value) <= 0:
            raise UsageError(f"--limit needs PLATFORM=N with N a positive number, not '{entry}'")
        overrides[name] = int(value)
    limits = platforms.merged_limits(current_config(env).platform_limits, overrides)
    names = [platforms.canonical(p) for p in platform or []] or list(platforms.DEFAULT_LIMITS)
    rev = checks.review(text, names, language, banned or (), limits, spelling=spelling)
    if as_json:
        echo_json(checks.review_data(rev))
    else:
        width = max(len(n) for n in names)
        for ln in rev.lengths:
            state = f"{ln.over} over" if ln.over else "ok"
            of = f"/{ln.limit}" if ln.limit else ""
            echo(f"{ln.platform:<{width}}  {ln.count:>6}{of:<7} {state:<10} {ln.rule}")
        if rev.findings:
            echo()
        for finding in rev.findings:
            echo(f"{finding.severity:<7}  {finding.rule:<11} {finding.message}")
        echo()
        echo(checks.summary_line(rev))
    if rev.errors or (strict and rev.warnings):
        raise typer.Exit(int(ExitCode.FINDINGS))


def register(app: typer.Typer) -> None:
    app.add_typer(sub, name="message", help=HELP)
