"""The background sender's process, and what every command hands it at its end.

``python -m crisiscli.walk.sender HOME`` takes the lock (``team/notify/worker.py``), runs
``walk/notifier.run_sender`` until nothing is owed, and exits; ``after_command`` is the
command's side: leave the marker, wake the sender, say which channel is failing.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisiscli.team.notify.worker import holding_lock, next_try, read_channels, wake, wake_token

if TYPE_CHECKING:
    from crisiscli.env import Environment


# -- what a command does at its end -----------------------------------------------------------


def after_command(env: Environment) -> None:
    """At the end of every command that recorded something worth telling, or while the
    outbox says a delivery is owed: leave the marker and wake the sender (it delivers; the
    command does not wait), then say once, one line per channel, which channel is not
    getting through. Reads config.toml, ``channels.json`` and the outbox: nothing else."""
    from crisiscli.team.notify import outbox

    home = env.home
    marked = outbox.owed(home)
    if not _configured(env):
        for incident_id in marked:
            outbox.clear(home, incident_id)  # nothing to send it to any more
        return
    from crisiscli.record.events import notifies

    fresh = [folder.name for folder, kinds in env.recorded.items() if notifies(kinds)]
    records = read_channels(home)
    now = env.clock()
    due = not records or any((next_try(r) or now) <= now for r in records.values())
    if fresh or (marked and due):
        if env.notify_inline:  # tests: deliver here, on the test's clock
            from crisiscli.walk.notifier import request

            request(env, fresh)
        else:
            for incident_id in fresh:
                outbox.mark(home, incident_id)
            if not wake(home):
                env.warn("notifications wait: the background sender could not be started")
        records = read_channels(home)
    say_failures(env, records, len(outbox.owed(home)))


def _configured(env: Environment) -> bool:
    """Some channel is configured, as far as config.toml's words tell without loading the
    config module (a command's end stays cheap): no ``webhook`` or ``command`` and no
    ``desktop`` means none; ``desktop`` alone is parsed (it may say false). The sender reads
    the config properly; a marker left for a channel that is not there is cleared by it."""
    try:
        with open(env.home / "config.toml", "rb") as handle:
            head = handle.read((1 << 20) + 1)
    except OSError:
        return False
    if len(head) <= 1 << 20:
        if b"notify" not in head:
            return False
        if b"webhook" in head or b"command" in head:
            return True
        if b"desktop" not in head:
            return False
    from crisiscli.config import current_config

    return current_config(env).notifies


def say_failures(env: Environment, records: dict[str, dict[str, Any]], waiting: int) -> None:
    """One warning per channel that is not getting through, however much waits for it."""
    from crisiscli.timeutil import format_duration

    now = env.clock()
    broke = records.get(BREAKDOWN)
    if broke is not None:
        env.warn(
            f"notifications wait: the background sender stopped ({broke.get('error')}); "
            "`crisis notify` sends them and shows why"
        )
    for key, record in sorted(records.items(), key=lambda kv: str(kv[1].get("label"))):
        if key == BREAKDOWN:
            continue
        due = next_try(record)
        when = (
            f"next try in {format_duration(max(1.0, (due - now).total_seconds()))}"
            if due is not None and due > now
            else "trying again now"
        )
        lost = int(record.get("given_up", 0) or 0)
        given = f"; {lost} given up after too many attempts" if lost else ""
        owing = f" for {waiting} incident(s)" if waiting else ""
        env.warn(
            f"notifications to {record.get('label') or 'a channel'} not delivered "
            f"({record.get('error') or 'failed'}){given}; they wait{owing} and are sent in "
            f"the background ({when})"
        )


def main(argv: list[str]) -> int:
    """``python -m crisiscli.walk.sender HOME``: deliver until nothing is owed."""
    if len(argv) != 1:
        return 2
    home = Path(argv[0])
    from crisiscli.env import Environment, set_env
    from crisiscli.walk.notifier import run_sender

    env = Environment(home=home, stdin_isatty=False, stdout_isatty=False, columns=None)
    set_env(env)
    while True:
        with holding_lock(home) as held:
            if not held:
                return 0  # another sender runs; it sees our token
            try:
                seen = run_sender(env)
            except Exception as exc:  # nobody sees this process: commands will say it
                _record_breakdown(home, f"{type(exc).__name__}: {exc}")
                return 1
        if wake_token(home) == seen:
            return 0  # nobody woke us after our last look


BREAKDOWN = "sender"  # the key in channels.json under which the sender says it failed


def _record_breakdown(home: Path, error: str) -> None:
    from datetime import datetime, timedelta, timezone

    from crisiscli.team.notify.worker import write_channels

    records = read_channels(home)
    now = datetime.now(timezone.utc)
    records[BREAKDOWN] = {
        "label": "the background sender",
        "error": error[:300],
        "failures": 1,
        "next_try": (now + timedelta(minutes=1)).isoformat(),
    }
    write_channels(home, records)


if __name__ == "__main__":  # pragma: no cover - run as a process
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main(sys.argv[1:]))
