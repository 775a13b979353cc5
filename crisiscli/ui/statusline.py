"""The live status line under every prompt: incident, severity, step, time since start, next
deadline — and, when there is one, who a message waits for ("waiting for approval from
Dana — 3m") and the latest thing someone else recorded (five minutes long).

It is computed from the last step view and the environment's clock each time the prompt
redraws (twice a second), so "in 5m 42s" counts down while the person reads, and the
moment a deadline passes it turns into OVERDUE. The walk-through gives it a fresh view every
two seconds while a prompt waits (``Walkthrough.watch_tick``), so a severity changed, an
approval decided or a note added in another terminal shows here within two seconds. The bell that goes with it is rung once by
the walk-through's notifier (walk/notifier.py), which rings for every alert of the fold.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prompt_toolkit.formatted_text import StyleAndTextTuples

from crisiscli.env import Environment
from crisiscli.i18n import Catalogue
from crisiscli.text import one_line, visible_controls
from crisiscli.walk.deadlines import DeadlineStatus, format_duration
from crisiscli.walk.prompter import StepView
from crisiscli.width import clip, display_width, wrap


class StatusLine:
    def __init__(self, env: Environment, words: Catalogue) -> None:
        self.env = env
        self.words = words
        self.view: StepView | None = None

    def show(self, view: StepView) -> None:
        self.view = view

    def _pending(self) -> list[DeadlineStatus]:
        assert self.view is not None
        return [d for d in self.view.deadlines if d.state in ("open", "overdue")]

    def next_deadline(self, now: datetime) -> tuple[str, bool]:
        """The text about the next deadline, and whether it is overdue."""
        pending = sorted(self._pending(), key=lambda d: d.due_at)
        if not pending:
            return self.words.t("status.no_deadline"), False
        d = pending[0]
        left = d.seconds_left(now)
        label = one_line(visible_controls(d.name))
        recalls = self.view.recalls if self.view is not None else ()
        back = next((at for sid, _t, at in recalls if sid == d.step), None)
        if back is not None and d.kind == "step":
            # A deferred step's deadline: say when the step comes back, before it passes.
            soon = format_duration(max((back - now).total_seconds(), 0))
            label = self.words.t("status.deferred_back", label=label, back=soon)
        if left < 0:
            late = format_duration(-left)
            return self.words.t("status.overdue", label=label, late=late), True
        return self.words.t("status.next", label=label, left=format_duration(left)), False

    def lines(self, width: int) -> StyleAndTextTuples:
        view = self.view
        if view is None:
            return []
        width = max(width - 1, 20)
        now = self.env.clock()
        started = view.now - timedelta(seconds=view.elapsed_seconds)
        seconds = (now - started).total_seconds()
        step = self.words.t("status.step", index=view.step_index, count=view.step_count)
        tail = f" · {self.words.level(view.severity)} · {step} "
        title = one_line(visible_controls(view.title))
        drill = "DRILL · " if view.drill else ""
        if view.drill_time:  # the drill's own clock: its speed and pauses are on every screen
            drill = f"DRILL {view.drill_time} · "
        first = " " + clip(drill + title, width - display_width(tail) - 1) + tail
        # a clock behind the incident's start says so (never a plausible but false age)
        since = "status.since_start" if seconds >= 0 else "status.clock_behind"
        clock = " " + self.words.t(since, elapsed=format_duration(abs(seconds))) + " · "
        deadline, overdue = self.next_deadline(now)
        from crisiscli.record.autosync import team_line

        team = team_line(self.env, now)
        if team:
            deadline = f"{deadline} · {team}"
        out: StyleAndTextTuples = [
            ("class:status", first.ljust(width)),
            ("", "\n"),
            ("class:status", clock),
            (
                "class:status.overdue" if overdue else "class:status",
                clip(deadline, width - display_width(clock)),
            ),
        ]
        rest = (
            width
            - display_width(clock)
            - display_width(clip(deadline, width - display_width(clock)))
        )
        if rest > 0:
            out.append(("class:status", " " * rest))
        for text in self._more(now):
            for line in wrap(text, width - 1):  # whole words, never cut
                out += [("", "\n"), ("class:status", (" " + line).ljust(width))]
        return out

    def _more(self, now: datetime) -> list[str]:
        """Who a message waits for; the latest thing someone else recorded (5 minutes)."""
        view = self.view
        assert view is not None
        more = [one_line(visible_controls(text)) for text in view.waiting]
        if view.latest is not None:
            when, who, what = view.latest
            ago = (now - when).total_seconds()
            if 0 <= ago < LATEST_SECONDS:
                said = self.words.t(
                    "status.latest", who=one_line(visible_controls(who)), ago=format_duration(ago)
                )
                more.append(f"{said}: {one_line(visible_controls(what))}")
        return more


LATEST_SECONDS = 300
