"""crisis report: hostile content, crash and resume, time zones, templates, redaction."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from crisiscli.playbook.load import load_playbook
from crisiscli.record.events import NewEvent
from crisiscli.record.store import create_incident
from crisiscli.views.report.redact import Redactor
from crisiscli.walk.answers import ScriptedPrompter
from crisiscli.walk.engine import Walkthrough
from tests.conftest import REPO, FrozenClock, make_env
from tests.helpers import (
    answers_from,
    append_raw,
    assert_renders_literally,
    render_markdown,
    rendered_text,
)
from tests.views.report.support import FIXTURES, START, Writer, review_playbook

HOSTILE = (
    "<script>alert(1)</script> </script> <b>bold</b> **strong** [x](http://evil.example) "
    "{{ 7*7 }} {% raw %} --> ] | ``` # heading\nsecond line"
)


def _text_of_html(html: str) -> tuple[list[str], str]:
    class P(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    p = P()
    p.feed(html)
    return p.tags, "".join(p.text)


@pytest.fixture
def hostile(crisis_home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    data = yaml.safe_load((FIXTURES / "review.yaml").read_text())
    data["phases"][1]["title"] = "Respond --> ] : done, x1 # %% ``` <script>"
    data["phases"][1]["steps"][0]["title"] = "Apologise <i>now</i> {{ brand }}"
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    clock = FrozenClock(START)
    env = make_env(crisis_home, clock=clock, actor="dana")
    incident = create_incident(env, load_playbook(path), title=HOSTILE, severity="high")
    w = Writer(incident, clock, START)
    w.at(1, "note.added", text=HOSTILE)
    w.at(2, "step.entered", step="look", via="next")
    w.at(3, "step.skipped", step="look", reason=HOSTILE)
    w.at(4, "step.entered", step="apology", via="next")
    w.at(5, "message.recorded", step="apology", text=HOSTILE, platforms=["x"], kind="apology")
    w.at(6, "message.approved", step="apology", override=HOSTILE)
    w.at(7, "step.done", step="apology")
    w.at(8, "contact.logged", id="c1", who=HOSTILE, channel="dm", outcome=HOSTILE, note=HOSTILE)
    w.at(9, "queue.decided", post="p9", decision="cancel", reason=HOSTILE)
    w.at(10, "action.added", id="A1", text=HOSTILE, owner=HOSTILE)
    w.at(11, "answer.set", step="lessons", question="summary", value=HOSTILE)
    w.at(12, "handoff.recorded", to="alex", brief=HOSTILE)
    clock.now = START.replace(minute=43)
    append_raw(incident, "custom.thing", {"text": HOSTILE})  # from a newer crisis: left out
    return incident, clock


def test_hostile_content_renders_literally_in_markdown(hostile, cli) -> None:  # type: ignore[no-untyped-def]
    incident, clock = hostile
    md = cli("report", incident.id, clock=clock).stdout
    html = render_markdown(md)
    for tag in ("<script", "<b>", "<i>", "<strong>strong", "<a ", "<h1>heading", "<img"):
        assert tag not in html, tag  # no element came from the text
    first = HOSTILE.split("\n")[0]
    for shown in (first, "{{ 7*7 }}", "**strong** [x](http://evil.example)"):
        assert_renders_literally(md, shown)  # shown as typed, wherever it lands
    # template syntax typed in a note is data, never evaluated
    assert "49" not in rendered_text(md.split("## Timeline")[0]).replace("2026", "")
    # code fences: only the mermaid block; the typed ``` opens nothing
    assert html.count("<pre>") == 1 and 'class="language-mermaid"' in html
    gantt = md.split("```mermaid\n", 1)[1].split("```", 1)[0]
    for line in gantt.splitlines()[4:]:
        label = line.strip().split(" :", 1)[0]
        assert re.fullmatch(r"(section )?[\w .,'()/+]+", label), line
    assert "-->" not in gantt and "]" not in gantt and "%%" not in gantt and "<" not in gantt
    # no heading from the second line of a text
    assert "<h1>heading" not in html and "<h2>heading" not in html
    # each table keeps its shape: every row as many cells as its header
    for table in re.findall(r"<table>.*?</table>", html, re.S):
        widths = {
            len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)
        }
        assert len(widths) == 1, table[:400]
    assert re.search(r"<tr>\s*<td>[^<]*</td>\s*<td>dana</td>\s*<td>Note: &lt;script&gt;", html)


def test_hostile_content_is_escaped_in_html(hostile, cli) -> None:  # type: ignore[no-untyped-def]
    incident, clock = hostile
    html = cli("report", incident.id, "--format", "html", clock=clock).stdout
    tags, text = _text_of_html(html)
    assert "script" not in tags and "b" not in tags and "i" not in tags and "a" not in tags
    assert "<script>alert(1)</script>" in text  # shown literally, as text
    assert "{{ 7*7 }}" in text and "{% raw %}" in text
    assert "Apologise <i>now</i> {{ brand }}" in text
    import xml.etree.ElementTree as ET

    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    ET.fromstring(svg)  # still well-formed with hostile phase titles


def test_hostile_content_round_trips_in_json(hostile, cli) -> None:  # type: ignore[no-untyped-def]
    incident, clock = hostile
    data = json.loads(cli("report", incident.id, "--format", "json", clock=clock).stdout)
    # A title is one line (issue 26.5): its line break became a space; all else as typed.
    assert data["incident"]["title"] == " ".join(HOSTILE.split())
    assert data["notes"][0]["text"] == HOSTILE
    assert data["messages"][0]["text"] == HOSTILE and data["messages"][0]["override"] == HOSTILE
    assert data["contacts"][0]["who"] == HOSTILE
    assert data["review"]["summary"] == HOSTILE
    # an event type this crisis does not know is left out of the fold, with a located warning
    assert all(e["type"] != "custom.thing" for e in data["timeline"])
    assert any(
        re.search(r"journal\.jsonl:\d+: skipped an event that does not fit \(unknown event type "
                  r"'custom\.thing'", w)
        for w in data["warnings"]
    ), data["warnings"]  # fmt: skip
    md = cli("report", incident.id, clock=clock).stdout
    assert "## Journal warnings" in md and "unknown event type 'custom.thing'" in md


def test_hostile_content_is_not_evaluated_by_a_custom_template(
    hostile, cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    incident, clock = hostile
    template = tmp_path / "mine.md.j2"
    template.write_text("{% for n in notes %}[{{ n.text }}]{% endfor %}\n")
    out = cli("report", incident.id, "--template", str(template), clock=clock).stdout
    assert out == f"[{HOSTILE}]\n"  # data is data: {{ 7*7 }} stays as typed
    html_template = tmp_path / "mine.html"
    html_template.write_text("<p>{{ notes[0].text }}</p>")
    out = cli("report", incident.id, "--template", str(html_template), clock=clock).stdout
    assert "<script>" not in out and "&lt;script&gt;" in out


# -- crash and resume ----------------------------------------------------------------------


class Killed(Exception):
    pass


class KilledAt(ScriptedPrompter):
    """Dies (like a killed process: nothing more recorded) when a step is shown."""

    def __init__(self, answers, step: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__(answers)
        self.kill_step = step

    def show_step(self, view) -> None:  # type: ignore[no-untyped-def]
        if view.step.id == self.kill_step:
            raise Killed
        super().show_step(view)


def test_report_of_an_incident_killed_mid_run_and_resumed(
    crisis_home: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock(START)
    env = make_env(crisis_home, clock=clock, actor="dana")
    incident = create_incident(env, review_playbook(), title="Killed mid-run", severity="high")
    answers = answers_from(
        tmp_path,
        {
            "inputs": {"brand": "Acme"},
            "steps": {
                "apology": {"message": "We are sorry.", "approver": "Sam"},
                "reply": {"answers": {"individual": False}},
                "lessons": {
                    "answers": {
                        "summary": "S",
                        "impact": "I",
                        "went-well": "W",
                        "went-wrong": "X",
                        "lucky": "L",
                    }
                },
                "updates": {"message": "Update on Acme: the image is down. Next update at 10:00."},
                "close": {
                    "answers": {
                        "actions": [{"what": "Fix it", "owner": "Sam", "due": "2026-12-01"}]
                    }
                },
            },
        },
    )
    with pytest.raises(Killed):
        Walkthrough(incident, KilledAt(answers, "reply")).run()
    journal = incident.dir / "journal.jsonl"
    before = len(journal.read_text().splitlines())
    with journal.open("ab") as f:  # the process died half-way through writing an event
        f.write(b'{"v":1,"id":"torn","ts":"2026-10-25T00:31:00+00:00","actor":"dana","ty')
    clock.advance(600)
    Walkthrough(incident, ScriptedPrompter(answers)).run()
    incident.record(NewEvent("incident.closed", {}))
    # the next append set that fragment aside (issue 26); a later death tears another
    assert (incident.dir / ".journal.torn").read_bytes().startswith(b'{"v":1,"id":"torn"')
    with journal.open("ab") as f:
        f.write(b'{"v":1,"id":"torn2","ts":"2026-10-25T00:41:00+00:00","ac')
    data = json.loads(cli("report", incident.id, "--format", "json", clock=clock).stdout)
    statuses = {s["id"]: s["status"] for s in data["steps"]}
    assert statuses == {
        "look": "done", "pause": "done", "apology": "done", "reply": "done",
        "invite": "not_applicable", "updates": "done", "lessons": "done", "close": "done",
    }  # fmt: skip
    assert [m["id"] for m in data["metrics"]["milestones"] if m["seconds"] is None] == [
        "off-platform"
    ]
    types = [e["type"] for e in data["timeline"]]
    assert types.count("incident.opened") == 1 and "session.resumed" in types
    assert types.count("step.done") == 7
    # nothing recorded before the kill is lost; the torn fragment is reported, not shown
    assert len(types) == len(journal.read_text().splitlines()) - 1
    assert len(types) > before
    assert all(e["id"] not in ("torn", "torn2") for e in data["timeline"])
    assert any("unreadable event" in w or "incomplete" in w for w in data["warnings"])
    assert data["review"]["missing"] == [] and data["actions"][0]["owner"] == "Sam"
    assert data["incident"]["status"] == "closed"
    md = cli("report", incident.id, clock=clock).stdout
    assert "## Journal warnings" in md and "journal.jsonl:" in md
    assert str(crisis_home) not in md  # warnings name the file, not the user's folders


# -- time zones ------------------------------------------------------------------------------


def _incident_at(crisis_home: Path, times: list[datetime]):  # type: ignore[no-untyped-def]
    clock = FrozenClock(times[0])
    env = make_env(crisis_home, clock=clock, actor="dana")
    incident = create_incident(env, review_playbook(), title="Zones", severity="low")
    for ts in times[1:]:
        clock.now = ts
        incident.record(NewEvent("note.added", {"text": ts.isoformat()}))
    return incident, clock


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("zone", "times", "expected"),
    [
        (  # Stockholm, autumn: 03:00 CEST becomes 02:00 CET; the hour 02:xx happens twice
            "Europe/Stockholm",
            [_utc(2026, 10, 25, 0, 59), _utc(2026, 10, 25, 1, 1)],
            ["2026-10-25 02:59:00 CEST", "2026-10-25 02:01:00 CET"],
        ),
        (  # Stockholm, spring: 02:00 CET becomes 03:00 CEST; 02:xx never happens
            "Europe/Stockholm",
            [_utc(2026, 3, 29, 0, 59), _utc(2026, 3, 29, 1, 1)],
            ["2026-03-29 01:59:00 CET", "2026-03-29 03:01:00 CEST"],
        ),
        (  # New York, autumn: 01:30 happens twice, once in EDT and once in EST
            "America/New_York",
            [_utc(2026, 11, 1, 5, 30), _utc(2026, 11, 1, 6, 30)],
            ["2026-11-01 01:30:00 EDT", "2026-11-01 01:30:00 EST"],
        ),
    ],
)
def test_dst_boundaries(crisis_home: Path, cli, zone, times, expected) -> None:  # type: ignore[no-untyped-def]
    incident, clock = _incident_at(crisis_home, times)
    md = cli("report", incident.id, "--tz", zone, clock=clock).stdout
    timeline = md[md.index("## Timeline") :]  # the deadline table's rows begin with a time too
    rows = [line for line in timeline.splitlines() if line.startswith("| 2026-")]
    assert [r.split(" | ")[0].lstrip("| ") for r in rows] == expected
    assert [r.split(" | ")[1] for r in rows] == [t.strftime("%Y-%m-%d %H:%M:%S UTC") for t in times]
    data = json.loads(
        cli("report", incident.id, "--tz", zone, "--format", "json", clock=clock).stdout
    )
    locals_ = [datetime.fromisoformat(e["at"]["local"]) for e in data["timeline"]]
    assert [dt.astimezone(timezone.utc) for dt in locals_] == times  # stored UTC, shown local
    assert data["timezone"] == zone


def test_default_zone_is_the_local_one_and_bad_zone_is_one_line(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident, clock = _incident_at(crisis_home, [_utc(2026, 7, 1, 12, 0)])
    data = json.loads(cli("report", incident.id, "--format", "json", clock=clock).stdout)
    expected = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc).astimezone()
    assert data["incident"]["started_at"]["local"] == expected.isoformat(timespec="seconds")
    bad = cli("report", incident.id, "--tz", "Mars/Olympus", clock=clock)
    assert bad.exit_code == 2
    assert bad.stderr.splitlines()[0] == "crisis: error: unknown time zone 'Mars/Olympus'"
    assert "Traceback" not in bad.stderr


# -- templates -------------------------------------------------------------------------------


def test_custom_template_gets_the_model_and_filters(crisis_home: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.views.report.support import golden_incident

    incident, clock = golden_incident(crisis_home)
    template = tmp_path / "wiki.md.j2"
    template.write_text(
        "{{ incident.title }} / {{ incident.duration_seconds|duration }}\n"
        "{% for m in metrics.milestones %}{{ m.id }}={{ m.seconds|duration }};{% endfor %}\n"
        "{{ incident.started_at|when }}\n"
    )
    out = cli("report", incident.id, "--template", str(template), "--tz", "UTC", clock=clock)
    assert out.exit_code == 0, out.stderr
    assert out.stdout.splitlines() == [
        "Wrong image on the brand account / 1h 30m",
        # the apology (published at 19m) is the first public response, before the replies
        "acknowledged=6m;queue-paused=8m;first-response=19m;apology=19m;off-platform=40m;resolution=1h 30m;",
        "2026-10-25 00:30:00 UTC",
    ]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("ok\n{% for x in steps %}\n{{ x.id }\n{% endfor %}\n", 3, "template syntax error"),
        (
            "line one\nline two {{ no_such_thing }}\n",
            2,
            "template error: 'no_such_thing' is undefined",
        ),
        ("a\nb\n{{ ''.__class__.__mro__ }}\n", 3, "template error"),
        ("{% include 'missing.j2' %}\n", None, "template not found: missing.j2"),
    ],
)
def test_template_errors_are_one_line_with_file_and_line(
    crisis_home: Path, cli, tmp_path: Path, body: str, line: int | None, message: str
) -> None:  # type: ignore[no-untyped-def]
    incident, clock = _incident_at(crisis_home, [_utc(2026, 7, 1, 12, 0)])
    template = tmp_path / "bad.md.j2"
    template.write_text(body)
    result = cli("report", incident.id, "--template", str(template), clock=clock)
    assert result.exit_code == 3
    first = result.stderr.splitlines()[0]
    where = f"{template}:{line}: " if line else f"{template}: "
    assert first.startswith(f"crisis: error: {where}{message}"), first
    assert "Traceback" not in result.stderr


def test_sandbox_refuses_internals(crisis_home: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    incident, clock = _incident_at(crisis_home, [_utc(2026, 7, 1, 12, 0)])
    template = tmp_path / "evil.md.j2"
    template.write_text("{{ incident.__class__.__subclasses__() }}")
    result = cli("report", incident.id, "--template", str(template), clock=clock)
    assert result.exit_code == 3 and "template error" in result.stderr


def test_missing_review_is_said_plainly_and_output_file(
    crisis_home: Path, cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    incident, clock = _incident_at(crisis_home, [_utc(2026, 7, 1, 12, 0)])
    out = tmp_path / "pm.md"
    result = cli("report", incident.id, "-o", str(out), clock=clock)
    assert result.exit_code == 0 and result.stdout == ""
    md = out.read_text()
    assert md.count("_Not recorded._") == 5  # summary, impact, went well, went wrong, lucky
    # the questions as the team was asked them, not their ids ("summary, impact, went-well")
    assert "Still to answer in the review phase: “What happened?”, “What was the impact" in md
    assert "_None recorded._ Add them in the review phase or with `crisis action add`" in md
    bad = cli("report", incident.id, "--format", "docx", clock=clock)
    assert bad.exit_code == 2 and "unknown format 'docx'" in bad.stderr


def test_drill_is_marked(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock(START)
    env = make_env(crisis_home, clock=clock)
    incident = create_incident(env, review_playbook(), title="Practice", severity="low", drill=True)
    md = cli("report", incident.id, clock=clock).stdout
    assert md.startswith("# Post-mortem: Practice (DRILL)\n")
    assert "> **Drill.** This was a rehearsal" in md
    html = cli("report", incident.id, "--format", "html", clock=clock).stdout
    assert "<strong>Drill.</strong>" in html


# -- redaction -------------------------------------------------------------------------------


def test_redactor_replaces_contact_details_and_outsiders_only() -> None:
    r = Redactor(enabled=True, team=["dana", "Sam"], outsiders=["Jo Customer", "Sam"])
    text = (
        "Jo Customer (jo.c@example.co.uk, +1 (555) 010-4477, 070-123 45 67) wrote @jocust "
        "and @jo@mastodon.social; dana and @dana and @Sam replied on 2026-10-25 at 14:30; "
        "order 42; jo customer again"
    )
    assert r.text(text) == (
        "[person 1] ([email], [phone], [phone]) wrote [handle 1] "
        "and [handle 2]; dana and @dana and @Sam replied on 2026-10-25 at 14:30; "
        "order 42; [person 1] again"
    )
    assert r.person("Sam") == "Sam" and r.person("Jo Customer") == "[person 1]"
    assert r.person("Someone New") == "[person 2]"
    off = Redactor(enabled=False, outsiders=["Jo Customer"])
    assert off.text(text) == text


def test_redacted_report_replaces_the_team_too(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Issue 21: a public version names nobody — responders, role holders and approvers are
    people the journal knows, like the contacts (before, the team's names stayed)."""
    from tests.views.report.support import golden_incident

    incident, clock = golden_incident(crisis_home)
    data = json.loads(
        cli("report", incident.id, "--format", "json", "--redact", clock=clock).stdout
    )
    blob = json.dumps(data)
    assert "Jo Customer" not in blob and "jo@example.com" not in blob and "@jocust" not in blob
    assert "123 45 67" not in blob
    assert data["redacted"] is True
    for name in ("dana", "alex", "Sam"):
        assert re.search(rf"(?<!\w){name}(?!\w)", blob, re.I) is None, name
    people = {
        data["contacts"][0]["who"],
        data["roles"][0]["person"],
        *data["incident"]["responders"],
    }
    assert all(re.fullmatch(r"\[person \d+\]", p) for p in people) and len(people) == 4
    assert data["messages"][0]["approver"] == data["roles"][0]["person"]  # Sam, the same number
    brief = data["handoffs"][0]["brief"]
    assert brief == f"Watch mentions overnight; {data['contacts'][0]['who']} may call back"


