"""Replay recorded vision, PDF, text-file and tool-attachment exchanges.

Local files are written from the recorded bytes; remote files are served by the fake server at
the recorded path, so pyllm really downloads them (only the host differs from the recording).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import pyllm
from pyllm.testing import Reply

from ._cassettes import Interaction, api_calls, load, serve

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter


def data_of(url: str) -> bytes:
    return base64.b64decode(url.split(",", 1)[1])


def parts(item: Interaction, message: int = -1) -> list[dict[str, Any]]:
    content = [m for m in item.request_body["messages"] if m["role"] == "user"][message]["content"]
    assert isinstance(content, list)
    return content


def serve_downloads(server: FakeOpenRouter, interactions: list[Interaction]) -> dict[str, str]:
    """Serve the recorded downloads; returns recorded URL -> local URL."""
    urls = {}
    for item in interactions:
        if "openrouter.ai" in item.uri:
            continue
        path = "/" + item.uri.split("://", 1)[1].split("/", 1)[1]
        server.reply(
            Reply(body=item.body, content_type=item.headers.get("Content-Type", "")), path=path
        )
        urls[item.uri] = server.url.rsplit("/api/v1", 1)[0] + path
    return urls


def final_answer(item: Interaction) -> str:
    return json.loads(item.body)["choices"][0]["message"]["content"]


def test_local_image(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = api_calls(
        load("chat_vision_models_openrouter_claude-haiku-4-5_can_understand_local_images.yml")
    )
    serve(server, interactions)
    recorded = parts(interactions[0])
    image = tmp_path / "ruby.png"
    image.write_bytes(data_of(recorded[1]["image_url"]["url"]))
    reply = server.chat("anthropic/claude-haiku-4.5").ask(recorded[0]["text"], attachments=[image])
    assert server.requests[0].json["messages"] == interactions[0].request_body["messages"]
    assert reply.content == final_answer(interactions[0])


def test_remote_image_without_extension_is_sniffed_and_sent_by_url(server: FakeOpenRouter) -> None:
    interactions = load(
        "chat_vision_models_openrouter_claude-haiku-4-5_can_understand_remote_images_without_extension.yml"
    )
    urls = serve_downloads(server, interactions)
    serve(server, api_calls(interactions))
    local = urls["https://httpbin.org/image/jpeg"]
    reply = server.chat("anthropic/claude-haiku-4.5").ask(
        "What do you see in this image?", attachments=[local]
    )
    assert [r.path for r in server.requests] == ["/image/jpeg", "/api/v1/chat/completions"]
    assert (
        "authorization" not in server.requests[0].headers
    )  # the API key never goes to a file host
    sent = server.requests[1].json["messages"]
    recorded = api_calls(interactions)[0].request_body["messages"]
    assert json.loads(json.dumps(sent).replace(local, "https://httpbin.org/image/jpeg")) == recorded
    assert reply.content == final_answer(api_calls(interactions)[0])


def test_pdf_then_follow_up(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = api_calls(
        load("chat_pdf_models_openrouter_gemini-2_5-flash_understands_pdfs.yml")
    )
    serve(server, interactions)
    recorded = parts(interactions[0])
    pdf = tmp_path / recorded[1]["file"]["filename"]
    pdf.write_bytes(data_of(recorded[1]["file"]["file_data"]))
    chat = server.chat("google/gemini-2.5-flash")
    chat.ask(recorded[0]["text"], attachments=[str(pdf)])
    reply = chat.ask("go on")
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json["messages"] == item.request_body["messages"]
    assert reply.content == final_answer(interactions[1])


@pytest.mark.parametrize("forced", ["per attachment", "per client"])
def test_remote_pdfs_are_downloaded_and_embedded_when_asked(
    server: FakeOpenRouter, forced: str
) -> None:
    """ruby_llm downloaded these PDFs and sent their bytes; pyllm does when told to (OpenRouter
    would otherwise get the URL: see test_remote_pdfs_go_as_their_url)."""
    interactions = load("chat_pdf_models_openrouter_gemini-2_5-flash_handles_multiple_pdfs.yml")
    urls = serve_downloads(server, interactions)
    serve(server, api_calls(interactions))
    local = urls["https://pdfobject.com/pdf/sample.pdf"]
    if forced == "per attachment":
        chat = server.chat("google/gemini-2.5-flash")
        pdf: Any = pyllm.Attachment(local, download=True)
    else:
        chat = server.chat("google/gemini-2.5-flash", download_attachments=True)
        pdf = local
    chat.ask("Compare these documents", attachments=[pdf, pdf])
    chat.ask("go on")
    assert [r.path for r in server.requests].count("/pdf/sample.pdf") == 1  # one download per URL
    sent = [r for r in server.requests if r.path.endswith("/chat/completions")]
    for request, item in zip(sent, api_calls(interactions), strict=True):
        assert request.json["messages"] == item.request_body["messages"]


def test_remote_pdfs_go_as_their_url(server: FakeOpenRouter) -> None:
    """The same conversation as OpenRouter accepts it by default: the PDF's URL in the ``file``
    part, and no request at all to the file's host (here the fake server, which serves it)."""
    interactions = load("chat_pdf_models_openrouter_gemini-2_5-flash_handles_multiple_pdfs.yml")
    local = serve_downloads(server, interactions)["https://pdfobject.com/pdf/sample.pdf"]
    serve(server, api_calls(interactions))
    chat = server.chat("google/gemini-2.5-flash")
    reply = chat.ask("Compare these documents", attachments=[local, local])
    assert [r.path for r in server.requests] == ["/api/v1/chat/completions"]
    recorded = parts(api_calls(interactions)[0])
    sent = server.requests[0].json["messages"][0]["content"]
    assert sent[0] == recorded[0]  # the text
    assert [p["file"] for p in sent[1:]] == [
        {"filename": "sample.pdf", "file_data": local},
        {"filename": "sample.pdf", "file_data": local},
    ]
    assert reply.content == final_answer(api_calls(interactions)[0])


