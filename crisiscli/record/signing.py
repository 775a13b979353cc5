"""Signed events: who recorded a line, proved with their SSH key (``ssh-keygen -Y``).

A person's key signs the canonical bytes of each event they record (``canonical``: the
incident, the event's id, time, actor, type and data), kept in the line as ``sig``. The team
repository holds ``allowed_signers`` (ssh-keygen's own format: who may sign as whom), and
every machine checks a line against it: ``find-principals`` names whose key made the
signature, ``verify`` checks that key signed exactly these bytes. A line edited after it was
signed, copied into another incident, or signed by Bo under Dana's name does not verify.

The decisions that count (an approval or rejection, an override, a take-over, a close) are
checked wherever the journal is folded (``record/catchup.py``); with
``approval.require_signature = true`` a decision that is unsigned or does not verify is not
counted and is named. Verdicts are cached per incident (``.signatures.json``, never shared):
ssh-keygen runs once per line and allowed_signers version.

ssh-keygen runs as an argument list (never a shell), detached from the terminal (a key with
a passphrase must be in ssh-agent: it is never asked for), with a time limit. Everything
it is given from a journal is untrusted and passed through files and standard input only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from crisiscli.errors import CrisisError, ExitCode

if TYPE_CHECKING:  # subprocess, tempfile and hashlib load where a signature is made or checked
    import subprocess
    import tempfile

    from crisiscli.env import Environment
    from crisiscli.i18n import Catalogue
    from crisiscli.record.events import Event

NAMESPACE = "crisis-event"  # ssh-keygen -n: a signature made for crisis means nothing elsewhere
ALLOWED_SIGNERS = "allowed_signers"  # at the top of CRISIS_HOME, shared by crisis sync
SIGNERS_SIGNATURE = "allowed_signers.sig"  # who changed it last, proved (namespace below)
SIGNERS_NAMESPACE = "crisis-signers"
CACHE = ".signatures.json"  # per incident; ignored by git (incidents/*/.*)
TIMEOUT = 10.0  # seconds one ssh-keygen call may take
MAX_SIGNATURE = 8192  # characters of base64: an ed25519 signature is ~400, RSA-4096 ~900
MAX_SIGNERS_FILE = 1024 * 1024
CACHE_LIMIT = 50_000
# New signatures one command checks at most (two ssh-keygen runs each): a journal stuffed
# with forged decisions costs a bounded time; the rest are checked by the next command.
CHECK_BUDGET = 300
# The decisions: each is checked and marked wherever it is folded.
DECISIONS = frozenset(
    {"message.approval_decided", "message.approved", "walker.taken_over", "incident.closed"}
)
# The decisions that do not count unsigned when ``approval.require_signature`` is on.
APPROVALS = frozenset({"message.approval_decided", "message.approved"})
SIGNED = "signed"
UNSIGNED = "unsigned"
_ARMOR = ("-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----")


class SigningError(CrisisError):
    """Signing is required or asked for and cannot be done: exit 2 (the set-up is wrong)."""

    exit_code = ExitCode.USAGE


_SEP = "\x1f"  # between a verdict's code and its values (names cannot hold it: _value)


class Verdict(NamedTuple):
    """What a line's signature proves: ``signed`` (by ``signer``), ``unsigned``, or why it
    does not verify. ``word`` is a code with its values (``changed\x1fDana Reyes``), kept in
    the cache and the fold; the words come from the catalogue (``signature.*`` in
    ``locales/``), in the language the view speaks."""

    word: str
    signer: str | None = None

    @property
    def ok(self) -> bool:
        return self.word == SIGNED

    def reason(self, words: Catalogue | None = None) -> str:
        """Why it does not verify: "claims Dana Reyes, key is Bo Lind's"."""
        w = words or _english()
        code, *values = self.word.split(_SEP)
        if code == "other-key":
            owners = w.t("signature.or").join(w.t("signature.owner", name=n) for n in values[1:])
            return w.t("signature.reason.other-key", who=values[0], owners=owners)
        if code == "unlisted" and values and values[0]:
            return w.t("signature.reason.unlisted_claims", who=values[0])
        if code in _REASONS:
            key = f"signature.reason.{code}"
            return w.t(key, **dict(zip(_REASONS[code], values, strict=False)))
        return code  # a verdict cached by an older version: said as it was kept

    def shown(self, words: Catalogue | None = None) -> str:
        """The words views use: ``✓ signed`` / ``unsigned`` / ``signature does not verify…``."""
        w = words or _english()
        if self.ok:
            return w.t("signature.signed")
        if self.word == UNSIGNED:
            return w.t("signature.unsigned")
        return w.t("signature.does_not_verify", reason=self.reason(w))

    def marked(self, words: Catalogue | None = None) -> str:
        """What follows a name: ``✓ signed``, ``(unsigned)``, ``(signature does not verify: …)``."""
        shown = self.shown(words)
        return shown if self.ok else f"({shown})"


# Each reason's values, in order (``Verdict.word`` = code, then the values).
_REASONS: dict[str, tuple[str, ...]] = {
    "not-ssh": (),
    "no-signers": (),
    "unlisted": (),
    "changed": ("who",),
    "unchecked": ("count",),
    "cannot-check": ("why",),
    "no-signature-file": (),
}


def failed(code: str, *values: str) -> Verdict:
    """A verdict that does not verify, for ``code`` (one of ``_REASONS`` or ``other-key``)."""
    return Verdict(_SEP.join((code, *(_value(v) for v in values))))


def _value(text: str) -> str:
    return text.replace(_SEP, " ")


_CATALOGUE: list[Catalogue] = []


def _english() -> Catalogue:
    if not _CATALOGUE:
        from crisiscli.i18n import Catalogue

        _CATALOGUE.append(Catalogue("en"))
    return _CATALOGUE[0]


class Policy(NamedTuple):
    """How this machine treats signatures: the allowed_signers file (its bytes), and
    whether a decision must be signed to count."""

    signers: bytes | None  # None: no allowed_signers file
    require: bool
    path: Path

    @property
    def key(self) -> str:
        """Changes when what verifies may change (folded states depend on it)."""
        import hashlib

        digest = hashlib.sha256(self.signers or b"").hexdigest()[:16]
        return f"sig2:{digest}:{int(self.require)}"  # 2: verdicts kept as codes


def counted_words(counts: dict[str, int], words: Catalogue | None = None) -> str:
    """``40 signed and verified, 3 unsigned, 1 does not verify`` (what status and log.md
    say of a signing team's journal; ``IncidentState.signatures``)."""
    w = words or _english()
    signed, unsigned = counts.get("signed", 0), counts.get("unsigned", 0)
    bad = counts.get("not verifying", 0)
    parts = [w.t("signature.counts.signed", count=f"{signed:,}")]
    if unsigned:
        parts.append(w.t("signature.counts.unsigned", count=f"{unsigned:,}"))
    if bad:
        key = "signature.counts.not_verifying" + ("" if bad == 1 else ".many")
        parts.append(w.t(key, count=f"{bad:,}"))
    return ", ".join(parts)


# -- the bytes a signature covers ----------------------------------------------------------------


def canonical(incident: str, event: Event) -> bytes:
    """The bytes signed for ``event`` of ``incident``: every field a reader trusts, in one
    fixed JSON form (sorted keys, no spaces). ``sig`` itself is not part of them."""
    from crisiscli.record.events import recorded_fields

    record = {"incident": incident, **recorded_fields(event)}
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return b"crisis-event v1\n" + text.encode("utf-8", "surrogatepass")


def armored(sig: str) -> bytes:
    """The ``sig`` of a line as the file ``ssh-keygen -Y verify -s`` reads."""
    lines = [sig[i : i + 70] for i in range(0, len(sig), 70)]
    return ("\n".join((_ARMOR[0], *lines, _ARMOR[1])) + "\n").encode("ascii")


def _body(armor: str) -> str:
    """The base64 of an armored signature, on one line (what a journal line keeps)."""
    return "".join(line.strip() for line in armor.splitlines() if line and "-----" not in line)


def well_formed(sig: Any) -> bool:
    import base64

    if not isinstance(sig, str) or not 0 < len(sig) <= MAX_SIGNATURE:
        return False
    try:
        return base64.b64decode(sig, validate=True)[:6] == b"SSHSIG"
    except ValueError:
        return False


# -- ssh-keygen ------------------------------------------------------------------------------------


def ssh_keygen() -> str:
    import shutil

    found = shutil.which("ssh-keygen")
    if found is None:
        raise SigningError(
            "ssh-keygen is not installed (or not on PATH): crisis signs and checks with your "
            "own OpenSSH (8.2 or later)",
            hint="install OpenSSH's client tools (Debian/Ubuntu: apt install openssh-client)",
        )
    return found


def _run(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "SSH_AUTH_SOCK", "LANG")}
    env["SSH_ASKPASS_REQUIRE"] = "never"  # a passphrase is never asked for: use ssh-agent
    try:
        return subprocess.run(
            [ssh_keygen(), *args],
            input=stdin,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            env=env,
            start_new_session=True,  # no terminal to prompt on
        )
    except subprocess.TimeoutExpired:
        raise SigningError(f"ssh-keygen took longer than {TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise SigningError(f"cannot run ssh-keygen: {exc.strerror}") from None


def _last_line(output: bytes) -> str:
    lines = output.decode("utf-8", "replace").strip().splitlines()
    return " ".join(lines[-1].split())[:200] if lines else "no reason given"


def key_file(spec: str, scratch: Path) -> Path:
    """The file ``ssh-keygen -Y sign -f`` takes for a configured key: a path (a private
    key, or a public key whose private half is in ssh-agent), or git's ``key::<public
    key>`` written to ``scratch``."""
    if spec.startswith("key::"):
        scratch.write_text(spec[5:].strip() + "\n", encoding="utf-8")
        return scratch
    return Path(spec).expanduser()


def sign(key: str, message: bytes, namespace: str = NAMESPACE) -> str:
    """A signature of ``message`` with ``key`` (see ``key_file``), as a line keeps it."""
    import tempfile

    ssh_keygen()  # first: without it, nothing else matters
    with tempfile.TemporaryDirectory(prefix="crisis-sign-") as tmp:
        path = key_file(key, Path(tmp) / "key.pub")
        if not path.is_file():
            raise SigningError(f"the signing key {path} does not exist")
        done = _run(["-Y", "sign", "-n", namespace, "-f", str(path)], message)
    if done.returncode != 0:
        raise SigningError(f"ssh-keygen could not sign with {path}: {_last_line(done.stderr)}")
    return _body(done.stdout.decode("ascii", "replace"))


def same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def verify(
    signers: Path, message: bytes, sig: str, actor: str | None, namespace: str = NAMESPACE
) -> Verdict:
    """Did a key allowed to sign as ``actor`` (None: as anyone listed) sign exactly
    ``message``? One ssh-keygen run when it did (every line of a signing team is checked);
    a second one (``find-principals``) says why when it did not."""
    import tempfile

    if not well_formed(sig):
        return failed("not-ssh")
    with tempfile.TemporaryDirectory(prefix="crisis-verify-") as tmp:
        sig_path = Path(tmp) / "event.sig"
        sig_path.write_bytes(armored(sig))
        if actor is not None and _verifies(signers, message, sig_path, actor, namespace):
            return Verdict(SIGNED, actor)
        found = _run(["-Y", "find-principals", "-f", str(signers), "-s", str(sig_path)], b"")
        principals = found.stdout.decode("utf-8", "replace").split("\n")
        principals = [p.strip() for p in principals if p.strip()]
        if found.returncode != 0 or not principals:
            return failed("unlisted", actor or "")
        mine = [p for p in principals if actor is None or same_person(p, actor)]
        if not mine:
            verdict = failed("other-key", actor or "", *principals[:3])
            return verdict._replace(signer=principals[0])
        # listed as the same person written otherwise ("dana  reyes"), or actor None
        tried = mine[0] == actor
        if not tried and _verifies(signers, message, sig_path, mine[0], namespace):
            return Verdict(SIGNED, mine[0])
    return failed("changed", mine[0])._replace(signer=mine[0])


def _verifies(signers: Path, message: bytes, sig_path: Path, who: str, namespace: str) -> bool:
    done = _run(
        ["-Y", "verify", "-f", str(signers), "-I", who, "-n", namespace, "-s", str(sig_path)],
        message,
    )
    return done.returncode == 0


# -- this machine's set-up -------------------------------------------------------------------------


def signers_path(home: Path) -> Path:
    return home / ALLOWED_SIGNERS


def read_signers(home: Path) -> bytes | None:
    """The allowed_signers file's bytes (None: there is none, or it is not a plain file)."""
    path = signers_path(home)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            return f.read(MAX_SIGNERS_FILE + 1)[:MAX_SIGNERS_FILE]
    except OSError:
        return None


def required(env: Environment) -> bool:
    """``approval.require_signature`` in config.toml."""
    if not (env.home / "config.toml").is_file():
        return False
    from crisiscli.config import current_config

    return bool(current_config(env).values.get("approval.require_signature", False))


def policy(env: Environment) -> Policy | None:
    """How signatures are treated here; None when nobody set signing up (no allowed_signers
    and nothing required): the views then say nothing about signatures, as before."""
    signers, require = read_signers(env.home), required(env)
    if signers is None and not require:
        return None
    return Policy(signers, require, signers_path(env.home))


def configured_key(env: Environment) -> str | None:
    """The key to sign with: ``signing.key`` in config.toml, else git's
    ``user.signingkey`` when this team signs (an allowed_signers file exists)."""
    if (env.home / "config.toml").is_file():
        from crisiscli.config import current_config

        value = current_config(env).values.get("signing.key")
        if isinstance(value, str) and value.strip():
            return value.strip()
    if read_signers(env.home) is None:
        return None
    return _git_signing_key(env.home)


def _git_signing_key(home: Path) -> str | None:
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "config", "--get", "user.signingkey"],
            cwd=home,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout.decode("utf-8", "replace").strip()
    return value or None


