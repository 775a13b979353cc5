"""Issue 26 finding 6: config.toml holds the webhook URL, a secret: crisis creates it 0600 and
warns (once per command, naming the file and the fix) when others can read it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

HOOK = "https://hooks.slack.com/services/T000/B000/secretsecretsecret"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_config_toml_is_created_private(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    old = os.umask(0o022)
    try:
        assert cli("config", "set", "notify.webhook", HOOK).exit_code == 0
        assert mode(crisis_home / "config.toml") == 0o600
        assert cli("config", "set", "actor", "Dana").exit_code == 0  # rewritten: still private
        assert mode(crisis_home / "config.toml") == 0o600
    finally:
        os.umask(old)


def test_a_readable_config_with_a_secret_is_warned_about(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    crisis_home.mkdir(parents=True)
    config = crisis_home / "config.toml"
    config.write_text(f'[notify]\nwebhook = ["{HOOK}"]\n', encoding="utf-8")
    config.chmod(0o644)
    for command in (("config",), ("config", "get", "actor"), ("notify",)):
        result = cli(*command)
        assert result.exit_code == 0, result
        warnings = [line for line in result.stderr.splitlines() if "can be read by others" in line]
        assert len(warnings) == 1, result.stderr
        assert str(config) in warnings[0] and "0644" in warnings[0] and "chmod 600" in warnings[0]
        assert "secretsecret" not in result.stderr
    config.chmod(0o600)
    assert "can be read by others" not in cli("config").stderr


def test_a_readable_config_without_a_secret_is_not_warned_about(cli, crisis_home: Path) -> None:  # type: ignore[no-untyped-def]
    crisis_home.mkdir(parents=True)
    config = crisis_home / "config.toml"
    config.write_text('actor = "Dana"\n', encoding="utf-8")
    config.chmod(0o644)
    assert "can be read by others" not in cli("config").stderr
