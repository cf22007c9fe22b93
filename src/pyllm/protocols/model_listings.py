"""Model listings on the wire (``GET /models``): OpenRouter's (full metadata), OpenAI-style ones
(``{"data": [{"id": ...}]}``: ids and dates), and how the fake server renders OpenRouter's. Pure.

Providers choose their parser (:meth:`pyllm.providers.Provider.parse_models`); the registry
merges what they return. OpenRouter prices are decimal strings in USD per token; pyllm keeps USD
per million tokens.

>>> [m.id for m in parse_model_ids({"data": [{"id": "gpt-4.1-mini"}]}, "openai")]
['gpt-4.1-mini']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import InvalidResponseError
from ..model import Model, Pricing, TopProvider, derive_capabilities

__all__ = [
    "modalities",
    "parse_model_ids",
    "parse_openrouter_model",
    "parse_openrouter_models",
    "parse_openrouter_pricing",
    "render_openrouter_model",
    "round_price",
]

_PRICE_KEYS = {
    "prompt": "input",
    "completion": "output",
    "input_cache_read": "cached_input",
    "input_cache_write": "cache_write",
    "internal_reasoning": "reasoning",
    "image_token": "image_input",
    "image_output": "image_output",
    "audio": "audio_input",
    "audio_output": "audio_output",
    "request": "request",
    "image": "per_image",
    "web_search": "web_search",
}
_PER_UNIT = frozenset({"request", "image", "web_search"})  # USD each, not per token
_ZERO_MEANS_FREE = frozenset({"prompt", "completion"})  # elsewhere "0" means "not charged apart"


def _price(key: str, value: Any) -> float | None:
    """One OpenRouter price string (USD per token) as USD per million tokens."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or (amount == 0 and key not in _ZERO_MEANS_FREE):
        return None
    return round_price(amount if key in _PER_UNIT else amount * 1_000_000)


def round_price(value: Any) -> float:
    """A price with at most 10 significant digits (drops float noise like 0.049999999999999996).

    >>> round_price(0.049999999999999996)
    0.05
    """
    return float(f"{float(value):.10g}")


def _prices(data: Mapping[str, Any]) -> dict[str, Any]:
    found = {_PRICE_KEYS[k]: _price(k, v) for k, v in data.items() if k in _PRICE_KEYS}
    return {k: v for k, v in found.items() if v is not None}


def parse_openrouter_pricing(data: Any) -> Pricing:
    """OpenRouter's ``pricing`` object; the lowest ``min_prompt_tokens`` override is the long
    context tier.

    >>> parse_openrouter_pricing({"prompt": "0.000003", "completion": "0.000015"}).input
    3.0
    """
    if not isinstance(data, Mapping):
        return Pricing()
    pricing = Pricing(**_prices(data))
    tiers = [
        o
        for o in data.get("overrides") or ()
        if isinstance(o, Mapping)
        and isinstance(o.get("min_prompt_tokens"), int)
        and not {"utc_start", "utc_end"} & o.keys()
    ]
    if tiers:
        tier = min(tiers, key=lambda o: int(o["min_prompt_tokens"]))
        long = replace(pricing, **_prices(tier))
        pricing = replace(
            pricing, long_context_threshold=tier["min_prompt_tokens"], long_context=long
        )
    return pricing


_MODALITY_ORDER = {m: i for i, m in enumerate(("text", "image", "file", "pdf", "audio", "video"))}


