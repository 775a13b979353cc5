"""Report tests: event ids are made deterministic so golden files are stable."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def deterministic_event_ids(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    counter = itertools.count(1)
    monkeypatch.setattr("crisiscli.record.journal.new_event_id", lambda: f"ev{next(counter):04d}")
    yield
