"""Every error pyllm raises, in one tree.

::

    Error                                   the root: ``except pyllm.Error`` catches all below
    ├── ConfigurationError                  a setting or with_* value is missing or bad (ValueError)
    ├── ModelNotFoundError                  an unknown model id or alias ("did you mean ...")
    ├── UnsupportedError                    the model or provider cannot do what was asked
    ├── AttachmentError                     a file cannot be sent (missing, unreadable, too big...)
    ├── ToolError                           a tool could not be defined or the tool loop ran away
    │   └── MCPError                        an MCP server could not be started, reached or used
    ├── StructuredOutputError               the answer never fit the schema (``retries`` ran out)
    ├── UsageLimitError                     a with_limits limit would be crossed (nothing sent)
    │   └── BudgetExceededError             a budget would be crossed: .limit, .spent, .estimate
    ├── FormatError                         a saved chat or message cannot be read (ValueError)
    ├── StoreError                          a store failed (pyllm.SQLStore)
    │   └── ChatNotFoundError               no chat with that id in the store (KeyError)
    ├── APIConnectionError                  the request never got an answer (DNS, refused, reset...)
    │   └── APITimeoutError                 connect / read / total timeout
    └── APIError                            a server answered with an error
        ├── BadRequestError           400
        │   └── ContextLengthExceededError  the prompt does not fit the model's context window
        ├── AuthenticationError       401
        ├── PaymentRequiredError      402   out of credits
        ├── PermissionDeniedError     403
        │   └── ModerationError             input flagged: ``reasons``, ``flagged_input``
        ├── NotFoundError             404   e.g. "No endpoints found for ..."
        ├── RequestTimeoutError       408
        ├── PayloadTooLargeError      413
        ├── UnprocessableEntityError  422
        ├── RateLimitError            429   ``retry_after`` in seconds when the server said
        ├── ServerError               5xx
        │   ├── ServiceUnavailableError  502 / 503
        │   └── OverloadedError          529
        ├── RedirectError             3xx   never followed: ``location``; fix the base URL
        └── InvalidResponseError            the body could not be understood (bad JSON, bad UTF-8)

The limit errors live in ``_limits.py``, ``FormatError`` in ``_serial.py`` and the store's in
``stores/base.py``; all are exported as ``pyllm.<Name>``.

One table (:data:`STATUS_ERRORS`) maps a status to its class; :func:`api_error` is the only
place that chooses a class. Providers only *extract* details from bodies.
Every error blanks out the secrets pyllm holds (keys, URL passwords) from each of its fields,
nested values included, whatever a server echoed: the one place secrets are redacted.

An error raised while streaming carries what arrived before it as ``partial`` (a
:class:`pyllm.Message` marked ``finish_reason="error"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._redact import redact
from ._routes import RoutesTried

if TYPE_CHECKING:
    from .message import Message

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AttachmentError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContextLengthExceededError",
    "Error",
    "ErrorDetails",
    "InvalidResponseError",
    "MCPError",
    "ModelNotFoundError",
    "ModerationError",
    "NotFoundError",
    "OverloadedError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "RequestTimeoutError",
    "ServerError",
    "ServiceUnavailableError",
    "StructuredOutputError",
    "ToolError",
    "UnprocessableEntityError",
    "UnsupportedError",
]


class Error(RoutesTried, Exception):
    """Root of every pyllm error. It never shows a secret pyllm holds (see above).

    >>> issubclass(RateLimitError, Error)
    True
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(arg) for arg in args))


class ConfigurationError(Error, ValueError):
    """A bad or missing setting or ``with_*`` value (a ValueError too); names the argument."""


