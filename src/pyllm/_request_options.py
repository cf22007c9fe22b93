"""More of what a chat's requests ask for (issue 14): stop sequences, seed, end-user id, log
probabilities, web search, and OpenRouter's PDF engine, auto-router models, sticky session,
metadata, preset and transforms. :class:`RequestOptions` is a frozen value, kept in
:class:`~pyllm._chat_options.ChatOptions`; each ``with_*`` checks its arguments by the rule of
:mod:`pyllm._arguments` (a wrong type ``TypeError``, a bad value ``ConfigurationError``).

>>> options = RequestOptions().with_stop(("END",)).with_seed(7)
>>> options.request_fields()["stop"], options.request_fields()["seed"]
(('END',), 7)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ._arguments import whole
from .errors import ConfigurationError
from .openrouter import WEB_SEARCH_ENGINES, auto_router_plugin, file_parser_plugin
from .request import WebSearch

__all__ = ["CONTEXT_SIZES", "LOCATION_FIELDS", "RequestOptions"]

CONTEXT_SIZES = ("low", "medium", "high")
"""How much of a native web search's results go into the prompt (``context_size``)."""

LOCATION_FIELDS = ("city", "region", "country", "timezone")
"""What ``with_web_search(user_location=...)`` may say of where the user is."""

MAX_STOP = 4
MAX_METADATA = 16
_PLUGIN_PDF, _PLUGIN_AUTO = "file-parser", "auto-router"


def _text(argument: str, value: Any, *, limit: int | None = None, blank: bool = False) -> str:
    """``value`` if a string, not empty (nor only spaces, unless ``blank``), at most ``limit``."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a string, got {type(value).__name__}")
    if not (value if blank else value.strip()):
        raise ConfigurationError(f"{argument} must not be empty")
    if limit is not None and len(value) > limit:
        raise ConfigurationError(f"{argument} must be at most {limit} characters, got {len(value)}")
    return value


def _word(argument: str, value: Any, allowed: tuple[str, ...]) -> str:
    if _text(argument, value) not in allowed:
        raise ConfigurationError(f"{argument} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _domains(argument: str, value: Any) -> tuple[str, ...]:
    """Domains like ``["ruby-lang.org"]`` (``None``: none)."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise TypeError(f"{argument} must be a list of domains like ['example.com'], got {value!r}")
    return tuple(_text(f"a domain in {argument}", d) for d in value)


