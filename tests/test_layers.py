"""The folders show the design: imports only go down the layers, and never in a circle.

Every ``import`` in crisiscli/ is read — also those inside functions (which is how heavy
modules are kept off the quick paths), relative ones (``from ..views import log``,
``from .. import views``) and whole packages (``import crisiscli.views``); ``if
TYPE_CHECKING:`` blocks are types, not imports. Rooms on one floor may use each other only
as ``PEERS`` lists; the terminal libraries are only imported at the edge (``ui/``, ``cli/``).
docs/architecture.md draws the same picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "crisiscli"
# Rooms, lowest first. A module may import its own room, any lower floor, and a room on its
# own floor only where PEERS says so. "base" is every module directly in crisiscli/.
LAYERS = {
    "base": 0,  # timeutil, fsutil, text, errors, env, config, i18n, … (crisiscli/*.py)
    "playbook": 1,
    "record": 1,
    "messages": 2,
    "team": 2,
    "queue": 3,
    "walk": 3,
    "drill": 3,
    "views": 4,
    "lint": 4,
    "ui": 5,
    "cli": 6,
    "main": 7,  # crisiscli/__main__.py: python -m crisiscli
}
# Rooms on one floor that may use the other (importer, imported); nothing else sideways.
PEERS = {
    ("record", "playbook"),  # the snapshot is a playbook; labels fill its {{ placeholders }}
    ("queue", "walk"),  # queue decide --answers reads the walk-through's answers-file format
    ("drill", "walk"),  # a drill paces the walk-through's answers-file prompter; lint reads paths
}
# Libraries that draw on or read from a terminal: only the edge imports them.
TERMINAL_LIBRARIES = ("rich", "questionary", "prompt_toolkit")
EDGE = ("ui", "cli", "main")


def known_modules() -> dict[str, bool]:
    """Every module of the package by dotted name, and whether it is a package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        is_package = rel.name == "__init__"
        found[".".join(rel.parts).removesuffix(".__init__")] = is_package
    return found


def room(module: str) -> str:
    parts = module.split(".")
    if module == "crisiscli.__main__":
        return "main"
    if len(parts) >= 2 and parts[1] in LAYERS and parts[1] not in ("base", "main"):
        return parts[1]
    return "base"


