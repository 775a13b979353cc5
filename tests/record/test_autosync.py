"""The background syncer: a teammate's note reaches my journal within the interval, one
syncer per CRISIS_HOME however many terminals ask, back-off and a truthful team line while
the remote cannot be reached."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crisiscli.record import autosync
from crisiscli.record.gitrepo import GitError
from tests.conftest import crisis_command, make_env, run_cli, subprocess_env
from tests.helpers import note_texts, ok, start_team


def _register_me(home: Path) -> Path:
    folder = autosync.state_dir(home)
    assert folder is not None
    (folder / autosync.CLIENTS).mkdir(parents=True, exist_ok=True)
    me = folder / autosync.CLIENTS / str(os.getpid())
    me.write_text("1")
    return me


def _syncer(home: Path, interval: str = "2s") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*crisis_command(), "sync", "--background", interval],
        env=subprocess_env(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until(check: Any, seconds: float) -> float | None:
    """How long until ``check()`` held (None: it never did within ``seconds``)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def test_a_note_on_one_laptop_reaches_the_others_within_the_interval(tmp_path: Path) -> None:
    remote, a, b, name = start_team(tmp_path)
    c = tmp_path / "laptop-c"
    ok(run_cli(c, "init", "--git", "--remote", str(remote)))
    ok(run_cli(c, "sync", actor="cy"))
    for home in (a, b, c):
        _register_me(home)
    syncers = [_syncer(home) for home in (a, b, c)]
    try:
        assert _until(lambda: all(autosync.running(autosync.state_dir(h)) for h in (a, b, c)), 20)  # type: ignore[arg-type]
        ok(run_cli(a, "note", "Legal says: no statement before 10:00", actor="ana"))
        # interval (2 s) + 2 s, with room for a loaded CI machine's git processes
        took = _until(
            lambda: all(
                "Legal says: no statement before 10:00" in note_texts(h, name) for h in (b, c)
            ),
            90,
        )
        assert took is not None, "the note never arrived"
        ok(run_cli(b, "note", "Ben saw it", actor="ben"))
        assert _until(lambda: "Ben saw it" in note_texts(a, name), 90) is not None
        line = autosync.team_line(make_env(a), datetime.now(timezone.utc))
        assert line is not None and line.startswith("team: synced"), line
    finally:
        for p in syncers:
            p.kill()
            p.wait()


def test_one_syncer_per_home_and_it_leaves_with_its_last_client(tmp_path: Path) -> None:
    _remote, a, _b, _name = start_team(tmp_path)
    env = make_env(a)
    assert autosync.ensure(env, 2)
    folder = autosync.state_dir(a)
    assert folder is not None
    assert _until(lambda: autosync.running(folder), 20) is not None
    assert _until(lambda: autosync.read_status(folder).get("pid"), 20) is not None
    first = autosync.read_status(folder)["pid"]
    assert autosync.ensure(env, 2)  # a second terminal: no second syncer
    time.sleep(2.5)
    assert autosync.read_status(folder)["pid"] == first
    holders = [pid for pid in os.listdir("/proc") if pid.isdigit() and _is_syncer_of(int(pid), a)]
    assert len(holders) == 1, holders
    autosync.leave(env)
    gone = _until(lambda: not autosync.running(folder), autosync.GRACE + 10)
    assert gone is not None, "the syncer stayed after its last client left"


