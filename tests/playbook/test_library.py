"""The bundled playbook library: every playbook loads clean, is built the way the field
brief asks (review, deadlines, approval, exit criteria), and runs end to end through the
real CLI with its answers file in ``tests/fixtures/answers/``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from crisiscli.messages.platforms import count, limit
from crisiscli.playbook.catalog import bundled_dir
from crisiscli.playbook.load import build_text, load_playbook, problem_location
from crisiscli.playbook.model import Playbook
from crisiscli.playbook.template import placeholders
from crisiscli.record.store import list_incidents
from crisiscli.text import md_escape
from crisiscli.walk.deadlines import deadline_statuses
from crisiscli.walk.flow import applies
from tests.conftest import make_env
from tests.helpers import events_of

ANSWERS = Path(__file__).resolve().parents[1] / "fixtures" / "answers"
BUNDLED = sorted(bundled_dir().glob("*.yaml"))
IDS = sorted(load_playbook(p).id for p in BUNDLED)

# What the issue asks the library to contain, by id.
EXPECTED = {
    "general",
    "own-post",
    "personal-post",
    "complaint",
    "complaint-sv",
    "hidden-attack",
    "tragedy",
    "hashtag",
    "prepublish",
}
REVIEW_QUESTIONS = {"summary", "impact", "went-well", "went-wrong", "lucky", "actions"}
PUBLIC_KINDS = {"statement", "apology", "update"}
ALWAYS_DEFINED = {"incident.title", "incident.severity", "incident.id", "playbook.title"}


def book(playbook_id: str) -> Playbook:
    path = next(p for p in BUNDLED if load_playbook(p).id == playbook_id)
    return load_playbook(path)


def test_library_has_every_playbook_the_issue_asks_for() -> None:
    assert set(IDS) >= EXPECTED
    assert {p.stem for p in BUNDLED} >= EXPECTED  # file name = id, so they are easy to find


def test_every_bundled_playbook_has_an_answers_file() -> None:
    assert sorted(p.stem for p in ANSWERS.glob("*.yaml")) == IDS


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_loads_with_zero_problems(path: Path) -> None:
    result = build_text(path.read_text(encoding="utf-8"), str(path))
    found = [
        f"{problem_location(result, p, str(path))} {p.rule} {p.message}" for p in result.problems
    ]
    assert found == []
    assert result.playbook is not None
    assert result.playbook.id == path.stem


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_starts_with_the_schema_modeline(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./playbook.schema.json"


@pytest.mark.parametrize("playbook_id", IDS)
def test_built_as_the_field_brief_asks(playbook_id: str) -> None:
    pb = book(playbook_id)
    # Severity hints: several levels, each explained.
    assert len(pb.severities) >= 3
    assert all(level.description.strip() for level in pb.severities)
    assert pb.exit_criteria
    # A review phase whose questions are the ones reports read.
    review = next(phase for phase in pb.phases if phase.id == "review")
    asked = {q.id for step in review.steps for q in step.questions}
    assert asked >= REVIEW_QUESTIONS
    assert pb.steps[-1].milestone == "resolution"
    # Deadlines exist and never go backwards from one phase to the next.
    dues = [[s.due.seconds for s in phase.steps if s.due] for phase in pb.phases]
    assert any(dues)
    latest = 0
    for phase_dues in dues:
        if phase_dues:
            assert min(phase_dues) >= latest
            latest = max(phase_dues)
    # At least one public message that needs approval, with platforms and banned phrases.
    public = [
        s.message
        for s in pb.steps
        if s.message and s.message.kind in PUBLIC_KINDS and s.message.approval
    ]
    assert public
    for step in pb.steps:
        msg = step.message
        if msg and msg.kind in PUBLIC_KINDS:
            assert msg.approval, f"{step.id}: a public message needs approval"
            assert msg.platforms, f"{step.id}: a public message names its platforms"
        if msg and msg.approval:
            assert msg.banned, f"{step.id}: no banned phrases"
        # Short checklists unless it is a deliberate pause point.
        assert len(step.items) <= 9 or step.pause_point, step.id


@pytest.mark.parametrize("playbook_id", IDS)
def test_templates_use_only_defined_variables_and_fit(playbook_id: str) -> None:
    pb = book(playbook_id)
    defined = set(pb.questions()) | ALWAYS_DEFINED
    limits = dict(pb.platform_limits)
    for step in pb.steps:
        texts = [step.guidance, *(i.text for i in step.items)]
        if step.message:
            texts.append(step.message.template)
        for text in texts:
            assert set(placeholders(text)) <= defined, (step.id, placeholders(text))
        if step.message:
            # The draft (with [brackets] still in) fits every platform it is meant for,
            # counted the way that platform counts.
            for platform in step.message.platforms:
                most = limit(platform, limits)
                if most is not None:
                    assert count(step.message.template, platform) <= most, (step.id, platform)


def test_the_swedish_playbook_mirrors_the_english_one() -> None:
    sv, en = book("complaint-sv"), book("complaint")
    assert sv.language == "sv"
    assert en.language == "en"
    assert sv.kind == en.kind
    # Same ids throughout, so answers files, reports and stats work the same way.
    assert [s.id for s in sv.steps] == [s.id for s in en.steps]
    assert sorted(sv.questions()) == sorted(en.questions())
    assert sv.title != en.title
    assert "ursäkt" in sv.step("public-apology").message.template  # type: ignore[union-attr]
    # ...and the same flow: phases, conditions, branches, clock, messages, questions.
    assert [(p.id, p.required) for p in sv.phases] == [(p.id, p.required) for p in en.phases]
    assert [lv.id for lv in sv.severities] == [lv.id for lv in en.severities]
    assert len(sv.exit_criteria) == len(en.exit_criteria)
    for s_step, e_step in zip(sv.steps, en.steps, strict=True):
        assert s_step.when == e_step.when, s_step.id
        assert s_step.goto == e_step.goto, s_step.id
        assert s_step.due == e_step.due or (
            s_step.due and e_step.due and s_step.due.seconds == e_step.due.seconds
        ), s_step.id
        assert s_step.milestone == e_step.milestone, s_step.id
        assert s_step.checklist == e_step.checklist, s_step.id
        assert [(i.id, i.when) for i in s_step.items if i.when] == [
            (i.id, i.when) for i in e_step.items if i.when
        ], s_step.id
        assert len(s_step.items) == len(e_step.items), s_step.id
        for s_q, e_q in zip(s_step.questions, e_step.questions, strict=True):
            assert (s_q.id, s_q.type, s_q.required, s_q.sets, s_q.default) == (
                e_q.id, e_q.type, e_q.required, e_q.sets, e_q.default,
            )  # fmt: skip
            assert [c.value for c in s_q.choices] == [c.value for c in e_q.choices]
        s_msg, e_msg = s_step.message, e_step.message
        assert (s_msg is None) == (e_msg is None), s_step.id
        if s_msg is not None and e_msg is not None:
            assert (s_msg.kind, s_msg.approval, s_msg.platforms) == (
                e_msg.kind, e_msg.approval, e_msg.platforms,
            )  # fmt: skip
            assert set(placeholders(s_msg.template)) == set(placeholders(e_msg.template))
            assert len(s_msg.banned) >= len(e_msg.banned), s_step.id


def test_the_swedish_playbook_says_it_as_a_swede_would() -> None:
    text = " ".join((bundled_dir() / "complaint-sv.yaml").read_text(encoding="utf-8").split())
    sv = book("complaint-sv")
    first = sv.step("first-reply").message
    assert first is not None
    # As strong as the English "I'm really sorry", and as its own guidance asks.
    assert "verkligen ledsen" in first.template
    assert "Vad tråkigt" not in text
    # Idioms, not calques; the Swedish word for orders.
    assert "alle man på däck" in text.lower() and "Alla på däck" not in text
    assert "Avsluta synligt" not in text and "Äg samtalet" not in text
    assert "ordrar" not in text and "ordernummer" not in text
    # The dismissive "we have no record" is banned in Swedish too.
    en_banned = book("complaint").step("first-reply").message.banned  # type: ignore[union-attr]
    assert "we have no record" in en_banned
    assert {"vi har ingen uppgift om", "finns inte registrerat"} <= set(first.banned)


# --- end to end through the CLI ----------------------------------------------------------


@pytest.mark.parametrize("playbook_id", IDS)
def test_runs_end_to_end_with_its_answers_file(cli, crisis_home: Path, playbook_id: str) -> None:  # type: ignore[no-untyped-def]
    answers_path = ANSWERS / f"{playbook_id}.yaml"
    script = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    result = cli("start", playbook_id, "--answers", str(answers_path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""

    (incident,) = list_incidents(make_env(crisis_home))
    pb = incident.playbook()
    assert pb.id == playbook_id
    events = events_of(incident)
    types = [e.type for e in events]
    assert "run.finished" in types
    finished = next(e for e in events if e.type == "run.finished")
    assert finished.data.get("deferred") in (None, [])
    state = incident.state()
    assert state.closed

    # Every step was either done or passed over because its condition did not hold:
    # no branch leaves a step "not reached".
    for step in pb.steps:
        status = state.steps[step.id].status if step.id in state.steps else "pending"
        if status == "pending":
            assert not applies(step, state), f"{step.id} was never reached"
        else:
            assert status == "done", (step.id, status)

    log = incident.log_path.read_text(encoding="utf-8")
    for step in pb.steps:
        assert md_escape(step.title) in log
    assert "not reached" not in log
    assert state.finished_at is not None
    deadlines = deadline_statuses(pb, state, state.finished_at)
    assert deadlines
    assert {d.state for d in deadlines} <= {"met", "waived"}

    # Every scripted message, and nothing else, was recorded, approved where needed,
    # and appears in the log.
    scripted = {sid: spec for sid, spec in script["steps"].items() if "message" in spec}
    recorded = {m.step: m for m in list(state.messages.values())}
    assert set(recorded) == set(scripted)
    for sid, spec in scripted.items():
        msg = recorded[sid]
        assert msg.text == spec["message"]
        step_message = pb.step(sid).message
        assert step_message is not None
        assert msg.platforms == step_message.platforms
        if step_message.approval:
            assert msg.approver == spec["approver"]
            assert f"Approved by {md_escape(spec['approver'])}" in log
        for line in msg.text.splitlines():
            assert md_escape(line) in log
        # A finished message has no template gaps and no banned phrase.
        assert "[" not in msg.text and "{{" not in msg.text
        assert not [b for b in step_message.banned if b.lower() in msg.text.lower()]

    # The composer checked each message before it was recorded, and found no error.
    checked = [e.data for e in events if e.type == "message.checked"]
    assert {c["step"] for c in checked} == set(scripted)
    assert [c["summary"] for c in checked if c["errors"]] == []

    # The review answers are there for the post-mortem.
    assert state.answers.get("summary")
    milestones = {s.milestone for s in pb.steps if s.milestone and state.steps.get(s.id)}
    assert "resolution" in milestones

    # The post-mortem reads it: the review answers come out in the report.
    report = cli("report", incident.id, "--format", "json")
    assert report.exit_code == 0, report.stderr
    assert state.answers["summary"] in report.stdout


# --- listing and showing ---------------------------------------------------------------


def test_playbooks_lists_the_library_grouped_by_kind(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("playbooks")
    assert result.exit_code == 0
    groups: dict[str, list[str]] = {}
    kind = None
    for line in result.stdout.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            kind = line[:-1]
            groups[kind] = []
        elif line.startswith("  ") and line.strip() and kind is not None:
            first = line.split()[0]
            if first in IDS:
                groups[kind].append(first)
    for playbook_id in IDS:
        pb = book(playbook_id)
        assert playbook_id in groups[pb.kind], (playbook_id, pb.kind)
    kinds = list(groups)
    assert kinds[0] == "general"
    assert kinds[-1] == "prevention"  # routines after the incident kinds
    assert groups["complaint"] == ["complaint", "complaint-sv"]
    assert "[sv]" in result.stdout


def test_playbooks_json_has_a_one_line_summary_for_each(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("playbooks", "--json")
    assert result.exit_code == 0
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    for playbook_id in IDS:
        row = rows[playbook_id]
        assert row["origin"] == "bundled"
        assert row["error"] is None
        summary = row["summary"]
        assert summary and "\n" not in summary and len(summary) <= 100
    assert rows["complaint-sv"]["language"] == "sv"


def test_summary_is_cut_at_a_word_boundary() -> None:
    from crisiscli.cli.commands.playbooks import _summary

    long = "word " * 40
    cut = _summary(long)
    assert len(cut) <= 100
    assert cut.endswith("word...")
    assert _summary("Short one. Second sentence.") == "Short one"


@pytest.mark.parametrize("playbook_id", IDS)
def test_show_prints_each_playbook(cli, playbook_id: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", playbook_id)
    assert result.exit_code == 0, result.stderr
    pb = book(playbook_id)
    assert pb.title in result.stdout
    for step in pb.steps:
        assert step.title in result.stdout


def test_docs_describe_every_bundled_playbook() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "library.md").read_text("utf-8")
    for playbook_id in IDS:
        assert f"\n## {playbook_id}\n" in docs, playbook_id
        assert f"[`{playbook_id}`](#{playbook_id})" in docs, playbook_id


def test_hidden_attack_names_security_and_legal_roles(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    assert book("hidden-attack").roles == ("security", "legal")
    answers_path = ANSWERS / "hidden-attack.yaml"
    result = cli(
        "start", "hidden-attack", "--answers", str(answers_path),
        "--role", "security=Omar (facilities)", "--role", "legal=Lena (counsel)",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (incident,) = list_incidents(make_env(crisis_home))
    assigned = {
        e.data["role"]: e.data["person"] for e in events_of(incident) if e.type == "role.assigned"
    }
    # Answering "who approves?" (and the backup) fills those roles too.
    assert assigned == {
        "security": "Omar (facilities)",
        "legal": "Lena (counsel)",
        "approver": "Priya Shah",
        "backup-approver": "Tom Reed",
    }


def test_every_bundled_playbook_lints_clean_even_strict(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("lint", "--strict", "--format", "json", str(bundled_dir()))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []
    summary = cli("lint", "--strict", str(bundled_dir()))
    assert summary.exit_code == 0
    assert f"{len(BUNDLED)} files checked: no problems" in summary.stdout + summary.stderr
