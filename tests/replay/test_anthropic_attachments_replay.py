"""Replay recorded Anthropic vision, PDF, text-file and tool-attachment exchanges.

Local files are written from the recorded bytes; remote files are served by the fake server at
the recorded path, so pyllm really downloads them (only the host differs from the recording).
Images and PDFs go as ``image`` / ``document`` blocks with a base64 source, or a URL source for
remote files; text files are inlined as text blocks.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import pyllm

from ._anthropic import (
    anthropic_calls,
    anthropic_chat,
    expected_answer,
    recorded,
    serve_anthropic,
    serve_downloads,
    without_strict,
)
from .test_attachments_replay import FILES, file_fetch, image_fetch, pdf_fetch

if TYPE_CHECKING:
    from pathlib import Path

    from pyllm.testing import FakeOpenRouter

    from ._cassettes import Interaction

MODEL = "claude-haiku-4-5-20251001"


def user_blocks(item: Interaction, message: int = 0) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        m for m in item.request_body["messages"] if m["role"] == "user"
    ][message]["content"]
    return blocks


def data_of(block: dict[str, Any]) -> bytes:
    return base64.b64decode(block["source"]["data"])


def with_urls(sent: Any, urls: dict[str, str]) -> Any:
    """``sent`` with the fake server's URLs put back to the recorded ones."""
    text = json.dumps(sent)
    for original, local in urls.items():
        text = text.replace(local, original)
    return json.loads(text)