def test_mixed_files_are_detected_by_content(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = api_calls(
        load(
            "chat_pdf_models_openrouter_gemini-2_5-flash_can_handle_array_of_mixed_files_with_auto-detection.yml"
        )
    )
    serve(server, interactions)
    recorded = parts(interactions[0])
    image = tmp_path / "no-extension"  # the bytes say PNG, whatever the name says
    image.write_bytes(data_of(recorded[1]["image_url"]["url"]))
    pdf_bytes = data_of(recorded[2]["file"]["file_data"])
    pdf = pyllm.Attachment(data=pdf_bytes, filename="sample.pdf")
    server.chat("google/gemini-2.5-flash").ask(recorded[0]["text"], attachments=[image, pdf])
    assert server.requests[0].json["messages"] == interactions[0].request_body["messages"]


def test_text_files_local_and_xml(server: FakeOpenRouter, tmp_path: Path) -> None:
    interactions = api_calls(
        load("chat_text_models_openrouter_claude-haiku-4-5_can_understand_text.yml")
    )
    serve(server, interactions)
    (tmp_path / "ruby.txt").write_text("Ruby is the best.")
    (tmp_path / "ruby.xml").write_text("<truism>Ruby is the best</truism>")
    chat = server.chat("anthropic/claude-haiku-4.5")
    chat.ask("What's in this file?", attachments=[tmp_path / "ruby.txt"])
    chat.ask("and in this one?", attachments=[tmp_path / "ruby.xml"])
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json["messages"] == item.request_body["messages"]


def test_remote_text_is_downloaded_and_inlined(server: FakeOpenRouter) -> None:
    interactions = load(
        "chat_text_models_openrouter_claude-haiku-4-5_can_understand_remote_text.yml"
    )
    urls = serve_downloads(server, interactions)
    serve(server, api_calls(interactions))
    local = urls["https://www.ruby-lang.org/en/about/license.txt"]
    server.chat("anthropic/claude-haiku-4.5").ask("What's in this file?", attachments=[local])
    assert (
        server.requests[1].json["messages"] == api_calls(interactions)[0].request_body["messages"]
    )


FILES: dict[str, pyllm.Content] = {}


@pyllm.tool
def image_fetch() -> pyllm.Content:
    """Fetches the requested image"""
    return FILES["image_fetch"]


@pyllm.tool
def pdf_fetch() -> pyllm.Content:
    """Fetches the requested PDF report"""
    return FILES["pdf_fetch"]


@pyllm.tool
def file_fetch() -> pyllm.Content:
    """Fetches the requested file"""
    return FILES["file_fetch"]


def _tool_cassette(server: FakeOpenRouter, name: str, tool: Any, content: pyllm.Content) -> None:
    interactions = api_calls(load(name))
    serve(server, interactions)
    FILES[tool.name] = content
    first = interactions[0].request_body
    chat = server.chat(first["model"]).with_tools(tool)
    reply = chat.ask(first["messages"][0]["content"])
    for sent, item in zip(server.requests, interactions, strict=True):
        assert sent.json["messages"] == item.request_body["messages"]
    assert reply.content == final_answer(interactions[-1])


def test_images_returned_from_tools(server: FakeOpenRouter) -> None:
    name = "chat_multimodal_tool_attachments_openrouter_gemini-2_5-flash_describes_images_returned_from_tools.yml"
    recorded = parts(api_calls(load(name))[1])
    image = pyllm.Attachment(data=data_of(recorded[1]["image_url"]["url"]))
    _tool_cassette(server, name, image_fetch, pyllm.Content("Fetched the image.", [image]))


def test_pdfs_returned_from_tools(server: FakeOpenRouter) -> None:
    name = "chat_multimodal_tool_attachments_openrouter_gemini-2_5-flash_reads_pdfs_returned_from_tools.yml"
    recorded = parts(api_calls(load(name))[1])
    pdf = pyllm.Attachment(data=data_of(recorded[1]["file"]["file_data"]), filename="sample.pdf")
    _tool_cassette(server, name, pdf_fetch, pyllm.Content("Fetched the report.", [pdf]))


def test_text_and_files_returned_from_tools(server: FakeOpenRouter) -> None:
    name = "chat_tool_attachments_openrouter_claude-haiku-4-5_returns_text_and_attachments_from_tools.yml"
    text_file = pyllm.Attachment(data=b"Ruby is the best.", filename="ruby.txt")
    _tool_cassette(server, name, file_fetch, pyllm.Content("Fetched the file.", [text_file]))


def test_string_results_with_an_image_keep_the_string(server: FakeOpenRouter) -> None:
    """ruby_llm inlined this tool's image in the tool message; pyllm sends the text as the tool
    result and the image in a user message right after the round (every provider accepts that).
    The string and the image bytes must both arrive unchanged."""
    name = "chat_string_tool_results_openrouter_claude-haiku-4-5_preserves_strings_returned_from_tools.yml"
    interactions = api_calls(load(name))
    serve(server, interactions)
    recorded_result = next(
        m for m in interactions[1].request_body["messages"] if m["role"] == "tool"
    )["content"]
    image_url = recorded_result[1]["image_url"]["url"]

    @pyllm.tool
    def content_returning(query: str) -> pyllm.Content:
        """Returns a Content object with text and attachments"""
        return pyllm.Content(f"Processed: {query}", [pyllm.Attachment.from_url(image_url)])

    chat = server.chat("anthropic/claude-haiku-4.5").with_tools(content_returning)
    reply = chat.ask("Process this query: test data")
    sent = server.requests[1].json["messages"]
    assert sent[2] == {
        "role": "tool",
        "tool_call_id": sent[1]["tool_calls"][0]["id"],
        "content": recorded_result[0]["text"],
    }
    assert sent[3]["content"][1] == recorded_result[1]  # the same image, byte for byte
    assert reply.content == final_answer(interactions[1])
