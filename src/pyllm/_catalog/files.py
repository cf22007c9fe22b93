"""The catalog's files: the bundled snapshot and alias table in ``data/``, and the user cache.

The user cache (``format`` 2) keeps what refreshes fetched, one ``listings`` entry per provider
*and base URL*: ``{"provider", "base_url", "models"}`` (``models`` in the compact format of
:mod:`pyllm._catalog.codec`). Writes replace those listings, keep the others (at most
:data:`MAX_LISTINGS`) and land atomically; which listing a client uses is
:func:`pyllm._catalog.merge.load_models`'s business.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._json import loads
from .codec import FORMAT, decode, encode

if TYPE_CHECKING:
    from ..model import Model

__all__ = [
    "CACHE_FORMAT",
    "DATA_DIR",
    "MAX_LISTINGS",
    "default_cache_path",
    "read_aliases",
    "read_listings",
    "read_models",
    "read_snapshot",
    "write_listings",
]

CACHE_FORMAT = 2
MAX_LISTINGS = 8
"""Listings the cache keeps (the most recently refreshed), so test servers do not pile up."""
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def default_cache_path(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> Path:
    """Where refreshed data is kept: the platform's user cache directory + ``pyllm/models.json``.

    >>> default_cache_path({"XDG_CACHE_HOME": "/tmp/c"}, "linux").as_posix()
    '/tmp/c/pyllm/models.json'
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if platform == "win32":
        base = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / "pyllm" / "Cache" / "models.json"
    if platform == "darwin":
        return home / "Library" / "Caches" / "pyllm" / "models.json"
    return Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "pyllm" / "models.json"


def read_models(path: Path) -> list[Model]:
    """Models stored at ``path``; ``OSError`` or ``ValueError`` when it cannot be used."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ValueError("the file is empty")
    return decode(loads(text))


def read_listings(path: Path) -> list[dict[str, Any]]:
    """The cache's listings, oldest first; ``[]`` for a cache written before listings were
    keyed by base URL (format 1: it may hold any server's data). ``OSError`` or ``ValueError``
    when the file cannot be used."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ValueError("the file is empty")
    data = loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"not a pyllm model cache of format {CACHE_FORMAT}")
    if data.get("format") == FORMAT:
        return []
    listings = data.get("listings")
    if data.get("format") != CACHE_FORMAT or not isinstance(listings, list):
        raise ValueError(f"not a pyllm model cache of format {CACHE_FORMAT}")
    return [
        entry
        for entry in listings
        if isinstance(entry, dict)
        and isinstance(entry.get("provider"), str)
        and isinstance(entry.get("base_url"), str)
    ]


def read_snapshot() -> list[Model]:
    """The bundled snapshot: every model pyllm ships data for."""
    return read_models(DATA_DIR / "models.json")


def read_aliases() -> dict[str, dict[str, str]]:
    """The bundled alias table: friendly name -> {provider: that provider's id}."""
    aliases: dict[str, dict[str, str]] = loads(
        (DATA_DIR / "aliases.json").read_text(encoding="utf-8")
    )
    return aliases


def write_listings(path: Path, listings: Mapping[tuple[str, str], Iterable[Model]]) -> None:
    """Save ``(provider, base_url) -> models`` in the cache at ``path``, replacing those
    listings and keeping the others (an unusable file is started afresh), atomically."""
    try:
        kept = read_listings(path) if path.exists() else []
    except (OSError, ValueError):
        kept = []
    entries = [e for e in kept if (e["provider"], e["base_url"]) not in listings]
    entries += [
        {"provider": provider, "base_url": base_url, "models": encode(models)}
        for (provider, base_url), models in listings.items()
    ]
    data = {"format": CACHE_FORMAT, "listings": entries[-MAX_LISTINGS:]}
    _write_atomically(path, json.dumps(data, separators=(",", ":"), ensure_ascii=False))


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` at ``path`` through a temporary file renamed over it."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".models-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
