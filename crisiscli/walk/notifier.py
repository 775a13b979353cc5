"""Sending notifications: each one once per channel, recorded in the incident's journal,
and never at the cost of a command's time.

**Who sends.** A command records its events, leaves a marker in the outbox and wakes the
background sender (``walk/sender.py``: one detached process per CRISIS_HOME, under a
lock); it returns without waiting for any channel. The walk-through and ``crisis watch``
work out, once a second, what has come due (deadlines) and wake the sender the same way.
Only ``crisis notify`` (a person, or cron, asking for it) sends in the foreground.

``send_round`` is what the sender does for one incident:

1. **Give up** what can no longer be sent (a channel no longer configured, a notification no
   longer current, ``MAX_ATTEMPTS`` tries), under the incident's lock, loudly (``final``).
2. For each delivery owed, channel by channel: **claim** it under the incident's lock
   (``notify.claimed``, only if nobody claimed it meanwhile: the lock makes "is it claimed?"
   and "claim it" one step), **send** it outside the lock within one total deadline
   (``DEADLINE`` seconds for the whole delivery, whatever the endpoint does), and **record
   the outcome** (``notify.delivered`` or ``notify.failed`` with the reason).
3. A channel that fails is left alone for the rest of the round and **backs off**
   (``CHANNEL_BACKOFF``: 10 s, 30 s, 1 min, 2 min, 5 min, then every 10 min): when it is
   due, one delivery probes it; the others wait for that one. Its state is in
   ``notify-sender/channels.json``, shared by every sender and ``crisis notify``, and each
   command says once, in one line per channel, which channel is not getting through.

**At least once, never silently lost.** The claim is written before the message is sent.
A process that dies between the claim and the outcome leaves a claim with no outcome; after
``CLAIM_TTL`` anyone takes it over and sends it again. So a crash after the channel took the
message but before ``notify.delivered`` was written sends it twice — the one case of a
duplicate, chosen over the alternative (recording "sent" first and losing the message if
the crash comes before it goes out). Two live senders never send one notification twice.

Notifications older than ``MAX_AGE`` are not sent for the first time (a webhook configured
mid-incident, or a laptop opened after a night, does not flood the channel with history);
deliveries already owed are retried whatever their age.

``Notifier`` runs beside the walk-through or ``crisis watch``: once a second it rings the
terminal bell for what is new and wakes the sender for what is owed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from crisiscli.config import current_config
from crisiscli.env import Environment
from crisiscli.record import events as ev
from crisiscli.record.fold import IncidentState, Notice
from crisiscli.record.store import Incident, list_incidents
from crisiscli.team.notify import outbox, worker
from crisiscli.team.notify.channels import Channel, DeliveryError, channels_from
from crisiscli.team.notify.message import Notification
from crisiscli.walk.alerts import alerts

DEADLINE = 10.0  # seconds for one whole delivery (connect, send, the answer's head)
CLAIM_TTL = timedelta(seconds=90)  # far longer than a delivery's deadline
MAX_AGE = timedelta(hours=1)
MAX_ATTEMPTS = 12
CHANNEL_BACKOFF = (10, 30, 60, 120, 300, 600)  # seconds a failing channel waits, by failures
MAX_JOBS = 20  # per incident and round: the rest waits for the next one
LINGER = 600.0  # the sender waits this long at most for a failing channel's next try
REQUEST_AGAIN = 15.0  # the walk-through wakes the sender again for the same deliveries
OWED_AGAIN = 5.0  # the sender looks again at what another sender holds, or the next batch


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


def owed(
    state: IncidentState, notes: list[Notification], settings: Settings, now: datetime
) -> tuple[list[Job], list[ev.NewEvent]]:
    """The deliveries owed now (not yet claimed, failed, or claimed by a process that has
    gone), and the ones to give up (no longer true, or tried enough)."""
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
            if not _claimable(record, now):
                continue
            if record.attempt >= MAX_ATTEMPTS:
                give_up.append(_failed(record, record.error or "not delivered"))
            else:
                jobs.append(Job(note, channel, record.attempt + 1))
    configured = {c.id for c in settings.channels}
    for record in state.notices.values():  # owed, but it cannot be sent any more: say so
        if not _claimable(record, now):
            continue
        if record.channel not in configured:
            give_up.append(_failed(record, "the channel is no longer configured"))
        elif record.key not in current:
            give_up.append(_failed(record, f"no longer current ({record.error or 'not sent'})"))
    return jobs, give_up


def _claimable(record: Notice, now: datetime) -> bool:
    """Owed and nobody is sending it: it failed, or its sender went away (a crash)."""
    return record.status == "failed" or (
        record.status == "claimed" and now - record.last_at > CLAIM_TTL
    )


def _failed(record: Notice, error: str) -> ev.NewEvent:
    return ev.notify_failed(
        record.key, record.channel, attempt=record.attempt, error=error, final=True,
        label=record.label,
    )  # fmt: skip


def deliver(job: Job, *, timeout: float = DEADLINE) -> str | None:
    """Send one notification on one channel within ``timeout`` seconds in all; None when
    delivered, else why not."""
    try:
        job.channel.send(job.note, timeout)
    except DeliveryError as exc:
        return str(exc) or "not delivered"
    return None


# -- the state of each channel ---------------------------------------------------------------


class Health:
    """Which channels are failing, since when and until when they wait (``channels.json``)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.records = worker.read_channels(env.home)
        self.down: set[str] = set()  # failed in this pass: not tried again in it

    def ready(self, channel: Channel, now: datetime) -> bool:
        record = self.records.get(channel.id)
        due = worker.next_try(record) if record is not None else None
        return due is None or now >= due

    def failing(self, channel: Channel) -> bool:
        return channel.id in self.records

    def failed(self, channel: Channel, error: str, now: datetime, *, final: bool) -> None:
        record = dict(self.records.get(channel.id) or {"since": now.isoformat(), "failures": 0})
        failures = int(record.get("failures", 0)) + 1
        wait = CHANNEL_BACKOFF[min(failures, len(CHANNEL_BACKOFF)) - 1]
        record.update(
            label=channel.label,
            failures=failures,
            error=error,
            last_at=now.isoformat(),
            next_try=(now + timedelta(seconds=wait)).isoformat(),
        )
        if final:
            record["given_up"] = int(record.get("given_up", 0)) + 1
        self.records[channel.id] = record
        worker.write_channels(self.env.home, self._fresh())

    def delivered(self, channel: Channel) -> None:
        if self.records.pop(channel.id, None) is not None:
            worker.write_channels(self.env.home, self._fresh())

    def forget_all_but(self, channels: tuple[Channel, ...]) -> None:
        """A channel taken out of the config is no longer failing: nothing is sent to it."""
        kept = {c.id for c in channels}
        if any(k not in kept for k in self.records):
            self.records = {k: v for k, v in self.records.items() if k in kept}
            worker.write_channels(self.env.home, self.records)

    def _fresh(self) -> dict[str, dict[str, Any]]:
        """Ours, over what another sender wrote meanwhile (each channel's newest record)."""
        merged = worker.read_channels(self.env.home)
        merged.update(self.records)
        return {k: v for k, v in merged.items() if k in self.records}

    def retry_in(self, now: datetime) -> float | None:
        """Seconds until the first failing channel may be tried again (None: none fails)."""
        waits = [
            (due - now).total_seconds()
            for due in (worker.next_try(r) for r in self.records.values())
            if due is not None
        ]
        return max(0.0, min(waits)) if waits else None


