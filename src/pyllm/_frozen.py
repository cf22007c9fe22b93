"""Copies of frozen, slotted dataclasses with some fields changed, at half the cost of
``dataclasses.replace`` (which builds keyword arguments and runs ``__init__``): a chat makes a
few per request. Only for classes without ``__post_init__`` (nothing is re-checked). Pure.

>>> from pyllm.request import ChatRequest
>>> copy_with(ChatRequest("a", ()), {"model": "b"}).model
'b'
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

__all__ = ["copy_with"]

T = TypeVar("T")

_fields: dict[type, tuple[tuple[str, ...], frozenset[str], Any]] = {}
_new = object.__new__
_set = object.__setattr__


def copy_with(value: T, changes: dict[str, Any]) -> T:
    """``value`` with ``changes`` applied; an unknown field name raises ``TypeError``."""
    cls = type(value)
    known = _fields.get(cls)
    if known is None:
        names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
        known = _fields[cls] = (names, frozenset(names), attrgetter(*names))
    names, allowed, values_of = known
    if not changes.keys() <= allowed:
        unknown = ", ".join(sorted(changes.keys() - allowed))
        raise TypeError(f"{cls.__name__} has no field {unknown}")
    copy = _new(cls)
    for name, field_value in zip(names, values_of(value), strict=True):
        _set(copy, name, field_value)
    for name, field_value in changes.items():
        _set(copy, name, field_value)
    return copy
