"""Watching a walk-through read-only from a second terminal: the walker's current screen,
redrawn whenever its journal changes; nothing is recorded here. Ctrl-C leaves."""

from __future__ import annotations

import time
from typing import Any

from crisiscli.i18n import Catalogue
from crisiscli.invocation import program
from crisiscli.record.store import Incident
from crisiscli.ui.output import echo

POLL_SECONDS = 1.0


def watch(incident: Incident, prompter: Any, words: Catalogue) -> None:
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
                    echo(words.t("watch.ended", incident=incident.id, status=state.status))
                    return
                if state.current is not None:
                    prompter.show_step(walk.view(walk.playbook.step(state.current)))
                command = f"{program()} resume {incident.id} --take-over"
                echo(words.t("watch.read_only", command=command))
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        echo("")
        echo(words.t("watch.stopped"))
