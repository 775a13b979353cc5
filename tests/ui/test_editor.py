"""Editing a message in $EDITOR: a private temp file in CRISIS_HOME, a list argv, no shell."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crisiscli.ui.editor import EditorFailed, edit_text
from tests.conftest import make_env


def fake_editor(tmp_path: Path, body: str, name: str = "fake editor.py") -> str:
    """A script that behaves like an editor: reads the file, writes what ``body`` says."""
    script = tmp_path / name
    script.write_text(
        "import sys, pathlib\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        "text = path.read_text(encoding='utf-8')\n"
        "log = pathlib.Path(__file__).with_suffix('.seen')\n"
        "log.write_text(str(path) + '\\n' + text, encoding='utf-8')\n" + body,
        encoding="utf-8",
    )
    return f"{sys.executable} '{script}'"


def test_the_editor_changes_the_text(tmp_path: Path, crisis_home: Path) -> None:
    command = fake_editor(
        tmp_path, "path.write_text(text.replace('draft', 'final'), encoding='utf-8')\n"
    )
    env = make_env(crisis_home)
    env.editor = command
    assert edit_text(env, "Our draft apology, 日本 👍") == "Our final apology, 日本 👍"
    seen = (tmp_path / "fake editor.seen").read_text(encoding="utf-8").splitlines()
    temp = Path(seen[0])
    assert temp.parent == crisis_home / "tmp"  # inside CRISIS_HOME, not a shared /tmp
    assert not temp.exists()  # removed afterwards
    assert seen[1] == "Our draft apology, 日本 👍"


def test_the_editor_command_is_not_run_by_a_shell(tmp_path: Path, crisis_home: Path) -> None:
    marker = tmp_path / "pwned"
    command = fake_editor(tmp_path, "") + f" ; touch {marker}"
    env = make_env(crisis_home)
    env.editor = command
    # With a shell, `; touch` would run; as a list argv it is only two more arguments.
    assert edit_text(env, "text") == "text"
    assert not marker.exists()


def test_a_failing_editor_keeps_nothing_and_says_why(tmp_path: Path, crisis_home: Path) -> None:
    env = make_env(crisis_home)
    env.editor = fake_editor(tmp_path, "sys.exit(3)\n")
    with pytest.raises(EditorFailed, match="exited with status 3"):
        edit_text(env, "text")
    assert list((crisis_home / "tmp").iterdir()) == []


def test_a_missing_editor_is_reported(crisis_home: Path) -> None:
    env = make_env(crisis_home)
    env.editor = "no-such-editor-anywhere --wait"
    with pytest.raises(EditorFailed, match="cannot start the editor 'no-such-editor-anywhere'"):
        edit_text(env, "text")
    env.editor = None
    with pytest.raises(EditorFailed, match="no editor is set"):
        edit_text(env, "text")
    env.editor = "vim '"
    with pytest.raises(EditorFailed, match="cannot read the editor command"):
        edit_text(env, "text")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("path.unlink()\n", "removed the draft file"),
        ("path.unlink(); path.mkdir()\n", "left something other than the draft file"),
        ("path.unlink(); path.symlink_to('/dev/zero')\n", "left something other than the draft file (it is a symbolic link"),
        ("path.write_bytes('Caf\\xe9 ferm\\xe9'.encode('latin-1'))\n", "saved the text in another encoding than UTF-8 (byte 0xe9 at line 1, column 4)"),
    ],
    ids=["deleted", "folder", "link-to-dev-zero", "latin-1"],
)  # fmt: skip
def test_an_editor_that_loses_the_draft_keeps_the_previous_one_and_says_why(
    tmp_path: Path, crisis_home: Path, body: str, reason: str
) -> None:
    env = make_env(crisis_home)
    env.editor = fake_editor(tmp_path, body)
    with pytest.raises(EditorFailed) as caught:
        edit_text(env, "the previous draft")
    assert reason in str(caught.value) and "the previous draft is kept" in str(caught.value)


def test_the_walk_through_goes_on_with_the_previous_draft(
    tmp_path: Path, crisis_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prompter catches the failure, says why and offers the previous draft inline."""
    from crisiscli.ui.prompts import QuestionaryPrompter

    env = make_env(crisis_home)
    env.editor = fake_editor(tmp_path, "path.unlink()\n")
    prompter = QuestionaryPrompter(env)
    told: list[str] = []
    inline: list[str] = []
    monkeypatch.setattr(prompter.ui, "select", lambda *a, **kw: "editor")  # "Edit it in ..."
    monkeypatch.setattr(prompter, "notify", told.append)
    monkeypatch.setattr(prompter, "ask_text", lambda label, default, **kw: inline.append(default) or default)  # fmt: skip
    assert prompter.compose_message(None, "the previous draft") == "the previous draft"  # type: ignore[arg-type]
    assert inline == ["the previous draft"]
    assert told and "removed the draft file" in told[0]
