"""``pyllm account`` and ``pyllm generation ID``: what OpenRouter says about your key, your
credits and one generation (``client.openrouter``), as text or ``--json``.

pyllm account                    # the key's limit and usage, the credits left
pyllm generation gen-123 --json  # one generation's cost, upstream, latency, tokens
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._account import Credits, GenerationStats, KeyInfo

__all__ = ["add_account", "add_generation"]


def add_account(subparsers: Any) -> None:
    """Register ``pyllm account``."""
    parser = subparsers.add_parser(
        "account",
        help="your OpenRouter key's limit and usage, and the credits left",
        description="Show the OpenRouter key's label, spending limit, usage and the account's "
        "credits (GET /key and /credits). Credits need a key allowed to read them; without one "
        "the rest is still shown.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run_account)


def add_generation(subparsers: Any) -> None:
    """Register ``pyllm generation``."""
    parser = subparsers.add_parser(
        "generation",
        help="one generation's cost, upstream, latency and tokens",
        description="Show OpenRouter's record of a generation (GET /generation): the id is an "
        "answer's id (gen-...), e.g. from 'pyllm chat --json'.",
    )
    parser.add_argument("id", help="the generation id (gen-...)")
    parser.add_argument(
        "--wait", type=float, default=5.0, help="seconds to wait for a fresh record (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run_generation)


def run_account(args: argparse.Namespace) -> int:
    import pyllm

    account = pyllm.default_client().openrouter
    key = account.key()
    credits: Credits | None = None
    refused = ""
    try:
        credits = account.credits()
    except pyllm.APIError as exc:  # a key that may not read credits: show the rest
        refused = str(exc)
    if args.json:
        shown = {"key": _plain(key), "credits": _plain(credits) if credits else None}
        print(json.dumps(shown, indent=2))
        return 0
    print(_key_lines(key))
    if credits is not None:
        print(
            f"credits     {_usd(credits.total)} bought, {_usd(credits.used)} used, "
            f"{_usd(credits.remaining)} left"
        )
    else:
        print(f"credits     not shown: {refused}", file=sys.stderr)
    return 0


def run_generation(args: argparse.Namespace) -> int:
    import pyllm

    stats = pyllm.default_client().openrouter.generation(args.id, wait=args.wait)
    if args.json:
        print(json.dumps(_plain(stats), indent=2))
        return 0
    print(_generation_lines(stats))
    return 0


def _key_lines(key: KeyInfo) -> str:
    tier = " (free tier)" if key.is_free_tier else ""
    limit = "no limit"
    if key.limit is not None:
        reset = f", resets {key.limit_reset}" if key.limit_reset else ""
        left = f", {_usd(key.limit_remaining)} left" if key.limit_remaining is not None else ""
        limit = f"{_usd(key.limit)}{reset}{left}"
    periods = [
        f"{name} {_usd(value)}"
        for name, value in (
            ("today", key.usage_daily),
            ("this week", key.usage_weekly),
            ("this month", key.usage_monthly),
        )
        if value is not None
    ]
    usage = _usd(key.usage) + (f" ({', '.join(periods)})" if periods else "")
    lines = [f"key         {key.label or '?'}{tier}", f"limit       {limit}"]
    lines.append(f"usage       {usage}")
    if key.expires_at is not None:
        lines.append(f"expires     {key.expires_at.isoformat()}")
    return "\n".join(lines)


def _generation_lines(stats: GenerationStats) -> str:
    rows = [
        ("id", stats.id),
        ("model", stats.model),
        ("upstream", stats.upstream),
        ("cost", _usd(stats.total_cost)),
        ("cache discount", _usd(stats.cache_discount) if stats.cache_discount else None),
        ("latency", _ms(stats.latency_ms)),
        ("generation time", _ms(stats.generation_time_ms)),
        ("tokens", _tokens(stats)),
        ("finish reason", stats.finish_reason),
        ("streamed", None if stats.streamed is None else ("yes" if stats.streamed else "no")),
        ("created", stats.created_at.isoformat() if stats.created_at else None),
    ]
    return "\n".join(f"{name:<16}{value}" for name, value in rows if value is not None)


def _tokens(stats: GenerationStats) -> str | None:
    if stats.native_tokens_prompt is None and stats.native_tokens_completion is None:
        return None
    text = f"{stats.native_tokens_prompt or 0} in / {stats.native_tokens_completion or 0} out"
    extras = [
        f"{count} {what}"
        for count, what in (
            (stats.native_tokens_cached, "cached"),
            (stats.native_tokens_reasoning, "reasoning"),
        )
        if count
    ]
    return text + (f" ({', '.join(extras)})" if extras else "")


def _usd(value: float | None) -> str:
    if value is None:
        return "?"
    return f"${value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"${value:.6f}"


def _ms(value: float | None) -> str | None:
    return None if value is None else f"{value:,.0f} ms"


def _plain(value: Any) -> dict[str, Any]:
    """A value's fields as JSON-ready data (dates as ISO 8601, ``raw`` left out)."""
    out = asdict(value)
    out.pop("raw", None)
    for item in fields(value):
        if isinstance(out.get(item.name), datetime):
            out[item.name] = out[item.name].isoformat()
    return out
