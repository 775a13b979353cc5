"""Watching a walk-through read-only from a second terminal: the walker's current screen,
redrawn whenever its journal changes; nothing is recorded here. Ctrl-C leaves."""

from __future__ import annotations

import time
from typing import Any

from crisiscli.record.store import Incident
from crisiscli.ui.output import echo

POLL_SECONDS = 1.0


def watch(incident: Incident, prompter: Any) -> None:
    from crisiscli.walk.engine import Walkthrough

    seen: tuple[int, int] | None = None
    try:
        while True:
            stat = incident.journal.path.stat()
            if (stat.st_size, stat.st_mtime_ns) != seen:
                seen = (stat.st_size, stat.st_mtime_ns)
                walk = Walkthrough(incident, prompter)
                state = walk.state
                if state.closed or state.finished:
                    echo(f"The walk-through of {incident.id} is {state.status}.")
                    return
                if state.current is not None:
                    prompter.show_step(walk.view(walk.playbook.step(state.current)))
                echo(
                    "Watching read-only: nothing is recorded here. Ctrl-C leaves; to take "
                    f"over: crisis resume {incident.id} --take-over"
                )
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        echo("")
        echo("Stopped watching.")
