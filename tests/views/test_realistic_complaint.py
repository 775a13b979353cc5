"""Issue 20's acceptance: one realistic incident, and every view of it says only what is so.

The evening of 30 November, through the real CLI on the bundled ``complaint`` playbook and a
clock that moves as people do (each recorded event ten seconds after the one before):

- 20:30 a complaint on X is spreading; the responder starts at **moderate**. The pause step
  is **deferred** (the agency does not answer), a personal reply goes out, then a one-line
  acknowledgement approved by Dana. The walk-through stops at the grading step.
- 20:52 ``crisis severity high --reason`` from another terminal: a consumer programme
  shared it. The walk-through resumes: the grading question starts on *high*; an
  **internal press brief** far over X's 280 characters goes to the spokesperson; the
  **apology** is rejected by Dana once, then approved; updates and a DM follow; the walk
  pauses before the 24-hour check.
- The same evening a **routine pre-publication check** is run for a campaign post.
- 21:55 three people who engaged are in the **reply ledger**: two replied to, one not yet.
- 22:20 ``crisis handoff --to "Sam (night shift)"``; 22:35 Sam lowers it to moderate.
- Next evening Sam finishes: the 24-hour check, the look back, the close.

Then ``status``, ``handoff``, log.md, the reports (md, json) and ``stats`` are read as a
head of communications would: no brief held to a platform limit or called published, no
overdue update where no step can post one, the deferred pause step back before its
deadline, one incident in the stats (the check counted apart).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FrozenClock, Result, run_cli

START = datetime(2026, 11, 30, 20, 30, 0, tzinfo=timezone.utc)
EVENT_SECONDS = 10  # a person reads, ticks, decides
BRIEF = (  # an internal brief for the spokesperson: no platform limit applies to it
    "Brief for Dana Reyes. What we know: a customer found a fly in a soup bought at our "
    "Karlavägen cafe on Saturday; the photo is genuine and the batch has been pulled. What "
    "we have done for the customer: a personal apology, a refund, and a call from the cafe "
    "manager tonight. What we are doing about the cause: the supplier's lids are being "
    "checked at every cafe before Monday. Never discuss the customer's details. Next update "
    "by 22:40."
)
APOLOGY_1 = (
    "We're sorry if anyone was upset by a customer's post about our soup. We take hygiene "
    "very seriously."
)
APOLOGY_2 = (
    "A customer found a fly in a soup from our Karlavägen cafe, and we're sorry. We've been "
    "in touch with them to put it right, and we're checking the supplier's lids at every cafe."
)
UPDATE = (
    "Update (21:00): every cafe has checked its soup lids and one batch was withdrawn. Next "
    "update by 22:00."
)

EVENING: dict[str, Any] = {
    "title": "Fly in the soup, shared by a consumer programme",
    "severity": "moderate",
    "inputs": {"brand": "Acme Cafe", "platform": "x", "customer": "Lena"},
    "default": "done",
    "steps": {
        "first-look": {"answers": {"reach": "spreading"}},
        "bring-in": {
            "answers": {"facts": "partly", "approver": "Dana Reyes", "backup": "Sam Ode",
                        "threat": False}
        },
        "pause-automation": {"action": ["defer", "done"],
                             "reason": "The agency that runs the queue is not answering"},
        "first-reply": {
            "message": "Hi Lena, I'm really sorry this happened. That's not what you should "
            "get from us. I'm looking into it now; could you send us a DM with your order "
            "number? Mia"
        },
        "holding-line": {
            "message": "We've seen what a customer shared and we're sorry. We've reached out "
            "to them directly and are looking into what happened. More here by 21:30.",
            "approver": "Dana Reyes",
            "next_update": "21:30",
        },
        "grade-severity": {"action": "pause"},
    },
}  # fmt: skip
LATER: dict[str, Any] = {
    "default": "done",
    "steps": {
        "grade-severity": {"answers": {"grade": "high"}},
        "press": {
            "answers": {"spokesperson": "Dana Reyes"},
            "message": BRIEF,
            "approver": "Dana Reyes",
        },
        "public-apology": {
            "message": [APOLOGY_1, APOLOGY_2],
            "approver": [
                {"name": "Dana Reyes", "decision": "reject", "comment": "Sorry with an if"},
                {"name": "Dana Reyes", "decision": "approve"},
            ],
        },
        "reply-each": {
            "message": "Hi, thanks for telling us, and I'm sorry you had that too. Could you "
            "send us a DM with the cafe and the date? I'll look into it myself."
        },
        "updates": {"message": UPDATE, "approver": "Dana Reyes", "next_update": "22:00"},
        "move-dm": {
            "answers": {"direct-contact": "talking"},
            "message": "Hi Lena, I'm Mia from Acme Cafe. I'd like to put this right. Could I "
            "call you, or would you rather email me at mia@acme.example?",
        },
        "close-loop": {
            "message": "Thanks for talking with us, Lena. Glad we could sort it out, and "
            "sorry again."
        },
        "resume-normal": {"action": "pause"},
    },
}  # fmt: skip
NEXT_EVENING: dict[str, Any] = {
    "default": "done",
    "close": True,
    "steps": {
        "lessons": {
            "answers": {
                "summary": "A customer's photo of a fly in our soup was shared by a consumer "
                "programme; we apologised, refunded and checked every cafe's lids.",
                "impact": "About 2,000 shares in the evening; one programme; no press calls.",
                "went-well": "Dana approved the second apology within minutes.",
                "went-wrong": "The agency could not pause the queue for twenty minutes.",
            }
        },
        "close": {
            "answers": {
                "actions": [
                    {"what": "Give the agency a night-time pause contact", "owner": "Dana Reyes",
                     "due": "2026-12-08"},
                ]
            }
        },
    },
}  # fmt: skip
CHECK: dict[str, Any] = {
    "title": "Campaign post for the winter menu",
    "inputs": {"brand": "Acme Cafe", "networks": ["x", "instagram"]},
    "default": "done",
    "close": True,
    "steps": {
        "gut-check": {"answers": {"doubt": True}},
        "second-opinion": {"answers": {"verdict": "drop"}},
        "look-back": {
            "answers": {
                "summary": "A winter-menu post, dropped: it joked about soup tonight.",
                "impact": "None: it never went out.",
                "went-well": "Asked someone who had not written it.",
                "went-wrong": "Nothing slipped through.",
            }
        },
    },
}


class Scenario:
    """The evening, the night and the next evening, with what each view said when."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from crisiscli.record.journal import Journal

        self.root = root
        self.home = root / "home"
        self.clock = FrozenClock(START)
        append = Journal.append

        def after_a_while(journal: Journal, new: Any, *args: Any, **kw: Any) -> Any:
            if not new.type.startswith("walker."):  # taking the walk-through is not work
                self.clock.advance(EVENT_SECONDS)
            return append(journal, new, *args, **kw)

        monkeypatch.setattr(Journal, "append", after_a_while)
        ok(self.cli("start", "complaint", "--answers", self.answers("evening", EVENING)))
        (folder,) = (self.home / "incidents").iterdir()
        self.id, self.folder = folder.name, folder
        self.paused_at_grading = self.clock.now
        self.status_at_moderate = ok(self.cli("status", self.id)).stdout

        self.at(22)  # 20:52
        ok(self.cli("severity", "high", "--reason", "A consumer programme shared it"))
        ok(self.cli("resume", self.id, "--answers", self.answers("later", LATER)))
        self.walked_until = self.clock.now

        self.at(60 + 3)  # 21:33: the routine check, another incident folder of its own
        ok(self.cli("start", "prepublish", "--answers", self.answers("check", CHECK)))

        self.at(60 + 25)  # 21:55: the reply ledger
        for who in ("@beanlover", "@sourmilk", "@karla_k"):
            ok(self.cli("reply", "add", "-i", self.id, "--who", who, "--platform", "x",
                        "--link", f"https://x.com/{who[1:]}/status/1"))  # fmt: skip
        ok(self.cli("reply", "sent", "-i", self.id, "r1", "--text", "Hi, I'm sorry you had that "
                    "too. Could you DM us the cafe and the date? I'll look into it myself."))  # fmt: skip
        ok(self.cli("reply", "sent", "-i", self.id, "r2", "--text", "Thanks for telling us. I've "
                    "sent you a DM so we can put it right."))  # fmt: skip
        ok(self.cli("reply", "done", "-i", self.id, "r2", "--outcome", "dm"))
        self.status_evening = ok(self.cli("status", self.id)).stdout

        self.at(60 + 50)  # 22:20: the night shift takes over
        self.handoff = ok(self.cli("handoff", self.id, "--to", "Sam (night shift)")).stdout
        self.at(60 + 65)  # 22:35
        ok(self.cli("severity", "moderate", "--reason", "Shares have stopped; no press calls",
                    actor="Sam"))  # fmt: skip
        self.at(3 * 60)  # 23:30: an hour past the last promised update, at moderate
        self.status_night = ok(self.cli("status", self.id, actor="Sam")).stdout

        self.at(23 * 60)  # 19:30 the next evening: Sam finishes
        ok(self.cli("resume", self.id, "--answers", self.answers("next", NEXT_EVENING),
                    actor="Sam"))  # fmt: skip
        monkeypatch.undo()
        self.at(23 * 60 + 30)

    def answers(self, name: str, data: dict[str, Any]) -> str:
        path = self.root / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
        return str(path)

    def at(self, minutes: float) -> None:
        """Move the clock to ``minutes`` after 20:30 (never back)."""
        target = START + timedelta(minutes=minutes)
        assert target >= self.clock.now, (target, self.clock.now)
        self.clock.now = target

    def cli(self, *args: str, actor: str = "Mia") -> Result:
        return run_cli(self.home, *args, clock=self.clock, actor=actor)

    def report(self, *args: str) -> str:
        return ok(self.cli("report", self.id, "--tz", "UTC", *args)).stdout

    @property
    def log(self) -> str:
        return (self.folder / "log.md").read_text(encoding="utf-8")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr or result.stdout
    return result


