"""scenarios/scenario.schema.json is `crisis drill schema`; the bundled scenarios fit it, and
it refuses what the loader refuses for the format's own reasons."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from crisiscli.drill.scenario import bundled, parse_scenario
from crisiscli.drill.schema import scenario_schema
from crisiscli.errors import PlaybookError

FILE = Path(__file__).parents[2] / "scenarios" / "scenario.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(scenario_schema())


def test_the_file_is_the_command(cli) -> None:  # type: ignore[no-untyped-def]
    printed = cli("drill", "schema").stdout
    assert json.loads(printed) == scenario_schema()
    assert json.loads(FILE.read_text(encoding="utf-8")) == scenario_schema(), (
        "regenerate it: crisis drill schema > scenarios/scenario.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(scenario_schema())


@pytest.mark.parametrize("path", bundled(), ids=lambda p: p.stem)
def test_bundled_scenarios_fit_the_schema_and_name_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=./scenario.schema.json\n")
    assert not list(VALIDATOR.iter_errors(yaml.safe_load(text)))


BASE = {
    "title": "T", "playbook": "general", "length": "30m",
    "injects": [{"at": "+5m", "kind": "press", "text": "x"}],
    "expectations": [{"expect": "step-done", "step": "look", "by": "+10m"}],
}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"length": "soon"},
        {"colour": "red"},
        {"injects": [{"at": "+5m", "kind": "pigeon", "text": "x"}]},
        {"injects": [{"at": "5 minutes", "kind": "press", "text": "x"}]},
        {"injects": [{"kind": "press", "text": "x"}]},
        {"expectations": [{"expect": "step-done", "step": "look"}]},
        {"expectations": [{"expect": "vibes"}]},
        {"expectations": [{"expect": "replies", "phrases": ["x"]}]},
        {"expectations": [{"id": "Bad!", "expect": "replies"}]},
    ],
)
def test_schema_and_loader_refuse_alike(change: dict[str, object]) -> None:
    data = {**BASE, **change}
    assert list(VALIDATOR.iter_errors(data)), "the schema let it through"
    with pytest.raises(PlaybookError):
        parse_scenario(yaml.safe_dump(data), "s.yaml")


def test_schema_and_loader_accept_alike() -> None:
    data = {**BASE, "injects": [{"at": "+0", "kind": "mentions", "count": 5, "per": "minute", "text": "x"}],
            "expectations": [{"expect": "approved", "step": "s", "approver": "Dana", "within": "5m"}]}  # fmt: skip
    assert not list(VALIDATOR.iter_errors(data))
    parse_scenario(yaml.safe_dump(data), "s.yaml")
