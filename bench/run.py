"""``python -m bench``: run the benchmark suite and print (and save) the results.

Starts its own server in a child process, measures pyllm and the raw-httpx baseline (and any
installed peers) interleaved in the same run, prints a Markdown table of medians and
pyllm/baseline ratios, and writes everything to ``bench/results/<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from .cases import CASES, FULL, QUICK, Context
from .report import machine_info, table, write_json
from .server import BenchServer
from .sides import available_peers

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (seconds)")
    parser.add_argument("--no-peers", action="store_true", help="skip installed peers")
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated cases to run (default all): {', '.join(CASES)}",
    )
    parser.add_argument("--output-dir", type=Path, default=RESULTS, help="where JSON goes")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(CASES)}")
    peers = [] if args.no_peers else available_peers()
    config = QUICK if args.quick else FULL
    rows = []
    with BenchServer() as server:
        ctx = Context(server.base_url, config, ("pyllm", "httpx", *peers))
        for name in names:
            print(f"running {name}...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            rows.extend(CASES[name](ctx))
            print(f"  {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
    settings = {**dataclasses.asdict(config), "quick": args.quick, "cases": names}
    path = write_json(args.output_dir, rows, machine=machine_info(peers), config=settings)
    print(table(rows, peers))
    print(f"\nresults: {path}")
    return 0
