"""Audiences (issue 20, finding 1): only what goes on a platform is held to its limits; a
press statement or a staff memo is never called "published"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crisiscli.errors import AnswersError
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of, load_fixture_playbook, open_incident, run_script

LONG_BRIEF = "Brief for Sam: " + "what we know, what we did, what comes next. " * 10  # > 300
APOLOGY = "Acme is sorry. We got this wrong and we are fixing it today."


@pytest.fixture
def env(crisis_home: Path):  # type: ignore[no-untyped-def]
    return make_env(crisis_home, clock=FrozenClock())


def script(**steps: Any) -> dict[str, Any]:
    return {"inputs": {"brand": "Acme", "platform": "x"}, "steps": steps}


def test_audience_defaults_by_kind_and_can_be_named() -> None:
    book = load_fixture_playbook("audiences")
    audiences = {s.id: s.message.audience for s in book.steps if s.message}
    assert audiences == {"press-brief": "press", "staff-memo": "internal", "apology": "public-post"}
    assert [s.message.on_platform for s in book.steps if s.message] == [False, False, True]


def test_a_press_brief_is_not_held_to_the_platform_limit(env, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "audiences")
    memo = "Staff: " + "please pass every press call to Sam, say nothing else. " * 8
    run_script(
        incident,
        answers_from(
            tmp_path,
            script(
                **{
                    "press-brief": {"message": LONG_BRIEF, "approver": "Dana"},
                    "staff-memo": {"message": memo},
                    "apology": {"message": APOLOGY},
                }
            ),
        ),
    )
    recorded = {e.data["step"]: e.data for e in events_of(incident) if e.type == "message.recorded"}
    assert recorded["press-brief"]["audience"] == "press"
    assert recorded["staff-memo"]["audience"] == "internal"
    assert recorded["apology"]["audience"] == "public-post"
    checked = {e.data["step"]: e.data for e in events_of(incident) if e.type == "message.checked"}
    assert checked["press-brief"]["errors"] == 0 and "override" not in checked["press-brief"]
    assert checked["press-brief"]["lengths"] == {}
    assert "x" in checked["apology"]["lengths"]
    state = incident.state()
    assert state.messages["press-brief"].audience == "press"
    # The log and the report never call the brief or the memo "published".
    log = incident.log_path.read_text()
    assert "Published despite failed checks" not in log
    brief_part = log.split("Brief for Sam")[1].split("###")[0]
    assert "Issued to the press" in brief_part and "ublished" not in brief_part
    md = cli("report", incident.id).stdout
    published = md.split("## Messages published")[1].split("\n## ")[0]
    assert "Brief for Sam" not in published and "Staff:" not in published
    assert "Acme is sorry" in published
    assert "## Press statements issued" in md and "## Staff memos sent" in md
    data = json.loads(cli("report", incident.id, "--format", "json").stdout)
    by_step = {m["step"]: m for m in data["messages"]}
    assert by_step["press-brief"]["audience"] == "press"
    assert by_step["press-brief"]["sent_words"] == "issued to the press"


def test_banned_phrases_apply_to_every_audience(env, tmp_path: Path) -> None:
    incident = open_incident(env, "audiences")
    with pytest.raises(AnswersError, match="banned phrase"):
        run_script(
            incident,
            answers_from(tmp_path, script(**{"press-brief": {"message": "No comment for now."}})),
        )


def test_an_apology_still_is(env, tmp_path: Path) -> None:
    incident = open_incident(env, "audiences")
    long_apology = "Acme is sorry. " + "We are reviewing every step. " * 12
    answers = script(
        **{
            "press-brief": {"message": "Brief: facts.", "approver": "Dana"},
            "staff-memo": {"message": "Staff: facts."},
            "apology": {"message": long_apology},
        }
    )
    with pytest.raises(AnswersError, match=r"over the x limit"):
        run_script(incident, answers_from(tmp_path, answers))


def test_message_check_audience(cli) -> None:  # type: ignore[no-untyped-def]
    long = "word " * 100
    assert cli("message", "check", "--no-spelling", "-p", "x", long).exit_code == 1
    internal = cli("message", "check", "--no-spelling", "--audience", "internal", long)
    assert internal.exit_code == 0, internal.stdout
    assert "no platform limit" in internal.stdout
    banned = cli(
        "message", "check", "--no-spelling", "--audience", "press", "--banned", "no comment",
        "No comment.",
    )  # fmt: skip
    assert banned.exit_code == 1
    bad = cli("message", "check", "--audience", "billboard", "hi")
    assert bad.exit_code == 2


def test_a_brief_without_approval_is_issued_not_published(env, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    incident = open_incident(env, "audiences")
    steps = {
        "press-brief": {"message": "Brief: facts.", "override": "Dana unreachable"},
        "staff-memo": {"message": "Staff: facts."},
        "apology": {"message": APOLOGY},
    }
    run_script(incident, answers_from(tmp_path, script(**steps)))
    log = incident.log_path.read_text()
    assert "Issued to the press without approval" in log
    assert "Published without approval" not in log
    md = cli("report", incident.id).stdout
    assert "issued to the press without approval: Dana unreachable" in md
