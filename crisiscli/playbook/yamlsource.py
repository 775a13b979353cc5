"""Safe YAML reading with positions.

We only ever *compose* YAML into nodes and convert the nodes ourselves, so no tag can run
code (``!!python/object`` is refused by name), aliases are expanded under a budget (no
billion-laughs), duplicate keys are reported instead of silently dropped, and every value
keeps the line and column it came from. Plain scalars that YAML 1.1 would turn into
booleans, numbers or null (``yes``, ``off``, ``1.10``) keep their original text in
``Document.raw`` so a string field never receives a corrupted value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crisiscli.errors import Location, PlaybookError

try:  # the C parser is several times faster; positions are the same
    from yaml import CSafeLoader as _Loader

    _USES_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _USES_LIBYAML = False

Path_ = tuple[str | int, ...]

MAX_NODES = 200_000  # after alias expansion; a real playbook has a few thousand
MAX_DEPTH = 64
MAX_BYTES = 16 * 1024 * 1024

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    _TAG + "str",
    _TAG + "int",
    _TAG + "float",
    _TAG + "bool",
    _TAG + "null",
    _TAG + "timestamp",
}
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Duplicate:
    key: str
    first: tuple[int, int]
    second: tuple[int, int]
    path: Path_


@dataclass
class Document:
    """Converted YAML data plus where each piece came from (1-based line, column)."""

    data: Any
    path: str
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    ends: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    text: str = ""

    def location(self, at: Path_, *, key: bool = False) -> Location:
        """The closest known position for ``at`` (walking up to its parents)."""
        probe = at
        while True:
            table = self.key_positions if key else self.positions
            if probe in table:
                line, col = table[probe]
                return Location(self.path, line, col)
            if key and probe in self.positions:
                line, col = self.positions[probe]
                return Location(self.path, line, col)
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]


def read_text(path: Path, display: str | None = None) -> str:
    """Read a file as UTF-8 with a one-line error for every way that can fail."""
    shown = display or str(path)
    try:
        if path.is_dir():
            raise PlaybookError("is a folder, not a playbook file", location=Location(shown))
        with path.open("rb") as handle:
            blob = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise PlaybookError("no such file", location=Location(shown)) from None
    except PermissionError:
        raise PlaybookError("permission denied", location=Location(shown)) from None
    except OSError as exc:
        raise PlaybookError(
            f"cannot read: {exc.strerror or exc}", location=Location(shown)
        ) from None
    if len(blob) > MAX_BYTES:
        raise PlaybookError(
            f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", location=Location(shown)
        )
    return decode(blob, shown)


def decode(blob: bytes, shown: str) -> str:
    if b"\x00" in blob[:8192]:
        raise PlaybookError("binary file, not YAML text", location=Location(shown, 1, 1))
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = blob[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise PlaybookError(
            f"not valid UTF-8 (byte 0x{blob[exc.start]:02x}); save the file as UTF-8",
            location=Location(shown, line, column),
        ) from None
    return text


PRESCAN_CHARS = 1_000_000  # larger texts are counted before anything is built
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a new line


def parse(text: str, shown: str) -> Document:
    """Compose one YAML document and convert it, keeping positions."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise PlaybookError("the file is empty", location=Location(shown, 1, 1))
    if len(text) > PRESCAN_CHARS:
        _prescan(text, shown)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates: only from callers, never a file
        before = text[: exc.start]
        raise PlaybookError(
            f"invalid text: character U+{ord(text[exc.start]):04X} cannot be encoded",
            location=Location(
                shown, before.count("\n") + 1, exc.start - (before.rfind("\n") + 1) + 1
            ),
        ) from None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, shown) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, shown) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise PlaybookError(f"invalid YAML: {first}", location=Location(shown)) from None
    if node is None:
        raise PlaybookError("the file is empty", location=Location(shown, 1, 1))
    doc = Document(data=None, path=shown, text=text)
    converter = _Converter(doc)
    doc.data = converter.convert(node, (), 0)
    return doc


