"""Attachments: images, PDFs, audio, video and text files sent with (or returned in) a message.
Pure (a path given to :class:`Attachment` is read when the attachment is made).

The MIME type comes from the content's first bytes, then from the file name:

>>> a = Attachment(data=b"%PDF-1.7 ...", filename="notes.txt")   # the bytes win over the name
>>> a.mime_type, a.kind
('application/pdf', 'pdf')
>>> Attachment(data=b"name,age\\nAda,36\\n", filename="people.csv").mime_type
'text/csv'
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from ._mime import EXTENSIONS, is_data_url, is_url, kind_of, mime_from_name, sniff_mime_type
from .errors import AttachmentError

__all__ = [
    "IMAGE_URLS",
    "VIDEO_TYPES",
    "Attachment",
    "Content",
    "sniff_mime_type",
    "to_attachments",
]

VIDEO_TYPES = ("video/mp4", "video/webm", "video/quicktime", "video/mpeg")
"""The videos pyllm sends (MP4, WebM, MOV, MPEG), as ``video_url`` parts."""

IMAGE_URLS = frozenset({"image"})
"""The kinds of remote file a provider fetches itself unless it says more
(``Provider.url_attachments``): images. Others are downloaded and sent as bytes."""

MAX_BYTES: dict[str, int] = {
    "image": 20_000_000,
    "pdf": 32_000_000,
    "audio": 25_000_000,
    "text": 10_000_000,
    "video": 50_000_000,
}
"""The largest attachment of each kind pyllm sends (providers reject bigger ones anyway)."""


@dataclass(frozen=True, slots=True, init=False)
class Attachment:
    """A file as bytes (``data``) or by reference (``url``), with its MIME type.

    The first argument may also be a URL or a local path (read now):
    ``Attachment("https://example.com/talk.mp4")``. A remote file goes to providers that fetch
    files themselves (OpenRouter: images, PDFs, video) as its URL, without pyllm requesting it;
    ``download=True`` makes pyllm download it and send the bytes instead (say, when the file's
    host only answers your network).

    >>> Attachment(url="https://example.com/cat.jpg").kind
    'image'
    >>> Attachment("https://example.com/report.pdf", download=True).download
    True
    """

    data: bytes | None
    url: str | None
    mime_type: str | None
    filename: str | None
    download: bool

    def __init__(
        self,
        data: bytes | str | os.PathLike[str] | None = None,
        url: str | None = None,
        mime_type: str | None = None,
        filename: str | None = None,
        download: bool = False,
    ) -> None:
        if isinstance(data, (str, os.PathLike)):
            if url is not None:
                raise TypeError("give the file as a URL or path, or as url=..., not both")
            given = _from_text(data)
            data, url = given.data, given.url
            mime_type, filename = mime_type or given.mime_type, filename or given.filename
        if data is None and url is None:
            raise ValueError("an Attachment needs data (bytes), a url or a path")
        if not isinstance(download, bool):
            raise TypeError(f"download must be True or False, got {download!r}")
        _set = object.__setattr__
        _set(self, "data", data)
        _set(self, "url", url)
        _set(self, "filename", filename)
        _set(self, "download", download)
        if mime_type is None:
            sniffed = sniff_mime_type(data) if data is not None else None
            named = mime_from_name(filename) or mime_from_name(url)
            if sniffed == "text/plain" and named and kind_of(named) == "text":
                sniffed = named  # plain text: the name tells CSV from Markdown
            mime_type = sniffed or named
        _set(self, "mime_type", mime_type)

    @classmethod
    def from_url(cls, url: str) -> Attachment:
        """A remote URL, or a ``data:`` URL decoded into bytes."""
        if not is_data_url(url):
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

    def downloaded(
        self, data: bytes, content_type: str | None, url_kinds: frozenset[str] = IMAGE_URLS
    ) -> Attachment:
        """This remote attachment once fetched: a kind in ``url_kinds`` (what the provider
        fetches itself) keeps its URL, unless ``download`` was asked for; anything else
        travels as the downloaded bytes."""
        header = (content_type or "").split(";", 1)[0].strip().lower() or None
        sniffed = sniff_mime_type(data)
        mime = (
            sniffed
            if sniffed not in (None, "text/plain")
            else (header if header not in (None, "application/octet-stream") else sniffed)
        )
        if sniffed == "text/plain" and kind_of(mime_from_name(self.url)) == "text":
            mime = mime_from_name(self.url)
        if not self.download and kind_of(mime) in url_kinds:
            return Attachment(url=self.url, mime_type=mime, filename=self.filename)
        return Attachment(
            data=data,
            url=self.url,
            mime_type=mime,
            filename=self.filename or self.name,
            download=self.download,
        )

    def by_url(self, url_kinds: frozenset[str]) -> bool:
        """Whether this attachment goes to the provider as its URL, never requested by pyllm:
        remote, of a kind in ``url_kinds`` (what the provider fetches itself), and
        ``download`` not asked for.

        >>> pdf = Attachment(url="https://example.com/a.pdf")
        >>> pdf.by_url(frozenset({"image", "pdf"})), pdf.by_url(frozenset({"image"}))
        (True, False)
        """
        return self.data is None and not self.download and self.kind in url_kinds

    def needs_download_for(self, url_kinds: frozenset[str]) -> bool:
        """Remote and not sent by URL (:meth:`by_url`): pyllm fetches it first, to learn what
        it is (a URL whose name says nothing) and to send its bytes."""
        return self.data is None and not self.by_url(url_kinds)

    @property
    def needs_download(self) -> bool:
        """:meth:`needs_download_for` a provider that fetches only images itself."""
        return self.needs_download_for(IMAGE_URLS)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Attachment:
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
        if self.url and not is_data_url(self.url):
            last = PurePosixPath(urlparse(self.url).path).name
            if last:
                return last
        extension = next((e for e, m in EXTENSIONS.items() if m == self.mime_type), "")
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
        unknown = kind == "file" and not (self.is_remote and self.mime_type is None)
        if unknown or (kind == "video" and self.mime_type not in VIDEO_TYPES):
            raise AttachmentError(
                f"cannot send {self.name} ({self.mime_type or 'unknown type'}): pyllm sends images "
                "(PNG, JPEG, GIF, WebP), PDFs, audio (WAV, MP3, FLAC, OGG, M4A), video (MP4, "
                "WebM, MOV, MPEG) and text files"
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
        forced = ", download=True" if self.download and self.data is None else ""
        return f"Attachment({self.mime_type or 'unknown type'}, {size}{forced})"


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


def _from_text(given: str | os.PathLike[str]) -> Attachment:
    """A URL (``data:`` URLs decoded) or a local path (read now) as an attachment."""
    if isinstance(given, str) and is_url(given):
        return Attachment.from_url(given)
    return Attachment.from_path(given)


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
