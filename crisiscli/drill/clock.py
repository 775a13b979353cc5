"""The simulated clock of an unattended drill (``crisis drill run --clock simulated``).

It stands still until the drill moves it: ``sleep`` jumps instead of waiting, so a
ninety-minute drill runs in seconds. It starts early enough that the whole drill lies in
the past (events stamped ahead of this machine's clock would wait unfolded; see
record/catchup.py), at a whole minute, so a run reads calmly in the log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: How far before "now" a simulated drill of length L starts: L plus this margin, so a
#: walk-through running past the drill's end still stamps its events in the past.
MARGIN = timedelta(minutes=30)


class SimulatedClock:
    """A clock for ``Environment.clock`` whose ``sleep`` moves it instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.now += timedelta(seconds=seconds)


def simulated_start(real_now: datetime, length: float) -> datetime:
    """Where a simulated drill of ``length`` seconds starts: in the past, at a whole minute."""
    start = real_now - timedelta(seconds=length) - MARGIN
    return start.replace(second=0, microsecond=0)
