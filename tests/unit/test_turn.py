"""Turn (pyllm._engine.routing): retries on a route, then the next route. Pure: each test
feeds it errors and checks what it decides."""

from __future__ import annotations

import pytest

from pyllm import (
    APIConnectionError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from pyllm._engine.retry import Deadline, RetryPolicy
from pyllm._engine.routing import Turn
from pyllm._routes import Route

A, B, C = Route("m/a", "or"), Route("m/b", "or"), Route("m/c", "other")
POLICY = RetryPolicy(max_retries=2, base_delay=1.0, jitter=False)


def server_side(route: Route) -> bool:
    return route.provider == "or"


def turn(*routes: Route, policy: RetryPolicy = POLICY, hooks: list[object] | None = None) -> Turn:
    calls = hooks if hooks is not None else []
    return Turn(
        routes or (A,),
        policy,
        Deadline(None),
        [lambda error, old, new: calls.append((old, new))],
        server_fallbacks=server_side,
    )


def test_a_retryable_error_waits_per_policy_on_the_same_route() -> None:
    t = turn(A, C)
    assert t.on_error(ServerError("down", status=503)) == 1.0
    assert t.on_error(ServerError("down", status=503)) == 2.0
    assert t.route == A


def test_when_retries_run_out_the_next_route_takes_over_at_once() -> None:
    switched: list[object] = []
    t = turn(A, C, hooks=switched)
    t.on_error(ServerError("down", status=503))
    t.on_error(ServerError("down", status=503))
    assert t.on_error(ServerError("down", status=503)) == 0.0
    assert t.route == C and switched == [(A, C)]
    assert t.on_error(ServerError("down", status=503)) == 1.0  # fresh retries on the new route


def test_an_error_not_worth_a_fallback_gives_up() -> None:
    t = turn(A, C)
    error = AuthenticationError("bad key", status=401)
    assert t.on_error(error) is None
    assert t.route == A and error.attempts[-1].route == A


def test_output_that_reached_the_caller_is_never_retried_nor_replaced() -> None:
    t = turn(A, C)
    assert t.on_error(APIConnectionError("dropped"), reached_caller=True) is None
    assert t.route == A


def test_the_last_route_failing_gives_up_with_every_route_in_attempts() -> None:
    t = turn(A, C, policy=RetryPolicy(max_retries=0))
    first, last = RateLimitError("slow", status=429), RateLimitError("full", status=429)
    assert t.on_error(first) == 0.0
    assert t.on_error(last) is None
    assert [a.route for a in last.attempts] == [A, C]
    assert last.__context__ is first  # chained, so tracebacks show both
    assert "every route failed" in str(last)


def test_consecutive_routes_on_a_server_side_provider_go_in_one_request() -> None:
    t = turn(A, B, C)
    assert t.server_models() == ("m/b",)
    assert turn(C, A).server_models() == ()  # "other" has no server-side fallbacks


def test_after_the_server_side_list_failed_each_of_its_models_gets_one_try() -> None:
    t = turn(A, B, C)
    for _ in range(2):
        t.on_error(ServerError("down", status=503))
    assert t.on_error(ServerError("down", status=503)) == 0.0
    assert t.route == B and t.server_models() == ()  # B was in the list: no list again
    assert t.on_error(ServerError("down", status=503)) == 0.0  # no retry on B: one try
    assert t.route == C


def test_no_endpoints_404s_fall_back_but_other_404s_do_not() -> None:
    t = turn(A, C)
    assert t.on_error(NotFoundError("No endpoints found for m/a", status=404)) == 0.0
    other = turn(A, C)
    assert other.on_error(NotFoundError("no such page", status=404)) is None


def test_a_turn_needs_a_route() -> None:
    with pytest.raises(ValueError, match="at least one route"):
        Turn([], POLICY, Deadline(None))
