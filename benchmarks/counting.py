"""How fast a message is counted: the composer re-counts on every keystroke or edit.

Goal: under 1 ms per 500-character text on X (twitter-text's weighted count: link search by
its TLD list and URL character classes, emoji sequences, NFC), the rule with the most work.
Measured per text, best of several runs, on four 500-character texts: English with links and
emoji, Japanese with a link glued to the text, Japanese without links, plain English. The
baseline, measured in the same run, is ``unicodedata.normalize("NFC", text)`` on the same
text: the least any counter must do (the ratio shows how much more the rules cost). Bluesky
and Mastodon (grapheme clusters) are reported too, without a target.
Contract: ``run(smoke) -> list[dict]`` (see benchmarks/run.py).
"""

from __future__ import annotations

import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crisiscli.messages import platforms

BUDGET = 0.001  # seconds per 500-character text

TEXTS = {
    "english, links, emoji": (
        "We are sorry for the post. Read https://example.com/statement and example.de/faq. "
        "\U0001f44d\U0001f3fd "
    ),
    "japanese, link glued": (
        "お客様にはご迷惑をおかけし申し訳ございません。詳細は https://example.jp/infoをご覧ください。"
    ),
    "japanese, no link": "お客様にはご迷惑をおかけし申し訳ございません。",
    "plain english": "We are sorry for the post we made last night. ",
}


def _text(unit: str) -> str:
    return (unit * (500 // len(unit) + 1))[:500]


def _per_call(fn, text: str, calls: int, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn(text)
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def run(smoke: bool = False) -> list[dict[str, object]]:
    calls, repeat = (20, 2) if smoke else (300, 7)
    platforms.count("warm up example.com \U0001f44d", "x")  # patterns compile once, lazily
    rows: list[dict[str, object]] = []
    for label, unit in TEXTS.items():
        text = _text(unit)
        base = _per_call(lambda t: unicodedata.normalize("NFC", t), text, calls, repeat)
        for platform in ("x", "bluesky", "mastodon"):
            seconds = _per_call(lambda t, p=platform: platforms.count(t, p), text, calls, repeat)
            timed = platform == "x"
            rows.append(
                {
                    "name": f"count {platform}: 500 chars, {label}",
                    "seconds": seconds,
                    "baseline_name": "NFC",
                    "baseline_seconds": base,
                    "ratio": seconds / base if base else None,
                    "target": "< 1 ms per text" if timed else None,
                    "ok": (seconds < BUDGET) if timed and not smoke else None,
                }
            )
    return rows
