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
from ._partial_json import parse_partial
from .request import ResponseSchema

__all__ = ["Mismatch", "correction", "partial_reader", "response_format", "strict_parser"]


class Mismatch(ValueError):
    """An answer that does not fit the schema; ``errors`` says what is wrong, one per line."""

    def __init__(self, errors: tuple[str, ...]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


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


def strict_parser(schema: Any, spec: ResponseSchema) -> Callable[[str], Any]:
    """How ``with_schema(..., retries=N)`` reads an answer: the value, or :class:`Mismatch`
    saying what is wrong (not JSON, a missing or mistyped field, pydantic's own errors).

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Person:
    ...     name: str
    ...     age: int
    >>> parse = strict_parser(Person, response_format(Person)[0])
    >>> parse('{"name": "Ada"}')
    Traceback (most recent call last):
    ...
    pyllm._structured.Mismatch: missing required field 'age'
    """

    def parse(text: str) -> Any:
        if not text.strip():
            raise Mismatch(("the answer is empty",))
        try:
            data = loads(text)
        except ValueError as exc:
            reason = getattr(exc, "msg", str(exc))
            raise Mismatch((f"the answer is not valid JSON ({reason})",)) from None
        if _schema.is_pydantic_model(schema):
            try:
                return schema.model_validate(data)
            except ValueError as exc:  # pydantic's ValidationError
                raise Mismatch(_pydantic_errors(exc)) from None
        problems = _schema.validate(spec.schema, data)  # worded for tool arguments
        if problems:
            raise Mismatch(tuple(_as_fields(problem) for problem in problems))
        return data if isinstance(schema, Mapping) else _schema.convert(schema, data)

    return parse


def _as_fields(problem: str) -> str:
    return problem.replace("parameter '", "field '").replace("the arguments", "the answer")


def _pydantic_errors(exc: ValueError) -> tuple[str, ...]:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return (str(exc),)
    return tuple(
        f"{'.'.join(map(str, error.get('loc', ()))) or 'the answer'}: {error.get('msg')}"
        for error in errors()
    )


def correction(errors: tuple[str, ...], name: str) -> str:
    """What the model is told when its answer did not fit the schema, to try again."""
    listed = "\n".join(f"- {error}" for error in errors)
    return (
        f"Your answer does not match the JSON schema {name!r}:\n{listed}\n"
        "Answer again with only the JSON object, following the schema exactly."
    )


def partial_reader(schema: Any) -> Callable[[str], Any]:
    """How ``stream.partial`` reads the JSON that arrived so far: a pydantic model is built
    without validation (fields not arrived yet: their default, else ``None``; nested models
    too); anything else is the plain JSON value (see :mod:`pyllm._partial_json` for what an
    unfinished value shows)."""
    if not _schema.is_pydantic_model(schema):
        return parse_partial
    return lambda text: _construct(schema, parse_partial(text))


def _construct(model: Any, data: Any) -> Any:
    if not isinstance(data, dict):
        return None
    values: dict[str, Any] = {}
    arrived: set[str] = set()
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in data:
            values[name] = _typed(info.annotation, data[key])
            arrived.add(name)
        elif not info.is_required():
            values[name] = info.get_default(call_default_factory=True)
        else:
            values[name] = None
    return model.model_construct(_fields_set=arrived, **values)


def _typed(annotation: Any, value: Any) -> Any:
    """``value`` with the pydantic models ``annotation`` names (in lists, optionals) built."""
    import typing

    if _schema.is_pydantic_model(annotation):
        return _construct(annotation, value)
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(value, list) and typing.get_origin(annotation) in (list, tuple) and arguments:
        return [_typed(arguments[0], item) for item in value]
    if isinstance(value, dict) and len(arguments) == 1:  # Optional[Model]
        return _typed(arguments[0], value)
    return value
