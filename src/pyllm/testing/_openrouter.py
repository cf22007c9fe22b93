"""The fake OpenRouter: the shared fake server speaking OpenRouter's API (Chat Completions with
its dialect, ``/embeddings``, ``/images``, ``/models``), with shortcuts to pyllm clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._account import Account
from ._chat_completions import Rendered, failure_event
from ._media import TINY_PNG_URL, embeddings_reply, images_reply, wants_image
from ._replies import Reply, body_bytes
from ._server import FakeServer

if TYPE_CHECKING:
    from ._http1 import RecordedRequest

__all__ = ["FakeOpenRouter", "OpenRouterDialect"]


class OpenRouterDialect:
    """How the fake server speaks OpenRouter (see :class:`~pyllm.testing._dialect.Dialect`)."""

    name = "openrouter"
    base_path = "/api/v1"
    chat_path = "/chat/completions"
    keepalive = b": OPENROUTER PROCESSING\n\n"

    def __init__(self) -> None:
        self.account = Account()

    def denied(self, request: RecordedRequest, api_key: str | None) -> Reply | None:
        """A 401 like OpenRouter's for a missing or wrong bearer key (any key without one)."""
        said = request.headers.get("authorization")
        if api_key is None or said == f"Bearer {api_key}":
            return None
        text = "Missing Authentication header" if said is None else "Invalid API key"
        return Reply(status=401, body={"error": {"message": text, "code": 401}})

    def default_reply(self, request: RecordedRequest) -> Reply:
        """An echo for chat, deterministic vectors and images, the bundled model catalog, the
        account routes."""
        body = request.json if isinstance(request.json, dict) else {}
        path, method = request.path, request.method
        if path.endswith(self.chat_path) and method == "POST":
            if wants_image(body):
                return Reply(text="Here is your image.", images=(TINY_PNG_URL,))
            return Reply()
        if path.endswith("/embeddings") and method == "POST":
            return embeddings_reply(body)
        if path.endswith("/images") and method == "POST":
            return images_reply(body)
        if path.endswith("/models") and method == "GET":
            from ._models import models_listing

            return Reply(body=models_listing(request.query))
        account = self.account.answer(request)
        if account is not None:
            return account
        return Reply(status=404, body={"error": {"message": f"no route for {path}", "code": 404}})

    def prepare(self, reply: Reply, request: RecordedRequest) -> Reply:
        """An ``error()`` reply's envelope: ``{"error": {"message", "code", "metadata"}}``."""
        if reply.error is not None and reply.body is None:
            return reply.but(body={"error": dict(reply.error)})
        return reply

    def render(self, reply: Reply, request: RecordedRequest) -> Rendered:
        rendered = Rendered(reply, request.json if isinstance(request.json, dict) else {})
        self.account.record(rendered)
        return rendered

    def failure_body(self, message: str) -> bytes:
        return body_bytes({"error": {"message": message, "code": 500}})

    def failure_event(self, message: str) -> bytes:
        return failure_event(message)

    def client_settings(self, url: str, api_key: str | None) -> dict[str, Any]:
        return {"openrouter_api_key": api_key or "sk-or-fake-key", "openrouter_base_url": url}


class FakeOpenRouter(FakeServer):
    """An OpenRouter-compatible server for tests and demos. Use it as a context manager.

    >>> from pyllm.testing import FakeOpenRouter, text
    >>> with FakeOpenRouter() as server:
    ...     server.reply(text("Hi there!"))
    ...     reply = server.chat().ask("Hello")
    >>> reply.content, server.requests[-1].json["messages"][-1]["content"]
    ('Hi there!', 'Hello')

    Unscripted chat requests get an echo of the last user message; ``account`` holds what the
    account routes answer (``/key``, ``/credits``, and ``/generation`` for every answer the
    server gave; see :class:`~pyllm.testing._account.Account`). ``api_key`` makes the server
    answer 401 (like OpenRouter) to requests without that bearer key. An exception inside the
    server (say, in a ``route`` handler) is answered with a 500 carrying its text (mid-stream:
    an in-band error event) and kept in ``errors``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        model: str = "openai/gpt-4.1-mini",
        write_size: int | None = None,
    ) -> None:
        dialect = OpenRouterDialect()
        super().__init__(
            dialect,
            host=host,
            port=port,
            api_key=api_key,
            write_size=write_size,
            model=model,
        )
        self.account = dialect.account
