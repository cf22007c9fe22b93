"""OpenRouter-only features, typed: provider routing preferences.

>>> Routing(order=["anthropic", "amazon-bedrock"], allow_fallbacks=False, sort="price").render()
{'order': ['anthropic', 'amazon-bedrock'], 'allow_fallbacks': False, 'sort': 'price'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Routing"]

_SORTS = ("price", "throughput", "latency", "exacto")
_DATA = ("allow", "deny")
_PRICE_KEYS = ("prompt", "completion", "request", "image", "audio")


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
