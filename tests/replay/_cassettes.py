"""Read VCR cassettes of real traffic and serve their responses from the fake server."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyllm.testing import FakeOpenRouter, Reply
from tests.conftest import fixtures_dir

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CassetteLoader(_Loader):  # type: ignore[misc,valid-type]
    pass


_CassetteLoader.add_constructor(
    "!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node))
)


@dataclass(frozen=True)
class Interaction:
    method: str
    uri: str
    request_body: Any  # parsed JSON (or raw bytes when not JSON)
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def response_json(self) -> Any:
        return json.loads(self.body)

    def reply(self, *, write_size: int | None = None) -> Reply:
        """The recorded response, byte for byte."""
        keep = {
            k: v for k, v in self.headers.items() if k.lower() in ("x-generation-id", "retry-after")
        }
        return Reply(
            status=self.status,
            body=self.body,
            content_type=self.headers.get("Content-Type", "application/json"),
            headers=keep,
            write_size=write_size,
        )


def fixture_path(provider: str, name: str) -> Path:
    root = fixtures_dir()
    if root is None:
        pytest.skip(
            "recorded fixtures not found: set PYLLM_FIXTURES or put ../shared/fixtures beside the checkout"
        )
    path = root / provider / name
    if not path.exists():
        pytest.skip(f"cassette {name} is not in {root / provider}")
    return path


def load(name: str, provider: str = "openrouter") -> list[Interaction]:
    data = yaml.load(fixture_path(provider, name).read_text(), Loader=_CassetteLoader)
    interactions = []
    for item in data["http_interactions"]:
        request, response = item["request"], item["response"]
        raw_request = request["body"]["string"]
        try:
            request_body: Any = json.loads(raw_request) if raw_request else None
        except (ValueError, TypeError):
            request_body = raw_request
        body = response["body"]["string"]
        headers = {
            k: (v[0] if isinstance(v, list) and v else v) for k, v in response["headers"].items()
        }
        interactions.append(
            Interaction(
                method=request["method"].upper(),
                uri=request["uri"],
                request_body=request_body,
                status=int(response["status"]["code"]),
                headers={k: str(v) for k, v in headers.items()},
                body=body if isinstance(body, bytes) else body.encode("utf-8"),
            )
        )
    return interactions


API_ROOTS = {
    "openrouter": "https://openrouter.ai/api/v1/",
    "openai": "https://api.openai.com/v1/",
}
"""Where each provider's recorded API calls went; anything else is a download."""


def _endpoint(item: Interaction) -> str | None:
    """The recorded call's path under its API root (``/chat/completions``); ``None`` for a
    download of a remote file, which is not part of the API exchange."""
    for root in API_ROOTS.values():
        if item.uri.startswith(root):
            return "/" + item.uri[len(root) :]
    return None


def serve(
    server: FakeOpenRouter,
    interactions: list[Interaction],
    *,
    write_size: int | None = None,
    at: str | None = None,
) -> None:
    """Queue each recorded API response on the server, in order, under its endpoint path
    (``at`` serves them under another one)."""
    for item in interactions:
        path = _endpoint(item)
        if path is not None:
            server.reply(item.reply(write_size=write_size), path=at or path)


def api_calls(interactions: list[Interaction]) -> list[Interaction]:
    return [i for i in interactions if _endpoint(i) is not None]


def client_for(server: FakeOpenRouter, provider: str, **settings: Any) -> Any:
    """A client that reaches ``provider`` (by its own settings) at the fake server, and
    nothing else (no OpenRouter key unless ``provider`` is OpenRouter)."""
    if provider == "openrouter":
        return server.client(**settings)
    own = {f"{provider}_api_key": "sk-replay-key", f"{provider}_base_url": server.url}
    return server.client(openrouter_api_key="", **own, **settings)


def normalize_messages(messages: list[Any]) -> list[Any]:
    """ruby_llm sends the system prompt as role ``developer``; pyllm sends ``system``, which every
    OpenRouter upstream accepts. Everything else must match exactly."""
    out = []
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "developer":
            message = {**message, "role": "system"}
        out.append(message)
    return out
