"""The measurements. Each case runs pyllm, the raw-httpx baseline and any peers interleaved in
this run, against one local server, and returns result rows (medians, with every sample)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .bodies import expected_stream_text
from .measure import interleave, median, run_python
from .rows import Row, Target
from .sides import SIDES

if TYPE_CHECKING:
    from .sides import AsyncSession

__all__ = ["CASES", "FULL", "QUICK", "Config", "Context"]

T = TypeVar("T")
Samples = dict[str, list[float]]


@dataclass(frozen=True, slots=True)
class Config:
    import_runs: int = 21
    first_call_runs: int = 11
    seq_rounds: int = 15
    seq_calls: int = 200
    stream_rounds: int = 7
    stream_chunks: int = 20_000
    concurrent_runs: int = 5
    concurrent_calls: int = 1000
    registry_runs: int = 7
    find_calls: int = 100_000


FULL = Config()
QUICK = Config(
    import_runs=2,
    first_call_runs=1,
    seq_rounds=2,
    seq_calls=10,
    stream_rounds=1,
    stream_chunks=500,
    concurrent_runs=1,
    concurrent_calls=50,
    registry_runs=1,
    find_calls=100,
)


@dataclass(frozen=True, slots=True)
class Context:
    base_url: str
    config: Config
    sides: tuple[str, ...]  # "pyllm", "httpx", then the peers


def _values(runs: dict[str, list[T]], value: Callable[[T], float | None]) -> Samples:
    """One number out of every run, per side (runs without that number are left out)."""
    out: Samples = {}
    for name, items in runs.items():
        numbers = [v for v in map(value, items) if v is not None]
        if numbers:
            out[name] = numbers
    return out


def _medians(samples: Samples) -> dict[str, float]:
    return {name: median(values) for name, values in samples.items()}


def _row(
    key: str,
    label: str,
    unit: str,
    samples: Samples,
    *,
    baseline: str = "httpx",
    baseline_name: str = "httpx",
    target: Target | None = None,
    note: str = "",
) -> Row:
    medians = _medians(samples)
    peers = {name: medians[name] for name in medians if name not in ("pyllm", baseline)}
    return Row(
        key,
        label,
        unit,
        medians.get("pyllm"),
        medians.get(baseline),
        baseline_name,
        target,
        peers,
        samples,
        note,
    )


def imports(ctx: Context) -> list[Row]:
    """``python -c "import X"`` in fresh processes against ``python -c pass``."""
    programs = {"bare": "pass", **{name: f"import {SIDES[name].module}" for name in ctx.sides}}
    runs = interleave(
        {name: partial(run_python, code) for name, code in programs.items()}, ctx.config.import_runs
    )
    wall = _values(runs, lambda c: c.wall_s * 1e3)
    rss = _values(runs, lambda c: c.max_rss_mb)
    wall_m, rss_m = _medians(wall), _medians(rss)
    others = [name for name in ctx.sides if name != "pyllm" and name in wall_m]
    note = ", ".join(f"import {n}: {wall_m[n]:.0f} ms, {rss_m.get(n, 0):.1f} MB" for n in others)
    bare = partial(_row, baseline="bare", baseline_name="python -c pass")
    return [
        bare(
            "import_wall", "import pyllm, whole process", "ms", wall, target=Target(2.0), note=note
        ),
        bare("import_rss", "import pyllm, peak RSS", "MB", rss),
    ]


def first_call(ctx: Context) -> list[Row]:
    """A fresh process that imports, builds a client and makes one call."""
    programs = {name: SIDES[name].first_call_code(ctx.base_url) for name in ctx.sides}
    runs = interleave(
        {name: partial(run_python, code) for name, code in programs.items()},
        ctx.config.first_call_runs,
    )
    return [
        _row(
            "first_call_wall",
            "first call in a fresh process",
            "ms",
            _values(runs, lambda c: c.wall_s * 1e3),
        ),
        _row("first_call_rss", "first call, peak RSS", "MB", _values(runs, lambda c: c.max_rss_mb)),
    ]


def _overhead_note(samples: Samples) -> str:
    medians = _medians(samples)
    if "pyllm" in medians and "httpx" in medians:
        return f"pyllm adds {medians['pyllm'] - medians['httpx']:+.0f} us per call"
    return ""


def sequential(ctx: Context) -> list[Row]:
    """N sequential ``ask`` calls on one client; the median over rounds of the per-call time."""
    calls = ctx.config.seq_calls
    sessions = {name: SIDES[name].sync(ctx.base_url) for name in ctx.sides}

    def job(name: str) -> Callable[[], float]:
        ask = sessions[name].ask

        def run() -> float:
            started = time.perf_counter()
            for _ in range(calls):
                ask()
            return (time.perf_counter() - started) / calls * 1e6

        return run

    try:
        for name, session in sessions.items():
            if session.ask() != "1\n2\n3":
                raise RuntimeError(f"{name} read a wrong answer")
        samples = interleave({name: job(name) for name in sessions}, ctx.config.seq_rounds)
    finally:
        for session in sessions.values():
            session.close()
    return [
        _row(
            "ask_sync",
            f"sequential ask, sync ({calls} calls)",
            "us/call",
            samples,
            target=Target(1.10),
            note=_overhead_note(samples),
        ),
    ]


async def _timed_aasks(session: AsyncSession, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await session.aask()
    return (time.perf_counter() - started) / calls * 1e6


def sequential_async(ctx: Context) -> list[Row]:
    """The async twin of :func:`sequential`, all sides on one event loop."""
    calls = ctx.config.seq_calls
    loop = asyncio.new_event_loop()
    sessions = {name: SIDES[name].async_(ctx.base_url) for name in ctx.sides}

    def job(session: AsyncSession) -> Callable[[], float]:
        return lambda: loop.run_until_complete(_timed_aasks(session, calls))

    try:
        samples = interleave({n: job(s) for n, s in sessions.items()}, ctx.config.seq_rounds)
    finally:
        for session in sessions.values():
            loop.run_until_complete(session.aclose())
        loop.close()
    return [
        _row(
            "ask_async",
            f"sequential aask, async ({calls} calls)",
            "us/call",
            samples,
            target=Target(1.10),
            note=_overhead_note(samples),
        ),
    ]


def _streams(ctx: Context, framing: str) -> dict[str, list[tuple[float, float]]]:
    """(chunks per second, client CPU us per chunk) of every interleaved stream read."""
    chunks = ctx.config.stream_chunks
    expected = expected_stream_text(chunks)
    sessions = {name: SIDES[name].sync(ctx.base_url) for name in ctx.sides}

    def job(name: str) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            count, text = sessions[name].stream(chunks, framing)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if text != expected:
                raise RuntimeError(f"{name} assembled a wrong text from the stream")
            return count / wall, cpu / count * 1e6

        return run

    try:
        return interleave({name: job(name) for name in sessions}, ctx.config.stream_rounds)
    finally:
        for session in sessions.values():
            session.close()


def streaming(ctx: Context) -> list[Row]:
    """Chunks parsed per second, and client CPU per chunk, reading one long stream."""
    n = ctx.config.stream_chunks
    rows = []
    for framing, where in (("event", "one SSE event per HTTP chunk"), ("bulk", "16 KiB chunks")):
        runs = _streams(ctx, framing)
        suffix = "" if framing == "event" else "_bulk"
        rows += [
            _row(
                f"stream_rate{suffix}",
                f"stream {n:,} chunks, {where}",
                "chunks/s",
                _values(runs, lambda r: r[0]),
                target=Target(1.0, at_least=True),
            ),
            _row(
                f"stream_cpu{suffix}",
                f"stream CPU per chunk, {where}",
                "us",
                _values(runs, lambda r: r[1]),
            ),
        ]
    return rows


def _child_program(*argv: str) -> str:
    return f"from bench.child import main\nmain({list(argv)!r})"


def concurrency(ctx: Context) -> list[Row]:
    """N concurrent async calls, each side in its own fresh process (so RSS compares)."""
    n = ctx.config.concurrent_calls
    programs = {name: _child_program(name, ctx.base_url, str(n)) for name in ctx.sides}
    runs = interleave(
        {name: partial(run_python, code) for name, code in programs.items()},
        ctx.config.concurrent_runs,
    )
    growth = _medians(_values(runs, lambda c: c.json()["rss_growth_mb"]))
    note = ", ".join(f"{k} +{v:.1f} MB" for k, v in growth.items())
    return [
        _row(
            "concurrent_wall",
            f"{n:,} concurrent aask, wall",
            "ms",
            _values(runs, lambda c: c.json()["wall_s"] * 1e3),
            target=Target(1.2),
        ),
        _row(
            "concurrent_rss",
            f"{n:,} concurrent aask, peak RSS",
            "MB",
            _values(runs, lambda c: c.max_rss_mb),
            target=Target(1.2),
            note=f"growth during the calls: {note}" if note else "",
        ),
    ]


def _registry_program(preload: bool, calls: int) -> str:
    source = (Path(__file__).parent / "registry_probe.py").read_text()
    return source.replace("PRELOAD = False", f"PRELOAD = {preload}").replace(
        "CALLS = 1000", f"CALLS = {calls}"
    )


def registry(ctx: Context) -> list[Row]:
    """``pyllm.models``: the first ``find`` in a fresh process (all imports included), the same
    with the registry's modules imported beforehand (data load only), then ``find`` itself."""
    runs = ctx.config.registry_runs
    cold = [run_python(_registry_program(False, ctx.config.find_calls)).json() for _ in range(runs)]
    skipped = next((r["skipped"] for r in cold if "skipped" in r), None)
    if skipped:
        return [Row("registry", "registry", "", None, note=f"skipped: {skipped}")]
    warm = [run_python(_registry_program(True, 1)).json() for _ in range(runs)]
    return [
        _row(
            "registry_load",
            "registry first find, fresh process (imports + data)",
            "ms",
            {"pyllm": [r["load_s"] * 1e3 for r in cold]},
            target=Target(30, on="value"),
        ),
        _row(
            "registry_data",
            "registry first find, modules already imported",
            "ms",
            {"pyllm": [r["load_s"] * 1e3 for r in warm]},
        ),
        _row(
            "registry_find",
            "registry find after load",
            "us",
            {"pyllm": [r["find_s"] * 1e6 for r in cold]},
            target=Target(10, on="value"),
        ),
    ]


CASES: dict[str, Callable[[Context], list[Row]]] = {
    "imports": imports,
    "first_call": first_call,
    "sequential": sequential,
    "sequential_async": sequential_async,
    "streaming": streaming,
    "concurrency": concurrency,
    "registry": registry,
}
