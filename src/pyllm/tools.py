"""Python functions as tools: ``@pyllm.tool``, the ``pyllm.Tool`` base class, ``pyllm.Halt``.

>>> import pyllm
>>> @pyllm.tool
... def weather(latitude: str, longitude: str) -> str:
...     '''Get the current weather for a location.
...
...     Args:
...         latitude: Latitude, e.g. 52.5200
...         longitude: Longitude, e.g. 13.4050
...     '''
...     return f"15°C at {latitude}, {longitude}"
>>> weather.name, weather.description
('weather', 'Get the current weather for a location.')
>>> weather.parameters["required"]
['latitude', 'longitude']
>>> weather("52.52", "13.40")                  # still an ordinary function
'15°C at 52.52, 13.40'
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeAlias, overload

from . import _schema
from ._docstring import parse_docstring
from .content import Attachment, Content
from .errors import ToolError
from .request import ToolDefinition

if typing.TYPE_CHECKING:
    from .message import ToolCall

__all__ = [
    "DEFAULT_MAX_RESULT_CHARS",
    "DEFAULT_TOOL_CONCURRENCY",
    "DEFAULT_TOOL_TIMEOUT",
    "Halt",
    "Tool",
    "ToolResult",
    "tool",
]

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

DEFAULT_TOOL_TIMEOUT = 60.0
"""Seconds a tool may run before the model is told it timed out (per tool: ``timeout=``; per
chat: ``with_tools(tool_timeout=...)``; ``math.inf`` waits for ever)."""

DEFAULT_MAX_RESULT_CHARS = 100_000
"""The longest tool result (in characters, about 25,000 tokens) sent to the model; longer ones
are cut with a note saying so (per chat: ``with_tools(max_result_chars=...)``)."""

DEFAULT_TOOL_CONCURRENCY = 8
"""How many calls of one assistant message run at once (per chat:
``with_tools(concurrency=...)``; ``1`` runs them one after another)."""

FilePolicy: TypeAlias = "bool | tuple[Path, ...]"
"""Which local files named by plain paths in a tool's ``Content`` may be sent: ``False`` none,
``True`` any, or those inside these folders (or equal to these files)."""


def check_timeout(timeout: Any, what: str = "timeout") -> float | None:
    """``timeout`` as seconds (``None`` for no limit), or ``ValueError`` naming ``what``."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(
            f"{what} must be a positive number of seconds (math.inf for no limit), got {timeout!r}"
        )
    return None if math.isinf(timeout) else float(timeout)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ToolError(f"tool name {name!r} must be 1-64 letters, digits, '_' or '-'")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])|(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True, slots=True)
class Halt:
    """Return ``Halt(value)`` from a tool to end the tool loop with ``value``.

    ``chat.ask`` then returns the tool message: ``reply.content`` is ``content`` (or ``value``
    as text) and ``reply.parsed`` is ``value``.
    """

    value: Any = None
    content: str | None = None


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What running one tool call gave: ``content`` is what the model receives."""

    call: ToolCall
    content: str
    value: Any = None
    is_error: bool = False
    halted: bool = False
    attachments: tuple[Attachment, ...] = ()
    error: BaseException | None = field(default=None, compare=False, repr=False)


class Tool:
    """Base class for stateful tools: subclass it and write ``execute`` with type hints.

    ``timeout`` (seconds) overrides the chat's tool time limit for this tool.

    >>> class Counter(Tool):
    ...     '''Count how often it was called.'''
    ...     def __init__(self) -> None:
    ...         self.calls = 0
    ...     def execute(self, step: int = 1) -> int:
    ...         self.calls += step
    ...         return self.calls
    >>> Counter().name, Counter().parameters["properties"]
    ('counter', {'step': {'type': 'integer'}})
    """

    name: str = ""
    description: str = ""
    strict: ClassVar[bool | None] = None
    timeout: float | None = None

    def execute(self, **arguments: Any) -> Any:
        raise NotImplementedError("a Tool subclass must define execute(...)")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = _snake(cls.__name__)
        if "description" not in cls.__dict__:
            cls.description = parse_docstring(cls.__doc__ or cls.execute.__doc__)[0]

    @property
    def function(self) -> Callable[..., Any]:
        """The callable that does the work (``execute`` for subclasses)."""
        return self.execute

    @functools.cached_property
    def _signature(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(JSON Schema of the parameters, {name: type hint})`` from the function."""
        return _describe(self.function, type(self).__name__)

    @property
    def parameters(self) -> dict[str, Any]:
        return self._signature[0]

    def definition(self) -> ToolDefinition:
        _check_name(self.name)
        return ToolDefinition(self.name, self.description, self.parameters, self.strict)

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function)

    def prepare(self, call: ToolCall) -> dict[str, Any] | ToolResult:
        """The keyword arguments to call with, or an error result telling the model why not."""
        if call.arguments_error:
            return _error(call, f"{call.arguments_error}. Send the arguments as a JSON object.")
        problems = _schema.validate(self.parameters, dict(call.arguments))
        if problems:
            return _error(call, f"invalid arguments for tool {self.name!r}: {'; '.join(problems)}")
        hints = self._signature[1]
        return {k: _schema.convert(hints.get(k, Any), v) for k, v in call.arguments.items()}

    def __repr__(self) -> str:
        return f"<tool {self.name!r}>"


