"""Attachments: images, PDFs, audio and text files sent with (or returned in) a message.

>>> a = Attachment(data=b"%PDF-1.7 ...", filename="report.pdf")
>>> a.mime_type, a.kind
('application/pdf', 'pdf')
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

__all__ = ["Attachment", "sniff_mime_type"]

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"OggS", 0, "audio/ogg"),
)


def sniff_mime_type(data: bytes) -> str | None:
    """The MIME type the first bytes of ``data`` reveal, or ``None``.

    >>> sniff_mime_type(b"\\x89PNG\\r\\n\\x1a\\n...")
    'image/png'
    """
    for magic, offset, mime in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "audio/mp4" if data[8:11] in (b"M4A", b"M4B") else "video/mp4"
    return None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file as bytes (``data``) or by reference (``url``), with its MIME type."""

    data: bytes | None = None
    url: str | None = None
    mime_type: str | None = None
    filename: str | None = None

    def __post_init__(self) -> None:
        if self.data is None and self.url is None:
            raise ValueError("an Attachment needs data (bytes) or a url")
        if self.mime_type is None and self.data is not None:
            object.__setattr__(self, "mime_type", sniff_mime_type(self.data))

    @property
    def kind(self) -> str:
        """``image``, ``pdf``, ``audio``, ``text`` or ``file``."""
        mime = self.mime_type or ""
        if mime.startswith("image/"):
            return "image"
        if mime == "application/pdf":
            return "pdf"
        if mime.startswith("audio/"):
            return "audio"
        if mime.startswith("text/") or mime in ("application/json", "application/xml"):
            return "text"
        return "file"

    def data_url(self) -> str:
        """``data:<mime>;base64,...`` for inline data, else the URL itself."""
        if self.data is None:
            return self.url or ""
        encoded = base64.b64encode(self.data).decode("ascii")
        return f"data:{self.mime_type or 'application/octet-stream'};base64,{encoded}"

    def __repr__(self) -> str:
        size = f"{len(self.data)} bytes" if self.data is not None else self.url
        return f"Attachment({self.mime_type or 'unknown type'}, {size})"


def to_attachments(items: object) -> tuple[Attachment, ...]:
    """Paths, URLs, bytes or :class:`Attachment` values as attachments (read eagerly, so a
    missing file fails before any request is sent)."""
    from pathlib import Path

    if isinstance(items, (str, bytes, Path, Attachment)):
        items = [items]
    if not isinstance(items, (list, tuple)):
        raise TypeError("attachments must be a list of paths, URLs, bytes or pyllm.Attachment")
    result: list[Attachment] = []
    for item in items:
        if isinstance(item, Attachment):
            result.append(item)
        elif isinstance(item, (bytes, bytearray)):
            result.append(Attachment(data=bytes(item)))
        elif isinstance(item, str) and item.startswith(("http://", "https://")):
            result.append(Attachment(url=item))
        elif isinstance(item, (str, Path)):
            path = Path(item)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise FileNotFoundError(f"attachment not found: {path}") from None
            result.append(Attachment(data=data, filename=path.name))
        else:
            raise TypeError(f"cannot attach a {type(item).__name__}: use a path, URL or bytes")
    return tuple(result)
