"""Players never see what the scenario plays next: not on any screen or in any output a
player can ask for (status, watch, handoff — text and JSON —, the log, the report, the
export), and not in any file of the incident's folder, which is what `crisis sync` carries.
Only `crisis watch --facilitator` on the facilitator's machine shows it."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crisiscli.drill import runner
from tests.conftest import FrozenClock, make_env, run_cli

SECRETS = ("FUTURE-SECRET", "SECRET-SENDER", "FACILITATOR-NOTE-SECRET")
SCENARIO = """\
title: Secret future
playbook: mini.yaml
length: 90m
facilitator: "FACILITATOR-NOTE-SECRET: let them sweat"
start: {inputs: {brand: Acme, source: customer}, post: "The first post"}
injects:
  - {at: +5m, kind: customer, from: "@early", text: "Played already"}
  - {at: +80m, kind: press, from: "SECRET-SENDER", text: "FUTURE-SECRET the reporter calls"}
expectations:
  - {expect: step-done, step: look, by: +15m}
"""


def test_players_never_see_future_injects(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (tmp_path / "mini.yaml").write_text(
        (Path(__file__).parents[1] / "fixtures" / "mini.yaml").read_text()
    )
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=20)
    env = make_env(home, clock=FrozenClock(start))
    scenario, entry, _ = runner.prepare(env, tmp_path / "s.yaml")
    incident = runner.open_drill(
        env, scenario, entry, title=None, severity=None, speed=1.0, clock="real"
    )
    now = FrozenClock(start + timedelta(minutes=10))  # +5m played, +80m still to come
    runner.catch_up(runner.Incident(incident.id, incident.dir, make_env(home, clock=now)))

    seen = []
    for args in (
        ("status",), ("status", "--json"), ("watch", "--once"), ("watch", "--once", "--json"),
        ("handoff",), ("handoff", "--json"), ("log",), ("report", "--format", "md"),
        ("report", "--format", "json"), ("drill", "score"), ("drill", "score", "--json"),
        ("reply", "list", "--json"),
    ):  # fmt: skip
        r = run_cli(home, *args, clock=now, actor="pat")
        assert r.exit_code == 0, (args, r.stderr)
        seen.append((args, r.stdout + r.stderr))
    assert any("Played already" in out for _, out in seen)  # what was played is there
    # mid-drill, an expectation whose time has not come is open, not missed (exit 0)
    score = dict(seen)[("drill", "score")]
    assert "Met 0 of 1 expectations (1 still open: the drill runs on)." in score
    assert (
        "  OPEN    e1: step look done by +15m — not done (not reached); the drill is at +10m"
        in score
    )
    for args, out in seen:
        assert not [s for s in SECRETS if s in out], args
    files = [p for p in incident.dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert not [s for s in SECRETS if s.encode() in data], path
    zipped = tmp_path / "bundle.zip"
    assert run_cli(home, "export", incident.id, "-o", str(zipped), clock=now).exit_code == 0
    with zipfile.ZipFile(zipped) as bundle:
        for name in bundle.namelist():
            assert not [s for s in SECRETS if s.encode() in bundle.read(name)], name

    facilitator = run_cli(home, "watch", "--once", "--facilitator", clock=now)
    assert "FUTURE-SECRET the reporter calls" in facilitator.stdout