@pytest.fixture(autouse=True)
def deterministic_event_ids() -> None:
    """Real event ids: the incident is shared by the module's tests."""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    from crisiscli.env import set_env

    root = tmp_path_factory.mktemp("realistic")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRISIS_HOME", str(root / "home"))
        patch.setenv("TZ", "UTC")
        try:
            with pytest.MonkeyPatch.context() as clock_patch:
                return Scenario(root, clock_patch)
        finally:
            set_env(None)


def section(markdown: str, title: str) -> str:
    """One ``## title`` section of a markdown text (empty when it is not there)."""
    parts = re.split(r"^## ", markdown, flags=re.M)
    found = [p for p in parts if p.startswith(title + "\n")]
    return found[0] if found else ""


def lines_with(text: str, words: str) -> list[str]:
    return [line for line in text.splitlines() if words in line]


def test_the_evening_took_about_half_an_hour_of_work(scenario: Scenario) -> None:
    minutes = (scenario.walked_until - START).total_seconds() / 60
    assert 25 <= minutes <= 45, minutes


def test_at_moderate_no_update_is_owed_that_no_step_could_post(scenario: Scenario) -> None:
    """Paused at the grading step at moderate: complaint posts regular updates only from
    high, so no update clock runs and nothing is overdue."""
    status = scenario.status_at_moderate
    assert "severity moderate" in status
    assert "OVERDUE" not in status
    assert "Public update" not in status
    assert "now: Grade the severity" in status


