"""The clients under test ("sides"): pyllm, the raw-httpx baseline, and optional peers.

Each side makes one chat call, or reads one stream, the way its users write it. Imports happen
inside the methods so that a child process measuring one side loads only that side.

The baseline is what a competent developer writes by hand: a shared ``httpx.Client``,
``post(json=...)`` + ``raise_for_status()`` + ``json()``; for streams ``client.stream(...)`` +
``iter_lines()`` + ``json.loads`` of every ``data:`` line, joining the delta contents.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any, Protocol

from .bodies import MODEL, PROMPT

__all__ = ["API_KEY", "SIDES", "AsyncSession", "Side", "SyncSession", "available_peers"]

API_KEY = "sk-or-bench"


def _stream_headers(chunks: int, framing: str) -> dict[str, str]:
    return {"X-Bench-Chunks": str(chunks), "X-Bench-Framing": framing}


class SyncSession(Protocol):
    def ask(self) -> str: ...

    def stream(self, chunks: int, framing: str) -> tuple[int, str]:
        """Read a whole stream: (chunks parsed, assembled text)."""
        ...

    def close(self) -> None: ...


class AsyncSession(Protocol):
    async def aask(self) -> str: ...

    async def aclose(self) -> None: ...


class Side(Protocol):
    name: str
    module: str  # what ``import`` loads, for the import measurements

    def sync(self, base_url: str) -> SyncSession: ...

    def async_(self, base_url: str) -> AsyncSession: ...

    def first_call_code(self, base_url: str) -> str:
        """A whole program: import, build a client, make one call (run with ``python -c``)."""
        ...


# ---- pyllm ---------------------------------------------------------------------------------


class _PyllmSync:
    def __init__(self, base_url: str) -> None:
        from pyllm.client import Client

        self.client = Client(openrouter_api_key=API_KEY, openrouter_base_url=base_url)

    def ask(self) -> str:
        return self.client.chat(MODEL).ask(PROMPT).content

    def stream(self, chunks: int, framing: str) -> tuple[int, str]:
        chat = self.client.chat(MODEL).with_headers(**_stream_headers(chunks, framing))
        count = 0
        for _ in chat.stream(PROMPT):
            count += 1
        return count, chat.messages[-1].content

    def close(self) -> None:
        self.client.close()


class _PyllmAsync:
    def __init__(self, base_url: str) -> None:
        from pyllm.client import Client

        self.client = Client(openrouter_api_key=API_KEY, openrouter_base_url=base_url)

    async def aask(self) -> str:
        return (await self.client.chat(MODEL).aask(PROMPT)).content

    async def aclose(self) -> None:
        await self.client.aclose()


class Pyllm:
    name = "pyllm"
    module = "pyllm"

    def sync(self, base_url: str) -> SyncSession:
        return _PyllmSync(base_url)

    def async_(self, base_url: str) -> AsyncSession:
        return _PyllmAsync(base_url)

    def first_call_code(self, base_url: str) -> str:
        return (
            "import pyllm\n"
            f"client = pyllm.Client(openrouter_api_key={API_KEY!r}, "
            f"openrouter_base_url={base_url!r})\n"
            f"assert client.chat({MODEL!r}).ask({PROMPT!r}).content\n"
        )


# ---- the baseline: raw httpx + manual SSE --------------------------------------------------


def _payload(stream: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        payload["stream"] = True
        payload["stream_options"] = {"include_usage": True}
    return payload


class _HttpxSync:
    def __init__(self, base_url: str) -> None:
        import httpx

        self.url = base_url + "/chat/completions"
        self.client = httpx.Client(headers={"Authorization": f"Bearer {API_KEY}"})

    def ask(self) -> str:
        response = self.client.post(self.url, json=_payload())
        response.raise_for_status()
        content: str = response.json()["choices"][0]["message"]["content"]
        return content

    def stream(self, chunks: int, framing: str) -> tuple[int, str]:
        count, parts = 0, []
        headers = _stream_headers(chunks, framing)
        with self.client.stream("POST", self.url, json=_payload(True), headers=headers) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
                event = json.loads(data)
                count += 1
                choices = event.get("choices")
                if choices:
                    parts.append(choices[0]["delta"].get("content") or "")
        return count, "".join(parts)

    def close(self) -> None:
        self.client.close()


class _HttpxAsync:
    def __init__(self, base_url: str) -> None:
        import httpx

        self.url = base_url + "/chat/completions"
        self.client = httpx.AsyncClient(headers={"Authorization": f"Bearer {API_KEY}"})

    async def aask(self) -> str:
        response = await self.client.post(self.url, json=_payload())
        response.raise_for_status()
        content: str = response.json()["choices"][0]["message"]["content"]
        return content

    async def aclose(self) -> None:
        await self.client.aclose()


class Httpx:
    name = "httpx"
    module = "httpx"

    def sync(self, base_url: str) -> SyncSession:
        return _HttpxSync(base_url)

    def async_(self, base_url: str) -> AsyncSession:
        return _HttpxAsync(base_url)

    def first_call_code(self, base_url: str) -> str:
        return (
            "import httpx\n"
            f"client = httpx.Client(headers={{'Authorization': 'Bearer {API_KEY}'}})\n"
            f"response = client.post({base_url + '/chat/completions'!r}, "
            f"json={_payload()!r})\n"
            "response.raise_for_status()\n"
            "assert response.json()['choices'][0]['message']['content']\n"
        )


# ---- optional peer: the openai SDK ---------------------------------------------------------


class _OpenAISync:
    def __init__(self, base_url: str) -> None:
        self.client = importlib.import_module("openai").OpenAI(api_key=API_KEY, base_url=base_url)

    def ask(self) -> str:
        reply = self.client.chat.completions.create(model=MODEL, messages=_payload()["messages"])
        return reply.choices[0].message.content or ""

    def stream(self, chunks: int, framing: str) -> tuple[int, str]:
        count, parts = 0, []
        events = self.client.chat.completions.create(
            model=MODEL,
            messages=_payload()["messages"],
            stream=True,
            stream_options={"include_usage": True},
            extra_headers=_stream_headers(chunks, framing),
        )
        for event in events:
            count += 1
            if event.choices:
                parts.append(event.choices[0].delta.content or "")
        return count, "".join(parts)

    def close(self) -> None:
        self.client.close()


class _OpenAIAsync:
    def __init__(self, base_url: str) -> None:
        self.client = importlib.import_module("openai").AsyncOpenAI(
            api_key=API_KEY, base_url=base_url
        )

    async def aask(self) -> str:
        messages = _payload()["messages"]
        reply = await self.client.chat.completions.create(model=MODEL, messages=messages)
        return reply.choices[0].message.content or ""

    async def aclose(self) -> None:
        await self.client.close()


class OpenAI:
    name = "openai"
    module = "openai"

    def sync(self, base_url: str) -> SyncSession:
        return _OpenAISync(base_url)

    def async_(self, base_url: str) -> AsyncSession:
        return _OpenAIAsync(base_url)

    def first_call_code(self, base_url: str) -> str:
        return (
            "import openai\n"
            f"client = openai.OpenAI(api_key={API_KEY!r}, base_url={base_url!r})\n"
            f"reply = client.chat.completions.create(model={MODEL!r}, "
            f"messages={_payload()['messages']!r})\n"
            "assert reply.choices[0].message.content\n"
        )


SIDES: dict[str, Side] = {"pyllm": Pyllm(), "httpx": Httpx(), "openai": OpenAI()}
"""Every side by name: ``pyllm`` and ``httpx`` always run; the rest are peers."""


def available_peers() -> list[str]:
    """Peers whose package is installed in this interpreter."""
    return [n for n in SIDES if n not in ("pyllm", "httpx") if importlib.util.find_spec(n)]
