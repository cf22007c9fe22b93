"""Clients of the fake servers keep to themselves: the server's URL and key, and a model cache
of their own, so a refresh against a fake never reads or writes the user's cache."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..client import Client
    from ._server import FakeServer

__all__ = ["fake_client"]

_CACHES: weakref.WeakKeyDictionary[FakeServer, Path] = weakref.WeakKeyDictionary()


def fake_client(server: FakeServer, settings: dict[str, Any]) -> Client:
    """A :class:`pyllm.Client` for ``server``; ``settings`` (the server's URL and key, and the
    caller's) override the defaults."""
    from ..client import Client

    defaults = {
        "models_cache_path": str(_private_cache(server)),
        "allow_private_downloads": True,  # its files are on 127.0.0.1
    }
    return Client(**{**defaults, **settings})


def _private_cache(server: FakeServer) -> Path:
    """One temporary cache file per server (shared by its clients), removed with the server."""
    path = _CACHES.get(server)
    if path is None:
        folder = tempfile.mkdtemp(prefix="pyllm-fake-models-")
        weakref.finalize(server, shutil.rmtree, folder, ignore_errors=True)
        path = _CACHES[server] = Path(folder) / "models.json"
    return path
