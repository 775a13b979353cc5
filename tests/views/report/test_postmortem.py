"""Issue 21: a post-mortem a manager signs unedited — every statement true, in md, html and json.

The incident is tests/views/report/postmortem_incident.py (a complaint on a Friday evening,
re-graded high, an apology rejected then approved, replies that need no approval, a draft
never published, 22 hours without a public update, a handoff to the night shift, exit
criteria with two not met, review fields, two action items). Each section the issue asked
for is read here as a manager reads it, in every format; each false statement it found is
asserted absent. Focused tests for each finding follow.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import rendered_text
from tests.views.report import postmortem_incident as scenario
from tests.views.report.postmortem_incident import PostmortemIncident, make


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> PostmortemIncident:
    return make(tmp_path_factory.mktemp("postmortem"))


@pytest.fixture(scope="module")
def reports(incident: PostmortemIncident) -> dict[str, Any]:
    return {
        "md": incident.report(),
        "html": incident.report("--format", "html"),
        "json": incident.json(),
    }


def section(markdown: str, title: str) -> str:
    """One ``##`` section (or ``###`` when asked by a ``###`` title's words) of a report."""
    parts = re.split(r"^#{1,2} " if title in TOP else r"^#+ ", markdown, flags=re.M)
    found = [p for p in parts if p.startswith(title + "\n")]
    return found[0] if found else ""


TOP = ("Messages published", "Summary", "Action items", "Exit criteria", "Key times")


def html_section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def row(markdown: str, starts: str) -> str:
    found = [line for line in markdown.splitlines() if line.startswith(starts)]
    assert len(found) == 1, (starts, found)
    return found[0]


QUICK: dict[str, Any] = {"inputs": {"brand": "Acme", "platform": "x", "source": "ours"}}


def quick_answers(tmp_path: Path) -> Path:
    """An incident walked as far as its first step, then paused: open, nothing checked."""
    import yaml

    path = tmp_path / "quick.yaml"
    path.write_text(yaml.safe_dump({"title": "Open one", "severity": "low", **QUICK,
                                    "steps": {"first-look": {"answers": {"reach": "isolated"}},
                                              "who-needs-to-know": {"action": "pause"}}}))  # fmt: skip
    return path


# -- 1. exit criteria ------------------------------------------------------------------------


def test_exit_criteria_met_or_not_with_who_and_when(reports: dict[str, Any]) -> None:
    md, html, data = reports["md"], reports["html"], reports["json"]
    criteria = data["exit_criteria"]
    assert [c["status"] for c in criteria] == ["met", "not met", "met", "met", "not met"]
    assert {c["checked_by"] for c in criteria} == {scenario.APPROVER}
    assert criteria[1]["note"] == "Refund sent; the customer has not confirmed receipt yet"
    assert criteria[0]["checked_at"]["utc"] == "2026-11-28T20:25:40Z"
    text = section(md, "Exit criteria")
    assert "Met 3 of 5 · not met 2 · not checked 0" in text
    assert (
        "| 2 | Everyone who raised it has had a personal answer or an offer to talk directly. "
        "| **not met**: Refund sent; the customer has not confirmed receipt yet "
        "| 2026-11-28 20:25:40 UTC by Dana Reyes |"
    ) in text
    part = html_section(html, "exit-criteria")
    assert "not met: <span" in part and "customer has not confirmed receipt yet" in part
    assert part.count("by Dana Reyes") == 5


def test_exit_criteria_not_checked_are_said_so(tmp_path: Path) -> None:
    """An open incident: every criterion "not checked", and how they get checked."""
    from tests.conftest import FrozenClock, run_cli

    clock = FrozenClock()
    home = tmp_path / "home"
    assert run_cli(home, "start", "general", "--answers", str(quick_answers(tmp_path)),
                   clock=clock).exit_code == 0  # fmt: skip
    (folder,) = (home / "incidents").iterdir()
    data = json.loads(run_cli(home, "report", folder.name, "-f", "json", clock=clock).stdout)
    assert {c["status"] for c in data["exit_criteria"]} == {"not checked"}
    md = run_cli(home, "report", folder.name, clock=clock).stdout
    assert "Criteria are checked when the incident is closed (`crisis close`)." in md


# -- 2. when it began, and both clocks -------------------------------------------------------


