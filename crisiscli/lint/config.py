"""Lint configuration: ``[tool.crisis.lint]`` in pyproject.toml, or ``[lint]`` in crisis.toml.

Looked up from the working folder upwards; the first folder with a ``crisis.toml`` or a
``pyproject.toml`` that has a ``[tool.crisis.lint]`` table wins (crisis.toml first).
``--config FILE`` names one explicitly. Any mistake in it is a usage error (exit 2)
naming the file, so CI never runs with a configuration it silently ignored.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crisiscli.errors import Location, UsageError
from crisiscli.lint.rules import SEVERITIES, Rule, Severity, all_rules, expand

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 (CI runs the whole suite there)
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

KEYS = (
    "select",
    "ignore",
    "severity",
    "platform-limits",
    "paths",
    "exclude",
    "format",
    "path-states",
)
PATH_STATES = 20_000  # the path explorer's budget (crisiscli.walk.paths)
MIN_PATH_STATES = 100
FORMATS = ("full", "concise", "json", "github", "sarif", "junit")


@dataclass(frozen=True)
class LintConfig:
    enabled: frozenset[str] = field(default_factory=lambda: frozenset(r.code for r in all_rules()))
    severities: tuple[tuple[str, Severity], ...] = ()
    platform_limits: tuple[tuple[str, int], ...] = ()
    paths: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    format: str | None = None
    source: str | None = None  # the file it came from
    path_states: int = PATH_STATES  # states the path rules explore before sampling (CR600)

    def severity_of(self, rule: Rule) -> Severity:
        if rule.always_on:
            return rule.severity
        return dict(self.severities).get(rule.code, rule.severity)

    def is_enabled(self, rule: Rule) -> bool:
        return rule.always_on or rule.code in self.enabled


def find_config(start: Path) -> Path | None:
    """The nearest crisis.toml, or pyproject.toml with ``[tool.crisis.lint]``."""
    for folder in [start, *start.parents]:
        candidate = folder / "crisis.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                with candidate.open("rb") as handle:
                    data = tomllib.load(handle)
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                return candidate  # report the problem when it is read properly
            if isinstance(data.get("tool"), dict) and "lint" in data["tool"].get("crisis", {}):
                return candidate
    return None


def read_config(path: Path) -> dict[str, Any]:
    """The raw lint table of a config file (empty when it has none)."""
    shown = str(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise UsageError("no such configuration file", location=Location(shown)) from None
    except OSError as exc:
        raise UsageError(
            f"cannot read configuration: {exc.strerror or exc}", location=Location(shown)
        ) from None
    except UnicodeDecodeError:
        raise UsageError("configuration is not UTF-8 text", location=Location(shown)) from None
    except tomllib.TOMLDecodeError as exc:
        import re

        at = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(at.group(1)) if at else None
        column = int(at.group(2)) if at else None
        message = str(exc).split(" (at line")[0].split(" (at end of document")[0]
        raise UsageError(
            f"invalid TOML: {message}", location=Location(shown, line, column)
        ) from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("crisis", {}).get("lint", {})
        where = "[tool.crisis.lint]"
    else:
        table = data.get("lint", {})
        where = "[lint]"
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table", location=Location(shown))
    return table


def _words(value: Any, key: str, shown: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"'{key}' must be a list of strings", location=Location(shown))
    return list(value)


def _rules_for(selectors: Iterable[str], key: str, shown: str) -> list[Rule]:
    found: list[Rule] = []
    for selector in selectors:
        rules = expand(selector)
        if not rules:
            names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
            close = difflib.get_close_matches(selector, names, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see: crisis lint --list-rules"
            raise UsageError(
                f"'{key}': no rule matches '{selector}'", location=Location(shown), hint=hint
            )
        found.extend(rules)
    return found


def build_config(
    table: dict[str, Any],
    shown: str,
    *,
    base: Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> LintConfig:
    """Check a raw table (plus command-line select/ignore) and make a ``LintConfig``."""
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(KEYS)}"
            raise UsageError(f"unknown lint setting '{key}'", location=Location(shown), hint=hint)
    selected = _words(table.get("select", ["ALL"]), "select", shown)
    if select is not None:
        selected = select
    ignored = _words(table.get("ignore", []), "ignore", shown)
    enabled = {r.code for r in _rules_for(selected, "select", "--select" if select else shown)}
    to_ignore = _rules_for(ignored, "ignore", shown) + _rules_for(
        ignore or [], "ignore", "--ignore"
    )
    ignored += list(ignore or [])
    for rule in to_ignore:
        if rule.always_on and (rule.code in ignored or rule.name in ignored):
            raise UsageError(
                f"'ignore': {rule.code} ({rule.name}) cannot be turned off: "
                "a playbook with this problem does not load",
                location=Location(shown),
            )
        enabled.discard(rule.code)
    severities: list[tuple[str, Severity]] = []
    raw_sev = table.get("severity", {})
    if not isinstance(raw_sev, dict):
        raise UsageError(
            "'severity' must be a table such as {CR501 = \"error\"}", location=Location(shown)
        )
    for selector, level in raw_sev.items():
        if level not in SEVERITIES:
            raise UsageError(
                f"'severity': '{level}' for {selector} is not one of {', '.join(SEVERITIES)}",
                location=Location(shown),
            )
        for rule in _rules_for([selector], "severity", shown):
            if rule.always_on:
                if selector.upper() == rule.code or selector.lower() == rule.name:
                    raise UsageError(
                        f"'severity': {rule.code} ({rule.name}) is always an error",
                        location=Location(shown),
                    )
                continue
            severities.append((rule.code, level))
    limits: list[tuple[str, int]] = []
    raw_limits = table.get("platform-limits", {})
    if not isinstance(raw_limits, dict):
        raise UsageError(
            "'platform-limits' must be a table such as {x = 280}", location=Location(shown)
        )
    for platform, limit in raw_limits.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise UsageError(
                f"'platform-limits': the limit for '{platform}' must be a positive whole number",
                location=Location(shown),
            )
        limits.append((str(platform).lower(), limit))
    folder = base or Path.cwd()
    paths = tuple(folder / p for p in _words(table.get("paths", []), "paths", shown))
    exclude = tuple(_words(table.get("exclude", []), "exclude", shown))
    fmt = table.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(
            f"'format': '{fmt}' is not one of {', '.join(FORMATS)}", location=Location(shown)
        )
    states = table.get("path-states", PATH_STATES)
    if isinstance(states, bool) or not isinstance(states, int) or states < MIN_PATH_STATES:
        raise UsageError(
            f"'path-states' must be a whole number of at least {MIN_PATH_STATES}",
            location=Location(shown),
        )
    return LintConfig(
        frozenset(enabled),
        tuple(severities),
        tuple(limits),
        paths,
        exclude,
        fmt,
        shown if table or shown != "(defaults)" else None,
        states,
    )


def load_config(
    explicit: Path | None,
    cwd: Path,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> LintConfig:
    path = explicit if explicit is not None else find_config(cwd)
    if path is None:
        return build_config({}, "(defaults)", base=cwd, select=select, ignore=ignore)
    table = read_config(path)
    return build_config(table, str(path), base=path.resolve().parent, select=select, ignore=ignore)