# -- start-up --------------------------------------------------------------------------------


def test_report_commands_do_not_load_heavy_modules_at_start_up() -> None:
    code = (
        "import sys; from crisiscli.cli.app import register_commands; register_commands(); "
        "print(sorted(m for m in ('jinja2', 'rich', 'yaml', 'questionary', 'jsonschema') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.strip() == "[]"


def test_report_of_an_ongoing_incident(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock(START)
    env = make_env(crisis_home, clock=clock, actor="dana")
    incident = create_incident(env, review_playbook(), title="Still going", severity="high")
    Writer(incident, clock, START).at(1, "step.entered", step="look", via="next")
    clock.now = START.replace(minute=50)  # 20 minutes in
    data = json.loads(cli("report", incident.id, "--format", "json", clock=clock).stdout)
    assert data["incident"]["status"] == "active" and data["incident"]["ended_at"] is None
    assert data["incident"]["duration_seconds"] == 20 * 60
    by_step = {d["step"]: (d["state"], d["late_by_seconds"]) for d in data["deadlines"]}
    assert by_step["look"] == ("overdue", 600.0) and by_step["apology"] == ("open", None)
    md = cli("report", incident.id, "--tz", "UTC", clock=clock).stdout
    assert "| Ended | not yet (ongoing) |" in md and "| Duration | 20m so far |" in md
    assert "| Look first | 2026-10-25 00:40:00 UTC | overdue by 10m, not done yet |" in md
    assert "| Apologise publicly | 2026-10-25 01:00:00 UTC | not due yet (due in 10m) |" in md
    assert "- [ ] Identify › Look first — in progress" in md


def test_report_runs_as_a_real_command(crisis_home: Path, tmp_path: Path) -> None:
    from tests.conftest import crisis_command, subprocess_env
    from tests.views.report.support import golden_incident

    incident, _clock = golden_incident(crisis_home)
    out = tmp_path / "pm.html"
    done = subprocess.run(
        [*crisis_command(), "report", incident.id[:10], "--format", "html", "-o", str(out)],
        capture_output=True, text=True, env=subprocess_env(crisis_home), timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == f"Report written to {out}"
    assert out.read_text().startswith("<!DOCTYPE html>")
    missing_dir = subprocess.run(
        [*crisis_command(), "report", "-o", str(tmp_path / "no" / "such" / "pm.md")],
        capture_output=True, text=True, env=subprocess_env(crisis_home), timeout=60,
    )  # fmt: skip
    assert missing_dir.returncode == 7
    assert len(missing_dir.stderr.splitlines()) == 1 and "Traceback" not in missing_dir.stderr


def test_template_file_must_exist(crisis_home: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    incident, clock = _incident_at(crisis_home, [_utc(2026, 7, 1, 12, 0)])
    result = cli("report", incident.id, "--template", str(tmp_path / "nope.j2"), clock=clock)
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0]
        == f"crisis: error: {tmp_path / 'nope.j2'}: no such template file"
    )


def test_configured_time_zone_is_the_default(crisis_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident, clock = _incident_at(crisis_home, [_utc(2026, 11, 1, 5, 30)])
    assert cli("config", "set", "timezone", "America/New_York").exit_code == 0
    data = json.loads(cli("report", incident.id, "--format", "json", clock=clock).stdout)
    assert data["timezone"] == "America/New_York"
    assert data["incident"]["started_at"]["local"] == "2026-11-01T01:30:00-04:00"
    override = cli("report", incident.id, "--tz", "UTC", "--format", "json", clock=clock)
    assert json.loads(override.stdout)["timezone"] == "UTC"
