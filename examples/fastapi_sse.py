"""A FastAPI server that streams a model's answer to the browser with server-sent events.

    pip install fastapi uvicorn
    python examples/fastapi_sse.py              # or: uvicorn fastapi_sse:app (from examples/)
    curl -N 'http://127.0.0.1:8000/ask?q=Tell+me+a+joke'

``GET /ask?q=...`` answers ``text/event-stream``: one ``data: {"text": ...}`` event per piece
of the answer as ``chat.astream`` yields it, then ``event: done`` with the model, tokens and
cost, or ``event: error`` if the model failed. In a browser::

    const source = new EventSource("/ask?q=" + encodeURIComponent(question));
    source.onmessage = (e) => output.textContent += JSON.parse(e.data).text;
    source.addEventListener("done", () => source.close());

Uses OpenRouter with OPENROUTER_API_KEY, or any OpenRouter-compatible server named by
OPENROUTER_BASE_URL (``pyllm serve-fake`` runs one locally).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query
from fastapi.responses import StreamingResponse

import pyllm

MODEL = os.environ.get("PYLLM_DEFAULT_MODEL", "openai/gpt-4.1-mini")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await pyllm.default_client().aclose()  # close the connection pool on shutdown


app = FastAPI(title="pyllm SSE example", lifespan=lifespan)


def new_chat() -> pyllm.Chat:
    """A fresh conversation for each request."""
    return pyllm.chat(MODEL).with_instructions("Answer briefly.")


def sse(data: dict[str, Any], event: str | None = None) -> str:
    """One server-sent event."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n"


async def events(chat: pyllm.Chat, question: str) -> AsyncIterator[str]:
    try:
        # async with: if the browser goes away, the model's connection closes at once
        async with chat.astream(question) as stream:
            async for chunk in stream:
                if chunk.content:
                    yield sse({"text": chunk.content})
    except pyllm.Error as error:
        yield sse({"error": str(error)}, event="error")
        return
    message = chat.messages[-1]
    usage = message.usage or pyllm.Usage()
    yield sse(
        {"model": message.model, "tokens": usage.total_tokens, "cost": usage.cost},
        event="done",
    )


@app.get("/ask")
async def ask(
    q: Annotated[str, Query(min_length=1, description="the question")],
    chat: Annotated[pyllm.Chat, Depends(new_chat)],
) -> StreamingResponse:
    return StreamingResponse(
        events(chat, q),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
