"""Python type hints -> JSON Schema; JSON arguments -> checked, converted Python values. Pure.

>>> schema_for(list[int])
{'type': 'array', 'items': {'type': 'integer'}}
>>> validate({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}, {})
["missing required parameter 'n'"]
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Union, get_args, get_origin

__all__ = ["convert", "is_pydantic_model", "schema_for", "validate"]

_PRIMITIVES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def is_pydantic_model(tp: Any) -> bool:
    """Duck-typed: a class with pydantic v2's ``model_json_schema`` and ``model_validate``."""
    return (
        isinstance(tp, type) and hasattr(tp, "model_json_schema") and hasattr(tp, "model_validate")
    )


def _strip_annotated(tp: Any) -> tuple[Any, str | None]:
    if get_origin(tp) is typing.Annotated:
        base, *extras = get_args(tp)
        text = next((e for e in extras if isinstance(e, str)), None)
        return base, text
    return tp, None


def _is_union(tp: Any) -> bool:
    return get_origin(tp) is Union or isinstance(tp, types.UnionType)


def schema_for(tp: Any, defs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON Schema of a type hint. ``defs`` collects pydantic ``$defs`` to hoist."""
    tp, description = _strip_annotated(tp)
    schema = _schema_of(tp, defs if defs is not None else {})
    if description:
        schema = {"description": description, **schema}
    return schema


def _schema_of(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any or tp is object:
        return {}
    if tp is type(None) or tp is None:
        return {"type": "null"}
    if tp in _PRIMITIVES:
        return {"type": _PRIMITIVES[tp]}
    origin = get_origin(tp)
    if _is_union(tp):
        options = [schema_for(arg, defs) for arg in get_args(tp)]
        return {"anyOf": options}
    if origin is Literal:
        values = list(get_args(tp))
        kinds = {_PRIMITIVES.get(type(v)) for v in values}
        return {"type": kinds.pop(), "enum": values} if len(kinds) == 1 else {"enum": values}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        values = [member.value for member in tp]
        kinds = {_PRIMITIVES.get(type(v)) for v in values}
        return {"type": kinds.pop(), "enum": values} if len(kinds) == 1 else {"enum": values}
    if origin in (list, tuple, set, frozenset, Sequence) or tp in (list, tuple, set):
        item_types = [a for a in get_args(tp) if a is not Ellipsis]
        items = schema_for(item_types[0], defs) if item_types else {}
        return {"type": "array", "items": items}
    if origin in (dict, Mapping) or tp is dict:
        pair = get_args(tp)
        value_schema = schema_for(pair[1], defs) if len(pair) == 2 else {}
        return {"type": "object", "additionalProperties": value_schema}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp, include_extras=True)
        fields = [(f.name, hints[f.name], _has_default(f)) for f in dataclasses.fields(tp)]
        return object_schema(fields, {}, defs)
    if typing.is_typeddict(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        required = getattr(tp, "__required_keys__", frozenset(hints))
        return object_schema([(k, v, k not in required) for k, v in hints.items()], {}, defs)
    if is_pydantic_model(tp):
        schema = dict(tp.model_json_schema())
        defs.update(schema.pop("$defs", {}))
        return schema
    raise TypeError(
        f"cannot describe {tp!r} as JSON Schema; use str, int, float, bool, list, "
        "dict, Literal, Enum, a dataclass, a TypedDict or a pydantic model"
    )


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def object_schema(
    fields: list[tuple[str, Any, bool]], descriptions: Mapping[str, str], defs: dict[str, Any]
) -> dict[str, Any]:
    """An object schema from ``(name, type hint, has default)``; descriptions from docstrings."""
    properties: dict[str, Any] = {}
    for name, hint, _ in fields:
        schema = schema_for(hint, defs)
        if name in descriptions and "description" not in schema:
            schema = {"description": descriptions[name], **schema}
        properties[name] = schema
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name, _, has_default in fields if not has_default],
        "additionalProperties": False,
    }


# ---- validation -----------------------------------------------------------------------------


def validate(
    schema: Mapping[str, Any], value: Any, path: str = "", root: Mapping[str, Any] | None = None
) -> list[str]:
    """Problems with ``value`` against ``schema`` (the subset pyllm generates), as sentences."""
    root = root if root is not None else schema
    if "$ref" in schema:
        target = _resolve(root, schema["$ref"])
        return validate(target, value, path, root) if target is not None else []
    if "anyOf" in schema:
        options = schema["anyOf"]
        if value is not None:  # Optional[X]: a non-null value is judged as an X
            options = [o for o in options if o.get("type") != "null"] or options
        branches = [validate(option, value, path, root) for option in options]
        if len(branches) == 1 or not all(branches):
            return branches[0] if len(branches) == 1 else []
        forms = " or ".join(str(o.get("type", "value")) for o in options)
        return [f"{_name(path)} must be {forms}, got {_describe(value)}"]
    problems: list[str] = []
    kind = schema.get("type")
    if isinstance(kind, str) and not _is_type(value, kind):
        return [f"{_name(path)} must be {_article(kind)}, got {_describe(value)}"]
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        return [f"{_name(path)} must be one of {allowed}, got {value!r}"]
    if isinstance(value, dict) and kind == "object":
        problems.extend(_validate_object(schema, value, path, root))
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            problems.extend(validate(schema["items"], item, f"{path}[{index}]", root))
    return problems


def _validate_object(
    schema: Mapping[str, Any], value: dict[str, Any], path: str, root: Mapping[str, Any]
) -> list[str]:
    problems: list[str] = []
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name not in value:
            problems.append(f"missing required parameter {_join(path, name)!r}")
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            problems.extend(validate(properties[name], item, _join(path, name), root))
        elif extra is False:
            known = ", ".join(properties) or "none"
            problems.append(f"unknown parameter {_join(path, name)!r} (known: {known})")
        elif isinstance(extra, Mapping):
            problems.extend(validate(extra, item, _join(path, name), root))
    return problems


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any] | None:
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else None


def _is_type(value: Any, kind: str) -> bool:
    expected = _JSON_TYPES.get(kind)
    if expected is None:
        return True
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, expected)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _name(path: str) -> str:
    return f"parameter {path!r}" if path else "the arguments"


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _describe(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"[:80]


# ---- conversion -----------------------------------------------------------------------------


def convert(tp: Any, value: Any) -> Any:
    """A validated JSON value as the Python type the hint asks for (dataclasses, enums...)."""
    tp, _ = _strip_annotated(tp)
    if value is None:
        return None
    if _is_union(tp):
        options = [a for a in get_args(tp) if a is not type(None)]
        for option in options:
            if not validate(schema_for(option), value):
                return convert(option, value)
        return value
    origin = get_origin(tp)
    if tp is float and isinstance(value, int):
        return float(value)
    if tp is int and isinstance(value, float):
        return int(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if origin in (list, Sequence) and isinstance(value, list):
        item_type = get_args(tp)
        return [convert(item_type[0], v) for v in value] if item_type else value
    if origin in (tuple, set, frozenset) and isinstance(value, list):
        item_types = [a for a in get_args(tp) if a is not Ellipsis]
        return origin(convert(item_types[0], v) for v in value) if item_types else origin(value)
    if origin in (dict, Mapping) and isinstance(value, dict):
        args = get_args(tp)
        return {k: convert(args[1], v) for k, v in value.items()} if len(args) == 2 else value
    if dataclasses.is_dataclass(tp) and isinstance(tp, type) and isinstance(value, dict):
        hints = typing.get_type_hints(tp, include_extras=True)
        return tp(**{k: convert(hints[k], v) for k, v in value.items() if k in hints})
    if typing.is_typeddict(tp) and isinstance(value, dict):
        hints = typing.get_type_hints(tp, include_extras=True)
        return {k: convert(hints[k], v) if k in hints else v for k, v in value.items()}
    if is_pydantic_model(tp):
        return tp.model_validate(value)
    return value