def test_the_deferred_pause_step_came_back_before_its_deadline(scenario: Scenario) -> None:
    log = scenario.log
    deferred = lines_with(log, "Deferred: Pause the queue and automations")
    done = lines_with(log, "Done: Pause the queue and automations")
    assert len(deferred) == 1 and len(done) == 1, (deferred, done)
    assert "The agency that runs the queue is not answering" in deferred[0]
    done_at = re.search(r"(\d\d:\d\d:\d\d) UTC", done[0])
    assert done_at is not None and done_at.group(1) < "20:40:00", done[0]  # due 20:40
    report = scenario.report()
    metrics = section(report, "Metrics").replace("### ", "## ")
    deadline = section(metrics, "Deadlines and the update clock")
    (row,) = lines_with(deadline, "| Pause the queue and automations |")
    assert "met" in row and "missed" not in row, row
    queue = [r for r in lines_with(report, "| Queue paused |")]
    assert queue and re.search(r"\| \d+m( \d+s)? \|", queue[0]), queue  # minutes, not 1d 0h


def test_a_regrade_from_another_terminal_switched_on_the_press_and_update_steps(
    scenario: Scenario,
) -> None:
    """`crisis severity high --reason` while the walk-through waited at the grading step:
    the steps meant for high (the press brief, regular updates) came on; the reason is in
    the log, the report and the walk-through's record of the severity."""
    report = scenario.report()
    severity = section(report, "Severity")
    assert "**moderate → high**, by Mia: A consumer programme shared it" in severity
    assert "**high → moderate**, by Sam: Shares have stopped; no press calls" in severity
    steps = section(report, "Steps")  # in the appendix
    assert "Answer the press through one spokesperson — done" in steps
    assert "Keep updates coming — done" in steps
    assert "not applicable (condition)" not in " ".join(
        lines_with(steps, "spokesperson") + lines_with(steps, "Keep updates coming")
    )
    header = lines_with(scenario.log, "| Severity |")[0]
    assert "moderate (changed from high at" in header, header
    assert "Shares have stopped" in header and "2 changes" in header, header
    assert "was high since" not in scenario.log