def _type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def targets(module: str, source: str, modules: dict[str, bool]) -> set[str]:
    """What ``module`` imports: crisiscli modules (resolved) and top-level outside names."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            node.body = []  # types only
    package = module if modules.get(module) else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                found.add(name if name.startswith("crisiscli") else name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                if not base:
                    raise ValueError(f"{module}: relative import beyond the package")
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            if not origin.startswith("crisiscli"):
                found.add(origin.split(".")[0])
                continue
            for alias in node.names:
                full = f"{origin}.{alias.name}"
                found.add(full if full in modules else origin)
    return found - {module}


def imports() -> dict[str, set[str]]:
    modules = known_modules()
    graph = {}
    for module, is_package in modules.items():
        rel = module.replace(".", "/") + ("/__init__.py" if is_package else ".py")
        source = (PACKAGE.parent / rel).read_text(encoding="utf-8")
        graph[module] = targets(module, source, modules)
    return graph


def wrong_imports(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, found in graph.items():
        here = room(module)
        for target in found:
            if not target.startswith("crisiscli"):
                if target in TERMINAL_LIBRARIES and here not in EDGE:
                    wrong.append(f"{module} → {target} (a terminal library below ui/)")
                continue
            if target == "crisiscli":
                continue  # the package itself: __version__
            there = room(target)
            if there == here:
                continue
            if LAYERS[there] > LAYERS[here]:
                wrong.append(f"{module} → {target} (up: {here} → {there})")
            elif LAYERS[there] == LAYERS[here] and (here, there) not in PEERS:
                wrong.append(f"{module} → {target} (sideways: {here} → {there}, not in PEERS)")
    return sorted(wrong)


def test_imports_go_down_the_layers() -> None:
    wrong = wrong_imports(imports())
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in graph.get(node, ()):
            if not target.startswith("crisiscli."):
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_every_room_is_a_folder_and_every_folder_a_room() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(LAYERS) - {"base", "main"}


# -- the checker refuses each form of a wrong import ---------------------------------------

FORBIDDEN = {
    "absolute module": ("crisiscli.record.fold", "from crisiscli.views.log import LogFile"),
    "absolute package": ("crisiscli.record.fold", "import crisiscli.views"),
    "absolute dotted": ("crisiscli.record.fold", "import crisiscli.views.log as log"),
    "from the package": ("crisiscli.record.fold", "from crisiscli import views"),
    "relative module": ("crisiscli.record.fold", "from ..views import log"),
    "relative name": ("crisiscli.record.fold", "from ..views.log import LogFile"),
    "relative package": ("crisiscli.record.fold", "from .. import views"),
    "relative in a package": ("crisiscli.record", "from ..ui import prompts"),
    "walk imports ui": ("crisiscli.walk.engine", "from ..ui import prompts"),
    "inside a function": ("crisiscli.walk.flow", "def f():\n    from crisiscli.ui import screens"),
    "base imports a room": ("crisiscli.env", "from crisiscli.views.log import LogFile"),
    "base imports a room, relative": ("crisiscli.config", "from .messages import platforms"),
    "sideways, not a peer": ("crisiscli.walk.engine", "from crisiscli.queue import triage"),
    "sideways, relative": ("crisiscli.walk.engine", "from ..queue.triage import decide"),
    "rich below ui": ("crisiscli.record.fold", "import rich"),
    "rich submodule": ("crisiscli.views.brief", "from rich.text import Text"),
    "questionary": ("crisiscli.walk.engine", "import questionary"),
    "prompt_toolkit": ("crisiscli.walk.prompter", "from prompt_toolkit.input import Input"),
    "rich in base": ("crisiscli.text", "def f():\n    import rich.markup"),
}


@pytest.mark.parametrize("case", sorted(FORBIDDEN))
def test_the_checker_refuses(case: str) -> None:
    module, source = FORBIDDEN[case]
    modules = known_modules()
    assert len(wrong_imports({module: targets(module, source, modules)})) == 1


ALLOWED_FORMS = {
    "down": ("crisiscli.views.log", "from ..record.fold import IncidentState"),
    "own room, relative": ("crisiscli.walk.engine", "from . import flow"),
    "a listed peer": ("crisiscli.record.labels", "from ..playbook.template import render"),
    "types only": (
        "crisiscli.record.store",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from crisiscli.views import log",
    ),
    "rich at the edge": ("crisiscli.ui.screens", "from rich.text import Text"),
    "the version": ("crisiscli.record.checkpoint", "from crisiscli import __version__"),
    "python -m": ("crisiscli.__main__", "from crisiscli.cli.app import entry"),
}


@pytest.mark.parametrize("case", sorted(ALLOWED_FORMS))
def test_the_checker_lets_through(case: str) -> None:
    module, source = ALLOWED_FORMS[case]
    assert wrong_imports({module: targets(module, source, known_modules())}) == []


def test_a_cycle_through_relative_imports_is_seen() -> None:
    modules = known_modules()
    graph = {
        "crisiscli.walk.flow": targets("crisiscli.walk.flow", "from . import engine", modules),
        "crisiscli.walk.engine": targets("crisiscli.walk.engine", "from .flow import x", modules),
    }
    assert graph == {
        "crisiscli.walk.flow": {"crisiscli.walk.engine"},
        "crisiscli.walk.engine": {"crisiscli.walk.flow"},
    }


def test_the_architecture_names_every_module() -> None:
    """docs/architecture.md names every module of the package (by its name, in its room)."""
    import re

    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    rooms = text[text.index("## Rooms") : text.index("## Directions of dependence")]
    missing = [
        module
        for module in known_modules()
        if module != "crisiscli"
        and not re.search(rf"(?<![\w.]){re.escape(module.rpartition('.')[2])}(?![\w])", rooms)
    ]
    assert not missing, "modules docs/architecture.md does not name: " + ", ".join(missing)
