"""What the responder sees: a calm header, progress, deadlines, guidance. Rich lives here.

User and playbook text is always wrapped in ``rich.text.Text`` (never parsed as markup)
after control characters are made visible; guidance is rendered as markdown with
hyperlinks off so a playbook cannot smuggle terminal links.
"""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from crisiscli.i18n import Catalogue
from crisiscli.invocation import as_typed
from crisiscli.messages.checks import Review
from crisiscli.playbook.model import Question
from crisiscli.text import one_line, visible_controls
from crisiscli.walk.deadlines import format_duration
from crisiscli.walk.prompter import RunSummary, StepView

SEVERITY_STYLE = {
    "low": "green",
    "moderate": "yellow",
    "high": "bold red",
    "critical": "bold white on red",
}


def answer_label(question: Question, answer: object, words: Catalogue | None = None) -> str:
    """What the person chose, in the words they saw (choice labels, yes/no)."""
    if isinstance(answer, bool):
        return (words or Catalogue()).t("yes" if answer else "no")
    labels = {c.value: c.label for c in question.choices}
    if isinstance(answer, list):
        shown = ", ".join(labels.get(str(a), str(a)) for a in answer)
        return shown or (words or Catalogue()).t("none_chosen")
    return labels.get(str(answer), str(answer))


def make_console(stream: TextIO, *, is_tty: bool) -> Console:
    return Console(
        file=stream, force_terminal=is_tty or None, highlight=False, emoji=False, soft_wrap=False
    )


def safe(text: str, style: str = "") -> Text:
    return Text(visible_controls(text), style=style)


def header(view: StepView, words: Catalogue | None = None) -> Panel:
    """Two calm lines whatever the width: the incident's title (cut with an ellipsis, never
    wrapped), then severity, phase and step. Time lives in the live status line."""
    w = words or Catalogue()
    title = Text(no_wrap=True, overflow="ellipsis")
    if view.drill:
        title.append(" DRILL ", style="bold black on yellow")
        title.append(" ")
    title.append_text(safe(one_line(view.title), "bold"))
    where = Text(no_wrap=True, overflow="ellipsis")
    where.append(
        w.t("screen.severity", level=w.level(view.severity)),
        style=SEVERITY_STYLE.get(view.severity, "bold"),
    )
    # The step before the phase: on a narrow screen the phase's title is what gets cut.
    where.append(
        "  ·  " + w.t("screen.step_of", index=view.step_index, count=view.step_count), style="dim"
    )
    where.append(
        "  ·  " + w.t("screen.phase", index=view.phase_index, count=view.phase_count) + " ",
        style="dim",
    )
    where.append_text(safe(one_line(view.phase_title), "bold cyan"))
    progress = Table.grid(expand=True, padding=(0, 1))
    progress.add_column(ratio=1, no_wrap=True)
    progress.add_column(width=10)
    progress.add_row(where, ProgressBar(total=view.step_count, completed=view.done_count, width=10))
    rows: list[object] = [title, progress]
    if view.roles:
        roles = Text(no_wrap=True, overflow="ellipsis")
        for n, (role, person) in enumerate(view.roles):
            roles.append(" · " if n else "", style="dim")
            roles.append(f"{role} ", style="dim")
            roles.append_text(safe(one_line(person)))
        rows.append(roles)
    for waiting in view.waiting:  # e.g. "waiting for approval from Dana — 3m"
        rows.append(safe(one_line(waiting), "yellow"))
    if view.drill:
        rows.append(Text(w.t("screen.drill"), style="yellow"))
    return Panel(
        Group(*rows),  # type: ignore[arg-type]
        border_style="red" if view.severity in ("high", "critical") else "blue",
    )


def clock_time(moment: datetime, now: datetime | None = None) -> str:
    """ "06:16" today; "8 Dec 06:16" on another day: a 24-hour check due tomorrow at the
    hour it is now must not read as due this minute."""
    local = moment.astimezone()
    if now is not None and local.date() != now.astimezone().date():
        return f"{local.day} {local.strftime('%b %H:%M')}"
    return local.strftime("%H:%M")


