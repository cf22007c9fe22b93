"""Video attachments, and remote files sent as their URL or downloaded (per attachment, per
provider kind)."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

import pyllm
from pyllm import Attachment, AttachmentError
from pyllm.content import MAX_BYTES
from pyllm.providers import OpenAICompatible
from pyllm.providers.openrouter import OpenRouter

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "
WEBM = b"\x1aE\xdf\xa3\x9fB\x86\x81\x01"
MPEG = b"\x00\x00\x01\xba\x44\x00\x04\x00"
OPENROUTER_KINDS = OpenRouter.url_attachments


@pytest.mark.parametrize(
    ("data", "mime"),
    [(MP4, "video/mp4"), (MOV, "video/quicktime"), (WEBM, "video/webm"), (MPEG, "video/mpeg")],
)
def test_videos_are_recognised_by_their_bytes_and_sent(data: bytes, mime: str) -> None:
    video = Attachment(data=data, filename="clip.bin").check()
    assert (video.mime_type, video.kind) == (mime, "video")


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("talk.mp4", "video/mp4"),
        ("talk.webm", "video/webm"),
        ("talk.mov", "video/quicktime"),
        ("talk.mpeg", "video/mpeg"),
    ],
)
def test_video_urls_are_recognised_by_their_names(name: str, mime: str) -> None:
    assert Attachment(f"https://cdn.example.com/{name}").mime_type == mime


def test_other_videos_and_oversized_ones_are_refused() -> None:
    with pytest.raises(AttachmentError, match=r"video \(MP4, WebM, MOV, MPEG\)"):
        Attachment(data=b"RIFF....AVI LIST", mime_type="video/x-msvideo").check()
    with pytest.raises(AttachmentError, match="the largest video pyllm sends is 50 MB"):
        Attachment(data=MP4 + bytes(MAX_BYTES["video"])).check()


def test_the_first_argument_may_be_a_url_a_data_url_or_a_path(tmp_path: Path) -> None:
    remote = Attachment("https://example.com/report.pdf", download=True)
    assert (remote.url, remote.data, remote.kind, remote.download) == (
        "https://example.com/report.pdf",
        None,
        "pdf",
        True,
    )
    assert Attachment("data:text/plain;base64,aGk=").data == b"hi"
    (tmp_path / "clip.mp4").write_bytes(MP4)
    local = Attachment(tmp_path / "clip.mp4")
    assert (local.data, local.filename, local.kind) == (MP4, "clip.mp4", "video")
    assert Attachment(str(tmp_path / "clip.mp4"), filename="other.mp4").filename == "other.mp4"
    with pytest.raises(TypeError, match="not both"):
        Attachment("https://example.com/a.pdf", url="https://example.com/b.pdf")
    with pytest.raises(TypeError, match="download must be True or False"):
        Attachment("https://example.com/a.pdf", download="yes")  # type: ignore[arg-type]
    with pytest.raises(AttachmentError, match="not found"):
        Attachment(tmp_path / "missing.mp4")


def test_an_attachment_copies_and_pickles_with_its_download_flag() -> None:
    remote = Attachment("https://example.com/report.pdf", download=True)
    assert pickle.loads(pickle.dumps(remote)) == remote
    assert dataclasses.replace(remote, filename="r.pdf").download is True
    assert "download=True" in repr(remote)


@pytest.mark.parametrize(
    ("url", "kinds", "by_url"),
    [
        ("https://x.example/a.pdf", OPENROUTER_KINDS, True),
        ("https://x.example/a.mp4", OPENROUTER_KINDS, True),
        ("https://x.example/a.png", OPENROUTER_KINDS, True),
        ("https://x.example/a.pdf", frozenset({"image"}), False),  # a provider needing bytes
        ("https://x.example/a.wav", OPENROUTER_KINDS, False),  # audio goes as bytes
        ("https://x.example/a.txt", OPENROUTER_KINDS, False),  # text is inlined
        ("https://x.example/file", OPENROUTER_KINDS, False),  # the name says nothing
    ],
)
def test_which_remote_files_go_as_their_url(url: str, kinds: frozenset[str], by_url: bool) -> None:
    attachment = Attachment(url)
    assert attachment.by_url(kinds) is by_url
    assert attachment.needs_download_for(kinds) is not by_url
    assert Attachment(url, download=True).by_url(kinds) is False  # asked for: downloaded


def test_a_download_keeps_the_url_only_for_kinds_the_provider_fetches() -> None:
    sniffed = Attachment("https://x.example/file").downloaded(MP4, None, OPENROUTER_KINDS)
    assert (sniffed.url, sniffed.data, sniffed.kind) == ("https://x.example/file", None, "video")
    forced = Attachment("https://x.example/a.mp4", download=True).downloaded(
        MP4, "video/mp4", OPENROUTER_KINDS
    )
    assert forced.data == MP4 and forced.download
    bytes_needed = Attachment("https://x.example/a.pdf").downloaded(b"%PDF-1.7", None)
    assert bytes_needed.data == b"%PDF-1.7"  # the default: only images keep their URL


def test_providers_say_what_they_fetch_themselves() -> None:
    assert OpenRouter.url_attachments == frozenset({"image", "pdf", "video"})
    local = OpenAICompatible("local", base_url="http://127.0.0.1:9/v1")
    assert local.url_attachments == frozenset({"image"})
    assert Attachment("https://x.example/a.pdf").needs_download  # the old property still works
    assert not pyllm.Attachment("https://x.example/a.png").needs_download
