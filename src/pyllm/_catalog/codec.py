"""The catalog's compact file format: models to a JSON object and back. Pure.

One JSON object with ``format``, the vocabularies ``capabilities`` and ``parameters``, the
``columns`` of a row, and ``providers``: provider name -> rows, one model per line. Capabilities
and supported parameters are bit masks over their vocabulary, modalities one string
(``"text+image->text"``), ``created`` a Unix time, ``pricing`` a list in
:class:`~pyllm.model.Pricing` field order with trailing nulls trimmed. Rows drop trailing nulls
too. Decoding shares equal values between models, so a thousand models cost little memory, and
refuses what lookups could crash on later (a ``ValueError`` saying what is wrong).

The bundled ``data/models.json`` is one such object; the user cache holds one per listing
(see :mod:`pyllm._catalog.files`).

>>> from pyllm.model import Model
>>> decode(encode([Model("a/b", "openrouter", context_window=8)]))[0].context_window
8
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from datetime import datetime, timezone
from math import inf
from typing import Any

from ..model import Model, Pricing, TopProvider

__all__ = ["COLUMNS", "FORMAT", "decode", "dumps", "encode"]

FORMAT = 1
COLUMNS = (
    "id",
    "name",
    "family",
    "created",
    "context_window",
    "max_output_tokens",
    "knowledge_cutoff",
    "modalities",
    "capabilities",
    "parameters",
    "pricing",
    "top_provider",
    "long_context",
)
_PRICES = tuple(
    f.name for f in fields(Pricing) if f.name not in ("long_context", "long_context_threshold")
)

# ---- encoding -----------------------------------------------------------------------------


def _trim(values: list[Any]) -> list[Any]:
    while values and values[-1] is None:
        values.pop()
    return values


def _mask(names: Iterable[str], index: Mapping[str, int]) -> int:
    return sum(1 << index[name] for name in set(names))


def _price_row(pricing: Pricing) -> list[Any] | None:
    return _trim([getattr(pricing, name) for name in _PRICES]) or None


def _row(m: Model, caps: Mapping[str, int], params: Mapping[str, int]) -> list[Any]:
    top = m.top_provider
    long = m.pricing.long_context
    return _trim(
        [
            m.id,
            m.name,
            m.family,
            int(m.created_at.timestamp()) if m.created_at else None,
            m.context_window,
            m.max_output_tokens,
            m.knowledge_cutoff,
            m.modality,
            _mask(m.capabilities, caps),
            _mask(m.supported_parameters, params),
            _price_row(m.pricing),
            None
            if top is None
            else [top.context_length, top.max_completion_tokens, top.is_moderated],
            None if long is None else [m.pricing.long_context_threshold, _price_row(long)],
        ]
    )


def encode(models: Iterable[Model]) -> dict[str, Any]:
    """The file object for ``models`` (grouped by provider; providers and ids sorted)."""
    models = list(models)
    capabilities = sorted({c for m in models for c in m.capabilities})
    parameters = sorted({p for m in models for p in m.supported_parameters})
    caps = {name: bit for bit, name in enumerate(capabilities)}
    params = {name: bit for bit, name in enumerate(parameters)}
    providers: dict[str, list[list[Any]]] = {}
    for m in sorted(models, key=lambda m: m.id):
        providers.setdefault(m.provider, []).append(_row(m, caps, params))
    return {
        "format": FORMAT,
        "columns": list(COLUMNS),
        "capabilities": capabilities,
        "parameters": parameters,
        "providers": dict(sorted(providers.items())),
    }


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def dumps(data: Mapping[str, Any]) -> str:
    """Compact JSON with one model per line, so regenerated files diff well."""
    head = _compact({k: v for k, v in data.items() if k != "providers"})
    groups = [
        f"{_compact(name)}:[\n" + ",\n".join(_compact(row) for row in rows) + "\n]"
        for name, rows in data["providers"].items()
    ]
    return head[:-1] + ',"providers":{\n' + ",\n".join(groups) + "\n}}\n"


# ---- decoding -----------------------------------------------------------------------------


class _Decoder:
    """Turns rows back into models; equal values (prices, dates, sets...) are built once."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != FORMAT or list(data.get("columns", ())) != list(COLUMNS):
            raise ValueError(f"not a pyllm model file of format {FORMAT}")
        self.capabilities: list[str] = list(data["capabilities"])
        self.parameters: list[str] = list(data["parameters"])
        self.memo: dict[Any, Any] = {}

    def _shared(self, key: Any, build: Callable[[], Any]) -> Any:
        found = self.memo.get(key, self)
        if found is self:
            found = self.memo[key] = build()
        return found

    def _names(self, mask: int, names: list[str]) -> tuple[str, ...]:
        return tuple(name for bit, name in enumerate(names) if mask >> bit & 1)

    def model(self, provider: str, row: list[Any]) -> Model:
        row = row + [None] * (len(COLUMNS) - len(row))
        (id_, name, family, created, context, max_out, cutoff, modalities) = row[:8]
        caps, params, prices, top, long = row[8:]
        shared, names = self._shared, self._names
        inputs, outputs = shared(("m", modalities), lambda: _split_modalities(modalities))
        long_key = None if long is None else (long[0], tuple(long[1] or ()))
        return Model(
            id=id_,
            provider=provider,
            name=name or "",
            family=family,
            context_window=context,
            max_output_tokens=max_out,
            input_modalities=inputs,
            output_modalities=outputs,
            capabilities=shared(("c", caps), lambda: frozenset(names(caps, self.capabilities))),
            pricing=shared(("$", tuple(prices or ()), long_key), lambda: _pricing(prices, long)),
            created_at=shared(("t", created), lambda: _timestamp(created)),
            knowledge_cutoff=cutoff,
            supported_parameters=shared(("p", params), lambda: names(params, self.parameters)),
            top_provider=None if top is None else shared(("l", *top), lambda: TopProvider(*top)),
        )


