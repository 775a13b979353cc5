"""playbooks/playbook.schema.json is exactly `crisis schema`, and playbooks point at it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from crisiscli.playbook.yamlsource import parse

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "playbooks" / "playbook.schema.json"
MODELINE = "# yaml-language-server: $schema=./playbook.schema.json"


def test_schema_file_is_in_sync_with_crisis_schema(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("schema")
    assert result.exit_code == 0
    assert SCHEMA_FILE.read_text(encoding="utf-8") == result.stdout, (
        "regenerate it: crisis schema > playbooks/playbook.schema.json"
    )


def test_bundled_playbooks_carry_the_modeline_and_validate() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((REPO / "playbooks").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == MODELINE, path.name
        errors = list(validator.iter_errors(parse(text, path.name).data))
        assert errors == [], (path.name, [e.message for e in errors])


def test_a_bundled_playbook_copied_into_crisis_home_has_its_schema(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """library.md says: copy a bundled playbook to CRISIS_HOME/playbooks and edit it. Its
    modeline points at ./playbook.schema.json: crisis keeps that file there."""
    import os

    folder = Path(os.environ["CRISIS_HOME"]) / "playbooks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "own-post.yaml").write_text(
        (REPO / "playbooks" / "own-post.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert cli("playbooks").exit_code == 0
    modeline = (folder / "own-post.yaml").read_text(encoding="utf-8").splitlines()[0]
    target = folder / modeline.split("$schema=", 1)[1]
    assert target.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")
