"""What crisiscli imports from outside the standard library is declared in pyproject.toml,
for every Python that imports it: an import under ``if sys.version_info >= (3, 11): … else:``
needs a requirement whose environment marker holds on 3.10 (issue 27: ``typing_extensions``
was imported on 3.10 and declared nowhere, so every command failed there)."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from packaging.markers import Marker
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def supported_pythons() -> list[tuple[int, int]]:
    """The minor versions the classifiers claim (``Programming Language :: Python :: 3.N``)."""
    found = []
    for classifier in PYPROJECT["project"]["classifiers"]:
        matched = re.fullmatch(r"Programming Language :: Python :: 3\.(\d+)", classifier)
        if matched:
            found.append((3, int(matched.group(1))))
    return sorted(found)


# Standard library modules that the oldest Python's sys.stdlib_module_names does not know yet.
NEWER_STDLIB = {"tomllib"}  # 3.11


def _version_guard(test: ast.expr) -> tuple[int, int] | None:
    """``sys.version_info >= (3, N)`` → (3, N); anything else → None."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.GtE)
        and ast.unparse(test.left) == "sys.version_info"
        and isinstance(test.comparators[0], ast.Tuple)
    ):
        parts = ast.literal_eval(test.comparators[0])
        return (int(parts[0]), int(parts[1]))
    return None


def imports(tree: ast.AST) -> list[tuple[str, int, list[tuple[int, int]]]]:
    """Top-level module names imported absolutely, with their line and the Pythons (of the
    supported ones) on which the import runs, following ``sys.version_info`` branches."""
    found: list[tuple[str, int, list[tuple[int, int]]]] = []

    def visit(node: ast.AST, pythons: list[tuple[int, int]]) -> None:
        if isinstance(node, ast.If) and (at_least := _version_guard(node.test)):
            for child in node.body:
                visit(child, [v for v in pythons if v >= at_least])
            for child in node.orelse:
                visit(child, [v for v in pythons if v < at_least])
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], node.lineno, pythons) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno, pythons))
        for child in ast.iter_child_nodes(node):
            visit(child, pythons)

    visit(tree, supported_pythons())
    return found


def declared() -> dict[str, list[Requirement]]:
    by_name: dict[str, list[Requirement]] = {}
    for text in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(text)
        by_name.setdefault(_normal(requirement.name), []).append(requirement)
    return by_name


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _marker_holds(marker: Marker | None, python: tuple[int, int]) -> bool:
    if marker is None:
        return True
    version = f"{python[0]}.{python[1]}"
    return marker.evaluate({"python_version": version, "python_full_version": version + ".0"})


def undeclared(source: str, where: str) -> list[str]:
    """Each third-party import in ``source`` that pyproject.toml does not declare for a
    Python that runs it, as ``where:line: module on 3.N``."""
    distributions = packages_distributions()
    requirements = declared()
    problems = []
    for module, line, pythons in imports(ast.parse(source)):
        if module in sys.stdlib_module_names or module in {
            "crisiscli",
            "__future__",
            *NEWER_STDLIB,
        }:
            continue
        names = [_normal(d) for d in distributions.get(module, [module])]
        options = [r for name in names for r in requirements.get(name, [])]
        missing = [p for p in pythons if not any(_marker_holds(r.marker, p) for r in options)]
        if missing:
            on = ", ".join(f"{major}.{minor}" for major, minor in missing)
            problems.append(f"{where}:{line}: {module} on {on}")
    return problems


def test_every_third_party_import_is_declared_for_each_python_that_runs_it() -> None:
    problems = []
    for path in sorted((REPO / "crisiscli").rglob("*.py")):
        problems += undeclared(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert not problems, "imported but not declared in pyproject.toml:\n" + "\n".join(problems)


def test_the_check_follows_version_branches() -> None:
    """The 3.10 branch of a version test counts for 3.10 only: a module imported there and
    declared for nobody is found, on 3.10 and not on the newer Pythons."""
    source = (
        "import sys\n"
        "if sys.version_info >= (3, 11):\n"
        "    import tomllib\n"
        "else:\n"
        "    import not_a_declared_module\n"
    )
    assert undeclared(source, "x.py") == ["x.py:5: not_a_declared_module on 3.10"]
    newer = ", ".join(f"3.{minor}" for (_, minor) in supported_pythons() if minor >= 11)
    assert undeclared("import yaml\nimport tomli\n", "y.py") == [f"y.py:2: tomli on {newer}"]


def test_requires_python_the_classifiers_and_the_readme_agree() -> None:
    pythons = [f"{major}.{minor}" for major, minor in supported_pythons()]
    assert pythons[0] == "3.10"  # the system Python of Ubuntu 22.04 LTS
    assert PYPROJECT["project"]["requires-python"] == f">={pythons[0]}"
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    said = re.search(r"Python (3\.\d+) or newer \(CI tests ([\d., and]+)\)", readme)
    assert said, "README: 'Python 3.N or newer (CI tests …)' not found"
    assert said.group(1) == pythons[0]
    assert re.findall(r"3\.\d+", said.group(2)) == pythons
