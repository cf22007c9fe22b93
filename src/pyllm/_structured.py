"""Structured output: a schema (pydantic model, dataclass, TypedDict or JSON Schema dict) for the
request, and the parser that turns the answer's JSON into that type. Pure.

>>> from dataclasses import dataclass
>>> @dataclass
... class Person:
...     name: str
...     age: int
>>> spec, parse = response_format(Person)
>>> spec.name, spec.schema["required"]
('Person', ['name', 'age'])
>>> parse('{"name": "John", "age": 30}')
Person(name='John', age=30)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import _schema
from ._json import loads
from .request import ResponseSchema

__all__ = ["response_format"]


def response_format(
    schema: Any, *, name: str | None = None, strict: bool = True
) -> tuple[ResponseSchema, Callable[[str], Any]]:
    """``(what the request sends, how to read the answer)``; ``TypeError`` for anything else."""
    if isinstance(schema, Mapping):
        body = dict(schema)
        if not _describes_object(body):
            raise TypeError("a JSON Schema for structured output must describe an object")
        return ResponseSchema(name or str(body.pop("title", "response")), body, strict), _json
    if not isinstance(schema, type):
        raise TypeError(
            "with_schema takes a pydantic model, a dataclass, a TypedDict or a JSON Schema dict, "
            f"got {type(schema).__name__}"
        )
    defs: dict[str, Any] = {}
    try:
        body = _schema.schema_for(schema, defs)
    except TypeError as exc:
        raise TypeError(f"cannot use {schema.__name__} as a response schema: {exc}") from None
    if not _describes_object(body):
        raise TypeError(
            f"structured output needs an object, and {schema.__name__} is not one: use a pydantic "
            f"model, a dataclass or a TypedDict, e.g. a dataclass with one {schema.__name__} field"
        )
    if defs:
        body["$defs"] = defs
    if strict:
        _close_objects(body)
    label = name or _clean_name(schema.__name__)

    def parse(text: str) -> Any:
        return _schema.convert(schema, _json(text))

    return ResponseSchema(label, body, strict), parse


def _describes_object(body: Mapping[str, Any]) -> bool:
    return body.get("type") == "object" or "properties" in body or "anyOf" in body


def _json(text: str) -> Any:
    return loads(text)


def _clean_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    return cleaned[:64] or "response"


def _close_objects(node: Any) -> None:
    """Strict structured output wants ``additionalProperties: false`` on every object."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)