# -- verdicts, cached ------------------------------------------------------------------------------


class Checker:
    """Verdicts for the lines of one incident under one policy, cached on disk."""

    def __init__(self, folder: Path, incident: str, rules: Policy) -> None:
        self.folder = folder
        self.incident = incident
        self.rules = rules
        self._cache: dict[str, list[Any]] | None = None
        self._dirty = False
        self._signers_file: Path | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.budget = CHECK_BUDGET
        self.incomplete = False  # some signature was left unchecked: do not keep this fold

    def verdict(self, event: Event) -> Verdict:
        import hashlib

        if event.sig is None:
            return Verdict(UNSIGNED)
        if self.rules.signers is None:
            return failed("no-signers")
        message = canonical(self.incident, event)
        claimed = claimed_by(event)
        key = hashlib.sha256(
            self.rules.key.encode() + b"\0" + message + b"\0" + event.sig.encode()
            + b"\0" + claimed.encode("utf-8", "surrogatepass")
        ).hexdigest()  # fmt: skip
        cache = self._load()
        hit = cache.get(key)
        if isinstance(hit, list) and len(hit) == 2:
            return Verdict(str(hit[0]), hit[1] if isinstance(hit[1], str) else None)
        if self.budget <= 0:
            self.incomplete = True
            return failed("unchecked", str(CHECK_BUDGET))
        self.budget -= 1
        # The outside world a drill plays has no key: its lines verify when anyone the team
        # lists signed them (the facilitator's machine plays it), and say who.
        from crisiscli.record.fold import DRILL_PLAYER  # loaded already where lines are read

        anyone = claimed == DRILL_PLAYER
        try:
            found = verify(self._signers(), message, event.sig, None if anyone else claimed)
        except SigningError as exc:
            return failed("cannot-check", exc.message)  # not cached
        if len(cache) < CACHE_LIMIT:
            cache[key] = [found.word, found.signer]
            self._dirty = True
        return found

    def _signers(self) -> Path:
        import tempfile

        """A private copy of the allowed_signers bytes this policy was read with (the file
        may change while we check; ssh-keygen then still reads the version the key names)."""
        if self._signers_file is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="crisis-signers-")
            self._signers_file = Path(self._tmp.name) / ALLOWED_SIGNERS
            self._signers_file.write_bytes(self.rules.signers or b"")
        return self._signers_file

    def _load(self) -> dict[str, list[Any]]:
        if self._cache is None:
            self._cache = {}
            try:
                with open(self.folder / CACHE, "rb") as f:
                    data = json.loads(f.read(64 * 1024 * 1024))
                if isinstance(data, dict):
                    self._cache = data
            except (OSError, ValueError, RecursionError):
                pass
        return self._cache

    def close(self) -> None:
        """Save new verdicts (best effort: the cache is only speed) and clean up."""
        if self._dirty and self._cache is not None:
            import contextlib

            from crisiscli.fsutil import atomic_write_bytes

            with contextlib.suppress(OSError):
                atomic_write_bytes(self.folder / CACHE, json.dumps(self._cache).encode())
            self._dirty = False
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp, self._signers_file = None, None


