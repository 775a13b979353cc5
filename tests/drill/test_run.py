"""`crisis drill run --answers --clock simulated`: unattended, in seconds, scored, for CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.conftest import Result
from tests.helpers import events_of

SCENARIO = """\
id: refund
title: A refund complaint goes viral
playbook: mini.yaml
length: 40m
start:
  inputs: {brand: Acme, source: customer}
  post: "Still no refund after six weeks. @acme do you even read this?"
injects:
  - {at: +5m, kind: customer, text: "Same here!", from: "@second"}
  - {at: +12m, kind: press, text: "A reporter asks for a comment"}
  - {at: +20m, kind: mentions, count: 900, text: "Mentions jump to 900 an hour"}
  - {at: +39m, kind: executive, text: "The CEO asks what is going on"}
expectations:
  - {id: look, expect: step-done, step: look, by: +10m}
  - {id: statement, expect: message, step: statement, by: +30m}
  - {id: approved, expect: approved, step: statement, approver: Dana, within: 5m}
  - {id: phrases, expect: no-phrases, phrases: ["any inconvenience"]}
"""

ANSWERS: dict[str, Any] = {
    "steps": {
        "look": {"at": "+8m", "answers": {"reach": "wide", "threat": "no"}},
        "statement": {"at": "+20m", "message": "We are sorry, Acme customers. Refunds go out today.",
                      "approver": "Dana"},
        "reply": {"at": "+25m"},
    },
    "close": True,
}  # fmt: skip


# The same answers, but the first step is done five minutes after its target.
LATE: dict[str, Any] = dict(
    ANSWERS,
    steps={
        **ANSWERS["steps"],
        "look": {"at": "+15m", "answers": {"reach": "wide", "threat": "no"}},
    },
)


def write(
    tmp: Path, scenario: str = SCENARIO, answers: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    import yaml

    (tmp / "mini.yaml").write_text(
        (Path(__file__).parents[1] / "fixtures" / "mini.yaml").read_text()
    )
    s = tmp / "scenario.yaml"
    s.write_text(scenario, encoding="utf-8")
    a = tmp / "answers.yaml"
    a.write_text(yaml.safe_dump(answers or ANSWERS), encoding="utf-8")
    return s, a


def test_a_simulated_drill_runs_unattended_and_meets_its_expectations(
    cli: Any, tmp_path: Path
) -> None:
    s, a = write(tmp_path)
    junit = tmp_path / "drill.xml"
    r: Result = cli(
        "drill", "run", str(s), "--answers", str(a), "--clock", "simulated", "--junit", str(junit)
    )
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "Met 4 of 4 expectations." in r.stdout
    assert "MET     look: step look done by +10m — done at +8m" in r.stdout
    assert "approved by Dana at +20m, 0s after it was asked" in r.stdout
    suite = ET.fromstring(junit.read_text()).find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "0"


def test_injects_are_played_once_each_at_their_times(
    cli: Any, tmp_path: Path, crisis_home: Path
) -> None:
    s, a = write(tmp_path)
    assert cli("drill", "run", str(s), "--answers", str(a)).exit_code == 0
    from crisiscli.record.store import list_incidents
    from tests.conftest import make_env

    (incident,) = list_incidents(make_env(crisis_home))
    events = events_of(incident)
    started = next(e for e in events if e.type == "drill.started").ts
    injects = [
        (e.data["key"], round((e.ts - started).total_seconds()))
        for e in events
        if e.type == "drill.inject"
    ]
    assert injects == [("post", 0), ("i1", 300), ("i2", 720), ("i3", 1200), ("i4", 2340)]
    assert [e.actor for e in events if e.type == "drill.inject"] == ["Drill"] * 5
    mentions = [e for e in events if e.type == "mentions.recorded"]
    assert [m.data["count"] for m in mentions] == [900]
    assert events[-1].type == "incident.closed"
    ended = [e for e in events if e.type == "drill.ended"]
    assert len(ended) == 1 and round((ended[0].ts - started).total_seconds()) == 2400
    # the whole drill lies in the past of the machine's clock: nothing waits unfolded
    assert max(e.ts for e in events) <= incident.env.clock()


def test_a_missed_expectation_fails_the_run_and_the_junit(cli: Any, tmp_path: Path) -> None:
    s, a = write(tmp_path, answers=LATE)
    junit = tmp_path / "drill.xml"
    r = cli("drill", "run", str(s), "--answers", str(a), "--junit", str(junit))
    assert r.exit_code == 1
    assert "MISSED  look: step look done by +10m — done at +15m" in r.stdout
    failure = ET.fromstring(junit.read_text()).find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "done at +15m"
    # the score is the journal's: asked again later, it says the same
    again = cli("drill", "score", "--json")
    assert again.exit_code == 1
    data = json.loads(again.stdout)
    assert [v["met"] for v in data["verdicts"]] == [False, True, True, True]
    assert data["verdicts"][0]["at"] == 900 and data["verdicts"][0]["target"] == 600


def test_excuse_phrases_and_approver_are_checked(cli: Any, tmp_path: Path) -> None:
    bad = dict(ANSWERS, steps={**ANSWERS["steps"], "statement": {
        "at": "+20m", "message": "Sorry for any inconvenience, Acme.", "approver": "Sam"}})  # fmt: skip
    s, a = write(tmp_path, answers=bad)
    r = cli("drill", "run", str(s), "--answers", str(a))
    assert r.exit_code == 1
    assert (
        "MISSED  approved: the message of statement approved by Dana within 5m — approved by Sam at +20m, not Dana"
        in r.stdout
    )
    assert (
        "MISSED  phrases: no message says: 'any inconvenience' — 'any inconvenience' in statement"
        in r.stdout
    )


def test_a_scenario_with_lint_errors_is_not_played(
    cli: Any, tmp_path: Path, crisis_home: Path
) -> None:
    s, a = write(tmp_path, scenario=SCENARIO.replace("step: look", "step: lok"))
    r = cli("drill", "run", str(s), "--answers", str(a))
    assert r.exit_code == 3
    assert f"{s}:14: DR101" in r.stderr and "DR101" in r.stderr
    assert not (crisis_home / "incidents").exists() or not list(
        (crisis_home / "incidents").iterdir()
    )
    lint = cli("drill", "lint", str(s))
    assert lint.exit_code == 1 and "DR101 error" in lint.stdout


def test_simulated_needs_answers_and_the_facilitator_commands(cli: Any, tmp_path: Path) -> None:
    s, a = write(tmp_path, answers={"steps": {"look": {"action": "pause"}}})
    assert cli("drill", "run", str(s), "--clock", "simulated").exit_code == 2
    fast = cli("drill", "run", str(s), "--answers", str(a), "--clock", "real", "--speed", "3600")
    assert fast.exit_code in (0, 1)
    assert "40 minutes of drill time at 3600x speed (1s of real time)" in fast.stdout
    assert "Drill score: A refund complaint goes viral (refund, real clock, 3600x speed)" in (
        fast.stdout
    )
    assert cli("drill", "inject", "The CEO calls", "--kind", "executive").exit_code == 0
    assert cli("drill", "inject", "x", "--kind", "pigeon").exit_code == 2
    assert cli("drill", "pause").exit_code == 5  # ended: its time is up
    r = cli("drill", "score")
    assert "Injects played: 5 of 5" in r.stdout


def test_stats_never_count_drills_and_show_their_trend(cli: Any, tmp_path: Path) -> None:
    s, a = write(tmp_path, answers=LATE)
    assert cli("drill", "run", str(s), "--answers", str(a)).exit_code == 1
    s, a = write(tmp_path)
    assert cli("drill", "run", str(s), "--answers", str(a)).exit_code == 0
    assert json.loads(cli("stats", "--json").stdout)["incidents"] == 0
    trend = json.loads(cli("stats", "--drills", "--json").stdout)
    (entry,) = trend["scenarios"]
    assert [(r["met"], r["missed"]) for r in entry["runs"]] == [(3, ["look"]), (4, [])]
    assert entry["trend"] == "better"
    text = cli("stats", "--drills").stdout
    assert (
        "refund — A refund complaint goes viral" in text and "3/4 (simulated)  missed: look" in text
    )


def test_the_report_has_the_scorecard_in_every_format(cli: Any, tmp_path: Path) -> None:
    s, a = write(tmp_path, answers=LATE)
    cli("drill", "run", str(s), "--answers", str(a))
    (incident,) = [p.name for p in (tmp_path / "crisis-home" / "incidents").iterdir() if p.is_dir()]
    md = cli("report", incident).stdout
    assert "## Drill score" in md and "**3 of 4** expectations met; 5 of 5 injects played." in md
    assert "| **missed** | step look done by +10m | +10m | done at +15m |" in md
    html = cli("report", incident, "--format", "html").stdout
    assert (
        '<section id="drill-score">' in html
        and "<td>missed</td><td>step look done by +10m</td>" in html
    )
    data = json.loads(cli("report", incident, "--format", "json").stdout)
    assert data["drill_score"]["met"] == 3 and data["drill_score"]["verdicts"][0]["at"] == 900


def test_an_input_nobody_gives_is_refused_before_the_drill_opens(
    cli: Any, tmp_path: Path, crisis_home: Path
) -> None:
    s, a = write(
        tmp_path, scenario=SCENARIO.replace("{brand: Acme, source: customer}", "{source: customer}")
    )
    r = cli("drill", "run", str(s), "--answers", str(a))
    assert r.exit_code == 3 and "brand" in r.stderr
    assert not (crisis_home / "incidents").exists() or not list(
        (crisis_home / "incidents").iterdir()
    )


def test_customers_who_write_are_owed_replies_and_the_ledger_step_answers_them(
    cli: Any, tmp_path: Path, crisis_home: Path
) -> None:
    """A customer inject with ``from`` puts the person on the reply ledger (once: @SECOND is
    @second); the ledger step's scripted ``replies:`` answer them by name, at the step's drill
    time; ``expect: replies`` scores who was left waiting."""
    import yaml

    (tmp_path / "ledger.yaml").write_text(
        (Path(__file__).parents[1] / "fixtures" / "ledger.yaml").read_text()
    )
    scenario = """\
