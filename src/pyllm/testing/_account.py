"""The fake OpenRouter's account routes: ``GET /key``, ``GET /credits`` and
``GET /generation?id=...`` for the answers it gave (each recorded when rendered).

Script them like any route (``fake.reply(error(404), path="/generation")``, or change
``fake.account.key`` / ``fake.account.credits``); ``generation_delay`` makes a fresh answer's
record appear only after that many seconds (404 until then), as on OpenRouter.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from ._chat_completions import usage_for
from ._replies import Reply

if TYPE_CHECKING:
    from ._chat_completions import Rendered
    from ._http1 import RecordedRequest

__all__ = ["Account"]


def _not_found(message: str) -> Reply:
    return Reply(status=404, body={"error": {"message": message, "code": 404}})


class Account:
    """The key, the credits and the generations of one fake server."""

    def __init__(self) -> None:
        self.key: dict[str, Any] = {
            "label": "sk-or-v1-fak...e000",
            "limit": 50.0,
            "limit_remaining": 37.25,
            "limit_reset": "monthly",
            "usage": 12.75,
            "usage_daily": 0.5,
            "usage_weekly": 3.1,
            "usage_monthly": 12.75,
            "is_free_tier": False,
            "expires_at": None,
            "rate_limit": {"requests": -1, "interval": "10s"},
        }
        """What ``GET /key`` answers (in ``data``): change it to script the key."""
        self.credits: dict[str, Any] = {"total_credits": 100.5, "total_usage": 25.75}
        """What ``GET /credits`` answers (in ``data``)."""
        self.generation_delay = 0.0
        """Seconds after an answer before ``GET /generation`` knows it (404 until then)."""
        self._generations: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def record(self, rendered: Rendered) -> None:
        """Remember an answer the server is about to give, for ``GET /generation``."""
        reply, request = rendered.reply, rendered.request
        usage = usage_for(reply, request, rendered.answer)
        prompt_details = usage.get("prompt_tokens_details") or {}
        completion_details = usage.get("completion_tokens_details") or {}
        searches = (usage.get("server_tool_use_details") or {}).get("web_search_requests")
        record = {
            "id": rendered.generation_id,
            "model": rendered.model,
            "provider_name": reply.upstream,
            "api_type": "completions",
            "streamed": bool(request.get("stream")),
            "cancelled": False,
            "finish_reason": rendered.finish_reason,
            "native_finish_reason": rendered.finish_reason,
            "total_cost": usage.get("cost"),
            "upstream_inference_cost": usage.get("cost"),
            "cache_discount": usage.get("cache_discount"),
            "latency": 120.0,
            "generation_time": 340.0,
            "tokens_prompt": usage.get("prompt_tokens"),
            "tokens_completion": usage.get("completion_tokens"),
            "native_tokens_prompt": usage.get("prompt_tokens"),
            "native_tokens_completion": usage.get("completion_tokens"),
            "native_tokens_reasoning": completion_details.get("reasoning_tokens", 0),
            "native_tokens_cached": prompt_details.get("cached_tokens", 0),
            "num_search_results": searches,
            "is_byok": False,
            "created_at": datetime.now(timezone.utc).isoformat(),
        }
        with self._lock:
            self._generations[rendered.generation_id] = (time.monotonic(), record)

    def answer(self, request: RecordedRequest) -> Reply | None:
        """The answer to an account route (``None``: not one of them)."""
        if request.method != "GET":
            return None
        if request.path.endswith("/key") or request.path.endswith("/auth/key"):
            return Reply(body={"data": dict(self.key)})
        if request.path.endswith("/credits"):
            return Reply(body={"data": dict(self.credits)})
        if request.path.endswith("/generation"):
            return self._generation(parse_qs(request.query).get("id", [""])[0])
        return None

    def _generation(self, generation_id: str) -> Reply:
        with self._lock:
            found = self._generations.get(generation_id)
        if found is None or time.monotonic() - found[0] < self.generation_delay:
            return _not_found(f"Generation {generation_id} not found")
        return Reply(body={"data": dict(found[1])})
