"""Machine facts, the results table, and the JSON file runs are compared with."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .measure import ROOT

if TYPE_CHECKING:
    from .rows import Row

__all__ = ["machine_info", "table", "write_json"]


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine_info(peers: list[str]) -> dict[str, Any]:
    affinity = getattr(os, "sched_getaffinity", None)
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(affinity(0)) if affinity else None,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "packages": {
            name: _version(name) for name in ("pyllm", "httpx", "httpcore", "h11", *peers)
        },
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(  # uncommitted changes to anything but results files
            _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results")
        ),
    }


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "chunks/s":
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def table(rows: list[Row], peers: list[str]) -> str:
    """A Markdown table: medians, pyllm/baseline ratio, target, met."""
    head = ["measure", "unit", "pyllm", "baseline", "ratio", "target", "met", *peers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        met = {True: "yes", False: "**NO**", None: "-"}[row.met]
        baseline = f"{_fmt(row.baseline, row.unit)} ({row.baseline_name})" if row.baseline else "-"
        cells = [row.label, row.unit, _fmt(row.pyllm, row.unit), baseline, ratio]
        cells += [str(row.target) if row.target else "-", met]
        cells += [_fmt(row.peers.get(p), row.unit) for p in peers]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- {row.label}: {row.note}" for row in rows if row.note]
    return "\n".join([*lines, "", *notes] if notes else lines)


def write_json(
    directory: Path, rows: list[Row], *, machine: dict[str, Any], config: dict[str, Any]
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"{stamp}.json"
    document = {
        "schema": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine,
        "config": config,
        "rows": [row.to_json() for row in rows],
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n")
    temporary.replace(path)
    return path
