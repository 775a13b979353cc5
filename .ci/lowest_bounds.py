"""Print a pip constraints file pinning each runtime dependency to the lowest version its
bound in pyproject.toml allows (``typer>=0.26,<0.29`` → ``typer==0.26``), markers kept.

    python .ci/lowest_bounds.py > lowest.txt && pip install -c lowest.txt dist/crisis-*.whl

A dependency without a lower bound is an error: "any version" is a claim nobody tests."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from packaging.requirements import Requirement


def lowest(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = []
    for text in project["dependencies"]:
        requirement = Requirement(text)
        floors = [s.version for s in requirement.specifier if s.operator in (">=", "==", "~=")]
        if len(floors) != 1:
            raise SystemExit(f"{pyproject}: {text!r} needs exactly one lower bound (>=)")
        marker = f"; {requirement.marker}" if requirement.marker else ""
        lines.append(f"{requirement.name}=={floors[0]}{marker}")
    return lines


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    print("\n".join(lowest(root / "pyproject.toml")))
