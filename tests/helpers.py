"""Helpers for tests that build incidents directly through the library."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from crisiscli.env import Environment
from crisiscli.playbook.load import load_playbook
from crisiscli.record.events import Event
from crisiscli.record.store import Incident, create_incident
from crisiscli.walk.answers import AnswersFile, ScriptedPrompter, load_answers
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import RunSummary

if TYPE_CHECKING:
    from prompt_toolkit.input.base import PipeInput

FIXTURES = Path(__file__).resolve().parent / "fixtures"
START = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)  # the conftest clock's start


def at(minutes: float) -> datetime:
    """``minutes`` after START (tests of deadlines speak in minutes since the start)."""
    return START + timedelta(minutes=minutes)


def load_fixture_playbook(name: str = "mini"):  # type: ignore[no-untyped-def]
    return load_playbook(FIXTURES / f"{name}.yaml")


def load_playbook_text(text: str, shown: str):  # type: ignore[no-untyped-def]
    """A playbook from YAML text, refused as ``crisis start`` refuses a file."""
    from crisiscli.errors import PlaybookError
    from crisiscli.playbook.load import build_text, problem_location

    result = build_text(text, shown)
    if result.errors:
        first = result.errors[0]
        raise PlaybookError(first.message, location=problem_location(result, first, shown))
    return result.playbook


def answers_from(tmp: Path, data: dict[str, Any]) -> AnswersFile:
    path = tmp / "answers.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_answers(path)


def open_incident(
    env: Environment, name: str = "mini", title: str = "Test incident", **kw: Any
) -> Incident:
    playbook = load_fixture_playbook(name)
    return create_incident(
        env, playbook, title=title, severity=kw.pop("severity", "moderate"), **kw
    )


def run_script(incident: Incident, answers: AnswersFile) -> RunSummary:
    return Walkthrough(incident, ScriptedPrompter(answers)).run()


def events_of(incident: Incident) -> list[Event]:
    """The incident's journal, read raw (tests inspect what was written; views never do)."""
    return incident.journal.read().events


