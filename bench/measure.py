"""Timing helpers: interleaved rounds, medians, and child processes with their own peak RSS."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["Child", "interleave", "median", "run_python"]

ROOT = Path(__file__).resolve().parent.parent

T = TypeVar("T")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def interleave(
    jobs: Mapping[str, Callable[[], T]], rounds: int, *, warmup: bool = True
) -> dict[str, list[T]]:
    """Run every job once per round, alternating the order (ABAB, then BABA...) so that drift
    in the machine hits all sides alike. One untimed warm-up round comes first."""
    names = list(jobs)
    samples: dict[str, list[T]] = {name: [] for name in names}
    if warmup:
        for name in names:
            jobs[name]()
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            samples[name].append(jobs[name]())
    return samples


@dataclass(frozen=True, slots=True)
class Child:
    """A finished child process: wall time from spawn to exit, its own peak RSS, its output."""

    wall_s: float
    max_rss_mb: float | None
    stdout: str

    def json(self) -> Any:
        return json.loads(self.stdout.strip().splitlines()[-1])


_REPORT_PEAK_RSS = """
try:
    import sys as _sys
    with open("/proc/self/status") as _status:
        _sys.stderr.write("".join(_l for _l in _status if _l.startswith("VmHWM:")))
except OSError:
    pass
"""
"""Appended to every child program: its own peak RSS. (``wait4``'s ``ru_maxrss`` will not do on
Linux: a child starts with the peak RSS of the process that spawned it, here the benchmark.)"""


def _peak_rss_mb(stderr: str) -> float | None:
    for line in reversed(stderr.splitlines()):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run_python(code: str) -> Child:
    """Run ``python -c CODE`` in a fresh interpreter: wall time from spawn to exit, peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # installed packages have .pyc files; so may pyllm
    argv = [sys.executable, "-c", code + _REPORT_PEAK_RSS]
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"python -c {code[:200]!r} failed: {done.stderr[-2000:]}")
    return Child(wall, _peak_rss_mb(done.stderr), done.stdout)
