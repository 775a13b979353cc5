"""End to end: a person walks the bundled general playbook in a real pseudo-terminal.

Each test starts the installed ``crisis`` under pexpect (40x100, no cursor-position
requests), waits for what a responder would read, types what they would type, and then
checks the incident folder: ``journal.jsonl`` and ``log.md``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crisiscli.playbook.load import load_playbook
from tests.conftest import REPO, crisis_command, subprocess_env
from tests.e2e.driver import CTRL_C, ENTER, Session
from tests.helpers import assert_renders_literally

PASTE = "\x1b[200~%s\x1b[201~"  # bracketed paste, as a terminal sends pasted text

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")

GENERAL = load_playbook(REPO / "playbooks" / "general.yaml")
Q = GENERAL.questions()
SEVERITIES = [f"{lv.id} — {' '.join(lv.description.split())}" for lv in GENERAL.severities]


def labels(qid: str) -> list[str]:
    return [c.label for c in Q[qid].choices]


def journal(home: Path) -> list[dict[str, Any]]:
    (folder,) = (home / "incidents").iterdir()
    return [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]


def log_md(home: Path) -> str:
    (folder,) = (home / "incidents").iterdir()
    return (folder / "log.md").read_text(encoding="utf-8")


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == kind]


def open_general(s: Session, title: str = "Wrong image on the brand account") -> None:
    """From `crisis start general` to the first step's screen."""
    s.text_answer("In one line, what happened?", title)
    s.select("How severe is it?", SEVERITIES, SEVERITIES[2], start=1)  # default: moderate
    s.text_answer("Which brand or account is this about?", "Acme Coffee")
    s.select("Where did it start?", labels("platform"), "Bluesky")
    s.select("What kind of incident is it?", labels("source"), labels("source")[0])  # ours


def first_look(s: Session) -> None:
    # Five items apply to our own post; leave "who posted it" unticked.
    s.checklist(
        ["Screenshot", "Save links", "Note where", "Note who", "Find out who posted it"],
        [0, 1, 2, 3],
    )
    s.select("First impression, how far has it travelled?", labels("reach"), labels("reach")[1])
    s.text_answer("When did it start?", "40m")  # the post-mortem measures from here
    s.text_answer("When did we notice?", "5m")
    s.text_answer("Link to the first post", "https://bsky.app/profile/someone/post/1")


def who_needs_to_know(s: Session, *, threat: bool) -> None:
    s.expect(r"step 2 of 19")
    s.expect(r"Bring in the right people")
    s.expect(r"Start with the line you already wrote: Wrong image on the brand account")
    s.checklist(["Tell your", "Check that", "Talk to", "Add anyone else"], [0, 1, 2, 3])
    s.text_answer("Who approves public messages for this incident?", "Dana Reyes")
    s.text_answer("Who approves if they can't be reached?", "")
    s.confirm("Is anyone's safety threatened", threat)


