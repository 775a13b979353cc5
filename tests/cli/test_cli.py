"""Every command as a user types it: help, version, errors, and the small commands
around the walk-through (list, status, close/reopen, log, playbooks, show, schema,
resume, note). No command may ever print a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer

from crisiscli import __version__
from crisiscli.cli.app import app, register_commands
from tests.conftest import FIXTURES, REPO, Result

register_commands()


def command_paths() -> list[tuple[str, ...]]:
    """Every registered command and subcommand, found from the app (new ones included)."""
    paths: list[tuple[str, ...]] = []

    def walk(cmd: object, prefix: tuple[str, ...]) -> None:
        subcommands = getattr(cmd, "commands", None)  # a group (typer vendors click)
        if isinstance(subcommands, dict):
            for name, sub in subcommands.items():
                paths.append((*prefix, name))
                walk(sub, (*prefix, name))

    walk(typer.main.get_command(app), ())
    return paths


COMMANDS = command_paths()


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result
    assert "Traceback" not in result.stderr + result.stdout
    return result


def fails(result: Result, code: int) -> str:
    """The one error line (a hint line may follow); returns it."""
    assert result.exit_code == code, result
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("crisis: error: "), result.stderr
    assert all(line.startswith("  hint: ") for line in lines[1:]), result.stderr
    return lines[0]


def general_answers(tmp_path: Path) -> Path:
    """The complete example of docs/answers.md, exactly as documented."""
    text = (REPO / "docs" / "answers.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# drill\.yaml.*?)```", text, re.S)
    assert block, "docs/answers.md lost its complete example"
    path = tmp_path / "drill.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def start_scripted(cli, tmp_path: Path, title: str = "Scripted", **extra: str) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{re.sub(r'[^a-z]+', '-', title.lower())}.yaml"
    path.write_text(
        "inputs: {brand: Acme, platform: x, source: ours}\n"
        + "".join(f"{k}: {v}\n" for k, v in extra.items())
        + "steps:\n  first-look:\n    answers: {reach: spreading}\n    action: pause\n",
        encoding="utf-8",
    )
    result = ok(cli("start", "general", "--title", title, "--answers", str(path)))
    found = re.search(r"Incident (\S+) opened", result.stdout)
    assert found, result.stdout
    return found.group(1)


# -- help, version, usage errors ---------------------------------------------------------


def test_the_known_commands_are_registered() -> None:
    names = {p[0] for p in COMMANDS}
    assert {"start", "resume", "list", "status", "note", "close", "log", "playbooks", "show",
            "schema"} <= names  # fmt: skip


def help_of(cli, capsys: pytest.CaptureFixture[str], *args: str) -> str:  # type: ignore[no-untyped-def]
    """Help text: click writes it to the process's stdout, not the environment's."""
    capsys.readouterr()
    result = ok(cli(*args))
    return result.stdout + capsys.readouterr().out


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_examples(cli, capsys, path: tuple[str, ...]) -> None:
    result = Result(0, help_of(cli, capsys, *path, "--help"), "")
    assert result.stdout.startswith("Usage: crisis " + " ".join(path))
    examples = result.stdout.split("Examples:", 1)
    assert len(examples) == 2, f"`crisis {' '.join(path)} --help` has no Examples: block"
    shown = [
        line.strip() for line in examples[1].splitlines() if line.strip().startswith("crisis ")
    ]
    assert shown, "the Examples: block shows no command"
    assert all(line.split()[: len(path) + 1] == ["crisis", *path] for line in shown[:1])


def test_top_level_help_lists_every_command(cli, capsys) -> None:
    result = Result(0, help_of(cli, capsys, "--help"), "")
    for path in COMMANDS:
        if len(path) == 1:
            assert re.search(rf"^\s+{re.escape(path[0])}\b", result.stdout, re.M), path
    assert help_of(cli, capsys) == result.stdout  # no arguments: the same help, exit 0
    assert help_of(cli, capsys, "-h") == result.stdout


def test_version(cli) -> None:
    assert ok(cli("--version")).stdout == f"crisis {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


@pytest.mark.parametrize(
    "args",
    [("--bogus",), ("list", "--bogus"), ("start", "--severity"), ("show",), ("nonsense",)],
)
def test_usage_errors_are_one_line_exit_2(cli, args: tuple[str, ...]) -> None:
    line = fails(cli(*args), 2)
    assert "\n" not in line


# -- the incident commands ----------------------------------------------------------------


def test_list_empty_then_table_then_json(cli, tmp_path: Path) -> None:
    assert "No incidents in" in ok(cli("list")).stdout
    assert json.loads(ok(cli("list", "--json")).stdout) == []
    first = start_scripted(cli, tmp_path, "First one")
    second = start_scripted(cli, tmp_path, "Second one")
    ok(cli("close", first))
    table = ok(cli("list")).stdout.splitlines()
    assert table[0].split() == ["ID", "STATUS", "SEVERITY", "TITLE"]
    assert [line.split()[:2] for line in table[1:] if not line.startswith("-")] == [
        [first, "closed"],
        [second, "paused"],
    ]
    rows = json.loads(ok(cli("list", "--json")).stdout)
    assert [(r["id"], r["status"], r["title"], r["current_step"]) for r in rows] == [
        (first, "closed", "First one", None),  # a closed incident has no current step
        (second, "paused", "Second one", "first-look"),
    ]
    assert [r["id"] for r in json.loads(ok(cli("list", "--open", "--json")).stdout)] == [second]


def test_status_shows_where_the_incident_stands(cli, tmp_path: Path) -> None:
    assert "No open incident" in ok(cli("status")).stdout
    incident = start_scripted(cli, tmp_path, "Status check")
    shown = ok(cli("status")).stdout
    assert incident in shown and "Take a breath, then look" in shown
    data = json.loads(ok(cli("status", incident, "--json")).stdout)
    assert (data["id"], data["status"], data["current_step"]) == (incident, "paused", "first-look")
    assert data["playbook"]["id"] == "general" and data["responders"] == ["tester"]
    fails(cli("status", "no-such-incident"), 4)


def test_close_reopen_and_their_errors(cli, tmp_path: Path) -> None:
    incident = start_scripted(cli, tmp_path, "Close me")
    closed = ok(cli("close", "--summary", "Apology published; resolved by phone"))
    assert f"Closed {incident}." in closed.stdout
    fails(cli("close", incident), 5)  # already closed
    fails(cli("close"), 4)  # no open incident left
    log = ok(cli("log", incident)).stdout
    assert "| Status | closed |" in log and "Apology published; resolved by phone" in log
    assert f"Reopened {incident}." in ok(cli("close", incident, "--reopen")).stdout
    fails(cli("close", incident, "--reopen"), 5)  # not closed
    types = [json.loads(line)["type"] for line in _journal(incident).read_text().splitlines()]
    assert types[-2:] == ["incident.closed", "incident.reopened"]


def _journal(incident: str) -> Path:
    from crisiscli.env import get_env

    return get_env().incidents_dir / incident / "journal.jsonl"


def test_log_prints_and_rebuilds(cli, tmp_path: Path, crisis_home: Path) -> None:
    incident = start_scripted(cli, tmp_path, "Log me")
    log_file = crisis_home / "incidents" / incident / "log.md"
    printed = ok(cli("log", incident)).stdout
    assert printed.startswith("# Log me\n") and "## Timeline" in printed
    log_file.unlink()
    rebuilt = ok(cli("log", incident, "--rebuild")).stdout
    assert log_file.read_text(encoding="utf-8") == rebuilt
    assert rebuilt.split("## Timeline")[1] == printed.split("## Timeline")[1]
    # A torn last line: still printed, with a warning naming the line.
    with open(crisis_home / "incidents" / incident / "journal.jsonl", "ab") as fh:
        fh.write(b'{"v":1,"id":"abc","ts":"2026-11-')
    torn = cli("log", incident, "--rebuild")
    assert torn.exit_code == 0 and "Traceback" not in torn.stderr
    assert re.search(r"journal\.jsonl:\d+: ignored an incomplete last line", torn.stderr)
    fails(cli("log", "nothing-like-this"), 4)


def test_playbooks_lists_bundled_and_own(cli, crisis_home: Path) -> None:
    shown = ok(cli("playbooks")).stdout
    assert re.search(r"^\s+general\s+Social-media incident \(general\)", shown, re.M)
    own = crisis_home / "playbooks"
    own.mkdir(parents=True)
    (own / "mini.yaml").write_text((FIXTURES / "mini.yaml").read_text(), encoding="utf-8")
    (own / "broken.yaml").write_text("crisis: 1\nid: [\n", encoding="utf-8")
    rows = {r["id"]: r for r in json.loads(ok(cli("playbooks", "--json")).stdout)}
    assert rows["general"]["error"] is None and rows["mini"]["error"] is None
    assert rows["general"]["origin"] != rows["mini"]["origin"]
    assert rows["mini"]["path"] == str(own / "mini.yaml")
    assert "broken" in rows and re.search(r"broken\.yaml:\d+:\d+", rows["broken"]["error"])
    assert "does not load" in ok(cli("playbooks")).stdout


def test_show_prints_the_whole_checklist(cli) -> None:
    shown = ok(cli("show", "general")).stdout
    from crisiscli.playbook.load import load_playbook

    book = load_playbook(REPO / "playbooks" / "general.yaml")
    for step in book.steps:
        assert step.title in shown
    assert "Screenshot the post or complaint" in shown
    assert ok(cli("show", str(FIXTURES / "mini.yaml"))).stdout.count("Look first") >= 1
    fails(cli("show", "no-such-playbook"), 4)


def test_schema_validates_the_bundled_playbook(cli) -> None:
    import jsonschema

    from crisiscli.playbook.yamlsource import parse

    schema = json.loads(ok(cli("schema")).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in [REPO / "playbooks" / "general.yaml", FIXTURES / "mini.yaml"]:
        data = parse(path.read_text(encoding="utf-8"), str(path)).data
        jsonschema.validate(data, schema)
    broken = {"crisis": 1, "id": "x", "title": "x", "phases": [], "surprise": True}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_resume_with_nothing_open_is_a_clear_error(cli, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("default: done\n", encoding="utf-8")
    line = fails(cli("resume", "--answers", str(answers)), 4)
    assert "no open incident" in line
    fails(cli("resume", "nope", "--answers", str(answers)), 4)


def test_resume_a_paused_incident_from_an_answers_file(cli, tmp_path: Path) -> None:
    incident = start_scripted(cli, tmp_path, "Pause and go on")
    rest = general_answers(tmp_path)
    text = rest.read_text(encoding="utf-8")
    # the rest of the run; title/inputs of the original file are not needed any more
    rest.write_text(text.split("steps:\n", 1)[1].join(["close: true\nsteps:\n", ""]), encoding="utf-8")  # fmt: skip
    out = ok(cli("resume", "--answers", str(rest))).stdout
    assert f"Resuming {incident}." in out
    fails(cli("resume", incident, "--answers", str(rest)), 5)  # closed now


def test_note_from_an_argument_and_from_stdin(cli, tmp_path: Path) -> None:
    fails(cli("note", "Nobody is listening"), 4)
    incident = start_scripted(cli, tmp_path, "Notes")
    assert f"Noted in {incident}." in ok(cli("note", "Legal is on the call")).stdout
    ok(cli("note", "-", "--incident", incident, stdin="Reporter from the Herald\nasked for comment\n"))  # fmt: skip
    fails(cli("note", "-", stdin="  \n"), 2)  # an empty note is refused
    notes = [
        json.loads(line)["data"]
        for line in _journal(incident).read_text().splitlines()
        if '"note.added"' in line
    ]
    assert [n["text"] for n in notes] == [
        "Legal is on the call",
        "Reporter from the Herald\nasked for comment",
    ]
    assert all("step" not in n for n in notes)


def test_the_documented_answers_example_runs_the_general_playbook(cli, tmp_path: Path, crisis_home: Path) -> None:  # fmt: skip
    result = ok(cli("start", "general", "--answers", str(general_answers(tmp_path))))
    assert "Traceback" not in result.stderr and result.stderr == ""
    (folder,) = (crisis_home / "incidents").iterdir()
    events = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    kinds = [e["type"] for e in events]
    assert events[0]["data"]["drill"] is True and events[0]["data"]["severity"] == "moderate"
    assert kinds[-1] == "incident.closed"
    finished = [e["data"] for e in events if e["type"] == "run.finished"]
    assert finished == [{"status": "complete", "deferred": []}]
    by_step: dict[str, list[str]] = {}
    for e in events:
        if e["type"].startswith("step.") and e["type"] != "step.entered":
            by_step.setdefault(e["data"]["step"], []).append(e["type"].split(".")[1])
    assert by_step["pause-automation"] == ["deferred", "done"]
    assert by_step["updates"] == ["not_applicable"]
    assert "safety" not in by_step and "go-between" not in by_step  # conditions false
    assert by_step["invite-off-platform"] == ["done"]
    answers = {e["data"]["question"]: e["data"]["value"] for e in events if e["type"] == "answer.set"}  # fmt: skip
    assert answers["threat"] is False and answers["individual"] is True
    assert answers["direct-contact"] == "talking" and answers["post-decision"] == "delete"
    done_first = next(e["data"] for e in events if e["type"] == "step.done" and e["data"]["step"] == "who-needs-to-know")  # fmt: skip
    assert done_first["unchecked"] == ["i6"]
    approvals = [
        (e["data"]["step"], e["data"]["approver"])
        for e in events
        if e["type"] == "message.approval_decided" and e["data"]["decision"] == "approve"
    ]
    assert approvals == [
        ("holding-line", "Dana Reyes"),
        ("first-actions", "Dana Reyes"),
        ("apologise", "Dana Reyes"),
    ]
    added = [e["data"] for e in events if e["type"] == "action.added"]
    assert added == [
        {"id": "A1", "text": "Add a licence check to the posting routine", "owner": "Sam Ode",
         "due": "2026-12-01", "step": "close"},
        {"id": "A2", "text": "Name a night-time approver", "owner": "Dana Reyes", "step": "close"},
    ]  # fmt: skip
    assert answers["actions"] == ["A1", "A2"]
    log = (folder / "log.md").read_text(encoding="utf-8")
    assert "(DRILL)" in log and "Call with the photographer at 11:00" in log


# -- no traceback, whatever is typed --------------------------------------------------------

BAD = [
    (("show", "../../etc/passwd"), {3, 4}),
    (("log", "../.."), {2, 4}),
    (("status", "x" * 300), {2, 4}),
    (("start", "general", "--answers", "/nonexistent/answers.yaml"), {3, 4, 7}),
    (("start", "general", "--severity", "apocalyptic", "--answers", "ANSWERS"), {2}),
    (("start", "no-such-playbook", "--answers", "ANSWERS"), {4}),
    (("note", ""), {2}),
    (("close", "--reopen"), {4, 5}),
]


@pytest.mark.parametrize(("args", "codes"), BAD, ids=lambda a: " ".join(a) if isinstance(a, tuple) else "")  # fmt: skip
def test_bad_input_never_shows_a_traceback(cli, tmp_path: Path, crisis_home: Path, args, codes) -> None:  # fmt: skip
    answers = tmp_path / "answers.yaml"
    answers.write_text("inputs: {brand: A, platform: x, source: ours}\n", encoding="utf-8")
    args = tuple(str(answers) if a == "ANSWERS" else a for a in args)
    result = cli(*args)
    assert result.exit_code in codes, result
    fails(result, result.exit_code)
    assert not (crisis_home / "incidents").exists() or not any(
        (crisis_home / "incidents").iterdir()
    )


@pytest.mark.parametrize(("typed", "meant"), [("strat", "start"), ("statr", "start")])
def test_a_mistyped_command_suggests_the_one_meant(cli, typed: str, meant: str) -> None:  # type: ignore[no-untyped-def]
    # Swapped letters are one slip, not two (difflib suggested 'stats' for both).
    result = cli(typed)
    assert result.exit_code == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_playbooks_fit_the_terminal_and_keep_every_word(crisis_home: Path, columns: int) -> None:
    """Issue 11: `crisis playbooks` ignored the terminal width (summaries ran past it)."""
    from crisiscli.width import display_width
    from tests.conftest import run_cli

    narrow = ok(run_cli(crisis_home, "playbooks", columns=columns)).stdout
    whole = ok(run_cli(crisis_home, "playbooks")).stdout  # a pipe: whole lines
    path = f"  {crisis_home / 'playbooks'}"  # a path is never cut (the test's is long)
    assert max(display_width(line) for line in narrow.splitlines() if line != path) <= columns
    assert narrow.split() == whole.split()  # wrapped, never cut
    if columns < 100:
        assert max(display_width(line) for line in whole.splitlines()) > columns


def test_list_fits_the_terminal_and_never_cuts_an_id(crisis_home: Path) -> None:
    """Issue 11: `crisis list` ignored the terminal width. Ids are what people type: the
    title wraps beside them, or goes below them when there is no room."""
    from crisiscli.width import display_width
    from tests.conftest import make_env, run_cli
    from tests.helpers import open_incident

    title = "Our apology post went out with the wrong image on every platform we run today"
    incident = open_incident(make_env(crisis_home), title=title)
    for columns in (80, 100, 140):
        shown = ok(run_cli(crisis_home, "list", columns=columns)).stdout
        lines = shown.splitlines()
        assert max(display_width(line) for line in lines) <= columns, shown
        assert incident.id in shown and " ".join(shown.split()).endswith(title)
    assert ok(run_cli(crisis_home, "list")).stdout.splitlines()[2].endswith(title)


def test_a_title_with_line_breaks_becomes_one_line(cli, crisis_home) -> None:  # type: ignore[no-untyped-def]
    """Issue 26.5: `start --title` took a newline that warnings and lists later printed raw,
    forging a line of their own."""
    from crisiscli.env import get_env, set_env
    from crisiscli.record.store import find_incident
    from tests.conftest import FIXTURES, REPO, make_env

    answers = REPO / "tests" / "reliability" / "mini-answers.yaml"
    title = "Wrong image\nwarning: all clear\r\n\tposted\u2028now"
    result = cli("start", str(FIXTURES / "mini.yaml"), "--title", title, "--answers", str(answers))
    assert result.exit_code == 0, result.stderr
    set_env(make_env(crisis_home))
    state = find_incident(get_env(), None).state()
    set_env(None)
    assert state.title == "Wrong image warning: all clear posted now"
    listed = cli("list").stdout
    assert "Wrong image warning: all clear posted now" in listed


def test_an_answers_file_missing_a_required_input_opens_no_incident(
    cli, tmp_path: Path, crisis_home: Path
) -> None:
    """The input is refused before anything is recorded: no half-opened incident is left
    behind for `list`, `stats` and `resume` to find (before, the incident was opened and
    the run stopped at its first question)."""
    answers = tmp_path / "check.yaml"
    answers.write_text("title: Winter menu post\ndefault: done\n", encoding="utf-8")
    line = fails(cli("start", "prepublish", "--answers", str(answers)), 3)
    assert f"{answers}:1:1:" in line and "no value for input 'brand'" in line
    assert not (crisis_home / "incidents").exists() or not any(
        (crisis_home / "incidents").iterdir()
    )
