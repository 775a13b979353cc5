"""CR401 message-too-long, counted by ``crisiscli.messages.platforms`` (the composer's counting)."""

from __future__ import annotations

from pathlib import Path

from crisiscli.lint.checks import check_file, check_text
from crisiscli.lint.config import LintConfig

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "CR401-message-too-long.yaml"


def findings(text: str, config: LintConfig | None = None) -> list[tuple[str, int, int, str]]:
    result = check_text(text, "m.yaml", config or LintConfig())
    return [(f.code, f.line, f.column, f.message) for f in result.findings]


def test_fixture_message() -> None:
    result = check_file(FIXTURE, FIXTURE.name, LintConfig())
    assert [(f.code, f.line, f.column) for f in result.findings] == [("CR401", 34, 21)]
    assert result.findings[0].message == (
        "message is 334 characters on x (not counting {{ variables }}), over its limit of 280"
    )


def test_limit_sources_in_order() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    # the lint configuration (or CRISIS_HOME/config.toml) raises the limit
    assert findings(text, LintConfig(platform_limits=(("x", 400),))) == []
    # the playbook's own platform_limits win over the configuration (aliases count)
    lowered = text.replace("phases:\n", "platform_limits: {twitter: 300}\nphases:\n")
    assert [f[0] for f in findings(lowered, LintConfig(platform_limits=(("x", 400),)))] == ["CR401"]
    # a message's limits win over the playbook's
    raised = lowered.replace(
        "          platforms: [x]\n", "          platforms: [x]\n          limits: {x: 350}\n"
    )
    assert findings(raised) == []


def test_only_the_message_platforms_are_checked() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    assert findings(text.replace("platforms: [x]", "platforms: [mastodon]")) == []
    assert findings(text.replace("platforms: [x]", "platforms: [somewhere-new]")) == []
    both = findings(text.replace("platforms: [x]", "platforms: [x, bluesky]"))
    assert [(f[0], f[3].split(" on ")[1].split(" ")[0]) for f in both] == [
        ("CR401", "x"),
        ("CR401", "bluesky"),
    ]


def test_counting_is_the_platforms(tmp_path: Path) -> None:
    # X counts CJK characters twice: 150 of them are 300 on X, but fine on Mastodon (500).
    text = FIXTURE.read_text(encoding="utf-8")
    long_line = text.splitlines()[34].strip()
    cjk = text.replace(long_line, "危" * 150)
    assert [f[3] for f in findings(cjk)] == [
        "message is 300 characters on x, over its limit of 280"
    ]
    assert findings(cjk.replace("platforms: [x]", "platforms: [mastodon]")) == []


def test_config_platform_limits_from_the_command_line(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("lint", "--strict", "p.yaml").exit_code == 1
    (tmp_path / "crisis.toml").write_text("[lint]\nplatform-limits = { x = 1000 }\n")
    assert cli("lint", "--strict", "p.yaml").exit_code == 0


REPO_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AUDIENCE_FIXTURE = (
    Path(__file__).resolve().parent / "fixtures" / "CR402-statement-without-approval.yaml"
)


def _with_audience(audience: str) -> str:
    text = AUDIENCE_FIXTURE.read_text(encoding="utf-8")
    return text.replace(
        "          kind: apology\n", f"          kind: apology\n          audience: {audience}\n"
    )


def test_cr402_asks_approval_for_what_the_public_or_the_press_reads_only() -> None:
    """An apology for staff, a support macro or one DM is not a public statement (issue
    20: a message has an audience); one posted, replied in public or given to the press is."""
    for audience in ("internal", "support-macro", "dm"):
        found = [f for f in findings(_with_audience(audience)) if f[0] == "CR402"]
        assert found == [], audience
    for audience in ("public-post", "public-reply", "press"):
        (found,) = [f for f in findings(_with_audience(audience)) if f[0] == "CR402"]
        assert "approval: true" in found[3]
    (press,) = [f for f in findings(_with_audience("press")) if f[0] == "CR402"]
    assert press[3].startswith("apology for the press with no approval")


def test_cr450_a_cadence_kept_only_by_a_staff_memo_is_kept_by_nothing() -> None:
    """Issue 20 (audiences): an ``update`` for staff does not keep the public update clock,
    so a playbook whose only update is internal has no step that can meet its cadence."""
    text = (REPO_FIXTURES / "cadence.yaml").read_text(encoding="utf-8")
    only_internal = text.replace(
        "          kind: statement\n", "          kind: statement\n          audience: internal\n"
    ).replace("          kind: update\n", "          kind: update\n          audience: internal\n")
    assert only_internal.count("audience: internal") == 2
    assert "CR450" not in [f[0] for f in findings(text)]
    (cr450,) = [f for f in findings(only_internal) if f[0] == "CR450"]
    assert "posted in public, and no step posts one" in cr450[3]
