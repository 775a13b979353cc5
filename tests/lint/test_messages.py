"""CR401 message-too-long, against the agreed contract of ``crisiscli.platforms``.

The contract (composer helper): ``count(text, platform) -> int`` counts as the platform
does; ``limit(platform, overrides) -> int | None`` gives the limit, overrides first. The
stub below implements exactly that contract, so these tests pin lint's side of it: which
text is counted, which platforms, and the order of the limit sources.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from pathlib import Path

import pytest

from crisiscli.lint import checks
from crisiscli.lint.checks import check_file, check_text
from crisiscli.lint.config import LintConfig

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "CR401-message-too-long.yaml"
DEFAULTS = {"x": 280, "bluesky": 300, "mastodon": 500}


def _stub() -> types.SimpleNamespace:
    def count(text: str, platform: str) -> int:
        return len(text)

    def limit(platform: str, overrides: Mapping[str, int] | None = None) -> int | None:
        return (overrides or {}).get(platform, DEFAULTS.get(platform))

    return types.SimpleNamespace(DEFAULT_LIMITS=DEFAULTS, count=count, limit=limit)


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    module = _stub()
    monkeypatch.setattr(checks, "_platforms", module)
    return module


def findings(text: str, config: LintConfig | None = None) -> list[tuple[str, int, int, str]]:
    result = check_text(text, "m.yaml", config or LintConfig())
    return [(f.code, f.line, f.column, f.message) for f in result.findings]


def test_fixture_with_the_contract(stub: types.SimpleNamespace) -> None:
    result = check_file(FIXTURE, FIXTURE.name, LintConfig())
    assert [(f.code, f.line, f.column) for f in result.findings] == [("CR401", 32, 21)]
    assert result.findings[0].message == (
        "message is 334 characters on x (not counting {{ variables }}), over its limit of 280"
    )


def test_limit_sources_in_order(stub: types.SimpleNamespace) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    # lint configuration (or CRISIS_HOME/config.toml) raises the limit
    assert findings(text, LintConfig(platform_limits=(("x", 400),))) == []
    # the playbook's own platform_limits win over the configuration
    lowered = text.replace("phases:\n", "platform_limits: {x: 300}\nphases:\n")
    assert [f[0] for f in findings(lowered, LintConfig(platform_limits=(("x", 400),)))] == ["CR401"]
    # a message's limits win over the playbook's
    raised = lowered.replace(
        "          platforms: [x]\n", "          platforms: [x]\n          limits: {x: 350}\n"
    )
    assert findings(raised) == []


def test_only_the_message_platforms_are_checked(stub: types.SimpleNamespace) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    assert findings(text.replace("platforms: [x]", "platforms: [mastodon]")) == []
    assert findings(text.replace("platforms: [x]", "platforms: [somewhere-new]")) == []
    both = findings(text.replace("platforms: [x]", "platforms: [x, bluesky]"))
    assert [(f[0], f[3].split(" on ")[1].split(" ")[0]) for f in both] == [
        ("CR401", "x"),
        ("CR401", "bluesky"),
    ]


def test_without_the_platforms_module_lint_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_platforms", None)
    assert findings(FIXTURE.read_text(encoding="utf-8")) == []


def test_real_platforms_module_if_present() -> None:
    real = checks.platforms_module()
    if real is None:
        pytest.skip("crisiscli.platforms has not landed yet; the contract stub covers CR401")
    result = check_file(FIXTURE, FIXTURE.name, LintConfig())
    assert [(f.code, f.line, f.column) for f in result.findings] == [("CR401", 32, 21)]