def test_the_internal_brief_is_held_to_no_platform_limit_and_never_called_published(
    scenario: Scenario,
) -> None:
    assert len(BRIEF) > 280  # over X's limit: it is not going to X
    report = scenario.report()
    published = section(report, "Messages published")
    assert "Brief for Dana Reyes" not in published
    memos = section(report, "Staff memos sent")
    assert "Brief for Dana Reyes" in memos
    assert "/280" not in memos and "0 errors" in memos
    assert "despite" not in memos.lower() and "override" not in memos.lower()
    assert "Approval: approved by Dana Reyes" in memos
    log_memo = scenario.log.split("Brief for Dana Reyes")[1].split("\n### ")[0]
    assert "Sent to staff" in log_memo and "Published" not in log_memo
    data = json.loads(scenario.report("--format", "json"))
    (brief,) = [m for m in data["messages"] if m["step"] == "press"]
    assert brief["audience"] == "internal" and brief["on_platform"] is False
    assert brief["platforms"] == []


def test_the_apology_needed_approval_and_shows_the_rejection_before_it(
    scenario: Scenario,
) -> None:
    report = scenario.report()
    apology = report.split("### Apologise publicly")[1].split("\n### ")[0]
    assert APOLOGY_2 in apology and APOLOGY_1 not in apology
    assert "final of 2 versions" in apology
    assert "Approval: approved by Dana Reyes" in apology
    assert "rejected by Dana Reyes" in apology
    timeline = section(report, "Timeline")
    assert "rejected by Dana Reyes (scripted in an answers file): Sorry with an if" in timeline


def test_every_view_names_the_person_still_owed_a_reply_and_only_them(
    scenario: Scenario,
) -> None:
    for view in (scenario.status_evening, scenario.handoff, scenario.status_night):
        assert "@karla_k" in view, view
        assert "@beanlover" not in view and "@sourmilk" not in view, view
    assert "crisis reply sent r3" in scenario.status_evening  # a hint that works as printed
    replies = section(scenario.report(), "A reply to each person")
    assert "@karla_k (x) — **still unanswered**" in replies
    assert "@beanlover (x) — replied" in replies


