"""``pyllm models``: list, filter and sort the registry as a table (or JSON).

pyllm models --provider openrouter --capability tools --capability vision --sort input_price
pyllm models --search haiku --json
pyllm models --refresh            # fetch the live catalogs first (and save the cache)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from ..model import CAPABILITIES

if TYPE_CHECKING:
    from ..model import Model
    from ..registry import Models

__all__ = ["add_parser"]

SHOWN_CAPABILITIES = (
    "tools",
    "structured_output",
    "reasoning",
    "vision",
    "pdf",
    "audio_input",
    "embeddings",
    "image_generation",
    "web_search",
)
"""The capabilities the table shows (``--json`` has them all)."""

HEADERS = ("ID", "PROVIDER", "CONTEXT", "MAX OUT", "$IN/M", "$OUT/M", "CAPABILITIES")


def add_parser(subparsers: Any) -> None:
    """Register ``pyllm models`` on an argparse subparsers object."""
    from ..registry import SORT_KEYS

    parser = subparsers.add_parser(
        "models",
        help="list the models pyllm knows, with limits, prices and capabilities",
        description="List, filter and sort the model registry. Prices are USD per million "
        "tokens. Data: the refreshed cache if there is one, else the bundled snapshot.",
    )
    parser.add_argument("-p", "--provider", help="only this provider's models (e.g. openrouter)")
    parser.add_argument(
        "-c",
        "--capability",
        action="append",
        default=[],
        choices=sorted(CAPABILITIES),
        metavar="NAME",
        help="only models with this capability (repeatable): " + ", ".join(sorted(CAPABILITIES)),
    )
    parser.add_argument("-s", "--search", help="only models whose id or name contains this")
    parser.add_argument("--sort", default="id", choices=SORT_KEYS, help="sort key (default: id)")
    parser.add_argument("--desc", action="store_true", help="sort in descending order")
    parser.add_argument("-n", "--limit", type=int, default=0, help="show at most this many")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--refresh", action="store_true", help="fetch the live catalogs first")
    parser.set_defaults(run=run)


def select(models: Models, args: argparse.Namespace) -> Models:
    """The models ``args`` ask for, sorted and limited."""
    if args.provider:
        models = models.by_provider(args.provider)
    if args.capability:
        models = models.supporting(*args.capability)
    if args.search:
        models = models.search(args.search)
    models = models.sort_by(args.sort, reverse=args.desc)
    return models[: args.limit] if args.limit > 0 else models


def run(args: argparse.Namespace) -> int:
    from ..client import default_client

    registry = default_client().models
    if args.refresh:
        registry.refresh()
    if args.provider and args.provider not in {m.provider for m in registry}:
        known = ", ".join(sorted({m.provider for m in registry}))
        print(f"error: no models of provider {args.provider!r}; known: {known}", file=sys.stderr)
        return 2
    chosen = select(registry, args)
    try:
        if args.json:
            print(json.dumps([m.to_dict() for m in chosen], indent=2, ensure_ascii=False))
            return 0
        rows = [row(m) for m in chosen]
        console = _rich_console()
        if console is None:
            print(plain_table(rows))
        else:
            _print_rich(console, rows)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `pyllm models | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    print(f"{len(rows)} models (from the {registry.source})", file=sys.stderr)
    return 0


def _tokens(value: int | None) -> str:
    """A token count the way model pages write it: 200K, 128K (131072), 1M, 1.5M."""
    if value is None:
        return "-"
    for unit, size in (("M", 1_000_000), ("M", 1 << 20), ("K", 1000), ("K", 1 << 10)):
        if value >= size and (value * 10) % size == 0:
            return f"{value / size:g}{unit}"
    return f"{value / 1000:.0f}K" if value >= 1000 else str(value)


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def row(model: Model) -> tuple[str, ...]:
    """One table row: id, provider, limits, prices, the main capabilities."""
    capabilities = ",".join(c for c in SHOWN_CAPABILITIES if c in model.capabilities)
    return (
        model.id,
        model.provider,
        _tokens(model.context_window),
        _tokens(model.max_output_tokens),
        _price(model.input_price),
        _price(model.output_price),
        capabilities or "-",
    )


def plain_table(rows: list[tuple[str, ...]]) -> str:
    """Aligned columns with a header; numbers right-aligned."""
    table = [HEADERS, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    lines = []
    for r in table:
        cells = [
            cell.rjust(width) if 2 <= i <= 5 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _rich_console() -> Any:
    """A rich console when rich is installed and stdout is a terminal, else ``None``."""
    if not sys.stdout.isatty():
        return None
    try:
        from rich.console import Console
    except ImportError:
        return None
    return Console()


def _print_rich(console: Any, rows: list[tuple[str, ...]]) -> None:
    from rich.table import Table

    table = Table(*HEADERS, box=None, header_style="bold")
    for column in table.columns[2:6]:
        column.justify = "right"
    for r in rows:
        table.add_row(*r)
    console.print(table)