title: Pile-on
playbook: ledger.yaml
length: 40m
start: {inputs: {brand: Acme}}
injects:
  - {at: +5m, kind: customer, text: "Same here!", from: "@second"}
  - {at: +14m, kind: customer, text: "Me too", from: "@third"}
  - {at: +16m, kind: customer, text: "Still waiting", from: "@SECOND"}
expectations:
  - {id: replies, expect: replies, by: +30m}
"""
    (tmp_path / "s.yaml").write_text(scenario, encoding="utf-8")

    def run(people: list[str]) -> Result:
        replies = [
            {"who": who, "text": f"Hi {who}, sorry: could you DM us?", "outcome": "dm"}
            for who in people
        ]
        steps = {"first": {"at": "+2m"}, "reply-each": {"at": "+20m", "replies": replies}}
        (tmp_path / "a.yaml").write_text(yaml.safe_dump({"steps": steps}), encoding="utf-8")
        return cli(  # type: ignore[no-any-return]
            "drill", "run", str(tmp_path / "s.yaml"), "--answers", str(tmp_path / "a.yaml"),
            "--clock", "simulated",
        )  # fmt: skip

    r = run(["@second", "@third"])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "MET     replies: every person owed a reply answered by +30m — 2 answered" in r.stdout
    from crisiscli.record.store import list_incidents
    from tests.conftest import make_env

    (incident,) = list_incidents(make_env(crisis_home))
    owed = [(e.data["who"], e.actor) for e in events_of(incident) if e.type == "reply.person"]
    assert owed == [("@second", "Drill"), ("@third", "Drill")]

    r = run(["@second"])
    assert r.exit_code == 1, r.stdout + r.stderr
    assert (
        "MISSED  replies: every person owed a reply answered by +30m — still unanswered: @third"
        in r.stdout
    )


def test_the_score_tells_deadlines_checks_approval_turnaround_and_who_waits(
    cli: Any, tmp_path: Path
) -> None:
    """Beside the expectations: the playbook's deadlines, each message's checks, how long
    each approval took and who is still owed a reply — all in drill time, in the score, the
    JSON and the report."""
    s, a = write(tmp_path)
    r: Result = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert r.exit_code == 0, r.stdout + r.stderr
    tail = r.stdout[r.stdout.index("Deadlines and cadence:") :].splitlines()
    assert tail[:3] == [
        "Deadlines and cadence:",
        "  ok      Look first: due +15m, met at +8m",
        "  ok      Public statement: due +30m, met at +20m",
    ]
    assert tail[tail.index("Message checks:") + 1] == "  ok      statement: 0 errors, 0 warnings"
    assert "  ok      statement: asked at +20m, approved by Dana at +20m (0s)" in tail
    assert tail[-2:] == ["Unanswered people:", "  LOOK    @second (owed since +5m)"]
    incident = json.loads(cli("list", "--json").stdout)[0]["id"]
    data = json.loads(cli("drill", "score", incident, "--json").stdout)
    assert {"section": "unanswered", "ok": False, "text": "@second (owed since +5m)"} in data[
        "record"
    ]
    report = cli("report", incident, "--format", "md").stdout
    assert (
        "**Approval turnaround** (drill time): statement: asked at +20m, approved by Dana" in report
    )
    assert "**Unanswered people** (drill time): **look:** @second (owed since +5m)." in report


def test_a_fresh_drill_is_not_a_resumed_session(
    cli: Any, tmp_path: Path, crisis_home: Path
) -> None:
    """The scenario's starting inputs are recorded before the walk-through begins; the
    log does not say "Resumed" at a drill's first step."""
    s, a = write(tmp_path)
    assert cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated").exit_code == 0
    from crisiscli.record.store import list_incidents
    from tests.conftest import make_env

    (incident,) = list_incidents(make_env(crisis_home))
    assert "session.resumed" not in [e.type for e in events_of(incident)]


