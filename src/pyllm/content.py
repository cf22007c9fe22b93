"""Attachments: images, PDFs, audio and text files sent with (or returned in) a message. Pure.

The MIME type comes from the content's first bytes, then from the file name:

>>> a = Attachment(data=b"%PDF-1.7 ...", filename="notes.txt")   # the bytes win over the name
>>> a.mime_type, a.kind
('application/pdf', 'pdf')
>>> Attachment(data=b"name,age\\nAda,36\\n", filename="people.csv").mime_type
'text/csv'
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from .errors import AttachmentError

__all__ = ["Attachment", "Content", "sniff_mime_type", "to_attachments"]

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
)

_EXTENSIONS: dict[str, str] = {
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
}

MAX_BYTES: dict[str, int] = {
    "image": 20_000_000,
    "pdf": 32_000_000,
    "audio": 25_000_000,
    "text": 10_000_000,
}
"""The largest attachment of each kind pyllm sends (providers reject bigger ones anyway)."""

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
        return "audio/mp4" if data[8:11] in (b"M4A", b"M4B") else "video/mp4"
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


def _is_data_url(text: str) -> bool:
    return text[:5].lower() == "data:"


def mime_from_name(name: str | None) -> str | None:
    """The MIME type a file name or URL path suggests (``None`` when it says nothing)."""
    if not name:
        return None
    suffix = PurePosixPath(urlparse(name).path if "://" in name else name).suffix.lower()
    return _EXTENSIONS.get(suffix)


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


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file as bytes (``data``) or by reference (``url``), with its MIME type.

    >>> Attachment(url="https://example.com/cat.jpg").kind
    'image'
    """

    data: bytes | None = None
    url: str | None = None
    mime_type: str | None = None
    filename: str | None = None

    def __post_init__(self) -> None:
        if self.data is None and self.url is None:
            raise ValueError("an Attachment needs data (bytes) or a url")
        if self.mime_type is None:
            sniffed = sniff_mime_type(self.data) if self.data is not None else None
            named = mime_from_name(self.filename) or mime_from_name(self.url)
            if sniffed == "text/plain" and named and kind_of(named) == "text":
                sniffed = named  # plain text: the name tells CSV from Markdown
            object.__setattr__(self, "mime_type", sniffed or named)

    @classmethod
    def from_url(cls, url: str) -> Attachment:
        """A remote URL, or a ``data:`` URL decoded into bytes."""
        if not _is_data_url(url):
            return cls(url=url)
        header, _, payload = url.partition(",")
        mime = header[5:].split(";", 1)[0] or None
        try:
            data = (
                base64.b64decode(payload, validate=True)
                if ";base64" in header.lower()
                else payload.encode()
            )
        except ValueError:
            raise AttachmentError(f"the data URL is not valid base64: {url[:40]}...") from None
        if not data:
            raise AttachmentError("the data URL holds no data")
        return cls(data=data, mime_type=mime)

    def downloaded(self, data: bytes, content_type: str | None) -> Attachment:
        """This remote attachment once fetched: images keep their URL (providers fetch them),
        anything else travels as the downloaded bytes."""
        header = (content_type or "").split(";", 1)[0].strip().lower() or None
        sniffed = sniff_mime_type(data)
        mime = (
            sniffed
            if sniffed not in (None, "text/plain")
            else (header if header not in (None, "application/octet-stream") else sniffed)
        )
        if sniffed == "text/plain" and kind_of(mime_from_name(self.url)) == "text":
            mime = mime_from_name(self.url)
        if kind_of(mime) == "image":
            return Attachment(url=self.url, mime_type=mime, filename=self.filename)
        return Attachment(
            data=data, url=self.url, mime_type=mime, filename=self.filename or self.name
        )

    @property
    def needs_download(self) -> bool:
        """Remote and not an image by its name: fetch it to learn what it is and to send it."""
        return self.is_remote and self.kind != "image"

    @classmethod
    def from_path(cls, path: str | Path) -> Attachment:
        """Read a local file now (a missing or unreadable file fails before any request)."""
        location = Path(path).expanduser()
        try:
            data = location.read_bytes()
        except FileNotFoundError:
            raise AttachmentError(f"attachment not found: {location} (from {Path.cwd()})") from None
        except IsADirectoryError:
            raise AttachmentError(f"attachment is a directory, not a file: {location}") from None
        except OSError as exc:
            raise AttachmentError(
                f"cannot read attachment {location}: {exc.strerror or exc}"
            ) from None
        return cls(data=data, filename=location.name)

    @property
    def kind(self) -> str:
        """``image``, ``pdf``, ``audio``, ``video``, ``text`` or ``file``."""
        return kind_of(self.mime_type)

    @property
    def is_remote(self) -> bool:
        return self.data is None

    @property
    def name(self) -> str:
        """A file name to show the model (from the path or URL, else from the type)."""
        if self.filename:
            return self.filename
        if self.url and not _is_data_url(self.url):
            last = PurePosixPath(urlparse(self.url).path).name
            if last:
                return last
        extension = next((e for e, m in _EXTENSIONS.items() if m == self.mime_type), "")
        return f"{self.kind}{extension}"

    @property
    def text(self) -> str:
        """The content of a text attachment (UTF-8, undecodable bytes replaced)."""
        return (self.data or b"").decode("utf-8", "replace")

    def data_url(self) -> str:
        """``data:<mime>;base64,...`` for inline data, else the URL itself."""
        if self.data is None:
            return self.url or ""
        encoded = base64.b64encode(self.data).decode("ascii")
        return f"data:{self.mime_type or 'application/octet-stream'};base64,{encoded}"

    def check(self) -> Attachment:
        """Raise :class:`~pyllm.AttachmentError` if pyllm cannot send this attachment."""
        kind = self.kind
        if kind in ("file", "video") and not (self.is_remote and self.mime_type is None):
            raise AttachmentError(
                f"cannot send {self.name} ({self.mime_type or 'unknown type'}): pyllm sends images "
                "(PNG, JPEG, GIF, WebP), PDFs, audio (WAV, MP3, FLAC, OGG, M4A) and text files"
            )
        limit = MAX_BYTES.get(kind)
        if limit is not None and self.data is not None and len(self.data) > limit:
            raise AttachmentError(
                f"{self.name} is {len(self.data) / 1e6:.1f} MB; the largest {kind} pyllm sends is "
                f"{limit / 1e6:.0f} MB"
            )
        return self

    def __repr__(self) -> str:
        size = f"{len(self.data)} bytes" if self.data is not None else self.url
        return f"Attachment({self.mime_type or 'unknown type'}, {size})"