class FunctionTool(Tool):
    """A plain function made into a tool by ``@pyllm.tool``; calling it calls the function."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ):
        self._fn = fn
        self.name = name or fn.__name__
        self.description = (
            description if description is not None else parse_docstring(fn.__doc__)[0]
        )
        self.timeout = timeout
        functools.update_wrapper(self, fn)
        _check_name(self.name)

    @property
    def function(self) -> Callable[..., Any]:
        return self._fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)


@overload
def tool(fn: Callable[..., Any], /) -> FunctionTool: ...
@overload
def tool(
    *, name: str | None = None, description: str | None = None, timeout: float | None = None
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Make a function a tool: ``@pyllm.tool`` or ``@pyllm.tool(name=..., description=...)``.

    The name comes from the function, the description from the docstring's first paragraph,
    parameter descriptions from its ``Args:`` section (or ``Annotated[T, "..."]``), and the JSON
    Schema from the type hints. Sync and async functions both work. ``timeout`` (seconds)
    overrides the chat's tool time limit for this tool.
    """
    check_timeout(timeout)
    if fn is None:
        return lambda f: FunctionTool(f, name, description, timeout)
    if not callable(fn):
        raise ToolError(f"@pyllm.tool needs a function, got {type(fn).__name__}")
    return FunctionTool(fn, name, description, timeout)


def _describe(fn: Callable[..., Any], owner: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        raise ToolError(f"cannot read the type hints of tool {owner!r}: {exc}") from exc
    _, docs = parse_docstring(fn.__doc__)
    fields: list[tuple[str, Any, bool]] = []
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise ToolError(f"tool {owner!r}: *args / **kwargs cannot be described to a model")
        if parameter.name == "self":
            continue
        hint = hints.get(parameter.name, str)  # unannotated parameters are strings
        fields.append((parameter.name, hint, parameter.default is not parameter.empty))
    defs: dict[str, Any] = {}
    try:
        schema = _schema.object_schema(fields, docs, defs)
    except TypeError as exc:
        raise ToolError(f"tool {owner!r}: {exc}") from exc
    if defs:
        schema["$defs"] = defs
    return schema, {name: hint for name, hint, _ in fields}


def _error(call: ToolCall, message: str, error: BaseException | None = None) -> ToolResult:
    return ToolResult(call, f"Error: {message}", is_error=True, error=error)


def render_result(value: Any) -> str:
    """A tool's return value as the text the model receives: strings as they are, else JSON.

    Raises ``TypeError`` naming the type of a value that has no JSON form.
    """
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=_jsonable)


