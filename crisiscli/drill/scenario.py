"""Scenario files: what a tabletop drill plays and what it expects (docs/drills.md).

A scenario is untrusted YAML, read like a playbook (``yamlsource.parse``: compose-only, no
tags, bounded), and checked here key by key: every problem is one ``PlaybookError`` naming
the scenario's file:line:column. Time offsets (``+12m``) use the playbook's duration
grammar (``timeutil.parse_duration``) with an optional leading ``+``. What a scenario means
against its playbook (steps that exist, injects before the end) is ``rules.py``'s job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crisiscli.errors import Location, PlaybookError
from crisiscli.frozen import Frozen
from crisiscli.timeutil import MAX_DURATION_SECONDS, parse_duration

#: What the outside world can do to a team during a drill (``kind:`` of an inject).
INJECT_KINDS = (
    "post",  # the post that started it (the scenario's ``start.post``)
    "mentions",  # a count of mentions: ``count`` per ``per``
    "press",  # a journalist's enquiry
    "customer",  # a customer's post or reply
    "executive",  # a message from the leadership
    "platform",  # a notice from the platform (a strike, a takedown, a verified-badge question)
    "screenshot",  # a leaked screenshot
    "scheduled",  # a scheduled post about to go out
    "facilitator",  # anything else the facilitator says (``crisis drill inject`` by default)
)
#: What an expectation checks (``expect:``), and the keys each one takes.
EXPECT_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required keys, optional keys)
    "step-done": (("step", "by"), ()),
    "message": (("by",), ("step",)),
    "approved": (("step",), ("approver", "within", "by")),
    "no-phrases": ((), ("phrases",)),  # without phrases: the message checks' excuse patterns
    "replies": ((), ("by",)),
    "queue-decided": (("by",), ()),
}
COMMON_EXPECT_KEYS = ("id", "expect", "label")
TOP_KEYS = (
    "id", "title", "playbook", "severity", "length", "start", "injects", "expectations",
    "facilitator",
)  # fmt: skip
TOP_REQUIRED = ("title", "playbook", "length")
START_KEYS = ("inputs", "post", "image", "title")
INJECT_KEYS = ("id", "at", "kind", "text", "evidence", "count", "per", "from", "goes_out")
SCHEDULED_LEAD = 15 * 60  # a scheduled post goes out this long after its inject, unless told
INJECT_REQUIRED = ("at", "kind", "text")
PER_WORDS = ("minute", "hour", "day")
MAX_INJECTS = 500
MAX_EXPECTATIONS = 200
MAX_TEXT = 20_000
ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_OFFSET = re.compile(r"\+?\s*(.*)")

Where = tuple[str | int, ...]


class Inject(Frozen):
    """One thing the outside world does, ``at`` seconds of drill time after the start."""

    key: str  # stable within the scenario: the id, or i1, i2, … by position
    at: int
    kind: str
    text: str
    sender: str | None = None  # ``from:``
    evidence: str | None = None  # a file next to the scenario (or below its folder)
    count: int | None = None  # mentions
    per: str | None = None  # mentions: minute | hour | day
    goes_out: int | None = None  # scheduled: drill seconds it goes out unless stopped
    line: int = 0  # where it is written (lint names it)


class Expectation(Frozen):
    """One thing the team should have done, checked by ``score.py``."""

    id: str
    expect: str
    label: str = ""
    step: str | None = None
    by: int | None = None  # seconds of drill time
    within: int | None = None  # approval turnaround, seconds
    approver: str | None = None
    phrases: tuple[str, ...] = ()
    line: int = 0

    def as_data(self) -> dict[str, Any]:
        """JSON-ready, for the ``drill.started`` event (scoring needs only the journal)."""
        data: dict[str, Any] = {"id": self.id, "expect": self.expect}
        for name in ("label", "step", "by", "within", "approver"):
            value = getattr(self, name)
            if value not in (None, ""):
                data[name] = value
        if self.phrases:
            data["phrases"] = list(self.phrases)
        return data


def expectation_from_data(data: dict[str, Any]) -> Expectation | None:
    """The expectation a ``drill.started`` event carries (None: not one this version knows)."""
    if not isinstance(data, dict) or data.get("expect") not in EXPECT_KEYS:
        return None

    def whole(name: str) -> int | None:
        value = data.get(name)
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return value if ok else None

    def text(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) else None

    phrases = data.get("phrases")
    return Expectation(
        id=text("id") or "?",
        expect=str(data["expect"]),
        label=text("label") or "",
        step=text("step"),
        by=whole("by"),
        within=whole("within"),
        approver=text("approver"),
        phrases=tuple(p for p in phrases if isinstance(p, str))
        if isinstance(phrases, list)
        else (),
    )


class Scenario(Frozen):
    id: str
    title: str
    playbook: str  # an id, or a path relative to the scenario's folder
    length: int  # seconds: the drill ends here
    injects: tuple[Inject, ...]
    expectations: tuple[Expectation, ...]
    path: str  # as shown in errors
    folder: str  # evidence and a playbook path are relative to it
    severity: str | None = None
    inputs: tuple[tuple[str, Any], ...] = ()
    incident_title: str | None = None  # ``start.title``: the drill incident's title
    image: str | None = None
    facilitator: str = ""
    text: str = ""  # the file as read (its digest is recorded)

    def location(self, line: int) -> Location:
        return Location(self.path, line or None)


def parse_offset(text: str) -> int | None:
    """``+12m`` → 720, ``+1h30m`` → 5400, ``0m`` → 0 (the playbook's duration grammar with an
    optional ``+``); None when it is not an offset crisis can place."""
    match = _OFFSET.fullmatch(text.strip())
    if not match:
        return None
    body = match.group(1).strip()
    if body == "":
        return None
    if re.fullmatch(r"0+\s*(s|sec|m|min|h|d)?", body):  # the start: a duration of no time
        return 0
    seconds = parse_duration(body)
    if seconds is None or seconds > MAX_DURATION_SECONDS:
        return None
    return seconds


def offset_text(seconds: float) -> str:
    """720 → ``+12m``; 5400 → ``+1h30m``; 45 → ``+45s`` (what a scenario would say)."""
    seconds = int(seconds)
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{secs}s" if secs or not text else ""
    return sign + text


def bundled_dir() -> Path:
    """Inside the wheel (``crisiscli/bundled_scenarios``) or, from a checkout, ``scenarios/``."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "bundled_scenarios"
    return installed if installed.is_dir() else here.parent / "scenarios"


