"""What a file is, from its first bytes or its name: MIME types and the kinds pyllm sends
(``image``, ``pdf``, ``audio``, ``video``, ``text``, ``file``). Pure.

>>> sniff_mime_type(b"%PDF-1.7 ..."), mime_from_name("talk.mov"), kind_of("video/webm")
('application/pdf', 'video/quicktime', 'video')
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlparse

__all__ = [
    "EXTENSIONS",
    "is_data_url",
    "is_url",
    "kind_of",
    "mime_from_name",
    "sniff_mime_type",
]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"\xff\xf2", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"\x00\x00\x01\xba", "video/mpeg"),
    (b"\x00\x00\x01\xb3", "video/mpeg"),
)

EXTENSIONS: dict[str, str] = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".xml": "application/xml",
    ".yaml": "text/yaml",
    ".yml": "text/yaml",
    ".py": "text/x-python",
    ".rb": "text/x-ruby",
    ".js": "text/javascript",
    ".ts": "text/x-typescript",
    ".css": "text/css",
    ".sql": "text/x-sql",
    ".log": "text/plain",
    ".ini": "text/plain",
    ".toml": "text/plain",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".mpeg": "video/mpeg",
    ".mpg": "video/mpeg",
}

_TEXT_KINDS = (
    "application/json",
    "application/xml",
    "application/x-yaml",
    "application/javascript",
)


def sniff_mime_type(data: bytes) -> str | None:
    """The MIME type the first bytes of ``data`` reveal, or ``None``.

    >>> sniff_mime_type(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff_mime_type(b'{"a": 1}')
    ('image/png', 'application/json')
    """
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        if data[8:11] in (b"M4A", b"M4B"):
            return "audio/mp4"
        return "video/quicktime" if data[8:12] == b"qt  " else "video/mp4"
    return _sniff_text(data)


def _sniff_text(data: bytes) -> str | None:
    head = data[:4096]
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the 4 KB boundary
            return None
    stripped = head.lstrip()
    if stripped.startswith((b"{", b"[")):
        return "application/json"
    if stripped.startswith(b"<?xml"):
        return "application/xml"
    if stripped[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "text/html"
    return "text/plain"


def is_url(text: str) -> bool:
    """An ``http(s)://`` or ``data:`` URL (schemes compare case-insensitively), not a path.

    >>> is_url("HTTP://example.com/a.png"), is_url("Data:text/plain,hi"), is_url("http.txt")
    (True, True, False)
    """
    return text[:8].lower().startswith(("http://", "https://", "data:"))


def is_data_url(text: str) -> bool:
    return text[:5].lower() == "data:"


def mime_from_name(name: str | None) -> str | None:
    """The MIME type a file name or URL path suggests (``None`` when it says nothing)."""
    if not name:
        return None
    suffix = PurePosixPath(urlparse(name).path if "://" in name else name).suffix.lower()
    return EXTENSIONS.get(suffix)


def kind_of(mime: str | None) -> str:
    mime = mime or ""
    if mime.startswith("image/"):
        return "image"
    if mime == "application/pdf":
        return "pdf"
    if mime.startswith("audio/"):
        return "audio"
    if mime.startswith("video/"):
        return "video"
    if mime.startswith("text/") or mime in _TEXT_KINDS:
        return "text"
    return "file"