def _jsonable(value: Any) -> Any:
    import dataclasses
    import enum

    if isinstance(value, (Attachment, Content)):  # a dataclass, but not data for JSON
        raise TypeError(
            f"a pyllm.{type(value).__name__} inside another value has no JSON form (return it "
            "on its own, or pyllm.Content(text, [files]))"
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    kind = type(value)
    raise TypeError(f"a {kind.__module__}.{kind.__qualname__} value has no JSON form")


_RETURNABLE = (
    "return a str, a number, a bool, None, a list or dict of those, a dataclass, an Enum, "
    "a pydantic model, or pyllm.Content"
)


def finished(call: ToolCall, value: Any, files: FilePolicy = False) -> ToolResult:
    """The result for a tool that returned ``value``: ``Halt`` ends the loop; an ``Attachment``
    or ``Content`` sends files along (as a user message after the round's results).

    ``files`` says which local files named by plain paths in a ``Content`` may be sent (the
    model may have chosen the path); ``Attachment`` values the tool built are always sent.
    """
    if isinstance(value, Halt):
        content = value.content if value.content is not None else _halt_text(value.value)
        return ToolResult(call, content, value.value, halted=True)
    if isinstance(value, Attachment):
        value = Content("", [value])
    if isinstance(value, Content):
        text: object = value.text  # typed str, but a tool may put anything there
        if not isinstance(text, str):
            kind = type(text)
            message = (
                f"tool {call.name!r} returned pyllm.Content whose text is a "
                f"{kind.__module__}.{kind.__qualname__}, not a str; put the text in a str "
                "(json.dumps(...) for data) and the files in its attachments"
            )
            return _error(call, message, TypeError(message))
        not_allowed = [str(p) for p in value.local_paths if not _allowed(p, files)]
        if not_allowed:
            return _refused_files(call, not_allowed)
        text = value.text or f"Returned {len(value.attachments)} attachment(s)."
        return ToolResult(call, text, value, attachments=tuple(value.attachments))
    try:
        return ToolResult(call, render_result(value), value)
    except (TypeError, ValueError) as exc:  # no JSON form, or a circular reference
        message = (
            f"tool {call.name!r} returned a value that cannot be sent to the model ({exc}); "
            f"the tool should {_RETURNABLE}"
        )
        return _error(call, message, TypeError(message))


def _halt_text(value: Any) -> str:
    """A ``Halt`` value as text: JSON when it has a JSON form (it need not: it is for the
    caller, as ``reply.parsed``), else ``str(value)``."""
    try:
        return render_result(value)
    except (TypeError, ValueError):
        return str(value)


def _allowed(path: Path, files: FilePolicy) -> bool:
    if isinstance(files, bool):
        return files
    resolved = path.resolve()
    return any(resolved == place or resolved.is_relative_to(place) for place in files)


def _refused_files(call: ToolCall, paths: list[str]) -> ToolResult:
    message = (
        f"tool {call.name!r} named local files by path in its result ({', '.join(paths)}), and "
        "pyllm does not send files a tool result names by path unless the chat allows them. "
        "Build them in the tool with pyllm.Attachment.from_path(...), or allow their folder "
        "with chat.with_tools(..., allow_files=[...])"
    )
    return _error(call, message, ToolError(message))


def refused(call: ToolCall, reason: str | None = None) -> ToolResult:
    """The result for a call the chat's ``confirm`` refused: the model reads why (the reason
    given, if any) and that it did not run. Not an error of the tool, so nothing to raise."""
    text = f"Error: the user did not allow this call to {call.name!r}, so it did not run"
    return ToolResult(call, f"{text}: {reason}" if reason else f"{text}.", is_error=True)


def failed(call: ToolCall, exc: BaseException) -> ToolResult:
    """The result for a tool that raised: the model reads the error and may try again."""
    return ToolResult(call, f"Error: {type(exc).__name__}: {exc}", is_error=True, error=exc)


def check_files(files: Any) -> FilePolicy:
    """``allow_files`` as a policy: ``True``/``False``, or folders and files (resolved now)."""
    if isinstance(files, bool):
        return files
    if isinstance(files, (str, Path)):
        files = [files]
    if not isinstance(files, Sequence) or not all(isinstance(f, (str, Path)) for f in files):
        raise TypeError(
            f"allow_files must be True, False or a list of folders and files, got {files!r}"
        )
    return tuple(Path(f).expanduser().resolve() for f in files)
