"""``crisis watch``: follow an incident's journal and keep a full screen true to it.

The loop costs almost nothing while nothing happens: four times a second it asks the
kernel for the journal's identity and size (one ``stat``) and waits for a key; it folds
only when the journal changed (``Incident.state()`` reads just the new lines, and after a
sync rewrote the file it replays by itself), and it redraws once a second for the clocks —
writing only the lines that changed. It never records an incident's facts and never
rewrites ``log.md``; when channels are configured it wakes the background sender for the
notifications that come due (``walk/sender.py``), which records their delivery as
``notify.*`` events — the only lines a watched incident gains from it.

``q`` or Ctrl-C leaves, and the terminal is given back as it was: the normal screen, the
cursor, the line discipline (also when the process is told to stop with SIGTERM or SIGHUP).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from crisiscli.env import Environment
from crisiscli.errors import NotFoundError
from crisiscli.record.fold import IncidentState
from crisiscli.record.store import Incident, find_incident, log_timezone
from crisiscli.text import json_dumps
from crisiscli.ui.watchscreen import READ_ONLY, render
from crisiscli.views.watch import WatchModel, model_json, watch_model
from crisiscli.walk.alerts import alerts

if TYPE_CHECKING:
    from crisiscli.drill.scenario import Scenario
    from crisiscli.walk.notifier import Notifier

POLL = 0.25  # seconds between two looks at the journal (and at the keyboard)
ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"  # the alternate screen, cursor hidden, cleared
LEAVE = "\x1b[?25h\x1b[?1049l"  # the cursor back, the normal screen back


class Follower:
    """One incident, folded again only when its journal changed (one stat per look)."""

    def __init__(self, incident: Incident, scenario: Scenario | None = None) -> None:
        self.incident = incident
        self.scenario = scenario  # ``--facilitator``: the drill's scenario, for what comes next
        self._seen: tuple[int, int, int, int] | None = None
        self.state: IncidentState | None = None
        self.tz = log_timezone(incident.env)

    def _signature(self) -> tuple[int, int, int, int] | None:
        try:
            st = os.stat(self.incident.journal.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def poll(self) -> bool:
        """True when the journal changed since the last look (and the state was folded)."""
        signature = self._signature()
        if self.state is not None and signature == self._seen:
            return False
        self._seen = signature
        self.state = self.incident.state()
        return True

    def model(self) -> WatchModel:
        if self.state is None:
            self.poll()
        assert self.state is not None
        now = self.incident.env.clock()
        model = watch_model(self.incident.id, self.state, self.incident.playbook(), now, self.tz)
        from dataclasses import replace

        from crisiscli.record.autosync import team_line

        model = replace(model, team=team_line(self.incident.env, now))
        run = self.state.drill_run
        if self.scenario is not None and run is not None:
            from crisiscli.drill.player import coming

            lines = coming(run, self.scenario.injects, now)
            if self.scenario.facilitator:  # the scenario's note on how to play it
                lines.insert(0, f"how to play: {self.scenario.facilitator}")
            model = replace(model, coming=tuple(lines))
        return model

    def alert_keys(self) -> set[str]:
        assert self.state is not None
        now = self.incident.env.clock()
        found = alerts(self.incident.id, self.state, self.incident.playbook(), now, self.tz)
        return {n.key for n in found}


def wants_color(env: Environment, no_color: bool) -> bool:
    """Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb."""
    return (
        env.stdout_isatty
        and not no_color
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"
    )


def screen_size(stream: TextIO) -> tuple[int, int]:
    try:
        size = os.get_terminal_size(stream.fileno())
        return size.columns, size.lines
    except (OSError, ValueError, AttributeError):
        columns = int(os.environ.get("COLUMNS", "80") or 80)
        return columns, int(os.environ.get("LINES", "24") or 24)


def once(follower: Follower, env: Environment, *, color: bool, as_json: bool) -> None:
    """``--once``: one frame (or one JSON object), then done."""
    model = follower.model()
    if as_json:
        env.stdout.write(json_dumps(model_json(model), indent=None) + "\n")
        return
    width, _rows = screen_size(env.stdout)
    lines = render(model, width, None, color=color)
    env.stdout.write("\n".join(line.rstrip() for line in lines) + "\n")


def stream_json(follower: Follower, env: Environment, stop: Callable[[], bool]) -> None:
    """``--json``: one object when watching starts, then one per change (an event, or a
    deadline that turns overdue) — never one per tick of the clock."""
    last: tuple[object, ...] | None = None
    while not stop():
        follower.poll()
        model = follower.model()
        if model.shape() != last:
            last = model.shape()
            env.stdout.write(json_dumps(model_json(model), indent=None) + "\n")
            env.stdout.flush()
        time.sleep(POLL)


@contextlib.contextmanager
def full_screen(in_fd: int, out: TextIO) -> Iterator[None]:
    """Keys without Enter and no echo, the alternate screen, no cursor — all given back on
    the way out, however it comes (q, Ctrl-C, SIGTERM, SIGHUP, an error)."""
    import termios
    import tty

    saved = termios.tcgetattr(in_fd)

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(0 if signum == signal.SIGTERM else 128 + signum)

    handlers = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        tty.setcbreak(in_fd)
        out.write(ENTER)
        out.flush()
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            out.write(LEAVE)
            out.flush()
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(in_fd, termios.TCSADRAIN, saved)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


class Painter:
    """Writes a frame, touching only the lines that differ from the one on screen."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown: list[str] = []

    def paint(self, frame: list[str], *, bell: bool = False) -> None:
        same_size = len(frame) == len(self.shown)
        parts = [] if same_size else ["\x1b[H\x1b[2J"]
        for row, line in enumerate(frame):
            if not same_size or self.shown[row] != line:
                parts.append(f"\x1b[{row + 1};1H{line}")
        if bell:
            parts.append("\a")
        if parts:
            self.out.write("".join(parts))
            self.out.flush()
        self.shown = frame


