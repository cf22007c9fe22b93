"""``pyllm.models`` in a fresh process, run as program text (``python -c``) by bench.cases.

Imports nothing before it starts the clock, so the first ``find`` pays for every module the
registry needs. ``PRELOAD`` (set by the caller) imports those modules first instead, to tell
their cost from the data's. Prints one JSON line.
"""

import time

started = time.perf_counter()
PRELOAD = False
CALLS = 1000
IDS = (
    ("anthropic/claude-haiku-4.5", "openrouter"),
    ("claude-haiku-4-5", "openrouter"),
    ("openai/gpt-4.1-mini", "openrouter"),
)


def _probe() -> dict[str, object]:
    import pyllm

    if PRELOAD:
        import pyllm.client
        import pyllm.providers
        import pyllm.registry
    begun = time.perf_counter() if PRELOAD else started
    try:
        models = pyllm.models
    except (AttributeError, ImportError):
        return {"skipped": "pyllm.models not available"}
    found: list[tuple[str, str]] = []
    load = 0.0
    for model_id, provider in IDS:
        try:
            models.find(model_id, provider=provider)
        except Exception:
            continue
        if not found:
            load = time.perf_counter() - begun
        found.append((model_id, provider))
    if not found:
        return {"skipped": f"pyllm.models.find found none of {IDS!r}"}
    find = models.find
    timed = time.perf_counter()
    for i in range(CALLS):
        model_id, provider = found[i % len(found)]
        find(model_id, provider=provider)
    return {"load_s": load, "find_s": (time.perf_counter() - timed) / CALLS, "ids": found}


print(__import__("json").dumps(_probe()))
