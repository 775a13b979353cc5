"""The prompts themselves, built on prompt_toolkit: a menu, a checklist, a yes/no and a text.

What they promise a stressed person (issue 11):

- **Esc never ends a run nor picks anything.** Each prompt is told what Esc means there:
  ``back`` raises ``GoBack`` (the engine returns to the step menu and says so), ``stay``
  leaves the prompt open and says on screen that Esc does nothing here.
- **No keystroke typed for one prompt acts on the next.** Yes/no waits for Enter, and a new
  prompt drops type-ahead (prompt_toolkit's stored keys and the terminal's input queue)
  before it reads anything; an Enter that arrives within ``GUARD_SECONDS`` after the last
  prompt closed chooses nothing on a menu or a yes/no (it says so: press Enter again).
- **Words typed are never lost by hesitating (issue 22).** In a text prompt with words
  typed, Esc does not leave at once: it asks, under the text, for Esc again (back; a note
  or a message is kept as a draft, anything else dropped) or Enter (saved). Esc then Enter
  therefore saves whether the two keys came together (Alt-Enter) or seconds apart, and no
  timeout decides what happens to the words. Ctrl-C keeps a note's or message's words as a
  draft before the run stops (``LeftWithDraft``/``InterruptedWithDraft``).
- **Menus stop at their ends.** Up at the first entry stays there: it never wraps round
  onto "Pause", "Skip" or "Not applicable" at the bottom.
- **A live status line** under every prompt: the incident, the step, time since start and
  the next deadline counting down, redrawn twice a second (the bell when a deadline passes
  is the walk-through's notifier's, walk/notifier.py).
- **Nothing is cut.** Long choices wrap under their own indent instead of being truncated,
  and the answer line after a choice shows the whole label.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from prompt_toolkit.application import Application, get_app
from prompt_toolkit.filters import is_done
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.formatted_text.utils import fragment_list_width
from prompt_toolkit.input import Input
from prompt_toolkit.input.typeahead import clear_typeahead
from prompt_toolkit.key_binding import KeyBindings, KeyBindingsBase, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from crisiscli.i18n import Catalogue
from crisiscli.walk.prompter import Changed, GoBack, InterruptedWithDraft, LeftWithDraft
from crisiscli.width import display_width, wrap

STYLE = Style.from_dict(
    {
        "qmark": "fg:#d70000 bold",
        "question": "bold",
        "answer": "fg:#5f87ff bold",
        "pointer": "bold",
        "selected": "bold",
        "checked": "fg:#00af00",
        "hint": "fg:#808080",
        "notice": "fg:#d7af00 bold",
        "status": "reverse",
        "status.overdue": "bg:#d70000 fg:#ffffff bold",
        "error": "fg:#d70000 bold",
        "bottom-toolbar": "noreverse",
    }
)
TICK_SECONDS = 0.5
WATCH_SECONDS = 2.0
GUARD_SECONDS = 0.5  # an Enter this soon after the last prompt closed chooses nothing
CURSOR_CELLS = 2  # a text prompt's question needs its row less these to stay beside the answer


class StatusSource(Protocol):
    def lines(self, width: int) -> StyleAndTextTuples: ...


def wrap_fragments(fragments: StyleAndTextTuples, width: int) -> StyleAndTextTuples:
    """Styled text word-wrapped to ``width`` cells (the terminal would cut words in two)."""
    out: StyleAndTextTuples = []
    used = 0
    for fragment in fragments:
        style, text = fragment[0], fragment[1]
        for n, part in enumerate(text.split("\n")):
            if n:
                out.append(("", "\n"))
                used = 0
            for word in re.split(r"(?<= )", part):  # each word keeps its trailing space
                if not word:
                    continue
                size = display_width(word.rstrip(" "))
                if used and used + size > width:
                    out[-1] = (out[-1][0], out[-1][1].rstrip(" "))  # no space hanging at the edge
                    out.append(("", "\n"))
                    used = 0
                for line in wrap(word, width)[:-1] if size > width else []:
                    out += [(style, line), ("", "\n")]
                if size > width:
                    word = wrap(word, width)[-1]
                out.append((style, word))
                used += display_width(word)
    return out


def key_lines(hint: str, width: int) -> list[str]:
    """A key line ("↑↓ move · Enter choose · Ctrl-C stop") broken between its parts, so a
    key never stands on one line and what it does on the next; a part wider than the line
    is wrapped at its spaces."""
    lines: list[str] = []
    current = ""
    for part in hint.split(" · "):
        candidate = f"{current} · {part}" if current else part
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = wrap(part, width)
        lines += pieces[:-1]
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines


@functools.cache
def default_bindings() -> KeyBindingsBase:
    """prompt_toolkit's default key bindings, built once for every prompt of the run."""
    from prompt_toolkit.key_binding.defaults import load_key_bindings

    return load_key_bindings()