def _split_modalities(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    inputs, _, outputs = (text or "").partition("->")
    return tuple(filter(None, inputs.split("+"))), tuple(filter(None, outputs.split("+")))


def _pricing(row: list[Any] | None, long: list[Any] | None) -> Pricing:
    pricing = Pricing(*(row or ()))
    if long is None:
        return pricing
    return replace(pricing, long_context_threshold=long[0], long_context=Pricing(*(long[1] or ())))


def _timestamp(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def decode(data: Any) -> list[Model]:
    """Models from a file object; ``ValueError`` when it is not one (or holds no model)."""
    try:
        decoder = _Decoder(data)
        models = [
            decoder.model(provider, row)
            for provider, rows in data["providers"].items()
            for row in rows
        ]
    except (KeyError, TypeError, IndexError, AttributeError, OverflowError) as exc:
        raise ValueError(f"not a pyllm model file ({type(exc).__name__}: {exc})") from None
    if not models:
        raise ValueError("the file lists no models")
    bad = next((m for m in models if not _well_typed(m)), None)  # lookups must not crash later
    if bad is not None:
        raise ValueError(f"not a pyllm model file (a bad entry for {bad.id!r})")
    prices = {id(m.pricing): m.pricing for m in models}.values()  # built once per distinct value
    if not all(_fair(p) and (p.long_context is None or _fair(p.long_context)) for p in prices):
        raise ValueError("not a pyllm model file (a price is negative or not a number)")
    return models


def _well_typed(m: Model) -> bool:
    """Texts are texts and counts whole numbers (``None`` where unknown)."""
    return (
        type(m.id) is str
        and m.id != ""
        and type(m.name) is str
        and (m.family is None or type(m.family) is str)
        and (m.knowledge_cutoff is None or type(m.knowledge_cutoff) is str)
        and (m.context_window is None or (type(m.context_window) is int and m.context_window >= 0))
        and (
            m.max_output_tokens is None
            or (type(m.max_output_tokens) is int and m.max_output_tokens >= 0)
        )
    )


def _fair(pricing: Pricing) -> bool:
    """Every price is a finite number, not negative (or ``None``)."""
    for name in (*_PRICES, "long_context_threshold"):
        v = getattr(pricing, name)
        if v is not None and not (type(v) in (int, float) and 0 <= v < inf):
            return False
    return True
