"""The fold's checkpoint: the state of an incident as of a byte offset in its journal.

A command folds only the lines it has not seen: it loads ``.checkpoint.json``, checks that
the journal is still the file the checkpoint was taken from (same device and inode, at
least as long, the same bytes just before the offset), and applies the new lines. Anything
else — a missing, damaged or foreign checkpoint, a journal that shrank or was rewritten by a
git merge, a line that sorts before what was already applied — means a full replay. The
checkpoint is a cache: always safe to delete, never trusted over the journal, never synced.

JSON, not pickle: a file in CRISIS_HOME must never be able to run code.
"""

# No `from __future__ import annotations` here: with it, typing.NamedTuple turns each
# field's annotation into a ForwardRef and compiles it when the module loads, which
# doubles what the classes below cost on every `crisis note` (docs/benchmarks.md).
import json
import operator
import os
import types
import typing
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from crisiscli import __version__
from crisiscli.fsutil import atomic_write_text, read_bounded
from crisiscli.record import fold
from crisiscli.record.fold import IncidentState, TimelineEntry

CHECKPOINT = ".checkpoint.json"
FORMAT = 3  # 3: values encoded by field name (1, 2: by position; discarded and rebuilt)
TAIL = 4096  # bytes before the offset whose hash proves the journal was only appended to
MAX_CHECKPOINT = 64 * 1024 * 1024
MAX_UNDELIVERED = 500  # more lines folded by readers than this: derived files rebuild


class Position(NamedTuple):
    """Where in the journal a state was taken: file identity, offset, lines consumed."""

    dev: int
    ino: int
    offset: int
    lines: int
    tail: str  # CRC-32 of the TAIL bytes before offset (a cache check, not a seal)

    def to_data(self) -> list[Any]:
        return list(self)


def tail_hash(blob: bytes) -> str:
    return f"{zlib.crc32(blob):08x}:{len(blob)}"


def still_valid(position: Position, journal: Path, fd: int | None = None) -> bool:
    """The journal is the same file and was only appended to since ``position``."""
    try:
        st = os.fstat(fd) if fd is not None else os.stat(journal)
    except OSError:
        return False
    if (st.st_dev, st.st_ino) != (position.dev, position.ino) or st.st_size < position.offset:
        return False
    start = max(0, position.offset - TAIL)
    try:
        if fd is not None:
            blob = os.pread(fd, position.offset - start, start)
        else:
            with open(journal, "rb") as handle:
                handle.seek(start)
                blob = handle.read(position.offset - start)
    except OSError:
        return False
    return tail_hash(blob) == position.tail


class Checkpoint(NamedTuple):
    position: Position
    state: IncidentState
    pending: list[tuple[int, str]]  # (line, raw) of events stamped ahead of every clock
    derived: dict[str, Any]  # caches of the derived files (log.md), by name
    undelivered: list[TimelineEntry]  # folded by a reader, not yet shown to derived files
    zone: str


