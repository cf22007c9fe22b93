"""What pyllm knows about one model: :class:`Model`, its :class:`Pricing` and limits. Pure values.

>>> m = Model("anthropic/claude-haiku-4.5", "openrouter", context_window=200000,
...           capabilities=frozenset({"tools", "vision"}), pricing=Pricing(input=1.0, output=5.0))
>>> m.supports("vision"), m.input_price, m.output_price
(True, 1.0, 5.0)

Prices are USD per million tokens (``request``, ``per_image`` and ``web_search`` are USD per
request, image and search). ``None`` means "not applicable / not known", never "free".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

__all__ = [
    "CAPABILITIES",
    "VARIANTS",
    "Model",
    "Pricing",
    "TopProvider",
    "derive_capabilities",
    "split_variant",
]

CAPABILITIES: dict[str, str] = {
    "tools": "calls functions (tools)",
    "tool_choice": "honours tool_choice",
    "parallel_tool_calls": "may call several tools at once",
    "streaming": "streams its answer",
    "structured_output": "answers in a given JSON schema",
    "json_mode": "answers in JSON (response_format)",
    "reasoning": "thinks before answering (reasoning tokens)",
    "vision": "reads images",
    "pdf": "reads PDFs and other files",
    "audio_input": "listens to audio",
    "video_input": "watches video",
    "embeddings": "turns text into vectors",
    "image_generation": "paints images",
    "audio_output": "answers with audio",
    "speech": "turns text into speech",
    "transcription": "turns speech into text",
    "rerank": "reranks documents",
    "web_search": "searches the web",
    "citations": "cites its sources",
    "predicted_outputs": "accepts a predicted output",
    "batch": "has a batch API",
    "fine_tuning": "can be fine-tuned",
    "distillation": "can be distilled",
    "moderation": "classifies content for moderation",
}
"""Every capability name :meth:`Model.supports` accepts, with what it means."""

VARIANTS = frozenset(
    {"free", "online", "nitro", "floor", "thinking", "exacto", "extended", "beta", "batch"}
)
"""OpenRouter variant suffixes (``anthropic/claude-haiku-4.5:online``). They can stack."""

_FROM_INPUT = {
    "image": "vision",
    "pdf": "pdf",
    "file": "pdf",
    "audio": "audio_input",
    "video": "video_input",
}
_FROM_OUTPUT = {
    "text": "streaming",
    "embeddings": "embeddings",
    "image": "image_generation",
    "audio": "audio_output",
    "speech": "speech",
    "transcription": "transcription",
    "rerank": "rerank",
}
_FROM_PARAMETERS = {
    "tools": "tools",
    "tool_choice": "tool_choice",
    "parallel_tool_calls": "parallel_tool_calls",
    "structured_outputs": "structured_output",
    "response_format": "json_mode",
    "reasoning": "reasoning",
    "include_reasoning": "reasoning",
    "reasoning_effort": "reasoning",
    "web_search_options": "web_search",
    "prediction": "predicted_outputs",
}


def derive_capabilities(
    input_modalities: Iterable[str],
    output_modalities: Iterable[str],
    supported_parameters: Iterable[str] = (),
) -> frozenset[str]:
    """Capabilities that follow from modalities and OpenRouter's ``supported_parameters``.

    >>> sorted(derive_capabilities(["text", "image"], ["text"], ["tools", "reasoning"]))
    ['reasoning', 'streaming', 'tools', 'vision']
    """
    found = {_FROM_INPUT[m] for m in input_modalities if m in _FROM_INPUT}
    found.update(_FROM_OUTPUT[m] for m in output_modalities if m in _FROM_OUTPUT)
    found.update(_FROM_PARAMETERS[p] for p in supported_parameters if p in _FROM_PARAMETERS)
    return frozenset(found)


def split_variant(model_id: str) -> tuple[str, str]:
    """``(base id, variant suffixes)``; only known OpenRouter variants are split off.

    >>> split_variant("openai/gpt-oss-20b:free:online")
    ('openai/gpt-oss-20b', ':free:online')
    >>> split_variant("anthropic.claude-3-haiku-20240307-v1:0")  # a Bedrock id, not a variant
    ('anthropic.claude-3-haiku-20240307-v1:0', '')
    """
    base, suffix = model_id, ""
    while ":" in base:
        head, _, tail = base.rpartition(":")
        if tail not in VARIANTS or not head:
            break
        base, suffix = head, f":{tail}{suffix}"
    return base, suffix


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per million tokens, except ``request`` / ``per_image`` / ``web_search`` (USD each).

    ``cached_input`` is the price of cache reads, ``cache_write`` of cache writes. Above
    ``long_context_threshold`` prompt tokens the prices of ``long_context`` apply.

    >>> Pricing(input=3.0, output=15.0, cached_input=0.3).cached_input
    0.3
    """

    input: float | None = None
    output: float | None = None
    cached_input: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None
    image_input: float | None = None
    image_output: float | None = None
    audio_input: float | None = None
    audio_output: float | None = None
    request: float | None = None
    per_image: float | None = None
    web_search: float | None = None
    long_context_threshold: int | None = None
    long_context: Pricing | None = None

    def for_prompt(self, input_tokens: int) -> Pricing:
        """The prices that apply to a prompt of ``input_tokens`` tokens.

        >>> p = Pricing(input=1.0, long_context_threshold=200_000, long_context=Pricing(input=2.0))
        >>> p.for_prompt(1_000).input, p.for_prompt(250_000).input
        (1.0, 2.0)
        """
        threshold = self.long_context_threshold
        if self.long_context is not None and threshold is not None and input_tokens > threshold:
            return self.long_context
        return self

    def to_dict(self) -> dict[str, Any]:
        """The prices that are set, as a plain dict (``long_context`` nested).

        >>> Pricing(input=1.0, output=5.0).to_dict()
        {'input': 1.0, 'output': 5.0}
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value.to_dict() if isinstance(value, Pricing) else value
        return out


@dataclass(frozen=True, slots=True)
class TopProvider:
    """OpenRouter's limits for the endpoint it routes to first (may be below the model's own).

    >>> TopProvider(context_length=200000, max_completion_tokens=64000).context_length
    200000
    """

    context_length: int | None = None
    max_completion_tokens: int | None = None
    is_moderated: bool | None = None


@dataclass(frozen=True, slots=True)
class Model:
    """One model of one provider.

    ``id`` is what that provider calls it; ``context_window`` the model's own context length
    (OpenRouter's ``context_length``); ``top_provider`` OpenRouter's limits for its first
    endpoint, kept apart; ``capabilities`` names from :data:`CAPABILITIES`.

    >>> m = Model("openai/gpt-4.1-mini", "openrouter", capabilities=frozenset({"tools"}))
    >>> m.supports("tools"), m.supports("vision")
    (True, False)
    """

    id: str
    provider: str
    name: str = ""
    family: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    capabilities: frozenset[str] = frozenset()
    pricing: Pricing = Pricing()
    created_at: datetime | None = None
    knowledge_cutoff: str | None = None
    supported_parameters: tuple[str, ...] = ()
    top_provider: TopProvider | None = None

    def supports(self, *capabilities: str) -> bool:
        """True when the model has every capability named (see :data:`CAPABILITIES`).

        >>> Model("x/y", "openrouter").supports("vison")
        Traceback (most recent call last):
        ...
        ValueError: unknown capability 'vison'; did you mean 'vision'?
        """
        check_capabilities(capabilities)
        return all(name in self.capabilities for name in capabilities)

    @property
    def modality(self) -> str:
        """Modalities in OpenRouter's notation.

        >>> Model("x/y", "openrouter", input_modalities=("text", "image"),
        ...       output_modalities=("text",)).modality
        'text+image->text'
        """
        return f"{'+'.join(self.input_modalities)}->{'+'.join(self.output_modalities)}"

    @property
    def input_price(self) -> float | None:
        """USD per million input tokens."""
        return self.pricing.input

    @property
    def output_price(self) -> float | None:
        """USD per million output tokens."""
        return self.pricing.output

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``created_at`` as ISO 8601, sets and tuples as sorted lists).

        >>> Model("x/y", "openrouter", context_window=8192).to_dict()["context_window"]
        8192
        """
        return {
            "id": self.id,
            "provider": self.provider,
            "name": self.name,
            "family": self.family,
            "context_window": self.context_window,
            "max_output_tokens": self.max_output_tokens,
            "input_modalities": list(self.input_modalities),
            "output_modalities": list(self.output_modalities),
            "capabilities": sorted(self.capabilities),
            "pricing": self.pricing.to_dict(),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "knowledge_cutoff": self.knowledge_cutoff,
            "supported_parameters": list(self.supported_parameters),
            "top_provider": None
            if self.top_provider is None
            else {f.name: getattr(self.top_provider, f.name) for f in fields(self.top_provider)},
        }


def check_capabilities(names: Iterable[str]) -> None:
    """Raise ``ValueError`` (with a "did you mean") for a name not in :data:`CAPABILITIES`."""
    for name in names:
        if name not in CAPABILITIES:
            import difflib  # only for error messages: keeps imports light

            close = difflib.get_close_matches(name, CAPABILITIES, n=1)
            hint = (
                f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(CAPABILITIES)}"
            )
            raise ValueError(f"unknown capability {name!r}{hint}")
