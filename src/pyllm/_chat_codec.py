"""A chat as JSON-safe data and back: ``chat.to_dict()``, ``client.chat_from(data)``.

The format (version :data:`~pyllm._serial.FORMAT_VERSION`) is documented in the persistence
guide. A chat is its model and provider, its settings (the ``with_*`` values, its limits and what
it used against them), its tools *by name* and how they are run, and its messages. Hooks and
the tool functions themselves are code: the caller gives the tools again, and a named tool that
is not given raises :class:`~pyllm.ToolError` unless ``missing_tools="drop"``.

>>> import pyllm
>>> client = pyllm.Client(openrouter_api_key="sk-or-test")
>>> chat = client.chat("openai/gpt-4.1-mini").with_instructions("Be terse.")
>>> again = client.chat_from(chat.to_dict())
>>> again.model, again.messages == chat.messages
('openai/gpt-4.1-mini', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ._chat_options import ChatOptions
from ._serial import FORMAT_VERSION, Blobs, FormatError, check_version, from_json, to_json
from .errors import ToolError
from .message import Message

if TYPE_CHECKING:
    from ._engine.meter import Meter
    from ._engine.toolbox import Toolbox
    from ._serial import LoadBlob, SaveBlob
    from ._session import Session
    from .conversation import Chat

__all__ = [
    "KIND",
    "chat_dict",
    "chat_from",
    "messages_from_json",
    "options_from_json",
    "options_to_json",
    "read_chat_header",
]

KIND = "pyllm.chat"
"""The ``format`` of a saved chat."""

MISSING_TOOLS = ("raise", "drop")
_USED = ("spent", "requests", "tool_calls", "input_tokens", "output_tokens")


def chat_dict(
    model: str,
    provider: str,
    settings: Mapping[str, Any],
    messages: Iterable[Message],
    attachments: SaveBlob | None = None,
) -> dict[str, Any]:
    """The saved form of a chat (``settings`` from :func:`options_to_json`)."""
    blobs = Blobs(save=attachments)
    return {
        "format": KIND,
        "version": FORMAT_VERSION,
        "model": model,
        "provider": provider,
        **settings,
        "messages": [to_json(m, blobs, f"messages[{i}]") for i, m in enumerate(messages)],
    }


def options_to_json(options: ChatOptions, toolbox: Toolbox, meter: Meter | None) -> dict[str, Any]:
    """``settings`` (every ``with_*`` value but the structured-output readers, which the
    schema gives again), ``tools`` and, for a chat with limits, ``used``."""
    readers_left_out = replace(options, parse=None, partial=None)
    out: dict[str, Any] = {"settings": to_json(readers_left_out, where="settings")}
    out["tools"] = _toolbox_to_json(toolbox)
    if meter is not None:
        out["used"] = {name: getattr(meter, name) for name in _USED}
    return out


def _toolbox_to_json(toolbox: Toolbox) -> dict[str, Any]:
    files = toolbox.files
    return {
        "names": list(toolbox.tools),
        "choice": toolbox.choice,
        "parallel": toolbox.parallel,
        "max_rounds": toolbox.max_rounds,
        "raise_errors": toolbox.raise_errors,
        "timeout": toolbox.timeout,
        "max_result_chars": toolbox.max_result_chars,
        "allow_files": files if isinstance(files, bool) else [str(f) for f in files],
        **_changed(toolbox),  # confirm is a function: give it again with with_tools
    }


def _changed(toolbox: Toolbox) -> dict[str, Any]:
    """Tool settings added after format 1 was frozen, written only when not at their default
    (so a chat that does not use them is saved exactly as before)."""
    from .tools import DEFAULT_TOOL_CONCURRENCY

    changed: dict[str, Any] = {}
    if toolbox.concurrency != DEFAULT_TOOL_CONCURRENCY:
        changed["concurrency"] = toolbox.concurrency
    if not toolbox.execute:
        changed["execute"] = False
    return changed


def read_chat_header(data: Any) -> tuple[str, str]:
    """``(model, provider)`` of a saved chat, its format and version checked."""
    if not isinstance(data, Mapping) or data.get("format") != KIND:
        raise FormatError(
            "not a saved pyllm chat: expected a dict from chat.to_dict() with format 'pyllm.chat'"
        )
    check_version(data, "chat")
    model, provider = data.get("model"), data.get("provider")
    if not isinstance(model, str) or not isinstance(provider, str):
        raise FormatError("cannot read a saved chat: model and provider must be strings")
    return model, provider


def options_from_json(
    data: Mapping[str, Any],
    toolbox: Toolbox,
    tools: Iterable[Any],
    missing_tools: str,
) -> tuple[ChatOptions, Meter | None]:
    """The options and the meter a saved chat had; its tools put back in ``toolbox`` (from
    ``tools``, matched by name)."""
    options = from_json(data.get("settings", {}), ChatOptions, where="chat.settings")
    if options.schema is not None:  # the parser follows from the schema
        schema = options.schema
        options = options.with_schema(
            dict(schema.schema), schema.name, schema.strict, options.schema_retries
        )
    _restore_tools(data.get("tools", {}), toolbox, tools, missing_tools)
    used = data.get("used")
    meter = None
    if used is not None:
        from ._engine.meter import Meter

        counts = from_json(used, dict[str, float], where="chat.used")
        meter = Meter(
            spent=counts.get("spent", 0.0),
            **{name: int(counts.get(name, 0)) for name in _USED[1:]},
        )
    return options, meter


def _restore_tools(
    saved: Mapping[str, Any], toolbox: Toolbox, tools: Iterable[Any], missing_tools: str
) -> None:
    if missing_tools not in MISSING_TOOLS:
        raise ValueError(f"missing_tools must be 'raise' or 'drop', got {missing_tools!r}")
    toolbox.add(tools)
    names = from_json(saved.get("names", []), list[str], where="chat.tools.names")
    missing = [name for name in names if name not in toolbox.tools]
    if missing and missing_tools == "raise":
        raise ToolError(
            f"the saved chat used the tools {', '.join(missing)}, which were not given: pass "
            "them again (chat_from(data, tools=[...])), or missing_tools='drop' to go on "
            "without them (the model is no longer offered them)"
        )
    choice = saved.get("choice")
    toolbox.configure(
        (),
        choice=choice if choice is None or choice not in missing else None,
        parallel=saved.get("parallel"),
        max_rounds=saved.get("max_rounds"),
        raise_errors=saved.get("raise_errors"),
        max_result_chars=saved.get("max_result_chars"),
        allow_files=saved.get("allow_files"),
        concurrency=saved.get("concurrency"),
        execute=saved.get("execute"),
    )
    if "timeout" in saved:
        toolbox.timeout = from_json(saved["timeout"], float | None, where="chat.tools.timeout")


def messages_from_json(data: Mapping[str, Any], attachments: LoadBlob | None) -> list[Message]:
    """The messages of a saved chat."""
    items = data.get("messages", [])
    if not isinstance(items, list):
        raise FormatError("cannot read a saved chat: messages must be a list")
    blobs = Blobs(load=attachments)
    return [from_json(m, Message, blobs, f"chat.messages[{i}]") for i, m in enumerate(items)]


def chat_from(
    session: Session,
    data: Mapping[str, Any],
    *,
    tools: Iterable[Any] = (),
    missing_tools: str = "raise",
    attachments: LoadBlob | None = None,
) -> Chat:
    """A :class:`~pyllm.Chat` on ``session`` rebuilt from :meth:`Chat.to_dict`'s data."""
    from .conversation import Chat

    model, provider = read_chat_header(data)
    session.provider(provider)  # an unknown provider fails here, naming the known ones
    chat = Chat(session, model, provider)
    return chat.restore(data, tools=tools, missing_tools=missing_tools, attachments=attachments)
