"""Embeddings: texts in, vectors out, in input order, batched and sent concurrently.

>>> from pyllm.testing import FakeOpenRouter
>>> with FakeOpenRouter() as server:
...     emb = server.client().embed(["Ruby", "Python"], model="openai/text-embedding-3-small")
>>> len(emb.vectors), emb.input_tokens > 0
(2, True)
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._limits import CHARS_PER_TOKEN
from .errors import Error, UnsupportedError
from .message import Usage
from .protocols.embeddings import EmbeddingBatch, parse_embeddings, render_embeddings

if TYPE_CHECKING:
    from ._engine.spending import Spend
    from ._session import Session

__all__ = ["DEFAULT_EMBEDDING_MODEL", "Embedding", "IncompleteEmbeddingError", "plan_batches"]

DEFAULT_EMBEDDING_MODEL = "openai/text-embedding-3-small"
MAX_BATCH_INPUTS = 512
MAX_BATCH_CHARS = 400_000  # about 100k tokens: well inside every embeddings endpoint's limit

Progress = Callable[[int, int], Any]


@dataclass(frozen=True, slots=True)
class Embedding:
    """``vectors`` is ``list[float]`` for one text and ``list[list[float]]`` for a list of them."""

    vectors: Any
    model: str | None
    input_tokens: int
    cost: float | None
    provider: str | None = None
    raw: Any = field(default=None, compare=False, repr=False)

    def __repr__(self) -> str:
        single = bool(self.vectors) and not isinstance(self.vectors[0], list)
        count = 1 if single else len(self.vectors)
        return f"Embedding({count} vector(s), model={self.model!r}, tokens={self.input_tokens})"


class IncompleteEmbeddingError(Error):
    """Some batches failed after retries. ``embedded`` and ``failed`` are input indices;
    ``vectors`` has ``None`` where an input failed; the cause is ``__cause__``."""

    def __init__(
        self,
        message: str,
        *,
        embedded: tuple[int, ...],
        failed: tuple[int, ...],
        vectors: list[list[float] | None],
    ) -> None:
        super().__init__(message)
        self.embedded = embedded
        self.failed = failed
        self.vectors = vectors


def check_inputs(text: Any) -> tuple[list[str], bool]:
    """``(texts, single)``; a clear ``ValueError``/``TypeError`` before any request."""
    if isinstance(text, str):
        if not text.strip():
            raise ValueError("cannot embed an empty string")
        return [text], True
    if not isinstance(text, (list, tuple)):
        raise TypeError(f"embed takes a string or a list of strings, got {type(text).__name__}")
    if not text:
        raise ValueError("cannot embed an empty list")
    for index, item in enumerate(text):
        if not isinstance(item, str):
            raise TypeError(f"input {index} is a {type(item).__name__}, not a string")
        if not item.strip():
            raise ValueError(f"input {index} is an empty string")
    return list(text), False


def plan_batches(
    texts: Sequence[str], max_inputs: int = MAX_BATCH_INPUTS, max_chars: int = MAX_BATCH_CHARS
) -> list[range]:
    """Consecutive ranges of inputs, each within the endpoint's limits.

    >>> plan_batches(["a"] * 5, max_inputs=2)
    [range(0, 2), range(2, 4), range(4, 5)]
    """
    batches: list[range] = []
    start, chars = 0, 0
    for index, text in enumerate(texts):
        if index > start and (index - start >= max_inputs or chars + len(text) > max_chars):
            batches.append(range(start, index))
            start, chars = index, 0
        chars += len(text)
    batches.append(range(start, len(texts)))
    return batches


def _assemble(
    results: list[EmbeddingBatch | None],
    batches: list[range],
    total: int,
    single: bool,
    errors: list[BaseException | None],
) -> Embedding:
    vectors: list[list[float] | None] = [None] * total
    for batch, result in zip(batches, results, strict=True):
        if result is not None:
            for offset, vector in enumerate(result.vectors):
                vectors[batch.start + offset] = vector
    failed = tuple(i for i, v in enumerate(vectors) if v is None)
    if failed:
        cause = next(e for e in errors if e is not None)
        if len(failed) == total:
            raise cause
        embedded = tuple(i for i, v in enumerate(vectors) if v is not None)
        raise IncompleteEmbeddingError(
            f"embedded {len(embedded)} of {total} inputs; inputs {_ranges(failed)} failed: {cause}",
            embedded=embedded,
            failed=failed,
            vectors=vectors,
        ) from cause
    done = [r for r in results if r is not None]
    costs = [r.cost for r in done if r.cost is not None]
    return Embedding(
        vectors=vectors[0] if single else vectors,
        model=done[0].model,
        input_tokens=sum(r.input_tokens for r in done),
        cost=sum(costs) if costs else None,
        provider=done[0].provider,
        raw=done[0].raw if len(done) == 1 else [r.raw for r in done],
    )


def _ranges(indices: Sequence[int]) -> str:
    spans, start = [], indices[0]
    for previous, current in zip(indices, [*indices[1:], None], strict=True):
        if current != previous + 1:
            spans.append(f"{start}" if start == previous else f"{start}-{previous}")
            if current is not None:
                start = current
    return ", ".join(spans)


def _progress(progress: bool | Progress | None) -> Progress | None:
    if progress is True:

        def bar(done: int, total: int) -> None:
            filled = int(30 * done / total)
            end = "\n" if done == total else ""
            print(
                f"\rembedding [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}",
                end=end,
                file=sys.stderr,
                flush=True,
            )

        return bar
    return progress or None


class _Job:
    """One ``embed`` call: its inputs, batches, results and progress; shared by sync and async."""

    def __init__(
        self,
        session: Session,
        text: Any,
        *,
        model: str | None = None,
        provider: str | None = None,
        dimensions: int | None = None,
        batch_size: int | None = None,
        concurrency: int = 4,
        progress: bool | Progress | None = None,
    ) -> None:
        self.texts, self.single = check_inputs(text)
        if dimensions is not None and (
            isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1
        ):
            raise ValueError(f"dimensions must be a positive whole number, got {dimensions!r}")
        if batch_size is not None and (
            isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
        ):
            raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}")
        model_id, provider_name = session.resolve(model or DEFAULT_EMBEDDING_MODEL, provider)
        session.check_capability(model_id, provider_name, "embeddings")
        self.session = session
        self.provider = session.provider(provider_name)
        path = self.provider.embeddings_path
        if path is None:
            raise UnsupportedError(
                f"{self.provider.display_name} has no embeddings endpoint; pick an embedding "
                "model on another provider (pyllm.models.embedding_models())"
            )
        self.path = path
        self.model = model_id
        self.dimensions = dimensions
        self.batches = plan_batches(self.texts, batch_size or MAX_BATCH_INPUTS)
        self.workers = max(1, min(concurrency, len(self.batches)))
        self.results: list[EmbeddingBatch | None] = [None] * len(self.batches)
        self.errors: list[BaseException | None] = [None] * len(self.batches)
        self.report = _progress(progress)
        self.done = 0
        self._lock = threading.Lock()

    def payload(self, index: int) -> dict[str, Any]:
        batch = self.batches[index]
        one = self.single and len(self.texts) == 1
        return render_embeddings(
            self.model, self.texts[batch.start : batch.stop], self.dimensions, one
        )

    def spend(self, index: int) -> Spend:
        """What batch ``index`` is checked against: the client's budget, at its worst case."""
        batch = self.batches[index]
        chars = sum(len(text) for text in self.texts[batch.start : batch.stop])
        tokens = math.ceil(chars / CHARS_PER_TOKEN)
        return self.session.spend(self.model, self.provider.name, (tokens, 0), _usage_of)

    def parser(self, index: int) -> Callable[[Any], EmbeddingBatch]:
        expected = len(self.batches[index])
        return lambda body: parse_embeddings(body, self.provider.name, expected)

    def finished(
        self, index: int, result: EmbeddingBatch | None, error: BaseException | None
    ) -> None:
        with self._lock:  # sync batches finish on worker threads: report in order, once each
            self.results[index], self.errors[index] = result, error
            self.done += len(self.batches[index])
            if self.report is not None:
                self.report(self.done, len(self.texts))

    def result(self) -> Embedding:
        return _assemble(self.results, self.batches, len(self.texts), self.single, self.errors)