def test_no_phrases_without_a_list_reads_the_message_checks_excuses(
    cli: Any, tmp_path: Path
) -> None:
    """``expect: no-phrases`` with no ``phrases``: the excuse and blame patterns the message
    checks warn about ("no excuse phrases", in the playbook's language)."""
    scenario = SCENARIO.replace(
        '{id: phrases, expect: no-phrases, phrases: ["any inconvenience"]}',
        "{id: excuses, expect: no-phrases}",
    )
    bad = dict(ANSWERS, steps={**ANSWERS["steps"], "statement": {
        "at": "+20m", "message": "If anyone was offended, we apologise. Acme.",
        "approver": "Dana", "checks_override": "a drill"}})  # fmt: skip
    s, a = write(tmp_path, scenario, bad)
    r = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert r.exit_code == 1, r.stdout + r.stderr
    assert (
        "MISSED excuses: no excuse or blame phrases in any message or reply — "
        "'If anyone was offended' (conditional apology) in statement"
    ) in " ".join(r.stdout.split())
    s, a = write(tmp_path, scenario)
    r = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert "MET     excuses: no excuse or blame phrases in any message or reply — none used" in (
        r.stdout
    )


def test_a_scheduled_post_lands_in_the_queue_and_the_answers_file_decides_it(
    cli: Any, tmp_path: Path
) -> None:
    """A ``scheduled`` inject puts its post in the queue (going out at ``goes_out``), so
    ``crisis queue decide`` and ``expect: queue-decided`` have something to decide; the
    answers file's ``queue:`` decides it at a drill time."""
    scenario = SCENARIO.replace(
        '  - {at: +12m, kind: press, text: "A reporter asks for a comment"}\n',
        '  - {at: +12m, kind: press, text: "A reporter asks for a comment"}\n'
        '  - {id: sale, at: +6m, kind: scheduled, text: "Flash sale!", goes_out: +14m}\n',
    ).replace(
        '  - {id: phrases, expect: no-phrases, phrases: ["any inconvenience"]}\n',
        '  - {id: phrases, expect: no-phrases, phrases: ["any inconvenience"]}\n'
        "  - {id: queue, expect: queue-decided, by: +10m}\n",
    )
    decided = dict(
        ANSWERS,
        queue=[{"post": "drill-sale", "at": "+9m", "decision": "cancel", "reason": "Not now"}],
    )
    s, a = write(tmp_path, scenario, decided)
    r: Result = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert (
        "MET     queue: every scheduled post decided by +10m — 1 decided, the last at +9m"
        in r.stdout
    )
    queue = json.loads(
        cli("queue", "--json", "-i", json.loads(cli("list", "--json").stdout)[0]["id"]).stdout
    )
    (post,) = queue
    assert (post["id"], post["decision"], post["text"]) == ("drill-sale", "cancel", "Flash sale!")

    s, a = write(tmp_path, scenario)
    r = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert (
        "MISSED  queue: every scheduled post decided by +10m — 1 of 1 posts undecided" in r.stdout
    )
    bad = dict(
        ANSWERS, queue=[{"post": "drill-sale", "at": "+9m", "decision": "bin", "reason": "x"}]
    )
    s, a = write(tmp_path, scenario, bad)
    r = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert r.exit_code == 3 and "decision 'bin' is not keep, cancel or reschedule" in r.stderr


