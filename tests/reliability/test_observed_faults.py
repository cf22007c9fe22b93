"""Every fault scenario, observed: one RequestEvent and one ``chat`` span per request the server
saw, the call's span ending as the call did, and no API key in any span (issue 18).

The listeners are installed for every client (as ``pyllm.instrument()`` does), so the shared
scenarios run unchanged. Scenarios alternate between sync and async to keep this quick."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import pyllm
from pyllm._observers import RequestEvents
from pyllm._session import EVERY_SESSION

from .scenarios import KEY, SCENARIOS, Scenario, observe


@pytest.fixture
def watched() -> Iterator[tuple[list[pyllm.RequestEvent], InMemorySpanExporter]]:
    events = RequestEvents()
    seen: list[pyllm.RequestEvent] = []
    events.callbacks.append(seen.append)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with pyllm.instrument(provider):
        EVERY_SESSION.append(events)
        try:
            yield seen, exporter
        finally:
            EVERY_SESSION.remove(events)


@pytest.mark.parametrize(
    ("scenario", "mode"),
    [(s, "sync" if i % 2 == 0 else "async") for i, s in enumerate(SCENARIOS)],
    ids=lambda v: v.fault + (" (stream)" if v.stream else "") if isinstance(v, Scenario) else v,
)
def test_every_attempt_of_a_fault_is_observed(
    scenario: Scenario,
    mode: str,
    watched: tuple[list[pyllm.RequestEvent], InMemorySpanExporter],
) -> None:
    events, exporter = watched
    observed = observe(scenario, mode)
    assert observed.requests == scenario.requests  # the scenario itself behaved
    assert len(events) == observed.requests
    if scenario.configure is None:  # one answer wanted: only the last attempt may give it
        assert [e.ok for e in events[:-1]] == [False] * (len(events) - 1)
    else:  # tools or a schema: every answer the server gave is an ok event, errors are not
        assert all(e.ok == (e.error is None) for e in events)
    if not events:  # refused before anything was sent (a limit): no attempt to observe
        assert scenario.requests == 0 and scenario.outcome != "answer"
    else:
        last = events[-1]
        if scenario.outcome == "answer":
            assert last.ok and last.status == 200 and last.message is not None
        elif scenario.configure is None or last.error is not None:
            assert type(last.error).__name__ == scenario.outcome
        else:  # the answer arrived, then the call failed on it (a schema never met, a tool)
            assert last.ok and scenario.outcome in ("StructuredOutputError", "ToolError")
    spans = exporter.get_finished_spans()
    attempts = [s for s in spans if s.name.startswith("chat ")]
    (call,) = [s for s in spans if s.name == "invoke_agent"]
    assert len(attempts) == observed.requests
    if scenario.outcome == "answer":
        assert call.status.status_code is StatusCode.UNSET
    else:
        assert (call.attributes or {})["error.type"] == scenario.outcome
    assert all(KEY not in span.to_json() for span in spans)