def approved_by_dana(s: Session, home: Path) -> None:
    """The responder asks Dana and waits; Dana approves in a process of her own."""
    s.expect(r"Who approves this message\?")
    s.expect(r"Not now — nobody is asked yet")
    s.send(ENTER)  # Ask Dana Reyes (named approver)
    s.expect(r"Wait here for the decision")
    s.expect(r"Back to this step's menu")
    s.send(ENTER)  # Wait here
    s.expect(r"Ctrl-C stops waiting\)")
    (folder,) = (home / "incidents").iterdir()
    decided = subprocess.run(
        [*crisis_command(), "approve", folder.name, "--approve"],
        env=subprocess_env(home, CRISIS_USER="Dana Reyes"),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert decided.returncode == 0, decided.stderr
    s.expect(r"The message is approved by Dana Reyes")


def test_walk_the_general_playbook_to_the_end(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Session(home, "start", "general")
    open_general(s)

    # -- 1 first-look: header, deadlines, guidance; tick 4 of 5, answer, note, done ------
    # The title on a line of its own; severity, step and phase on the next.
    s.expect(r"Wrong image on the brand account\s*│\n│ severity high")
    s.expect(r"step 1 of 19\s+·\s+Phase 1/6 Identify and assess")
    # Deadlines as clock times (never stale); the countdown is on the live status line.
    s.expect(r"due \d\d:\d\d\s+Pause the queue, ads and automations")
    s.expect(r"due \d\d:\d\d\s+Post a one-line acknowledgement")
    s.expect(r"Take a breath, then look\s+DO-CONFIRM")
    s.expect(r"Don't reply, delete or post anything yet\.")
    first_look(s)
    s.menu("Add a note")
    s.expect(r"Note")
    s.expect(r"Enter saves")
    # two lines, pasted (a note is one line that Enter saves; a paste keeps its lines)
    s.send(PASTE % "Screenshots are in the [bold]team drive[/bold]\rTwo shares so far" + ENTER)
    s.menu("Mark this step done")
    s.confirm("1 item(s) not ticked. Mark the step done anyway?", True)

    # -- 2 who-needs-to-know: text answers, an optional one left empty, yes/no ----------
    who_needs_to_know(s, threat=True)
    s.menu("Mark this step done")

    # -- 3 safety (appears because of the threat): READ-DO, one item at a time, defer ----
    s.expect(r"Safety first, hand it to security and legal\s+READ-DO")
    read_do = ["Done", "Not yet — show the step menu"]
    s.select("Tell security and legal now", read_do, "Done")
    s.select("If anyone threatened to turn up", read_do, "Done")
    s.select("Keep every threatening message", read_do, "Not yet — show the step menu")
    s.menu("Defer — back before its deadline or the next phase")
    s.text_answer("Why defer it? (optional)", "Legal calls back at nine")
    # ... and it comes back before the next phase begins (issue 20), not after the close
    s.expect(r"Deferred — back before its deadline or the next phase\. Safety first")
    s.select("Keep every threatening message", read_do, "Done")
    s.select("Check whether staff names", read_do, "Done")
    s.select("Agree who owns this", read_do, "Done")
    s.menu("Mark this step done")

    # -- 4 pause-automation: READ-DO all the way --------------------------------------
    s.expect(r"Pause the queue, ads and automations\s+READ-DO")
    for start in ["Pause the whole queue", "Pause paid ads", "Switch off auto-replies",
                  "Stop automated DMs", "Tell everyone who can post", "Write down what you paused"]:  # fmt: skip
        s.select(start, read_do, "Done")
    s.menu("Mark this step done")

    # -- 5 holding-line: the message first (checked, approved), then its checklist ---
    s.expect(r"Post a one-line acknowledgement")
    s.expect(r"We've seen what people are saying about \[short description\]")  # the draft
    s.message("We've seen the post about our holiday photo. Update here by 10:00.")
    s.review("Use this message")
    s.promise(None)  # the time the message names (10:00), not the cadence's hour (issue 20)
    approved_by_dana(s, home)
    s.checklist(["Posted first where it started (Bluesky)", "Promised a time"], [0, 1])
    s.menu("Mark this step done")

    # -- 6 watch: back, forward again, then skip (the reason is required) -------------
    s.expect(r"Watch the conversation")
    s.checklist(["Search"] * 6 + ["Don't argue"], [])
    shown = s.menu("Back to the previous step")
    assert "Back to the previous step" in shown and "Pause — resume later" in shown
    s.expect(r"Post a one-line acknowledgement")
    s.menu("Mark this step done")
    s.expect(r"Watch the conversation")
    s.checklist(["Search"] * 6 + ["Don't argue"], [])
    s.menu("Skip (needs a reason)")
    s.expect(r"Why skip it\?")
    s.send("\r")
    s.expect(r"Please type something\.")
    s.type_line("Maria watches all channels tonight")

    # -- 7 first-actions: the draft fails its checks, edited, approved, done ----------
    s.expect(r"Say what is being done")
    s.message(None)
    s.expect(r"still needs writing")  # the template's [blanks]
    s.review("Edit it again", errors=True)
    s.message(
        "Update: the photo is down and we have contacted the photographer. Next update by 12:00."
    )
    s.review("Use this message")
    s.promise("30m")
    # The message says 12:00: told so before anything is recorded; typing 30m again keeps it.
    s.expect(r"The message says the next update comes by (\w{3} )?12:00, but the answer is")
    s.promise("30m")
    approved_by_dana(s, home)
    s.checklist(["List the steps", "Tell affected", "Post it as a reply"], [0, 1, 2])
    s.menu("Mark this step done")

    # -- 8 grade-severity: choice, done with nothing ticked --------------------------
    s.expect(r"Grade the severity")
    s.expect(r"currently recorded as high")
    s.checklist(
        [
            "Compare",
            "Check whether it has",
            "Check whether journ",
            "Check whether main",
        ],
        [],
    )
    # starts on the incident's level, high (issue 20): Enter keeps it
    s.select("How serious is it now?", labels("grade"), labels("grade")[2], start=2)
    s.menu("Mark this step done")
    s.confirm("4 item(s) not ticked. Mark the step done anyway?", True)

    # -- graded high, so the press step: spokesperson named, brief left a draft, n/a --
    s.expect(r"Answer the press through one spokesperson")
    s.text_answer("Who speaks to the press?", "Dana Reyes")
    s.message(None)
    s.review("Keep it as a draft — the step cannot be done until it is fixed", errors=True)
    # A message that needs approval comes before the checklist; a draft that cannot be
    # approved yet leaves the items to the menu.
    s.expect(r"Approval: not approved — the step cannot be done without it\.")
    s.menu("Not applicable")
    s.text_answer("Why does it not apply? (optional)", "No journalist has called")

    # -- 9 decide-post, 10 apologise --------------------------------------------------
    s.expect(r"Keep or delete the post")
    s.checklist(
        ["Screenshot", "Decide together", "If it comes down", "Don't deactivate"], [0, 1, 2, 3]
    )
    s.select("What happens to the post?", labels("post-decision"), labels("post-decision")[0])
    s.menu("Mark this step done")
    s.expect(r"Apologise publicly")
    s.message("We got this wrong: the photo was not ours to use. We're sorry.")
    s.review("Use this message")
    s.promise("")  # no promise
    approved_by_dana(s, home)
    s.checklist(
        ["Says what", "Says sorry", "Names the", "Says what has", "Posted first"], [0, 1, 2, 3, 4]
    )
    s.menu("Mark this step done")

    # -- 11 reply-each: yes/no, a message without approval; 12 updates: n/a ----------
    s.expect(r"Reply to people one by one")
    s.confirm("Is there someone who needs a real conversation", False)
    # a reply-ledger step opens on its menu; with nobody on the ledger, done asks for its
    # one text, then its checklist
    s.expect(r"Reply ledger: nobody on it yet")
    s.menu("Mark this step done")
    s.message("Hi Lena, you're right, and I'm sorry. The photo is down.")
    s.review("Use this message")
    s.checklist(
        ["Reply first", "Write each", "Acknowledge", "Point to", "Don't argue", "Leave abuse"], [0]
    )
    s.confirm("5 item(s) not ticked. Mark the step done anyway?", True)
    s.expect(r"Keep updates coming")
    s.message(None)
    s.review("Keep it as a draft — the step cannot be done until it is fixed", errors=True)
    s.expect(r"Approval: not approved — the step cannot be done without it\.")
    s.menu("Not applicable")
    s.text_answer("Why does it not apply? (optional)", "Resolved within the hour")

    # -- 13 resume-normal (off-platform steps do not apply), 14 lessons, 15 close ----
    s.expect(r"Check it is contained, then resume")
    s.checklist(
        ["Mentions", "No new big", "Re-read", "Restart", "Re-check", "Tell everyone"],
        [0, 1, 2, 3, 4, 5],
    )
    s.menu("Mark this step done")
    s.expect(r"Look back together")
    s.checklist(["Everyone involved", "The timeline"], [0, 1])
    s.text_answer("What happened, in a few sentences?", "A stock photo went out without a licence.")
    s.text_answer("What was the impact", "About 300 replies; no press.")
    s.text_answer("What made it possible or worse?", "No licence check.")
    s.text_answer("What helped us", "")
    s.text_answer("What went well?", "The queue was paused in four minutes.")
    s.text_answer("What went wrong or was slow?", "Finding the approver took twenty minutes.")
    s.text_answer("Where did we get lucky?", "")
    s.text_answer("Who owns the review", "Sam Ode")
    s.text_answer("When is the review meeting", "")
    s.menu("Mark this step done")
    s.expect(r"Prevent the next one, and close")
    s.checklist(
        ["Name who", "The same", "Add the pre", "Update the", "Every action", "Tell the team"],
        [0, 1, 2, 3, 4, 5],
    )
    # action items, one at a time: what, owner, due (a date that is not one is refused)
    s.confirm("Action items: add an action item?", True)
    s.text_answer("What is to be done?", "Licence check in the posting routine")
    s.text_answer("Who owns it?", "Sam Ode")
    s.expect(re.escape("Due by (YYYY-MM-DD"))
    s.type_line("1 Dec")
    s.expect(re.escape("A date as YYYY-MM-DD"))
    s.send("\x15")  # Ctrl-U: rub the line out
    s.type_line("2026-12-01")
    s.expect(r"1\. Licence check in the posting routine — Sam Ode, due 2026-12-01")
    s.confirm("Action items: add another action item?", True)
    s.text_answer("What is to be done?", "Name a night-time approver")
    s.text_answer("Who owns it?", "")
    s.text_answer("Due by (YYYY-MM-DD", "")
    s.confirm("Action items: add another action item?", False)
    s.expect(r"Action items\s+A1: Licence check in the posting routine, A2: Name a night-time")
    s.menu("Mark this step done")

    # -- the end ----------------------------------------------------------------------
    s.expect(r"The walk-through is complete\.")
    s.confirm("Close the incident now?", True)
    # Before it closes, each exit criterion of the playbook is checked and recorded.
    s.expect(r"Before closing: 5 exit criteria\.")
    s.confirm("1/5 Is this true now?", True)
    s.confirm("2/5 Is this true now?", True)
    s.confirm("3/5 Is this true now?", False)
    s.text_answer("What is still open? (optional)", "Ads stay off until Monday")
    s.confirm("4/5 Is this true now?", True)
    s.confirm("5/5 Is this true now?", True)
    s.confirm("1 exit criterion not met (3). Close the incident anyway?", True)
    s.expect(r"Log: .*log\.md")
    assert s.finish() == 0

    # -- the record --------------------------------------------------------------------
    events = journal(home)
    assert [e["type"] for e in events][:3] == ["incident.opened", "walker.started", "input.set"]
    assert set(of_type(events, "walker.started")[0]) == {"lease", "pid", "host", "tty"}
    assert events[0]["data"]["title"] == "Wrong image on the brand account"
    assert events[0]["data"]["severity"] == "high"
    assert {d["input"]: d["value"] for d in of_type(events, "input.set")} == {
        "brand": "Acme Coffee",
        "platform": "bluesky",
        "source": "ours",
    }
    answers = {d["question"]: d["value"] for d in of_type(events, "answer.set")}
    assert answers == {
        "reach": "spreading",
        "impact-start": "40m",
        "detected-at": "5m",
        "first-post": "https://bsky.app/profile/someone/post/1",
        "approver": "Dana Reyes",
        "threat": True,
        "grade": "high",
        "spokesperson": "Dana Reyes",
        "post-decision": "keep",
        "individual": False,
        "summary": "A stock photo went out without a licence.",
        "impact": "About 300 replies; no press.",
        "went-well": "The queue was paused in four minutes.",
        "went-wrong": "Finding the approver took twenty minutes.",
        "contributing-factors": "No licence check.",
        "review-owner": "Sam Ode",
        "actions": ["A1", "A2"],
    }
    began, noticed = of_type(events, "impact.recorded")  # one per question, as answered
    assert (began["by_question"], noticed["by_question"]) == ("impact-start", "detected-at")
    opened = datetime.fromisoformat(events[0]["ts"])
    assert (
        datetime.fromisoformat(began["started"])
        < datetime.fromisoformat(noticed["detected"])
        < opened
    )
    assert of_type(events, "action.added") == [
        {"id": "A1", "text": "Licence check in the posting routine", "owner": "Sam Ode",
         "due": "2026-12-01", "step": "close"},
        {"id": "A2", "text": "Name a night-time approver", "step": "close"},
    ]  # fmt: skip
    assert [d["step"] for d in of_type(events, "step.done")] == [
        "first-look", "who-needs-to-know", "safety", "pause-automation", "holding-line",
        "holding-line", "first-actions", "grade-severity", "decide-post", "apologise",
        "reply-each", "resume-normal", "lessons", "close",
    ]  # fmt: skip
    assert of_type(events, "step.done")[0]["unchecked"] == ["who-posted"]
    assert of_type(events, "step.skipped") == [
        {"step": "watch", "reason": "Maria watches all channels tonight"}
    ]
    assert of_type(events, "step.deferred") == [
        {"step": "safety", "reason": "Legal calls back at nine"}
    ]
    assert of_type(events, "step.not_applicable") == [
        {"step": "press", "reason": "No journalist has called"},
        {"step": "updates", "reason": "Resolved within the hour"},
    ]
    assert of_type(events, "note.added") == [
        {
            "step": "first-look",
            "text": "Screenshots are in the [bold]team drive[/bold]\nTwo shares so far",
        }
    ]
    entered = [(d["step"], d["via"]) for d in of_type(events, "step.entered")]
    assert ("holding-line", "back") in entered and ("safety", "recall") in entered
    messages = {d["step"]: d["text"] for d in of_type(events, "message.recorded")}
    assert (
        messages["holding-line"]
        == "We've seen the post about our holiday photo. Update here by 10:00."
    )
    assert messages["apologise"].startswith("We got this wrong: the photo")
    assert messages["first-actions"].startswith("Update: the photo is down")
    assert messages["updates"].startswith("Update on [topic]")  # the draft, kept as a draft
    first_actions = [
        d["text"] for d in of_type(events, "message.recorded") if d["step"] == "first-actions"
    ]
    assert len(first_actions) == 2  # the failing template, then the edited text: both kept
    promised = [(e["data"]["step"], e["ts"], e["data"]["due"]) for e in events if e["type"] == "update.promised"]  # fmt: skip
    assert [step for step, _, _ in promised] == ["holding-line", "first-actions"]
    ahead = [(datetime.fromisoformat(due) - datetime.fromisoformat(ts)).total_seconds() / 60 for _, ts, due in promised]  # fmt: skip
    # the holding line's promise is the 10:00 it names (TZ=UTC); the update's the 30m insisted on
    assert (
        datetime.fromisoformat(promised[0][2]).astimezone(timezone.utc).strftime("%H:%M") == "10:00"
    )
    assert 0 < ahead[0] <= 24 * 60 and 29 < ahead[1] <= 30.1
    approved = {
        d["step"]: d["approver"]
        for d in of_type(events, "message.approval_decided")
        if d["decision"] == "approve"
    }
    assert approved == {"holding-line": "Dana Reyes", "first-actions": "Dana Reyes", "apologise": "Dana Reyes"}  # fmt: skip
    assert of_type(events, "run.finished") == [{"status": "complete", "deferred": []}]
    exits = of_type(events, "exit.checked")
    assert [(d["criterion"], d["met"]) for d in exits] == [(1, True), (2, True), (3, False), (4, True), (5, True)]  # fmt: skip
    assert exits[2]["note"] == "Ads stay off until Monday"
    assert events[-1]["type"] == "incident.closed"
    # Every event is the responder's, but Dana's decisions, recorded as her.
    decided = of_type(events, "message.approval_decided")
    assert {e["actor"] for e in events if e["type"] == "message.approval_decided"} == {"Dana Reyes"}
    assert all(e["actor"] == "tester" for e in events if e["type"] != "message.approval_decided")
    assert len(decided) == 3
    assert len({e["id"] for e in events}) == len(events)

    log = log_md(home)
    assert log.startswith("# Wrong image on the brand account\n")
    assert "| Status | closed |" in log and "| Severity | high |" in log
    assert "- **Which brand or account is this about?** Acme Coffee" in log
    assert "- **Where did it start?** Bluesky" in log
    assert "- [x] Take a breath, then look — done" in log
    assert "- [ ] Watch the conversation — skipped: Maria watches all channels tonight" in log
    assert "- [ ] Keep updates coming — not applicable: Resolved within the hour" in log
    assert "Invite them to talk directly — not applicable (condition)" in log
    assert "Approved by Dana Reyes" in log
    # The note is logged literally: markup shown as typed, both lines kept.
    note = next(line for line in log.splitlines() if "Screenshots are in the" in line)
    assert "<br>Two shares so far" in note
    assert_renders_literally(note, "Screenshots are in the [bold]team drive[/bold]")
    # Local time is UTC here: each time is said once, not "UTC (… UTC)".
    assert re.search(r"- \d\d:\d\d:\d\d UTC · tester · Skipped: Watch", log)
    assert "UTC (" not in log
    assert "Walk-through complete" in log and "Incident closed" in log


# -- crash and resume -------------------------------------------------------------------

COMPLAINT = labels("source")[2]  # "A customer complaint is getting attention"
PAUSE_ITEMS = ["Pause the whole queue", "Pause paid ads", "Switch off auto-replies",
               "Stop automated DMs", "Tell everyone who can post", "Write down what you paused"]  # fmt: skip
READ_DO = ["Done", "Not yet — show the step menu"]


def test_sigkill_mid_run_then_resume_keeps_every_answer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Session(home, "start", "general", "--title", "Complaint about a late delivery", "--severity", "low")  # fmt: skip
    s.text_answer("Which brand or account is this about?", "Acme Coffee")
    s.select("Where did it start?", labels("platform"), "Threads")
    s.select("What kind of incident is it?", labels("source"), COMPLAINT)
    s.expect(r"Take a breath, then look")
    s.checklist(
        ["Screenshot", "Save links", "Note where", "Note who", "Look up the customer"], [0, 4]
    )
    s.select("First impression, how far has it travelled?", labels("reach"), labels("reach")[0])
    for prompt in ["When did it start?", "When did we notice?", "Link to the first post"]:
        s.text_answer(prompt, "")  # optional: left for later (crisis impact)
    s.menu("Add a note")
    s.expect(r"Note")
    s.expect(r"Enter saves")
    s.send("Order 4411, shipped 9 days late" + ENTER)
    s.menu("Mark this step done")
    s.confirm("3 item(s) not ticked. Mark the step done anyway?", True)
    s.expect(r"Bring in the right people")
    s.checklist(
        ["Tell your", "Check that", "Bring in customer service", "Add anyone else"], [0, 1, 2, 3]
    )
    s.text_answer("Who approves public messages for this incident?", "Dana Reyes")
    s.text_answer("Who approves if they can't be reached?", "Sam Ode")
    s.confirm("Is anyone's safety threatened", False)
    s.menu("Mark this step done")
    s.expect(r"Pause the queue, ads and automations\s+READ-DO")
    for item in PAUSE_ITEMS[:3]:
        s.select(item, READ_DO, "Done")
    s.expect(re.escape(PAUSE_ITEMS[3]))
    s.expect(r"Not yet — show the step menu")  # the fourth item is on screen, waiting

    before = journal(home)
    os.kill(s.child.pid, signal.SIGKILL)
    assert s.finish() == 128 + signal.SIGKILL
    assert journal(home) == before  # every confirmed answer was already on disk

    r = Session(home, "resume")
    r.expect(r"Resuming \d{4}-\d\d-\d\d-\d{4}-complaint-about-a-late-delivery\.")
    start = r.cursor
    r.expect(r"Pause the queue, ads and automations\s+READ-DO")
    r.expect(r"\[x\] Pause the whole queue")
    r.expect(r"\[x\] Switch off auto-replies")
    r.expect(r"\[ \] Stop automated DMs")
    for item in PAUSE_ITEMS[3:]:
        r.select(item, READ_DO, "Done")
    resumed_screen = r.text[start : r.cursor]
    for asked_before in ["Which brand", "Where did it start", "What kind of incident",
                         "How far has it travelled", "Who approves", "Tick what is done",
                         "Pause the whole queue, for every account"]:  # fmt: skip
        # Only the already-ticked list line may show the first item; no prompt repeats.
        if asked_before == "Pause the whole queue, for every account":
            assert f"? {asked_before}" not in resumed_screen
        else:
            assert asked_before not in resumed_screen, asked_before
    r.menu("Mark this step done")
    # A complaint: the person who complained is answered first, where they wrote.
    r.expect(r"Reply to the person who complained, where they wrote")
    r.message("Hi Sam, I'm really sorry your order is late. Could you DM us the order number?")
    r.review("Use this message")
    r.checklist(["Replied under", "Written for", "Offered to take"], [0, 1, 2])
    r.menu("Mark this step done")
    # Isolated: no holding line. The rest, quickly: n/a or done.
    r.expect(r"Watch the conversation")
    r.checklist(["Search"] * 6 + ["Don't argue"], [])
    r.menu("Not applicable")
    r.text_answer("Why does it not apply? (optional)", "")
    r.expect(r"Grade the severity")
    r.checklist(["Compare", "Check", "Check", "Check"], [0])
    r.select("How serious is it now?", labels("grade"), labels("grade")[0])
    r.menu("Mark this step done")
    r.confirm("3 item(s) not ticked. Mark the step done anyway?", True)
    # low and not our post: the branch goes straight to the personal replies
    r.expect(r"Reply to people one by one")
    r.confirm("Is there someone who needs a real conversation", False)
    r.menu("Mark this step done")  # a reply-ledger step: done asks for its one text
    r.message("Hi Sam, you're right, and I'm sorry. Your order is on its way today.")
    r.review("Use this message")
    r.checklist(["Reply first", "Write each", "Acknowledge", "Don't argue", "Leave abuse"], [0, 1])
    r.confirm("3 item(s) not ticked. Mark the step done anyway?", True)
    r.expect(r"Check it is contained, then resume")
    r.checklist(["Mentions", "No new", "Re-read", "Restart", "Re-check", "Tell everyone"], [])
    r.menu("Defer — back before its deadline or the next phase")
    r.text_answer("Why defer it? (optional)", "")
    r.expect(r"Look back together")
    r.checklist(["Everyone", "The timeline"], [])
    for prompt in ["What happened, in a few sentences?", "What was the impact",
                   "What made it possible or worse?", "What helped us", "What went well?",
                   "What went wrong or was slow?", "Where did we get lucky?",
                   "Who owns the review", "When is the review meeting"]:  # fmt: skip
        r.text_answer(prompt, "")
    r.menu("Skip (needs a reason)")
    r.text_answer("Why skip it?", "Review on Monday")
    r.expect(r"Prevent the next one, and close")
    r.checklist(["Name", "The same", "Add the", "Update", "Every action", "Tell the team"], [])
    r.confirm("Action items: add an action item?", False)
    r.menu("Not applicable")
    r.text_answer("Why does it not apply? (optional)", "")
    r.expect(r"Deferred — back again before the end\. Check it is contained")
    r.checklist(["Mentions", "No new", "Re-read", "Restart", "Re-check", "Tell everyone"], [])
    r.menu("Defer — leave it open (it does not come back by itself)")
    r.text_answer("Why defer it? (optional)", "Wait for 24 hours of quiet")
    r.expect(r"The walk-through ended with steps still open:")
    r.expect(r"- Check it is contained, then resume \(deferred\)")  # by title, never an id
    r.confirm("Close the incident now?", False)
    r.expect(r"Finished with steps still open: Check it is contained, then resume")
    assert r.finish() == 0

    events = journal(home)
    assert events[: len(before)] == before  # nothing rewritten
    inputs = of_type(events, "input.set")
    assert [d["input"] for d in inputs] == ["brand", "platform", "source"]  # once each
    assert {d["input"]: d["value"] for d in inputs}["source"] == "customer-complaint"
    answers = [(d["question"], d["value"]) for d in of_type(events, "answer.set")]
    assert answers == [
        ("reach", "isolated"),
        ("approver", "Dana Reyes"),
        ("backup", "Sam Ode"),
        ("threat", False),
        ("grade", "low"),
        ("individual", False),
        ("actions", []),  # "add an action item?" — no: said once, recorded
    ]
    ticked = [d["item"] for d in of_type(events, "item.checked") if d["step"] == "pause-automation"]
    assert len(ticked) == 6 == len(set(ticked))
    assert of_type(events, "note.added") == [{"step": "first-look", "text": "Order 4411, shipped 9 days late"}]  # fmt: skip
    done = [d["step"] for d in of_type(events, "step.done")]
    assert done.index("reply-first") < done.index("reply-each")  # the person first
    assert [e["type"] for e in events].count("session.resumed") == 1
    assert of_type(events, "run.finished") == [
        {
            "status": "complete-except-deferred",
            "deferred": ["resume-normal"],
            "unfinished": ["resume-normal"],
        }
    ]
    assert len({e["id"] for e in events}) == len(events)
    log = log_md(home)
    assert "Order 4411, shipped 9 days late" in log and "Resumed" in log
    assert "| Status | finished |" in log
    assert "- [ ] Check it is contained, then resume — deferred" in log


def test_ctrl_c_says_where_the_data_is_and_how_to_resume(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Session(home, "start", "general", "--title", "Ctrl-C test", "--severity", "moderate")
    s.text_answer("Which brand or account is this about?", "Acme Coffee")
    s.select("Where did it start?", labels("platform"), "X (Twitter)")
    s.select("What kind of incident is it?", labels("source"), labels("source")[0])
    s.expect(r"Take a breath, then look")
    s.expect(r"Tick what is done")
    s.expect(r"Find out who posted it")
    s.send(CTRL_C)
    (folder,) = (home / "incidents").iterdir()
    found = s.expect(r"Interrupted\. Everything you confirmed is saved in (\S+)")
    assert Path(found.group(1)) == folder
    printed = s.expect(rf"Continue with: (\S+) resume {re.escape(folder.name)}").group(1)
    assert s.finish() == 130
    assert_works_as_printed(home, printed, folder.name)
    events = journal(home)
    assert events[-1]["type"] == "session.interrupted"
    assert [d["input"] for d in of_type(events, "input.set")] == ["brand", "platform", "source"]
    assert "Traceback" not in s.text


@pytest.mark.parametrize("command", [["start"], ["start", "general", "--title", "x"], ["resume"]])
def test_no_terminal_and_no_answers_is_a_clear_error(tmp_path: Path, command: list[str]) -> None:
    home = tmp_path / "home"
    if command == ["resume"]:
        subprocess.run(
            [*crisis_command(), "start", "general", "--answers", str(_answers(tmp_path))],
            env=subprocess_env(home), stdin=subprocess.DEVNULL, capture_output=True, check=True,
        )  # fmt: skip
    existing = sorted(p.relative_to(home) for p in home.rglob("*")) if home.exists() else []
    started = time.monotonic()
    done = subprocess.run(
        [*crisis_command(), *command],
        env=subprocess_env(home),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 6, done
    first, *rest = done.stderr.splitlines()
    assert first.startswith("crisis: error: ") and "--answers" in first
    assert all(line.startswith("  hint: ") for line in rest)
    assert "Traceback" not in done.stderr and done.stdout == ""
    now = sorted(p.relative_to(home) for p in home.rglob("*")) if home.exists() else []
    assert now == existing  # nothing created, nothing touched
    assert time.monotonic() - started < 20


def assert_works_as_printed(home: Path, printed: str, incident: str) -> None:
    """The program a hint names is the one that was run (``crisis`` only when the shell finds
    that same crisis), and it runs as printed."""
    assert printed in ("crisis", shlex.quote(crisis_command()[0]))
    argv = [*shlex.split(printed), "status", incident]
    if printed == "crisis":
        argv[0] = shutil.which("crisis") or argv[0]
    done = subprocess.run(argv, env=subprocess_env(home), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(
        "inputs: {brand: Acme, platform: x, source: ours}\n"
        "steps:\n  first-look:\n    answers: {reach: spreading}\n    action: pause\n",
        encoding="utf-8",
    )
    return path


def test_pause_prints_the_resume_command_and_resume_asks_nothing_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Session(home, "start", "general", "--title", "Pause test", "--severity", "low")
    s.text_answer("Which brand or account is this about?", "Acme Coffee")
    s.select("Where did it start?", labels("platform"), "Mastodon")
    s.select("What kind of incident is it?", labels("source"), labels("source")[0])
    s.expect(r"Take a breath, then look")
    s.checklist(["Screenshot", "Save links", "Note where", "Note who", "Find out who"], [0, 1, 2, 3, 4])  # fmt: skip
    s.select("First impression, how far has it travelled?", labels("reach"), labels("reach")[2])
    s.text_answer("When did it start?", "1h")
    s.text_answer("When did we notice?", "30m")
    s.text_answer("Link to the first post", "https://mastodon.social/@someone/1")
    s.menu("Pause — resume later")
    (folder,) = (home / "incidents").iterdir()
    s.expect(rf"Paused\. Everything so far is saved in {re.escape(str(folder))}")
    printed = s.expect(rf"Continue with: (\S+) resume {re.escape(folder.name)}").group(1)
    assert s.finish() == 0
    assert_works_as_printed(home, printed, folder.name)

    r = Session(home, "resume", folder.name)
    r.expect(rf"Resuming {re.escape(folder.name)}\.")
    start = r.cursor
    r.expect(r"Take a breath, then look")
    r.expect(r"\[x\] Find out who posted it")
    r.expect(r"First impression, how far has it travelled\? Amplified")  # shown, not asked
    shown = r.menu("Pause — resume later")
    assert "Tick what is done" not in r.text[start:] and "Which brand" not in r.text[start:]
    assert "Back to the previous step" not in shown  # nothing to go back to at step 1
    r.expect(rf"Continue with: \S+ resume {re.escape(folder.name)}")
    assert r.finish() == 0
    kinds = [e["type"] for e in journal(home)]
    assert kinds.count("session.paused") == 2 and kinds.count("session.resumed") == 1
    # the reach and the three impact questions, each once: nothing asked again
    assert kinds.count("answer.set") == 4 and kinds.count("item.checked") == 5