def modalities(names: Iterable[str]) -> tuple[str, ...]:
    """Modalities without duplicates in one canonical order (text first).

    >>> modalities(["file", "image", "text"])
    ('text', 'image', 'file')
    """
    unique = set(names)
    return tuple(sorted(unique, key=lambda m: (_MODALITY_ORDER.get(m, len(_MODALITY_ORDER)), m)))


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, Mapping):  # image models describe each parameter
        value = list(value)
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _parameters(value: Any) -> tuple[str, ...]:
    return tuple(sorted(set(_strings(value))))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _modalities(arch: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    inputs, outputs = (
        _strings(arch.get("input_modalities")),
        _strings(arch.get("output_modalities")),
    )
    modality = arch.get("modality")
    if not (inputs or outputs) and isinstance(modality, str) and "->" in modality:
        left, _, right = modality.partition("->")
        inputs, outputs = tuple(left.split("+")), tuple(right.split("+"))
    return modalities(inputs), modalities(outputs)


def parse_openrouter_model(data: Mapping[str, Any], provider: str = "openrouter") -> Model:
    """One entry of OpenRouter's ``GET /models`` (prices become USD per million tokens)."""
    arch = data.get("architecture")
    inputs, outputs = _modalities(arch if isinstance(arch, Mapping) else {})
    parameters = _parameters(data.get("supported_parameters"))
    top = data.get("top_provider")
    top_provider = None
    if isinstance(top, Mapping):
        moderated = top.get("is_moderated")
        top_provider = TopProvider(
            _int(top.get("context_length")),
            _int(top.get("max_completion_tokens")),
            moderated if isinstance(moderated, bool) else None,
        )
    created = _int(data.get("created"))
    cutoff = data.get("knowledge_cutoff")
    name = data.get("name")
    return Model(
        id=str(data["id"]),
        provider=provider,
        name=name if isinstance(name, str) else "",
        context_window=_int(data.get("context_length")),
        max_output_tokens=top_provider.max_completion_tokens if top_provider else None,
        input_modalities=inputs,
        output_modalities=outputs,
        capabilities=derive_capabilities(inputs, outputs, parameters),
        pricing=parse_openrouter_pricing(data.get("pricing")),
        created_at=datetime.fromtimestamp(created, timezone.utc) if created else None,
        knowledge_cutoff=cutoff if isinstance(cutoff, str) else None,
        supported_parameters=parameters,
        top_provider=top_provider,
    )


def _entries(body: Any, provider: str) -> list[Mapping[str, Any]]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        raise InvalidResponseError(
            'the model listing has no "data" list', provider=provider, raw=body
        )
    entries = [e for e in data if isinstance(e, Mapping) and isinstance(e.get("id"), str)]
    if not entries:
        raise InvalidResponseError("the model listing is empty", provider=provider, raw=body)
    return entries


def parse_openrouter_models(body: Any, provider: str = "openrouter") -> list[Model]:
    """OpenRouter's ``GET /models`` body; :class:`~pyllm.InvalidResponseError` if malformed."""
    return [parse_openrouter_model(e, provider) for e in _entries(body, provider)]


def parse_model_ids(body: Any, provider: str) -> list[Model]:
    """An OpenAI-style ``GET /models`` body (ids and creation times only)."""
    models = []
    for entry in _entries(body, provider):
        created = _int(entry.get("created"))
        when = datetime.fromtimestamp(created, timezone.utc) if created else None
        models.append(Model(id=entry["id"], provider=provider, created_at=when))
    return models


def _render_prices(pricing: Pricing) -> dict[str, Any]:
    rendered: dict[str, Any] = {}
    for key, name in _PRICE_KEYS.items():
        value = getattr(pricing, name)
        if value is not None:
            amount = Decimal(repr(value))
            rendered[key] = format(amount if key in _PER_UNIT else amount / 1_000_000, "f")
    return rendered


def render_openrouter_model(model: Model) -> dict[str, Any]:
    """``model`` as OpenRouter's ``GET /models`` would list it (for the fake server)."""
    pricing = _render_prices(model.pricing)
    long = model.pricing.long_context
    if long is not None:
        pricing["overrides"] = [
            {"min_prompt_tokens": model.pricing.long_context_threshold, **_render_prices(long)}
        ]
    top = model.top_provider
    return {
        "id": model.id,
        "name": model.name,
        "created": int(model.created_at.timestamp()) if model.created_at else None,
        "context_length": model.context_window,
        "architecture": {
            "modality": model.modality,
            "input_modalities": list(model.input_modalities),
            "output_modalities": list(model.output_modalities),
        },
        "pricing": pricing,
        "top_provider": None
        if top is None
        else {
            "context_length": top.context_length,
            "max_completion_tokens": top.max_completion_tokens,
            "is_moderated": top.is_moderated,
        },
        "supported_parameters": list(model.supported_parameters),
        "knowledge_cutoff": model.knowledge_cutoff,
    }