def test_the_update_clock_says_what_is_owed_and_stops_when_the_level_drops(
    scenario: Scenario,
) -> None:
    """At high the update clock runs from the last public message (20:59) and the
    handoff at 22:20 says truly that the hourly update is overdue. Lowered to moderate at
    22:35, where complaint posts no regular updates, the clock stops: at 23:30 nothing
    says an hourly update is owed. The promise the update made ("next update by 22:00")
    is a promise all the same."""
    assert "due: Public update (every 1h) in" in scenario.status_evening
    assert "OVERDUE" not in scenario.status_evening
    (overdue,) = lines_with(scenario.handoff, "OVERDUE  Public update (every 1h)")
    assert "was due 21:59" in overdue, overdue
    (promised,) = lines_with(scenario.handoff, "OVERDUE  Promised next update")
    assert "was due 22:00" in promised, promised
    assert "Public update (every 1h)" not in scenario.status_night
    (promised,) = lines_with(scenario.status_night, "OVERDUE")
    assert "Promised next update" in promised and "was due 22:00" in promised, promised


def test_stats_count_one_incident_and_the_routine_check_apart(scenario: Scenario) -> None:
    stats = ok(scenario.cli("stats")).stdout
    assert stats.startswith("1 incident(s)")
    assert "1 routine check not counted" in stats
    data = json.loads(ok(scenario.cli("stats", "--json")).stdout)
    assert data["incidents"] == 1, data
    listing = ok(scenario.cli("list")).stdout
    incidents, checks = listing.split("Routine checks (not incidents):")
    assert "fly-in-the-soup" in incidents and "campaign-post" not in incidents
    assert "campaign-post-for-the-winter-menu" in checks


def test_the_summary_tells_the_regrades_and_that_no_criterion_was_checked(
    scenario: Scenario,
) -> None:
    """Opened moderate, re-graded high, then moderate again: the opening paragraph does not
    say "Graded moderate." as if nothing happened, and five criteria nobody checked at the
    close are not "met: 0 of 5" (which reads as five failures)."""
    summary = section(scenario.report(), "Summary")
    assert "Graded moderate, re-graded high, then moderate." in summary
    assert "Exit criteria not checked (5) at the close." in summary
    assert "Exit criteria met: 0 of 5" not in summary


def test_the_report_counts_the_hourly_update_missed_while_high_and_says_what_went_out(
    scenario: Scenario,
) -> None:
    """At high from 20:52 to 22:35 with the update step able to post: the hourly update
    due at 21:59 was missed, at 21:59, whatever the night shift decided at 22:35. The
    opening paragraph counts what was published apart from what was sent (the brief, the
    DM), and the JSON says "sent" for them, never "published"."""
    report = scenario.report()
    table = section(
        section(report, "Metrics").replace("### ", "## "), "Deadlines and the update clock"
    )
    (row,) = lines_with(table, "| Public update #3 (every 1h) |")
    assert "missed at 21:59 UTC: no public update by then" in row, row
    (row,) = lines_with(table, "| Promised next update (Keep updates coming) |")
    assert "missed at 22:00 UTC: no public update by then" in row, row
    assert "0 missed" not in table
    summary = section(report, "Summary")
    assert "Public updates missed: 1." in summary
    assert "6 messages published; 1 direct message and 1 staff memo sent." in summary, summary
    data = json.loads(scenario.report("--format", "json"))
    went = {m["step"]: (m["sent"], m["published"], m["outcome"]) for m in data["messages"]}
    assert went["press"] == (True, False, "sent")
    assert went["move-dm"] == (True, False, "sent")
    assert went["public-apology"] == (True, True, "published")
    (brief,) = [m for m in data["messages"] if m["step"] == "press"]
    assert brief["published_at"] is None and brief["sent_at"] is not None
