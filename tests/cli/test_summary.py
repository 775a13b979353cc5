"""Top-level help reads summaries from source; they must equal each HELP's first line."""

from __future__ import annotations

import importlib

import pytest

from crisiscli.cli.app import command_names, command_summary


@pytest.mark.parametrize("name", command_names())
def test_summary_read_from_source_matches_help(name: str) -> None:
    module = importlib.import_module(f"crisiscli.cli.commands.{name}")
    first = module.HELP.strip().splitlines()[0]
    assert command_summary(name) == first
    assert first.endswith("."), "a summary is one sentence that stands alone"