def test_impact_start_and_the_two_clocks(reports: dict[str, Any]) -> None:
    md, html, data = reports["md"], reports["html"], reports["json"]
    clocks = data["metrics"]["clocks"]
    assert clocks["impact_start"]["utc"] == "2026-11-27T19:50:00Z"
    assert clocks["detected_at"]["utc"] == "2026-11-27T20:25:00Z"
    assert clocks["before_opened_seconds"] == 40 * 60 + 20
    rows = {r["id"]: r for r in clocks["rows"]}
    assert rows["detect"]["from_impact_seconds"] == 35 * 60
    assert rows["acknowledge"]["from_impact_seconds"] == 57 * 60 + 20
    assert rows["acknowledge"]["from_opened_seconds"] == 17 * 60
    assert rows["first-response"]["from_opened_seconds"] == 14 * 60 + 20
    assert rows["contain"]["measured_to"] == "closed"
    assert "| Impact began | 2026-11-27 19:50:00 UTC (40m before the incident was opened) |" in md
    assert "| Noticed | 2026-11-27 20:25:00 UTC |" in md
    times = section(md, "Key times")
    assert "| Time to detect | 35m | — | 2026-11-27 20:25:00 UTC |" in times
    assert "| Time to acknowledge | 57m | 17m | 2026-11-27 20:47:20 UTC |" in times
    assert "| Time to first public response | 54m | 14m |" in times
    assert "(the close)" in row(times, "| Time to contain")
    # a day and more keeps its minutes: 24h 35m is not "1d 0h" beside "23h 55m"
    assert "| Time to contain | 1d 0h 35m | 23h 55m |" in times
    assert "Time to acknowledge</td><td>57m</td><td>17m</td>" in html_section(html, "key-times")
    # the first post, linked at the first step, is kept as evidence
    assert [e["name"] for e in data["evidence"]] == [scenario.FIRST_POST]
    # the old clock alone ("Acknowledged 17m") no longer stands without the impact start
    assert "The impact began 2026-11-27 19:50 UTC and was noticed 35m later." in md


def test_the_playbook_is_named_with_its_id_once(reports: dict[str, Any]) -> None:
    """general's title ends with its id: "Social-media incident (general) (general v1.0)"."""
    assert "| Playbook | Social-media incident (general) (v1.0) |" in reports["md"]
    assert "<td>Social-media incident (general) (v1.0)</td>" in reports["html"]


def test_a_call_in_the_contact_log_is_the_first_off_platform_contact(
    reports: dict[str, Any], incident: PostmortemIncident
) -> None:
    """The invitation step was not applicable (Tom asked to keep it public), yet the contact
    log has a call with him at 21:28: "First off-platform contact — not reached" was false."""
    md, html, data = reports["md"], reports["html"], reports["json"]
    ms = {m["id"]: m for m in data["metrics"]["milestones"]}
    off = ms["off-platform"]
    assert off["reached_at"]["utc"] == "2026-11-27T21:28:40Z"
    assert (off["step"], off["contact"], off["step_title"]) == (None, "c1", "contact log: phone, talked")  # fmt: skip
    assert off["seconds"] == 58 * 60 + 20
    assert (
        "| First off-platform contact | 58m | 2026-11-27 21:28:40 UTC | contact log: phone, talked |"
        in section(md, "Time to milestones")
    )
    assert "First off-platform contact</td><td>58m</td>" in html
    # the row names nobody, so the public version has nothing to hide there
    public = incident.report("--redact")
    assert "| First off-platform contact | 58m | 2026-11-27 21:28:40 UTC | contact log: phone, talked |" in public  # fmt: skip


def test_impact_times_by_command_for_a_running_incident(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from tests.conftest import FrozenClock, run_cli

    clock = FrozenClock(datetime(2026, 11, 27, 20, 30, tzinfo=timezone.utc))
    home = tmp_path / "home"
    run_cli(home, "start", "general", "--answers", str(quick_answers(tmp_path)), clock=clock)
    (folder,) = (home / "incidents").iterdir()
    done = run_cli(home, "impact", "--started", "19:50", "--detected", "5m",
                   "--first-post", "https://x.com/a/status/1", "-i", folder.name, clock=clock)  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "impact began 2026-11-27 19:50:00 UTC" in done.stdout
    data = json.loads(run_cli(home, "report", folder.name, "-f", "json", clock=clock).stdout)
    assert data["metrics"]["clocks"]["impact_start"]["utc"] == "2026-11-27T19:50:00Z"
    assert data["metrics"]["clocks"]["detected_at"]["utc"] == "2026-11-27T20:25:00Z"
    assert data["metrics"]["clocks"]["impact_start_via"] == "crisis impact"
    shown = run_cli(home, "impact", "-i", folder.name, clock=clock).stdout
    assert "Impact began: 2026-11-27 19:50:00 UTC (40m before opening)" in shown
    # the future, and noticed before it began, are refused with a clear line
    bad = run_cli(home, "impact", "--started", "2026-11-28 10:00", "-i", folder.name, clock=clock)
    assert bad.exit_code == 2 and "is in the future" in bad.stderr
    bad = run_cli(home, "impact", "--detected", "19:00", "-i", folder.name, clock=clock)
    assert bad.exit_code == 2 and "before the impact began" in bad.stderr
    # a note with nothing to attach it to is refused, not dropped without a word
    bad = run_cli(
        home, "impact", "--note", "Found it via a reporter", "-i", folder.name, clock=clock
    )
    assert bad.exit_code == 2 and "--note goes with" in bad.stderr


def test_a_wrong_time_at_the_first_step_is_asked_again_not_recorded(tmp_path: Path) -> None:
    import yaml

    from tests.conftest import FrozenClock, run_cli

    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump({
        "title": "Bad time", "severity": "low", **QUICK,
        "steps": {"first-look": {"answers": {"reach": "isolated", "impact-start": "tomorrow-ish"}}},
    }))  # fmt: skip
    result = run_cli(tmp_path / "home", "start", "general", "--answers", str(answers),
                     clock=FrozenClock())  # fmt: skip
    assert result.exit_code == 3
    assert "'tomorrow-ish' cannot be read as the impact start" in result.stderr


