"""**The tool loop**, once, as a pure generator; and the flow of a plain request. No I/O.

:func:`chat_flow` is one ``ask`` / ``stream`` call: download remote attachments, then get an
assistant message (retrying and falling back through :class:`~pyllm._engine.routing.Turn`),
run the tools it asks for, and go round again until the model answers. It only yields steps
(:mod:`pyllm._engine.steps`) and receives their outcomes; a driver does the I/O. Messages reach
the history through the call's :class:`~pyllm._engine.exchange.Exchange`, at safe points only::

    check files ─▶ Fetch(urls) ─▶ ┌▶ Send ─▶ error? ─▶ Turn: Wait, Send again (or raise)
                                  │    │ answer
                                  │    ▼
                                  │  does not fit the schema? ─▶ re-ask (``retries``) or raise
                                  │    │
                                  │  accept ─▶ no tool calls ─▶ return the answer
                                  │    │ tool calls (``execute=False``: return, calls open)
                                  │    ▼
                                  └─ Emit(each call), RunTools(all), Emit(each result)

Before each ``Send`` the chat's and the client's limits are checked against the worst the
request could use (:mod:`pyllm._engine.spending`, :mod:`pyllm._engine.meter`); after a commit,
a stored chat's history is written (``Save``) before anything else is sent.

:func:`request_flow` is one plain request (embeddings, images, a models listing): ``Send``,
retried per policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from .._frozen import copy_with
from ..chunk import Chunk
from ..errors import StructuredOutputError, ToolError
from .meter import count_tool_calls, hold, settle
from .retry import Attempts, Deadline, RetryPolicy
from .routing import Turn
from .spending import Spend, partial_usage, sent_holding, worst_case
from .steps import Emit, Fetch, Flow, RunTools, Save, Send, Sent, Wait
from .toolbox import is_forced

if TYPE_CHECKING:
    from .._routes import Route
    from ..content import Attachment
    from ..message import Message, ToolCall
    from ..model import Model
    from ..providers.base import Provider
    from ..request import ChatRequest
    from .exchange import Exchange
    from .meter import Guard, Hold
    from .steps import Saver
    from .toolbox import Toolbox

__all__ = [
    "ChatPlan",
    "Services",
    "Spend",
    "chat_flow",
    "first_send",
    "request_flow",
    "request_for",
    "with_max_tokens",
]


class Services(Protocol):
    """What a chat's flow needs from its session (never the session itself): providers by
    name, the checks of new attachments, registry prices for answers without a cost, and what the
    registry knows of a model (for providers that render by it, and the max output a provider
    that needs ``max_tokens`` on every request sends by default)."""

    def provider(self, name: str) -> Provider: ...

    def known(self, model: str, provider: str) -> Model | None: ...

    def check_files(self, model: str, provider: str, files: tuple[Attachment, ...]) -> None: ...

    def priced(self, message: Message, model: str, provider: str) -> Message: ...


@dataclass(frozen=True, slots=True)
class ChatPlan:
    """What one call needs besides its history transaction, fixed when the call starts.

    ``request`` holds everything the requests send but the route and the messages (the chat's
    model, whether to stream, settings, tools, routing preferences and headers); ``routes``
    start with the chat's own. ``parse`` reads structured output into ``message.parsed``;
    with ``schema_retries`` (``with_schema(..., retries=N)``) an answer it cannot read is
    re-asked for up to N times, then raises. ``execute=False`` leaves tool calls to the caller.
    ``guards`` are the limits each request is checked against (the chat's, the client's);
    ``saver`` writes a stored chat's history at each safe point.
    """

    request: ChatRequest
    routes: tuple[Route, ...]
    policy: RetryPolicy
    total_timeout: float | None
    download_timeout: float
    toolbox: Toolbox
    raise_tool_errors: bool
    services: Services
    parse: Callable[[str], Any] | None = None
    download_attachments: bool = False  # every remote attachment, whatever the providers fetch

    schema_retries: int | None = None
    execute: bool = True
    guards: tuple[Guard, ...] = ()
    saver: Saver | None = None

    def url_kinds(self) -> frozenset[str]:
        """The kinds of remote attachment sent as their URL, never requested by pyllm: those
        every route's provider fetches itself (none with ``download_attachments``)."""
        if self.download_attachments:
            return frozenset()
        return frozenset.intersection(*(self.provider_of(r).url_attachments for r in self.routes))

    def provider_of(self, route: Route) -> Provider:
        assert route.provider is not None, "a chat's routes are resolved"
        return self.services.provider(route.provider)

    def server_fallbacks(self, route: Route) -> bool:
        """Whether ``route``'s provider falls back to other listed models itself."""
        return self.provider_of(route).server_fallbacks

    def check_files(self, files: tuple[Attachment, ...]) -> None:
        """Refuse, before any request, attachments the chat's model cannot take."""
        own = self.routes[0]
        assert own.provider is not None
        self.services.check_files(own.model, own.provider, files)

    def priced(self, message: Message) -> Message:
        """``message`` with its cost from registry prices when the provider reported none."""
        own = self.routes[0]
        assert own.provider is not None
        return self.services.priced(message, own.model, own.provider)

    def finish(self, message: Message) -> tuple[Message, tuple[str, ...]]:
        """An assistant message before it is accepted: its cost from registry prices when the
        provider reported none; structured output parsed into ``message.parsed``. Second:
        what is wrong with an answer that does not fit the schema, when that matters
        (``schema_retries`` set); else it keeps ``parsed=None``."""
        message = self.priced(message)
        parse, strict = self.parse, self.schema_retries is not None
        if parse is None or message.tool_calls or not (message.content or strict):
            return message, ()
        try:
            return message.replace(parsed=parse(message.content)), ()
        except (ValueError, TypeError) as exc:  # not valid JSON for the schema
            if not strict:
                return message, ()
            refusal = (f"the model refused: {message.refusal}",) if message.refusal else ()
            return message, refusal or getattr(exc, "errors", None) or (str(exc),)


