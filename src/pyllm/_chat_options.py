"""What a chat's next request asks for, besides its messages and tools: :class:`ChatOptions`.

A frozen value: each ``with_*`` checks its arguments and returns a new value, which the
:class:`~pyllm.Chat` method of the same name keeps. A call takes the options it starts with.

Mistakes raise when the method is called, by the one rule of :mod:`pyllm._arguments`.

>>> options = ChatOptions().with_temperature(0.2).with_max_tokens(500)
>>> options.temperature, options.max_tokens
(0.2, 500)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ._arguments import number, whole
from ._headers import check_headers
from ._request_options import RequestOptions
from ._routes import Route
from .errors import ConfigurationError
from .protocols.base import deep_merge
from .request import CACHE_TTLS, Caching, ChatRequest, ResponseSchema, Thinking

if TYPE_CHECKING:
    from ._engine.retry import RetryPolicy
    from ._engine.toolbox import Toolbox
    from ._limits import Limits
    from .config import Settings
    from .openrouter import Routing

__all__ = ["EFFORTS", "ChatOptions", "fallback_targets"]

NO_EXTRAS = RequestOptions()

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
"""The reasoning efforts ``with_thinking`` accepts (OpenRouter's ``reasoning.effort`` values)."""


def fallback_targets(routes: tuple[Any, ...]) -> list[tuple[str, str | None]]:
    """``with_fallbacks`` arguments as ``(model, provider or None)``, to be resolved."""
    targets: list[tuple[str, str | None]] = []
    for item in routes:
        if isinstance(item, Route):
            targets.append((item.model, item.provider))
        elif isinstance(item, tuple) and len(item) == 2:
            targets.append((item[0], item[1]))
        elif isinstance(item, str):
            targets.append((item, None))
        else:
            raise TypeError(
                f"a fallback is a model id, (model, provider) or pyllm.Route; got {item!r}"
            )
    return targets


@dataclass(frozen=True, slots=True)
class ChatOptions:
    """Sampling, length, reasoning, output schema, extra fields and headers, fallbacks,
    routing preferences, retries and the time limit of a chat's requests (``None``: the
    provider's or the client's default)."""

    temperature: float | None = None
    max_tokens: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    thinking: Thinking | None = None
    schema: ResponseSchema | None = None
    parse: Callable[[str], Any] | None = field(default=None, compare=False)
    fallbacks: tuple[Route, ...] = ()
    routing: Routing | None = None
    retry: RetryPolicy | None = None
    total_timeout: float | None = None
    caching: Caching | None = None
    extras: RequestOptions = NO_EXTRAS  # issue 14: stop, seed, web search, session...
    schema_retries: int | None = None  # issue 15: re-asks for answers that misfit the schema
    partial: Callable[[str], Any] | None = field(default=None, compare=False)
    limits: Limits | None = None

    def with_temperature(self, temperature: float | None) -> ChatOptions:
        if temperature is not None and not 0 <= number("temperature", temperature) <= 2:
            raise ConfigurationError(f"temperature must be between 0 and 2, got {temperature!r}")
        return replace(self, temperature=None if temperature is None else float(temperature))

    def with_max_tokens(self, max_tokens: int | None) -> ChatOptions:
        if max_tokens is not None:
            whole("max_tokens", max_tokens, "a positive number of tokens")
        return replace(self, max_tokens=max_tokens)

    def with_params(self, params: Mapping[str, Any]) -> ChatOptions:
        return replace(self, params=deep_merge(dict(self.params), params))

    def with_headers(self, headers: Mapping[str, Any]) -> ChatOptions:
        """``x_session_id`` names ``X-Session-Id``: underscores become dashes."""
        named = {name.replace("_", "-"): str(value) for name, value in headers.items()}
        return replace(self, headers={**self.headers, **check_headers(named, "with_headers")})

    def with_thinking(self, effort: Any, budget: Any, exclude: bool) -> ChatOptions:
        if effort is not None and budget is not None:
            raise ConfigurationError("give an effort or a budget for thinking, not both")
        if effort is not None:
            if not isinstance(effort, str):
                raise TypeError(f"effort must be a word like 'high', got {effort!r}")
            effort = effort.strip().lower()
            if effort not in EFFORTS:
                raise ConfigurationError(
                    f"effort must be one of {', '.join(map(repr, EFFORTS))}, got {effort!r}"
                )
        if budget is not None:
            whole("budget", budget, "a positive number of tokens")
        return replace(self, thinking=Thinking(effort=effort, budget=budget, exclude=exclude))

    def without_thinking(self) -> ChatOptions:
        return replace(self, thinking=None)

    def with_schema(
        self, schema: Any, name: str | None, strict: bool, retries: int | None = None
    ) -> ChatOptions:
        if schema is None:
            return replace(self, schema=None, parse=None, schema_retries=None, partial=None)
        if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int)):
            raise TypeError(f"retries must be a whole number (or None), got {retries!r}")
        if retries is not None and retries < 0:
            raise ConfigurationError(f"retries must be 0 or more (or None), got {retries!r}")
        from ._structured import partial_reader, response_format, strict_parser

        rendered, parse = response_format(schema, name=name, strict=strict)
        if retries is not None:
            parse = strict_parser(schema, rendered)
        return replace(
            self,
            schema=rendered,
            parse=parse,
            schema_retries=retries,
            partial=partial_reader(schema),
        )

    def with_fallbacks(self, routes: tuple[Route, ...]) -> ChatOptions:
        """``routes`` resolved already (see :func:`fallback_targets`)."""
        return replace(self, fallbacks=routes)

    def with_routing(self, routing: Routing | None, preferences: Mapping[str, Any]) -> ChatOptions:
        from .openrouter import Routing

        if routing is not None and preferences:
            raise TypeError("pass a Routing or keyword preferences, not both")
        if routing is None and preferences:
            routing = Routing(**preferences)
        return replace(self, routing=routing)

    def with_retries(
        self,
        settings: Settings,
        max_retries: int | None,
        retry_budget_s: float | None,
        max_retry_wait: float | None,
    ) -> ChatOptions:
        """Unset values come from ``settings`` (the client's); each set one is checked."""
        from ._engine.retry import policy_from

        checked = settings.updated(
            {
                "max_retries": max_retries,
                "retry_budget_s": retry_budget_s,
                "max_retry_wait": max_retry_wait,
            }
        )
        return replace(self, retry=policy_from(checked))

    def with_timeout(self, total: float | None) -> ChatOptions:
        if total is not None and number("the total timeout", total) <= 0:
            raise ConfigurationError(
                f"the total timeout must be a positive number of seconds, got {total!r}"
            )
        return replace(self, total_timeout=None if total is None else float(total))

    def with_caching(self, system: Any, tools: Any, history: Any, ttl: Any) -> ChatOptions:
        for name, value in (("system", system), ("tools", tools), ("history", history)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False, got {value!r}")
        if ttl is not None and ttl not in CACHE_TTLS:
            raise ConfigurationError(
                f"ttl must be one of {', '.join(map(repr, CACHE_TTLS))} or None, got {ttl!r}"
            )
        return replace(self, caching=Caching(system, tools, history, ttl))

    def without_caching(self) -> ChatOptions:
        return replace(self, caching=None)

    def with_limits(self, **limits: Any) -> ChatOptions:
        """Spend and usage limits (issue 16): each given one checked and set, the others kept."""
        from ._limits import Limits

        return replace(self, limits=(self.limits or Limits()).updated(**limits))

    def request(self, model: str, toolbox: Toolbox, *, stream: bool) -> ChatRequest:
        """What every request of a call sends but its route and messages."""
        extras = {} if self.extras is NO_EXTRAS else self.extras.request_fields()
        if toolbox.server_tools:
            extras["server_tools"] = tuple(toolbox.server_tools.values())
        return ChatRequest(
            model=model,
            messages=(),
            stream=stream,
            temperature=self.temperature,
            tools=toolbox.definitions() if toolbox.tools else (),
            tool_choice=toolbox.choice,
            parallel_tool_calls=toolbox.parallel,
            schema=self.schema,
            thinking=self.thinking,
            routing=self.routing.render() if self.routing is not None else None,
            params=self.params,
            headers=self.headers,
            max_tokens=self.max_tokens,
            caching=self.caching,
            **extras,  # issue 14's options, only when set: most chats set none
        )