def _syntax_error(exc: yaml.MarkedYAMLError, shown: str) -> PlaybookError:
    """Where the parser stopped, and where the construct it was in began (a bracket, a quote)."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if mark is None:
        return PlaybookError(f"invalid YAML: {problem}", location=Location(shown))
    message = f"invalid YAML: {problem}"
    begun = exc.context_mark
    if (
        exc.problem
        and exc.context
        and begun is not None
        and (begun.line, begun.column)
        != (
            mark.line,
            mark.column,
        )
    ):
        message += (
            f" ({exc.context}, which starts at line {begun.line + 1}, column {begun.column + 1})"
        )
    return PlaybookError(message, location=Location(shown, mark.line + 1, mark.column + 1))


def _reader_error(exc: yaml.reader.ReaderError, text: str, shown: str) -> PlaybookError:
    """A character YAML refuses (a control character): name its line and column."""
    first = str(exc).splitlines()[0]
    position = exc.position
    if _USES_LIBYAML:  # libyaml counts UTF-8 bytes, the Python reader characters
        prefix = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore")
    else:
        prefix = text[:position]
    lines = _LINE_BREAK.split(prefix)
    return PlaybookError(
        f"invalid YAML: {first}", location=Location(shown, len(lines), len(lines[-1]) + 1)
    )


def _prescan(text: str, shown: str) -> None:
    """Bound the work on big texts: count parse events before building any nodes.

    Composing millions of values takes libyaml seconds and much memory before the value cap
    below can say no; events are cheap, and stop at the same cap.
    """
    loader = _Loader(text)
    values = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if not isinstance(event, values):
                continue
            count += 1
            if count > MAX_NODES:
                mark = event.start_mark
                where = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown)
                raise PlaybookError(
                    f"document expands to more than {MAX_NODES} values (too big for a playbook)",
                    location=where,
                )
    except yaml.YAMLError:
        return  # the real parse reports it, with its position
    finally:
        loader.dispose()


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _end(node: yaml.Node) -> tuple[int, int]:
    return node.end_mark.line + 1, node.end_mark.column + 1


class _Converter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.active: set[int] = set()

    def fail(self, message: str, node: yaml.Node) -> PlaybookError:
        line, col = _pos(node)
        return PlaybookError(message, location=Location(self.doc.path, line, col))

    def convert(self, node: yaml.Node, at: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(
                f"document expands to more than {MAX_NODES} values (an alias bomb?)", node
            )
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels", node)
        self.doc.positions[at] = _pos(node)
        self.doc.ends[at] = _end(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, at)
        if id(node) in self.active:
            raise self.fail("an alias refers to itself (recursive structure)", node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag not in (_TAG + "seq",):
                    raise self.fail(f"unsupported YAML tag {_short(node.tag)}", node)
                return [
                    self.convert(child, (*at, i), depth + 1) for i, child in enumerate(node.value)
                ]
            if isinstance(node, yaml.MappingNode):
                if node.tag not in (_TAG + "map",):
                    raise self.fail(f"unsupported YAML tag {_short(node.tag)}", node)
                return self.mapping(node, at, depth)
        finally:
            self.active.discard(id(node))
        raise self.fail("unsupported YAML node", node)

    def scalar(self, node: yaml.ScalarNode, at: Path_) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            raise self.fail(f"unsupported YAML tag {_short(tag)}", node)
        if tag == _TAG + "str":
            return node.value
        if tag == _TAG + "timestamp":
            self.doc.raw[at] = node.value
            return node.value
        self.doc.raw[at] = node.value
        try:
            return _constructor.construct_object(node)
        except (yaml.YAMLError, ValueError):
            return node.value

    def mapping(self, node: yaml.MappingNode, at: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged.update(self.merge_source(value_node, at, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail("mapping keys must be plain words", key_node)
            if key_node.tag not in _SCALAR_TAGS:
                raise self.fail(f"unsupported YAML tag {_short(key_node.tag)}", key_node)
            key = key_node.value  # raw text: `on:` stays "on", never True
            where = (*at, key)
            if key in seen:
                self.doc.duplicates.append(Duplicate(key, seen[key], _pos(key_node), where))
            seen[key] = _pos(key_node)
            self.doc.key_positions[where] = _pos(key_node)
            result[key] = self.convert(value_node, where, depth + 1)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def merge_source(self, node: yaml.Node, at: Path_, depth: int) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise self.fail("a merge key (<<) needs a mapping", source)
            value = self.convert(source, at, depth + 1)
            for key, item in value.items():
                merged.setdefault(key, item)
        return merged


def _short(tag: str) -> str:
    if tag.startswith(_TAG):
        return "!!" + tag[len(_TAG) :]
    return tag
