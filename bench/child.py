"""Work that must run in a fresh process; prints one JSON line for the parent.

``main(["concurrent", SIDE, BASE_URL, N])``: N concurrent async calls.
``main(["registry", N])``: ``pyllm.models`` first load, then ``find`` latency.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from .sides import SIDES

_REGISTRY_IDS = (
    ("anthropic/claude-haiku-4.5", "openrouter"),
    ("claude-haiku-4-5", "openrouter"),
    ("openai/gpt-4.1-mini", "openrouter"),
)


def _vm_hwm_mb() -> float | None:
    """This process's peak RSS so far (Linux), to tell memory used by the calls from imports."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


async def _concurrent(side_name: str, base_url: str, calls: int) -> dict[str, Any]:
    session = SIDES[side_name].async_(base_url)
    await session.aask()  # imports done, one connection open: the same start for every side
    before = _vm_hwm_mb()
    started = time.perf_counter()
    answers = await asyncio.gather(*(session.aask() for _ in range(calls)))
    wall = time.perf_counter() - started
    after = _vm_hwm_mb()
    await session.aclose()
    if len(answers) != calls or not all(answers):
        raise SystemExit(f"{side_name}: {calls - sum(map(bool, answers))} calls failed")
    growth = after - before if after is not None and before is not None else None
    return {"wall_s": wall, "rss_growth_mb": growth}


def _registry(calls: int) -> dict[str, Any]:
    import pyllm

    started = time.perf_counter()
    try:
        models: Any = getattr(pyllm, "models")  # noqa: B009 - absent until the registry lands
    except (AttributeError, ImportError):
        return {"skipped": "pyllm.models not available"}
    found = []
    for model_id, provider in _REGISTRY_IDS:
        try:
            models.find(model_id, provider=provider)
        except Exception:
            continue
        found.append((model_id, provider))
        if len(found) == 1:
            load = time.perf_counter() - started
    if not found:
        return {"skipped": "pyllm.models.find found none of " + repr(_REGISTRY_IDS)}
    find = models.find
    timed = time.perf_counter()
    for i in range(calls):
        model_id, provider = found[i % len(found)]
        find(model_id, provider=provider)
    per_call = (time.perf_counter() - timed) / calls
    return {"load_s": load, "find_s": per_call, "ids": [m for m, _ in found]}


def main(argv: list[str]) -> None:
    task, *args = argv
    if task == "concurrent":
        result = asyncio.run(_concurrent(args[0], args[1], int(args[2])))
    elif task == "registry":
        result = _registry(int(args[0]))
    else:
        raise SystemExit(f"unknown task {task!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
