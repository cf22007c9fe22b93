"""The drivers of the engine's flows: one sync, one async, the only twins in pyllm.

A flow (:mod:`pyllm._engine.flow`) yields steps; a driver performs each one and sends its
outcome back (see :mod:`pyllm._engine.steps`). A streamed ``Send`` is performed here, chunk
by chunk, straight to the caller: the hot path never goes through the flow per chunk. The flow
then gets the finished message or the error, and whether any chunk reached the caller.

Anything else raised while a step is performed (a tool's exception with ``raise_tool_errors``,
a closed stream, cancellation, Ctrl-C) is thrown into the flow, whose history transaction
fails or keeps the partial answer, and re-raises it. ``chat.ask`` is a drive whose chunks
nobody reads; ``chat.stream`` hands them to the caller; :func:`run` drives a plain request's
flow to its result.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .._engine.steps import Call, Emit, Fetch, RunTools, Save, Send, Sent, Wait
from ..errors import Error

if TYPE_CHECKING:
    from .._engine.steps import Flow, Listener, Step
    from ..chunk import Chunk
    from .transport import AsyncHttp, SyncHttp

__all__ = ["Pools", "adrive", "arun", "drive", "run"]

T = TypeVar("T")


class Pools(Protocol):
    """Where the drivers get their connection pool (the session): the sync one, or the one of
    the running event loop (pools cannot cross loops)."""

    def http(self) -> SyncHttp: ...

    def ahttp(self) -> AsyncHttp: ...


def drive(
    flow: Flow[T],
    pools: Pools,
    listeners: Sequence[Listener] = (),
    returned: Callable[[T], object] | None = None,
    call: Call | None = None,
) -> Iterator[Chunk]:
    """Run ``flow`` over the sync pool of ``pools`` (asked for when the drive starts),
    yielding the chunks it streams or emits; ``returned`` gets what the flow returns.
    ``listeners`` are told about ``call`` (a plain request's when not given)."""
    if listeners:
        call = call or Call()
        _notify(listeners, "call_started", call)
    result: Any = None
    failure: BaseException | None = None
    try:
        http = pools.http()
        step = next(flow)
        while True:
            try:
                if type(step) is Send:
                    if listeners:
                        _notify(listeners, "attempt_started", call, step)
                    parser, reached = step.parser, False
                    try:
                        if parser is None:
                            outcome: Any = Sent(http.send(step))
                        else:  # the hot path: chunk by chunk, straight to the caller
                            with http.stream(step) as (pieces, content_type):
                                parser.expect(content_type)
                                try:
                                    for piece in pieces:
                                        for chunk in parser.feed(piece):
                                            reached = True
                                            yield chunk
                                            if parser.superseded:
                                                raise _superseded()
                                        if parser.done:
                                            break
                                    for chunk in parser.finish():
                                        reached = True
                                        yield chunk
                                except Error as exc:
                                    raise parser.attach(exc) from None
                            outcome = Sent(parser.message(), reached_caller=reached)
                    except Error as error:
                        outcome = Sent(error=error, reached_caller=reached)
                    except BaseException:  # the caller stopped: a closed stream, cancellation
                        if listeners:
                            _notify(listeners, "attempt_ended", call, step, None)
                        raise
                    if listeners:
                        _notify(listeners, "attempt_ended", call, step, outcome)
                elif type(step) is Emit:
                    yield step.chunk
                    outcome = None
                else:
                    outcome = _perform(step, http, listeners, call)
            except BaseException as exc:
                step = flow.throw(exc)  # the flow fails or keeps the partial, and re-raises
                continue
            step = flow.send(outcome)
    except StopIteration as stop:
        result = stop.value
        if returned is not None:
            returned(result)
    except BaseException as exc:
        failure = exc
        raise
    finally:
        if listeners:
            _notify(listeners, "call_ended", call, result, failure)


def _perform(step: Step, http: SyncHttp, listeners: Sequence[Listener], call: Call | None) -> Any:
    """A ``Wait``, ``RunTools``, ``Save`` or ``Fetch`` step: its outcome."""
    if type(step) is Wait:
        time.sleep(step.seconds)
        return None
    if type(step) is RunTools:
        if listeners:
            _notify(listeners, "tools_started", call, step)
        try:
            results = step.toolbox.run_all(step.calls, step.hooks, raise_errors=step.raise_errors)
        except BaseException as exc:
            if listeners:
                _notify(listeners, "tools_ended", call, step, None, exc)
            raise
        if listeners:
            _notify(listeners, "tools_ended", call, step, results)
        return results
    if type(step) is Save:
        step.saver.save()
        return None
    assert type(step) is Fetch
    return [http.fetch(url, step.deadline) for url in step.urls]


async def adrive(
    flow: Flow[T],
    pools: Pools,
    listeners: Sequence[Listener] = (),
    returned: Callable[[T], object] | None = None,
    call: Call | None = None,
) -> AsyncIterator[Chunk]:
    """Async twin of :func:`drive`, over the running loop's pool."""
    if listeners:
        call = call or Call()
        _notify(listeners, "call_started", call)
    result: Any = None
    failure: BaseException | None = None
    try:
        http = pools.ahttp()
        step = next(flow)
        while True:
            try:
                if type(step) is Send:
                    if listeners:
                        _notify(listeners, "attempt_started", call, step)
                    parser, reached = step.parser, False
                    try:
                        if parser is None:
                            outcome: Any = Sent(await http.send(step))
                        else:
                            async with http.stream(step) as (pieces, content_type):
                                parser.expect(content_type)
                                try:
                                    async for piece in pieces:
                                        for chunk in parser.feed(piece):
                                            reached = True
                                            yield chunk
                                            if parser.superseded:
                                                raise _superseded()
                                        if parser.done:
                                            break
                                    for chunk in parser.finish():
                                        reached = True
                                        yield chunk
                                except Error as exc:
                                    raise parser.attach(exc) from None
                            outcome = Sent(parser.message(), reached_caller=reached)
                    except Error as error:
                        outcome = Sent(error=error, reached_caller=reached)
                    except BaseException:  # the caller stopped: a closed stream, cancellation
                        if listeners:
                            _notify(listeners, "attempt_ended", call, step, None)
                        raise
                    if listeners:
                        _notify(listeners, "attempt_ended", call, step, outcome)
                elif type(step) is Emit:
                    yield step.chunk
                    outcome = None
                else:
                    outcome = await _aperform(step, http, listeners, call)
            except BaseException as exc:
                step = flow.throw(exc)
                continue
            step = flow.send(outcome)
    except StopIteration as stop:
        result = stop.value
        if returned is not None:
            returned(result)
    except BaseException as exc:
        failure = exc
        raise
    finally:
        if listeners:
            _notify(listeners, "call_ended", call, result, failure)


async def _aperform(
    step: Step, http: AsyncHttp, listeners: Sequence[Listener], call: Call | None
) -> Any:
    """Async twin of :func:`_perform`."""
    if type(step) is Wait:
        import asyncio  # here: at the top it would load asyncio with every client (~20 ms)

        await asyncio.sleep(step.seconds)
        return None
    if type(step) is RunTools:
        if listeners:
            _notify(listeners, "tools_started", call, step)
        try:
            results = await step.toolbox.arun_all(
                step.calls, step.hooks, raise_errors=step.raise_errors
            )
        except BaseException as exc:
            if listeners:
                _notify(listeners, "tools_ended", call, step, None, exc)
            raise
        if listeners:
            _notify(listeners, "tools_ended", call, step, results)
        return results
    if type(step) is Save:
        await step.saver.asave()
        return None
    assert type(step) is Fetch
    return [await http.fetch(url, step.deadline) for url in step.urls]


def run(flow: Flow[T], pools: Pools, listeners: Sequence[Listener] = ()) -> T:
    """Drive ``flow`` to its end, nobody reading its chunks; its result."""
    result: list[T] = []
    for _ in drive(flow, pools, listeners, result.append):
        pass
    return result[0]


async def arun(flow: Flow[T], pools: Pools, listeners: Sequence[Listener] = ()) -> T:
    """Async twin of :func:`run`."""
    result: list[T] = []
    async for _ in adrive(flow, pools, listeners, result.append):
        pass
    return result[0]


def _superseded() -> RuntimeError:
    from .._engine.parser import superseded_error  # rare: not loaded with every client

    return superseded_error()


def _notify(listeners: Sequence[Listener], event: str, *args: Any) -> None:
    for listener in listeners:
        getattr(listener, event)(*args)
