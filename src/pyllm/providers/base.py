"""A provider says *where* and *who*: base URL, auth and attribution headers, endpoint paths,
what it does on its own side (fallbacks, routing, which image endpoint), error extraction.

How bytes look on the wire is the protocol's job (``pyllm.protocols``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .._headers import parse_retry_after
from .._json import JSONNestingError, loads
from .._redact import is_credential_header, redact, split_credentials
from ..config import Secret
from ..errors import ConfigurationError, ErrorDetails, InvalidResponseError
from ..protocols.base import describe_body

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..config import Settings
    from ..model import Model
    from ..protocols.base import ChatProtocol
    from ..request import ChatRequest

__all__ = ["Provider"]

USER_AGENT = "pyllm/0.1.0"


class Provider:
    """Base class. Subclasses set ``name`` and build a ``protocol``.

    ``api_key_setting`` / ``api_key_env`` name where the key comes from, so a missing key gives a
    :class:`~pyllm.ConfigurationError` that says exactly what to set.
    """

    name: str = "provider"
    display_name: str = "Provider"
    api_key_setting: ClassVar[str | None] = None
    api_key_env: ClassVar[str | None] = None
    chat_path: ClassVar[str] = "/chat/completions"
    models_path: ClassVar[str] = "/models"
    """Where ``GET`` lists the provider's models (what :meth:`parse_models` reads)."""
    models_need_key: ClassVar[bool] = True
    """False when anyone may list the models (no key is sent, and a refresh lists them even
    without one)."""
    complete_listing: ClassVar[bool] = False
    """True when the listing carries full metadata (prices, limits, modalities): a refresh
    replaces the provider's models with it. Otherwise (ids only) it adds the models pyllm did not
    know and keeps the rest."""
    gateway: ClassVar[bool] = False
    """True for a gateway to many vendors' models (OpenRouter): it takes any ``vendor/model`` id,
    listed or not, with variant suffixes (``:free``, ``:online``...) and ids without their vendor;
    the registry searches it right after the configured providers."""
    embeddings_path: ClassVar[str | None] = "/embeddings"
    """Where embeddings go, under ``base_url`` (``None``: the provider has no such endpoint)."""
    images_path: ClassVar[str | None] = "/images"
    """Where image-only models paint, under ``base_url`` (``None``: no such endpoint)."""
    image_references: ClassVar[bool] = True
    """Whether :attr:`images_path` takes reference images (``input_references``) to edit."""
    server_fallbacks: ClassVar[bool] = False
    """Whether one request may list fallback models that the provider tries itself."""
    reads_model_info: ClassVar[bool] = False
    """True when the protocol renders differently per model from what the registry knows of
    it (``ChatRequest.model_info``; OpenAI's reasoning models): only then is the registry
    asked, once per request."""
    max_tokens_required: ClassVar[bool] = False
    """True when every chat request must say ``max_tokens`` (Anthropic): a chat without
    ``with_max_tokens`` sends the model's max output from the registry."""
    url_attachments: ClassVar[frozenset[str]] = frozenset({"image"})
    """The kinds of remote attachment the provider fetches itself, so pyllm sends their URL
    and never requests the file (others are downloaded and sent as bytes)."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: Secret | None,
        protocol: ChatProtocol,
        headers: Mapping[str, str] | None = None,
        requires_key: bool = True,
    ) -> None:
        # requests, logs, reprs and errors only ever see the URL without user:password@
        base_url, self._basic_auth, self._secrets = _credentials(base_url, headers or {})
        self.base_url = base_url.rstrip("/")
        self.protocol = protocol
        self._api_key = api_key
        self._extra_headers = dict(headers or {})
        self.requires_key = requires_key
        self._headers: dict[str, str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Provider:
        raise NotImplementedError

    @classmethod
    def factory(cls, name: str) -> Callable[[Settings], Provider]:
        """How the built-in provider called ``name`` is made from the settings: here
        :meth:`from_settings`; a class behind several names (the OpenAI-compatible presets)
        picks by ``name``."""
        return cls.from_settings

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def has_key(self) -> bool:
        return self._api_key is not None

    def url(self, path: str) -> str:
        return self.base_url + path

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def headers(self, *, authenticated: bool = True) -> dict[str, str]:
        """Request headers (cached). Raises :class:`ConfigurationError` when a key is needed."""
        basic = {} if self._basic_auth is None else {"Authorization": self._basic_auth.reveal()}
        if not authenticated:
            return {"User-Agent": USER_AGENT, **self._extra_headers, **basic}
        if self._headers is None:
            headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
            if self._api_key is not None:
                headers.update(self.auth_headers(self._api_key.reveal()))
            elif self.requires_key:
                raise self.missing_key()
            headers.update(self._extra_headers)
            self._headers = {**headers, **basic}  # a URL's user:password wins, as httpx had it
        return self._headers

    def parse_models(self, body: Any) -> list[Model]:
        """The models a ``GET`` of :attr:`models_path` lists: here the OpenAI-style
        ``{"data": [{"id": ...}]}`` (ids and dates). :class:`~pyllm.InvalidResponseError` when
        the body is not a listing."""
        from ..protocols.model_listings import parse_model_ids

        return parse_model_ids(body, self.name)

    def next_models_path(self, body: Any) -> str | None:
        """Where the next page of a paginated listing is, after ``body`` (one page, already
        parsed by :meth:`parse_models`); ``None``, the default, when there is none."""
        return None

    def count_tokens_request(self, payload: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """Where and what to send to count the input tokens of the chat request rendered as
        ``payload`` (``chat.count_tokens()``); ``None``, the default: no such endpoint."""
        return None

    def parse_token_count(self, body: Any) -> int:
        """The count a :meth:`count_tokens_request` answered (its ``input_tokens``)."""
        count = body.get("input_tokens") if isinstance(body, Mapping) else None
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise InvalidResponseError(
                "the token count has no input_tokens number", provider=self.name, raw=body
            )
        return count

    def chat_routing(self, request: ChatRequest) -> Mapping[str, Any] | None:
        """The routing preferences sent with ``request`` (``request.routing`` holds the chat's
        own); ``None``, the default, for a provider that takes none."""
        return None

    def image_endpoint(self, known: Model | None) -> str:
        """``"images"`` when this provider paints ``known`` (``None``: not in the registry) at
        :attr:`images_path`; ``"chat"`` (chat completions with image output), the default."""
        return "chat"

    def missing_key(self) -> ConfigurationError:
        return missing_key(self.display_name, self.api_key_setting, self.api_key_env)

    def redact(self, text: str) -> str:
        """``text`` with every key pyllm holds blanked out (errors do this themselves)."""
        return str(redact(text))

    def extract_error(self, status: int, headers: Mapping[str, str], body: bytes) -> ErrorDetails:
        """Everything an error response says, never raising whatever the body holds."""
        parsed: Any = None
        unreadable = ""
        try:
            parsed = loads(body)
        except JSONNestingError as exc:  # the status still says what happened
            unreadable = f"the error body is {exc}"
        except ValueError:
            pass
        if parsed is None:  # not JSON: an HTML page from a proxy, plain text, nothing
            details = ErrorDetails(message=unreadable or describe_body(body), raw=body)
        else:
            details = self.protocol.parse_error(parsed)
        message = details.message or _fallback_message(status, body)
        lowered = {k.lower(): v for k, v in headers.items()}
        retry_after = details.retry_after
        if retry_after is None:
            retry_after = parse_retry_after(lowered)
        return ErrorDetails(
            message=message,
            code=details.code,
            metadata=details.metadata,
            upstream=details.upstream,
            upstream_message=details.upstream_message,
            error_type=details.error_type,
            raw=parsed if parsed is not None else body,
            generation_id=details.generation_id or lowered.get("x-generation-id"),
            retry_after=retry_after,
        )


def missing_key(display_name: str, setting: str | None, variable: str | None) -> ConfigurationError:
    """The error for a request without the key ``display_name`` needs, saying where it goes."""
    where = f"pass {setting}=... to pyllm.configure() or pyllm.Client()"
    if variable:
        where += f", or set the {variable} environment variable"
    return ConfigurationError(f"{display_name} needs an API key: {where}")


def _credentials(
    base_url: str, headers: Mapping[str, str]
) -> tuple[str, Secret | None, tuple[Secret, ...]]:
    """``base_url`` without its ``user:password@``; the ``Authorization: Basic`` value those
    stand for (``None`` without them); every secret to keep blanked out of errors: the password
    and the values of credential headers (``X-Api-Key``...)."""
    secrets = [Secret(v) for k, v in headers.items() if is_credential_header(k)]
    found = split_credentials(base_url)
    if found is None:
        return base_url, None, tuple(secrets)
    import base64

    bare, user, password = found
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    secrets.append(Secret(password))
    return bare, Secret(f"Basic {token}"), tuple(secrets)


def _fallback_message(status: int, body: bytes) -> str:
    excerpt = describe_body(body)
    return excerpt or f"HTTP {status} with an empty body"