def load(folder: Path) -> Checkpoint | None:
    codec = state_codec()  # outside the try: a state this codec cannot keep is a bug, loudly
    try:
        blob = read_bounded(folder / CHECKPOINT, MAX_CHECKPOINT)
        data = json.loads(blob)
        if data.get("format") != FORMAT or data.get("crisis") != __version__:
            return None  # another version folds differently: replay
        if data.get("fields") != codec.fields:
            return None  # written when the fold's classes had other fields: replay
        position = Position(*data["position"])
        return Checkpoint(
            position,
            codec.decode(data["state"]),
            [(int(n), str(raw)) for n, raw in data.get("pending", [])],
            dict(data.get("derived", {})),
            [codec.decode_entry(e) for e in data.get("undelivered", [])],
            str(data.get("zone", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def save(folder: Path, checkpoint: Checkpoint) -> None:
    """Write the checkpoint (no fsync: it is a cache; a torn one is simply not used)."""
    codec = state_codec()
    data = {
        "format": FORMAT,
        "crisis": __version__,
        "fields": codec.fields,
        "position": checkpoint.position.to_data(),
        "zone": checkpoint.zone,
        "pending": checkpoint.pending,
        "derived": checkpoint.derived,
        "undelivered": [codec.encode_entry(e) for e in checkpoint.undelivered],
        "state": codec.encode(checkpoint.state),
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    atomic_write_text(folder / CHECKPOINT, text, durable=False)


# -- the state as JSON, by name ------------------------------------------------------------
#
# The codec is derived from the fold's own classes, never written by hand: every value
# class of ``record/fold.py`` (its ``__slots__`` classes and NamedTuples) is found by
# introspection, with its fields and their annotated types (a NamedTuple's annotations, a
# slots class's ``__init__`` parameters, which are named as its slots). A field added to
# ``IncidentState`` or to any class it holds is kept by the checkpoint with no line changed
# here; a field whose type the codec cannot keep (or a slot with no annotated parameter)
# raises ``TypeError`` naming it, the first time any command folds. An object is written as
# the list of its fields' values, and the file carries the names of those fields per class
# (``fields``): a checkpoint written when the classes had other fields is discarded and the
# journal replayed, as a cache should be. ``Any`` marks data that came from the journal as
# JSON and goes back as it is.

LEFT_OUT = {"IncidentState": ("history",)}  # kept only by a full replay (the report's)

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def fields_of(cls: type) -> tuple[str, ...]:
    """The fields of a fold value class: a NamedTuple's ``_fields``, or every slot."""
    if issubclass(cls, tuple):
        return tuple(getattr(cls, "_fields", ()))
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        slots = klass.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return tuple(names)


def value_classes() -> dict[str, type]:
    """The fold's value classes, by the name the fold module gives them."""
    found: dict[str, type] = {}
    for name, obj in vars(fold).items():
        if (
            isinstance(obj, type)
            and not name.startswith("_")
            and any(klass.__module__ == fold.__name__ for klass in obj.__mro__)
            and fields_of(obj)
        ):
            found[name] = obj
    return found


def _hints(owner: Any) -> dict[str, Any]:
    """Annotations as objects (fold.py does not postpone them: it is cheaper this way)."""
    hints: dict[str, Any] = dict(owner.__annotations__)
    if any(isinstance(h, str) for h in hints.values()):
        hints = typing.get_type_hints(owner, vars(fold))
    hints.pop("return", None)
    return hints


def _parameters(cls: type) -> dict[str, Any]:
    """The annotated parameters of a slots class's constructors, its bases' first."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        code = init.__code__
        at = code.co_argcount + code.co_kwonlyargcount
        variadic = code.co_varnames[at : at + bool(code.co_flags & 4) + bool(code.co_flags & 8)]
        found.update((k, v) for k, v in _hints(init).items() if k not in variadic)
    return found


class StateCodec:
    """Encode and decode an ``IncidentState`` (and timeline lines) by the classes' fields."""

    def __init__(self, classes: dict[str, type]) -> None:
        self.classes = classes
        self.fields: dict[str, list[str]] = {}
        self._enc: dict[type, Encode] = {}
        self._dec: dict[type, Decode] = {}
        self.encode: Encode = self._for(classes["IncidentState"])[0]
        self.decode: Decode = self._for(classes["IncidentState"])[1]
        self.encode_entry, self.decode_entry = self._for(classes["TimelineEntry"])

    def _for(self, cls: type) -> tuple[Encode, Decode]:
        """The codec of one value class (built once; classes may refer to each other)."""
        if cls in self._enc:
            return self._enc[cls], self._dec[cls]
        name = next(n for n, c in self.classes.items() if c is cls)
        is_tuple = issubclass(cls, tuple)
        hints = _hints(cls) if is_tuple else _parameters(cls)
        fields = fields_of(cls)
        if set(hints) != set(fields):
            raise TypeError(
                f"the checkpoint cannot keep {name}: its fields {sorted(fields)} are not "
                f"the annotated parameters of its constructor {sorted(hints)}"
            )
        left_out = LEFT_OUT.get(name, ())
        names = [n for n in fields if n not in left_out]
        self.fields[name] = names
        converted: list[tuple[int, Encode, Decode]] = []  # the fields that are not kept as is
        get = operator.attrgetter(*names) if len(names) > 1 else None

        def encode(obj: Any) -> list[Any]:
            values = list(get(obj)) if get is not None else [getattr(obj, names[0])]
            for i, enc, _dec in converted:
                value = values[i]
                if value is not None:
                    values[i] = enc(value)
            return values

        def decode(data: Any) -> Any:
            if type(data) is not list or len(data) != len(names):
                raise ValueError(f"a {name} of another shape")
            values = data[:]
            for i, _enc, dec in converted:
                value = values[i]
                if value is not None:
                    values[i] = dec(value)
            if is_tuple:
                return cls(*values)
            return cls(**dict(zip(names, values, strict=True)))

        self._enc[cls], self._dec[cls] = encode, decode
        for i, n in enumerate(names):
            enc, dec = self._type(hints[n], f"{name}.{n}")
            if enc is not _same or dec is not _same:
                converted.append((i, enc, dec))
        return encode, decode

    def _type(self, tp: Any, where: str) -> tuple[Encode, Decode]:
        if tp in (str, int, float, bool, Any):
            return _same, _same
        if tp is datetime:
            return datetime.isoformat, datetime.fromisoformat
        if tp in self._enc or tp in self.classes.values():
            return self._for(tp)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin in (typing.Union, types.UnionType):
            kept = [a for a in args if a is not type(None)]
            if len(kept) != 1:
                raise TypeError(f"the checkpoint cannot keep {where}: a union of {kept}")
            enc, dec = self._type(kept[0], where)
            if enc is _same and dec is _same:
                return _same, _same
            return (
                lambda v: None if v is None else enc(v),
                lambda v: None if v is None else dec(v),
            )
        if origin is list:
            enc, dec = self._type(args[0], where)
            if enc is _same and dec is _same:
                return _same, _same  # JSON makes a new list on reading
            return (lambda v: [enc(x) for x in v]), (lambda v: [dec(x) for x in v])
        if origin in (set, frozenset):
            enc, dec = self._type(args[0], where)
            return (lambda v: sorted(enc(x) for x in v)), (lambda v: origin(dec(x) for x in v))
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                enc, dec = self._type(args[0], where)
                return (lambda v: [enc(x) for x in v]), (lambda v: tuple(dec(x) for x in v))
            parts = [self._type(a, f"{where}[{n}]") for n, a in enumerate(args)]
            return (
                lambda v: [e(x) for (e, _d), x in zip(parts, v, strict=True)],
                lambda v: tuple(d(x) for (_e, d), x in zip(parts, v, strict=True)),
            )
        if origin is dict and args[0] in (str, int):
            key = args[0]
            enc, dec = self._type(args[1], where)
            if key is str and enc is _same and dec is _same:
                return _same, _same
            if key is str:
                return (
                    lambda v: {k: enc(x) for k, x in v.items()},
                    lambda v: {k: dec(x) for k, x in v.items()},
                )
            return (  # JSON keys are text: integer keys are kept as pairs
                lambda v: [[k, enc(x)] for k, x in v.items()],
                lambda v: {int(k): dec(x) for k, x in v},
            )
        raise TypeError(f"the checkpoint cannot keep {where}: a {tp!r}")


_CODEC: list[StateCodec] = []


def state_codec() -> StateCodec:
    """The codec of the fold's classes as they are now (built once per process)."""
    if not _CODEC:
        _CODEC.append(StateCodec(value_classes()))
    return _CODEC[0]
