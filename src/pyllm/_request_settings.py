"""The ``with_*`` methods of :class:`~pyllm.Chat` added by issue 14: stop sequences, seed,
end-user id, log probabilities, web search, and OpenRouter's PDF engine, auto-router models,
sticky session, metadata, preset and transforms. Each checks its arguments
(:class:`~pyllm._request_options.RequestOptions`) and returns the same chat.

>>> import pyllm
>>> chat = pyllm.chat("openai/gpt-4.1-mini").with_stop("END").with_seed(7).with_web_search()
>>> chat.with_logprobs(top=3) is chat
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._chat_options import ChatOptions
    from ._request_options import RequestOptions

__all__ = ["RequestSettings"]


class RequestSettings:
    """Part of :class:`~pyllm._chat_settings.ChatSettings` (a base class of ``Chat``)."""

    _options: ChatOptions

    def _extras(self, extras: RequestOptions) -> Self:
        self._options = replace(self._options, extras=extras)
        return self

    def with_stop(self, *sequences: str) -> Self:
        """Stop the answer where the model would write one of these (at most 4);
        ``with_stop()`` removes them. The answer ends with ``finish_reason == "stop"``."""
        return self._extras(self._options.extras.with_stop(sequences))

    def with_seed(self, seed: int | None) -> Self:
        """Sample with this seed, so the same request tends to get the same answer (providers
        do not promise it); ``None`` removes it."""
        return self._extras(self._options.extras.with_seed(seed))

    def with_user(self, user: str | None) -> Self:
        """A stable id of your end user (``user``), so providers can tell abuse apart from your
        other users; OpenRouter hashes it before passing it on. ``None`` removes it."""
        return self._extras(self._options.extras.with_user(user))

    def with_logprobs(self, *, top: int | None = None) -> Self:
        """Ask for each token's log probability (``reply.logprobs``, streamed chunks too) and,
        with ``top`` (0 to 20), the most likely alternatives at each position."""
        return self._extras(self._options.extras.with_logprobs(True, top))

    def without_logprobs(self) -> Self:
        return self._extras(self._options.extras.with_logprobs(False, None))

    def with_web_search(
        self,
        max_results: int | None = None,
        engine: str | None = None,
        search_prompt: str | None = None,
        context_size: str | None = None,
        *,
        max_uses: int | None = None,
        allowed_domains: Sequence[str] | None = None,
        blocked_domains: Sequence[str] | None = None,
        user_location: Mapping[str, str] | None = None,
    ) -> Self:
        """Search the web before answering; the sources are ``reply.citations``. On OpenRouter
        this is the ``web`` plugin (any model; like the ``:online`` suffix): ``max_results``
        (default 5), ``engine`` (one of ``pyllm.openrouter.WEB_SEARCH_ENGINES``), the
        ``search_prompt`` that introduces the results. ``context_size`` (``"low"``,
        ``"medium"``, ``"high"``) is how much of a native search goes into the prompt (OpenAI's
        search models take only this one). On Anthropic (``provider="anthropic"``) it is
        Claude's own search tool: ``max_uses`` searches at most, only ``allowed_domains`` or
        never ``blocked_domains``, results near ``user_location`` (``city``, ``region``,
        ``country``, ``timezone``). A provider refuses what it cannot do
        (:class:`~pyllm.UnsupportedError`, before sending)."""
        checked = self._options.extras.with_web_search(
            max_results,
            engine,
            search_prompt,
            context_size,
            max_uses=max_uses,
            allowed_domains=allowed_domains,
            blocked_domains=blocked_domains,
            user_location=user_location,
        )
        return self._extras(checked)

    def without_web_search(self) -> Self:
        return self._extras(self._options.extras.without_web_search())

    def with_pdf_engine(self, engine: str | None) -> Self:
        """How OpenRouter reads PDFs (its ``file-parser`` plugin): ``"pdf-text"`` (free text
        extraction), ``"mistral-ocr"`` (scans and images, paid per page) or ``"native"`` (the
        model's own file input). ``None``: OpenRouter decides (native where it can)."""
        return self._extras(self._options.extras.with_pdf_engine(engine))

    def with_allowed_models(self, *models: str) -> Self:
        """The models ``openrouter/auto`` (OpenRouter's auto router) may pick from, as ids or
        patterns (``"anthropic/*"``); ``with_allowed_models()`` lifts the restriction."""
        return self._extras(self._options.extras.with_allowed_models(models))

    def with_session(self, session_id: str | None) -> Self:
        """Group this chat's requests under ``session_id`` (at most 256 characters): OpenRouter
        keeps them on the same upstream provider (sticky routing, so prompt caches stay warm)
        and groups them in its logs. ``None`` removes it."""
        return self._extras(self._options.extras.with_session(session_id))

    def with_metadata(self, metadata: Mapping[str, str] | None = None, **pairs: str) -> Self:
        """Key-value pairs stored with each request on OpenRouter (at most 16; keys up to 64
        characters, values up to 512). Later calls add to earlier ones; ``None`` clears."""
        if metadata is None and not pairs:
            return self._extras(self._options.extras.with_metadata(None))
        return self._extras(self._options.extras.with_metadata({**(metadata or {}), **pairs}))

    def with_preset(self, preset: str | None) -> Self:
        """Apply an OpenRouter preset (settings saved on openrouter.ai) by its name or
        ``@preset/name``; a model id of ``"@preset/name"`` works too. ``None`` removes it."""
        return self._extras(self._options.extras.with_preset(preset))

    def with_transforms(self, *transforms: str | None) -> Self:
        """OpenRouter's message transforms: ``"middle-out"`` drops messages from the middle of
        a prompt too long for the model; ``with_transforms()`` turns off the compression
        OpenRouter applies by default to small-context models; ``None`` leaves it to OpenRouter."""
        return self._extras(self._options.extras.with_transforms(transforms))
