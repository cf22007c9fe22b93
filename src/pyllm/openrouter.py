"""OpenRouter-only features, typed: provider routing preferences, server-side tools, and what
the account routes answer (:class:`KeyInfo`, :class:`Credits`, :class:`GenerationStats`).

>>> Routing(order=["anthropic", "amazon-bedrock"], allow_fallbacks=False, sort="price").render()
{'order': ['anthropic', 'amazon-bedrock'], 'allow_fallbacks': False, 'sort': 'price'}
>>> web_search(max_results=3)
ServerTool(type='openrouter:web_search', parameters={'max_results': 3})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from ._account import Credits, GenerationStats, KeyInfo, RateLimit
from ._server_tools import (
    SERVER_TOOL_PREFIX,
    datetime,
    image_generation,
    server_tool,
    web_fetch,
    web_search,
)
from .errors import ConfigurationError

__all__ = [
    "PDF_ENGINES",
    "SERVER_TOOL_PREFIX",
    "WEB_SEARCH_ENGINES",
    "Credits",
    "GenerationStats",
    "KeyInfo",
    "RateLimit",
    "Routing",
    "auto_router_plugin",
    "datetime",
    "file_parser_plugin",
    "image_generation",
    "server_tool",
    "web_fetch",
    "web_search",
]

PDF_ENGINES = ("pdf-text", "mistral-ocr", "native", "cloudflare-ai")
"""How OpenRouter reads a PDF (``chat.with_pdf_engine``): extracted text (``pdf-text``, now
served by ``cloudflare-ai``, free), OCR for scans and images (``mistral-ocr``, paid per page),
or the model's own file input (``native``, billed as input tokens)."""

WEB_SEARCH_ENGINES = ("native", "exa", "firecrawl", "parallel", "perplexity")
"""Who searches for ``chat.with_web_search(engine=...)``: the model provider's own search
(``native``) or one of the engines OpenRouter runs; unset, native where there is one, else Exa."""

_SORTS = ("price", "throughput", "latency", "exacto")
_DATA = ("allow", "deny")
_PRICE_KEYS = ("prompt", "completion", "request", "image", "audio")


def file_parser_plugin(engine: str) -> dict[str, Any]:
    """The ``file-parser`` plugin: how OpenRouter reads PDFs (one of :data:`PDF_ENGINES`).

    >>> file_parser_plugin("mistral-ocr")
    {'id': 'file-parser', 'pdf': {'engine': 'mistral-ocr'}}
    """
    if not isinstance(engine, str):
        raise TypeError(f"the PDF engine must be a string like 'mistral-ocr', got {engine!r}")
    if engine not in PDF_ENGINES:
        raise ConfigurationError(
            f"the PDF engine must be one of {', '.join(PDF_ENGINES)}, got {engine!r}"
        )
    return {"id": "file-parser", "pdf": {"engine": engine}}


def auto_router_plugin(allowed_models: Sequence[str]) -> dict[str, Any]:
    """The ``auto-router`` plugin: the models ``openrouter/auto`` may pick from (patterns such
    as ``"anthropic/*"`` allowed).

    >>> auto_router_plugin(["anthropic/*", "openai/gpt-5-mini"])
    {'id': 'auto-router', 'allowed_models': ['anthropic/*', 'openai/gpt-5-mini']}
    """
    if isinstance(allowed_models, str) or not all(
        isinstance(m, str) and m.strip() for m in allowed_models
    ):
        raise TypeError(f"allowed models are model ids or patterns, got {allowed_models!r}")
    return {"id": "auto-router", "allowed_models": list(allowed_models)}


@dataclass(frozen=True, slots=True)
class Routing:
    """OpenRouter's ``provider`` preferences (see its provider-selection guide).

    Provider names are slugs (``"anthropic"``, ``"amazon-bedrock"``, ``"deepinfra/turbo"``).
    ``max_price`` is USD per million tokens for ``prompt``/``completion`` (per request or image
    for ``request``/``image``). ``require_parameters=None`` lets pyllm send ``True`` when the
    chat uses tools or a schema, so routing only picks endpoints that honour them.
    """

    order: Sequence[str] | None = None
    only: Sequence[str] | None = None
    ignore: Sequence[str] | None = None
    allow_fallbacks: bool | None = None
    require_parameters: bool | None = None
    data_collection: str | None = None
    zdr: bool | None = None
    sort: str | Mapping[str, Any] | None = None
    max_price: Mapping[str, float] | None = None
    quantizations: Sequence[str] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("order", "only", "ignore", "quantizations"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, str) or not all(isinstance(v, str) for v in value)
            ):
                raise TypeError(f"Routing.{name} must be a list of strings, got {value!r}")
        if isinstance(self.sort, str) and self.sort not in _SORTS:
            raise ValueError(f"Routing.sort must be one of {', '.join(_SORTS)}, got {self.sort!r}")
        if self.data_collection is not None and self.data_collection not in _DATA:
            raise ValueError(
                f"Routing.data_collection must be 'allow' or 'deny', got {self.data_collection!r}"
            )
        if self.max_price is not None:
            for key, price in self.max_price.items():
                if key not in _PRICE_KEYS:
                    raise ValueError(
                        f"Routing.max_price key {key!r} is not one of {', '.join(_PRICE_KEYS)}"
                    )
                if isinstance(price, bool) or not isinstance(price, (int, float)) or price < 0:
                    raise ValueError(f"Routing.max_price[{key!r}] must be a non-negative number")

    def render(self) -> dict[str, Any]:
        """The ``provider`` object OpenRouter expects (unset fields are left out)."""
        rendered: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "extra" or value is None:
                continue
            if isinstance(value, Mapping):
                rendered[item.name] = dict(value)
            elif isinstance(value, Sequence) and not isinstance(value, str):
                rendered[item.name] = list(value)
            else:
                rendered[item.name] = value
        rendered.update(self.extra)
        return rendered