def _location(value: Any) -> dict[str, str] | None:
    """An approximate place: some of ``city``, ``region``, ``country`` (ISO code), ``timezone``."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"user_location must be a dict like {{'city': 'Oslo'}}, got {value!r}")
    unknown = sorted(set(value) - set(LOCATION_FIELDS))
    if unknown or not value:
        raise ConfigurationError(
            f"user_location takes {', '.join(LOCATION_FIELDS)}; got {sorted(value)}"
        )
    return {key: _text(f"user_location[{key!r}]", v) for key, v in value.items()}


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """What ``with_stop``, ``with_seed``, ``with_user``, ``with_logprobs``,
    ``with_web_search``, ``with_pdf_engine``, ``with_allowed_models``, ``with_session``,
    ``with_metadata``, ``with_preset`` and ``with_transforms`` set (``None``: not asked)."""

    stop: tuple[str, ...] = ()
    seed: int | None = None
    user: str | None = None
    logprobs: bool = False
    top_logprobs: int | None = None
    web_search: WebSearch | None = None
    plugins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # by plugin id
    session_id: str | None = None
    metadata: Mapping[str, str] | None = None
    preset: str | None = None
    transforms: tuple[str, ...] | None = None

    def with_stop(self, sequences: tuple[Any, ...]) -> RequestOptions:
        given = () if sequences in ((), (None,)) else sequences
        checked = tuple(_text("a stop sequence", s, blank=True) for s in given)  # "\n\n" is one
        if len(checked) > MAX_STOP:
            raise ConfigurationError(f"at most {MAX_STOP} stop sequences, got {len(checked)}")
        return replace(self, stop=checked)

    def with_seed(self, seed: Any) -> RequestOptions:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be a whole number, got {type(seed).__name__}")
        return replace(self, seed=seed)

    def with_user(self, user: Any) -> RequestOptions:
        return replace(self, user=None if user is None else _text("user", user, limit=256))

    def with_logprobs(self, enabled: bool, top: Any) -> RequestOptions:
        if top is not None:
            if isinstance(top, bool) or not isinstance(top, int):
                raise TypeError(f"top must be a whole number from 0 to 20, got {top!r}")
            if not 0 <= top <= 20:
                raise ConfigurationError(f"top must be from 0 to 20, got {top}")
        return replace(self, logprobs=enabled, top_logprobs=top if enabled else None)

    def with_web_search(
        self, max_results: Any, engine: Any, search_prompt: Any, context_size: Any, **more: Any
    ) -> RequestOptions:
        """``more``: ``max_uses``, ``allowed_domains``, ``blocked_domains``, ``user_location``."""
        if max_results is not None:
            whole("max_results", max_results, "a positive number of results")
        if engine is not None:
            _word("engine", engine, WEB_SEARCH_ENGINES)
        if search_prompt is not None:
            _text("search_prompt", search_prompt)
        if context_size is not None:
            _word("context_size", context_size, CONTEXT_SIZES)
        if more.get("max_uses") is not None:
            whole("max_uses", more["max_uses"], "a positive number of searches")
        allowed = _domains("allowed_domains", more.get("allowed_domains"))
        blocked = _domains("blocked_domains", more.get("blocked_domains"))
        if allowed and blocked:
            raise ConfigurationError("give allowed_domains or blocked_domains, not both")
        location = _location(more.get("user_location"))
        search = WebSearch(
            max_results,
            engine,
            search_prompt,
            context_size,
            more.get("max_uses"),
            allowed,
            blocked,
            location,
        )
        return replace(self, web_search=search)

    def without_web_search(self) -> RequestOptions:
        return replace(self, web_search=None)

    def with_plugin(self, plugin_id: str, plugin: Mapping[str, Any] | None) -> RequestOptions:
        plugins = {k: v for k, v in self.plugins.items() if k != plugin_id}
        if plugin is not None:
            plugins[plugin_id] = plugin
        return replace(self, plugins=plugins)

    def with_pdf_engine(self, engine: Any) -> RequestOptions:
        return self.with_plugin(_PLUGIN_PDF, None if engine is None else file_parser_plugin(engine))

    def with_allowed_models(self, models: tuple[Any, ...]) -> RequestOptions:
        plugin = auto_router_plugin(models) if models and models != (None,) else None
        return self.with_plugin(_PLUGIN_AUTO, plugin)

    def with_session(self, session_id: Any) -> RequestOptions:
        checked = None if session_id is None else _text("session_id", session_id, limit=256)
        return replace(self, session_id=checked)

    def with_metadata(self, metadata: Mapping[str, Any] | None) -> RequestOptions:
        if metadata is None:
            return replace(self, metadata=None)
        merged = {**(self.metadata or {}), **metadata}
        if len(merged) > MAX_METADATA:
            raise ConfigurationError(f"at most {MAX_METADATA} metadata pairs, got {len(merged)}")
        for key, value in merged.items():
            _text("a metadata key", key, limit=64)
            if not isinstance(value, str):
                raise TypeError(f"metadata value {key!r} must be a string, got {value!r}")
            if len(value) > 512:
                raise ConfigurationError(f"metadata value {key!r} is over 512 characters")
        return replace(self, metadata=merged)

    def with_preset(self, preset: Any) -> RequestOptions:
        if preset is None:
            return replace(self, preset=None)
        name = _text("preset", preset).removeprefix("@preset/")
        return replace(self, preset=_text("preset", name))

    def with_transforms(self, transforms: tuple[Any, ...]) -> RequestOptions:
        if transforms == (None,):
            return replace(self, transforms=None)
        return replace(self, transforms=tuple(_text("a transform", t) for t in transforms))

    def request_fields(self) -> dict[str, Any]:
        """These options as :class:`~pyllm.request.ChatRequest` keyword arguments."""
        return {
            "stop": self.stop,
            "seed": self.seed,
            "user": self.user,
            "logprobs": self.logprobs,
            "top_logprobs": self.top_logprobs,
            "web_search": self.web_search,
            "plugins": tuple(self.plugins.values()),
            "session_id": self.session_id,
            "metadata": self.metadata,
            "preset": self.preset,
            "transforms": self.transforms,
        }