def share_default_bindings() -> None:
    """Every prompt_toolkit ``Application`` builds its default key bindings (some hundreds)
    and indexes them again at its first key. They are the same for every prompt, and their
    filters are evaluated against the application that runs, so one set serves them all:
    this took a third of the time between Enter and the next screen (benchmarks/screen.py)."""
    from prompt_toolkit.application import application

    application.load_key_bindings = default_bindings  # type: ignore[attr-defined]


def drop_typeahead(inp: Input) -> None:
    """Forget every key typed before this prompt appeared."""
    clear_typeahead(inp)
    with contextlib.suppress(Exception):
        fd = inp.fileno()
        import os
        import termios

        if os.isatty(fd):
            termios.tcflush(fd, termios.TCIFLUSH)


@dataclass
class Prompts:
    """Builds and runs one prompt at a time; ``input``/``output`` are injected by tests."""

    words: Catalogue
    status: StatusSource | None = None
    input: Input | None = None
    output: Output | None = None
    notice: str = ""  # shown under the prompt until the next key
    # Called every WATCH_SECONDS while a prompt waits; an exception it raises ends the prompt
    # (another terminal took the walk-through over, or closed the incident).
    watchdog: Callable[[], None] | None = None
    _running: list[Application[Any]] = field(default_factory=list)
    _closed_at: float = -1e9  # time.monotonic() when the last prompt closed
    guard: float = GUARD_SECONDS  # 0 where keys come from a script at machine speed
    pointer: Any = None  # the value a menu's pointer was on when it last closed

    def _too_soon(self) -> bool:
        """An Enter within GUARD_SECONDS of the last prompt closing was meant for that
        prompt (a double press, Esc-Enter split in two): it chooses nothing here."""
        if time.monotonic() - self._closed_at < self.guard:
            self.notice = self.words.t("enter_too_soon")
            return True
        return False

    # -- the parts every prompt shares ---------------------------------------------------------

    def _width(self) -> int:
        try:
            return max(get_app().output.get_size().columns, 20)
        except Exception:  # no running app
            return 80

    def _footer(self, hint: str) -> Window:
        def fragments() -> StyleAndTextTuples:
            width = self._width()
            out: StyleAndTextTuples = []
            if self.notice:
                for line in wrap(self.notice, width - 1):
                    out += [("class:notice", line), ("", "\n")]
            for line in key_lines(hint, width - 1):  # wrapped, never cut: the keys are the point
                out += [("class:hint", line), ("", "\n")]
            if self.status is not None:
                out += self.status.lines(width)
            return out

        return Window(FormattedTextControl(fragments), dont_extend_height=True, wrap_lines=True)

    def _escape(self, kb: KeyBindings, on_escape: str, stay_text: str) -> None:
        @kb.add("escape")
        def _(event: KeyPressEvent) -> None:
            if on_escape == "back":
                event.app.exit(exception=GoBack())
            else:
                self.notice = stay_text

    def _interrupts(self, kb: KeyBindings) -> None:
        @kb.add("c-c")
        @kb.add("c-d")
        def _(event: KeyPressEvent) -> None:
            event.app.exit(exception=KeyboardInterrupt())

    def _hint(self, base: str, on_escape: str) -> str:
        esc = self.words.t("key_hint_back" if on_escape == "back" else "key_hint_stay")
        return f"{base} · {esc} · {self.words.t('key_hint_stop')}"

    async def _ticker(self, app: Application[Any]) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(TICK_SECONDS)
            ticks += 1
            if self.watchdog is not None and ticks % round(WATCH_SECONDS / TICK_SECONDS) == 0:
                try:
                    self.watchdog()
                except Exception as exc:  # the walker must stop: leave the prompt with it
                    app.exit(exception=exc)
                    return
            app.invalidate()

    def _run(self, app: Application[Any]) -> Any:
        drop_typeahead(app.input)

        def started() -> None:
            app.create_background_task(self._ticker(app))

        closed = True
        try:
            return app.run(pre_run=started)
        except Changed:
            closed = False  # drawn again at once: nothing was answered
            raise
        finally:
            self.notice = ""
            if closed:
                self._closed_at = time.monotonic()

    def _app(self, layout: HSplit, kb: Any) -> Application[Any]:
        share_default_bindings()
        return Application(
            layout=Layout(layout),
            key_bindings=kb,
            style=STYLE,
            input=self.input,
            output=self.output,
            erase_when_done=False,
        )

    # -- a menu (one choice) and a checklist (many) ---------------------------------------------

    def select(
        self,
        message: str,
        options: Sequence[tuple[Any, str]],
        default: Any = None,
        *,
        on_escape: str = "back",
    ) -> Any:
        values = [v for v, _ in options]
        state = {"at": values.index(default) if default in values else 0, "done": False}
        return self._menu(message, options, state, None, on_escape)

    def checkbox(
        self,
        message: str,
        options: Sequence[tuple[Any, str]],
        checked: Sequence[Any] = (),
        *,
        on_escape: str = "back",
    ) -> list[Any]:
        ticked = {v for v, _ in options if v in set(checked)}
        state = {"at": 0, "done": False}
        return list(self._menu(message, options, state, ticked, on_escape))

    def _menu(
        self,
        message: str,
        options: Sequence[tuple[Any, str]],
        state: dict[str, Any],
        ticked: set[Any] | None,
        on_escape: str,
    ) -> Any:
        multi = ticked is not None
        self.pointer = options[state["at"]][0] if options else None

        def answer_text() -> str:
            if multi:
                assert ticked is not None
                chosen = [label for v, label in options if v in ticked]
                shown = ", ".join(chosen) if chosen else "—"
                if display_width(shown) + display_width(message) + 3 > self._width():
                    # Long checklist items are on screen above; the count says enough.
                    return self.words.t("ticked_count", count=len(chosen), total=len(options))
                return shown
            return str(options[state["at"]][1])

        def question() -> StyleAndTextTuples:
            out: StyleAndTextTuples = [("class:qmark", "? "), ("class:question", message)]
            if state["done"]:
                out += [("", " "), ("class:answer", answer_text())]
            return wrap_fragments(out, self._width() - 1)

        def choices() -> StyleAndTextTuples:
            width = self._width() - 1
            out: StyleAndTextTuples = []
            for n, (value, label) in enumerate(options):
                here = n == state["at"]
                mark = ""
                if multi:
                    assert ticked is not None
                    mark = "[x] " if value in ticked else "[ ] "
                lead = ("» " if here else "  ") + mark
                pad = " " * display_width(lead)
                for i, line in enumerate(wrap(label, width - len(pad))):
                    if i == 0 and here:
                        out.append(("[SetCursorPosition]", ""))
                    style = "class:selected" if here else ""
                    if i == 0:
                        checked_style = "class:checked" if mark.startswith("[x") else style
                        out += [("class:pointer", lead[:2]), (checked_style, lead[2:])]
                    else:
                        out.append(("", pad))
                    out += [(style, line), ("", "\n")]
            if out:
                out.pop()
            return out

        kb = KeyBindings()
        self._interrupts(kb)
        self._escape(kb, on_escape, self.words.t("esc_stay"))

        @kb.add("down")
        @kb.add("c-n")
        def _down(event: KeyPressEvent) -> None:
            self.notice = ""
            state["at"] = min(state["at"] + 1, len(options) - 1)  # no wrapping round
            self.pointer = options[state["at"]][0]

        @kb.add("up")
        @kb.add("c-p")
        def _up(event: KeyPressEvent) -> None:
            self.notice = ""
            state["at"] = max(state["at"] - 1, 0)  # never round onto Pause at the bottom
            self.pointer = options[state["at"]][0]

        if multi:
            assert ticked is not None

            @kb.add(" ")
            def _tick(event: KeyPressEvent) -> None:
                value = options[state["at"]][0]
                ticked.symmetric_difference_update({value})

            @kb.add("a")
            def _all(event: KeyPressEvent) -> None:
                every = {v for v, _ in options}
                ticked.clear() if ticked == every else ticked.update(every)

        @kb.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            if self._too_soon():
                return
            state["done"] = True
            if multi:
                assert ticked is not None
                event.app.exit(result=[v for v, _ in options if v in ticked])
            else:
                event.app.exit(result=options[state["at"]][0])

        hint = self.words.t("key_hint_checkbox" if multi else "key_hint_select")
        body = HSplit(
            [
                Window(FormattedTextControl(question), wrap_lines=True, dont_extend_height=True),
                ConditionalContainer(
                    HSplit(
                        [
                            Window(FormattedTextControl(choices, focusable=True)),
                            self._footer(self._hint(hint, on_escape)),
                        ]
                    ),
                    filter=~is_done,
                ),
            ]
        )
        return self._run(self._app(body, kb))

    # -- yes / no, confirmed with Enter ----------------------------------------------------------

    def confirm(self, message: str, default: bool = False, *, on_escape: str = "back") -> bool:
        yes_keys, no_keys = self.words.letters("yes_keys"), self.words.letters("no_keys")
        yes, no = self.words.t("yes"), self.words.t("no")
        state = {"value": default, "done": False}
        shown = (
            f"({yes[0].upper()}/{no[0].lower()})"
            if default
            else f"({yes[0].lower()}/{no[0].upper()})"
        )

        def question() -> StyleAndTextTuples:
            out: StyleAndTextTuples = [("class:qmark", "? "), ("class:question", message)]
            if state["done"]:
                out += [("", " "), ("class:answer", yes if state["value"] else no)]
            else:
                out += [
                    ("class:hint", f" {shown} "),
                    ("class:answer", yes if state["value"] else no),
                ]
            return wrap_fragments(out, self._width() - 1)

        kb = KeyBindings()
        self._interrupts(kb)
        self._escape(kb, on_escape, self.words.t("esc_stay"))
        for letter in sorted(yes_keys | {k.upper() for k in yes_keys}):
            kb.add(letter)(lambda e: state.update(value=True))
        for letter in sorted(no_keys | {k.upper() for k in no_keys}):
            kb.add(letter)(lambda e: state.update(value=False))
        for key in ("up", "down", "left", "right", "tab"):
            kb.add(key)(lambda e: state.update(value=not state["value"]))

        @kb.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            if self._too_soon():
                return
            state["done"] = True
            event.app.exit(result=bool(state["value"]))

        hint = self.words.t("yes_no_hint")
        body = HSplit(
            [
                Window(FormattedTextControl(question), wrap_lines=True, dont_extend_height=True),
                ConditionalContainer(self._footer(self._hint(hint, on_escape)), filter=~is_done),
            ]
        )
        return bool(self._run(self._app(body, kb)))

    # -- text ------------------------------------------------------------------------------------

    def text(
        self,
        message: str,
        default: str = "",
        *,
        required: bool = False,
        multiline: bool = False,
        on_escape: str = "back",
        check: Callable[[str], str | None] | None = None,
        draft: bool = False,
        hint_key: str | None = None,
    ) -> str:
        """``check`` returns what is wrong with the text (shown under it), or None.

        ``draft``: words typed here are kept as a draft when the person leaves (Esc twice:
        ``LeftWithDraft``; Ctrl-C: ``InterruptedWithDraft``); otherwise Esc twice drops them
        (the second Esc is the confirmed choice the first one asked for)."""
        from prompt_toolkit.buffer import Buffer
        from prompt_toolkit.document import Document
        from prompt_toolkit.filters import Condition, has_validation_error
        from prompt_toolkit.key_binding import merge_key_bindings
        from prompt_toolkit.layout.controls import BufferControl
        from prompt_toolkit.validation import ValidationError, Validator

        from crisiscli.ui.visible_input import ShowHiddenCharacters
        from crisiscli.ui.word_wrap import WrapAtWords

        kb = KeyBindings()
        state = {"done": False, "armed": False}

        def typed() -> bool:
            return buffer.text != default

        @kb.add("c-c")
        @kb.add("c-d")
        def _stop(event: KeyPressEvent) -> None:
            if draft and typed():
                event.app.exit(exception=InterruptedWithDraft(buffer.text))
            else:
                event.app.exit(exception=KeyboardInterrupt())

        @kb.add("escape")
        def _escape(event: KeyPressEvent) -> None:
            # Never decided by a timeout: with words typed, the first Esc only asks.
            if on_escape != "back":
                self.notice = self.words.t("esc_stay_text")
            elif not typed():
                event.app.exit(exception=GoBack())
            elif state["armed"]:
                event.app.exit(exception=LeftWithDraft(buffer.text) if draft else GoBack())
            else:
                state["armed"] = True
                self.notice = self.words.t("esc_armed_draft" if draft else "esc_armed_drop")

        # A key typed right after Esc reaches prompt_toolkit as Alt+key, and Alt-Backspace,
        # Alt-d or Alt-u would delete or change a whole word. Here it is Esc (which only
        # asks), then that key on its own: "or go on typing" holds however fast it comes.
        def _escape_then(event: KeyPressEvent) -> None:
            _escape(event)
            if not event.app.is_done:
                event.app.key_processor.feed(event.key_sequence[1], first=True)

        # Named, not only Keys.Any: prompt_toolkit prefers a binding that names its keys.
        keys = ["c-h", "delete", "left", "right", "up", "down", "home", "end", Keys.Any]
        for key in [*map(chr, range(0x20, 0x7F)), *keys]:
            kb.add("escape", key)(_escape_then)

        @kb.add("escape", "enter")  # Alt-Enter, or Esc and Enter typed together
        @kb.add("enter", filter=Condition(lambda: bool(state["armed"])))  # Esc … Enter
        def _save(event: KeyPressEvent) -> None:
            event.current_buffer.validate_and_handle()

        def disarm(_buffer: object) -> None:
            if state["armed"]:
                state["armed"] = False
                self.notice = ""

        def problem(text: str) -> str | None:
            if required and not text.strip():
                return self.words.t("required")
            return check(text) if check else None

        class Checks(Validator):
            def validate(self, document: Document) -> None:
                found = problem(document.text)
                if found:
                    raise ValidationError(len(document.text), found)

        def accept(buffer: Buffer) -> bool:
            state["done"] = True
            get_app().exit(result=buffer.text)
            return True

        buffer = Buffer(
            document=Document(default, len(default)),
            multiline=multiline,
            validator=Checks() if required or check else None,
            accept_handler=accept,
        )
        buffer.on_text_changed += disarm
        lead: StyleAndTextTuples = [("class:qmark", "? "), ("class:question", message), ("", " ")]

        def apart() -> bool:
            """A question that does not fit on its row goes above the answer, wrapped
            between words (drawn as the answer's prefix it would be cut anywhere)."""
            return fragment_list_width(lead) > self._width() - CURSOR_CELLS

        def prefix(line: int, wrap: int) -> StyleAndTextTuples:
            return lead if line == 0 and wrap == 0 and not apart() else []

        def lead_cells() -> int:
            return 0 if apart() else fragment_list_width(lead)

        def question() -> StyleAndTextTuples:
            return wrap_fragments(lead, self._width())

        def error() -> StyleAndTextTuples:
            wrong = buffer.validation_error
            return [("class:error", wrong.message)] if wrong else []

        hint = self.words.t(hint_key or ("key_hint_multiline" if multiline else "key_hint_text"))
        if draft and on_escape == "back":
            hint = (
                f"{hint} · {self.words.t('key_hint_back_draft')} · {self.words.t('key_hint_stop')}"
            )
        else:
            hint = self._hint(hint, on_escape)
        body = HSplit(
            [
                ConditionalContainer(
                    Window(FormattedTextControl(question), dont_extend_height=True),
                    filter=Condition(apart),
                ),
                Window(
                    # bidi and invisible characters show as <U+202E>; the text keeps them;
                    # a word that would cross the edge starts the next row
                    BufferControl(
                        buffer,
                        input_processors=[ShowHiddenCharacters(), WrapAtWords(lead_cells)],
                    ),
                    get_line_prefix=prefix,
                    wrap_lines=True,
                    dont_extend_height=True,
                ),
                ConditionalContainer(
                    Window(FormattedTextControl(error), height=1), filter=has_validation_error
                ),
                ConditionalContainer(self._footer(hint), filter=~is_done),
            ]
        )
        app = self._app(body, merge_key_bindings([default_bindings(), kb]))
        # A lone Esc is known as such once the terminal's sequence timeout (ttimeoutlen)
        # passed; waiting another second for a key binding to complete would only delay
        # the answer to it (Esc then Enter saves however far apart the two keys come).
        app.timeoutlen = 0.05
        try:
            return str(self._run(app))
        except EOFError:
            raise KeyboardInterrupt() from None
