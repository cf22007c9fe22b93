"""Clients of the fake server keep to themselves: the server's URL and key, and a model cache
of their own, so a refresh against the fake never reads or writes the user's cache."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..client import Client
    from ._openrouter import FakeOpenRouter

__all__ = ["fake_client"]

_CACHES: weakref.WeakKeyDictionary[FakeOpenRouter, Path] = weakref.WeakKeyDictionary()


def fake_client(server: FakeOpenRouter, settings: dict[str, Any]) -> Client:
    """A :class:`pyllm.Client` for ``server``; ``settings`` override the defaults."""
    from ..client import Client

    defaults = {
        "openrouter_api_key": server.api_key or "sk-or-fake-key",
        "openrouter_base_url": server.url,
        "models_cache_path": str(_private_cache(server)),
        "allow_private_downloads": True,  # its files are on 127.0.0.1
    }
    return Client(**{**defaults, **settings})


def _private_cache(server: FakeOpenRouter) -> Path:
    """One temporary cache file per server (shared by its clients), removed with the server."""
    path = _CACHES.get(server)
    if path is None:
        folder = tempfile.mkdtemp(prefix="pyllm-fake-models-")
        weakref.finalize(server, shutil.rmtree, folder, ignore_errors=True)
        path = _CACHES[server] = Path(folder) / "models.json"
    return path