@dataclass(frozen=True, slots=True)
class Content:
    """Text plus files: what a tool returns when it has attachments for the model.

    >>> chart = Attachment(data=b"\\x89PNG\\r\\n\\x1a\\n...")
    >>> Content("Here is the chart.", [chart]).attachments[0].kind
    'image'
    """

    text: str = ""
    attachments: Sequence[Any] = field(default_factory=tuple)
    local_paths: tuple[Path, ...] = field(default=(), init=False, repr=False, compare=False)
    """The local files named by plain paths (``str`` or ``Path``) among ``attachments``. A tool
    result sends them only when the chat allows them (``with_tools(allow_files=...)``)."""

    def __post_init__(self) -> None:
        given = self.attachments
        files = to_attachments(given)
        items = [given] if isinstance(given, (str, bytes, bytearray, Path, Attachment)) else given
        named = tuple(
            Path(item).expanduser()
            for item, file in zip(items, files, strict=True)
            if isinstance(item, (str, Path)) and file.url is None and file.filename is not None
        )  # read from disk: a URL keeps its url, a data: URL has no file name
        object.__setattr__(self, "attachments", files)
        object.__setattr__(self, "local_paths", named)


def to_attachments(items: object) -> tuple[Attachment, ...]:
    """Paths, URLs, bytes or :class:`Attachment` values as attachments, checked now so a bad one
    fails before any request is sent."""
    if isinstance(items, (str, bytes, bytearray, Path, Attachment)):
        items = [items]
    if not isinstance(items, (list, tuple)):
        raise TypeError("attachments must be a list of paths, URLs, bytes or pyllm.Attachment")
    result: list[Attachment] = []
    for item in items:
        if isinstance(item, Attachment):
            attachment = item
        elif isinstance(item, (bytes, bytearray)):
            if not item:
                raise AttachmentError("an attachment given as bytes is empty")
            attachment = Attachment(data=bytes(item))
        elif isinstance(item, str) and is_url(item):
            attachment = Attachment.from_url(item)
        elif isinstance(item, (str, Path)):
            attachment = Attachment.from_path(item)
        else:
            raise TypeError(
                f"cannot attach a {type(item).__name__}: use a path, URL, bytes or pyllm.Attachment"
            )
        result.append(attachment.check())
    return tuple(result)
