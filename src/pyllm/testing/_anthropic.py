"""The fake Anthropic: the shared fake server speaking Anthropic's API (``POST /messages``,
blocking and streamed, ``POST /messages/count_tokens``, ``GET /models``), with shortcuts to pyllm
clients."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from ._anthropic_checks import refusal
from ._messages import MessageRendering, error_body, event, signature
from ._prompt_cache import PromptCache, prompt_words
from ._replies import Reply, body_bytes
from ._server import FakeServer

if TYPE_CHECKING:
    from ._http1 import RecordedRequest

__all__ = ["AnthropicDialect", "FakeAnthropic"]

_request_ids = itertools.count(1)


def _retryable(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500


class AnthropicDialect:
    """How the fake server speaks Anthropic (see :class:`~pyllm.testing._dialect.Dialect`)."""

    name = "anthropic"
    base_path = "/v1"
    chat_path = "/messages"
    keepalive = b""  # the rendering sends its pings where the real API does, after a block starts

    def __init__(self) -> None:
        self.cache = PromptCache()

    def denied(self, request: RecordedRequest, api_key: str | None) -> Reply | None:
        """A 401 without the ``x-api-key`` (or with another than ``api_key``), a 400 without
        ``anthropic-version`` or for a body the API rejects, worded like the API's."""
        refused = refusal(request, api_key)
        if refused is None:
            return None
        status, kind, message = refused
        return self.prepare(Reply(status=status, error={"message": message, "code": kind}), request)

    def default_reply(self, request: RecordedRequest) -> Reply:
        """An echo for chat, a word count for ``count_tokens``, the registry's Claude models."""
        path, method = request.path, request.method
        if path.endswith(self.chat_path) and method == "POST":
            return Reply()
        if path.endswith("/messages/count_tokens") and method == "POST":
            body = request.json if isinstance(request.json, dict) else {}
            return Reply(body={"input_tokens": prompt_words(body)})
        if method == "GET" and (path.endswith("/models") or "/models/" in path):
            return _models_reply(request)
        message = f"Not Found: {method} {path}"
        return Reply(status=404, error={"message": message, "code": "not_found_error"})

    def prepare(self, reply: Reply, request: RecordedRequest) -> Reply:
        """Every answer carries a ``request-id`` header; an ``error()`` reply gets Anthropic's
        envelope (with that id), and ``x-should-retry`` as the API sends it."""
        scripted = {name.lower(): value for name, value in reply.headers.items()}
        request_id = scripted.get("request-id") or f"req_fake{next(_request_ids):016d}"
        headers = {"request-id": request_id} if "request-id" not in scripted else {}
        if reply.error is not None and reply.body is None:
            code = reply.error.get("code")
            kind = code if isinstance(code, str) else reply.status
            body = error_body(kind, str(reply.error.get("message", "")), request_id)
            if "x-should-retry" not in scripted:
                headers["x-should-retry"] = "true" if _retryable(reply.status) else "false"
            return reply.but(body=body, headers={**headers, **reply.headers})
        return reply.but(headers={**headers, **reply.headers}) if headers else reply

    def render(self, reply: Reply, request: RecordedRequest) -> MessageRendering:
        body = request.json if isinstance(request.json, dict) else {}
        return MessageRendering(reply, body, self.cache.use(body))

    def failure_body(self, message: str) -> bytes:
        return body_bytes(error_body(500, message))

    def failure_event(self, message: str) -> bytes:
        return event("error", error_body(500, message))

    def client_settings(self, url: str, api_key: str | None) -> dict[str, Any]:
        return {"anthropic_api_key": api_key or "sk-ant-fake-key", "anthropic_base_url": url}


def _models_reply(request: RecordedRequest) -> Reply:
    from ._anthropic_models import anthropic_models, models_page

    if request.path.endswith("/models"):
        status, page = models_page(request.query)
        if isinstance(page, str):
            return Reply(status=status, error={"message": page, "code": "invalid_request_error"})
        return Reply(body=page)
    wanted = request.path.rsplit("/models/", 1)[1]
    for model in anthropic_models():
        if model["id"] == wanted:
            return Reply(body=model)
    return Reply(status=404, error={"message": f"model: {wanted}", "code": "not_found_error"})


class FakeAnthropic(FakeServer):
    """An Anthropic Messages API server for tests and demos. Use it as a context manager.

    >>> from pyllm.testing import FakeAnthropic, text
    >>> import httpx
    >>> with FakeAnthropic() as server:
    ...     server.reply(text("Hi there!"))
    ...     answer = httpx.post(server.url + "/messages", headers={
    ...         "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}, json={
    ...         "model": "claude-haiku-4-5", "max_tokens": 100,
    ...         "messages": [{"role": "user", "content": "Hello"}]}).json()
    >>> answer["content"], answer["stop_reason"]
    ([{'type': 'text', 'text': 'Hi there!'}], 'end_turn')

    It speaks the API the way the real one does: JSON or SSE events (``message_start``,
    content blocks with their deltas, ``ping``, ``message_delta``, ``message_stop``), thinking
    blocks with signatures, ``tool_use`` blocks, a web search when the request gives the model
    its ``web_search`` tool (search, results, text citing the reply's ``url_citation`` sources),
    answers cut at the first of the request's ``stop_sequences``, usage with prompt-cache reads
    and writes, errors
    as ``{"type": "error", "error": {"type", "message"}}`` with a ``request-id`` header, and
    ``GET /models`` in pages. Like the real API it answers 401 without an ``x-api-key`` (with
    ``api_key``: without that key), 400 without ``anthropic-version``, and 400 for a body the
    API rejects (``max_tokens`` missing, a ``tool_result`` without its ``tool_use``, a thinking
    block whose signature was changed...). Unscripted messages get an echo of the last user
    message. ``server.chat(model)`` is a :class:`pyllm.Chat` with ``provider="anthropic"``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        model: str = "claude-haiku-4-5",
        write_size: int | None = None,
    ) -> None:
        super().__init__(
            AnthropicDialect(),
            host=host,
            port=port,
            api_key=api_key,
            write_size=write_size,
            model=model,
        )

    @staticmethod
    def signature(thinking: str) -> str:
        """The signature this server gives a thinking block with the text ``thinking`` (and
        expects back with it): ``FakeAnthropic.signature("Hmm.")``."""
        return signature(thinking)
