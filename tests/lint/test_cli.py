"""`crisis lint` as a command: exit codes, options, configuration, suppression, formats."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from crisiscli.lint.formatters import github_data, github_property

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
CLEAN = FIXTURES / "clean.yaml"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder so no configuration file up the tree is picked up."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


def copy(name: str, dest: Path | None = None) -> Path:
    target = dest or Path.cwd() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / name, target)
    return target


def write(name: str, text: str) -> Path:
    path = Path.cwd() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- exit codes --------------------------------------------------------------------------------


def test_clean_file_exits_0(cli) -> None:  # type: ignore[no-untyped-def]
    copy("clean.yaml")
    result = cli("lint", "clean.yaml")
    assert result.exit_code == 0
    assert result.stdout == "1 file checked: no problems.\n"


def test_errors_exit_1_and_warnings_only_exit_0_unless_strict(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR202-unknown-target.yaml")
    copy("CR503-no-exit-criteria.yaml")
    assert cli("lint", "CR202-unknown-target.yaml").exit_code == 1
    assert cli("lint", "CR503-no-exit-criteria.yaml").exit_code == 0
    assert cli("lint", "--strict", "CR503-no-exit-criteria.yaml").exit_code == 1
    assert cli("lint", "--exit-zero", "CR202-unknown-target.yaml").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "xml", "."),
        ("--color", "sometimes", "."),
        ("missing.yaml",),
        ("--select", "CR999", "."),
        ("--ignore", "CR101", "."),
        ("--jobs", "-1", "."),
    ],
)
def test_usage_errors_exit_2(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    copy("clean.yaml")
    result = cli("lint", *args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("crisis: error:")
    assert "Traceback" not in result.stderr


def test_default_paths_are_the_playbook_folder(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("lint")
    assert result.exit_code == 0
    assert "no playbooks found" in result.stderr
    copy("CR202-unknown-target.yaml", crisis_home / "playbooks" / "mine.yaml")
    result = cli("lint", "--format", "concise")
    assert result.exit_code == 1
    assert re.search(r"mine\.yaml:28:15: CR202 ", result.stdout)


# -- formats -----------------------------------------------------------------------------------


def test_full_format_shows_source_and_carets_without_colour(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR202-unknown-target.yaml")
    out = cli("lint", "CR202-unknown-target.yaml").stdout
    assert out.splitlines()[:5] == [
        "CR202-unknown-target.yaml:28:15: error CR202 goto target 'lesons' is not a step id; did you mean 'lessons'?",
        "   |",
        "28 |         goto: lesons",
        "   |               ^^^^^^ unknown-target",
        "   |",
    ]
    assert "\x1b[" not in out
    assert out.endswith("1 file checked: 1 error in 1 file.\n")
    coloured = cli("lint", "--color", "always", "CR202-unknown-target.yaml").stdout
    assert "\x1b[1;31merror\x1b[0m" in coloured


def test_snippets_neutralise_terminal_escapes_and_keep_carets_aligned(cli) -> None:  # type: ignore[no-untyped-def]
    text = CLEAN.read_text(encoding="utf-8").replace(
        "title: Reply\n", "title: Reply ✓ \x1b[2J\x1b]0;pwned\x07\n"
    )
    write("esc.yaml", text)
    result = cli("lint", "esc.yaml")
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("esc.yaml:28:24: error CR001 invalid YAML: unacceptable character")
    assert lines[2] == "28 |         title: Reply ✓ \\x1b[2J\\x1b]0;pwned\\x07"
    assert lines[3] == "   |                        ^^^^ yaml-syntax"


def test_concise_format(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR503-no-exit-criteria.yaml")
    out = cli("lint", "-f", "concise", "CR503-no-exit-criteria.yaml").stdout.splitlines()
    assert out[0].startswith("CR503-no-exit-criteria.yaml:2:1: CR503 no exit_criteria")
    assert out[1] == "1 file checked: 1 warning in 1 file."


def test_json_format(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR205-undefined-variable.yaml")
    data = json.loads(cli("lint", "-f", "json", "CR205-undefined-variable.yaml").stdout)
    assert data == [
        {
            "path": "CR205-undefined-variable.yaml",
            "line": 34,
            "column": 79,
            "end_line": 34,
            "end_column": 92,
            "code": "CR205",
            "rule": "undefined-variable",
            "severity": "warning",
            "message": "'{{ contact }}' is not an input, question or built-in variable",
        }
    ]


def test_github_escaping_rules() -> None:
    assert github_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_format_is_automatic_on_actions_and_escaped(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    text = CLEAN.read_text(encoding="utf-8").replace(
        "title: Reply\n", 'title: Reply\n        "50%\\r\\nof it": x\n'
    )
    write("a,b:c.yaml", text)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = cli("lint", "a,b:c.yaml").stdout
    lines = out.splitlines()
    assert len(lines) == 2  # the unknown key, and the carriage return in it (CR073)
    assert lines[0].startswith("::error file=a%2Cb%3Ac.yaml,line=29,col=9,endLine=29,endColumn=")
    assert ",title=CR103 unknown-key::unknown key '50%25%0D%0Aof it' in step" in lines[0]
    assert "title=CR073 control-character::control character U+000D" in lines[1]
    assert cli("lint", "-f", "concise", "a,b:c.yaml").stdout.startswith("a,b:c.yaml:29:9:")


def _sarif_validator() -> jsonschema.Draft4Validator:
    """The official OASIS SARIF 2.1.0 schema (tests/lint/data/SOURCES.md)."""
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_sarif_validates_against_the_official_schema(cli) -> None:  # type: ignore[no-untyped-def]
    for name in (
        "CR202-unknown-target.yaml",
        "CR503-no-exit-criteria.yaml",
        "CR002-unreadable.yaml",
    ):
        copy(name, Path.cwd() / "playbooks" / name)
    result = cli("lint", "-f", "sarif", "--root", ".", "playbooks")
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    _sarif_validator().validate(sarif)
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    # pyproject.toml names no documentation URL: no made-up link, the help text stands alone.
    assert "informationUri" not in driver
    assert all("helpUri" not in rule for rule in driver["rules"])
    rules = driver["rules"]
    assert [r["id"] for r in rules][:3] == ["CR001", "CR002", "CR003"]
    for rule in rules:  # GitHub code scanning needs these (multitool's GH2012)
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
    found = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    }
    assert found == {
        ("CR202", "playbooks/CR202-unknown-target.yaml"),
        ("CR503", "playbooks/CR503-no-exit-criteria.yaml"),
        ("CR002", "playbooks/CR002-unreadable.yaml"),
    }
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "SRCROOT"
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"].startswith("file:///")


def test_sarif_and_github_paths_are_relative_to_the_repository_root(  # type: ignore[no-untyped-def]
    cli, monkeypatch
) -> None:
    repo = Path.cwd()
    copy("CR202-unknown-target.yaml", repo / "team" / "playbooks" / "a.yaml")
    (repo / "tools").mkdir()
    monkeypatch.chdir(repo / "tools")  # run from a sibling folder: ../team/... is unmappable
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    sarif = json.loads(cli("lint", "-f", "sarif", "../team/playbooks").stdout)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "team/playbooks/a.yaml", "uriBaseId": "SRCROOT"}
    assert sarif["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.as_uri() + "/"
    github = cli("lint", "-f", "github", "../team/playbooks").stdout
    assert "file=team/playbooks/a.yaml," in github
    monkeypatch.delenv("GITHUB_WORKSPACE")
    explicit = json.loads(cli("lint", "-f", "sarif", "--root", "..", "../team/playbooks").stdout)
    uri = explicit["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "team/playbooks/a.yaml"
    # The base is normalised: no `tools/..` left in the URI a viewer resolves against.
    assert explicit["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.as_uri() + "/"


def test_sarif_links_the_documentation_the_package_declares(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from crisiscli.lint import formatters

    monkeypatch.setattr(formatters, "documentation_uri", lambda: "https://docs.example.org/crisis")
    from crisiscli.lint.runner import Report

    driver = json.loads(formatters.format_sarif(Report()))["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://docs.example.org/crisis/lint.md"
    assert driver["rules"][0]["helpUri"].startswith(
        "https://docs.example.org/crisis/lint.md#cr001-"
    )


def test_sarif_schema_rejects_a_broken_log() -> None:
    broken = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [{"ruleID": "a", "message": {"text": "m"}}],
            }
        ],
    }
    with pytest.raises(jsonschema.ValidationError):
        _sarif_validator().validate(broken)


def test_junit_validates_against_the_jenkins_schema_with_times(cli) -> None:  # type: ignore[no-untyped-def]
    import xmlschema

    copy("CR202-unknown-target.yaml")
    copy("clean.yaml")
    out = cli("lint", "-f", "junit", ".").stdout
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(out)
    root = ET.fromstring(out)
    for element in [root, *root.iter("testsuite"), *root.iter("testcase")]:
        assert re.fullmatch(r"[0-9]+\.[0-9]{3}", element.get("time") or ""), element.tag


def test_junit_is_parseable_xml(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR202-unknown-target.yaml")
    copy("CR503-no-exit-criteria.yaml")
    copy("clean.yaml")
    text = CLEAN.read_text(encoding="utf-8").replace(
        "title: Reply\n", 'title: Reply\n        "bell\\a<&>": x\n'
    )
    write("ctl.yaml", text)
    out = cli("lint", "-f", "junit", ".").stdout
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {
        "CR202-unknown-target.yaml",
        "CR503-no-exit-criteria.yaml",
        "clean.yaml",
        "ctl.yaml",
    }
    assert suites["CR202-unknown-target.yaml"].get("failures") == "1"
    assert suites["CR503-no-exit-criteria.yaml"].get("failures") == "0"  # a warning
    assert suites["clean.yaml"].get("tests") == "1"
    assert root.get("failures") == "3"  # ctl.yaml: the unknown key and its BEL (CR073)
    failure = suites["ctl.yaml"].find("testcase/failure")
    assert failure is not None and "\\x07<&>" in (failure.get("message") or "")
    strict = ET.fromstring(cli("lint", "-f", "junit", "--strict", ".").stdout)
    assert strict.get("failures") == "4"


def test_statistics(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR202-unknown-target.yaml")
    copy("CR503-no-exit-criteria.yaml", Path.cwd() / "a.yaml")
    copy("CR503-no-exit-criteria.yaml", Path.cwd() / "b.yaml")
    result = cli("lint", "--statistics", ".")
    assert result.stdout.splitlines() == [
        "2  CR503  warning  no-exit-criteria",
        "1  CR202  error    unknown-target",
        "3 files checked: 1 error and 2 warnings in 3 files.",
    ]
    data = json.loads(cli("lint", "--statistics", "-f", "json", ".").stdout)
    assert data[0] == {
        "code": "CR503",
        "rule": "no-exit-criteria",
        "severity": "warning",
        "count": 2,
    }


def test_output_file(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR202-unknown-target.yaml")
    result = cli("lint", "-f", "sarif", "-o", "out.sarif", ".")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(Path("out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert "1 error" in result.stderr


def test_list_rules(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("lint", "--list-rules").stdout
    assert re.search(r"^CR302  branch-cycle\s+error", out, flags=re.M)
    data = json.loads(cli("lint", "--list-rules", "-f", "json").stdout)
    entry = next(d for d in data if d["code"] == "CR101")
    assert entry["name"] == "schema" and entry["severity"] == "error" and entry["always_on"] is True
    assert len(data) == len({d["code"] for d in data}) >= 25


# -- selection and configuration ---------------------------------------------------------------


def test_select_and_ignore(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR503-no-exit-criteria.yaml")
    assert (
        cli("lint", "--strict", "--ignore", "CR503", "CR503-no-exit-criteria.yaml").exit_code == 0
    )
    assert (
        cli("lint", "--strict", "--select", "CR3,CR4", "CR503-no-exit-criteria.yaml").exit_code == 0
    )
    assert cli("lint", "--strict", "--select", "CR5", "CR503-no-exit-criteria.yaml").exit_code == 1
    assert (
        cli(
            "lint", "--strict", "--ignore", "no-exit-criteria", "CR503-no-exit-criteria.yaml"
        ).exit_code
        == 0
    )


def test_always_on_rules_ignore_select(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR202-unknown-target.yaml")
    assert cli("lint", "--select", "CR5", "CR202-unknown-target.yaml").exit_code == 1


def test_pyproject_configuration(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR503-no-exit-criteria.yaml", Path.cwd() / "playbooks" / "p.yaml")
    write(
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.crisis.lint]\nseverity = { CR503 = "error" }\npaths = ["playbooks"]\nformat = "concise"\n',
    )
    result = cli("lint")
    assert result.exit_code == 1
    assert result.stdout.startswith("playbooks/p.yaml:2:1: CR503 ")


def test_crisis_toml_configuration_found_from_a_subfolder(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    copy("CR503-no-exit-criteria.yaml", Path.cwd() / "sub" / "p.yaml")
    write("crisis.toml", '[lint]\nignore = ["CR503"]\n')
    monkeypatch.chdir(Path.cwd() / "sub")
    assert cli("lint", "--strict", "p.yaml").exit_code == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[lint\n", "crisis.toml:1:"),
        ('[lint]\nselects = ["CR1"]\n', "unknown lint setting 'selects'"),
        ('[lint]\nignore = ["CR101"]\n', "cannot be turned off"),
        ('[lint]\nseverity = { CR501 = "fatal" }\n', "'fatal'"),
        ('[lint]\nseverity = { CR202 = "warning" }\n', "always an error"),
        ("[lint]\nplatform-limits = { x = 0 }\n", "positive whole number"),
        ('[lint]\nselect = ["CR55x"]\n', "no rule matches 'CR55x'"),
        ('[lint]\nformat = "xml"\n', "'xml' is not one of"),
    ],
)
def test_bad_configuration_exits_2(cli, content: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    copy("clean.yaml")
    write("crisis.toml", content)
    result = cli("lint", "clean.yaml")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stderr.count("\n") <= 2  # one line (and maybe a hint)


def test_explicit_config_file(cli) -> None:  # type: ignore[no-untyped-def]
    copy("CR503-no-exit-criteria.yaml")
    write("elsewhere/lint.toml", '[lint]\nignore = ["CR5"]\n')
    # Any name works with --config; the [lint] table is read from non-pyproject files.
    assert (
        cli(
            "lint", "--strict", "--config", "elsewhere/lint.toml", "CR503-no-exit-criteria.yaml"
        ).exit_code
        == 0
    )
    assert cli("lint", "--config", "nope.toml", "CR503-no-exit-criteria.yaml").exit_code == 2


# -- suppression -------------------------------------------------------------------------------


def test_line_noqa_suppresses_and_counts(cli) -> None:  # type: ignore[no-untyped-def]
    text = (FIXTURES / "CR301-unreachable-step.yaml").read_text(encoding="utf-8")
    text = text.replace("      - id: extra\n", "      - id: extra  # crisis: noqa CR301\n")
    write("p.yaml", text)
    result = cli("lint", "--strict", "p.yaml")
    assert result.exit_code == 0
    assert result.stdout == "1 file checked: no problems (1 suppressed).\n"


def test_noqa_by_rule_name_and_file_level(cli) -> None:  # type: ignore[no-untyped-def]
    text = (FIXTURES / "CR503-no-exit-criteria.yaml").read_text(encoding="utf-8")
    write("p.yaml", "# crisis: noqa-file no-exit-criteria\n" + text)
    assert cli("lint", "--strict", "p.yaml").exit_code == 0


def test_always_on_findings_cannot_be_suppressed(cli) -> None:  # type: ignore[no-untyped-def]
    text = (FIXTURES / "CR202-unknown-target.yaml").read_text(encoding="utf-8")
    write("p.yaml", text.replace("goto: lesons\n", "goto: lesons  # crisis: noqa CR202\n"))
    out = cli("lint", "-f", "concise", "p.yaml").stdout.splitlines()
    assert out[0].startswith("p.yaml:28:15: CR202 ")
    assert (
        out[1]
        == "p.yaml:28:23: CR901 CR202 (unknown-target) is not reported here (it cannot be suppressed)"
    )


def test_noqa_inside_a_string_is_text_not_a_comment(cli) -> None:  # type: ignore[no-untyped-def]
    text = (FIXTURES / "CR301-unreachable-step.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "        title: Never shown\n",
        "        title: Never shown\n        guidance: |\n          Not a comment # crisis: noqa-file CR301\n",
    )
    write("p.yaml", text)
    out = cli("lint", "-f", "concise", "p.yaml").stdout
    assert "CR301" in out and "CR901" not in out


def test_blanket_noqa_and_unused_noqa_can_be_silenced_file_wide(cli) -> None:  # type: ignore[no-untyped-def]
    text = CLEAN.read_text(encoding="utf-8").replace("title: Act\n", "title: Act  # crisis: noqa\n")
    write("p.yaml", text)
    out = cli("lint", "-f", "concise", "p.yaml").stdout
    assert "p.yaml:15:17: CR901 this suppression comment suppresses nothing" in out
    write("q.yaml", "# crisis: noqa-file CR901\n" + text)
    assert cli("lint", "--strict", "q.yaml").exit_code == 0


def test_parallel_and_serial_runs_agree(cli) -> None:  # type: ignore[no-untyped-def]
    for name in sorted(p.name for p in FIXTURES.glob("*.yaml")):
        for copy_index in range(3):
            copy(name, Path.cwd() / f"c{copy_index}" / name)
    serial = cli("lint", "-f", "json", "-j", "1", ".")
    parallel = cli("lint", "-f", "json", "-j", "2", ".")
    assert serial.exit_code == parallel.exit_code == 1
    assert serial.stdout == parallel.stdout
    assert len(json.loads(serial.stdout)) >= 3 * 20


def test_default_paths_include_config_playbook_dirs(cli, crisis_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    team = tmp_path / "team-books"
    copy("CR503-no-exit-criteria.yaml", team / "t.yaml")
    crisis_home.mkdir(parents=True, exist_ok=True)
    (crisis_home / "config.toml").write_text(
        f'playbook_dirs = ["{team.as_posix()}"]\n', encoding="utf-8"
    )
    result = cli("lint", "-f", "concise")
    assert result.exit_code == 0
    assert "t.yaml:2:1: CR503 " in result.stdout


def test_noqa_forms(cli) -> None:  # type: ignore[no-untyped-def]
    base = (FIXTURES / "CR301-unreachable-step.yaml").read_text(encoding="utf-8")
    for comment in (
        "# crisis: noqa: CR301",
        "# Crisis: NOQA cr301, CR501",
        "# crisis: noqa unreachable-step -- kept for old incidents",
        "#crisis:noqa CR301",
    ):
        write("p.yaml", base.replace("      - id: extra\n", f"      - id: extra  {comment}\n"))
        result = cli("lint", "-f", "concise", "p.yaml")
        assert "CR301" not in result.stdout.replace("CR301 (", ""), comment
    write(
        "q.yaml", base.replace("      - id: extra\n", "      - id: extra  # crisis: noqa CR3O1\n")
    )
    out = cli("lint", "-f", "concise", "q.yaml").stdout
    assert "CR902 'CR3O1' is not a rule code or name" in out and "CR301 step 'extra'" in out


def _run_on_terminal(home: Path, *args: str) -> str:
    import io

    from crisiscli.cli.app import main
    from crisiscli.env import set_env
    from tests.conftest import make_env

    env = make_env(home)
    env.stdout_isatty = True
    set_env(env)
    try:
        main(["lint", *args])
    except SystemExit:
        pass
    finally:
        set_env(None)
    assert isinstance(env.stdout, io.StringIO)
    return env.stdout.getvalue()


def test_colour_on_a_terminal_unless_no_color(
    crisis_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy("CR202-unknown-target.yaml")
    assert "\x1b[1;31merror\x1b[0m" in _run_on_terminal(crisis_home, "CR202-unknown-target.yaml")
    assert "\x1b[" not in _run_on_terminal(
        crisis_home, "--color", "never", "CR202-unknown-target.yaml"
    )
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in _run_on_terminal(crisis_home, "CR202-unknown-target.yaml")


# -- hostile file names ----------------------------------------------------------------------------

HOSTILE_NAMES = [
    "x\n::error file=x::pwned.yaml",  # a newline would start a forged workflow command
    "evil\x1b]0;title\x07\x1b[2J.yaml",  # ESC and BEL would drive a terminal or a log viewer
    "rtl\u202eLMAY.yaml",  # a bidi override would reverse the name on screen
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["newline", "escapes", "bidi"])
@pytest.mark.parametrize("fmt", ["full", "concise", "github", "junit"])
def test_a_hostile_file_name_cannot_forge_lines_or_drive_the_terminal(cli, name: str, fmt: str) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    copy("CR202-unknown-target.yaml", Path.cwd() / name)
    out = cli("lint", "-f", fmt, ".").stdout
    lines = out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("::error file=x::")], out
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in out, (fmt, out)
    if fmt == "github":
        assert len(lines) == 1 and lines[0].startswith("::error file=")
    if fmt == "junit":
        ET.fromstring(out)
    shown = {"newline": "x\\x0a::error file", "escapes": "evil\\x1b]0;title\\x07", "bidi": "rtl<U+202E>LMAY"}  # fmt: skip
    key = "newline" if "\n" in name else "escapes" if "\x1b" in name else "bidi"
    expected = shown[key] if fmt != "github" else shown[key].replace(":", "%3A")
    if fmt == "junit":
        expected = expected.replace("<", "&lt;").replace(">", "&gt;")
    assert expected in out, out