def test_local_image(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = anthropic_calls(
        recorded("chat_vision_models_anthropic_claude-haiku-4-5_can_understand_local_images.yml")
    )
    serve_anthropic(server, interactions)
    blocks = user_blocks(interactions[0])
    image = tmp_path / "ruby.png"
    image.write_bytes(data_of(blocks[1]))
    reply = anthropic_chat(server, MODEL).ask(blocks[0]["text"], attachments=[image])
    assert server.requests[0].json == interactions[0].request_body
    assert reply.content == expected_answer(interactions[0])["text"]


def test_remote_image_without_extension_goes_by_url(server: FakeOpenRouter) -> None:
    interactions = recorded(
        "chat_vision_models_anthropic_claude-haiku-4-5_can_understand_remote_images_without_extension.yml"
    )
    urls = serve_downloads(server, interactions)
    serve_anthropic(server, interactions)
    local = urls["https://httpbin.org/image/jpeg"]
    reply = anthropic_chat(server, MODEL).ask("What do you see in this image?", attachments=[local])
    api = anthropic_calls(interactions)
    assert [r.path for r in server.requests] == ["/image/jpeg", "/api/v1/messages"]
    assert "x-api-key" not in server.requests[0].headers  # the key never goes to a file host
    assert with_urls(server.requests[1].json, urls) == api[0].request_body
    assert reply.content == expected_answer(api[0])["text"]


def test_pdf_then_follow_up(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = anthropic_calls(
        recorded("chat_pdf_models_anthropic_claude-haiku-4-5_understands_pdfs.yml")
    )
    serve_anthropic(server, interactions)
    blocks = user_blocks(interactions[0])
    pdf = tmp_path / "sample.pdf"
    pdf.write_bytes(data_of(blocks[1]))
    chat = anthropic_chat(server, MODEL)
    chat.ask(blocks[0]["text"], attachments=[str(pdf)])
    reply = chat.ask("go on")
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == item.request_body
    assert reply.content == expected_answer(interactions[1])["text"]


def test_local_and_remote_pdfs(server: FakeOpenRouter, tmp_path: Path) -> None:
    """pyllm fetches a remote PDF (to learn what it is) and Anthropic gets it by URL."""
    api = anthropic_calls(
        recorded("chat_pdf_models_anthropic_claude-haiku-4-5_handles_multiple_pdfs.yml")
    )
    serve_anthropic(server, api)
    pdf_bytes = data_of(user_blocks(api[0])[1])
    server.reply(
        pyllm.testing.Reply(body=pdf_bytes, content_type="application/pdf"), path="/pdf/sample.pdf"
    )
    remote = server.url.rsplit("/api/v1", 1)[0] + "/pdf/sample.pdf"
    pdf = tmp_path / "sample.pdf"
    pdf.write_bytes(pdf_bytes)
    chat = anthropic_chat(server, MODEL)
    chat.ask("Compare these documents", attachments=[pdf, remote])
    chat.ask("go on")
    sent = [r for r in server.requests if r.path.endswith("/messages")]
    urls = {"https://pdfobject.com/pdf/sample.pdf": remote}
    for request, item in zip(sent, api, strict=True):
        assert with_urls(request.json, urls) == item.request_body


def test_mixed_files_are_detected_by_content(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = anthropic_calls(
        recorded(
            "chat_pdf_models_anthropic_claude-haiku-4-5_can_handle_array_of_mixed_files_with_auto-detection.yml"
        )
    )
    serve_anthropic(server, interactions)
    blocks = user_blocks(interactions[0])
    image = tmp_path / "no-extension"  # the bytes say PNG, whatever the name says
    image.write_bytes(data_of(blocks[1]))
    pdf = pyllm.Attachment(data=data_of(blocks[2]), filename="sample.pdf")
    anthropic_chat(server, MODEL).ask(blocks[0]["text"], attachments=[image, pdf])
    assert server.requests[0].json == interactions[0].request_body


def test_text_files_local_and_xml(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = anthropic_calls(
        recorded("chat_text_models_anthropic_claude-haiku-4-5_can_understand_text.yml")
    )
    serve_anthropic(server, interactions)
    (tmp_path / "ruby.txt").write_text("Ruby is the best.")
    (tmp_path / "ruby.xml").write_text("<truism>Ruby is the best</truism>")
    chat = anthropic_chat(server, MODEL)
    chat.ask("What's in this file?", attachments=[tmp_path / "ruby.txt"])
    chat.ask("and in this one?", attachments=[tmp_path / "ruby.xml"])
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == item.request_body


def test_remote_text_is_downloaded_and_inlined(server: FakeOpenRouter) -> None:
    interactions = recorded(
        "chat_text_models_anthropic_claude-haiku-4-5_can_understand_remote_text.yml"
    )
    urls = serve_downloads(server, interactions)
    serve_anthropic(server, interactions)
    local = urls["https://www.ruby-lang.org/en/about/license.txt"]
    anthropic_chat(server, MODEL).ask("What's in this file?", attachments=[local])
    assert server.requests[1].json == anthropic_calls(interactions)[0].request_body


def test_a_cited_answer_is_read_whole(server: FakeOpenRouter, tmp_path: Path) -> None:
    """The recording asked for citations (a switch pyllm has no API for on Anthropic); the
    request is otherwise the same, and the answer's cited text blocks join into the content."""
    interactions = anthropic_calls(
        recorded(
            "chat_citations_with_anthropic_claude-haiku-4-5_cites_pdf_documents_with_page_numbers.yml"
        )
    )
    serve_anthropic(server, interactions)
    blocks = user_blocks(interactions[0])
    pdf = tmp_path / "sample.pdf"
    pdf.write_bytes(data_of(blocks[1]))
    reply = anthropic_chat(server, MODEL).ask(blocks[0]["text"], attachments=[pdf])
    document = {k: v for k, v in blocks[1].items() if k not in ("title", "citations")}
    assert server.requests[0].json["messages"][0]["content"] == [blocks[0], document]
    assert reply.content == expected_answer(interactions[0])["text"]
    assert reply.content.startswith('The document is a simple PDF file titled "Sample PDF", and')


def _tool_cassette(server: FakeOpenRouter, name: str, tool: Any, content: pyllm.Content) -> None:
    """A tool's text and files go back inside its ``tool_result`` block, as recorded: every
    request is the recorded one, the files byte for byte."""
    interactions = anthropic_calls(recorded(name))
    serve_anthropic(server, interactions)
    FILES[tool.name] = content
    first = interactions[0].request_body
    reply = (
        anthropic_chat(server, MODEL)
        .with_tools(tool)
        .ask(first["messages"][0]["content"][0]["text"])
    )
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == without_strict(item.request_body)
    assert reply.content == expected_answer(interactions[-1])["text"]


def test_images_returned_from_tools(server: FakeOpenRouter) -> None:
    name = "chat_multimodal_tool_attachments_anthropic_claude-haiku-4-5_describes_images_returned_from_tools.yml"
    result = anthropic_calls(recorded(name))[1].request_body["messages"][-1]["content"][0]
    image = pyllm.Attachment(data=data_of(result["content"][1]))
    _tool_cassette(server, name, image_fetch, pyllm.Content("Fetched the image.", [image]))


def test_pdfs_returned_from_tools(server: FakeOpenRouter) -> None:
    name = "chat_multimodal_tool_attachments_anthropic_claude-haiku-4-5_reads_pdfs_returned_from_tools.yml"
    result = anthropic_calls(recorded(name))[1].request_body["messages"][-1]["content"][0]
    pdf = pyllm.Attachment(data=data_of(result["content"][1]), filename="sample.pdf")
    _tool_cassette(server, name, pdf_fetch, pyllm.Content("Fetched the report.", [pdf]))


def test_text_and_files_returned_from_tools(server: FakeOpenRouter) -> None:
    name = "chat_tool_attachments_anthropic_claude-haiku-4-5_returns_text_and_attachments_from_tools.yml"
    text_file = pyllm.Attachment(data=b"Ruby is the best.", filename="ruby.txt")
    _tool_cassette(server, name, file_fetch, pyllm.Content("Fetched the file.", [text_file]))


def test_string_results_from_tools_go_back_as_text(server: FakeOpenRouter) -> None:
    name = "chat_string_tool_results_anthropic_claude-haiku-4-5_preserves_strings_returned_from_tools.yml"
    interactions = anthropic_calls(recorded(name))
    serve_anthropic(server, interactions)

    @pyllm.tool
    def content_returning(query: str) -> str:
        """Returns a processed string result

        Args:
            query: Query to process
        """
        return f"Processed: {query}"

    chat = anthropic_chat(server, MODEL).with_tools(content_returning)
    reply = chat.ask("Process this query: test data")
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json == without_strict(item.request_body)
    assert reply.content == expected_answer(interactions[-1])["text"]