def chat_flow(plan: ChatPlan, exchange: Exchange) -> Flow[Message]:
    """One call: the tool loop. Returns the final message (also ``exchange.result``)."""
    try:
        files = exchange.new_files()
        if files:
            plan.check_files(files)  # what the names already say, before any download
            url_kinds = plan.url_kinds()
            if exchange.downloads(url_kinds):
                yield from _downloads(plan, exchange, url_kinds)
                plan.check_files(exchange.new_files())
        if exchange.pending:  # calls an earlier call left open, without results
            if not plan.execute:
                raise ToolError(_waiting(exchange.pending))
            yield from _tool_round(plan, exchange)
            if exchange.finished:  # a tool halted the loop
                return exchange.outcome()
        while True:
            exchange.begin_message()
            turn = _turn(plan, exchange)
            while True:  # one assistant message: attempts on the routes, as Turn decides
                send, holds = _attempt(plan, exchange, turn)
                sent: Sent = yield from sent_holding(send, holds)
                if sent.error is None:
                    answer, errors = plan.finish(sent.answer)
                    settle(holds, answer.usage)
                    break
                settle(holds, partial_usage(sent.error))
                wait = turn.on_error(sent.error, reached_caller=sent.reached_caller)
                if wait is None:
                    raise sent.error
                yield Wait(wait)
            if errors:
                exchange.correct(answer, _correction(plan, exchange, answer, errors))
                continue
            if exchange.accept(answer):
                yield from _save(plan)
                return exchange.outcome()
            if not plan.execute:  # the caller runs the calls: end here, showing them
                exchange.leave_open()
                yield from _save(plan)
                for call in exchange.pending:
                    yield Emit(Chunk(tool_call=call))
                return exchange.outcome()
            yield from _tool_round(plan, exchange)
            if exchange.finished:  # a tool halted the loop
                return exchange.outcome()
    except Exception:  # an API error, a broken stream, a failing hook: nothing half-done
        exchange.fail()
        raise
    except BaseException:  # the caller stopped: a closed stream, cancellation, Ctrl-C
        exchange.abandon()
        raise


def _downloads(plan: ChatPlan, exchange: Exchange, url_kinds: frozenset[str]) -> Flow[None]:
    """The new message's remote attachments not sent by URL, each URL once, within
    ``download_timeout`` (or ``total_timeout`` when that is shorter)."""
    wanted = exchange.downloads(url_kinds)
    limit = plan.download_timeout
    deadline = Deadline(min(limit, plan.total_timeout or limit))
    urls = tuple(dict.fromkeys(url for _, url in wanted))
    bodies: list[tuple[bytes, str | None]] = yield Fetch(urls, deadline)
    fetched = dict(zip(urls, bodies, strict=True))
    for index, url in wanted:
        exchange.downloaded(index, *fetched[url], url_kinds)


def _turn(plan: ChatPlan, exchange: Exchange) -> Turn:
    """How the next assistant message is obtained: its routes, retries and deadline."""
    return Turn(
        plan.routes,
        plan.policy,
        Deadline(plan.total_timeout),
        exchange.hooks.fallback,
        server_fallbacks=plan.server_fallbacks if len(plan.routes) > 1 else _never,
    )


def _never(route: Route) -> bool:
    return False


def request_for(plan: ChatPlan, exchange: Exchange, turn: Turn) -> tuple[Provider, ChatRequest]:
    """The request the turn's route sends next, and that route's provider. Pure, so a chat
    can also show the exact payload without sending it."""
    route, template = turn.route, plan.request
    provider = plan.provider_of(route)
    choice = template.tool_choice
    known = None
    if provider.reads_model_info:
        assert route.provider is not None, "a chat's routes are resolved"
        known = plan.services.known(route.model, route.provider)
    request = template.for_route(
        route.model,
        exchange.messages(),
        tool_choice=None if exchange.rounds and is_forced(choice) else choice,
        fallback_models=turn.server_models(),
        routing=provider.chat_routing(template),
        model_info=known,
    )
    return provider, with_max_tokens(request, provider, plan.services)


