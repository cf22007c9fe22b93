"""Run a Markdown page's examples against a ``pyllm.testing.FakeOpenRouter``.

How a page runs (:func:`run_page`):

1. The environment is an OpenRouter user's: ``OPENROUTER_API_KEY`` is set and
   ``OPENROUTER_BASE_URL`` points at the fake server, the models cache lives in a temporary
   directory, the working directory is that directory (files the examples write land there),
   and pyllm's default client is new, so ``pyllm.chat(...)`` talks to the fake server.
2. The page's snippets (see ``_markdown.py``) run in page order:

   - **examples** (```` ```python ```` blocks) share one namespace per page, so a later block
     may use names an earlier one defined; top-level ``await`` works (one event loop per page);
   - **files** (a ```` ```python ```` block after ``<!-- file server.py -->``) are written to
     the working directory under that name, for the examples to run (compiled, not run, here);
   - **setup** (``<!-- setup ... -->``) and **check** (``<!-- check ... -->``) comments run in a
     copy of that namespace plus these helpers, and what they assign is dropped, so an example
     can never depend on hidden code:

     ``fake``
         the page's ``FakeOpenRouter``: ``fake.reply(...)`` scripts the next answers,
         ``fake.requests`` is what pyllm sent;
     ``text``, ``tool_call``, ``error``, ``stream_error``, ``raw``, ``drop``, ``Reply``,
     ``url_citation``
         ``pyllm.testing``'s reply factories;
     ``setenv(name, value)``
         set an environment variable for this page (e.g. ``OPENAI_BASE_URL`` to ``fake.url``)
         and start a new default client that reads it;
     ``sample_files(*names)``
         write small valid files (``.png``, ``.pdf``, ``.wav``, ``.md``...) into the working
         directory, standing in for the reader's own files.

   Unscripted requests get the fake's defaults: an echo for chats, deterministic vectors for
   ``/embeddings``, a tiny PNG for image generation, a small catalog for ``GET /models``.
3. Any exception fails the page, naming the page line of the snippet; tracebacks point at the
   page's own lines. So does a scripted reply that no example used by the end of the page. Afterwards every ``pyllm.Client`` the examples left in their namespace and
   the default client are closed, and the ``pyllm`` logger's level is restored.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyllm
from pyllm import client as client_module
from pyllm import testing
from pyllm._session import EVERY_SESSION

from ._markdown import Snippet, read_snippets
from ._samples import sample_files

if TYPE_CHECKING:
    import pytest

__all__ = ["ExampleFailed", "run_page"]

REPLY_HELPERS = (
    "Reply",
    "drop",
    "error",
    "raw",
    "stream_error",
    "text",
    "tool_call",
    "url_citation",
)
SCRIPTED_PATHS = ("/chat/completions", "/embeddings", "/images")


class ExampleFailed(AssertionError):
    """A snippet of a page raised; the original error is the ``__cause__``."""


def _close(client: pyllm.Client, loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(client.aclose())  # the sync pool and this loop's async pool


def reset_default_client(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Forget pyllm's default client (closing it when ``loop`` is given), so the next
    ``pyllm.chat`` builds one from the current environment. ``pyllm.models`` is bound to the
    default client on first use, so that binding goes too."""
    current = client_module._default
    if current is not None and loop is not None:
        _close(current, loop)
    client_module._default = None
    vars(pyllm).pop("models", None)


def _run(snippet: Snippet, path: Path, namespace: dict[str, Any], loop: Any) -> None:
    __tracebackhide__ = True
    source = "\n" * (snippet.line - 1) + snippet.code  # tracebacks show the page's lines
    try:
        code = compile(
            source, str(path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
        )
        if snippet.kind == "file":  # written for the examples to use, not run here
            assert snippet.name is not None
            Path(snippet.name).write_text(snippet.code, encoding="utf-8")
        elif code.co_flags & inspect.CO_COROUTINE:
            loop.run_until_complete(eval(code, namespace))
        else:
            exec(code, namespace)
    except Exception as exc:
        raise ExampleFailed(
            f"{path}:{snippet.line}: the {snippet.kind} raised {type(exc).__name__}: {exc}"
        ) from exc


def _helpers(
    fake: testing.FakeOpenRouter, monkeypatch: pytest.MonkeyPatch, loop: Any
) -> dict[str, Any]:
    def setenv(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        reset_default_client(loop)

    helpers: dict[str, Any] = {name: getattr(testing, name) for name in REPLY_HELPERS}
    return {**helpers, "fake": fake, "setenv": setenv, "sample_files": sample_files}


def run_page(
    path: Path,
    fake: testing.FakeOpenRouter,
    monkeypatch: pytest.MonkeyPatch,
    workdir: Path,
) -> list[Snippet]:
    """Run every snippet of the page at ``path``; return them (all of them ran)."""
    snippets = read_snippets(path)
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-docs-examples")
    monkeypatch.setenv("OPENROUTER_BASE_URL", fake.url)
    monkeypatch.setenv("PYLLM_MODELS_CACHE", str(workdir / "models-cache.json"))
    logger = logging.getLogger("pyllm")
    level = logger.level
    loop = asyncio.new_event_loop()
    reset_default_client()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    helpers = _helpers(fake, monkeypatch, loop)
    try:
        for snippet in snippets:
            scope = namespace if snippet.kind == "example" else {**namespace, **helpers}
            _run(snippet, path, scope, loop)
        unused = {p: fake.pending(p) for p in SCRIPTED_PATHS if fake.pending(p)}
        if unused:  # the examples did not make the requests the page's setup expected
            raise ExampleFailed(f"{path}: scripted replies were never used: {unused}")
    finally:
        for value in list(namespace.values()):
            if isinstance(value, pyllm.Client):
                _close(value, loop)
        reset_default_client(loop)
        EVERY_SESSION.clear()  # a page that ran pyllm.instrument() leaves no listener behind
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        logger.setLevel(level)
    return snippets