def _is_syncer_of(pid: int, home: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"--background" in cmdline and f"CRISIS_HOME={home}".encode() in environ


class FakeSync:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    def __call__(self, env: Any) -> Any:
        self.calls += 1
        if self.fail:
            raise GitError("cannot reach the remote: ssh: connect to host example: timed out")
        return type("Report", (), {"pushed": True, "events_in": 0})()


def test_it_syncs_right_after_an_event_and_backs_off_while_offline(tmp_path: Path) -> None:
    _remote, a, _b, _name = start_team(tmp_path)
    env = make_env(a)
    folder = autosync.state_dir(a)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    fake = FakeSync()
    syncer = autosync.Syncer(env, folder, 15, sync=fake)
    assert syncer.step(0.0) and fake.calls == 1  # at once
    assert not syncer.step(1.0)  # then at the interval
    ok(run_cli(a, "note", "a new event", actor="ana"))
    assert syncer.step(2.0) and fake.calls == 2  # right after an event, not 15 s later
    fake.fail = True
    for text in ("one", "two", "three"):
        ok(run_cli(a, "note", text, actor="ana"))
    assert syncer.step(3.0) and fake.calls == 3
    status = autosync.read_status(folder)
    assert status["offline_since"] and status["to_push"] == 3 and "timed out" in status["error"]
    ok(run_cli(a, "note", "four", actor="ana"))
    assert not syncer.step(4.0)  # backing off: a new event does not hammer a dead remote
    assert not syncer.step(3.0 + 29.0)
    assert syncer.step(3.0 + 31.0) and fake.calls == 4  # 15 s doubled
    status = autosync.read_status(folder)
    assert status["to_push"] == 4
    fake.fail = False
    assert syncer.step(3.0 + 31.0 + 61.0) and fake.calls == 5
    status = autosync.read_status(folder)
    assert status["offline_since"] is None and status["to_push"] == 0 and status["last_ok"]


def test_the_team_line_says_what_is_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _remote, a, _b, _name = start_team(tmp_path)
    env = make_env(a)
    folder = autosync.state_dir(a)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime(2026, 12, 7, 22, 0, tzinfo=timezone.utc)
    assert autosync.team_line(env, now) is None  # no syncer: nothing claimed
    monkeypatch.setattr(autosync, "running", lambda folder: True)
    status = folder / autosync.STATUS
    status.write_text(f'{{"last_ok": "{(now - timedelta(seconds=12)).isoformat()}"}}')
    assert autosync.team_line(env, now) == "team: synced 12s ago"
    offline = (now - timedelta(minutes=3)).isoformat()
    status.write_text(f'{{"offline_since": "{offline}", "to_push": 4}}')
    assert autosync.team_line(env, now) == "team: offline 3m, 4 events to push"


def test_sync_auto_is_a_setting_in_the_one_duration_grammar(cli: Any) -> None:
    ok(cli("config", "set", "sync.auto", "15s"))
    assert cli("config", "get", "sync.auto").stdout.strip() == "15s"
    bad = cli("config", "set", "sync.auto", "1s")
    assert bad.exit_code == 2 and "every 2s" in bad.stderr
    assert cli("config", "set", "sync.auto", "soon").exit_code == 2
    ok(cli("config", "set", "sync.auto", "off"))


def test_watch_sync_outside_git_says_so_and_still_watches(cli: Any, tmp_path: Path) -> None:
    answers = Path(__file__).resolve().parents[1] / "fixtures" / "answers" / "general.yaml"
    ok(cli("start", "general", "--title", "T", "--answers", str(answers)))
    (row,) = __import__("json").loads(cli("list", "--json").stdout)
    shown = cli("watch", row["id"], "--once", "--sync", "15s")
    assert shown.exit_code == 0
    bad = cli("watch", "--sync", "soon", "--json")
    assert bad.exit_code == 2 and "--sync" in bad.stderr


if sys.platform != "linux":  # /proc is how the one-syncer test counts processes
    test_one_syncer_per_home_and_it_leaves_with_its_last_client = pytest.mark.skip(
        reason="counts processes through /proc"
    )(test_one_syncer_per_home_and_it_leaves_with_its_last_client)


def test_an_idle_cycle_is_one_fetch_and_a_teammate_s_push_is_a_sync(tmp_path: Path) -> None:
    _remote, a, b, name = start_team(tmp_path)
    env = make_env(b)
    folder = autosync.state_dir(b)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    syncer = autosync.Syncer(env, folder, 15)
    assert syncer.step(0.0)
    assert autosync.read_status(folder)["syncs"] == 1
    assert syncer.step(16.0)  # nothing new anywhere: the idle path
    status = autosync.read_status(folder)
    assert (status["syncs"], status["idle"]) == (1, 1)
    ok(run_cli(a, "note", "-i", name, "pushed by ana", actor="ana"))
    ok(run_cli(a, "sync", actor="ana"))
    assert syncer.step(32.0)
    status = autosync.read_status(folder)
    assert (status["syncs"], status["idle"]) == (2, 1)
    assert "pushed by ana" in note_texts(b, name)


def test_a_sync_s_own_take_in_is_not_a_local_event_to_send(tmp_path: Path) -> None:
    """Issue 23.2 at twenty writers: the lines a sync took in grew the journal, so the next
    step (half a second later) ran a whole second sync with nothing to send, on every clone
    after every teammate's note: one more fetch-merge per clone per event on two cores,
    which made every fetch-to-push window longer and more pushes lose their race. An event
    recorded after the take-in is still sent at once."""
    _remote, a, b, name = start_team(tmp_path)
    folder = autosync.state_dir(b)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    syncer = autosync.Syncer(make_env(b), folder, 15)
    assert syncer.step(0.0)
    ok(run_cli(a, "note", "-i", name, "pushed by ana", actor="ana"))
    ok(run_cli(a, "sync", actor="ana"))
    assert syncer.step(16.0)  # the team's branch moved: a sync that takes the note in
    assert "pushed by ana" in note_texts(b, name)
    assert autosync.read_status(folder)["syncs"] == 2
    assert not syncer.step(16.5)  # only the take-in grew the journal: nothing to send
    ok(run_cli(b, "note", "-i", name, "written on bo's laptop", actor="bo"))
    assert syncer.step(17.0)  # a local event: sent at once, not at the interval
    assert autosync.read_status(folder)["syncs"] == 3
    ok(run_cli(a, "sync", actor="ana"))
    assert "written on bo's laptop" in note_texts(a, name)


@pytest.mark.usefixtures("git_identity")
def test_the_background_syncer_reads_what_a_refused_piece_hides(tmp_path: Path) -> None:
    """Issue 23.6 through the background syncer: its idle cycle fetched the new head first,
    so the sync it started saw no 'last tip known' and read no commit in between: the
    honest note under a journal replaced by a link never arrived."""
    from tests.helpers import hostile_push
    from tests.security.test_hostile_teammate import remote_file, setup

    remote, a, b, name, _before, _outside = setup(tmp_path)
    folder = autosync.state_dir(b)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    syncer = autosync.Syncer(make_env(b), folder, 15)
    assert syncer.step(0.0)  # a whole sync: the syncer knows the team's branch now
    assert syncer.step(16.0) and syncer.step(32.0)  # what it took in is folded: idle cycles
    assert autosync.read_status(folder)["idle"] >= 1
    ok(run_cli(a, "note", "-i", name, "honest, pushed just before the attack"))
    ok(run_cli(a, "sync"))
    hostile_push(remote, {f"incidents/{name}/journal.jsonl": ("120000", b"/etc/passwd")})
    assert syncer.step(48.0)  # the idle cycle sees the branch moved: a sync
    assert "honest, pushed just before the attack" in note_texts(b, name)
    shared = remote_file(remote, f"incidents/{name}/journal.jsonl")
    assert b"honest, pushed just before the attack" in shared


def test_a_lost_push_race_is_retried_soon_not_backed_off_as_offline(tmp_path: Path) -> None:
    """Twenty writers: a clone that lost six push races in a row was treated as offline
    (the interval doubled, then doubled again), and its notes waited minutes."""
    from crisiscli.record.sync import PushRaceLost

    _remote, a, _b, _name = start_team(tmp_path)
    folder = autosync.state_dir(a)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    calls: list[float] = []

    def racing(env: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise PushRaceLost("origin/main kept changing while crisis pushed (6 attempts)")
        return FakeSync()(env)

    syncer = autosync.Syncer(make_env(a), folder, 15, sync=racing)
    assert syncer.step(0.0)
    status = autosync.read_status(folder)
    assert not status.get("offline_since") and status["races_lost"] == 1
    assert syncer.next_at <= 2.0  # again within a couple of seconds, not 30 s later
    assert syncer.step(2.0) and len(calls) == 2
    assert autosync.read_status(folder)["syncs"] == 1


def test_the_interval_is_jittered_so_clones_do_not_fetch_in_step(tmp_path: Path) -> None:
    _remote, a, _b, _name = start_team(tmp_path)
    folder = autosync.state_dir(a)
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    waits = set()
    for _ in range(5):
        syncer = autosync.Syncer(make_env(a), folder, 15, sync=FakeSync())
        assert syncer.step(0.0)
        waits.add(round(syncer.next_at, 3))
    assert len(waits) > 1 and all(12.0 <= w <= 15.0 for w in waits)


LONG_WRITERS = 20


def test_twenty_writers_lose_nothing_double_nothing_and_nobody_starves(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Issue 23.2, with `--long` only (a few minutes on two cores): twenty clones, each with
    its background syncer, write notes at once against one bare remote. Every acknowledged
    note reaches every clone exactly once, and every clone's notes get out (no clone
    starves behind the others' pushes). Latency is measured, not asserted, in
    benchmarks/team.py."""
    if not request.config.getoption("--long"):
        pytest.skip("twenty writers at once: run with --long")
    import json
    import threading

    remote, first, second, name = start_team(tmp_path)
    clones = [first, second]
    for n in range(2, LONG_WRITERS):
        home = tmp_path / f"laptop-{n:02d}"
        ok(run_cli(home, "init", "--git", "--remote", str(remote)))
        ok(run_cli(home, "sync", actor=f"w{n}"))
        clones.append(home)
    for home in clones:
        _register_me(home)
    syncers = [_syncer(home, "3s") for home in clones]
    written: list[str] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        for k in range(4):
            text = f"long-{n}-{k}"
            done = subprocess.run(
                [*crisis_command(), "note", "-i", name, text],
                env=subprocess_env(clones[n], CRISIS_USER=f"w{n}"),
                capture_output=True,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            if done.returncode == 0:
                with lock:
                    written.append(text)
            time.sleep(0.5 + (n % 5) * 0.3)

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(LONG_WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(written) == LONG_WRITERS * 4

        def everywhere() -> bool:
            return all(set(written) <= set(note_texts(home, name)) for home in clones)

        assert _until(everywhere, 600) is not None, "a note never reached every clone"
    finally:
        for p in syncers:
            p.kill()
            p.wait()
    for home in clones:
        lines = (home / "incidents" / name / "journal.jsonl").read_bytes().splitlines()
        ids = [json.loads(line)["id"] for line in lines]
        assert len(ids) == len(set(ids)), f"{home.name}: an event twice"
        status = autosync.read_status(autosync.state_dir(home))  # type: ignore[arg-type]
        assert status.get("syncs", 0) >= 1 and not status.get("offline_since"), status
