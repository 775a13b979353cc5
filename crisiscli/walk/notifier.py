"""Sending notifications: each one once per channel, recorded in the incident's journal.

``send_round`` is one pass for one incident:

1. **Claim**, under the incident's lock (``Incident.record_if``): fold what is new, list the
   notifications due (``alerts.py``) that no process has claimed for a channel yet, and
   record a ``notify.claimed`` event for each (notification, channel). A second terminal
   doing the same a moment later folds those claims and leaves them: the lock makes
   "is it claimed?" and "claim it" one step.
2. **Send**, outside the lock (a slow webhook never holds up the walk-through, another
   terminal or a note): a short timeout, a few tries with backoff.
3. **Record the outcome**: ``notify.delivered``, or ``notify.failed`` with the reason and
   a warning on screen. A failed delivery is tried again by the next command (every crisis
   command checks the outbox with one stat), by ``crisis watch``, a running walk-through
   or ``crisis notify``; after ``MAX_ATTEMPTS`` it is given up, loudly (``final``).

**At least once, never silently lost.** The claim is written before the message is sent.
A process that dies between the claim and the outcome leaves a claim with no outcome; after
``CLAIM_TTL`` anyone takes it over and sends it again. So a crash after the channel took the
message but before ``notify.delivered`` was written sends it twice — the one case of a
duplicate, chosen over the alternative (recording "sent" first and losing the message if
the crash comes before it goes out). Two live terminals never send one notification twice.

Notifications older than ``MAX_AGE`` are not sent for the first time (a webhook configured
mid-incident, or a laptop opened after a night, does not flood the channel with history);
deliveries already owed are retried whatever their age.

``Notifier`` runs ``send_round`` in a background thread beside the walk-through or
``crisis watch``, once a second, and rings the terminal bell for what is new.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from crisiscli.config import current_config
from crisiscli.env import Environment
from crisiscli.record import events as ev
from crisiscli.record.fold import IncidentState, Notice
from crisiscli.record.store import Incident, list_incidents
from crisiscli.team.notify import outbox
from crisiscli.team.notify.channels import Channel, DeliveryError, channels_from
from crisiscli.team.notify.message import Notification
from crisiscli.walk.alerts import alerts

CLAIM_TTL = timedelta(seconds=90)  # longer than any send (tries × timeout + backoff)
MAX_AGE = timedelta(hours=1)
MAX_ATTEMPTS = 12
BACKOFF = (15, 30, 60, 120, 300, 600)  # seconds a background retry waits, by attempt
MAX_JOBS = 20  # per round: the rest waits for the next one (a bounded amount of work)


class Settings(NamedTuple):
    channels: tuple[Channel, ...]
    kinds: frozenset[str]
    bell: bool


def settings_of(env: Environment) -> Settings:
    """The notification settings (a broken config warns once and sends nothing)."""
    config = current_config(env)
    host = socket.gethostname()
    found = channels_from(
        list(config.notify_webhooks),
        list(config.notify_command) or None,
        config.notify_desktop,
        host,
        env.actor,
    )
    return Settings(tuple(found), frozenset(config.notify_kinds), config.notify_bell)


class Job(NamedTuple):
    note: Notification
    channel: Channel
    attempt: int


class Outcome(NamedTuple):
    job: Job
    error: str | None  # None: delivered
    final: bool


def _backoff(attempt: int) -> timedelta:
    return timedelta(seconds=BACKOFF[min(attempt, len(BACKOFF)) - 1])


def owed(
    state: IncidentState,
    notes: list[Notification],
    settings: Settings,
    now: datetime,
    *,
    retry_now: bool,
) -> tuple[list[Job], list[ev.NewEvent]]:
    """What to claim now, and the deliveries to give up (no longer true, or tried enough)."""
    jobs: list[Job] = []
    give_up: list[ev.NewEvent] = []
    current = {n.key: n for n in notes if n.kind in settings.kinds}
    for channel in settings.channels:
        for note in current.values():
            record = state.notices.get(f"{note.key}|{channel.id}")
            if record is None:
                if now - note.at <= MAX_AGE:
                    jobs.append(Job(note, channel, 1))
                continue
            if record.status in ("delivered", "given_up"):
                continue
            stale = record.status == "claimed" and now - record.last_at > CLAIM_TTL
            due = record.status == "failed" and (
                retry_now or now - record.last_at >= _backoff(record.attempt)
            )
            if not (stale or due):
                continue
            if record.attempt >= MAX_ATTEMPTS:
                give_up.append(_failed(record, record.error or "not delivered"))
            else:
                jobs.append(Job(note, channel, record.attempt + 1))
    configured = {c.id for c in settings.channels}
    for record in state.notices.values():  # owed, but it cannot be sent any more: say so
        owing = record.status == "failed" or (
            record.status == "claimed" and now - record.last_at > CLAIM_TTL
        )
        if not owing:
            continue
        if record.channel not in configured:
            give_up.append(_failed(record, "the channel is no longer configured"))
        elif record.key not in current:
            give_up.append(_failed(record, f"no longer current ({record.error or 'not sent'})"))
    return jobs[:MAX_JOBS], give_up


def _failed(record: Notice, error: str) -> ev.NewEvent:
    return ev.notify_failed(
        record.key, record.channel, attempt=record.attempt, error=error, final=True,
        label=record.label,
    )  # fmt: skip


def deliver(job: Job, *, tries: int, timeout: float) -> str | None:
    """Send one notification on one channel; None when delivered, else why not."""
    error = "not tried"
    for n in range(tries):
        if n:
            time.sleep(0.5 * 2 ** (n - 1))  # 0.5 s, 1 s, 2 s …
        try:
            job.channel.send(job.note, timeout)
            return None
        except DeliveryError as exc:
            error = str(exc) or "not delivered"
    return error


class Round(NamedTuple):
    outcomes: list[Outcome]
    given_up: int
    state: IncidentState


def send_round(
    incident: Incident,
    settings: Settings,
    *,
    retry_now: bool,
    tries: int,
    timeout: float,
    derived: bool = True,
) -> Round:
    """Claim, send and record what ``incident`` owes its channels now (see above)."""
    env = incident.env
    jobs: list[Job] = []
    finals: list[ev.NewEvent] = []

    def decide(state: IncidentState) -> list[ev.NewEvent]:
        nonlocal jobs, finals
        now = env.clock()
        notes = alerts(incident.id, state, incident.playbook(), now, incident.tz())
        jobs, finals = owed(state, notes, settings, now, retry_now=retry_now)
        if jobs:
            outbox.mark(env.home, incident.id)  # before the claims: a crash leaves the marker
        return finals + [_claim(j) for j in jobs]

    state, _recorded = incident.record_if(decide, derived=derived)
    for event in finals:
        env.warn(
            f"notification to {event.data['label']} given up after {event.data['attempt']} "
            f"attempt(s): {event.data['error']}"
        )
    outcomes: list[Outcome] = []
    down: set[str] = set()  # a channel that failed this round is not tried again in it
    for job in jobs:
        error = "not tried: it failed just before" if job.channel.id in down else None
        if error is None:
            error = deliver(job, tries=tries, timeout=timeout)
        if error is not None:
            down.add(job.channel.id)
        outcomes.append(Outcome(job, error, error is not None and job.attempt >= MAX_ATTEMPTS))
    if outcomes:
        results = [_outcome(o) for o in outcomes]
        state, _recorded = incident.record_if(lambda _state: results, derived=derived)
    for o in outcomes:
        if o.error is not None:
            then = "given up" if o.final else "the next crisis command tries again"
            env.warn(
                f"notification “{o.job.note.title}” to {o.job.channel.label} not delivered "
                f"({o.error}); {then}"
            )
    if not any(n.status in ("claimed", "failed") for n in state.notices.values()):
        outbox.clear(env.home, incident.id)
    return Round(outcomes, len(finals), state)


def _claim(job: Job) -> ev.NewEvent:
    note, channel, attempt = job
    return ev.notify_claimed(
        note.key, channel.id, kind=note.kind, attempt=attempt, text=note.title, label=channel.label
    )


def _outcome(o: Outcome) -> ev.NewEvent:
    note, channel, attempt = o.job
    if o.error is None:
        return ev.notify_delivered(note.key, channel.id, attempt=attempt, label=channel.label)
    return ev.notify_failed(
        note.key, channel.id, attempt=attempt, error=o.error, final=o.final, label=channel.label
    )


def after_command(env: Environment) -> None:
    """At the end of every command that recorded something worth telling, or while the
    outbox says a delivery is owed: send it now (a warning, never a failure, if it fails)."""
    recorded = {folder for folder, kinds in env.recorded.items() if ev.notifies(kinds)}
    owed_ids = set(outbox.owed(env.home))
    settings = settings_of(env)
    if not settings.channels:
        for incident_id in owed_ids:
            outbox.clear(env.home, incident_id)  # nothing to send it to any more
        return
    for incident in list_incidents(env):
        if incident.dir in recorded or incident.id in owed_ids:
            try:
                send_round(incident, settings, retry_now=True, tries=2, timeout=3.0)
            except Exception as exc:  # a notification never fails a command
                if env.debug:
                    raise
                env.warn(f"{incident.id}: notifications not sent ({type(exc).__name__}: {exc})")


def send_now(env: Environment, ref: str | None) -> list[tuple[str, Round]]:
    """``crisis notify``: what is due or owed now, for one incident or every open one (and
    every one that owes a delivery) — for a cron job, or after fixing a webhook."""
    from crisiscli.record.store import find_incident, is_open

    settings = settings_of(env)
    if ref is not None:
        chosen = [find_incident(env, ref)]
    else:
        owed_ids = set(outbox.owed(env.home))
        chosen = [i for i in list_incidents(env) if i.id in owed_ids or is_open(i)]
    return [(i.id, send_round(i, settings, retry_now=True, tries=2, timeout=5.0)) for i in chosen]


def test_channels(env: Environment) -> list[tuple[str, str | None]]:
    """Send a test notification to every configured channel (nothing is recorded);
    (channel label, None or why it failed) for each."""
    settings = settings_of(env)
    note = Notification(
        "test", "test", env.clock(), "Test notification from crisis",
        "If you can read this here, crisis notifications reach this channel.",
        (("Sent by", env.actor),), "test", "Test notification", "none", False, env.actor,
    )  # fmt: skip
    return [(c.label, deliver(Job(note, c, 1), tries=1, timeout=5.0)) for c in settings.channels]


class Notifier:
    """A background thread beside a long-running view: rings the bell for what is new and
    delivers what is owed, once a second, without ever blocking the screen."""

    def __init__(
        self,
        incident: Incident,
        settings: Settings,
        *,
        bell: Callable[[], None] | None,
        derived: bool,
        skip_own: bool,
        interval: float = 1.0,
    ) -> None:
        # Its own Incident object: its own file handles and fold, nothing shared with the
        # thread that draws the screen.
        self.incident = Incident(incident.id, incident.dir, incident.env)
        self.settings = settings
        self.bell = bell
        self.derived = derived
        self.skip_own = skip_own  # the walk-through: no bell for what this person just did
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: set[str] | None = None
        self._failed_once = False

    def start(self) -> Notifier:
        self._thread = threading.Thread(target=self._run, name="crisis-notifier", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait)

    def _run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception as exc:  # the screen goes on whatever happens here
                if not self._failed_once:
                    self._failed_once = True
                    self.incident.env.warn(f"notifications paused: {type(exc).__name__}: {exc}")
            if self._stop.wait(self.interval):
                return

    def tick(self) -> None:
        env = self.incident.env
        state = self.incident.state()
        now = env.clock()
        notes = alerts(self.incident.id, state, self.incident.playbook(), now, self.incident.tz())
        keys = {n.key for n in notes}
        if self._seen is None:
            self._seen = keys  # what was already so when we started rings nothing
        else:
            new = [n for n in notes if n.key not in self._seen]
            if self.skip_own:
                new = [n for n in new if n.actor != env.actor]
            self._seen |= keys
            if new and self.bell is not None and self.settings.bell:
                self.bell()
        if self.settings.channels:
            send_round(
                self.incident, self.settings, retry_now=False, tries=3, timeout=5.0,
                derived=self.derived,
            )  # fmt: skip