def with_max_tokens(request: ChatRequest, provider: Provider, services: Services) -> ChatRequest:
    """``request`` with the model's max output as ``max_tokens`` when the provider needs one
    on every request and the chat set none (as it is when the registry does not know)."""
    if request.max_tokens is not None or not provider.max_tokens_required:
        return request
    known = services.known(request.model, provider.name)
    limit = known.max_output_tokens if known is not None else None
    return request if limit is None else copy_with(request, {"max_tokens": limit})


def first_send(plan: ChatPlan, exchange: Exchange) -> Send:
    """The first attempt the call would make, built as the call builds it, for showing the
    exact request without sending it (``chat.render``)."""
    send, holds = _attempt(plan, exchange, _turn(plan, exchange))
    settle(holds, None)  # nothing is sent: give back what the check held
    return send


def _attempt(plan: ChatPlan, exchange: Exchange, turn: Turn) -> tuple[Send, tuple[Hold, ...]]:
    """The next attempt, and what it holds on the meters (checked first: a request that could
    cross a limit raises here, before anything is sent)."""
    provider, request = request_for(plan, exchange, turn)
    ask = None
    if plan.guards:
        request, ask = worst_case(plan.guards, plan.services.known, request, turn.route)
    protocol = provider.protocol
    payload = protocol.render_chat(request)
    path, headers, deadline = provider.chat_path, request.headers, turn.deadline
    attempt, route = turn.attempts.attempt + 1, turn.index  # what listeners are told
    # a stream gets a new parser per attempt: the exchange keeps it for a partial answer
    parser = exchange.start_stream(protocol) if request.stream else None
    parse = None if request.stream else protocol.parse_chat
    send = Send(
        provider,
        path,
        payload,
        headers,
        deadline,
        parser,
        parse,
        request=request,
        attempt=attempt,
        route=route,
    )
    # held last: nothing can fail between holding and sending, so no hold is left behind
    return send, (hold(plan.guards, ask) if ask is not None else ())


def _tool_round(plan: ChatPlan, exchange: Exchange) -> Flow[None]:
    """Run the calls of the accepted message, all in one step (the driver runs them at once,
    results in call order); a stream shows every call before they run and every result after
    the round is recorded. A tool-call limit is checked for the whole round before any runs;
    a stored chat is saved once the round is whole."""
    calls = tuple(exchange.pending)
    if plan.guards:
        count_tool_calls(plan.guards, len(calls))
    for call in calls:
        yield Emit(Chunk(tool_call=call))
    results: list[Any] = yield RunTools(calls, plan.toolbox, exchange.hooks, plan.raise_tool_errors)
    for result in results:
        exchange.record(result)
    for result in results:
        yield Emit(Chunk(tool_result=result))
    yield from _save(plan)


def _save(plan: ChatPlan) -> Flow[None]:
    """Write a stored chat's history when a commit left something unsaved."""
    saver = plan.saver
    if saver is not None and saver.unsaved:
        yield Save(saver)


def _schema_name(plan: ChatPlan) -> str:
    schema = plan.request.schema
    return schema.name if schema is not None else "response"


def _correction(
    plan: ChatPlan, exchange: Exchange, answer: Message, errors: tuple[str, ...]
) -> str:
    """What to tell the model about an answer that did not fit the schema, to try again; or,
    when no re-ask is left, :class:`StructuredOutputError`."""
    if exchange.corrections < (plan.schema_retries or 0):
        from .._structured import correction  # rare: not loaded with every chat

        return correction(errors, _schema_name(plan))
    answers, name, problems = exchange.corrections + 1, _schema_name(plan), "; ".join(errors)
    raise StructuredOutputError(
        f"no answer matched the schema {name!r} ({answers} tried); the last: {problems}"
        if answers > 1
        else f"the answer did not match the schema {name!r}: {problems}",
        text=answer.content,
        errors=errors,
        answers=answers,
    )


def _waiting(calls: list[ToolCall]) -> str:
    listed = ", ".join(f"{call.id} ({call.name})" for call in calls)
    return (
        f"{len(calls)} tool call(s) are waiting for their results: {listed}. Give each with "
        "chat.add_tool_result(call_id, value) before asking again, or send a new message "
        "(the calls are then answered as not run)"
    )


def request_flow(send: Send, policy: RetryPolicy, spend: Spend | None = None) -> Flow[Any]:
    """One plain request (embeddings, images, a models listing): ``send``, retried per
    ``policy`` within ``send.deadline``, each attempt checked against ``spend``'s limits first.
    Returns the parsed answer."""
    attempts = Attempts(policy, send.deadline)
    while True:
        again = attempts.attempt  # a retry is told apart for listeners (retries are rare)
        holds = hold(spend.guards, spend.ask) if spend is not None else ()
        sent: Sent = yield from sent_holding(
            replace(send, attempt=again + 1) if again else send, holds
        )
        if sent.error is None:
            if spend is not None:
                settle(holds, spend.usage_of(sent.answer))
            return sent.answer
        settle(holds, None)
        wait = attempts.wait_after(sent.error)
        if wait is None:
            raise sent.error
        yield Wait(wait)
