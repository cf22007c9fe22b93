"""Batch embedding: one vector per line of a text file, with a progress bar.

    python examples/embed_batch.py reviews.txt -o vectors.jsonl [--dimensions 256]

pyllm splits the lines into batches the endpoint accepts, sends several at once, draws a
progress bar on stderr (``progress=True``) and returns the vectors in input order. The output
has one JSON object per line: ``{"text": ..., "vector": [...]}``.

Uses OpenRouter with OPENROUTER_API_KEY, or any OpenRouter-compatible server named by
OPENROUTER_BASE_URL (``pyllm serve-fake`` runs one locally).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pyllm


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Embed every line of a file.")
    parser.add_argument("input", type=Path, help="a text file, one text per line")
    parser.add_argument("-o", "--output", type=Path, default=Path("vectors.jsonl"))
    parser.add_argument("--model", default="openai/text-embedding-3-small")
    parser.add_argument("--dimensions", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None, help="inputs per request")
    parser.add_argument("--concurrency", type=int, default=4, help="requests at a time")
    args = parser.parse_args(argv)

    texts = [line.strip() for line in args.input.read_text(encoding="utf-8").splitlines()]
    texts = [text for text in texts if text]  # empty strings cannot be embedded
    emb = pyllm.embed(
        texts,
        model=args.model,
        dimensions=args.dimensions,
        batch_size=args.batch_size,
        concurrency=args.concurrency,
        progress=True,
    )
    with args.output.open("w", encoding="utf-8") as out:
        for text, vector in zip(texts, emb.vectors, strict=True):
            out.write(json.dumps({"text": text, "vector": vector}) + "\n")

    cost = f"${emb.cost:.6f}" if emb.cost is not None else "cost unknown"
    print(f"{len(texts)} texts -> {args.output} ({emb.input_tokens} tokens, {cost})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
