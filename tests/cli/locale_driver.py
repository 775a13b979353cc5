"""Runs every `crisis` command in-process in one Python started with a given locale
(``tests/cli/test_locales.py`` starts one per cell of the matrix).

Arguments are passed as the interpreter would have decoded them from the command line
(``os.fsdecode`` of their UTF-8 bytes: under ``LC_ALL=C PYTHONUTF8=0`` each byte above 127
becomes a lone surrogate), and the process's own standard streams are used, so their
encoding is the locale's. Prints one JSON object: {"argv joined": exit code, ...}, and the
leaf commands of the app, so the test can check that every command was run.

    python -m tests.cli.locale_driver OUT.json
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

TEXT = "Café — incendie 🔥 ‮x"
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

ANSWERS = f"""\
title: {TEXT}
inputs: {{brand: "Acmé", source: ours}}
steps:
  look:
    answers: {{reach: wide, threat: "yes"}}
    notes: ["{TEXT}"]
  safety:
    action: pause
"""
SCENARIO = f"""\
title: {TEXT}
playbook: {{book}}
length: 30m
start:
  post: "{TEXT}"
injects:
  - {{{{at: +5m, kind: customer, text: "{TEXT}", from: "{TEXT}"}}}}
expectations:
  - {{{{expect: step-done, step: look, by: +10m, label: "{TEXT}"}}}}
  - {{{{expect: no-phrases, phrases: ["{TEXT}"]}}}}
"""
CSV = "Date,Time,Message,Network\n2026-11-23,16:00,Soldes d'été 🔥 — demain,X\n"
TEMPLATE = "{{ report.title }} — été\n"


def as_argv(text: str) -> str:
    """What ``sys.argv`` holds when this text was typed in this locale's terminal."""
    return os.fsdecode(text.encode("utf-8"))


def leaf_commands() -> list[str]:
    from crisiscli.cli.app import app, register_commands

    register_commands()
    import typer

    root = typer.main.get_command(app)
    found: list[str] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "list_commands"):  # a group
            for name in command.list_commands(None):
                walk(command.get_command(None, name), [*path, name])
        else:
            found.append(" ".join(path))

    walk(root, [])
    return sorted(found)


FIRST_POST = "https://exemple.fr/été"


def invocations(work: Path) -> list[list[str]]:
    answers = work / as_argv("réponses.yaml")
    answers.write_text(ANSWERS, encoding="utf-8")
    csv = work / as_argv("posts-été.csv")
    csv.write_text(CSV, encoding="utf-8")
    template = work / as_argv("modèle.j2")
    template.write_text(TEMPLATE, encoding="utf-8")
    shot = work / as_argv("capture-écran.png")
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    book = str(FIXTURES / "mini.yaml")
    out = work / as_argv("export-été.zip")
    scenario = work / as_argv("scénario.yaml")
    scenario.write_text(SCENARIO.format(book=json.dumps(book)), encoding="utf-8")
    return [
        ["--version"],
        ["--help"],
        ["init"],
        ["config", "set", "actor", TEXT],
        ["config", "get", "actor"],
        ["config"],
        ["config", "unset", "actor"],
        ["start", book, "--title", TEXT, "--answers", str(answers)],
        ["resume", "--answers", str(answers)],
        ["start", book, "--title", TEXT],  # no terminal: exit 6
        ["note", TEXT],
        ["note", "-"],
        ["severity", "high", "--reason", TEXT],
        ["severity"],
        ["role", "set", "commander", TEXT],
        ["role", "list"],
        ["contact", "add", "--who", TEXT, "--channel", "dm", "--outcome", "talked", "--note", TEXT],
        ["contact", "list"],
        ["contact", "done", "c1"],
        ["reply", "add", "--who", TEXT, "--platform", "x"],
        ["reply", "sent", "r1", "--text", TEXT],
        ["reply", "done", "r1", "--outcome", "dm", "--contact", "c1"],
        ["reply", "list"],
        ["action", "add", TEXT, "--owner", TEXT],
        ["action", "list"],
        ["action", "done", "A1"],
        ["evidence", "add", str(shot), "--note", TEXT],
        ["evidence", "add", "--url", "https://exemple.fr/été", "--note", TEXT],
        ["evidence", "list"],
        ["evidence", "verify"],
        ["mentions", "340", "--baseline", "20", "--source", TEXT],
        ["mentions"],
        ["message", "check", TEXT],
        ["message", "check", "-"],
        ["queue", "import", str(csv), "--hours", "10000"],
        ["queue"],
        ["queue", "decide", "p1", "keep", "--reason", TEXT],
        ["approve", "--list"],
        ["approve"],
        ["handoff", "--to", TEXT],
        ["impact", "--started", "40m", "--detected", "10m", "--first-post", FIRST_POST],
        ["impact", "--note", TEXT],
        ["impact"],
        ["status"],
        ["status", "--json"],
        ["list"],
        ["list", "--json"],
        ["log"],
        ["report"],
        ["report", "--format", "html"],
        ["report", "--template", str(template)],
        ["report", "--redact", "--redact-term", TEXT],
        ["stats"],
        ["watch", "--once"],
        ["watch", "--once", "--json"],
        ["notify"],
        ["notify", "--test"],
        ["export", "-o", str(out)],
        ["export", "--verify", str(out)],
        ["show", "general"],
        ["show", TEXT],
        ["playbooks"],
        ["schema"],
        ["lint", book],
        ["lint", str(work / as_argv("absent-été.yaml"))],
        ["completion", "bash"],
        ["sync"],
        ["signers", "list"],
        ["signers", "check"],
        ["signers", "add", TEXT, str(shot)],  # not a public key: one line, exit 2
        ["signers", "remove", TEXT],
        ["close", "--summary", TEXT, "--yes"],
        ["close", "--reopen"],
        ["drill", "list"],
        ["drill", "schema"],
        ["drill", "lint", str(scenario)],
        ["drill", "run", str(scenario), "--answers", str(answers), "--junit", str(work / "d.xml")],
        ["drill", "inject", TEXT, "--kind", "press", "--from", TEXT],
        ["drill", "pause"],
        ["drill", "resume"],
        ["drill", "score"],
        ["drill", "score", "--json"],
        ["drill", "end", "--reason", TEXT],
        ["nonexistent-commandé"],
        ["note", "--bad-optioné"],
    ]


def main() -> None:
    from crisiscli.cli import app
    from crisiscli.cli.app import main as crisis

    if hasattr(app, "_utf8_reexec"):
        app._utf8_reexec()  # as the `crisis` entry point does first
    from crisiscli.env import set_env

    out = Path(sys.argv[1])
    work = Path(os.environ["CRISIS_HOME"]).parent / "work"
    work.mkdir(parents=True, exist_ok=True)
    codes: dict[str, int] = {}
    for args in invocations(work):
        set_env(None)
        code = 0
        try:
            crisis([a if a.startswith(str(work)) else as_argv(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # anything escaping main is as bad as exit 70
            code = -1
            sys.__stderr__.write(f"ESCAPED {type(exc).__name__}: {exc!r}\n")
        key = " ".join(args)
        codes[key] = code
        try:
            sys.stderr.write(f"== {key!a} -> {code}\n")
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass
    out.write_text(
        json.dumps({"codes": codes, "commands": leaf_commands()}, ensure_ascii=True),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
