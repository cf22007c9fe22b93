"""Build pyllm's bundled model registry from a real catalog snapshot.

    .venv/bin/python scripts/build_registry.py                  # ../shared/fixtures/registry
    .venv/bin/python scripts/build_registry.py --source DIR --out src/pyllm/data

Reads ``models.json`` (a models.dev-shaped catalog; OpenRouter entries carry OpenRouter's own
``architecture``, ``top_provider`` and ``supported_parameters`` in ``metadata``) and
``aliases.json`` (friendly name -> {provider: id}); writes ``models.json`` (pyllm's compact
format, see ``pyllm/_catalog/codec.py``) and ``aliases.json`` into the output directory. Alias
targets missing from the catalog are dropped with a warning. Never edit the output by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pyllm._catalog.codec import dumps, encode
from pyllm.model import CAPABILITIES, Model, Pricing, TopProvider, derive_capabilities
from pyllm.protocols.model_listings import modalities, round_price

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "fixtures" / "registry"
DEFAULT_OUT = ROOT / "src" / "pyllm" / "data"

# The catalog's capability names that pyllm spells differently.
RENAMED = {"function_calling": "tools", "video": "video_input", "speech_generation": "speech"}
# The catalog's per-million price keys -> Pricing fields, per token kind.
PRICE_FIELDS = {
    ("text_tokens", "input_per_million"): "input",
    ("text_tokens", "output_per_million"): "output",
    ("text_tokens", "cache_read_input_per_million"): "cached_input",
    ("text_tokens", "cache_write_input_per_million"): "cache_write",
    ("text_tokens", "reasoning_output_per_million"): "reasoning",
    ("images", "input_per_million"): "image_input",
    ("images", "output_per_million"): "image_output",
    ("audio_tokens", "input_per_million"): "audio_input",
    ("audio_tokens", "output_per_million"): "audio_output",
}
IGNORED_PRICES = {("images", "cache_read_input_per_million")}

printed: set[str] = set()


def warn(message: str) -> None:
    """Print ``message`` to stderr once."""
    if message not in printed:
        printed.add(message)
        print(f"warning: {message}", file=sys.stderr)


def number(value: Any) -> float | None:
    return None if value is None else round_price(value)


def tier_prices(pricing: dict[str, Any], tier: str) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for kind, tiers in pricing.items():
        for key, value in (tiers.get(tier) or {}).items():
            field = PRICE_FIELDS.get((kind, key))
            if field is not None:
                found[field] = number(value)
            elif (kind, key) not in IGNORED_PRICES:
                warn(f"price {kind}.{tier}.{key} is not modelled; dropped")
    return found


def pricing_of(entry: dict[str, Any]) -> Pricing:
    pricing = entry.get("pricing") or {}
    standard = tier_prices(pricing, "standard")
    threshold = (pricing.get("text_tokens") or {}).get("long_context_threshold")
    if threshold is None:
        return Pricing(**standard)
    long = Pricing(**{**standard, **tier_prices(pricing, "long_context")})
    return Pricing(**standard, long_context_threshold=int(threshold), long_context=long)


def capabilities_of(
    entry: dict[str, Any], inputs: tuple[str, ...], outputs: tuple[str, ...]
) -> frozenset[str]:
    meta = entry.get("metadata") or {}
    if entry["provider"] == "openrouter":  # OpenRouter's own data decides, as on refresh
        return derive_capabilities(inputs, outputs, parameters_of(meta))
    named = set()
    for name in entry.get("capabilities") or ():
        name = RENAMED.get(name, name)
        if name in CAPABILITIES:
            named.add(name)
        else:
            warn(f"capability {name!r} is not in pyllm.model.CAPABILITIES; dropped")
    return frozenset(named) | derive_capabilities(inputs, outputs)


def parameters_of(meta: dict[str, Any]) -> tuple[str, ...]:
    parameters = meta.get("supported_parameters") or ()
    return tuple(sorted(parameters))  # image models give a dict of parameter specs


def created_of(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=timezone.utc)


def top_provider_of(meta: dict[str, Any]) -> TopProvider | None:
    top = meta.get("top_provider")
    if not isinstance(top, dict):
        return None
    limits = top.get("context_length") or None, top.get("max_completion_tokens") or None
    return TopProvider(*limits, top.get("is_moderated"))


def modalities_of(entry: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The catalog's modalities; for OpenRouter models OpenRouter's own, as on refresh."""
    arch = (entry.get("metadata") or {}).get("architecture") or {}
    if entry["provider"] == "openrouter" and "input_modalities" in arch:
        return modalities(arch["input_modalities"]), modalities(arch["output_modalities"])
    found = entry.get("modalities") or {}
    return modalities(found.get("input") or ()), modalities(found.get("output") or ())


def model_of(entry: dict[str, Any]) -> Model:
    meta = entry.get("metadata") or {}
    inputs, outputs = modalities_of(entry)
    return Model(
        id=entry["id"],
        provider=entry["provider"],
        name=entry.get("name") or "",
        family=entry.get("family") or None,
        context_window=entry.get("context_window") or None,  # a few say 0 for "not known"
        max_output_tokens=entry.get("max_output_tokens") or None,
        input_modalities=inputs,
        output_modalities=outputs,
        capabilities=capabilities_of(entry, inputs, outputs),
        pricing=pricing_of(entry),
        created_at=created_of(entry.get("created_at")),
        knowledge_cutoff=entry.get("knowledge_cutoff"),
        supported_parameters=parameters_of(meta),
        top_provider=top_provider_of(meta),
    )


def aliases_of(raw: dict[str, dict[str, str]], models: list[Model]) -> dict[str, dict[str, str]]:
    known = {(m.provider, m.id) for m in models}
    table: dict[str, dict[str, str]] = {}
    for name, targets in sorted(raw.items()):
        kept = {}
        for provider, model_id in sorted(targets.items()):
            if (provider, model_id) in known:
                kept[provider] = model_id
            else:
                warn(f"alias {name!r} -> {provider}:{model_id} is not in the catalog; dropped")
        if kept:
            table[name] = kept
    return table


def build(source: Path, out: Path) -> dict[str, int]:
    entries = json.loads((source / "models.json").read_text(encoding="utf-8"))
    models = [model_of(e) for e in entries]
    aliases = aliases_of(json.loads((source / "aliases.json").read_text(encoding="utf-8")), models)
    out.mkdir(parents=True, exist_ok=True)
    (out / "models.json").write_text(dumps(encode(models)), encoding="utf-8")
    alias_text = json.dumps(aliases, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (out / "aliases.json").write_text(alias_text, encoding="utf-8")
    return {"models": len(models), "aliases": len(aliases)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.source / "models.json").is_file():
        print(f"error: no models.json in {args.source}", file=sys.stderr)
        return 1
    counts = build(args.source, args.out)
    size = (args.out / "models.json").stat().st_size
    kilobytes = size / 1024
    print(f"wrote {counts['models']} models ({kilobytes:.0f} KB), {counts['aliases']} aliases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
