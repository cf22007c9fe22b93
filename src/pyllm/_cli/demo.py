"""``pyllm demo``: a short tour of ask, stream and error handling.

Without ``OPENROUTER_API_KEY`` it runs against the built-in local OpenRouter from
``pyllm.testing`` and says so plainly; with the key it talks to OpenRouter itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import Client
    from ..errors import Error
    from ..message import Message
    from ..testing import FakeOpenRouter

__all__ = ["run_demo"]

DEMO_MODEL = "openai/gpt-4.1-mini"


def _describe(message: Message) -> str:
    usage = message.usage
    parts = [f"model {message.model}"]
    if message.upstream:
        parts[0] += f" via {message.upstream}"
    if usage is not None:
        parts.append(f"{usage.input_tokens} in / {usage.output_tokens} out tokens")
        if usage.cost is not None:
            parts.append(f"${usage.cost:.6f}")
    return " · ".join(parts)


def _error_line(exc: Error) -> str:
    """``exc`` as one line that names its class once (API errors already say it)."""
    text = str(exc)
    name = type(exc).__name__
    return text if name in text else f"{name}: {text}"


def _script(server: FakeOpenRouter) -> None:
    from ..testing import error, text, tool_call

    server.reply(
        text("2 + 2 = 4"),
        text("1, 2, 3, 4, 5", chunks=5),
        tool_call("weather", {"city": "Berlin"}),
        text("It is 15°C and sunny in Berlin."),
        error(429, "Rate limit exceeded: free-models-per-min", retry_after=1),
        text("Recovered after the rate limit: here is your answer."),
    )


def weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: The city name, in English.
    """
    return f"15°C and sunny in {city}"


def run_demo(
    *, model: str | None = None, offline: bool = False, out: Callable[[str], object] = print
) -> int:
    """Run the tour; returns the process exit code."""
    from ..client import Client
    from ..testing import FakeOpenRouter

    key = os.environ.get("OPENROUTER_API_KEY", "").strip()
    if key and not offline:
        out("pyllm demo: talking to OpenRouter with your OPENROUTER_API_KEY.\n")
        with Client() as client:
            return _tour(
                client,
                model or DEMO_MODEL,
                bad_client=Client(openrouter_api_key="sk-or-invalid"),
                out=out,
            )
    with FakeOpenRouter(api_key="sk-or-demo-key") as server:
        _script(server)
        out(
            "pyllm demo: no OPENROUTER_API_KEY set, so this tour runs against pyllm's built-in "
            f"local OpenRouter (pyllm.testing) at {server.url}.\nNothing leaves this machine. "
            "Set OPENROUTER_API_KEY to run the same tour against OpenRouter.\n"
        )
        bad = server.client(openrouter_api_key="sk-or-wrong-key")
        return _tour(
            server.client(), model or "anthropic/claude-haiku-4.5", bad_client=bad, out=out
        )


def _tour(client: Client, model: str, *, bad_client: Client, out: Callable[[str], object]) -> int:
    from ..errors import Error

    chat = client.chat(model)
    out("1. ask")
    out("   > What's 2 + 2?")
    reply = chat.ask("What's 2 + 2?")
    out(f"   {reply.content}")
    out(f"   {_describe(reply)}\n")

    out("2. stream")
    out("   > Count from 1 to 5")
    pieces = []
    line = "   "
    for chunk in chat.stream("Count from 1 to 5"):
        pieces.append(chunk)
        line += chunk.content
    out(line)
    out(f"   {len(pieces)} chunks · {_describe(chat.messages[-1])}\n")

    out("3. tools")
    out("   > What's the weather in Berlin? (with a weather(city) tool)")
    chat.with_tools(weather).on_tool_call(
        lambda call: out(f"   model called {call.name}({dict(call.arguments)})")
    )
    reply = chat.ask("What's the weather in Berlin? Use the weather tool.")
    out(f"   {reply.content}\n")
    chat.without_tools()

    out("4. errors")
    out("   > Tell me something (the server answers 429 Retry-After: 1 first)")
    try:
        reply = chat.ask("Tell me something")
        out(f"   pyllm waited, retried and got: {reply.content}")
    except Error as exc:
        out(f"   {_error_line(exc)}")
    try:
        bad_client.chat(model).ask("Hello")
        out("   (the bad key was accepted?)")
    except Error as exc:
        out(f"   a wrong API key raises {_error_line(exc)}")
    finally:
        bad_client.close()
    out(
        f"   the chat history is intact: {len(chat.messages)} messages, total cost "
        f"${chat.cost or 0:.6f}\n"
    )
    out("Done. Next: README.md, or `pyllm serve-fake` to test your own app offline.")
    return 0