def bundled() -> list[Path]:
    """The scenarios crisis ships, one per bundled playbook kind (docs/drills.md)."""
    folder = bundled_dir()
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def find_scenario(ref: str) -> Path:
    """A scenario file, or a bundled scenario by its name (``hashtag-joined``)."""
    from crisiscli.errors import NotFoundError

    path = Path(ref).expanduser()
    if path.exists() or "/" in ref or ref.endswith((".yaml", ".yml")):
        return path
    for candidate in bundled():
        if candidate.stem == ref:
            return candidate
    import difflib

    names = [p.stem for p in bundled()]
    close = difflib.get_close_matches(ref, names, n=1)
    hint = f"did you mean '{close[0]}'?" if close else "see: crisis drill list"
    raise NotFoundError(f"no scenario file or bundled scenario '{ref}'", hint=hint)


def load_scenario(path: Path, shown: str | None = None) -> Scenario:
    """Read and check a scenario file; one located ``PlaybookError`` for what is wrong."""
    from crisiscli.playbook import yamlsource

    shown = shown or str(path)
    text = yamlsource.read_text(path, shown)
    return parse_scenario(text, shown, folder=str(path.parent))


def parse_scenario(text: str, shown: str, *, folder: str = ".") -> Scenario:
    from crisiscli.playbook import yamlsource

    doc = yamlsource.parse(text, shown)
    return _Reader(doc, shown, folder, text).scenario()


