"""Fixtures the command tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FrozenClock


@pytest.fixture
def waiting(cli: Any, crisis_home: Path, tmp_path: Path, clock: FrozenClock) -> Path:
    """An incident whose holding line waits for Dana Reyes (``test_approve.start_waiting``)."""
    from tests.cli.test_approve import start_waiting

    return start_waiting(cli, crisis_home, tmp_path, clock)