def render_markdown(markdown: str) -> str:
    """HTML as a CommonMark renderer (with GFM tables and strikethrough) makes it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def rendered_text(markdown: str) -> str:
    """What a reader sees: the text of the rendered HTML, white space folded."""
    from html.parser import HTMLParser

    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("br", "p", "li", "td", "th", "tr", "blockquote", "h1", "h2", "h3"):
                parts.append(" ")

    parser = Text(convert_charrefs=True)
    parser.feed(render_markdown(markdown))
    parser.close()
    return " ".join("".join(parts).split())


def assert_renders_literally(markdown: str, text: str) -> None:
    """``text`` (as crisis shows it: controls made visible) appears word for word in the
    rendered markdown, and no HTML element came from it."""
    from crisiscli.text import visible_controls

    html = render_markdown(markdown).lower()
    for tag in ("<script", "<img", "<a ", "<b>", "<em>", "<strong>", "<h1", "<iframe"):
        if tag in visible_controls(text).lower():
            assert tag not in html, f"{tag} became markup: {html[:300]}"
    shown = " ".join(visible_controls(text).split())
    assert shown in rendered_text(markdown), (shown, rendered_text(markdown)[:500])


def append_raw(incident: Incident, kind: str, data: object, *, actor: str = "other") -> None:
    """A line as another tool, version or a hand edit might write it: not checked."""
    import json
    import os

    line = {"v": 1, "id": os.urandom(16).hex(), "ts": incident.env.clock().isoformat(),
            "actor": actor, "type": kind, "data": data}  # fmt: skip
    with incident.journal.locked(), open(incident.journal.path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


def per_prompt(monkeypatch: pytest.MonkeyPatch, pipe: PipeInput, keys: list[str]) -> list[str]:
    """Type each entry of ``keys`` when the next prompt opens, as a person does (keys typed
    earlier are dropped on purpose: no keystroke for one prompt acts on the next)."""
    from crisiscli.ui import widgets

    left = list(keys)
    real = widgets.drop_typeahead

    def opened(inp):  # type: ignore[no-untyped-def]
        real(inp)
        pipe.send_text(left.pop(0))

    monkeypatch.setattr(widgets, "drop_typeahead", opened)
    return left


# -- teams sharing incidents through git ------------------------------------------------------

SHIFT = Path(__file__).resolve().parent / "team" / "fixtures" / "shift.yaml"


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    """Plain git, as a person (or a hostile teammate) would run it."""
    import subprocess

    done = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    assert done.returncode == 0, (args, done.stderr.decode(errors="replace"))
    return done.stdout.decode("utf-8", "surrogateescape")


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result
    return result


def start_team(tmp: Path, *, title: str = "Wrong image") -> tuple[Path, Path, Path, str]:
    """A bare team repository and two clones sharing one incident (started in the first,
    joined by the second with `crisis init --git --remote` and `crisis sync`)."""
    from datetime import datetime, timezone

    from tests.conftest import FrozenClock, run_cli

    clock = FrozenClock(
        datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
    )  # before the tests' times
    remote, a, b = tmp / "team.git", tmp / "laptop-a", tmp / "laptop-b"
    git(tmp, "init", "--quiet", "--bare", str(remote))
    ok(run_cli(a, "init", "--git", "--remote", str(remote)))
    answers = tmp / "team-answers.yaml"
    answers.write_text(f"title: {title}\nsteps:\n  watch: pause\n", encoding="utf-8")
    ok(run_cli(a, "start", str(SHIFT), "--answers", str(answers), actor="ana", clock=clock))
    ok(run_cli(a, "sync", actor="ana"))
    ok(run_cli(b, "init", "--git", "--remote", str(remote)))
    ok(run_cli(b, "sync", actor="ben"))
    name = next(p.name for p in (a / "incidents").iterdir() if not p.name.startswith("."))
    return remote, a, b, name


def note_texts(home: Path, incident_id: str) -> list[str]:
    from crisiscli.record.journal import Journal

    journal = Journal(home / "incidents" / incident_id / "journal.jsonl")
    return [str(e.data.get("text")) for e in journal.read().events if e.type == "note.added"]


def tracked(home: Path) -> list[str]:
    return sorted(git(home, "ls-tree", "-r", "--name-only", "-z", "HEAD").strip("\0").split("\0"))


def hostile_push(remote: Path, changes: dict[str, tuple[str, bytes] | None], message: str = "mallory") -> str:  # fmt: skip
    """Commit straight into the team repository what a hostile teammate could push with
    plain git: any path, any mode (``120000`` a link, ``160000`` a submodule), any bytes.
    ``None`` removes a path. Returns the new commit of ``main``."""
    import os
    import tempfile

    def run(*args: str, input: bytes | None = None, index: str | None = None) -> str:
        env = dict(os.environ, **({"GIT_INDEX_FILE": index} if index else {}))
        import subprocess

        done = subprocess.run(["git", f"--git-dir={remote}", *args], input=input,
                              capture_output=True, env=env, check=False)  # fmt: skip
        assert done.returncode == 0, (args, done.stderr.decode(errors="replace"))
        return done.stdout.decode("utf-8", "surrogateescape").strip()

    parent = run("rev-parse", "refs/heads/main")
    with tempfile.TemporaryDirectory() as scratch:
        index = os.path.join(scratch, "index")
        run("read-tree", parent, index=index)
        listing = b""
        for path, change in changes.items():
            raw = path.encode("utf-8", "surrogateescape")
            if change is None:
                listing += b"0 " + b"0" * 40 + b"\t" + raw + b"\0"
                continue
            mode, data = change
            oid = data.decode() if mode == "160000" else run("hash-object", "-w", "--stdin", input=data)  # fmt: skip
            listing += f"{mode} {oid}\t".encode() + raw + b"\0"
        run("update-index", "-z", "--index-info", input=listing, index=index)
        tree = run("write-tree", "--missing-ok", index=index)
    commit = run("commit-tree", tree, "-p", parent, input=message.encode())
    run("update-ref", "refs/heads/main", commit, parent)
    return commit


def remote_file(remote: Path, path: str) -> bytes:
    import subprocess

    return subprocess.run(["git", f"--git-dir={remote}", "show", f"main:{path}"],
                          capture_output=True, check=True).stdout  # fmt: skip


def files_outside(root: Path, inside: list[Path]) -> set[Path]:
    """Every path under ``root`` that is not under one of ``inside``."""
    found = set()
    for path in root.rglob("*"):
        if not any(path == p or p in path.parents for p in inside):
            found.add(path)
    return found


# -- notifications -----------------------------------------------------------------------------


class WebhookServer:
    """An incoming webhook on 127.0.0.1 that keeps every JSON body it receives.

    ``stop()`` and ``start()`` again keep the port, so a test can take the channel down and
    bring it back. ``status`` is what it answers (200, like Slack and Mattermost)."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = status
        self.port = 0
        self._server: Any = None
        self._thread: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/T0001/B0002/secretsecretsecret"

    def start(self) -> WebhookServer:
        import http.server
        import json
        import threading

        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(size).decode("utf-8"))
                owner.bodies.append(body)
                self.send_response(owner.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def kinds(self) -> list[str]:
        return [str(b["crisis"]["kind"]) for b in self.bodies]

    def keys(self) -> list[str]:
        return [str(b["crisis"]["key"]) for b in self.bodies]


def configure_webhook(home: Path, url: str, **extra: str) -> None:
    """config.toml with a webhook (and any other notify.* values, as TOML)."""
    home.mkdir(parents=True, exist_ok=True)
    lines = ["[notify]", f'webhook = ["{url}"]', *(f"{k} = {v}" for k, v in extra.items())]
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (home / "config.toml").chmod(0o600)  # it holds a secret: crisis warns when others can read it