class Round(NamedTuple):
    outcomes: list[Outcome]
    given_up: int
    waiting: int  # owed, left for later: its channel is backing off
    state: IncidentState


def send_round(
    incident: Incident,
    settings: Settings,
    *,
    health: Health | None = None,
    retry_now: bool = False,
    timeout: float = DEADLINE,
    derived: bool = True,
) -> Round:
    """Give up, claim, send and record what ``incident`` owes its channels now (above).
    ``retry_now``: try failing channels without waiting for their next try (``crisis notify``)."""
    env = incident.env
    health = health if health is not None else Health(env)
    finals: list[ev.NewEvent] = []
    jobs: list[Job] = []

    def decide(state: IncidentState) -> list[ev.NewEvent]:
        nonlocal jobs, finals
        now = env.clock()
        notes = alerts(incident.id, state, incident.playbook(), now, incident.tz())
        jobs, finals = owed(state, notes, settings, now)
        return finals

    state, _recorded = incident.record_if(decide, derived=derived)
    for event in finals:
        env.warn(
            f"notification to {event.data['label']} given up after {event.data['attempt']} "
            f"attempt(s): {event.data['error']}"
        )
    outcomes: list[Outcome] = []
    waiting = 0
    down = health.down  # a channel that failed in this pass is not tried again in it
    tried = 0
    for job in jobs:
        now = env.clock()
        if (
            job.channel.id in down
            or tried >= MAX_JOBS
            or not (retry_now or health.ready(job.channel, now))
        ):
            waiting += 1
            continue
        if not _claim(incident, job, derived):
            continue  # another sender has it
        tried += 1
        error = deliver(job, timeout=timeout)
        final = error is not None and job.attempt >= MAX_ATTEMPTS
        outcome = Outcome(job, error, final)
        outcomes.append(outcome)
        state = _record_outcome(incident, outcome, derived)
        if error is None:
            health.delivered(job.channel)
        else:
            down.add(job.channel.id)
            health.failed(job.channel, error, env.clock(), final=final)
            if final:
                env.warn(
                    f"notification “{job.note.title}” to {job.channel.label} given up after "
                    f"{job.attempt} attempts ({error})"
                )
    if not waiting and not any(n.status in ("claimed", "failed") for n in state.notices.values()):
        outbox.clear(env.home, incident.id)
    return Round(outcomes, len(finals), waiting, state)


