"""``chat.render(...)``: the exact request a call would send first, without sending it.

The request is built by the code that builds the real one (the flow's first ``Send``, the HTTP
edge's :func:`~pyllm._http.wire.prepared`), so what it shows is what ``ask`` sends; then every
secret is masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._engine.flow import first_send
from ._http.wire import prepared
from ._redact import MASK, display_url, is_credential_header, redact
from .errors import AttachmentError
from .rendered import RenderedRequest

if TYPE_CHECKING:
    from ._engine.exchange import Exchange
    from ._engine.flow import ChatPlan

__all__ = ["render_request"]


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
