"""The spend side of the flows: the worst a request could use, checked and held on the meters
before it is sent, and settled with what it used. Pure; :mod:`pyllm._engine.meter` keeps the
counts, this module asks it for each ``Send``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .meter import settle

if TYPE_CHECKING:
    from .._routes import Route
    from ..errors import Error
    from ..message import Usage
    from ..model import Model
    from ..request import ChatRequest
    from .meter import Ask, Guard, Hold
    from .steps import Flow, Send, Sent

__all__ = ["Spend", "partial_usage", "plain_spend", "sent_holding", "worst_case"]


@dataclass(frozen=True, slots=True)
class Spend:
    """What a plain request is checked against (``guards``), the worst it could use (``ask``),
    and how to read what it used from its answer (``usage_of``)."""

    guards: tuple[Guard, ...]
    ask: Ask
    usage_of: Callable[[Any], Usage | None]


class Known(Protocol):
    """What the registry knows of a model (its prices, its longest answer)."""

    def __call__(self, model: str, provider: str) -> Model | None: ...


def worst_case(
    guards: tuple[Guard, ...], known: Known, request: ChatRequest, route: Route
) -> tuple[ChatRequest, Ask]:
    """``request`` with ``max_tokens`` lowered to what an output-token limit leaves, and the
    most it could use: its estimated input, its output allowance, and their price."""
    from .._frozen import copy_with
    from .._limits import estimate_input_tokens, output_allowance, worst_case_usd
    from .meter import Ask

    left = [n for g in guards if (n := g.meter.output_left(g.limits)) is not None]
    if left and 0 < min(left) < (request.max_tokens or min(left) + 1):
        request = copy_with(request, {"max_tokens": min(left)})
    tokens_in = estimate_input_tokens(request)
    model = None
    if any(g.limits.usd is not None for g in guards):
        assert route.provider is not None, "a chat's routes are resolved"
        model = known(route.model, route.provider)
    tokens_out = output_allowance(model, request.max_tokens, tokens_in)
    usd = worst_case_usd(model, tokens_in, tokens_out)
    return request, Ask(route.model, usd, tokens_in, tokens_out or 0)


def sent_holding(send: Send, holds: tuple[Hold, ...]) -> Flow[Sent]:
    """Perform ``send``; what it holds is given back if the call stops meanwhile."""
    try:
        sent: Sent = yield send
    except BaseException:
        settle(holds, None)
        raise
    return sent


def partial_usage(error: Error) -> Usage | None:
    """What a failed attempt used, when its partial answer says (a stream cut short)."""
    partial = getattr(error, "partial", None)
    return partial.usage if partial is not None else None


def plain_spend(
    guard: Guard,
    known: Known,
    target: tuple[str, str],
    tokens: tuple[int, int | None],
    usage_of: Callable[[Any], Usage | None],
) -> Spend:
    """What a plain request (embeddings, images) to ``target`` (model, provider) is checked
    against: ``guard`` (the client's budget), and its worst case from ``tokens`` (estimated
    input, output allowance or ``None``)."""
    from .._limits import output_allowance, worst_case_usd
    from .meter import Ask

    model, provider = target
    tokens_in, tokens_out = tokens
    usd = None
    if guard.limits.usd is not None:
        info = known(model, provider)
        tokens_out = output_allowance(info, tokens_out, tokens_in)
        usd = worst_case_usd(info, tokens_in, tokens_out)
    return Spend((guard,), Ask(model, usd, tokens_in, tokens_out or 0), usage_of)
