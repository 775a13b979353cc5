"""Golden-file (snapshot) tests: the fixed incident rendered as md, html and json.

To regenerate after an intended change: ``CRISIS_UPDATE_GOLDEN=1 pytest tests/views/report``,
then read the diff of tests/views/report/golden/ before committing it.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.views.report.support import golden_incident

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("CRISIS_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; run with CRISIS_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} differs from the golden file (CRISIS_UPDATE_GOLDEN=1 to accept)"
    )


@pytest.fixture
def golden(crisis_home: Path, cli):  # type: ignore[no-untyped-def]
    incident, clock = golden_incident(crisis_home)

    def report(*args: str) -> str:
        result = cli("report", incident.id, "--tz", "Europe/Stockholm", *args, clock=clock)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    report.home = crisis_home  # type: ignore[attr-defined]
    return report


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_golden_report(golden, fmt: str) -> None:  # type: ignore[no-untyped-def]
    check_golden(f"report.{fmt}", golden("--format", fmt))


def test_golden_redacted_markdown(golden) -> None:  # type: ignore[no-untyped-def]
    check_golden("report-redacted.md", golden("--redact"))


def test_json_matches_what_the_journal_says(golden) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(golden("--format", "json"))
    assert data["format"] == "crisis-report" and data["format_version"] == 1
    milestones = {m["id"]: m["seconds"] for m in data["metrics"]["milestones"]}
    assert milestones == {
        "acknowledged": 360.0,
        "queue-paused": 480.0,
        "first-response": 19 * 60.0,  # the apology is public: it counts, before the replies
        "apology": 19 * 60.0,
        "off-platform": 40 * 60.0,  # the call with Jo (contact log) before the invitation step
        "resolution": 90 * 60.0,  # the close (incident.closed), not the close step done at 66m
    }
    deadlines = {d["step"]: (d["state"], d["late_by_seconds"]) for d in data["deadlines"]}
    assert deadlines["pause"] == ("missed", 180.0)
    assert deadlines["look"] == ("met", -240.0)
    assert deadlines["updates"][0] == "waived"
    assert {d["step"]: d["why"] for d in data["deadlines"]}["updates"] == "skipped"
    steps = {s["id"]: (s["status"], s["reason"]) for s in data["steps"]}
    assert steps["updates"] == ("skipped", "Contained; no update needed")
    assert data["metrics"]["steps"]["done"] == 7 and data["metrics"]["steps"]["skipped"] == 1
    assert data["review"]["missing"] == ["lucky"]
    assert data["review"]["summary"].startswith("A personal photo")
    assert [(a["id"], a["owner"], a["due"], a["step"], a["done"]) for a in data["actions"]] == [
        ("A1", "Sam", "2026-11-15", "close", False),
        ("A2", None, None, "close", True),
        ("A3", "dana", "2026-11-01", None, False),
    ]
    assert data["review"]["actions_as_typed"] is None
    (msg,) = data["messages"]
    assert msg["versions"] == 2 and msg["approver"] == "Sam" and msg["text"].startswith("We got")
    assert msg["published"] is True and msg["check_errors"] == 1
    assert msg["check_override"].startswith("“checking” is on the banned list")
    (draft,) = data["drafts"]
    assert (draft["step"], draft["outcome"], draft["step_status"]) == (
        "updates",
        "dropped",
        "skipped",
    )
    assert draft["placeholders_left"] == ["[what has changed]", "[time]"]
    assert [(c["from"], c["to"], c["reason"], c["by"]) for c in data["severity_changes"]] == [
        ("high", "critical", "Picked up by the press", "dana")
    ]
    assert data["incident"]["severity"] == "critical"
    assert data["incident"]["first_severity"] == "high"
    assert data["queue"][0]["decision"] == "cancel" and data["queue"][0]["platform"] == "instagram"
    assert data["queue"][1]["decision"] is None  # imported, never decided: shown as undecided
    assert data["contacts"][0]["follow_up_due"]["local"] == "2026-10-25T09:00:00+01:00"
    assert data["contacts"][0]["who"] == "Jo Customer"
    assert data["roles"][0]["person"] == "Sam" and data["handoffs"][0]["to"] == "alex"
    assert data["incident"]["duration_seconds"] == 90 * 60.0
    assert data["incident"]["responders"] == ["dana", "alex"]
    # every event is in the timeline, in order, with both times
    journal = Path(golden.home) / "incidents" / data["incident"]["id"] / "journal.jsonl"
    ids = [json.loads(line)["id"] for line in journal.read_text().splitlines()]
    assert [e["id"] for e in data["timeline"]] == ids and len(ids) == 47
    assert data["timeline"][0]["at"] == {
        "utc": "2026-10-25T00:30:00Z",
        "local": "2026-10-25T02:30:00+02:00",
        "zone": "CEST",
    }


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
                self.refs.append(value or "")


def test_html_is_self_contained_and_its_svg_is_xml(golden) -> None:  # type: ignore[no-untyped-def]
    html = golden("--format", "html")
    parser = _Refs()
    parser.feed(html)
    parser.close()
    assert not [r for r in parser.refs if r.strip().lower().startswith(("http:", "https:", "//"))]
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html and "@page" in html
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    svg = ET.fromstring(html[start:end])
    assert svg.tag == "svg"
    assert len(svg.findall("polygon")) == 6  # one diamond per milestone reached
    assert len(svg.findall("rect")) == 1 + 3  # background + three phases


def test_markdown_has_a_mermaid_gantt_of_the_phases(golden) -> None:  # type: ignore[no-untyped-def]
    md = golden()
    block = md.split("```mermaid\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    assert lines[0] == "gantt"
    assert "    section Identify" in lines
    assert "    dateFormat x" in lines
    # Instants (ms since the epoch) and durations: the same lengths in every viewer's zone.
    # 00:30:30Z-00:38:00Z is 450 s; Respond runs 00:40Z-01:40Z across the night the clocks
    # go back in Stockholm (01:00 UTC) and is still 3,600 s.
    assert "    Identify :p1, 1792888230000, 450s" in lines
    assert "    Respond :p2, 1792888800000, 3600s" in lines
    assert "    Apology :milestone, m4, 1792889340000, 0s" in lines