class ModelNotFoundError(Error):
    """No model matches the id or alias; ``suggestions`` holds the closest known ids."""

    def __init__(self, message: str, *, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class UnsupportedError(Error):
    """The chosen model or provider cannot do what was asked (e.g. images from a text model)."""


class AttachmentError(Error, ValueError):
    """An attachment cannot be sent: missing or unreadable file, unsupported type, too large.

    Raised before any request, so nothing was sent and nothing was spent.
    """


class ToolError(Error):
    """A tool is badly defined, failed with ``raise_tool_errors=True``, or the loop ran away."""


class MCPError(ToolError):
    """An MCP server (``pyllm.mcp``) could not be started or reached, or is closed already."""


class StructuredOutputError(Error):
    """The answer did not fit the schema of ``with_schema(..., retries=N)``, even after ``N``
    re-asks: ``text`` is the last answer, ``errors`` what was wrong with it (one sentence
    each), ``answers`` how many answers were read. The history is as before the call."""

    def __init__(self, message: str, *, text: str, errors: tuple[str, ...], answers: int):
        super().__init__(message)
        self.text, self.errors, self.answers = text, errors, answers


class APIConnectionError(Error):
    """The server could not be reached or the connection broke before the answer was complete.

    ``partial`` holds what a stream delivered before the break, if anything.
    """

    def __init__(self, message: str, *, partial: Message | None = None) -> None:
        super().__init__(message)
        self.message: str = self.args[0]
        self.partial = partial


class APITimeoutError(APIConnectionError):
    """A connect, read or total timeout expired."""


@dataclass(frozen=True, slots=True)
class ErrorDetails:
    """What a provider could read out of an error body. Every field is optional."""

    message: str = ""
    code: int | str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    upstream: str | None = None
    upstream_message: str | None = None
    error_type: str | None = None
    raw: Any = None
    generation_id: str | None = None
    retry_after: float | None = None


class APIError(Error):
    """A server answered with an error. Every attribute is always present (``None`` if unknown).

    >>> err = RateLimitError("slow down", status=429, retry_after=2.0)
    >>> type(err).__name__, err.status, err.retry_after
    ('RateLimitError', 429, 2.0)
    """

    hint: str = ""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | str | None = None,
        provider: str | None = None,
        upstream: str | None = None,
        raw: Any = None,
        metadata: Mapping[str, Any] | None = None,
        generation_id: str | None = None,
        retry_after: float | None = None,
        error_type: str | None = None,
        partial: Message | None = None,
    ) -> None:
        super().__init__(message)
        self.message: str = self.args[0]
        self.status = status
        self.code: int | str | None = redact(code)
        self.provider = provider
        self.upstream: str | None = redact(upstream)
        self.raw: Any = redact(raw)
        self.metadata: Mapping[str, Any] = redact(metadata or {})
        self.generation_id: str | None = redact(generation_id)
        self.retry_after = retry_after
        self.error_type: str | None = redact(error_type)
        self.partial = partial

    def __str__(self) -> str:
        where = self.provider or "the server"
        if self.upstream:
            where += f" (upstream: {self.upstream})"
        status = f"{self.status} " if self.status is not None else ""
        text = f"{status}{type(self).__name__} from {where}: {self.message or 'no message given'}"
        if self.retry_after is not None:
            text += f" [retry after {self.retry_after:g}s]"
        if self.hint:
            text += f" -- {self.hint}"
        return text + self.routes_tried()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"

    @property
    def request_id(self) -> str | None:
        """The server's id of the failed request (Anthropic's ``request-id``), for support."""
        value = self.metadata.get("request_id")
        return value if isinstance(value, str) else None


class BadRequestError(APIError):
    hint = "the request was rejected as invalid; fix it before retrying"


class ContextLengthExceededError(BadRequestError):
    hint = "shorten the conversation or pick a model with a larger context window"


class AuthenticationError(APIError):
    hint = "check the API key (e.g. OPENROUTER_API_KEY)"


class PaymentRequiredError(APIError):
    hint = "add credits or raise the key's limit"


class PermissionDeniedError(APIError):
    hint = "the request is not allowed for this key, region or input"


class ModerationError(PermissionDeniedError):
    """Input flagged by moderation: ``reasons`` and ``flagged_input`` say why."""

    hint = "the input was flagged by moderation"

    @property
    def reasons(self) -> list[str]:
        value = self.metadata.get("reasons")
        return [str(v) for v in value] if isinstance(value, list) else []

    @property
    def flagged_input(self) -> str | None:
        value = self.metadata.get("flagged_input")
        return value if isinstance(value, str) else None


class NotFoundError(APIError):
    hint = "check the model id; it may have no available endpoints right now"


class RequestTimeoutError(APIError):
    hint = "the server timed out; retrying usually helps"


class PayloadTooLargeError(APIError):
    hint = "send less: smaller attachments or a shorter prompt"


class UnprocessableEntityError(APIError):
    hint = "the server understood the request but could not process it"


class RateLimitError(APIError):
    hint = "slow down, wait for retry_after, or add fallbacks"


class ServerError(APIError):
    hint = "a server-side failure; retrying or a fallback model usually helps"


class ServiceUnavailableError(ServerError):
    hint = "the provider is down or unreachable; retry or add fallbacks"


class OverloadedError(ServerError):
    hint = "the provider is overloaded; retry later or add fallbacks"


class InvalidResponseError(APIError):
    hint = "the server sent a body pyllm could not understand"


class RedirectError(APIError):
    """The API answered with a redirect (3xx). pyllm never follows one (it would carry the API
    key elsewhere) and never retries it: ``location`` says where it pointed.

    >>> err = RedirectError("moved", status=301, metadata={"location": "https://example.com/v1"})
    >>> err.location
    'https://example.com/v1'
    """

    hint = (
        "fix the provider's base URL (e.g. openrouter_base_url / OPENROUTER_BASE_URL); pyllm "
        "never follows a redirect from the API, which would send the API key elsewhere"
    )

    @property
    def location(self) -> str | None:
        value = self.metadata.get("location")
        return value if isinstance(value, str) else None


def __getattr__(name: str) -> Any:
    """``api_error``, ``STATUS_ERRORS`` and ``status_from_code`` live in
    :mod:`pyllm._status_codes` (the one table from a status to a class); served here too."""
    if name in ("api_error", "STATUS_ERRORS", "status_from_code"):
        from . import _status_codes

        return getattr(_status_codes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
