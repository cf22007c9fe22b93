"""Small, valid files for examples that attach "your own" files: ``sample_files("photo.png")``."""

from __future__ import annotations

import io
import wave
from pathlib import Path

from pyllm.testing._media import tiny_png

__all__ = ["sample_bytes", "sample_files"]

_MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _wav(seconds: float = 0.25, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(bytes(2 * int(rate * seconds)))  # silence
    return buffer.getvalue()


def sample_bytes(name: str) -> bytes:
    """The content of a small file of the type ``name``'s suffix says."""
    suffix = Path(name).suffix.lower()
    if suffix == ".png":
        return tiny_png()
    if suffix == ".pdf":
        return _MINIMAL_PDF
    if suffix == ".wav":
        return _wav()
    if suffix == ".mp4":  # an ISO media file's first box: enough to be told apart as video
        return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(32)
    if suffix in (".md", ".txt", ".csv", ".json"):
        return f"Sample {Path(name).stem} file.\n".encode()
    raise ValueError(
        f"no sample for {name!r}: use .png, .pdf, .wav, .mp4, .md, .txt, .csv or .json"
    )


def sample_files(*names: str) -> None:
    """Write a small valid file for each name into the working directory."""
    for name in names:
        Path(name).write_bytes(sample_bytes(name))
