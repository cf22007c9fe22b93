"""The registry's data files: the compact format, the bundled snapshot, the user cache.

File format (the bundled ``data/models.json``, and each listing in the user cache): one JSON
object with ``format``, the vocabularies ``capabilities`` and ``parameters``, the ``columns`` of
a row, and ``providers``: provider name -> rows, one model per line. Capabilities and supported
parameters are bit masks over their vocabulary, modalities one string (``"text+image->text"``),
``created`` a Unix time, ``pricing`` a list in :class:`~pyllm.model.Pricing` field order with
trailing nulls trimmed. Rows drop trailing nulls too. Decoding shares equal values between
models, so a thousand models cost little memory.

The user cache (``format`` 2) keeps what refreshes fetched, one ``listings`` entry per provider
*and base URL*: ``{"provider", "base_url", "models"}``. A client loads the bundled snapshot and
replaces a provider's models only with the entry for the base URL it talks to, so a refresh
against a test server or a gateway never changes what a default client sees.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from datetime import datetime, timezone
from math import inf
from pathlib import Path
from typing import Any

from ._json import loads
from .model import Model, Pricing, TopProvider

__all__ = [
    "CACHE_FORMAT",
    "FORMAT",
    "decode",
    "default_cache_path",
    "dumps",
    "encode",
    "load_models",
    "read_aliases",
    "read_listings",
    "read_models",
    "write_listings",
]

FORMAT = 1
CACHE_FORMAT = 2
MAX_LISTINGS = 8
"""Listings the cache keeps (the most recently refreshed), so test servers do not pile up."""
DATA_DIR = Path(__file__).resolve().parent / "data"
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


# ---- files --------------------------------------------------------------------------------


def default_cache_path(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> Path:
    """Where refreshed data is kept: the platform's user cache directory + ``pyllm/models.json``.

    >>> default_cache_path({"XDG_CACHE_HOME": "/tmp/c"}, "linux").as_posix()
    '/tmp/c/pyllm/models.json'
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if platform == "win32":
        base = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / "pyllm" / "Cache" / "models.json"
    if platform == "darwin":
        return home / "Library" / "Caches" / "pyllm" / "models.json"
    return Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "pyllm" / "models.json"


def read_models(path: Path) -> list[Model]:
    """Models stored at ``path``; ``OSError`` or ``ValueError`` when it cannot be used."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ValueError("the file is empty")
    return decode(loads(text))


def read_listings(path: Path) -> list[dict[str, Any]]:
    """The cache's listings, oldest first; ``[]`` for a cache written before listings were
    keyed by base URL (format 1: it may hold any server's data). ``OSError`` or ``ValueError``
    when the file cannot be used."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ValueError("the file is empty")
    data = loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"not a pyllm model cache of format {CACHE_FORMAT}")
    if data.get("format") == FORMAT:
        return []
    listings = data.get("listings")
    if data.get("format") != CACHE_FORMAT or not isinstance(listings, list):
        raise ValueError(f"not a pyllm model cache of format {CACHE_FORMAT}")
    return [
        entry
        for entry in listings
        if isinstance(entry, dict)
        and isinstance(entry.get("provider"), str)
        and isinstance(entry.get("base_url"), str)
    ]


def load_models(
    cache: Path | None, bases: Callable[[], Mapping[str, str]] = dict
) -> tuple[list[Model], str]:
    """``(models, source)``: the bundled snapshot, with each provider's models replaced by the
    cached listing for the base URL ``bases()`` gives it (called only when the cache has
    listings). ``source`` is ``"cache"`` when a listing was used, else ``"snapshot"``.

    A cache that exists but cannot be read is ignored with a warning.
    """
    models = read_models(DATA_DIR / "models.json")
    if cache is None or not cache.exists():
        return models, "snapshot"
    try:
        listings = read_listings(cache)
        wanted = bases() if listings else {}
        cached = {
            name: [m for m in decode(entry["models"]) if m.provider == name]
            for entry in listings
            if wanted.get(name := entry["provider"]) == entry["base_url"]
        }
    except (OSError, ValueError) as exc:
        import warnings

        warnings.warn(
            f"ignoring the pyllm model cache {cache} ({exc}); using the bundled snapshot. "
            "pyllm.models.refresh() rewrites it.",
            RuntimeWarning,
            stacklevel=4,
        )
        return models, "snapshot"
    if not cached:
        return models, "snapshot"
    groups: dict[str, list[Model]] = {}
    for model in models:
        groups.setdefault(model.provider, []).append(model)
    groups.update(cached)  # a provider keeps its place; a new one comes last
    return [m for group in groups.values() for m in group], "cache"


def read_aliases() -> dict[str, dict[str, str]]:
    """The bundled alias table: friendly name -> {provider: that provider's id}."""
    aliases: dict[str, dict[str, str]] = loads(
        (DATA_DIR / "aliases.json").read_text(encoding="utf-8")
    )
    return aliases


def write_listings(path: Path, listings: Mapping[tuple[str, str], Iterable[Model]]) -> None:
    """Save ``(provider, base_url) -> models`` in the cache at ``path``, replacing those
    listings and keeping the others (an unusable file is started afresh), atomically."""
    try:
        kept = read_listings(path) if path.exists() else []
    except (OSError, ValueError):
        kept = []
    entries = [e for e in kept if (e["provider"], e["base_url"]) not in listings]
    entries += [
        {"provider": provider, "base_url": base_url, "models": encode(models)}
        for (provider, base_url), models in listings.items()
    ]
    data = {"format": CACHE_FORMAT, "listings": entries[-MAX_LISTINGS:]}
    _write_atomically(path, json.dumps(data, separators=(",", ":"), ensure_ascii=False))


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` at ``path`` through a temporary file renamed over it."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".models-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
