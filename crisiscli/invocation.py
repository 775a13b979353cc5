"""How the person ran crisis, so every hint prints a command that works as printed.

After the README's quick start (``.venv/bin/crisis start``) a bare ``crisis resume …``
would be "command not found". Hints therefore name the program the way it was invoked:
``crisis`` when that is what the shell finds, else the path as typed, or
``python -m crisiscli``.
"""

from __future__ import annotations

import functools
import os
import re
import sys


def program() -> str:
    import shlex
    import shutil

    argv0 = sys.argv[0] if sys.argv else ""
    if argv0.endswith(("crisiscli/__main__.py", "crisiscli")) or argv0 == "-m":
        return f"{shlex.quote(sys.executable)} -m crisiscli"
    if os.path.basename(argv0) != "crisis" or os.sep not in argv0:
        return "crisis"  # found on PATH (or not run as the crisis script at all: tests)
    found = shutil.which("crisis")
    try:
        if found and os.path.samefile(found, argv0):
            return "crisis"
    except OSError:
        pass
    return shlex.quote(argv0)


@functools.cache
def _command_pattern() -> re.Pattern[str]:
    """``crisis <name>`` for the real command names (and ``--help``) only, so a note that reads "the crisis
    is over" is never rewritten. The names are the files of ``cli/commands`` (listed, not
    imported: this base module stays below the cli layer)."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli", "commands")
    names = sorted(
        (n[:-3] for n in os.listdir(folder) if n.endswith(".py") and not n.startswith("_")),
        key=len,
        reverse=True,
    )
    words = "|".join([*names, "--help", "--version"])  # and the top-level options hints name
    return re.compile(r"(?<![\w/.-])crisis (?=(?:" + words + r")(?![\w-]))")


def as_typed(text: str) -> str:
    """``text`` with each ``crisis <command>`` spelled as this process was invoked."""
    if "crisis " not in text:
        return text
    prog = program()
    return text if prog == "crisis" else _command_pattern().sub(prog + " ", text)


def closest_command(typed: str, names: list[str]) -> str | None:
    """The command a typo meant: ``strat``/``statr`` → ``start`` (a swap of two letters
    costs one edit, as people mistype), ties broken by shared letters."""
    scored = sorted((_distance(typed, name), -len(set(typed) & set(name)), name) for name in names)
    if not scored:
        return None
    best = scored[0]
    return best[2] if best[0] <= max(1, len(typed) // 3) else None


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]