# -- 3. review fields --------------------------------------------------------------------------


def test_review_fields_and_the_summary_at_the_top(reports: dict[str, Any]) -> None:
    md, html, data = reports["md"], reports["html"], reports["json"]
    review = data["review"]
    assert review["contributing_factors"].startswith("No one watched mentions after 19:00")
    assert review["what_helped"].startswith("The approver answered within minutes")
    assert (review["owner"], review["meeting_date"]) == (scenario.BACKUP, "2026-12-03")
    assert review["summary_source"] == "review"
    assert "Review owner: Sam Ode · review meeting: 2026-12-03" in md
    assert "### Contributing factors\n\nNo one watched mentions after 19:00" in md
    assert "### What helped\n\nThe approver answered" in md
    part = html_section(html, "lessons")
    assert "<h3>Contributing factors</h3>" in part and "Sam Ode" in part
    # the summary opens the report, then a paragraph of facts written from the journal
    top = section(md, "Summary")
    assert top.index("A guest's photo of a fly") < top.index("Graded moderate, re-graded high.")
    assert "Exit criteria met: 3 of 5. Action items: 1 done, 1 open." in top
    assert "Public updates missed: 22." in top  # not the one due as it closed
    # action items keep owner and due date, with their status at report time
    actions = section(md, "Action items")
    assert "Status at 2026-11-28 21:05:40 UTC: 1 done, 1 open." in actions
    assert (
        "| A1 | Monitor mentions every evening until 23:00 | Dana Reyes | 2026-12-05 | open |"
        in actions
    )
    assert "| A2 | Give the agency a night-time pause contact | Sam Ode | 2026-12-10 | done 2026-11-28 20:55:40 UTC |" in actions  # fmt: skip


def test_the_report_reads_review_answers_by_their_key_not_their_id(tmp_path: Path) -> None:
    """A playbook whose review questions have other ids (and words) still fills the report."""
    from crisiscli.playbook.load import load_playbook
    from crisiscli.views.report.model import review_questions

    book = tmp_path / "p.yaml"
    book.write_text(
        "crisis: 1\nid: p\ntitle: P\nversion: '1'\nphases:\n- id: r\n  title: R\n  steps:\n"
        "  - id: s\n    title: S\n    questions:\n"
        "    - {id: was-hande, prompt: Vad hände?, review: summary}\n"
        "    - {id: orsaker, prompt: Varför?, review: contributing-factors}\n"
        "    - {id: summary, prompt: Not the summary}\n",
        encoding="utf-8",
    )
    found = review_questions(load_playbook(book))
    assert found == {"summary": "was-hande", "contributing-factors": "orsaker"}


# -- 4. wording that is true -------------------------------------------------------------------


def test_replies_that_need_no_approval_say_so(reports: dict[str, Any]) -> None:
    md, data = reports["md"], reports["json"]
    by_step = {m["step"]: m["approval"] for m in data["messages"]}
    assert by_step["reply-first"]["status"] == by_step["reply-each"]["status"] == "not needed"
    assert by_step["apologise"]["status"] == "approved"
    # only the invitation (approval asked, never given: its step was not applicable) says so
    said = [m["approval"]["words"] for m in data["messages"] + data["drafts"]]
    assert [w for w in said if w == "not approved"] == ["not approved"]
    assert data["drafts"][-1]["step"] == "invite-off-platform"
    assert "not approved" not in section(md, "Messages published")
    published = section(md, "Messages published")
    assert (
        published.count("Approval: not needed (the playbook asks no approval for this message).")
        == 2
    )
    assert "No longer counts: rejected by Dana Reyes" in published  # the rejection is kept