def deadline_lines(view: StepView, limit: int = 3, words: Catalogue | None = None) -> list[Text]:
    """Deadlines as clock times, which never go stale; the countdown is on the status line."""
    w = words or Catalogue()
    lines: list[Text] = []
    overdue = [
        d
        for d in view.deadlines
        if d.state == "overdue" or (d.state == "open" and d.seconds_left(view.now) < 0)
    ]
    upcoming = [d for d in view.deadlines if d not in overdue and d.state == "open"]
    for d in overdue:
        line = Text(
            f"  {w.t('screen.overdue_since', at=clock_time(d.due_at, view.now))}  ",
            style="bold white on red",
        )
        line.append(" ")
        line.append_text(safe(one_line(d.name), "bold"))
        lines.append(line)
    for d in upcoming[:limit]:
        soon = d.seconds_left(view.now) < 600
        line = Text(
            f"  {w.t('screen.due', at=clock_time(d.due_at, view.now))}",
            style="bold yellow" if soon else "dim",
        )
        line.append("  ")
        line.append_text(safe(one_line(d.name)))
        lines.append(line)
    return lines


def follow_up_lines(view: StepView, limit: int = 3, words: Catalogue | None = None) -> list[Text]:
    """Open off-platform follow-ups (``crisis contact``), overdue first."""
    w = words or Catalogue()
    lines: list[Text] = []
    for fu in view.follow_ups[:limit]:
        left = fu.seconds_left(view.now)
        if fu.overdue:
            line = Text("  " + w.t("screen.follow_up_overdue"), style="bold white on red")
            when = " — " + w.t("screen.late", late=format_duration(-left))
        else:
            line = Text(
                "  " + w.t("screen.follow_up"), style="bold yellow" if left < 600 else "dim"
            )
            when = " — " + w.t("screen.in", left=format_duration(left))
        line.append(" ")
        line.append_text(safe(one_line(fu.who), "bold"))
        where = safe(f" ({fu.channel}, {fu.outcome}){when}", "red" if fu.overdue else "dim")
        line.append_text(where)
        line.append(f"  [{as_typed('crisis contact done')} {fu.contact_id}]", style="dim")
        lines.append(line)
    hidden = len(view.follow_ups) - limit
    if hidden > 0:
        more = w.t("screen.more_follow_ups", count=hidden, command=as_typed("crisis contact list"))
        lines.append(Text(f"  … {more}", style="dim"))
    return lines


def reply_lines(view: StepView, limit: int = 5, words: Catalogue | None = None) -> list[Text]:
    """The reply ledger at a ``per_person`` step: who still waits first, then the rest."""
    w = words or Catalogue()
    replied = sum(1 for r in view.replies if not r.unanswered)
    if not view.replies:
        return [Text(w.t("screen.replies_empty"), style="bold")]
    lines = [Text(w.t("screen.replies", replied=replied, total=len(view.replies)), style="bold")]
    ordered = sorted(view.replies, key=lambda r: not r.unanswered)
    for thread in ordered[:limit]:
        line = Text("  ")
        line.append_text(safe(one_line(thread.who), "bold" if thread.unanswered else ""))
        if thread.platform:
            line.append_text(safe(f" ({thread.platform})", "dim"))
        if thread.outcome:
            said = w.t(f"replies.outcome.{thread.outcome}")
        elif thread.sent_at is not None:
            said = w.t("screen.reply_sent", time=clock_time(thread.sent_at, view.now))
        else:
            said = w.t("screen.reply_none")
        line.append(" — " + said, style="yellow" if thread.unanswered else "dim")
        lines.append(line)
    hidden = len(ordered) - limit
    if hidden > 0:
        more = w.t("screen.more_replies", count=hidden, command=as_typed("crisis reply list"))
        lines.append(Text(f"  … {more}", style="dim"))
    return lines


