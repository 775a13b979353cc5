"""Every path the explorer finds through every bundled playbook, run end to end through
the real CLI with a generated answers file (``crisis show --paths --scripts``).

Each run must visit exactly the steps the explorer predicted, in order, finish the
walk-through, check the exit criteria and close. That is the proof that lint, ``show
--flow`` and the walk-through agree about where a path goes.

All paths (about 500, several minutes) run with ``pytest --long``. CI runs a subset
that still takes every move the explorer found: for each playbook, paths chosen until
every step-to-step move (and each way of ending) is covered, plus two more picked at
random with a fixed seed. docs/library.md records the run times.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import yaml

from crisiscli.playbook.catalog import bundled_dir
from crisiscli.playbook.load import load_playbook
from crisiscli.playbook.model import Playbook
from crisiscli.record.store import list_incidents
from crisiscli.walk.answers import check_against, load_answers
from crisiscli.walk.drills import drill_script
from crisiscli.walk.paths import Path as PlaybookPath
from crisiscli.walk.paths import enumerate_paths
from tests.conftest import make_env
from tests.helpers import events_of

SEED = 15
EXTRA = 2  # random paths beyond the covering ones, per playbook, in CI
BOOKS: dict[str, Playbook] = {
    book.id: book for book in (load_playbook(p) for p in sorted(bundled_dir().glob("*.yaml")))
}
PATHS: dict[str, list[PlaybookPath]] = {}
for _id, _book in BOOKS.items():
    _found = enumerate_paths(_book)
    assert _found.complete, _found.note()
    PATHS[_id] = _found.paths


def moves(path: PlaybookPath) -> set[tuple[str, str]]:
    steps = ("(start)", *path.steps, f"(end: {path.ending})")
    return set(itertools.pairwise(steps))


def covering(paths: list[PlaybookPath]) -> list[int]:
    """Indexes of paths that together take every move any path takes (greedy)."""
    need = set().union(*(moves(p) for p in paths))
    chosen: list[int] = []
    while need:
        best = max(range(len(paths)), key=lambda i: len(moves(paths[i]) & need))
        chosen.append(best)
        need -= moves(paths[best])
    return chosen


def ci_subset() -> list[tuple[str, int]]:
    rng = random.Random(SEED)
    picked: list[tuple[str, int]] = []
    for playbook_id, paths in PATHS.items():
        chosen = covering(paths)
        rest = [i for i in range(len(paths)) if i not in chosen]
        chosen += rng.sample(rest, min(EXTRA, len(rest)))
        picked += [(playbook_id, i) for i in sorted(chosen)]
    return picked


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "playbook_path" in metafunc.fixturenames:
        if metafunc.config.getoption("--long"):
            cases = [(pid, i) for pid, paths in PATHS.items() for i in range(len(paths))]
        else:
            cases = ci_subset()
        metafunc.parametrize("playbook_path", cases, ids=[f"{pid}-{i + 1}" for pid, i in cases])


def test_every_path_has_a_valid_drill_script(tmp_path: Path) -> None:
    # Cheap, so for every path even in CI: the generated file passes the checks that
    # `crisis start --answers` makes before it creates anything.
    count = 0
    for playbook_id, paths in PATHS.items():
        for n, path in enumerate(paths):
            target = tmp_path / f"{playbook_id}-{n}.yaml"
            script = drill_script(BOOKS[playbook_id], path)
            target.write_text(yaml.safe_dump(script, allow_unicode=True), encoding="utf-8")
            check_against(load_answers(target), BOOKS[playbook_id])
            count += 1
    assert count == sum(len(p) for p in PATHS.values()) >= 400


def test_the_ci_subset_takes_every_move() -> None:
    subset = ci_subset()
    for playbook_id, paths in PATHS.items():
        taken = set().union(*(moves(paths[i]) for pid, i in subset if pid == playbook_id))
        assert taken == set().union(*(moves(p) for p in paths)), playbook_id


def test_path_runs_end_to_end(
    cli, crisis_home: Path, tmp_path: Path, playbook_path: tuple[str, int]
) -> None:  # type: ignore[no-untyped-def]
    playbook_id, index = playbook_path
    playbook = BOOKS[playbook_id]
    path = PATHS[playbook_id][index]
    answers = tmp_path / "drill.yaml"
    script = drill_script(playbook, path)
    answers.write_text(yaml.safe_dump(script, sort_keys=False, allow_unicode=True), "utf-8")

    result = cli("start", playbook_id, "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    (incident,) = list_incidents(make_env(crisis_home))
    events = events_of(incident)
    entered = [(e.data["step"], e.data["via"]) for e in events if e.type == "step.entered"]
    assert entered == [(step, "next") for step in path.steps]  # exactly the predicted path
    state = incident.state()
    assert state.finished and state.finish_status == "complete"
    assert state.closed
    assert {sid: st.status for sid, st in state.steps.items()} == dict.fromkeys(path.steps, "done")
    assert [c.met for c in state.exit_checks.values()] == [True] * len(playbook.exit_criteria)