class _Reader:
    def __init__(self, doc: Any, shown: str, folder: str, text: str) -> None:
        self.doc = doc
        self.shown = shown
        self.folder = folder
        self.text = text

    def fail(self, message: str, at: Where, *, key: bool = False) -> PlaybookError:
        return PlaybookError(message, location=self.doc.location(at, key=key))

    def line(self, at: Where) -> int:
        return self.doc.location(at).line or 0

    def mapping(self, value: Any, at: Where, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping", at)
        return value

    def keys(self, data: dict[str, Any], at: Where, allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.fail(f"unknown key '{key}' in {what}{hint}", (*at, key), key=True)
        for dup in self.doc.duplicates:
            if dup.path[:-1] == at:
                raise PlaybookError(
                    f"'{dup.key}' is given twice (first at line {dup.first[0]})",
                    location=Location(self.shown, *dup.second),
                )

    def text_of(self, value: Any, at: Where, what: str, *, required: bool = True) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(f"{what} must be text", at)
        shown = self.doc.raw.get(at, str(value)) if not isinstance(value, str) else value
        if required and not shown.strip():
            raise self.fail(f"{what} is empty", at)
        if len(shown) > MAX_TEXT:
            raise self.fail(f"{what} is longer than {MAX_TEXT:,} characters", at)
        return shown

    def offset(self, value: Any, at: Where, what: str) -> int:
        shown = self.doc.raw.get(at, str(value))
        seconds = parse_offset(shown) if isinstance(value, (str, int)) else None
        if seconds is None or isinstance(value, bool):
            raise self.fail(
                f"{what} '{shown}' is not a time offset (use e.g. +12m, +1h30m, +45s)", at
            )
        return seconds

    def ident(
        self, data: dict[str, Any], at: Where, what: str, default: str, seen: set[str]
    ) -> str:
        """An entry's ``id`` as written (checked), or its id by position; once each."""
        value = default
        if "id" in data:
            value = self.text_of(data["id"], (*at, "id"), "id")
            if not ID.fullmatch(value):
                raise self.fail(
                    f"{what} id '{value}' must be lowercase letters, digits, - and _", (*at, "id")
                )
        if value in seen:
            raise self.fail(f"{what} id '{value}' is used twice", (*at, "id"))
        seen.add(value)
        return value

    def opt_text(self, data: dict[str, Any], at: Where, name: str) -> str | None:
        value = data.get(name)
        return None if value is None else self.text_of(value, (*at, name), name)

    def opt_offset(self, data: dict[str, Any], at: Where, name: str) -> int | None:
        value = data.get(name)
        return None if value is None else self.offset(value, (*at, name), name)

    def scenario(self) -> Scenario:
        data = self.mapping(self.doc.data, (), "a scenario")
        self.keys(data, (), TOP_KEYS, "the scenario")
        for name in TOP_REQUIRED:
            if name not in data:
                raise self.fail(f"the scenario has no '{name}'", ())
        scenario_id = self._id(data)
        title = self.text_of(data["title"], ("title",), "title")
        playbook = self.text_of(data["playbook"], ("playbook",), "playbook")
        length = self.offset(data["length"], ("length",), "length")
        if length <= 0:
            raise self.fail("length must be more than no time at all", ("length",))
        severity = None
        if data.get("severity") is not None:
            severity = self.text_of(data["severity"], ("severity",), "severity")
        facilitator = ""
        if data.get("facilitator") is not None:
            facilitator = self.text_of(data["facilitator"], ("facilitator",), "facilitator")
        inputs, first_post, image, incident_title = self._start(data.get("start"))
        injects = self._injects(data.get("injects"))
        if first_post is not None:
            line = self.line(("start", "post"))
            injects = (Inject("post", 0, "post", first_post, line=line), *injects)
        expectations = self._expectations(data.get("expectations"))
        return Scenario(
            id=scenario_id,
            title=title,
            playbook=playbook,
            length=length,
            injects=tuple(sorted(injects, key=lambda i: i.at)),
            expectations=expectations,
            path=self.shown,
            folder=self.folder,
            severity=severity,
            inputs=inputs,
            incident_title=incident_title,
            image=image,
            facilitator=facilitator,
            text=self.text,
        )

    def _id(self, data: dict[str, Any]) -> str:
        if "id" in data:
            value = self.text_of(data["id"], ("id",), "id")
            if not ID.fullmatch(value):
                raise self.fail(
                    f"id '{value}' must be lowercase letters, digits, - and _ (at most 64)",
                    ("id",),
                )
            return value
        stem = Path(self.shown).stem.lower()
        stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")[:64]
        return stem if stem and ID.fullmatch(stem) else "scenario"

    def _start(
        self, value: Any
    ) -> tuple[tuple[tuple[str, Any], ...], str | None, str | None, str | None]:
        if value is None:
            return (), None, None, None
        data = self.mapping(value, ("start",), "start")
        self.keys(data, ("start",), START_KEYS, "start")
        inputs: tuple[tuple[str, Any], ...] = ()
        if data.get("inputs") is not None:
            given = self.mapping(data["inputs"], ("start", "inputs"), "start.inputs")
            pairs = []
            for key, answer in given.items():
                at = ("start", "inputs", key)
                if isinstance(answer, dict):
                    raise self.fail(f"input '{key}' must be a value or a list of values", at)
                if isinstance(answer, list):
                    answer = [
                        self.text_of(v, (*at, n), f"input '{key}'") for n, v in enumerate(answer)
                    ]
                elif not isinstance(answer, bool):
                    answer = self.text_of(answer, at, f"input '{key}'")
                pairs.append((str(key), answer))
            inputs = tuple(pairs)
        post = None
        if data.get("post") is not None:
            post = self.text_of(data["post"], ("start", "post"), "start.post")
        image = None
        if data.get("image") is not None:
            image = self._file(data["image"], ("start", "image"), "start.image")
        title = None
        if data.get("title") is not None:
            title = self.text_of(data["title"], ("start", "title"), "start.title")
        return inputs, post, image, title

    def _file(self, value: Any, at: Where, what: str) -> str:
        name = self.text_of(value, at, what)
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise self.fail(f"{what} '{name}' must be a file in the scenario's folder", at)
        return name

    def _list(self, value: Any, at: Where, what: str, most: int) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{what} must be a list", at)
        if len(value) > most:
            raise self.fail(f"{what} has more than {most} entries", at)
        return value

    def _injects(self, value: Any) -> tuple[Inject, ...]:
        found: list[Inject] = []
        keys: set[str] = {"post"}
        for n, raw in enumerate(self._list(value, ("injects",), "injects", MAX_INJECTS)):
            at: Where = ("injects", n)
            data = self.mapping(raw, at, f"inject {n + 1}")
            self.keys(data, at, INJECT_KEYS, f"inject {n + 1}")
            for name in INJECT_REQUIRED:
                if name not in data:
                    raise self.fail(f"inject {n + 1} has no '{name}'", at)
            key = self.ident(data, at, "inject", f"i{n + 1}", keys)
            kind = self.text_of(data["kind"], (*at, "kind"), "kind")
            if kind not in INJECT_KINDS:
                raise self.fail(
                    f"kind '{kind}' is not one of {', '.join(INJECT_KINDS)}", (*at, "kind")
                )
            count = per = None
            if kind == "mentions":
                if "count" not in data:
                    raise self.fail("a mentions inject needs 'count'", at)
                count = data["count"]
                if (
                    isinstance(count, bool)
                    or not isinstance(count, int)
                    or not 0 <= count <= 10**12
                ):
                    raise self.fail("count must be a whole number", (*at, "count"))
                per = str(data.get("per") or "hour")
                if per not in PER_WORDS:
                    raise self.fail(f"per must be one of {', '.join(PER_WORDS)}", (*at, "per"))
            elif "count" in data or "per" in data:
                raise self.fail(
                    "only a mentions inject has a count",
                    (*at, "count" if "count" in data else "per"),
                    key=True,
                )
            goes_out = None
            at_seconds = self.offset(data["at"], (*at, "at"), "at")
            if kind == "scheduled":
                goes_out = self.opt_offset(data, at, "goes_out")
                goes_out = at_seconds + SCHEDULED_LEAD if goes_out is None else goes_out
                if goes_out < at_seconds:
                    raise self.fail("goes_out comes before the inject", (*at, "goes_out"))
            elif "goes_out" in data:
                raise self.fail("only a scheduled inject has goes_out", (*at, "goes_out"), key=True)
            found.append(
                Inject(
                    key=key,
                    at=at_seconds,
                    kind=kind,
                    text=self.text_of(data["text"], (*at, "text"), "text"),
                    sender=self.text_of(data["from"], (*at, "from"), "from")
                    if data.get("from") is not None
                    else None,
                    evidence=self._file(data["evidence"], (*at, "evidence"), "evidence")
                    if data.get("evidence") is not None
                    else None,
                    count=count,
                    per=per,
                    goes_out=goes_out,
                    line=self.line(at),
                )
            )
        return tuple(found)

    def _expectations(self, value: Any) -> tuple[Expectation, ...]:
        found: list[Expectation] = []
        ids: set[str] = set()
        raws = self._list(value, ("expectations",), "expectations", MAX_EXPECTATIONS)
        for n, raw in enumerate(raws):
            at: Where = ("expectations", n)
            data = self.mapping(raw, at, f"expectation {n + 1}")
            if "expect" not in data:
                raise self.fail(
                    f"expectation {n + 1} has no 'expect' (one of {', '.join(EXPECT_KEYS)})", at
                )
            kind = self.text_of(data["expect"], (*at, "expect"), "expect")
            if kind not in EXPECT_KEYS:
                raise self.fail(
                    f"expect '{kind}' is not one of {', '.join(EXPECT_KEYS)}", (*at, "expect")
                )
            required, optional = EXPECT_KEYS[kind]
            self.keys(
                data, at, (*COMMON_EXPECT_KEYS, *required, *optional), f"a {kind} expectation"
            )
            for name in required:
                if name not in data:
                    raise self.fail(f"a {kind} expectation needs '{name}'", at)
            ident = self.ident(data, at, "expectation", f"e{n + 1}", ids)
            phrases: tuple[str, ...] = ()
            if "phrases" in data:
                items = data["phrases"]
                if not isinstance(items, list) or not items:
                    raise self.fail("phrases must be a list of phrases", (*at, "phrases"))
                phrases = tuple(
                    self.text_of(p, (*at, "phrases", k), "a phrase") for k, p in enumerate(items)
                )

            found.append(
                Expectation(
                    id=ident,
                    expect=kind,
                    label=self.opt_text(data, at, "label") or "",
                    step=self.opt_text(data, at, "step"),
                    by=self.opt_offset(data, at, "by"),
                    within=self.opt_offset(data, at, "within"),
                    approver=self.opt_text(data, at, "approver"),
                    phrases=phrases,
                    line=self.line(at),
                )
            )
        return tuple(found)
