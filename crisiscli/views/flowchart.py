"""``crisis show PLAYBOOK --flow``: a playbook as a Mermaid flowchart.

Steps are boxes grouped by phase; an arrow is drawn for every move a walk-through really
makes, as found by the path explorer (``crisiscli.walk.paths``), so a branch that no
answer can take is not drawn. Arrows of ``goto`` rules carry their condition; a step
that only applies sometimes shows its ``when`` inside its box, with its deadline and
its message.

Every text from the playbook is untrusted: labels keep letters, digits, spaces and a few
harmless marks, and write everything else as a Mermaid entity code (``#34;``), so a
title with quotes, brackets, pipes, backticks, ``%%``, HTML or a line break can neither
break the chart nor add anything to it. Control, bidi and invisible characters are shown
as every other view shows them (``<U+202E>``, ``\\x07``: ``text.visible``); a line break or
tab is a space.
"""

from __future__ import annotations

import unicodedata

from crisiscli.playbook import model as m
from crisiscli.walk.paths import Exploration, explore

MAX_LABEL = 80  # characters of one label line before it is cut with an ellipsis
_SAFE_MARKS = frozenset(" .,:!?'()-/=")


def label_text(text: str, limit: int = MAX_LABEL) -> str:
    """One line of a label, safe inside ``"…"`` in any Mermaid flowchart position."""
    from crisiscli.text import visible

    spaced = "".join(" " if char.isspace() else char for char in text)
    line = " ".join(visible(spaced).split())
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    out = []
    for char in line:
        if char in _SAFE_MARKS or (char.isalnum() and unicodedata.category(char)[0] in "LN"):
            out.append(char)
        else:
            out.append(f"#{ord(char)};")
    # Mermaid strips the last ';' of any line holding "style…:…#…;" or "classDef…" before
    # it reads entity codes (meant for colours); an entity code for the first letter keeps
    # these words in a label from cutting an entity short.
    return "".join(out).replace("style", "#115;tyle").replace("classDef", "#99;lassDef")


def condition_text(cond: m.Condition) -> str:
    """A condition in words: ``grade = low and not (source in ours, personal-post)``."""
    if isinstance(cond, m.Equals):
        if len(cond.values) == 1:
            return f"{cond.ref} = {cond.values[0]}"
        return f"{cond.ref} in {', '.join(cond.values)}"
    if isinstance(cond, m.Not):
        return f"not ({condition_text(cond.condition)})"
    joiner = " and " if isinstance(cond, m.AllOf) else " or "
    parts = [condition_text(c) for c in cond.conditions]
    if len(parts) == 1:
        return parts[0]
    return joiner.join(
        f"({p})" if isinstance(c, (m.AllOf, m.AnyOf)) else p
        for p, c in zip(parts, cond.conditions, strict=True)
    )


def _node_label(step: m.Step) -> str:
    lines = [label_text(step.title)]
    if step.when is not None:
        lines.append(label_text("when " + condition_text(step.when)))
    extra = []
    if step.due is not None:
        extra.append(f"due {step.due.text}")
    if step.message is not None:
        approved = ", approved" if step.message.approval else ""
        extra.append(f"{step.message.kind} message{approved}")
    if extra:
        lines.append(label_text(" · ".join(extra)))
    return "<br/>".join(lines)


def render_flowchart(playbook: m.Playbook, exploration: Exploration | None = None) -> str:
    """The Mermaid source (``flowchart TD``) of a playbook."""
    exploration = exploration or explore(playbook)
    ids = {step.id: f"s{i + 1}" for i, step in enumerate(playbook.steps)}
    out = ["flowchart TD"]
    out.append(f"  %% {label_text(playbook.title)} ({label_text(playbook.id)})")
    if exploration.sampled:
        out.append(f"  %% {label_text(exploration.note() or '', 200)}")
    out.append('  start(["Start"])')
    for pi, phase in enumerate(playbook.phases):
        title = f"{pi + 1}. {phase.title}" + (" (required)" if phase.required else "")
        out.append(f'  subgraph p{pi + 1}["{label_text(title)}"]')
        out.append("    direction TB")
        for step in phase.steps:
            out.append(f'    {ids[step.id]}["{_node_label(step)}"]')
        out.append("  end")
    out.append('  finish(["End"])')
    edges: dict[tuple[str, str], str] = {}
    for t in exploration.transitions:
        source = "start" if t.visit is None else ids[t.visit.step]
        target = "finish" if t.target is None else ids[t.target.step]
        label = ""
        if t.visit is not None and t.move.how in ("branch", "end"):
            step = playbook.step(t.visit.step)
            rule = next((b for b in step.goto if _taken(b, t, exploration)), None)
            if rule is not None:
                words = "goto end" if rule.to == m.END else "goto"
                label = condition_text(rule.when) if rule.when is not None else words
                if rule.to == m.END and rule.when is not None:
                    label = f"{label}: goto end"
        key = (source, target)
        if key not in edges or (label and not edges[key]):
            edges[key] = label
    rank = {"start": -1, "finish": len(ids), **{v: i for i, v in enumerate(ids.values())}}
    for (source, target), label in sorted(
        edges.items(), key=lambda e: (rank[e[0][0]], rank[e[0][1]])
    ):
        if label:
            out.append(f'  {source} -->|"{label_text(label)}"| {target}')
        else:
            out.append(f"  {source} --> {target}")
    return "\n".join(out) + "\n"


def _taken(rule: m.Branch, t: object, exploration: Exploration) -> bool:
    """Is ``rule`` the goto rule this transition followed?"""
    from crisiscli.walk.flow import Flow
    from crisiscli.walk.paths import Transition

    assert isinstance(t, Transition) and t.source is not None and t.visit is not None
    answers = dict(t.source.answers)
    answers.update({k: v for k, v in t.visit.answers if v is not None})
    step = exploration.playbook.step(t.visit.step)
    return Flow(exploration.playbook).branch(step, answers) is rule
