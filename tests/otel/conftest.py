"""OpenTelemetry's SDK with in-memory exporters, and pyllm instrumented against them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import pyllm
from pyllm._session import EVERY_SESSION


@dataclass
class Recorded:
    """What the SDK exported: finished spans (in the order they ended) and metrics."""

    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    tracer_provider: TracerProvider

    def spans(self) -> list[ReadableSpan]:
        return sorted(self.exporter.get_finished_spans(), key=lambda s: s.start_time or 0)

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name == name]

    def one(self, name: str) -> ReadableSpan:
        (found,) = self.named(name)
        return found

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        assert parent.context is not None
        own = parent.context.span_id
        return [s for s in self.spans() if s.parent is not None and s.parent.span_id == own]

    def points(self, metric: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for each in scope.metrics:
                    if each.name == metric:
                        found.extend(each.data.data_points)
        return found


def _recorded(capture_content: bool) -> Iterator[Recorded]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    with pyllm.instrument(tracer_provider, meter_provider, capture_content=capture_content):
        yield Recorded(exporter, reader, tracer_provider)
    meter_provider.shutdown()


@pytest.fixture
def otel() -> Iterator[Recorded]:
    """pyllm instrumented (content not captured), recording in memory."""
    yield from _recorded(capture_content=False)


@pytest.fixture
def otel_content() -> Iterator[Recorded]:
    """pyllm instrumented with ``capture_content=True``, recording in memory."""
    yield from _recorded(capture_content=True)


@pytest.fixture(autouse=True)
def _nothing_left_instrumented() -> Iterator[None]:
    yield
    assert EVERY_SESSION == [], "a test left pyllm instrumented"
