"""crisis config: TOML in CRISIS_HOME, validated set/get/unset, and where settings take effect."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crisiscli.config import Config, load_config, parse_config, render_config
from crisiscli.env import Environment
from tests.conftest import FrozenClock, make_env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_missing_file_gives_defaults(crisis_home: Path) -> None:
    config = load_config(make_env(crisis_home))
    assert config == Config(path=crisis_home / "config.toml")
    assert config.tzinfo() is None and config.platform_limits == {}


def test_set_get_unset_round_trip(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("config", "set", "actor", 'Dana "DJ" O\'Neil \\ ü').exit_code == 0
    assert cli("config", "set", "timezone", "Europe/Berlin").exit_code == 0
    assert cli("config", "set", "severity_levels", "sev3,sev2", "sev1").exit_code == 0
    assert cli("config", "set", "default_severity", "sev2").exit_code == 0
    assert cli("config", "set", "playbook_dirs", "team-books", "/srv/a,b").exit_code == 0
    assert cli("config", "set", "platform_limits.x", "25000").exit_code == 0
    stored = tomllib.loads((crisis_home / "config.toml").read_text(encoding="utf-8"))
    assert stored == {
        "actor": 'Dana "DJ" O\'Neil \\ ü',
        "timezone": "Europe/Berlin",
        "severity_levels": ["sev3", "sev2", "sev1"],
        "default_severity": "sev2",
        "playbook_dirs": ["team-books", "/srv/a,b"],
        "platform_limits": {"x": 25000},
    }
    assert cli("config", "get", "timezone").stdout == "Europe/Berlin\n"
    assert cli("config", "get", "severity_levels").stdout == "sev3 sev2 sev1\n"
    assert cli("config", "get", "platform_limits").stdout == "x = 25000\n"
    config = load_config(make_env(crisis_home))
    assert config.playbook_dirs == (crisis_home / "team-books", Path("/srv/a,b"))
    assert config.platform_limits == {"x": 25000}
    assert config.tzinfo() is not None and config.tzinfo().utcoffset(None) is None  # type: ignore[union-attr]
    shown = cli("config")
    assert "Europe/Berlin" in shown.stdout and "platform_limits.x" in shown.stdout
    assert cli("config", "unset", "timezone").exit_code == 0
    assert cli("config", "get", "timezone").stdout == ""
    assert "timezone" not in (crisis_home / "config.toml").read_text(encoding="utf-8")
    assert cli("config", "unset", "timezone").stdout == "timezone was not set.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "colour", "red"), "unknown setting 'colour'"),
        (("get", "colour"), "unknown setting 'colour'"),
        (("unset", "colour"), "unknown setting 'colour'"),
        (("set", "timezone", "Mars/Olympus"), "not a known time zone"),
        (("set", "timezone", "UTC", "CET"), "takes one value"),
        (("set", "severity_levels", "Sev 1"), "lowercase"),
        (("set", "severity_levels", "a", "a"), "listed twice"),
        (("set", "platform_limits.x", "many"), "whole number"),
        (("set", "platform_limits.x", "0"), "positive whole number"),
        (("set", "actor", " "), "must not be empty"),
        (("set", "actor", "two\nlines"), "one line"),
    ],
)
def test_bad_settings_exit_2_and_name_the_keys(cli, crisis_home: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    result = cli("config", *args)
    assert result.exit_code == 2, result
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if "unknown setting" in message:
        for key in ("actor", "timezone", "severity_levels", "playbook_dirs", "platform_limits"):
            assert key in result.stderr
    assert not (crisis_home / "config.toml").exists()


def test_default_severity_must_be_in_the_configured_scale(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("config", "set", "severity_levels", "sev1", "sev2").exit_code == 0
    result = cli("config", "set", "default_severity", "moderate")
    assert result.exit_code == 2 and "not one of severity_levels" in result.stderr
    assert "default_severity" not in (crisis_home / "config.toml").read_text(encoding="utf-8")


def test_a_broken_file_is_one_line_with_its_location(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    crisis_home.mkdir(parents=True)
    path = crisis_home / "config.toml"
    path.write_text('actor = "Dana"\ntimezone = \n', encoding="utf-8")
    result = cli("config")
    assert result.exit_code == 2
    assert f"{path}:2:" in result.stderr and "not valid TOML" in result.stderr
    path.write_text('actor = "Dana"\ncolour = "red"\n', encoding="utf-8")
    result = cli("config", "get", "actor")
    assert result.exit_code == 2 and f"{path}:2: unknown setting 'colour'" in result.stderr
    path.write_text("[platform_limits]\nx = -5\n", encoding="utf-8")
    result = cli("config")
    assert result.exit_code == 2 and f"{path}:2: platform_limits.x" in result.stderr


def test_a_broken_file_never_stops_a_note(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import open_incident

    open_incident(make_env(crisis_home))
    (crisis_home / "config.toml").write_text("timezone = [\n", encoding="utf-8")
    result = cli("note", "still recorded")
    assert result.exit_code == 0, result
    assert "using the default settings" in result.stderr
    assert "still recorded" in cli("log").stdout


def test_writer_escapes_what_toml_needs() -> None:
    tricky = 'a"b\\c\td\x01e\x7ff ü 🙂'
    text = render_config({"actor": tricky, "playbook_dirs": ["x", 'y"z']})
    assert tomllib.loads(text) == {"actor": tricky, "playbook_dirs": ["x", 'y"z']}
    readable = 'a"b\\c ü 🙂'
    text = render_config({"actor": readable})
    assert parse_config(text, Path("/h/config.toml")).actor == readable


def test_actor_comes_from_config_but_crisis_user_wins(
    crisis_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crisis_home.mkdir(parents=True)
    (crisis_home / "config.toml").write_text('actor = "Dana"\n', encoding="utf-8")
    assert Environment(home=crisis_home).actor == "tester"  # CRISIS_USER from conftest
    monkeypatch.delenv("CRISIS_USER")
    assert Environment(home=crisis_home).actor == "Dana"
    (crisis_home / "config.toml").write_text("actor = \n", encoding="utf-8")
    assert Environment(home=crisis_home).actor not in ("", "Dana")  # the login name


def test_timezone_shapes_log_times(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import open_incident

    assert cli("config", "set", "timezone", "Asia/Tokyo").exit_code == 0
    incident = open_incident(make_env(crisis_home, clock=FrozenClock()))
    log = incident.log_path.read_text(encoding="utf-8")
    assert "2026-11-24 00:00:00 JST (15:00:00 UTC)" in log  # 15:00 UTC = midnight in Tokyo
    assert "00:00:00 JST (15:00:00 UTC)" in cli("log", "--rebuild").stdout


def test_extra_playbook_dirs_are_searched(cli, crisis_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "team-books"
    extra.mkdir()
    (extra / "shift.yaml").write_text(
        (Path(__file__).parent / "fixtures" / "shift.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    assert "shift" not in cli("playbooks").stdout
    assert cli("config", "set", "playbook_dirs", str(extra)).exit_code == 0
    listed = cli("playbooks")
    assert "shift" in listed.stdout, listed


def test_severity_scale_applies_to_playbooks_without_their_own(
    cli, crisis_home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert cli("config", "set", "severity_levels", "sev3", "sev2", "sev1").exit_code == 0
    assert cli("config", "set", "default_severity", "sev2").exit_code == 0
    answers = tmp_path / "a.yaml"
    answers.write_text("title: T\nclose: true\n", encoding="utf-8")
    mini = str(Path(__file__).parent / "fixtures" / "shift.yaml")
    refused = cli("start", mini, "--answers", str(answers), "--severity", "high")
    assert refused.exit_code == 2 and "sev3, sev2, sev1" in refused.stderr
    result = cli("start", mini, "--answers", str(answers))
    assert result.exit_code == 0, result
    status = cli("list", "--json").stdout
    assert '"sev2"' in status


def test_set_keeps_the_users_comments_and_layout(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    crisis_home.mkdir(parents=True, exist_ok=True)
    path = crisis_home / "config.toml"
    path.write_text(
        "# our team's settings\n"
        'actor = "Ana"   # who I am\n'
        "\n"
        "# the scale we agreed on in March\n"
        'severity_levels = ["low", "high"]\n'
        "\n"
        "[platform_limits]\n"
        "x = 25000  # premium account\n",
        encoding="utf-8",
    )
    assert cli("config", "set", "timezone", "Europe/Stockholm").exit_code == 0
    assert cli("config", "set", "platform_limits.bluesky", "300").exit_code == 0
    text = path.read_text(encoding="utf-8")
    for kept in (
        "# our team's settings\n",
        'actor = "Ana"   # who I am\n',
        "# the scale we agreed on in March\n",
        "x = 25000  # premium account\n",
    ):
        assert kept in text
    assert 'timezone = "Europe/Stockholm"' in text and "bluesky = 300" in text
    assert cli("config", "unset", "actor").exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "actor" not in text and "# the scale we agreed on in March\n" in text
    assert cli("config", "get", "platform_limits.x").stdout.strip() == "25000"


def test_set_keeps_a_windows_file_s_line_endings(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    crisis_home.mkdir(parents=True, exist_ok=True)
    path = crisis_home / "config.toml"
    path.write_bytes(b'# kept on a Windows share\r\nactor = "Ana"\r\n')
    assert cli("config", "set", "timezone", "Europe/Stockholm").exit_code == 0
    data = path.read_bytes()
    assert b"# kept on a Windows share\r\n" in data and b'timezone = "Europe/Stockholm"\r\n' in data
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line ends as the file's lines did
    assert cli("config", "get", "timezone").stdout.strip() == "Europe/Stockholm"
