"""Large attachments as files: a folder of content-addressed files beside the database.

A blob larger than the threshold is written to ``<folder>/<first 2 hex digits>/<sha256>``
(atomically, before its row is committed), and its row keeps only the key: the rows stay small,
and bytes shared by many messages are on disk once.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .base import StoreError

__all__ = ["DEFAULT_FILE_THRESHOLD", "Files"]

DEFAULT_FILE_THRESHOLD = 256_000
"""Attachments above this many bytes go to files when the store has a folder for them."""


class Files:
    """Where large attachments go (``root``; ``None``: every attachment stays in its row)."""

    def __init__(self, root: Path | None, threshold: int = DEFAULT_FILE_THRESHOLD) -> None:
        self.root = root
        self.threshold = threshold

    def wants(self, size: int) -> bool:
        """Whether bytes of ``size`` go to a file."""
        return self.root is not None and size > self.threshold

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / key

    def write(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key`` (once: the key is its hash), atomically."""
        target = self._path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        """The bytes saved under ``key``."""
        if self.root is None:
            raise StoreError(
                f"attachment {key} is kept in a file, and this store has no files folder"
            )
        try:
            return self._path(key).read_bytes()
        except OSError as exc:
            raise StoreError(
                f"attachment {key} is missing from {self.root} ({exc.strerror or exc}); "
                "was the folder beside the database moved or deleted?"
            ) from exc

    def forget(self, keys: list[str]) -> None:
        """Delete the files of ``keys`` (no longer held by any message)."""
        for key in keys:
            if self.root is not None:
                self._path(key).unlink(missing_ok=True)
