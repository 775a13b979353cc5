"""A playbook as a printable markdown checklist (``crisis show``)."""

from __future__ import annotations

from crisiscli.playbook.model import AllOf, Condition, Equals, Not, Playbook


def describe_condition(cond: Condition) -> str:
    if isinstance(cond, Equals):
        return f"{cond.ref} is {' or '.join(cond.values)}"
    if isinstance(cond, Not):
        return f"not ({describe_condition(cond.condition)})"
    joiner = " and " if isinstance(cond, AllOf) else " or "
    return joiner.join(f"({describe_condition(c)})" for c in cond.conditions)


def render_checklist(playbook: Playbook) -> str:
    out = [f"# {playbook.title}", ""]
    out.append(f"`{playbook.id}` v{playbook.version} · {playbook.kind} · {playbook.language}")
    out.append("")
    if playbook.description:
        out += [playbook.description.strip(), ""]
    if playbook.inputs:
        out += ["**Asked at the start:**", ""]
        out += [f"- {q.prompt}" for q in playbook.inputs]
        out.append("")
    number = 0
    for phase in playbook.phases:
        out += [f"## {phase.title}", ""]
        if phase.description:
            out += [phase.description.strip(), ""]
        for step in phase.steps:
            number += 1
            extras = []
            if step.due:
                extras.append(f"due {step.due.text} after start")
            if step.checklist == "read-do":
                extras.append("READ-DO")
            if step.when is not None:
                extras.append(f"only if {describe_condition(step.when)}")
            suffix = f" _({'; '.join(extras)})_" if extras else ""
            out += [f"### {number}. {step.title}{suffix}", ""]
            if step.guidance.strip():
                out += [step.guidance.strip(), ""]
            for item in step.items:
                cond = f" _(if {describe_condition(item.when)})_" if item.when else ""
                out.append(f"- [ ] {item.text}{cond}")
            for q in step.questions:
                choices = f" ({' / '.join(c.label for c in q.choices)})" if q.choices else ""
                out.append(f"- ? {q.prompt}{choices}")
            if step.message is not None:
                platforms = ", ".join(step.message.platforms) or "any platform"
                approval = " · needs approval" if step.message.approval else ""
                out += ["", f"Message ({step.message.kind}, {platforms}{approval}):", ""]
                out += [f"> {line}" for line in step.message.template.strip().splitlines()]
            for branch in step.goto:
                when = f" if {describe_condition(branch.when)}" if branch.when else ""
                out.append(f"- → go to `{branch.to}`{when}")
            out.append("")
    if playbook.exit_criteria:
        out += ["## Exit criteria", ""]
        out += [f"- [ ] {c}" for c in playbook.exit_criteria]
        out.append("")
    return "\n".join(out)
