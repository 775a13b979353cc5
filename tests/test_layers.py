"""The folders show the design: imports only go down the layers, and never in a circle.

Every ``import`` in crisiscli/ is read (also those inside functions, which are how heavy
modules are kept off the quick paths; ``if TYPE_CHECKING:`` blocks are types, not imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "crisiscli"
# Rooms, lowest first. A module may import its own room and any lower one.
LAYERS = {
    "base": 0,  # timeutil, fsutil, text, errors, env, config, __init__, __main__
    "playbook": 1,
    "record": 1,
    "messages": 2,
    "team": 2,
    "queue": 3,
    "walk": 3,
    "views": 4,
    "lint": 4,
    "ui": 5,
    "cli": 6,
}
# Deliberate, documented exceptions (docs/architecture.md).
ALLOWED = {
    ("crisiscli.env", "crisiscli.views.log"),  # the environment composes the derived files
    ("crisiscli.config", "crisiscli.messages.platforms"),  # known platform names, lazily
    ("crisiscli.record.labels", "crisiscli.playbook.template"),
    ("crisiscli.__main__", "crisiscli.cli.app"),
}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in LAYERS else "base"


def imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []  # types only
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("crisiscli"):
                    for alias in node.names:
                        full = f"{node.module}.{alias.name}"
                        is_module = (PACKAGE.parent / full.replace(".", "/")).with_suffix(".py")
                        targets.add(full if is_module.exists() else node.module)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("crisiscli"))
        found[module] = targets - {module}
    return found


def test_imports_go_down_the_layers() -> None:
    wrong = []
    for module, targets in imports().items():
        for target in targets:
            if target in ("crisiscli",) or (module, target) in ALLOWED:
                continue
            if LAYERS[room(target)] > LAYERS[room(module)]:
                wrong.append(f"{module} → {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in graph.get(node, ()):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)
