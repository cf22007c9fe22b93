"""Spend and usage limits: :class:`Limits`, their errors, and the worst case of a request. Pure.

A request is checked *before* it is sent against the worst it could cost: its estimated input
tokens at the model's input price plus its ``max_tokens`` (or the model's longest answer) at
the output price.

>>> from pyllm import Model, Pricing
>>> m = Model("x/y", "openrouter", max_output_tokens=1000, pricing=Pricing(input=1.0, output=5.0))
>>> worst_case_usd(m, input_tokens=2000, output_tokens=output_allowance(m, None, 2000))
0.007
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError, Error

if TYPE_CHECKING:
    from .content import Attachment
    from .model import Model
    from .request import ChatRequest

__all__ = [
    "BudgetExceededError",
    "Limits",
    "UsageLimitError",
    "estimate_input_tokens",
    "output_allowance",
    "worst_case_usd",
]

CHARS_PER_TOKEN = 4
"""The usual rule of thumb for text: about four characters per token."""
TOKENS_PER_IMAGE = 1_600
"""About what one large image costs on the major providers (Anthropic, OpenAI, Gemini)."""
TOKENS_PER_PDF_PAGE = 3_000
"""A PDF page as text plus the page's picture (Anthropic bills both)."""
TOKENS_PER_OTHER_KB = 2
"""Audio and other files: about two tokens per kilobyte (32 tokens per second of 16 kB/s)."""


class UsageLimitError(Error):
    """A limit set with ``chat.with_limits(...)`` would be crossed by the next request (or tool
    round), so it was not sent: nothing was spent and the history is as it was (or ends at
    the last whole tool round). ``kind`` names the limit (``"requests"``, ``"tool_calls"``,
    ``"input_tokens"``, ``"output_tokens"`` or ``"usd"``), ``limit`` is its value and ``used``
    what was used before.

    >>> err = UsageLimitError("2 requests", kind="requests", limit=2, used=2)
    >>> isinstance(err, __import__("pyllm").Error), err.kind, err.limit
    (True, 'requests', 2)
    """

    def __init__(self, message: str, *, kind: str, limit: float, used: float) -> None:
        super().__init__(message)
        self.kind, self.limit, self.used = kind, limit, used


class BudgetExceededError(UsageLimitError):
    """The next request could cost more than the budget has left (``chat.with_budget(usd)``
    or ``pyllm.Client(budget_usd=...)``): ``limit`` is the budget, ``spent`` what was spent
    before, ``estimate`` the worst the request could have cost (``None`` when the model's
    prices are unknown). Raised before anything is sent.

    >>> err = BudgetExceededError("over", limit=1.0, spent=0.75, estimate=0.5)
    >>> err.spent + err.estimate > err.limit
    True
    """

    def __init__(self, message: str, *, limit: float, spent: float, estimate: float | None) -> None:
        super().__init__(message, kind="usd", limit=limit, used=spent)
        self.spent, self.estimate = spent, estimate


@dataclass(frozen=True, slots=True)
class Limits:
    """The most a chat (or a client) may use; ``None`` is no limit. ``usd`` is the budget;
    ``allow_unknown_prices`` lets requests to models without registry prices through a budget
    (refused by default, since their worst case cannot be known).

    >>> Limits().updated(requests=3, usd=0.5)
    Limits(usd=0.5, requests=3, tool_calls=None, input_tokens=None, output_tokens=None, \
allow_unknown_prices=False)
    """

    usd: float | None = None
    requests: int | None = None
    tool_calls: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    allow_unknown_prices: bool = False

    def updated(self, **changes: Any) -> Limits:
        """A copy with ``changes`` checked and applied (``None`` values keep the limit)."""
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if value is None:
                continue
            if name == "allow_unknown_prices":
                if not isinstance(value, bool):
                    raise TypeError(f"allow_unknown_prices must be True or False, got {value!r}")
                checked[name] = value
            elif name == "usd":
                checked[name] = check_usd(value)
            else:
                checked[name] = _count(name, value)
        return replace(self, **checked)


def check_usd(value: Any, name: str = "the budget") -> float:
    """A budget in USD: a finite number, zero or more."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of US dollars, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ConfigurationError(f"{name} must be zero or more US dollars, got {value!r}")
    return float(value)


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ConfigurationError(f"{name} must be zero or more, got {value!r}")
    return value


# ---- the worst case of a request ------------------------------------------------------------

_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def estimate_input_tokens(request: ChatRequest) -> int:
    """About how many tokens ``request`` sends: its text at :data:`CHARS_PER_TOKEN` characters a
    token (messages, tool calls, tool definitions, schema) and its files by kind.

    >>> from pyllm.message import Message
    >>> from pyllm.request import ChatRequest
    >>> estimate_input_tokens(ChatRequest("m", (Message.user("x" * 400),)))
    104
    """
    chars, tokens = 0, 0
    for message in request.messages:
        tokens += 4  # the role and separators of each message
        chars += len(message.content) + len(message.reasoning or "")
        for call in message.tool_calls:
            chars += len(call.name) + len(call.raw_arguments or str(call.arguments))
        tokens += sum(_attachment_tokens(a) for a in message.attachments)
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + len(str(tool.parameters))
    if request.schema is not None:
        chars += len(str(request.schema.schema))
    return tokens + math.ceil(chars / CHARS_PER_TOKEN)


def _attachment_tokens(attachment: Attachment) -> int:
    kind, data = attachment.kind, attachment.data
    if kind == "image" or data is None:
        return TOKENS_PER_IMAGE
    if kind == "pdf":
        return max(1, len(_PAGE.findall(data))) * TOKENS_PER_PDF_PAGE
    if kind == "text":
        return math.ceil(len(data) / CHARS_PER_TOKEN)
    return math.ceil(len(data) / 1000 * TOKENS_PER_OTHER_KB)


def output_allowance(model: Model | None, max_tokens: int | None, input_tokens: int) -> int | None:
    """The most tokens an answer can have: ``max_tokens``, else the model's longest answer,
    else what its context window leaves; ``None`` when nothing says."""
    if max_tokens is not None:
        return max_tokens
    if model is None:
        return None
    top = model.top_provider.max_completion_tokens if model.top_provider else None
    longest = model.max_output_tokens or top
    if longest:
        return longest
    if model.context_window:
        return max(model.context_window - input_tokens, 0)
    return None


def worst_case_usd(
    model: Model | None, input_tokens: int, output_tokens: int | None
) -> float | None:
    """The most a request could cost at ``model``'s registry prices; ``None`` when a price it
    needs (or the longest answer) is unknown."""
    if model is None or output_tokens is None:
        return None
    prices = model.pricing.for_prompt(input_tokens)
    output_price = prices.output
    if prices.reasoning is not None:
        output_price = max(output_price or 0.0, prices.reasoning)
    if (input_tokens and prices.input is None) or (output_tokens and output_price is None):
        return None
    total = (input_tokens * (prices.input or 0.0) + output_tokens * (output_price or 0.0)) / 1e6
    return round(total + (prices.request or 0.0), 12)