def run_screen(
    follower: Follower,
    env: Environment,
    *,
    color: bool,
    bell: bool,
    footer: str,
    in_fd: int,
) -> None:
    """The full-screen loop; returns when ``q`` (or Ctrl-C) is pressed."""
    painter = Painter(env.stdout)
    follower.poll()
    seen = follower.alert_keys()  # what was already so when watching began rings nothing
    size: tuple[int, int] | None = None
    next_draw = 0.0
    with full_screen(in_fd, env.stdout):
        while True:
            changed = follower.poll()
            tick = time.monotonic()
            current = screen_size(env.stdout)
            if changed or tick >= next_draw or current != size:
                if current != size:
                    painter.shown = []
                size = current
                keys = follower.alert_keys()
                ring = bell and bool(keys - seen)
                seen |= keys
                model = follower.model()
                frame = render(model, size[0], size[1], color=color, footer=footer)
                painter.paint(frame, bell=ring)
                next_draw = int(tick) + 1.0
            wait = max(0.0, min(POLL, next_draw - time.monotonic()))
            ready, _, _ = select.select([in_fd], [], [], wait)
            if ready and _quit(os.read(in_fd, 64)):
                return


def wait_for_incident(env: Environment, in_fd: int | None) -> Incident | None:
    """No incident is open: say so and wait for one (a wall screen set up before the
    crisis); None when the person pressed q instead."""
    painter = Painter(env.stdout)
    context = full_screen(in_fd, env.stdout) if in_fd is not None else contextlib.nullcontext()
    with context:
        while True:
            with contextlib.suppress(NotFoundError):
                return find_incident(env, None, open_only=True)
            width, height = screen_size(env.stdout)
            text = [" crisis watch", "", f" No open incident in {env.incidents_dir}.", ""]
            text += [" Waiting: the screen follows the next incident someone starts.", " q quits."]
            painter.paint(
                [line[:width].ljust(width) for line in text] + [" " * width] * (height - len(text))
            )
            if in_fd is None:
                time.sleep(1.0)
                continue
            ready, _, _ = select.select([in_fd], [], [], 1.0)
            if ready and _quit(os.read(in_fd, 64)):
                return None


def _quit(keys: bytes) -> bool:
    return not keys or b"q" in keys.lower() or b"\x03" in keys


def stdin_fd(stream: TextIO) -> int | None:
    """The terminal to read keys from (None: not a terminal)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return None
    return fd if os.isatty(fd) else None


def watch(
    env: Environment,
    ref: str | None,
    *,
    single: bool,
    as_json: bool,
    no_color: bool,
    notify: bool,
    facilitator: bool = False,
) -> None:
    """``crisis watch``: the whole command but its options (see cli/commands/watch.py)."""
    in_fd = stdin_fd(env.stdin)
    interactive = env.stdout_isatty and in_fd is not None and not single and not as_json
    if ref is None and interactive:
        found = wait_for_incident(env, in_fd)
        if found is None:
            return
        incident = found
    else:
        incident = find_incident(env, ref, open_only=ref is None)
    follower = Follower(incident, _scenario(incident) if facilitator else None)
    color = wants_color(env, no_color)
    if single or not (interactive or as_json):
        once(follower, env, color=color and not as_json, as_json=as_json)
        return
    notifier = _notifier(incident, env) if notify else None
    footer = "sends notifications" if notifier is not None else READ_ONLY
    try:
        if as_json:
            stream_json(follower, env, lambda: False)
        else:
            assert in_fd is not None
            settings_bell = notifier.settings.bell if notifier is not None else _bell_on(env)
            run_screen(follower, env, color=color, bell=settings_bell, footer=footer, in_fd=in_fd)
    except KeyboardInterrupt:
        pass  # Ctrl-C is the other way out
    finally:
        if notifier is not None:
            notifier.stop()


def _scenario(incident: Incident) -> Scenario:
    """The scenario of the drill on ``incident``, as this (the facilitator's) machine keeps it."""
    from crisiscli.drill.runner import kept_scenario
    from crisiscli.errors import StateError

    scenario = kept_scenario(incident.env, incident.id)
    if scenario is None:
        raise StateError(
            f"this machine holds no drill scenario for {incident.id}",
            hint="watch as the facilitator on the machine that ran `crisis drill run`",
        )
    return scenario


def _bell_on(env: Environment) -> bool:
    from crisiscli.config import current_config

    return current_config(env).notify_bell


def _notifier(incident: Incident, env: Environment) -> Notifier | None:
    """Deliveries to the configured channels, in the background (no bell: the screen rings
    its own, between two frames)."""
    from crisiscli.walk.notifier import Notifier, settings_of

    settings = settings_of(env)
    if not settings.channels:
        return None
    return Notifier(incident, settings, bell=None, derived=False, skip_own=False).start()
