"""``chat.render(...)``: the exact request a call would send first, without sending it; and
``chat.count_tokens``'s request, built the same way.

The request is built by the code that builds the real one (the flow's first ``Send``, the HTTP
edge's :func:`~pyllm._http.wire.prepared`), so what it shows is what ``ask`` sends; then every
secret is masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._engine.flow import first_send, with_max_tokens
from ._http.wire import prepared
from ._redact import MASK, display_url, is_credential_header, redact
from .errors import AttachmentError, UnsupportedError
from .rendered import RenderedRequest

if TYPE_CHECKING:
    from ._engine.exchange import Exchange
    from ._engine.flow import ChatPlan, Services
    from .message import Message
    from .providers.base import Provider
    from .request import ChatRequest

__all__ = ["counting_request", "render_request"]


def render_request(plan: ChatPlan, exchange: Exchange) -> RenderedRequest:
    """The first request of the call ``plan`` and ``exchange`` describe; nothing is sent and
    ``exchange`` is never committed."""
    wanted = exchange.downloads(plan.url_kinds())
    if wanted:
        urls = ", ".join(url for _, url in wanted)
        raise AttachmentError(
            f"render() sends nothing, but ask() would first download {urls} to send its bytes; "
            "pass the file's bytes or a local path to see the request"
        )
    files = exchange.new_files()
    if files:
        plan.check_files(files)  # what ask refuses before sending, render refuses too
    send = first_send(plan, exchange)
    url, headers, body = prepared(send, stream=send.parser is not None)
    shown = {
        name: MASK if is_credential_header(name) else str(redact(value))
        for name, value in headers.items()
    }
    return RenderedRequest(
        method=send.method,
        url=display_url(url),
        headers=shown,
        json=redact(dict(send.payload or {})),
        body=redact(body or b""),
    )


def counting_request(
    services: Services, template: ChatRequest, provider_name: str, messages: tuple[Message, ...]
) -> tuple[Provider, str, dict[str, Any]]:
    """Where and what to send to count the input tokens of a request like ``template`` with
    ``messages`` (``chat.count_tokens``): :class:`~pyllm.UnsupportedError` when the provider
    cannot count before a request."""
    provider = services.provider(provider_name)
    if not any(m.role != "system" for m in messages):
        raise ValueError("nothing to count: pass a message, e.g. chat.count_tokens('Hello')")
    request = template.for_route(
        template.model, messages, tool_choice=template.tool_choice, fallback_models=(), routing=None
    )
    request = with_max_tokens(request, provider, services)
    found = provider.count_tokens_request(provider.protocol.render_chat(request))
    if found is None:
        raise UnsupportedError(
            f"{provider.display_name} cannot count tokens before a request; a reply's "
            "usage.input_tokens says how many a request had"
        )
    return (provider, *found)
