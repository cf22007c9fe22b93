"""What ``chat.render(...)`` returns: the exact HTTP request ``ask`` would send. A value.

>>> request = RenderedRequest(
...     method="POST",
...     url="https://openrouter.ai/api/v1/chat/completions",
...     headers={"Authorization": "********", "Content-Type": "application/json"},
...     json={"model": "openai/gpt-4.1-mini", "messages": [{"role": "user", "content": "Hi"}]},
...     body=b'{"model":"openai/gpt-4.1-mini","messages":[{"role":"user","content":"Hi"}]}',
... )
>>> request.json["messages"][0]["content"]
'Hi'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RenderedRequest"]


@dataclass(frozen=True, slots=True)
class RenderedRequest:
    """One HTTP request, as pyllm would send it, secrets masked.

    ``method`` and ``url`` (a base URL's ``user:password@`` never shows); ``headers`` as sent,
    but the value of every header that carries a credential (``Authorization``, ``X-Api-Key``,
    anything named like a key, token, secret or cookie) is ``"********"``; ``json`` the payload
    and ``body`` its exact bytes. Any API key pyllm holds is masked wherever else it appears.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    json: Mapping[str, Any]
    body: bytes = field(default=b"", repr=False)
