"""The composer driven through a real pseudo-terminal: edit inline, see the over-limit
warning, fix the text in $EDITOR, give the approver, mark the step done."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import crisis_command, subprocess_env
from tests.e2e.driver import guarded
from tests.helpers import FIXTURES

pexpect = pytest.importorskip("pexpect")

DOWN = "\x1b[B"
FIXED = "Acme is sorry. The post was wrong; it is down and we are reviewing how it happened."


def events(home: Path) -> list[dict[str, object]]:
    (folder,) = list((home / "incidents").iterdir())
    lines = (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_compose_over_limit_fix_in_editor_approve_and_finish(tmp_path: Path) -> None:
    home = tmp_path / "home"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import pathlib, sys\n"
        f"pathlib.Path(sys.argv[-1]).write_text({FIXED!r} + '\\n', encoding='utf-8')\n",
        encoding="utf-8",
    )
    command = f"{sys.executable} {editor}"
    argv = [
        *crisis_command(),
        "start",
        str(FIXTURES / "composer.yaml"),
        "--title",
        "Offensive post on the brand account",
        "--severity",
        "high",
    ]
    child = guarded(
        pexpect.spawn(
            argv[0],
            argv[1:],
            env=subprocess_env(home, EDITOR=command, VISUAL=command),
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 120),
        )
    )
    try:
        child.expect("Which brand")
        child.send("Acme\r")
        # The draft, rendered from the template with the input.
        child.expect("Acme is sorry. We got this wrong and we are fixing it.")
        child.expect("The message:")
        child.send("\r")  # Edit it here
        child.expect("saves")
        child.send(" We will explain everything in detail tomorrow, once the review is complete.")
        child.send("\x1b\r")  # Esc, Enter: save the multi-line text
        # 130 graphemes against the step's Bluesky limit of 120: shown loudly.
        child.expect("OVER LIMIT by 10")
        child.expect("cannot be marked done")
        child.expect("Now\\?")
        child.send("\r")  # Edit it again
        child.expect("The message:")
        child.send(DOWN + "\r")  # Edit it in the editor
        child.expect("Use this message")
        child.send("\r")
        child.expect("Next update promised by")  # no cadence here: nothing suggested
        child.send("45m\r")
        child.expect("Who approves this message")
        child.expect("Not now")
        child.send(DOWN + "\r")  # I approve it myself (recorded as self-approved)
        child.expect("Approval: self-approved")
        child.expect("What now\\?")
        child.send("\r")  # Mark this step done
        # The personal reply: use the draft as it is, then done.
        child.expect("Hi, Acme here")
        child.expect("The message:")
        child.send(DOWN + DOWN + "\r")
        child.expect("Use this message")
        child.send("\r")
        child.expect("What now\\?")
        child.send("\r")
        child.expect("Close the incident now")
        child.send("n\r")  # yes/no waits for Enter
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    journal = events(home)
    apology = [e["data"] for e in journal if e["type"] == "message.recorded"]
    assert [m["text"] for m in apology][:2] == [
        "Acme is sorry. We got this wrong and we are fixing it. We will explain everything in "
        "detail tomorrow, once the review is complete.",
        FIXED,
    ]
    checked = [e["data"] for e in journal if e["type"] == "message.checked"]
    assert [c["errors"] for c in checked] == [1, 0, 0]
    assert checked[0]["lengths"]["bluesky"] == {"count": 130, "limit": 120}
    (asked,) = [e for e in journal if e["type"] == "message.approval_requested"]
    assert asked["actor"] == asked["data"]["approver"] == "tester"
    (decided,) = [e for e in journal if e["type"] == "message.approval_decided"]
    assert decided["actor"] == "tester" and decided["data"]["decision"] == "approve"
    (promised,) = [e for e in journal if e["type"] == "update.promised"]
    assert promised["data"]["step"] == "apology"
    opened = next(e["ts"] for e in journal if e["type"] == "incident.opened")
    assert promised["data"]["due"] > opened  # 45 minutes from when it was asked
    done = [e["data"]["step"] for e in journal if e["type"] == "step.done"]
    assert done == ["apology", "reply"]
    assert not list((home / "tmp").iterdir())  # the editor's temp file is gone


def test_publish_over_the_limit_and_without_approval_on_record(tmp_path: Path) -> None:
    home = tmp_path / "home"
    argv = [
        *crisis_command(),
        "start",
        str(FIXTURES / "composer.yaml"),
        "-t",
        "Bad post",
        "-s",
        "high",
    ]
    child = guarded(
        pexpect.spawn(
            argv[0],
            argv[1:],
            env=subprocess_env(home, EDITOR="", VISUAL=""),
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 120),
        )
    )
    try:
        child.expect("Which brand")
        child.send("Acme\r")
        child.expect("The message:")
        child.send("\r")  # Edit it here (no editor configured: only here or as it is)
        child.expect("saves")
        child.send(" We will explain everything in detail tomorrow, once the review is complete.")
        child.send("\x1b\r")
        child.expect("OVER LIMIT by 10")
        child.expect("Now\\?")
        child.send(DOWN + DOWN + "\r")  # Publish it anyway
        child.expect("Why does it go out as it is")
        child.send("Posting it on Bluesky as a thread of two\r")
        child.expect("Next update promised by")
        child.send("\r")  # no promise
        child.expect("Who approves this message")
        child.expect("Not now")
        child.send(DOWN * 3 + "\r")  # Not now — nobody is asked yet
        child.expect("What now\\?")
        child.send("\r")  # Mark this step done
        child.expect("Who approves this message")
        child.expect("Not now")
        child.send(DOWN * 3 + "\r")  # still nobody
        child.expect("Nobody can approve it")
        child.send("y\r")
        child.expect("Why does it go out without approval")
        child.send("Comms lead unreachable for 40 minutes\r")
        child.expect("Hi, Acme here")
        child.expect("The message:")
        child.send(DOWN + "\r")  # Use it as it is
        child.expect("Use this message")
        child.send("\r")
        child.expect("What now\\?")
        child.send("\r")
        child.expect("Close the incident now")
        child.send("n\r")  # yes/no waits for Enter
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    journal = events(home)
    checked = [e["data"] for e in journal if e["type"] == "message.checked"]
    assert checked[0]["override"] == "Posting it on Bluesky as a thread of two"
    approved = [e["data"] for e in journal if e["type"] == "message.approved"]
    assert approved == [{"step": "apology", "override": "Comms lead unreachable for 40 minutes"}]
    (folder,) = list((home / "incidents").iterdir())
    log = (folder / "log.md").read_text(encoding="utf-8")
    assert "Published despite failed checks: Posting it on Bluesky as a thread of two" in log
    assert "Published without approval" in log and "Comms lead unreachable for 40 minutes" in log
