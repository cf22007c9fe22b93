"""Ask several models the same question at once, and compare answers, speed and cost.

    python examples/fanout.py "Explain recursion in one sentence." [--models a/b c/d ...]

Each model gets its own chat; ``asyncio.gather`` runs them concurrently over one connection
pool. A model that fails shows its error in the table instead of stopping the others.

Uses OpenRouter with OPENROUTER_API_KEY, or any OpenRouter-compatible server named by
OPENROUTER_BASE_URL (``pyllm serve-fake`` runs one locally).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pyllm

MODELS = [
    "anthropic/claude-haiku-4.5",
    "openai/gpt-4.1-mini",
    "google/gemini-2.5-flash",
    "mistralai/mistral-small-3.2-24b-instruct",
]


@dataclass
class Outcome:
    model: str
    seconds: float
    reply: pyllm.Message | None = None
    error: pyllm.Error | None = None


async def ask(model: str, question: str) -> Outcome:
    started = time.perf_counter()
    try:
        reply = await pyllm.chat(model).aask(question)
    except pyllm.Error as error:
        return Outcome(model, time.perf_counter() - started, error=error)
    return Outcome(model, time.perf_counter() - started, reply=reply)


def table(outcomes: Sequence[Outcome]) -> str:
    rows = [f"{'model':42} {'time':>6} {'tokens':>7} {'cost (USD)':>11}  answer"]
    for o in outcomes:
        if o.reply is None:
            rows.append(f"{o.model:42} {o.seconds:5.1f}s {'-':>7} {'-':>11}  error: {o.error}")
            continue
        usage = o.reply.usage or pyllm.Usage()
        cost = f"{usage.cost:.6f}" if usage.cost is not None else "?"
        answer = " ".join(o.reply.content.split())
        answer = answer if len(answer) <= 60 else answer[:57] + "..."
        rows.append(f"{o.model:42} {o.seconds:5.1f}s {usage.total_tokens:7} {cost:>11}  {answer}")
    total = sum(o.reply.cost or 0 for o in outcomes if o.reply is not None)
    answered = sum(o.reply is not None for o in outcomes)
    rows.append(f"{answered} of {len(outcomes)} models answered; total cost ${total:.6f}")
    return "\n".join(rows)


async def fan_out(question: str, models: Sequence[str]) -> list[Outcome]:
    outcomes = await asyncio.gather(*(ask(model, question) for model in models))
    await pyllm.default_client().aclose()  # close this event loop's connection pool
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One question, many models.")
    parser.add_argument("question", nargs="+")
    parser.add_argument("--models", nargs="+", default=MODELS)
    args = parser.parse_args(argv)

    outcomes = asyncio.run(fan_out(" ".join(args.question), args.models))
    print(table(outcomes))
    return 0 if any(o.reply is not None for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
