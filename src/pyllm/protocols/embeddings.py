"""The OpenAI embeddings wire format (``POST /embeddings``), pure.

>>> render_embeddings("openai/text-embedding-3-small", ["a", "b"], 256, False)
{'model': 'openai/text-embedding-3-small', 'input': ['a', 'b'], 'dimensions': 256}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._status_codes import api_error
from ..errors import ErrorDetails, InvalidResponseError
from .base import as_float, as_int

__all__ = ["EmbeddingBatch", "parse_embeddings", "render_embeddings"]


@dataclass(frozen=True, slots=True)
class EmbeddingBatch:
    vectors: list[list[float]]
    model: str | None
    input_tokens: int
    cost: float | None
    provider: str | None
    raw: Any = field(default=None, compare=False, repr=False)


def render_embeddings(
    model: str, inputs: Sequence[str], dimensions: int | None, single: bool
) -> dict[str, Any]:
    """``single`` sends one text as a plain string, as the caller gave it."""
    payload: dict[str, Any] = {"model": model, "input": inputs[0] if single else list(inputs)}
    if dimensions is not None:
        payload["dimensions"] = dimensions
    return payload


def parse_embeddings(body: Any, provider: str, expected: int | None = None) -> EmbeddingBatch:
    """Vectors in input order (by ``index``, whatever order the server used)."""
    if isinstance(body, Mapping) and body.get("error") and not body.get("data"):
        error = body["error"]
        details = ErrorDetails(
            message=str(error.get("message", "")) if isinstance(error, Mapping) else str(error),
            code=error.get("code") if isinstance(error, Mapping) else None,
            raw=body,
        )
        raise api_error(None, details, provider=provider)
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list) or not data:
        raise InvalidResponseError(
            "the embeddings response has no data", status=200, provider=provider, raw=body
        )
    ordered = sorted(
        data, key=lambda item: as_int(item.get("index")) if isinstance(item, Mapping) else 0
    )
    vectors: list[list[float]] = []
    for item in ordered:
        vector = item.get("embedding") if isinstance(item, Mapping) else None
        if not isinstance(vector, list) or not all(isinstance(x, (int, float)) for x in vector):
            raise InvalidResponseError(
                "an embedding is not a list of numbers", status=200, provider=provider, raw=body
            )
        vectors.append([float(x) for x in vector])
    if expected is not None and len(vectors) != expected:
        raise InvalidResponseError(
            f"asked for {expected} embeddings, got {len(vectors)}",
            status=200,
            provider=provider,
            raw=body,
        )
    usage = body.get("usage") if isinstance(body.get("usage"), Mapping) else {}
    model = body.get("model")
    upstream = body.get("provider")
    return EmbeddingBatch(
        vectors=vectors,
        model=model if isinstance(model, str) else None,
        input_tokens=as_int(usage.get("prompt_tokens") or usage.get("total_tokens")),
        cost=as_float(usage.get("cost")),
        provider=upstream if isinstance(upstream, str) else None,
        raw=body,
    )
