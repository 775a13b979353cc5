"""What the responder sees: a calm header, progress, deadlines, guidance. Rich lives here.

User and playbook text is always wrapped in ``rich.text.Text`` (never parsed as markup)
after control characters are made visible; guidance is rendered as markdown with
hyperlinks off so a playbook cannot smuggle terminal links.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from crisiscli.deadlines import format_duration
from crisiscli.playbook.model import Question
from crisiscli.prompts import RunSummary, StepView
from crisiscli.text import one_line, visible_controls

SEVERITY_STYLE = {
    "low": "green",
    "moderate": "yellow",
    "high": "bold red",
    "critical": "bold white on red",
}


def answer_label(question: Question, answer: object) -> str:
    """What the person chose, in the words they saw (choice labels, yes/no)."""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    labels = {c.value: c.label for c in question.choices}
    if isinstance(answer, list):
        return ", ".join(labels.get(str(a), str(a)) for a in answer)
    return labels.get(str(answer), str(answer))


def make_console(stream: TextIO, *, is_tty: bool) -> Console:
    return Console(
        file=stream, force_terminal=is_tty or None, highlight=False, emoji=False, soft_wrap=False
    )


def safe(text: str, style: str = "") -> Text:
    return Text(visible_controls(text), style=style)


def header(view: StepView) -> Panel:
    title = Text()
    if view.drill:
        title.append(" DRILL ", style="bold black on yellow")
        title.append(" ")
    title.append_text(safe(one_line(view.title), "bold"))
    meta = Text()
    meta.append(f"severity {view.severity}", style=SEVERITY_STYLE.get(view.severity, "bold"))
    meta.append(f" · {format_duration(view.elapsed_seconds)} since start", style="dim")
    top = Table.grid(expand=True)
    top.add_column(ratio=1)
    top.add_column(justify="right")
    top.add_row(title, meta)
    progress = Table.grid(expand=True, padding=(0, 1))
    progress.add_column(ratio=2)
    progress.add_column(ratio=1)
    where = Text()
    where.append(f"Phase {view.phase_index}/{view.phase_count} ", style="dim")
    where.append_text(safe(one_line(view.phase_title), "bold cyan"))
    where.append(f"  ·  step {view.step_index} of {view.step_count}", style="dim")
    progress.add_row(
        where, ProgressBar(total=view.step_count, completed=view.done_count, width=None)
    )
    return Panel(
        Group(top, progress),
        border_style="red" if view.severity in ("high", "critical") else "blue",
    )


def deadline_lines(view: StepView, limit: int = 3) -> list[Text]:
    lines: list[Text] = []
    overdue = [d for d in view.deadlines if d.state == "overdue"]
    upcoming = [d for d in view.deadlines if d.state == "open"]
    for d in overdue:
        line = Text("  OVERDUE  ", style="bold white on red")
        line.append(" ")
        line.append_text(safe(one_line(d.label), "bold"))
        line.append(f" — {format_duration(-d.seconds_left(view.now))} late", style="red")
        lines.append(line)
    for d in upcoming[:limit]:
        left = d.seconds_left(view.now)
        line = Text("  due      ", style="bold yellow" if left < 600 else "dim")
        line.append(" ")
        line.append_text(safe(one_line(d.label)))
        line.append(f" — in {format_duration(left)}", style="yellow" if left < 600 else "dim")
        lines.append(line)
    return lines


def step_body(view: StepView) -> list[object]:
    parts: list[object] = []
    heading = Text()
    if view.revisit:
        heading.append("Deferred — back again before the end. ", style="yellow")
    heading.append_text(safe(one_line(view.step.title), "bold underline"))
    kind = "READ-DO" if view.step.checklist == "read-do" else "DO-CONFIRM"
    heading.append(f"   {kind}", style="dim")
    parts.append(heading)
    if view.guidance.strip():
        parts.append(Markdown(visible_controls(view.guidance), hyperlinks=False))
    shown_by_prompt = view.step.checklist == "do-confirm" and not any(
        iv.checked for iv in view.items
    )
    if view.items and not shown_by_prompt:
        checklist = Text()
        for iv in view.items:
            checklist.append(
                " [x] " if iv.checked else " [ ] ", style="green" if iv.checked else ""
            )
            checklist.append_text(safe(one_line(iv.text), "dim" if iv.checked else ""))
            checklist.append("\n")
        parts.append(checklist)
    answered = [qv for qv in view.questions if qv.answer is not None]
    for qv in answered:
        line = Text(" ")
        line.append_text(safe(one_line(qv.question.prompt), "dim"))
        line.append(" ")
        line.append_text(safe(one_line(answer_label(qv.question, qv.answer)), "bold"))
        parts.append(line)
    if view.message_text is not None:
        parts.append(Panel(safe(view.message_text), title="message", border_style="cyan"))
    if view.missing_values:
        parts.append(Text("Not filled in yet: " + ", ".join(view.missing_values), style="yellow"))
    others = [n for n in view.recent_notes if not n.mine]
    if others:
        notes = Text("Notes from others\n", style="bold")
        for note in others[-3:]:
            notes.append(f" {note.ts.astimezone().strftime('%H:%M')} ", style="dim")
            notes.append_text(safe(one_line(note.actor), "cyan"))
            notes.append(": ")
            notes.append_text(safe(one_line(note.text)))
            notes.append("\n")
        parts.append(notes)
    return parts


def show_step(console: Console, view: StepView, *, clear: bool) -> None:
    if clear:
        console.clear()
    console.print(header(view))
    for line in deadline_lines(view):
        console.print(line)
    console.print()
    for part in step_body(view):
        console.print(part)
    console.print()


def show_summary(console: Console, summary: RunSummary) -> None:
    if summary.status == "complete":
        console.print(Text("The walk-through is complete.", style="bold green"))
    else:
        console.print(
            Text("The walk-through is complete except deferred steps:", style="bold yellow")
        )
        for step in summary.deferred:
            console.print(safe(f"  - {step}"))
    counts = ", ".join(
        f"{n} {word.replace('_', ' ')}" for word, n in sorted(summary.counts.items())
    )
    console.print(Text(f"Steps: {counts}", style="dim"))
    missed = [d for d in summary.deadlines if d.state == "missed"]
    met = [d for d in summary.deadlines if d.state == "met"]
    if summary.deadlines:
        console.print(Text(f"Deadlines: {len(met)} met, {len(missed)} missed", style="dim"))
    if summary.drill and summary.step_times:
        table = Table(title="Drill timing", show_edge=False)
        table.add_column("Step")
        table.add_column("Time", justify="right")
        for title, seconds in summary.step_times:
            table.add_row(safe(one_line(title)), format_duration(seconds))
        console.print(table)
    console.print(Text("Log: ", style="dim") + safe(summary.log_path))
