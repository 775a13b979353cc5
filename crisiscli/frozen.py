"""Immutable value classes that cost nothing to define.

``@dataclass(frozen=True)`` writes and compiles six methods per class when the module is
imported (about a millisecond each on the build machine), and the playbook model alone has
thirteen classes: that was a third of what ``crisis status`` added to Python's start-up.
``Frozen`` gives the same behaviour from methods defined once, here: a constructor taking the
fields by position or by name (in annotation order, with class-level defaults), no
assignment after construction, equality and hash over the compared fields, and a readable
``repr``. Type checkers read subclasses as frozen dataclasses (``dataclass_transform``), so
constructor calls are checked as before.

Fields are the class's own annotations and its bases' (``ClassVar`` excluded); a field
declared with ``field(default=..., compare=False)`` takes no part in equality or hashing.
``functools.cached_property`` works on subclasses (it writes to the instance dictionary).
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, ClassVar, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # Python 3.10: pyproject.toml declares typing_extensions there
    from typing_extensions import dataclass_transform

__all__ = ["Frozen", "field", "replace"]


class _Field:
    __slots__ = ("compare", "default")

    def __init__(self, default: Any, compare: bool) -> None:
        self.default = default
        self.compare = compare


def field(*, default: Any, compare: bool = True) -> Any:
    """A field's default, and whether it counts for equality (``compare=False``: it does not)."""
    return _Field(default, compare)


_NO_DEFAULT = object()


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Frozen:
    """Base of an immutable value class (see the module's docstring)."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = list(cls._fields)
        compared = list(cls._compared)
        defaults = dict(cls._defaults)
        for name, annotation in inspect.get_annotations(cls).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            value = cls.__dict__.get(name, _NO_DEFAULT)
            compare = True
            if isinstance(value, _Field):
                compare, value = value.compare, value.default
                setattr(cls, name, value)
            if value is not _NO_DEFAULT:
                defaults[name] = value
            elif defaults and name not in defaults:
                raise TypeError(
                    f"{cls.__name__}: field {name!r} without a default follows one with"
                )
            if name not in fields:
                fields.append(name)
            if compare and name not in compared:
                compared.append(name)
        cls._fields, cls._compared, cls._defaults = tuple(fields), tuple(compared), defaults

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(
                f"{type(self).__name__}() takes {len(fields)} arguments, got {len(args)}"
            )
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__}() got an unexpected argument {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__}() got {name!r} twice")
            values[name] = value
        for name in fields:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__}() is missing {name!r}")
                values[name] = self._defaults[name]
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def _key(self) -> tuple[Any, ...]:
        d = self.__dict__
        return tuple(d[name] for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, *self._key()))

    def __repr__(self) -> str:
        d = self.__dict__
        shown = ", ".join(f"{name}={d[name]!r}" for name in self._fields)
        return f"{type(self).__name__}({shown})"


F = TypeVar("F", bound=Frozen)


def replace(value: F, /, **changes: Any) -> F:
    """A copy of ``value`` with some fields changed (as ``dataclasses.replace``)."""
    kept = {name: value.__dict__[name] for name in value._fields}
    return type(value)(**{**kept, **changes})