def claimed_by(event: Event) -> str:
    """Whose decision a line says it is: the approver it names (the person deciding; a
    scripted stand-in names who it played), else the person who recorded it."""
    named = event.data.get("approver") if event.type in APPROVALS else None
    return named if isinstance(named, str) and named.strip() else event.actor


def signer_for(env: Environment, incident: str) -> Callable[[Event], str | None] | None:
    """What ``Journal.append`` calls to sign each event (None: this machine does not sign).
    A key that cannot sign is said once; with signatures required a decision is then refused
    (it would not count), any other event is recorded unsigned."""
    key = configured_key(env)
    if key is None:
        return None
    require = required(env)
    failed: list[str] = []

    def signer(event: Event) -> str | None:
        if failed:
            if require and event.type in DECISIONS:
                raise SigningError(failed[0])
            return None
        try:
            return sign(key, canonical(incident, event))
        except SigningError as exc:
            failed.append(exc.message)
            if require and event.type in DECISIONS:
                raise
            env.warn(f"recorded unsigned: {exc.message}")
            return None

    return signer


def check_can_sign(env: Environment, claimed: str, *, playbook_requires: bool = False) -> Verdict | None:  # fmt: skip
    """Before a decision is recorded: would it be signed, and verify as ``claimed``?
    ``SigningError`` when approval.require_signature is on (config, or the incident's
    playbook) and it would not count (nothing is recorded then); otherwise the verdict it
    would get (None: this machine does not sign)."""
    from datetime import datetime, timezone

    from crisiscli.record.events import Event

    require = playbook_requires or required(env)
    key = configured_key(env)
    if key is None:
        if require:
            raise SigningError(
                "approval.require_signature is on, but no SSH key is set to sign your "
                "decision with: it would not count",
                hint="crisis config set signing.key ~/.ssh/id_ed25519   (see docs/team.md)",
            )
        return None
    probe = Event("probe", datetime.now(timezone.utc), claimed, "signing.probe", {})
    message = canonical("probe", probe)
    try:
        sig = sign(key, message)
    except SigningError:
        if require:
            raise
        return Verdict(UNSIGNED)
    signers = read_signers(env.home)
    if signers is None:
        if require:
            raise SigningError(
                f"approval.require_signature is on, but {signers_path(env.home)} does not "
                "exist: no signature can be checked, so no decision would count",
                hint="see docs/team.md (Signed approvals)",
            )
        return failed("no-signers")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="crisis-signers-") as tmp:
        path = Path(tmp) / ALLOWED_SIGNERS
        path.write_bytes(signers)
        verdict = verify(path, message, sig, claimed)
    if require and not verdict.ok:
        raise SigningError(
            f"cannot decide as {claimed}: your signature does not verify "
            f"({verdict.reason()}), so the decision would not count",
            hint=f"add your public key to {signers_path(env.home)} as {claimed} (docs/team.md), "
            "or set CRISIS_USER to the name your key is listed under",
        )
    return verdict


