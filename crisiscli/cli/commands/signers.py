from __future__ import annotations

from typing import Annotated

import typer

from crisiscli.cli.commands._group import command_group

HELP = """Say whose SSH key may sign as whom (allowed_signers), and check your set-up.

Decisions (approve, reject, take over, close) and every event you record are signed
with your SSH key when one is set (`crisis config set signing.key ~/.ssh/id_ed25519`,
or git's user.signingkey). The team's allowed_signers file, at the top of the data
folder and shared by `crisis sync`, says whose key signs as whom; every change to it is
signed by someone it already lists, and a change nobody trusted signed is refused on
arrival. With `crisis config set approval.require_signature true` an approval that is
unsigned or does not verify does not count anywhere. See docs/team.md.

\b
Examples:
  crisis signers add "Dana Reyes" ~/dana.pub
  crisis signers remove "Bo Lind"
  crisis signers list
  crisis signers check
"""

sub = command_group(HELP)


@sub.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The person's name, as they record under it.")],
    key: Annotated[str, typer.Argument(help="Their public key file (.pub), or - for stdin.")],
) -> None:
    """Allow a person's public key to sign as them (the change is signed with your key).

    \b
    Examples:
      crisis signers add "Ana Ruiz" ~/.ssh/id_ed25519.pub      # the first: yourself
      crisis signers add "Dana Reyes" dana.pub
    """
    from crisiscli.env import get_env
    from crisiscli.record.signers import Signer, change, parse, public_key, read_pair, valid_name
    from crisiscli.ui.output import echo

    env = get_env()
    text = env.stdin.read() if key == "-" else _read_key(key)
    person = Signer(valid_name(name), public_key(text))
    data, _sig = read_pair(env.home)
    people = [p for p in parse(data or b"") if p != person]
    people.append(person)
    by = change(env, people)
    echo(f"{person.name} may sign as {person.name} ({person.key[:40]}…); signed by {by}.")
    echo("Share it with: crisis sync")


def _read_key(path: str) -> str:
    from pathlib import Path

    from crisiscli.errors import NotFoundError
    from crisiscli.fsutil import read_bounded

    try:
        return read_bounded(Path(path).expanduser(), 64 * 1024).decode("utf-8", "replace")
    except OSError as exc:
        raise NotFoundError(f"cannot read the public key {path}: {exc.strerror or exc}") from None


@sub.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The person whose keys no longer sign.")],
) -> None:
    """Withdraw every key of a person (a lost laptop, someone who left); their decisions
    stop verifying everywhere once the change is synced.

    \b
    Examples:
      crisis signers remove "Bo Lind"
    """
    from crisiscli.env import get_env
    from crisiscli.errors import NotFoundError
    from crisiscli.record.signers import change, names_match, parse, read_pair
    from crisiscli.ui.output import echo

    env = get_env()
    data, _sig = read_pair(env.home)
    people = parse(data or b"")
    kept = [p for p in people if not names_match(p, name)]
    if len(kept) == len(people):
        raise NotFoundError(f"{name} is not in allowed_signers", hint="see: crisis signers list")
    by = change(env, kept)
    echo(f"{name} may no longer sign ({len(people) - len(kept)} key(s) removed); signed by {by}.")
    echo("Share it with: crisis sync")


@sub.command("list")
def list_signers(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show who may sign as whom.

    \b
    Examples:
      crisis signers list
    """
    from crisiscli.env import get_env
    from crisiscli.record.signers import parse, read_pair
    from crisiscli.ui.output import echo, echo_json, table

    env = get_env()
    data, _sig = read_pair(env.home)
    people = parse(data or b"")
    if as_json:
        echo_json([{"name": p.name, "key": p.key} for p in people])
        return
    if not people:
        echo("Nobody: there is no allowed_signers file (crisis signers add NAME KEY.pub).")
        return
    table([[p.name, p.key[:60]] for p in people], ["name", "key"])


@sub.command("check")
def check() -> None:
    """Check this machine's signing set-up: ssh-keygen, your key, allowed_signers, and
    whether what you sign verifies under your name. Exit 1 when something does not work.

    \b
    Examples:
      crisis signers check
    """
    from crisiscli.env import get_env
    from crisiscli.errors import CrisisError, ExitCode
    from crisiscli.record.signers import check_setup
    from crisiscli.ui.output import echo

    findings = check_setup(get_env())
    for finding in findings:
        echo(("ok    " if finding.ok else "PROBLEM ") + finding.text)
    if not all(f.ok for f in findings):
        raise CrisisError("the signing set-up has a problem (above)", exit_code=ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    app.add_typer(sub, name="signers", help=HELP)
