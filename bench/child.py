"""N concurrent async calls in a fresh process (one per side, so that peak RSS compares):
``main([SIDE, BASE_URL, N])`` prints one JSON line for the parent."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from .sides import SIDES


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


def main(argv: list[str]) -> None:
    side_name, base_url, calls = argv
    print(json.dumps(asyncio.run(_concurrent(side_name, base_url, int(calls)))))


if __name__ == "__main__":
    main(sys.argv[1:])