def test_update_clock_misses_each_at_its_time_in_time_order(reports: dict[str, Any]) -> None:
    md, html, data = reports["md"], reports["html"], reports["json"]
    silent = [d for d in data["deadlines"] if d.get("why") == "no update"]
    assert len(silent) == 22  # hourly at high severity: 22:25, 23:25, … 19:25
    assert [d["due_at"]["utc"][11:16] for d in silent][:3] == ["22:25", "23:25", "00:25"]
    ats = [d["at"]["utc"] for d in data["deadlines"]]
    assert ats == sorted(ats)  # the rows tell the story in the order it happened
    table = section(md, "Deadlines and the update clock")
    line = row(table, "| 2026-11-28 19:25:40 UTC | Public update #4 to #25 (every 1h)")
    assert "missed 22 times, at 22:25, 23:25, 00:25, 01:25" in line and "19:25 UTC" in line
    assert "Met 6 · missed 24" in table
    assert "missed 22 times, at 22:25" in html_section(html, "metrics")


def test_log_and_report_count_the_update_clock_alike(
    incident: PostmortemIncident, reports: dict[str, Any]
) -> None:
    # one computation (walk/deadlines.py) for log.md, status, watch and the report
    clock = [d for d in reports["json"]["deadlines"] if d["kind"] == "cadence"]
    met = sum(d["state"] == "met" for d in clock)
    missed = sum(d["state"] == "missed" for d in clock)
    assert (met, missed) == (3, 22)  # #26 fell due in the second the incident closed
    log = (incident.folder / "log.md").read_text(encoding="utf-8")
    assert f"- Public update (every 1h) — {met} met, {missed} missed (#4 due 22:25:40 UTC" in log


def test_timeline_is_an_appendix_collapsed_in_html(reports: dict[str, Any]) -> None:
    md, html = reports["md"], reports["html"]
    assert md.index("# Appendix") < md.index("## Steps") < md.index("## Timeline")
    assert md.index("## Exit criteria") < md.index("# Appendix")
    appendix = html_section(html, "appendix")
    assert (
        '<details id="timeline">' in appendix
        and "<summary>Timeline: every recorded event (" in appendix
    )
    assert "<details open" not in html
    before = md[: md.index("# Appendix")]
    assert "Incident opened" not in before  # no raw timeline rows in the body


# -- 5. redaction ------------------------------------------------------------------------------

KNOWN = [
    scenario.CUSTOMER, "Tom", "Berg", scenario.HANDLE, scenario.EMAIL, scenario.PHONE,
    "555 12 34", scenario.REPORTER, "J. Doe", scenario.NIGHT_SHIFT, "Priya", scenario.APPROVER,
    "Dana", scenario.BACKUP, "tester", "instagram.com/tomberg", "x.com/tomberg",
]  # fmt: skip


def test_redaction_keeps_its_promise_in_every_format(incident: PostmortemIncident) -> None:
    shown = {
        "md": incident.report("--redact"),
        "html": incident.report("--redact", "--format", "html"),
        "json": incident.report("--redact", "--format", "json"),
    }
    for fmt, text in shown.items():
        for known in KNOWN:
            found = re.search(rf"(?<!\w){re.escape(known)}(?!\w)", text, re.I)
            assert found is None, (fmt, known, text[found.start() - 80 : found.end() + 40])
    md = shown["md"]
    assert "Hi [person" in rendered_text(md)  # "Hi Tom," — the greeting's name is replaced
    assert "**Not caught:** Names typed in free text that the journal records nowhere else" in md
    data = json.loads(shown["json"])
    assert data["redaction"]["cannot_catch"].startswith("Names typed in free text")
    assert data["evidence"] == [] and data["evidence_left_out"] == 1


def test_redaction_says_what_it_replaced_and_takes_terms(incident: PostmortemIncident, tmp_path: Path) -> None:  # fmt: skip
    from tests.conftest import run_cli

    out = tmp_path / "public.md"
    run_cli(incident.home, "config", "set", "redact", "Acme Bistro", clock=incident.clock)
    done = run_cli(incident.home, "report", incident.id, "--redact", "--redact-term", "City Gazette",
                   "-o", str(out), clock=incident.clock)  # fmt: skip
    try:
        assert done.exit_code == 0, done.stderr
        assert (
            "Replaced: 6 people, 2 profile links, 1 handle, 1 e-mail address, 1 phone number, "
            "2 terms." in done.stderr
        )
        text = out.read_text(encoding="utf-8")
        assert "Acme Bistro" not in text and "City Gazette" not in text and "[redacted]" in text
        refused = run_cli(incident.home, "report", incident.id, "--redact-term", "x",
                          clock=incident.clock)  # fmt: skip
        assert refused.exit_code == 2 and "--redact-term works with --redact" in refused.stderr
    finally:
        run_cli(incident.home, "config", "unset", "redact", clock=incident.clock)


# -- 6. export counts ------------------------------------------------------------------------


def test_the_scenario_is_what_the_module_says(incident: PostmortemIncident) -> None:
    assert (incident.silence_ended - incident.walked_until).total_seconds() >= 22 * 3600