def _usage_of(batch: EmbeddingBatch) -> Usage:
    return Usage(input_tokens=batch.input_tokens, cost=batch.cost)


def embed_sync(session: Session, text: Any, **options: Any) -> Embedding:
    """Batches run on up to ``concurrency`` threads of the client's sync connection pool."""
    job = _Job(session, text, **options)

    def run(index: int) -> None:
        try:
            body = session.request(
                job.provider,
                job.path,
                job.payload(index),
                parse=job.parser(index),
                spend=job.spend(index),
            )
            job.finished(index, body, None)
        except Error as exc:
            job.finished(index, None, exc)

    with ThreadPoolExecutor(max_workers=job.workers) as pool:
        list(pool.map(run, range(len(job.batches))))
    return job.result()


async def embed_async(session: Session, text: Any, **options: Any) -> Embedding:
    """Batches run as up to ``concurrency`` concurrent tasks."""
    job = _Job(session, text, **options)
    limit = asyncio.Semaphore(job.workers)

    async def run(index: int) -> None:
        async with limit:
            try:
                body = await session.arequest(
                    job.provider,
                    job.path,
                    job.payload(index),
                    parse=job.parser(index),
                    spend=job.spend(index),
                )
                job.finished(index, body, None)
            except Error as exc:
                job.finished(index, None, exc)

    await asyncio.gather(*(run(i) for i in range(len(job.batches))))
    return job.result()
