"""The wheel and the sdist carry what crisis needs at run time: the bundled playbooks and
their JSON Schema, the report templates, the locales and the data files. Built here from the
checkout with the project's own build backend (or, with ``CRISIS_DIST=DIR``, the artefacts
that `.ci/run` built and installs)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

RUNTIME_DATA = [
    *(f"playbooks/{p.name}" for p in sorted((REPO / "playbooks").iterdir()) if p.is_file()),
    *(f"scenarios/{p.name}" for p in sorted((REPO / "scenarios").iterdir()) if p.is_file()),
    *(
        str(p.relative_to(REPO))
        for p in sorted((REPO / "crisiscli").rglob("*"))
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    ),
]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("CRISIS_DIST")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    return out


def in_wheel(path: str) -> str:
    """Where a file of the checkout lies in the wheel (playbooks/ ships as bundled_playbooks)."""
    if path.startswith("playbooks/"):
        return "crisiscli/bundled_playbooks/" + path.removeprefix("playbooks/")
    if path.startswith("scenarios/"):
        return "crisiscli/bundled_scenarios/" + path.removeprefix("scenarios/")
    return path


def test_the_runtime_data_is_found_at_all() -> None:
    names = set(RUNTIME_DATA)
    assert "playbooks/general.yaml" in names and "playbooks/playbook.schema.json" in names
    assert {"crisiscli/locales/en.yaml", "crisiscli/locales/sv.yaml"} <= names
    assert "crisiscli/views/report/templates/report.html.j2" in names


def test_the_wheel_carries_the_runtime_data(dist: Path) -> None:
    (wheel,) = dist.glob("crisis-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [path for path in RUNTIME_DATA if in_wheel(path) not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    assert not [n for n in names if n.startswith(("tests/", "playbooks/", "scenarios/", ".venv"))]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "crisis = crisiscli.cli.app:entry" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_sdist_carries_the_runtime_data(dist: Path) -> None:
    (sdist,) = dist.glob("crisis-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = [path for path in [*RUNTIME_DATA, "pyproject.toml", "README.md"] if path not in names]
    assert not missing, f"not in {sdist.name}: {missing}"
    assert not [n for n in names if n.startswith(".venv") or "__pycache__" in n]
