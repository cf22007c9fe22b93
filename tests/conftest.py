"""Shared test set-up: a guard that refuses any non-loopback connection, the fake server."""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyllm.config import ENV_VARIABLES
from pyllm.testing import FakeAnthropic, FakeOpenRouter

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkGuardError(RuntimeError):
    pass


def _check(address: Any) -> None:
    if isinstance(address, tuple) and not _is_loopback(address[0]):
        raise NetworkGuardError(f"tests may only connect to 127.0.0.1, not {address!r}")


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_loopback(host):
        raise NetworkGuardError(f"tests may not resolve {host!r}: only 127.0.0.1 is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo
    # Tests never read the developer's real keys or endpoints.
    for name in (
        "OPENROUTER_API_KEY",
        "OPENROUTER_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "PYLLM_DEFAULT_MODEL",
        *(v for v in ENV_VARIABLES.values() if v.endswith(("_API_KEY", "_BASE_URL"))),
        "OPENAI_ORGANIZATION",
        "OPENAI_PROJECT",
        "PYLLM_STORE",
    ):
        os.environ.pop(name, None)
    # ...nor their model cache: a fresh, empty place for the whole session.
    cache_dir = tempfile.mkdtemp(prefix="pyllm-test-cache-")
    os.environ["PYLLM_MODELS_CACHE"] = str(Path(cache_dir) / "models.json")


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture
def server() -> Iterator[FakeOpenRouter]:
    """A fresh fake OpenRouter on 127.0.0.1 for one test."""
    with FakeOpenRouter() as fake:
        yield fake


@pytest.fixture
def anthropic() -> Iterator[FakeAnthropic]:
    """A fresh fake Anthropic on 127.0.0.1 for one test (which fails if the fake failed)."""
    with FakeAnthropic() as fake:
        yield fake
        assert not fake.errors, fake.errors


ROOT = Path(__file__).resolve().parent.parent


def fixtures_dir() -> Path | None:
    """Recorded traffic: ``$PYLLM_FIXTURES`` or ``../shared/fixtures`` beside the checkout."""
    configured = os.environ.get("PYLLM_FIXTURES")
    candidates = [Path(configured)] if configured else []
    candidates.append(ROOT.parent / "shared" / "fixtures")
    for candidate in candidates:
        if (candidate / "openrouter").is_dir():
            return candidate
    return None