def proof_files(incident: str, journal: bytes, signers: bytes | None) -> list[tuple[str, bytes]]:
    """What lets a third party check the signed decisions of a journal offline with plain
    ``ssh-keygen -Y verify`` (``crisis export`` puts them under ``signatures/``): for each,
    the exact bytes signed and the signature, the allowed_signers file, and the commands."""
    from crisiscli.record.journal import Line, parse_line

    files: list[tuple[str, bytes]] = []
    commands: list[str] = []
    for number, raw in enumerate(journal.split(b"\n"), start=1):
        if b'"sig"' not in raw:
            continue
        try:
            event = parse_line(Line(number, raw))
        except ValueError:
            continue
        if event.sig is None or event.type not in DECISIONS or not well_formed(event.sig):
            continue
        stem = f"{event.id[:64]}"
        if not all(c in "0123456789abcdefABCDEF-_" for c in stem):
            continue  # a name that is not a plain id is never made into a file name
        files.append((f"{stem}.msg", canonical(incident, event)))
        files.append((f"{stem}.sig", armored(event.sig)))
        who = claimed_by(event).replace('"', "")
        commands.append(
            f'ssh-keygen -Y verify -f allowed_signers -I "{who}" -n {NAMESPACE} '
            f"-s {stem}.sig < {stem}.msg    # {event.type}"
        )
    if not files:
        return []
    readme = (
        "Each decision's signed bytes (.msg) and its SSH signature (.sig). From this folder:\n\n"
        + "\n".join(commands)
        + "\n"
    )
    files.append(("VERIFY.txt", readme.encode("utf-8")))
    if signers is not None:
        files.append((ALLOWED_SIGNERS, signers))
    return sorted(files)
