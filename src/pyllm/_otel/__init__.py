"""``pyllm.instrument()``: OpenTelemetry traces and metrics for every client's calls.

An edge: it listens to the drivers through the sessions' listeners and is the only code that
imports OpenTelemetry (``pip install 'pyllm[otel]'``), and only once ``instrument()`` runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import TracebackType

    from .telemetry import Telemetry

__all__ = ["Instrumentation", "instrument"]

_current: Instrumentation | None = None


class Instrumentation:
    """What :func:`instrument` returned: :meth:`uninstrument` (or leaving a ``with`` block)
    stops recording."""

    def __init__(self, telemetry: Telemetry) -> None:
        self._telemetry = telemetry

    def __repr__(self) -> str:
        active = "active" if self.active else "stopped"
        content = ", capture_content=True" if self._telemetry.capture_content else ""
        return f"Instrumentation({active}{content})"

    @property
    def active(self) -> bool:
        """Whether calls are being recorded."""
        from .._session import EVERY_SESSION

        return self._telemetry in EVERY_SESSION

    def uninstrument(self) -> None:
        """Stop recording (calls already running finish their spans)."""
        global _current
        from .._session import EVERY_SESSION

        if self._telemetry in EVERY_SESSION:
            EVERY_SESSION.remove(self._telemetry)
        if _current is self:
            _current = None

    def __enter__(self) -> Instrumentation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uninstrument()


def instrument(
    tracer_provider: Any = None, meter_provider: Any = None, capture_content: bool = False
) -> Instrumentation:
    """Record every client's chat calls with OpenTelemetry, following its GenAI semantic
    conventions: an ``invoke_agent`` span per ``ask`` / ``stream`` call, a ``chat {model}``
    span per HTTP attempt and an ``execute_tool {name}`` span per tool call under it; the
    ``gen_ai.client.operation.duration`` and ``gen_ai.client.token.usage`` histograms and a
    ``pyllm.client.cost`` counter.

    ``tracer_provider`` / ``meter_provider`` default to OpenTelemetry's global ones.
    ``capture_content=True`` also records the messages, tool definitions, arguments and
    results (never attachment bytes, never an API key): they may hold personal data.
    Calling ``instrument()`` again replaces the previous settings. Needs ``opentelemetry-api``
    (``pip install 'pyllm[otel]'``); nothing of OpenTelemetry is imported until this runs.

    >>> import pyllm
    >>> with pyllm.instrument() as instrumentation:   # the global providers
    ...     instrumentation.active
    True
    """
    global _current
    if not isinstance(capture_content, bool):
        raise TypeError(f"capture_content must be True or False, got {capture_content!r}")
    try:
        from .telemetry import Telemetry
    except ImportError as exc:
        if not (exc.name or "").startswith("opentelemetry"):
            raise
        raise ImportError(
            f"pyllm.instrument() needs OpenTelemetry ({exc}): pip install 'pyllm[otel]'",
            name=exc.name,
        ) from exc
    from .._session import EVERY_SESSION

    telemetry = Telemetry(tracer_provider, meter_provider, capture_content)
    if _current is not None:
        _current.uninstrument()
    _current = Instrumentation(telemetry)
    EVERY_SESSION.append(telemetry)
    return _current