def checklist_table(view: StepView) -> Table:
    """Ticked and unticked items; a long item wraps under itself instead of being cut."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for iv in view.items:
        mark = Text("[x]" if iv.checked else "[ ]", style="green" if iv.checked else "")
        table.add_row(mark, safe(one_line(iv.text), "dim" if iv.checked else ""))
    return table


def step_body(view: StepView, words: Catalogue | None = None) -> list[object]:
    w = words or Catalogue()
    parts: list[object] = []
    heading = Text()
    if view.revisit:
        heading.append(w.t("deferred_back") + " ", style="yellow")
    elif view.recalled:
        said = "deferred_recalled_overdue" if view.recalled_overdue else "deferred_recalled"
        heading.append(w.t(said) + " ", style="yellow")
    heading.append_text(safe(one_line(view.step.title), "bold underline"))
    kind = "READ-DO" if view.step.checklist == "read-do" else "DO-CONFIRM"
    heading.append(f"   {kind}", style="dim")
    parts.append(heading)
    if view.guidance.strip():
        parts.append(Markdown(visible_controls(view.guidance), hyperlinks=False))
    # A DO-CONFIRM list is shown by its prompt, except at a ledger step: there the prompt
    # comes at "done", and the list says what the replies are to do meanwhile.
    ledger_step = view.step.message is not None and view.step.message.per_person
    shown_by_prompt = (
        view.step.checklist == "do-confirm"
        and not ledger_step
        and not any(iv.checked for iv in view.items)
    )
    if view.items and not shown_by_prompt:
        parts.append(checklist_table(view))
    answered = [qv for qv in view.questions if qv.answer is not None]
    for qv in answered:
        line = Text(" ")
        line.append_text(safe(one_line(qv.question.prompt), "dim"))
        line.append(" ")
        line.append_text(safe(one_line(answer_label(qv.question, qv.answer, w)), "bold"))
        parts.append(line)
    if view.message_text is not None:
        review = view.message_review
        over = review is not None and any(ln.over for ln in review.lengths)
        parts.append(
            Panel(
                safe(view.message_text),
                title=w.t("screen.message"),
                border_style="red" if over else "cyan",
            )
        )
        if review is not None:
            parts.extend(review_parts(review, brief=True, words=w))
        if view.step.message is not None and view.step.message.approval:
            word = one_line(view.approval or "not approved")
            if view.message_approved_by:
                parts.append(safe(w.t("screen.approval", outcome=word), "green"))
            else:
                parts.append(safe(w.t("screen.approval_missing", outcome=word), "bold yellow"))
    if view.replies or (view.step.message is not None and view.step.message.per_person):
        parts.extend(reply_lines(view, words=w))
    if view.mentions:
        parts.append(safe(one_line(view.mentions.capitalize()), "bold"))
    if view.missing_values:
        parts.append(
            Text(w.t("screen.not_filled", names=", ".join(view.missing_values)), style="yellow")
        )
    others = [n for n in view.recent_notes if not n.mine]
    if others:
        notes = Text(w.t("screen.notes_from_others") + "\n", style="bold")
        for note in others[-3:]:
            notes.append(f" {note.ts.astimezone().strftime('%H:%M')} ", style="dim")
            notes.append_text(safe(one_line(note.actor), "cyan"))
            notes.append(": ")
            notes.append_text(safe(one_line(note.text)))
            notes.append("\n")
        parts.append(notes)
    return parts


FINDING_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def length_line(review: Review, words: Catalogue | None = None) -> Text:
    """``x 312/280  OVER LIMIT by 32 · bluesky 150/300``: counts as each platform counts."""
    w = words or Catalogue()
    line = Text(w.t("screen.length") + "  ", style="bold")
    for i, ln in enumerate(review.lengths):
        if i:
            line.append(" · ", style="dim")
        if ln.over:
            line.append(f" {ln.platform} {ln.count}/{ln.limit} ", style="bold white on red")
            line.append(" " + w.t("screen.over_limit", over=ln.over), style="bold red")
        elif ln.limit is None:
            line.append(f"{ln.platform} {ln.count}", style="")
        else:
            near = ln.count > ln.limit * 0.9
            line.append(f"{ln.platform} {ln.count}/{ln.limit}", style="yellow" if near else "green")
    if not review.lengths:
        line.append(w.t("screen.no_platform"), style="dim")
    return line


def review_parts(
    review: Review, *, brief: bool = False, words: Catalogue | None = None
) -> list[Text]:
    """Lengths and findings of a message; ``brief`` leaves out the info-level lists."""
    w = words or Catalogue()
    parts: list[Text] = [length_line(review, w)]
    # Brief views leave out info-level lists, but never the notice that spelling went unchecked.
    findings = [
        f for f in review.findings if not (brief and f.severity == "info" and f.rule != "spelling")
    ]
    for finding in findings:
        if finding.rule == "length" and finding.severity == "error":
            continue  # already shown, loudly, on the length line
        mark = w.t(f"screen.finding.{finding.severity}")
        line = Text(f" {mark}  ", style=FINDING_STYLE[finding.severity])
        line.append_text(safe(one_line(finding.message), FINDING_STYLE[finding.severity]))
        parts.append(line)
    if review.override and review.errors:
        parts.append(safe(w.t("screen.overridden", reason=one_line(review.override)), "yellow"))
    elif review.blocked:
        parts.append(Text(w.t("screen.blocked"), style="bold red"))
    return parts


def show_review(console: Console, review: Review, words: Catalogue | None = None) -> None:
    w = words or Catalogue()
    border = "red" if review.blocked else "cyan"
    console.print(Panel(safe(review.text), title=w.t("screen.message"), border_style=border))
    for part in review_parts(review, words=w):
        console.print(part)


def show_step(
    console: Console, view: StepView, *, clear: bool, words: Catalogue | None = None
) -> None:
    if clear:
        console.clear()
    console.print(header(view, words))
    for line in deadline_lines(view, words=words):
        console.print(line)
    for line in follow_up_lines(view, words=words):
        console.print(line)
    console.print()
    for part in step_body(view, words):
        console.print(part)
    console.print()


def show_summary(console: Console, summary: RunSummary, words: Catalogue | None = None) -> None:
    w = words or Catalogue()
    if summary.drill:
        console.print(
            Text(" DRILL ", style="bold black on yellow") + Text(" " + w.t("summary.drill_done"))
        )
    if not summary.open_steps:
        console.print(Text(w.t("summary.complete"), style="bold green"))
    else:
        console.print(Text(w.t("summary.unfinished"), style="bold yellow"))
        for title, status in summary.open_steps:
            word = w.t("summary.deferred_step" if status == "deferred" else "summary.active_step")
            console.print(safe(f"  - {one_line(title)} ({word})"))
    counts = ", ".join(
        f"{n} {w.t('summary.status.' + word)}" for word, n in sorted(summary.counts.items())
    )
    console.print(Text(w.t("summary.steps", counts=counts), style="dim"))
    missed = [d for d in summary.deadlines if d.state == "missed"]
    met = [d for d in summary.deadlines if d.state == "met"]
    if summary.deadlines:
        console.print(Text(w.t("summary.deadlines", met=len(met), missed=len(missed)), style="dim"))
    if summary.drill and summary.step_times:
        table = Table(title=w.t("summary.drill_timing"), show_edge=False)
        table.add_column(w.t("summary.step"))
        table.add_column(w.t("summary.time"), justify="right")
        for title, seconds in summary.step_times:
            table.add_row(safe(one_line(title)), format_duration(round(seconds)))
        console.print(table)
    console.print(Text(w.t("summary.log"), style="dim") + safe(summary.log_path))