def _claim(incident: Incident, job: Job, derived: bool) -> bool:
    """Record the claim under the lock, if the delivery is still owed as it was."""
    note, channel, attempt = job

    def decide(state: IncidentState) -> list[ev.NewEvent]:
        record = state.notices.get(f"{note.key}|{channel.id}")
        if record is None:
            fits = attempt == 1
        else:
            fits = _claimable(record, incident.env.clock()) and record.attempt + 1 == attempt
        if not fits:
            return []
        return [
            ev.notify_claimed(
                note.key,
                channel.id,
                kind=note.kind,
                attempt=attempt,
                text=note.title,
                label=channel.label,
            )
        ]

    _state, recorded = incident.record_if(decide, derived=derived)
    return bool(recorded)


def _record_outcome(incident: Incident, outcome: Outcome, derived: bool) -> IncidentState:
    event = _outcome(outcome)
    state, _recorded = incident.record_if(lambda _state: [event], derived=derived)
    return state


def _outcome(o: Outcome) -> ev.NewEvent:
    note, channel, attempt = o.job
    if o.error is None:
        return ev.notify_delivered(note.key, channel.id, attempt=attempt, label=channel.label)
    return ev.notify_failed(
        note.key, channel.id, attempt=attempt, error=o.error, final=o.final, label=channel.label
    )


# -- the sender's loop, and what a command does ----------------------------------------------


