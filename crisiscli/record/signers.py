"""The team's ``allowed_signers``: who may sign as whom, itself signed.

The file is ssh-keygen's own format (``man ssh-keygen``, ALLOWED SIGNERS), one person a
line: their name (quoted: names have spaces), ``namespaces="crisis-event,crisis-signers"``
and their public key. It lives at the top of ``CRISIS_HOME`` and ``crisis sync`` shares it
with ``allowed_signers.sig``: a signature of the file's bytes (namespace
``crisis-signers``) by someone the file lists. A version arriving from the team repository
is taken in only when it is signed by someone this machine's current file lists (the very
first one: by someone it lists itself); anything else is refused and named, and this
machine keeps what it trusts. ``crisis signers`` adds and removes people and checks the
set-up.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from crisiscli.fsutil import atomic_write_bytes, read_bounded
from crisiscli.record.signing import (
    ALLOWED_SIGNERS,
    MAX_SIGNERS_FILE,
    NAMESPACE,
    SIGNERS_NAMESPACE,
    SIGNERS_SIGNATURE,
    SigningError,
    Verdict,
    armored,
    configured_key,
    failed,
    same_person,
    sign,
    verify,
)

if TYPE_CHECKING:
    from crisiscli.env import Environment

NAMESPACES = f'namespaces="{NAMESPACE},{SIGNERS_NAMESPACE}"'
KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
             "ssh-rsa", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")  # fmt: skip


class Signer(NamedTuple):
    """One line of allowed_signers: a person and their public key."""

    name: str
    key: str  # "<type> <base64>"


def parse(data: bytes) -> list[Signer]:
    """The people of an allowed_signers file (lines crisis cannot read are left out)."""
    found = []
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            end = line.find('"', 1)
            if end < 0:
                continue
            name, rest = line[1:end], line[end + 1 :].split()
        else:
            first, *rest = line.split()
            name = first
        words = [w for w in rest if not w.startswith(("namespaces=", "valid-", "cert-"))]
        if len(words) >= 2 and words[0] in KEY_TYPES:
            found.append(Signer(name, f"{words[0]} {words[1]}"))
    return found


def render(people: list[Signer]) -> bytes:
    head = "# crisis: who may sign as whom (crisis signers add NAME KEY.pub; see docs/team.md)"
    lines = [head, *(f'"{p.name}" {NAMESPACES} {p.key}' for p in people)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def public_key(text: str) -> str:
    """``<type> <base64>`` of a public key (a ``.pub`` file's text, comment dropped)."""
    words = text.strip().split()
    if len(words) < 2 or words[0] not in KEY_TYPES:
        raise SigningError(f"not an SSH public key (it should start with one of: {', '.join(KEY_TYPES[:3])} …)")  # fmt: skip
    try:
        base64.b64decode(words[1], validate=True)
    except ValueError:
        raise SigningError("not an SSH public key (its key part is not base64)") from None
    return f"{words[0]} {words[1]}"


def valid_name(name: str) -> str:
    shown = " ".join(name.split())
    if not shown or '"' in shown or any(ord(c) < 32 or ord(c) == 127 for c in shown):
        raise SigningError(f"'{name}' cannot be a signer's name (no quotes or control characters)")
    return shown


# -- reading and writing the pair ------------------------------------------------------------------


def paths(home: Path) -> tuple[Path, Path]:
    return home / ALLOWED_SIGNERS, home / SIGNERS_SIGNATURE


def read_pair(home: Path) -> tuple[bytes | None, str | None]:
    """The file and its signature (base64, one line) as this machine has them."""
    file, sig = paths(home)
    try:
        data: bytes | None = read_bounded(file, MAX_SIGNERS_FILE)
    except OSError:
        data = None
    try:
        text = read_bounded(sig, 16 * 1024).decode("ascii", "replace")
        signature: str | None = "".join(
            line.strip() for line in text.splitlines() if line and "-----" not in line
        )
    except OSError:
        signature = None
    return data, signature or None


def write_pair(home: Path, data: bytes, signature: str) -> None:
    file, sig = paths(home)
    atomic_write_bytes(sig, armored(signature))
    atomic_write_bytes(file, data)


def signed_by(trusted: bytes, data: bytes, signature: str | None) -> Verdict:
    """Who of ``trusted`` signed ``data`` (``Verdict.signer``), or why nobody did."""
    if signature is None:
        return failed("no-signature-file")
    with tempfile.TemporaryDirectory(prefix="crisis-signers-") as tmp:
        path = Path(tmp) / ALLOWED_SIGNERS
        path.write_bytes(trusted)
        return verify(path, data, signature, None, SIGNERS_NAMESPACE)


def change(env: Environment, people: list[Signer]) -> str:
    """Write allowed_signers with ``people``, signed with this machine's key; the name of
    who signed it. Refused when the key would not be accepted by teammates (it must be
    listed in the file as it was, or — for a new file — in the new one)."""
    key = configured_key(env)
    if key is None:
        raise SigningError(
            "no SSH key is set to sign the change with",
            hint="crisis config set signing.key ~/.ssh/id_ed25519",
        )
    data = render(people)
    signature = sign(key, data, SIGNERS_NAMESPACE)
    before, _sig = read_pair(env.home)
    verdict = signed_by(before if before is not None else data, data, signature)
    if not verdict.ok:
        raise SigningError(
            "your key is not in allowed_signers, so teammates would refuse the change "
            f"({verdict.reason()})",
            hint="ask someone listed to add you: crisis signers add NAME KEY.pub",
        )
    write_pair(env.home, data, signature)
    return verdict.signer or "?"


# -- a version arriving by crisis sync -------------------------------------------------------------


class Arrival(NamedTuple):
    take: bool  # write the team's version here
    note: str | None  # what to tell the person (a refusal, or a first trust)


def arriving(
    mine: bytes | None, base: bytes | None, theirs: bytes | None, their_sig: str | None
) -> Arrival:
    """Whether the team's allowed_signers (``theirs``) replaces this machine's (``mine``;
    ``base``: the version this clone last committed). Only a version signed by someone
    this machine trusts is taken in; a change made here and not yet shared is kept."""
    if theirs is None or theirs == mine:
        return Arrival(False, None)
    if mine is not None and base is not None and mine != base:
        return Arrival(False, "allowed_signers changed here and in the team repository: "
                       "kept this machine's version (re-add the other change)")  # fmt: skip
    verdict = signed_by(mine if mine is not None else theirs, theirs, their_sig)
    if not verdict.ok:
        return Arrival(False, f"refused allowed_signers: {_why(verdict, mine is None)}; "
                       "this machine keeps the one it trusts")  # fmt: skip
    people = len(parse(theirs))
    if mine is None:
        return Arrival(True, f"took in allowed_signers from the team repository ({people} "
                       f"people, signed by {verdict.signer}): check it with crisis signers list")  # fmt: skip
    return Arrival(True, None)


def _why(verdict: Verdict, first: bool) -> str:
    if first:
        return f"not signed by anyone it lists ({verdict.reason()})"
    return f"not signed by anyone this machine's allowed_signers lists ({verdict.reason()})"


def names_match(signer: Signer, name: str) -> bool:
    return same_person(signer.name, name)


# -- what `crisis signers check` reports -----------------------------------------------------------


class Finding(NamedTuple):
    ok: bool
    text: str


def check_setup(env: Environment) -> list[Finding]:
    """The signing set-up of this machine, line by line (what works, what does not)."""
    import shutil

    from crisiscli.record.signing import SIGNED, canonical, required, sign

    found: list[Finding] = []
    program = shutil.which("ssh-keygen")
    found.append(Finding(program is not None, f"ssh-keygen: {program or 'not found on PATH'}"))
    require = required(env)
    found.append(Finding(True, "approval.require_signature: " + ("on" if require else "off")))
    data, signature = read_pair(env.home)
    file, _sig = paths(env.home)
    if data is None:
        found.append(Finding(not require, f"{file}: none (nobody's signature can be checked)"))
    else:
        people = parse(data)
        found.append(Finding(bool(people), f"{file}: {len(people)} people"))
        if program is not None:
            by = signed_by(data, data, signature)
            found.append(
                Finding(
                    by.ok, f"signed by {by.signer}" if by.ok else f"its signature: {by.reason()}"
                )
            )
    key = configured_key(env)
    if key is None:
        found.append(
            Finding(not require, "your key: none set (crisis config set signing.key PATH)")
        )
        return found
    found.append(Finding(True, f"your key: {key}"))
    if program is None or data is None:
        return found
    from datetime import datetime, timezone

    from crisiscli.record.events import Event

    probe = Event("probe", datetime.now(timezone.utc), env.actor, "signing.probe", {})
    try:
        sig = sign(key, canonical("probe", probe))
    except SigningError as exc:
        found.append(Finding(False, f"signing: {exc.message}"))
        return found
    with tempfile.TemporaryDirectory(prefix="crisis-signers-") as tmp:
        path = Path(tmp) / ALLOWED_SIGNERS
        path.write_bytes(data)
        verdict = verify(path, canonical("probe", probe), sig, env.actor)
    if verdict.word == SIGNED:
        found.append(Finding(True, f"you sign as {env.actor}: verifies"))
    else:
        found.append(
            Finding(False, f"you sign as {env.actor}: does not verify ({verdict.reason()})")
        )
    return found
