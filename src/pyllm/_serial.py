"""Values as JSON and back: the saved-chat format. Pure.

Any frozen dataclass of JSON-friendly values (``Message``, ``Usage``, ``ToolCall``, and whatever
fields are added to them later) is written field by field, each field as its type hints say,
and read back the same way, so nothing is lost and no field needs code of its own. A field left
at its default is left out. Attachments are written inline (``data`` as base64) or, given a
``save`` function, as a reference (``ref``) the matching ``load`` function turns back into bytes.

>>> from pyllm.message import Message, Usage
>>> data = to_json(Message("assistant", "Hi", usage=Usage(input_tokens=3, cost=0.5)))
>>> data
{'role': 'assistant', 'content': 'Hi', 'usage': {'input_tokens': 3, 'total_tokens': 3, 'cost': 0.5}}
>>> from_json(data, Message) == Message("assistant", "Hi", usage=Usage(input_tokens=3, cost=0.5))
True
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from .content import Attachment
from .errors import Error

__all__ = ["FORMAT_VERSION", "Blobs", "FormatError", "check_version", "from_json", "to_json"]

FORMAT_VERSION = 1
"""The version of the saved-chat format this pyllm writes (and the newest it reads)."""

SaveBlob = Callable[[Attachment], str]
LoadBlob = Callable[[str], bytes]


class FormatError(Error, ValueError):
    """A saved chat or message pyllm cannot read: written by a newer pyllm, or a field missing,
    unknown or of the wrong type. The message names the field (``messages[3].usage.cost``).

    >>> try:
    ...     from_json({"role": 7}, __import__("pyllm").Message)
    ... except FormatError as exc:
    ...     print(exc)
    cannot read a saved Message: role must be a string, got 7
    """


@dataclasses.dataclass(frozen=True, slots=True)
class Blobs:
    """How attachments travel: inline (no functions) or by reference (``save`` writes the bytes
    somewhere and returns a key; ``load`` reads them back by that key)."""

    save: SaveBlob | None = None
    load: LoadBlob | None = None


INLINE = Blobs()


def check_version(data: Mapping[str, Any], what: str) -> int:
    """The format version of a saved ``what`` (a chat), refusing one this pyllm cannot read."""
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError(f"cannot read a saved {what}: 'version' must be a positive whole number")
    if version > FORMAT_VERSION:
        raise FormatError(
            f"this {what} was saved in format {version} by a newer pyllm; this one reads up to "
            f"format {FORMAT_VERSION}: upgrade pyllm to load it"
        )
    return version


# ---- writing ---------------------------------------------------------------------------------


def to_json(value: Any, blobs: Blobs = INLINE, where: str = "") -> Any:
    """``value`` as JSON-safe data (``json.dumps`` works on it). A dataclass leaves out the
    fields at their default; a value that has no JSON form raises ``TypeError`` naming it."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Attachment):
        return _attachment_to_json(value, blobs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_to_json(value, blobs, where)
    if isinstance(value, Mapping):
        return {str(k): to_json(v, blobs, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v, blobs, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        return sorted(to_json(v, blobs, where) for v in value)
    if isinstance(value, enum.Enum):
        return to_json(value.value, blobs, where)
    if isinstance(value, datetime):
        return value.isoformat()
    dump = getattr(value, "model_dump", None)  # a pydantic model (``parsed``)
    if callable(dump):
        return dump(mode="json")
    raise TypeError(
        f"cannot save {where.lstrip('.') or 'the value'}: a {type(value).__name__} has no JSON "
        "form (use JSON values, dataclasses or pydantic models)"
    )


def _dataclass_to_json(value: Any, blobs: Blobs, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = type(value).__name__
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if f.init and _is_default(f, item):
            continue
        if f.init:
            out[f.name] = to_json(item, blobs, f"{where or name}.{f.name}")
    return out


def _is_default(f: dataclasses.Field[Any], value: Any) -> bool:
    if f.default is not dataclasses.MISSING:
        default = f.default
    elif f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    else:
        return False
    try:
        return type(value) is type(default) and bool(value == default)
    except Exception:  # a value whose == is not a plain answer (an array): keep it
        return False


def _attachment_to_json(attachment: Attachment, blobs: Blobs) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if attachment.data is not None:
        if blobs.save is not None:
            out["ref"] = blobs.save(attachment)
            out["size"] = len(attachment.data)
        else:
            out["data"] = base64.b64encode(attachment.data).decode("ascii")
    for name in ("url", "mime_type", "filename"):
        if getattr(attachment, name) is not None:
            out[name] = getattr(attachment, name)
    return out


# ---- reading ---------------------------------------------------------------------------------


def from_json(data: Any, hint: Any, blobs: Blobs = INLINE, where: str = "") -> Any:
    """``data`` (from :func:`to_json`) as a value of type ``hint``; :class:`FormatError` when it
    does not fit, naming where."""
    try:
        return _read(data, hint, blobs, where or _name(hint))
    except _Misfit as misfit:
        owner, _, path = misfit.where.partition(".")
        subject = f"{path} " if path else ""
        raise FormatError(f"cannot read a saved {owner}: {subject}{misfit.problem}") from None


class _Misfit(Exception):
    """Where saved data does not fit its type, and how (a :class:`FormatError` once caught)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(where, problem)
        self.where, self.problem = where, problem


def _read(data: Any, hint: Any, blobs: Blobs, where: str) -> Any:
    if hint is Any or hint is object:
        return data
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _read_union(data, typing.get_args(hint), blobs, where)
    if origin is typing.Literal:
        if data not in typing.get_args(hint):
            raise _bad(where, f"must be one of {typing.get_args(hint)!r}, got {data!r}")
        return data
    if origin is not None:
        return _read_generic(data, origin, typing.get_args(hint), blobs, where)
    if hint is Attachment:
        return _read_attachment(_object(data, where), blobs, where)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _read_dataclass(_object(data, where), hint, blobs, where)
    return _read_plain(data, hint, where)


def _read_union(data: Any, options: tuple[Any, ...], blobs: Blobs, where: str) -> Any:
    if data is None and type(None) in options:
        return None
    problems = []
    for option in options:
        if option is type(None):
            continue
        try:
            return _read(data, option, blobs, where)
        except _Misfit as misfit:
            problems.append(misfit)
    if len(problems) == 1:
        raise problems[0]
    raise _bad(where, f"does not fit: {data!r}")


def _read_generic(data: Any, origin: Any, args: tuple[Any, ...], blobs: Blobs, where: str) -> Any:
    from collections.abc import Sequence, Set

    if origin in (tuple, list, Sequence, set, frozenset, Set):
        if not isinstance(data, list):
            raise _bad(where, f"must be a list, got {data!r}")
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(data) != len(args):
                raise _bad(where, f"must have {len(args)} items, got {data!r}")
            pairs = enumerate(zip(data, args, strict=True))
            return tuple(_read(v, a, blobs, f"{where}[{i}]") for i, (v, a) in pairs)
        item = args[0] if args else Any
        values = [_read(v, item, blobs, f"{where}[{i}]") for i, v in enumerate(data)]
        if origin is tuple:
            return tuple(values)
        return frozenset(values) if origin in (set, frozenset, Set) else values
    if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        value_hint = args[1] if len(args) == 2 else Any
        items = _object(data, where).items()
        return {k: _read(v, value_hint, blobs, f"{where}.{k}") for k, v in items}
    if origin is type or callable(origin):
        return data
    raise _bad(where, f"has a type pyllm cannot read back ({origin!r})")


def _read_plain(data: Any, hint: Any, where: str) -> Any:
    if hint is type(None):
        if data is not None:
            raise _bad(where, f"must be null, got {data!r}")
        return None
    if hint is bool:
        if not isinstance(data, bool):
            raise _bad(where, f"must be true or false, got {data!r}")
        return data
    if hint is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise _bad(where, f"must be a whole number, got {data!r}")
        return data
    if hint is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise _bad(where, f"must be a number, got {data!r}")
        return float(data)
    if hint is str:
        if not isinstance(data, str):
            raise _bad(where, f"must be a string, got {data!r}")
        return data
    try:
        if hint is datetime:
            return datetime.fromisoformat(data)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return hint(data)
    except (TypeError, ValueError):
        raise _bad(where, f"is not a valid {_name(hint)}: {data!r}") from None
    return data  # a type with no JSON form of its own (e.g. a callable): as saved


def _read_dataclass(data: Mapping[str, Any], cls: type, blobs: Blobs, where: str) -> Any:
    hints = field_types(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - names)
    if unknown:
        raise _bad(
            where,
            f"has fields this pyllm does not know ({', '.join(unknown)}): it was saved by a "
            "newer pyllm; upgrade pyllm to load it",
        )
    values = {
        name: _read(data[name], hints[name], blobs, f"{where}.{name}")
        for name in names
        if name in data
    }
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a value the class itself refused
        raise _bad(where, f"is not a valid {cls.__name__}: {exc}") from None


def _read_attachment(data: Mapping[str, Any], blobs: Blobs, where: str) -> Attachment:
    raw: bytes | None = None
    if "data" in data:
        try:
            raw = base64.b64decode(_read_plain(data["data"], str, f"{where}.data"), validate=True)
        except ValueError:
            raise _bad(f"{where}.data", "is not valid base64") from None
    elif "ref" in data:
        key = _read_plain(data["ref"], str, f"{where}.ref")
        if blobs.load is None:
            raise _bad(
                where,
                f"refers to stored bytes ({key}) and no loader was given: pass "
                "attachments=<a function from that key to the bytes>",
            )
        raw = blobs.load(key)
    known = {"data", "ref", "size", "url", "mime_type", "filename"}
    if set(data) - known:
        raise _bad(where, f"has unknown fields ({', '.join(sorted(set(data) - known))})")
    url, mime, name = (data.get(k) for k in ("url", "mime_type", "filename"))
    for key, value in (("url", url), ("mime_type", mime), ("filename", name)):
        if value is not None:
            _read_plain(value, str, f"{where}.{key}")
    try:
        return Attachment(data=raw, url=url, mime_type=mime, filename=name)
    except ValueError as exc:  # neither data nor a url
        raise _bad(where, str(exc)) from None


def _object(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _bad(where, f"must be an object, got {data!r}")
    return data


def _bad(where: str, problem: str) -> _Misfit:
    return _Misfit(where, problem)


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", str(hint))


# ---- field types -----------------------------------------------------------------------------


class _Types:
    """The resolved type hints of each dataclass read so far."""

    cache: ClassVar[dict[type, dict[str, Any]]] = {}


def field_types(cls: type) -> dict[str, Any]:
    """``cls``'s field types, resolved. Names a module imports only for type checkers (like
    ``Attachment`` in message.py) are found by following that import."""
    found = _Types.cache.get(cls)
    if found is not None:
        return found
    names: dict[str, Any] = {"Attachment": Attachment}
    for _ in range(20):  # one more name per round; a class names only a few
        try:
            found = typing.get_type_hints(cls, localns=names)
            break
        except NameError as exc:
            missing = getattr(exc, "name", None)
            if not missing or missing in names:
                raise
            names[missing] = _imported_name(cls, missing)
    else:  # pragma: no cover - a class naming twenty unloaded types
        raise TypeError(f"cannot resolve the field types of {cls.__name__}")
    _Types.cache[cls] = found
    return found


def _imported_name(cls: type, name: str) -> Any:
    """``name`` as ``cls``'s module imports it under ``TYPE_CHECKING``."""
    import ast
    import importlib
    import inspect
    import sys

    module = sys.modules[cls.__module__]
    tree = ast.parse(inspect.getsource(module))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(
            (a.asname or a.name) == name for a in node.names
        ):
            package = module.__package__ if node.level else None
            target = "." * node.level + (node.module or "")
            imported = importlib.import_module(target, package)
            original = next(a.name for a in node.names if (a.asname or a.name) == name)
            return getattr(imported, original)
    raise NameError(f"{cls.__name__} names {name}, which its module does not import")
