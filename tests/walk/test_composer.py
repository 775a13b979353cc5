"""The message composer in the walk-through: checks, overrides, approval, journal and log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crisiscli.errors import AnswersError
from crisiscli.messages.checks import Review
from crisiscli.walk.answers import ScriptedPrompter
from crisiscli.walk.engine import Walkthrough
from crisiscli.walk.prompter import Action, ReviewDecision, StepView
from tests.conftest import FrozenClock, make_env
from tests.helpers import answers_from, events_of, open_incident, run_script

GOOD = "Acme is sorry. We got this wrong, the post is down, and we are reviewing how it happened."
LONG = "Acme is sorry. " + "We are reviewing every step. " * 6  # 189: over Bluesky's 120 only


@pytest.fixture
def env(crisis_home: Path):  # type: ignore[no-untyped-def]
    return make_env(crisis_home, clock=FrozenClock())


def script(**steps: Any) -> dict[str, Any]:
    return {"inputs": {"brand": "Acme"}, "steps": steps}


def events(incident: Any, kind: str) -> list[dict[str, Any]]:
    return [e.data for e in events_of(incident) if e.type == kind]


def test_message_is_checked_and_recorded_with_approver(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    run_script(
        incident,
        answers_from(tmp_path, script(apology={"message": GOOD, "approver": "Dana (comms)"})),
    )
    recorded = events(incident, "message.recorded")
    assert recorded[0] == {
        "step": "apology",
        "text": GOOD,
        "platforms": ["x", "bluesky", "mastodon"],
        "kind": "apology",
        "audience": "public-post",  # by its kind (docs/playbooks.md, audiences)
    }
    checked = events(incident, "message.checked")[0]
    assert checked["step"] == "apology" and checked["errors"] == 0
    assert checked["lengths"] == {
        "x": {"count": len(GOOD), "limit": 280},
        "bluesky": {"count": len(GOOD), "limit": 120},  # the message's own limit
        "mastodon": {"count": len(GOOD), "limit": 400},  # the playbook's platform_limits
    }
    assert "override" not in checked
    # The exact version is put to Dana (text, platforms, checks), and the script stands in
    # for her decision: recorded as hers, marked scripted.
    (asked,) = events(incident, "message.approval_requested")
    assert asked["approver"] == "Dana (comms)" and asked["text"] == GOOD
    assert asked["platforms"] == ["x", "bluesky", "mastodon"]
    assert asked["checks"] == checked["summary"]
    (decided,) = events(incident, "message.approval_decided")
    assert decided == {
        "step": "apology",
        "decision": "approve",
        "digest": asked["digest"],
        "approver": "Dana (comms)",
        "scripted": True,
    }
    assert events(incident, "message.approved") == []  # no name typed in on Dana's behalf
    state = incident.state()
    assert state.steps["apology"].status == "done"
    assert (
        next(iter(state.messages.values())).approver == "Dana (comms)"
        and next(iter(state.messages.values())).approved_at
    )


def test_the_template_is_rendered_with_the_inputs(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    run_script(incident, answers_from(tmp_path, script(apology={"approver": "Dana"})))
    texts = [m.text for m in list(incident.state().messages.values())]
    assert texts == [
        "Acme is sorry. We got this wrong and we are fixing it.",
        "Hi, Acme here. Could we talk by DM?",
    ]


def test_over_limit_scripted_message_is_a_clear_error(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    answers = answers_from(tmp_path, script(apology={"message": LONG, "approver": "Dana"}))
    with pytest.raises(AnswersError, match=r"over the bluesky limit \(\d+/120\)") as info:
        run_script(incident, answers)
    assert info.value.location is not None and info.value.location.line is not None
    assert "checks_override" in info.value.message
    state = incident.state()
    assert state.steps["apology"].status == "active"
    assert list(state.messages.values())[-1].text == LONG  # the draft is kept in the journal


def test_banned_phrase_is_an_error_unless_overridden(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    text = "Acme is sorry. We were stupid."
    with pytest.raises(AnswersError, match="banned phrase"):
        run_script(
            incident, answers_from(tmp_path, script(apology={"message": text, "approver": "D"}))
        )


def test_checks_override_is_recorded_and_logged(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    steps = script(
        apology={"message": LONG, "approver": "Dana", "checks_override": "Posting as a thread"}
    )
    run_script(incident, answers_from(tmp_path, steps))
    checked = events(incident, "message.checked")[0]
    assert checked["override"] == "Posting as a thread"
    assert checked["errors"] == 1
    assert checked["findings"][0]["rule"] == "length"
    assert incident.state().steps["apology"].status == "done"
    log = incident.log_path.read_text()
    assert "published despite the errors: Posting as a thread" in log
    assert "Published despite failed checks: Posting as a thread" in log


def test_approval_override_when_nobody_answers(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    reason = "Comms lead unreachable for 40 minutes; CEO said go by phone"
    run_script(
        incident, answers_from(tmp_path, script(apology={"message": GOOD, "override": reason}))
    )
    assert events(incident, "message.approved") == [{"step": "apology", "override": reason}]
    msg = next(iter(incident.state().messages.values()))
    assert msg.override == reason and msg.approver is None
    log = incident.log_path.read_text()
    assert "Approval overridden for Public apology" in log
    assert "Published without approval" in log


def test_approval_is_required_before_done(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    with pytest.raises(AnswersError, match="approver"):
        run_script(incident, answers_from(tmp_path, script(apology={"message": GOOD})))
    assert incident.state().steps["apology"].status == "active"


def test_message_without_approval_needs_no_approver(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    run_script(incident, answers_from(tmp_path, script(apology={"approver": "Dana"})))
    assert [e["step"] for e in events(incident, "message.approval_decided")] == ["apology"]
    assert incident.state().steps["reply"].status == "done"


def test_skipping_a_step_with_a_bad_draft_is_allowed(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    steps = script(apology={"message": LONG, "action": "skip", "reason": "Phoned instead"})
    run_script(incident, answers_from(tmp_path, steps))
    assert incident.state().steps["apology"].status == "skipped"


def test_log_shows_the_final_text_platforms_checks_and_approver(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    run_script(
        incident, answers_from(tmp_path, script(apology={"message": GOOD, "approver": "Dana"}))
    )
    log = incident.log_path.read_text()
    assert "## Messages" in log
    assert "### Public apology — x, bluesky, mastodon" in log
    assert f"> {GOOD}" in log
    assert "Checks: x 89/280 · bluesky 89/120 · mastodon 89/400 · 0 errors, 0 warnings" in log
    assert "Asked of Dana by tester at " in log
    assert "Approved by Dana (scripted) at " in log
    assert "Checked the message for Public apology" in log


class EditingPrompter(ScriptedPrompter):
    """A responder who first writes too much, sees the warning, then shortens it."""

    def __init__(self, *args: Any, texts: list[str], decisions: list[ReviewDecision], **kw: Any):
        super().__init__(*args, **kw)
        self.texts = list(texts)
        self.decisions = list(decisions)
        self.reviews: list[Review] = []
        self.notices: list[str] = []

    def compose_message(self, view: StepView, draft: str) -> str:
        return self.texts.pop(0) if view.step.id == "apology" and self.texts else draft

    def review_message(self, view: StepView, review: Review) -> tuple[ReviewDecision, str]:
        if view.step.id != "apology":
            return ReviewDecision.ACCEPT, ""
        self.reviews.append(review)
        return self.decisions.pop(0), ""

    def notify(self, text: str) -> None:
        self.notices.append(text)


def test_edit_again_until_it_fits_every_version_journaled(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    answers = answers_from(tmp_path, script(apology={"approver": "Dana"}))
    prompter = EditingPrompter(
        answers, texts=[LONG, GOOD], decisions=[ReviewDecision.EDIT, ReviewDecision.ACCEPT]
    )
    Walkthrough(incident, prompter).run()
    assert [r.blocked for r in prompter.reviews] == [True, False]
    assert [ln.platform for ln in prompter.reviews[0].lengths if ln.over] == ["bluesky"]
    texts = [e["text"] for e in events(incident, "message.recorded") if e["step"] == "apology"]
    assert texts == [LONG, GOOD]
    assert [e["errors"] for e in events(incident, "message.checked")][:2] == [1, 0]
    assert incident.state().steps["apology"].status == "done"
    assert "1 earlier version(s) in the timeline" in incident.log_path.read_text()


def test_a_blocked_draft_cannot_be_marked_done(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    answers = answers_from(tmp_path, script(apology={"approver": "Dana"}))

    class Stubborn(EditingPrompter):
        def choose_action(self, view: StepView, allowed: list[Action]) -> Action:
            assert Action.MESSAGE in allowed
            if view.step.id == "apology" and len(self.notices) == 0:
                return Action.DONE  # refused: the draft is over the limit
            if view.step.id == "apology" and view.message_review and view.message_review.blocked:
                return Action.MESSAGE  # so edit the message from the menu
            return super().choose_action(view, allowed)

    prompter = Stubborn(
        answers, texts=[LONG, GOOD], decisions=[ReviewDecision.LATER, ReviewDecision.ACCEPT]
    )
    Walkthrough(incident, prompter).run()
    assert "cannot go out as it is" in prompter.notices[0]
    assert "over the bluesky limit" in prompter.notices[0]
    done = [e for e in events_of(incident) if e.type == "step.done" and e.data["step"] == "apology"]
    recorded = [e for e in events_of(incident) if e.type == "message.recorded"]
    assert len(done) == 1 and done[0].ts >= recorded[1].ts  # done only after the fix


def test_editing_after_approval_needs_approval_again(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    answers = answers_from(tmp_path, script(apology={"approver": "Dana"}))
    first = EditingPrompter(answers, texts=[GOOD], decisions=[ReviewDecision.ACCEPT])

    class PauseAfterApproval(EditingPrompter):
        def choose_action(self, view: StepView, allowed: list[Action]) -> Action:
            return Action.PAUSE

    from crisiscli.errors import Paused

    with pytest.raises(Paused):
        Walkthrough(
            incident, PauseAfterApproval(answers, texts=[GOOD], decisions=[ReviewDecision.ACCEPT])
        ).run()
    assert list(incident.state().messages.values())[-1].approver == "Dana"
    # A new version of the text is a new message: the old approval does not carry over.
    walk = Walkthrough(incident, first)
    first.texts = ["Acme is sorry. Shorter."]
    walk.compose(walk.playbook.step("apology"))
    message = list(incident.state().messages.values())[-1]
    assert message.approver == "Dana"  # asked again, and given again
    assert [v.what for v in message.voided] == ["approved"]  # the first no longer counts
    decided = events(incident, "message.approval_decided")
    assert len(decided) == 2 and decided[0]["digest"] != decided[1]["digest"]


def test_message_keys_on_a_step_without_a_message_are_refused(env, tmp_path: Path) -> None:
    from crisiscli.walk.answers import check_against

    incident = open_incident(env, "composer")
    answers = answers_from(tmp_path, script(apology={"approver": "Dana"}))
    check_against(answers, incident.playbook())  # fine: the apology has a message
    mini = open_incident(env, "mini")
    bad = answers_from(tmp_path, {"steps": {"look": {"message": "Sorry."}}})
    with pytest.raises(AnswersError, match="step 'look' has no message") as info:
        check_against(bad, mini.playbook())
    assert info.value.location is not None and info.value.location.line == 3


def test_reopening_an_unchanged_message_keeps_its_version_and_approval(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    answers = answers_from(tmp_path, script(apology={"approver": "Dana"}))
    walk = Walkthrough(
        incident, EditingPrompter(answers, texts=[GOOD], decisions=[ReviewDecision.ACCEPT])
    )
    step = walk.playbook.step("apology")
    walk.compose(step)
    before = len(events_of(incident))
    # Open it again from the menu and use it as it is: nothing new to record or approve.
    walk.prompter = EditingPrompter(answers, texts=[GOOD], decisions=[ReviewDecision.ACCEPT])
    walk.compose(step)
    assert len(events_of(incident)) == before
    assert list(incident.state().messages.values())[-1].approver == "Dana"


def test_overriding_the_checks_of_a_kept_draft_later(env, tmp_path: Path) -> None:
    incident = open_incident(env, "composer")
    answers = answers_from(tmp_path, script(apology={"approver": "Dana"}))
    walk = Walkthrough(
        incident, EditingPrompter(answers, texts=[LONG], decisions=[ReviewDecision.LATER])
    )
    step = walk.playbook.step("apology")
    walk.compose(step)
    assert events(incident, "message.approval_requested") == []  # a blocked draft is not asked
    walk.refresh()
    assert walk.view(step).message_review.blocked  # type: ignore[union-attr]

    class Overrider(EditingPrompter):
        def review_message(self, view: StepView, review: Review) -> tuple[ReviewDecision, str]:
            return ReviewDecision.OVERRIDE, "Posting it as a thread of two"

    walk.prompter = Overrider(answers, texts=[LONG], decisions=[])
    walk.compose(step)
    assert len(events(incident, "message.recorded")) == 1  # same version
    assert events(incident, "message.checked")[-1]["override"] == "Posting it as a thread of two"
    walk.refresh()
    assert not walk.view(step).message_review.blocked  # type: ignore[union-attr]
    assert [
        (e["approver"], e["decision"]) for e in events(incident, "message.approval_decided")
    ] == [("Dana", "approve")]


def test_team_config_limits_apply_below_playbook_and_message_limits(
    env, cli, tmp_path: Path
) -> None:
    assert cli("config", "set", "platform_limits.x", "100").exit_code == 0
    assert cli("config", "set", "platform_limits.mastodon", "9999").exit_code == 0
    incident = open_incident(env, "composer")
    text = "Acme is sorry. " + "We are reviewing it. " * 5  # 120: over the team's x limit
    with pytest.raises(AnswersError, match=r"over the x limit \(120/100\)"):
        run_script(incident, answers_from(tmp_path, script(apology={"message": text})))
    checked = Walkthrough(incident, ScriptedPrompter(answers_from(tmp_path, script())))
    limits = checked.limits_for(checked.playbook.step("apology"))
    # config x 100; the playbook's mastodon 400 beats the config; the message's bluesky 120.
    assert limits == {"x": 100, "mastodon": 400, "bluesky": 120}


def test_the_incidents_platform_is_checked_first_and_on_reply_steps(env, tmp_path: Path) -> None:
    """Issue 11: an Instagram incident was length-checked for x, bluesky, threads, facebook
    and linkedin but never Instagram, and a reply step said "no platform named"."""
    import yaml

    from crisiscli.playbook.load import load_playbook
    from crisiscli.record.store import create_incident
    from tests.conftest import FIXTURES, REPO

    data = yaml.safe_load((FIXTURES / "answers" / "general.yaml").read_text(encoding="utf-8"))
    data["inputs"]["platform"] = "instagram"
    book = load_playbook(REPO / "playbooks" / "general.yaml")
    incident = create_incident(env, book, title="Wrong image", severity="moderate")
    run_script(incident, answers_from(tmp_path, data))
    checked = {d["step"]: list(d["lengths"]) for d in events(incident, "message.checked")}
    assert checked["holding-line"][0] == "instagram"  # where it started, first
    assert set(checked["holding-line"]) == {"instagram", "x", "bluesky", "threads", "facebook", "linkedin"}  # fmt: skip
    assert checked["reply-each"] == ["instagram"]  # a reply goes where the person wrote
    recorded = {d["step"]: d["platforms"] for d in events(incident, "message.recorded")}
    assert recorded["reply-each"] == []  # the playbook's own list is kept as it was
