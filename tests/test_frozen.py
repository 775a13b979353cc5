"""crisiscli.frozen: behaves as the frozen dataclasses it replaces."""

from __future__ import annotations

import copy
import pickle
from functools import cached_property
from typing import ClassVar

import pytest

from crisiscli.frozen import Frozen, field, replace
from crisiscli.playbook.model import Choice, Equals, Playbook, Question, Step


class Point(Frozen):
    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    KIND: ClassVar[str] = "point"

    @cached_property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


class Point3(Point):
    z: int = 0


def test_arguments_by_position_by_name_and_defaults() -> None:
    assert Point(1, 2) == Point(x=1, y=2) == Point(1, y=2)
    assert Point(1).y == 0 and Point(1).label == ""
    assert Point3(1, 2, "a", 3).z == 3 and Point3(1).z == 0
    assert Point._fields == ("x", "y", "label") and "KIND" not in Point._fields
    with pytest.raises(TypeError, match="missing 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected argument 'w'"):
        Point(1, w=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'x' twice"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 3 arguments"):
        Point(1, 2, "a", 4)  # type: ignore[call-arg]


def test_a_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):

        class Bad(Frozen):
            a: int = 1
            b: int  # type: ignore[misc]


def test_frozen_equality_hash_and_repr() -> None:
    p = Point(1, 2, "first")
    with pytest.raises(AttributeError, match="frozen"):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del p.x  # type: ignore[misc]
    assert p == Point(1, 2, "other label")  # compare=False leaves the label out
    assert hash(p) == hash(Point(1, 2, "other"))
    assert p != Point(1, 3) and p != Point3(1, 2) and p != (1, 2)
    assert len({p, Point(1, 2), Point(2, 1)}) == 2
    assert repr(p) == "Point(x=1, y=2, label='first')"
    assert p.norm == 3 and p.norm == 3  # cached_property still works


def test_pickle_and_copy_keep_the_value() -> None:
    step = Step("s", "Step", questions=(Question("q", "Q?", "choice", (Choice("a", "A"),)),))
    for twin in (pickle.loads(pickle.dumps(step)), copy.deepcopy(step), copy.copy(step)):
        assert twin == step and twin.questions[0].choices[0].label == "A"
    assert Equals("q", ("a",)) == pickle.loads(pickle.dumps(Equals("q", ("a",))))


def test_the_playbook_source_is_not_part_of_its_value() -> None:
    a = Playbook("p", "P", (), source="a.yaml")
    assert a == Playbook("p", "P", (), source="b.yaml") and a.source == "a.yaml"


def test_replace_makes_a_changed_copy() -> None:
    p = Point3(1, 2, "a", 3)
    q = replace(p, y=5)
    assert q == Point3(1, 5, "a", 3) and p.y == 2 and type(q) is Point3
    with pytest.raises(TypeError, match="unexpected argument"):
        replace(p, w=1)