def work(
    env: Environment, incidents: list[Incident] | None = None, *, retry_now: bool = False
) -> tuple[list[tuple[str, Round]], float | None]:
    """One pass over every incident that owes something (or ``incidents``): the rounds, and
    the seconds until a failing channel's next try when something is still owed (None:
    nothing is)."""
    settings = settings_of(env)
    if incidents is None:
        marked = set(outbox.owed(env.home))
        if not settings.channels:
            for incident_id in marked:
                outbox.clear(env.home, incident_id)  # nothing to send it to any more
            return [], None
        incidents = [i for i in list_incidents(env) if i.id in marked]
        for gone in marked - {i.id for i in incidents}:
            outbox.clear(env.home, gone)
    health = Health(env)
    health.forget_all_but(settings.channels)
    rounds: list[tuple[str, Round]] = []
    for incident in incidents:
        try:
            rounds.append((incident.id, send_round(incident, settings, health=health,
                                                    retry_now=retry_now)))  # fmt: skip
        except Exception as exc:  # one damaged incident does not stop the others
            if env.debug:
                raise
            env.warn(f"{incident.id}: notifications not sent ({type(exc).__name__}: {exc})")
    if not outbox.owed(env.home):
        return rounds, None
    # Owed but nothing failing: claimed by another sender, or more than one round holds.
    return rounds, health.retry_in(env.clock()) if health.records else OWED_AGAIN


def run_sender(env: Environment) -> bytes:
    """The background sender's loop (it holds the lock): deliver, wait for a failing
    channel's next try or a new wake-up, until nothing is owed. Returns the wake token
    read before its last look, so that the caller can tell whether it was woken since."""
    started = time.monotonic()
    while True:
        token = worker.wake_token(env.home)
        _rounds, wait = work(env)
        if wait is None:
            return token
        if time.monotonic() - started + wait > LINGER:
            return token  # a long wait: the next command or `crisis notify` starts one again
        until = time.monotonic() + max(wait, 0.5)
        while time.monotonic() < until and worker.wake_token(env.home) == token:
            time.sleep(0.25)


def request(env: Environment, incident_ids: list[str]) -> None:
    """Ask for delivery of what ``incident_ids`` owe (and whatever else is owed): the
    background sender does it; a test environment (``env.notify_inline``) does it now."""
    for incident_id in incident_ids:
        outbox.mark(env.home, incident_id)
    if env.notify_inline:
        work(env)
    elif not worker.wake(env.home):
        env.warn("notifications wait: the background sender could not be started")


def send_now(env: Environment, ref: str | None) -> list[tuple[str, Round]]:
    """``crisis notify``: what is due or owed now, for one incident or every open one (and
    every one that owes a delivery), in the foreground and without waiting for a failing
    channel's next try — for a cron job, or after fixing a webhook."""
    from crisiscli.record.store import find_incident, is_open

    if ref is not None:
        chosen = [find_incident(env, ref)]
    else:
        marked = set(outbox.owed(env.home))
        chosen = [i for i in list_incidents(env) if i.id in marked or is_open(i)]
    rounds, _wait = work(env, chosen, retry_now=True)
    return rounds


def test_channels(env: Environment) -> list[tuple[str, str | None]]:
    """Send a test notification to every configured channel (nothing is recorded);
    (channel label, None or why it failed) for each."""
    settings = settings_of(env)
    note = Notification(
        "test", "test", env.clock(), "Test notification from crisis",
        "If you can read this here, crisis notifications reach this channel.",
        (("Sent by", env.actor),), "test", "Test notification", "none", False, env.actor,
    )  # fmt: skip
    return [(c.label, deliver(Job(note, c, 1))) for c in settings.channels]


class Notifier:
    """A background thread beside a long-running view: rings the bell for what is new and
    wakes the sender for what is owed, once a second, without ever blocking the screen."""

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
        self._requested: tuple[frozenset[str], float] = (frozenset(), 0.0)

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
        if not self.settings.channels:
            return
        jobs, finals = owed(state, notes, self.settings, now)
        wanted = frozenset(f"{j.note.key}|{j.channel.id}" for j in jobs)
        if not wanted and not finals:
            return
        health = Health(env)
        if not finals and not any(health.ready(j.channel, now) for j in jobs):
            return  # every channel owed is waiting for its next try: the sender knows
        asked, at = self._requested
        if wanted <= asked and time.monotonic() - at < REQUEST_AGAIN and not finals:
            return  # asked for these a moment ago: the sender is on it
        self._requested = (wanted, time.monotonic())
        request(env, [self.incident.id])
