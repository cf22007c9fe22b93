"""What a chat or a client has used, checked against its limits before every request.

A :class:`Meter` counts requests, tool calls, tokens and money, and what requests in flight
may still use (their worst case is *held* from the check until the answer settles it), under a
lock: many threads and tasks can share one (a client's budget). The flows call :func:`hold`
before each ``Send`` and :func:`settle` after it; nothing here does I/O.

>>> from pyllm._limits import Limits
>>> meter = Meter()
>>> guard = Guard(meter, Limits(requests=1), "this chat", "chat.with_budget(...)")
>>> holds = hold((guard,), Ask("x/y", usd=None))
>>> settle(holds, None)
>>> try:
...     hold((guard,), Ask("x/y", usd=None))
... except UsageLimitError as exc:
...     print(exc.kind, exc.used)
requests 1
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._limits import BudgetExceededError, UsageLimitError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from .._limits import Limits
    from ..message import Usage

__all__ = ["Ask", "Guard", "Hold", "Meter", "count_tool_calls", "hold", "release", "settle"]


def _exact(usd: float) -> Decimal:
    """``usd`` as the decimal figure it was reported as (``repr`` round-trips a float)."""
    from decimal import Decimal  # when there is money to count: keeps a first chat light

    return Decimal(repr(float(usd)))


@dataclass(frozen=True, slots=True)
class Ask:
    """The worst one request could use: ``usd`` (``None``: the model's prices are unknown), its
    estimated input tokens and its output allowance."""

    model: str
    usd: float | None
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Hold:
    """What one request holds on one meter until it is settled."""

    meter: Meter
    usd: Decimal | int
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True, slots=True)
class Guard:
    """A meter and the limits it is held to; ``owner`` ("this chat"), ``how`` (the call that
    sets the budget) and ``how_limits`` (the one that sets a limit of ``{kind}``) make the
    error messages."""

    meter: Meter
    limits: Limits
    owner: str
    how: str
    how_limits: str = "{kind}"


class Meter:
    """Requests, tool calls, tokens and USD used so far (``spent`` exact to the reported
    figures), plus what requests in flight hold. Every change happens under a lock."""

    def __init__(
        self,
        *,
        spent: float = 0.0,
        requests: int = 0,
        tool_calls: int = 0,
        input_tokens: int = 0,
        output_tokens: int = 0,
    ) -> None:
        self._lock = threading.Lock()
        self._spent: Any = _exact(spent) if spent else 0  # a Decimal once money is counted
        self.requests, self.tool_calls = requests, tool_calls
        self.input_tokens, self.output_tokens = input_tokens, output_tokens
        self._held_usd: Any = 0
        self._held_input, self._held_output = 0, 0

    @property
    def spent(self) -> float:
        """USD spent: the sum of the costs reported (or priced from the registry), exactly."""
        return float(self._spent)

    def __repr__(self) -> str:
        return (
            f"Meter(spent={self.spent!r}, requests={self.requests}, tool_calls={self.tool_calls}, "
            f"input_tokens={self.input_tokens}, output_tokens={self.output_tokens})"
        )

    def output_left(self, limits: Limits) -> int | None:
        """Output tokens the limit still allows (``None``: no limit)."""
        if limits.output_tokens is None:
            return None
        with self._lock:
            return limits.output_tokens - self.output_tokens - self._held_output

    def take(self, guard: Guard, ask: Ask) -> Hold:
        """Check ``ask`` against ``guard``'s limits and hold it; raise when it could cross one."""
        limits = guard.limits
        with self._lock:
            if limits.requests is not None and self.requests + 1 > limits.requests:
                raise _over(guard, "requests", self.requests)
            tokens_in = self.input_tokens + self._held_input + ask.input_tokens
            if limits.input_tokens is not None and tokens_in > limits.input_tokens:
                more = f", and the next request is about {ask.input_tokens:,}"
                raise _over(guard, "input_tokens", self.input_tokens, more)
            used_out = self.output_tokens + self._held_output
            if limits.output_tokens is not None and (
                used_out + ask.output_tokens > limits.output_tokens
                or used_out >= limits.output_tokens
            ):
                raise _over(guard, "output_tokens", self.output_tokens)
            usd = self._check_budget(guard, ask)
            self.requests += 1
            self._held_usd += usd
            self._held_input += ask.input_tokens
            self._held_output += ask.output_tokens
        return Hold(self, usd, ask.input_tokens, ask.output_tokens)

    def _check_budget(self, guard: Guard, ask: Ask) -> Decimal | int:
        budget = guard.limits.usd
        if budget is None:
            return 0
        if ask.usd is None and not guard.limits.allow_unknown_prices:
            raise BudgetExceededError(
                f"{guard.owner} has a budget (${budget:g}) and the prices of {ask.model} are "
                "unknown (or how long its answer may be), so the worst case of the next "
                "request cannot be known: nothing was sent. Set max_tokens "
                f"(chat.with_max_tokens) or allow unknown prices ({guard.how})",
                limit=budget,
                spent=float(self._spent),
                estimate=None,
            )
        estimate = _exact(ask.usd or 0.0)
        if self._spent + self._held_usd + estimate > _exact(budget):
            held = f" and ${float(self._held_usd):.6f} held by requests in flight"
            raise BudgetExceededError(
                f"the next request to {ask.model} could cost up to ${float(estimate):.6f} "
                f"({ask.input_tokens:,} input tokens, up to {ask.output_tokens:,} output tokens "
                f"at registry prices) and {guard.owner} has a budget of ${budget:g} with "
                f"${float(self._spent):.6f} spent{held if self._held_usd else ''}: nothing was "
                f"sent. Raise the budget ({guard.how}) or lower the worst case "
                "(chat.with_max_tokens)",
                limit=budget,
                spent=float(self._spent),
                estimate=float(estimate),
            )
        return estimate

    def settle(self, taken: Hold, usage: Usage | None) -> None:
        """Release what ``taken`` held and count what the answer used (``usage``; ``None`` when
        the request failed without one)."""
        with self._lock:
            self._held_usd -= taken.usd
            self._held_input -= taken.input_tokens
            self._held_output -= taken.output_tokens
            if usage is not None:
                self.input_tokens += usage.input_tokens
                self.output_tokens += usage.output_tokens
                if usage.cost is not None:
                    self._spent += _exact(usage.cost)

    def release(self, taken: Hold) -> None:
        """Give back what ``taken`` held, and its request: it was never sent."""
        self.settle(taken, None)
        with self._lock:
            self.requests -= 1

    def count_tools(self, guard: Guard, calls: int) -> None:
        """Count ``calls`` tool calls about to run; raise first when they would cross the limit."""
        limit = guard.limits.tool_calls
        with self._lock:
            if limit is not None and self.tool_calls + calls > limit:
                more = f"; the model asks for {calls} more"
                raise _over(guard, "tool_calls", self.tool_calls, more)
            self.tool_calls += calls

    def uncount_tools(self, calls: int) -> None:
        """Take back ``calls`` counted by :meth:`count_tools` (another limit refused them)."""
        with self._lock:
            self.tool_calls -= calls


_VERBS = {
    "requests": "make at most {limit:,} requests and has made {used:,}",
    "tool_calls": "run at most {limit:,} tool calls and has run {used:,}",
    "input_tokens": "send at most {limit:,} input tokens and has sent {used:,}",
    "output_tokens": "receive at most {limit:,} output tokens and has received {used:,}",
}


def _over(guard: Guard, kind: str, used: int, more: str = "") -> UsageLimitError:
    limit = getattr(guard.limits, kind)
    done = "no tool ran" if kind == "tool_calls" else "nothing was sent"
    return UsageLimitError(
        f"{guard.owner} may {_VERBS[kind].format(limit=limit, used=used)}{more}: {done}. "
        f"Raise the limit ({guard.how_limits.format(kind=kind)})",
        kind=kind,
        limit=limit,
        used=used,
    )


def hold(guards: Sequence[Guard], ask: Ask) -> tuple[Hold, ...]:
    """Hold ``ask`` on every guard's meter, or on none (what one took is released when the
    next refuses)."""
    taken: list[Hold] = []
    try:
        for guard in guards:
            taken.append(guard.meter.take(guard, ask))
    except BaseException:
        release(taken)
        raise
    return tuple(taken)


def release(holds: Sequence[Hold]) -> None:
    """Give back each hold: its request was never sent."""
    for taken in holds:
        taken.meter.release(taken)


def settle(holds: Sequence[Hold], usage: Usage | None) -> None:
    """Settle each hold with what the request used."""
    for taken in holds:
        taken.meter.settle(taken, usage)


def count_tool_calls(guards: Sequence[Guard], calls: int) -> None:
    """Count a round's tool calls on every guard (before any runs), or on none."""
    counted: list[Guard] = []
    try:
        for guard in guards:
            guard.meter.count_tools(guard, calls)
            counted.append(guard)
    except BaseException:
        for guard in counted:
            guard.meter.uncount_tools(calls)
        raise