def test_a_scheduled_post_nobody_stops_goes_out_at_its_time(
    cli: Any, tmp_path: Path, crisis_home: Path
) -> None:
    """At ``goes_out`` an undecided (or kept) scheduled post goes out: an inject of its own,
    once, with its time; a cancelled one does not."""
    scenario = SCENARIO.replace(
        '  - {at: +12m, kind: press, text: "A reporter asks for a comment"}\n',
        '  - {at: +12m, kind: press, text: "A reporter asks for a comment"}\n'
        '  - {id: sale, at: +6m, kind: scheduled, text: "Flash sale!", goes_out: +14m}\n',
    )
    s, a = write(tmp_path, scenario)
    r: Result = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert "inject: The scheduled post went out: Flash sale!" in r.stdout
    assert "Injects played: 6 of 6" in r.stdout
    from crisiscli.record.store import list_incidents
    from tests.conftest import make_env

    def outs() -> list[tuple[str, float]]:
        incidents = sorted(list_incidents(make_env(crisis_home)), key=lambda i: i.id)
        events = events_of(incidents[-1])
        started = next(e for e in events if e.type == "drill.started").ts
        return [
            (e.data["text"], round((e.ts - started).total_seconds()))
            for e in events
            if e.type == "drill.inject" and e.data["key"] == "sale-went-out"
        ]

    assert outs() == [("The scheduled post went out: Flash sale!", 14 * 60)]
    stopped = dict(
        ANSWERS, queue=[{"post": "drill-sale", "at": "+13m", "decision": "cancel", "reason": "No"}]
    )
    s, a = write(tmp_path, scenario, stopped)
    r = cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated")
    assert "went out" not in r.stdout and outs() == []


def test_the_outside_world_is_no_responder_and_the_log_names_the_drill(
    cli: Any, tmp_path: Path, crisis_home: Path
) -> None:
    s, a = write(tmp_path)
    assert cli("drill", "run", str(s), "--answers", str(a), "--clock", "simulated").exit_code == 0
    from crisiscli.record.store import list_incidents
    from tests.conftest import make_env

    (incident,) = list_incidents(make_env(crisis_home))
    assert "Drill" not in incident.state().actors
    log = incident.log_path.read_text(encoding="utf-8")
    assert "| Responders | tester |" in log
    assert "| Drill | scenario `refund` · drill time +40m00s of 40m · ended |" in log
    report = json.loads(cli("report", incident.id, "--format", "json").stdout)
    assert report["incident"]["responders"] == ["tester"]
