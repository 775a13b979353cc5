"""Issue 26 finding 2: an answers file is handed to us. Evidence files it names are relative
to its folder and stay inside it (links followed) unless ``--allow-path DIR`` names another
folder; a refusal names the answers file's line and nothing is created."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers import FIXTURES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00pixels" * 64


def write_answers(folder: Path, evidence: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "inputs": {"brand": "Acme"},
        "steps": {
            "people": {"answers": {"approver": "Dana Reyes"}},
            "holding": {"approver": "Dana Reyes", "evidence": evidence},
            "grade": {"answers": {"grade": "moderate"}},
        },
    }
    path = folder / "answers.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def start(cli, answers: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli("start", str(FIXTURES / "approvals.yaml"), "--answers", str(answers), *extra)


def no_incident(home: Path) -> bool:
    folder = home / "incidents"
    return not folder.exists() or not any(folder.iterdir())


def test_absolute_and_climbing_paths_are_refused_with_their_line(cli, crisis_home: Path, tmp_path: Path) -> None:  # fmt: skip
    secret = tmp_path / "secret.txt"
    secret.write_text("root:hash", encoding="utf-8")
    for evidence in (str(secret), "../secret.txt", ["ok.png", "../../" + "../" * 8 + "etc/passwd"]):
        folder = tmp_path / "drill"
        (folder).mkdir(exist_ok=True)
        (folder / "ok.png").write_bytes(PNG)
        answers = write_answers(folder, evidence)
        result = start(cli, answers)
        assert result.exit_code == 3, result
        line = result.stderr.splitlines()[0]
        assert f"{answers}:" in line and "outside the answers file's folder" in line, line
        # the line of the offending entry (the list's second entry is on its own line)
        text = answers.read_text(encoding="utf-8").splitlines()
        number = int(line.split(f"{answers}:")[1].split(":")[0])
        assert "secret" in text[number - 1] or "passwd" in text[number - 1], (number, text)
        assert "--allow-path" in result.stderr
        assert no_incident(crisis_home)


def test_a_link_out_of_the_folder_counts_as_outside(cli, crisis_home: Path, tmp_path: Path) -> None:  # fmt: skip
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "shot.png").write_bytes(PNG)
    folder = tmp_path / "drill"
    folder.mkdir()
    (folder / "sub").symlink_to(outside)  # a folder link: O_NOFOLLOW on the file alone misses it
    answers = write_answers(folder, "sub/shot.png")
    result = start(cli, answers)
    assert result.exit_code == 3, result
    assert "outside the answers file's folder" in result.stderr
    assert no_incident(crisis_home)


def test_allow_path_names_another_folder(cli, crisis_home: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "shot.png").write_bytes(PNG)
    answers = write_answers(tmp_path / "drill", str(shared / "shot.png"))
    assert start(cli, answers).exit_code == 3
    result = start(cli, answers, "--allow-path", str(shared))
    assert result.exit_code == 0, result
    kept = list((crisis_home / "incidents").glob("*/evidence/*"))
    assert [p.read_bytes() for p in kept] == [PNG]


def test_files_inside_the_folder_are_kept(cli, crisis_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "drill"
    (folder / "shots").mkdir(parents=True)
    (folder / "shots" / "a.png").write_bytes(PNG)
    result = start(cli, write_answers(folder, "shots/a.png"))
    assert result.exit_code == 0, result


def test_allow_path_without_answers_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("start", "general", "--title", "x", "--allow-path", str(tmp_path))
    assert result.exit_code == 2 and "--allow-path" in result.stderr


def test_resume_checks_and_allows_the_same_way(cli, crisis_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    first = tmp_path / "first"
    first.mkdir()
    pause = first / "answers.yaml"
    pause.write_text("inputs: {brand: Acme}\nsteps:\n  people: pause\n", encoding="utf-8")
    assert start(cli, pause).exit_code == 0
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "shot.png").write_bytes(PNG)
    rest = write_answers(tmp_path / "rest", "../shared/shot.png")
    refused = cli("resume", "--answers", str(rest))
    assert refused.exit_code == 3 and f"{rest}:" in refused.stderr, refused
    assert not list(crisis_home.glob("incidents/*/evidence/*"))
    allowed = cli("resume", "--answers", str(rest), "--allow-path", str(shared))
    assert allowed.exit_code == 0, allowed
    assert [p.read_bytes() for p in crisis_home.glob("incidents/*/evidence/*")] == [PNG]
