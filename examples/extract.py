"""Structured extraction: turn free text into a validated pydantic model.

    python examples/extract.py invitation.txt
    cat invitation.txt | python examples/extract.py

``chat.with_schema(Event)`` sends the model's JSON Schema as a strict response format, and
``reply.parsed`` is an ``Event``. Needs pydantic (``pip install pydantic``).

Uses OpenRouter with OPENROUTER_API_KEY, or any OpenRouter-compatible server named by
OPENROUTER_BASE_URL (``pyllm serve-fake`` runs one locally).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

import pyllm


class Event(BaseModel):
    """An event mentioned in a text."""

    title: str = Field(description="A short name for the event")
    date: str = Field(description="The date, as YYYY-MM-DD")
    start_time: str | None = Field(description="The start time as HH:MM, if given")
    location: str | None = Field(description="Where it takes place, if given")
    attendees: list[str] = Field(description="Names of the people invited")


def extract(text: str, model: str) -> Event | None:
    """The event described in ``text``, or ``None`` when the model gave no valid one."""
    chat = (
        pyllm.chat(model)
        .with_instructions("Extract the event from the user's text. Use null for unknowns.")
        .with_schema(Event)
    )
    parsed = chat.ask(text).parsed
    return parsed if isinstance(parsed, Event) else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Extract an event from text.")
    parser.add_argument("file", nargs="?", help="a text file (default: stdin)")
    parser.add_argument("--model", default="openai/gpt-4.1-mini")
    args = parser.parse_args(argv)

    text = Path(args.file).read_text(encoding="utf-8") if args.file else sys.stdin.read()
    event = extract(text, args.model)
    if event is None:
        print("no event found in the answer", file=sys.stderr)
        return 1
    print(event.model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
