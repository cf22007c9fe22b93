"""Embeddings, paint and attachments end to end, including every bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import pyllm
from pyllm import content
from pyllm.testing import FakeOpenRouter, Reply, error, text, tool_call
from pyllm.testing._media import TINY_PNG, embeddings_reply, fake_vector

# ---- embeddings -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_many_texts_are_batched_and_come_back_in_order(server: FakeOpenRouter, mode: str) -> None:
    texts = [f"text number {i}" for i in range(1050)]
    client = server.client()
    seen: list[tuple[int, int]] = []
    kwargs: dict[str, Any] = {
        "batch_size": 100,
        "concurrency": 3,
        "progress": lambda done, total: seen.append((done, total)),
    }
    emb = (
        client.embed(texts, **kwargs)
        if mode == "sync"
        else asyncio.run(client.aembed(texts, **kwargs))
    )
    assert emb.vectors == [fake_vector(t) for t in texts]
    assert len(server.requests) == 11
    assert sorted(len(r.json["input"]) for r in server.requests) == [50] + [100] * 10
    assert seen[-1] == (1050, 1050) and len(seen) == 11
    assert emb.input_tokens == 3 * 1050
    assert emb.cost == pytest.approx(sum(r * 2e-8 for r in [300] * 10 + [150]))


def test_progress_bar_on_stderr(server: FakeOpenRouter, capsys: pytest.CaptureFixture[str]) -> None:
    server.client().embed(["a", "b", "c"], batch_size=1, progress=True)
    err = capsys.readouterr().err
    assert "embedding [" in err and "3/3" in err


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_failed_batch_says_which_inputs_were_embedded(server: FakeOpenRouter, mode: str) -> None:
    def flaky(request: Any) -> Reply:
        if "poison" in request.json["input"]:
            return error(503, "this batch keeps failing")
        return embeddings_reply(request.json)

    server.route("/embeddings", flaky)
    texts = ["ok 0", "ok 1", "poison", "ok 3", "ok 4", "ok 5"]
    client = server.client(max_retries=2, retry_backoff=0.01)
    run = client.embed if mode == "sync" else (lambda t, **k: asyncio.run(client.aembed(t, **k)))
    with pytest.raises(pyllm.IncompleteEmbeddingError) as caught:
        run(texts, batch_size=2)
    error_ = caught.value
    assert error_.embedded == (0, 1, 4, 5) and error_.failed == (2, 3)
    assert error_.vectors[0] == fake_vector("ok 0") and error_.vectors[2] is None
    assert isinstance(error_.__cause__, pyllm.ServiceUnavailableError)
    assert "embedded 4 of 6 inputs; inputs 2-3 failed" in str(error_)
    poisoned = [r for r in server.requests if "poison" in r.json["input"]]
    assert len(poisoned) == 3  # retried per the retry policy first


def test_a_single_failing_batch_raises_its_own_error(server: FakeOpenRouter) -> None:
    server.reply(error(401, "bad key"), path="/embeddings")
    with pytest.raises(pyllm.AuthenticationError):
        server.client().embed("hello")


@pytest.mark.parametrize(
    ("value", "kwargs", "exc", "match"),
    [
        ("", {}, ValueError, "empty string"),
        ("   ", {}, ValueError, "empty string"),
        ([], {}, ValueError, "empty list"),
        (["a", ""], {}, ValueError, "input 1 is an empty string"),
        (["a", 3], {}, TypeError, "input 1 is a int"),
        (42, {}, TypeError, "string or a list of strings"),
        ("a", {"dimensions": 0}, ValueError, "dimensions"),
        ("a", {"batch_size": -1}, ValueError, "batch_size"),
    ],
)
def test_bad_embedding_inputs_fail_before_any_request(
    server: FakeOpenRouter, value: Any, kwargs: dict[str, Any], exc: type, match: str
) -> None:
    with pytest.raises(exc, match=match):
        server.client().embed(value, **kwargs)
    assert server.requests == []


def test_module_level_embed_uses_the_default_client(server: FakeOpenRouter) -> None:
    pyllm.configure(openrouter_api_key="sk-or-x", openrouter_base_url=server.url)
    try:
        assert pyllm.embed("hi").vectors == fake_vector("hi")
        assert pyllm.paint("a kite").data == TINY_PNG
    finally:
        pyllm.default_client().close()
        pyllm.client._default = None


# ---- paint ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_paint_through_chat_completions(server: FakeOpenRouter, mode: str, tmp_path: Path) -> None:
    client = server.client()
    reference = tmp_path / "ref.png"
    reference.write_bytes(TINY_PNG)
    kwargs = {
        "model": "google/gemini-2.5-flash-image",
        "size": "1920x1080",
        "n": 2,
        "attachments": [reference],
    }
    images = (
        client.paint("a red kite", **kwargs)
        if mode == "sync"
        else asyncio.run(client.apaint("a red kite", **kwargs))
    )
    assert isinstance(images, list) and len(images) == 2
    assert all(
        i.data == TINY_PNG and i.mime_type == "image/png" and i.text == "Here is your image."
        for i in images
    )
    sent = server.requests[0].json
    assert sent["modalities"] == ["image", "text"]
    assert sent["image_config"] == {"aspect_ratio": "16:9"}
    assert sent["messages"][0]["content"][0] == {"type": "text", "text": "a red kite"}
    assert sent["messages"][0]["content"][1]["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )
    assert len(server.requests) == 2  # one image per chat request


def test_paint_options_are_merged_into_the_payload(server: FakeOpenRouter) -> None:
    server.client().paint(
        "x", model="openai/gpt-image-1", endpoint="images", quality="high", size="1024x1024"
    )
    assert server.requests[0].json == {
        "model": "openai/gpt-image-1",
        "prompt": "x",
        "size": "1024x1024",
        "quality": "high",
    }


def test_a_chat_answer_without_an_image_is_a_clear_error(server: FakeOpenRouter) -> None:
    server.reply(text("I cannot draw that."))
    with pytest.raises(
        pyllm.InvalidResponseError, match="answered without an image: I cannot draw that"
    ):
        server.client().paint("x", model="google/gemini-2.5-flash-image")


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"prompt": ""}, ValueError, "needs a prompt"),
        ({"prompt": "x", "n": 0}, ValueError, "positive"),
        ({"prompt": "x", "size": "big"}, ValueError, "1024x1024"),
        ({"prompt": "x", "endpoint": "fax"}, ValueError, "'chat' or 'images'"),
    ],
)
def test_bad_paint_inputs(
    server: FakeOpenRouter, kwargs: dict[str, Any], exc: type, match: str
) -> None:
    with pytest.raises(exc, match=match):
        server.client().paint(**kwargs)
    assert server.requests == []


def test_an_image_given_only_as_url_cannot_be_saved(tmp_path: Path) -> None:
    image = pyllm.Image(data=None, mime_type="image/png", url="https://example.com/x.png")
    with pytest.raises(ValueError, match="only a URL"):
        image.save(tmp_path / "x.png")


# ---- attachments ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_attachments_in_every_mode(server: FakeOpenRouter, mode: str, tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Notes\nBuy milk.")
    chat = server.chat("google/gemini-2.5-flash")  # reads images and audio
    files: list[Any] = [
        tmp_path / "notes.md",
        TINY_PNG,
        pyllm.Attachment(data=b"RIFF\x00\x00\x00\x00WAVEfmt ", filename="a.wav"),
    ]
    if mode == "sync":
        chat.ask("Describe", attachments=files)
    elif mode == "async":
        asyncio.run(chat.aask("Describe", attachments=files))
    else:
        list(chat.stream("Describe", attachments=files))
    sent = server.requests[0].json["messages"][0]["content"]
    assert sent[0] == {"type": "text", "text": "Describe"}
    assert sent[1] == {
        "type": "text",
        "text": "<file name='notes.md' mime_type='text/markdown'># Notes\nBuy milk.</file>",
    }
    assert sent[2]["type"] == "image_url" and sent[2]["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )
    assert sent[3]["type"] == "input_audio" and sent[3]["input_audio"]["format"] == "wav"
    assert chat.messages[0].attachments[1].kind == "image"


@pytest.mark.parametrize(
    ("item", "match"),
    [
        ("missing.pdf", "attachment not found"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "cannot send"),
        (b"", "empty"),
        ("data:image/png;base64,@@@", "not valid base64"),
    ],
)
def test_bad_attachments_fail_before_any_request(
    server: FakeOpenRouter, item: Any, match: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    chat = server.chat()
    with pytest.raises(pyllm.AttachmentError, match=match):
        chat.ask("look", attachments=[item])
    assert server.requests == [] and chat.messages == []


def test_directories_and_oversized_files_are_refused(
    server: FakeOpenRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(pyllm.AttachmentError, match="is a directory"):
        server.chat().ask("look", attachments=[tmp_path])
    monkeypatch.setitem(content.MAX_BYTES, "image", 10)
    with pytest.raises(pyllm.AttachmentError, match="the largest image pyllm sends is"):
        server.chat().ask("look", attachments=[TINY_PNG])
    assert server.requests == []


def test_a_failed_download_is_an_attachment_error_before_the_chat_request(
    server: FakeOpenRouter,
) -> None:
    server.reply(Reply(status=404, body=b"gone"), path="/files/report.pdf")
    url = server.url.rsplit("/api/v1", 1)[0] + "/files/report.pdf"
    chat = server.chat(download_attachments=True)  # the client downloads every remote file
    with pytest.raises(
        pyllm.AttachmentError, match=r"could not download the attachment .* HTTP 404"
    ):
        chat.ask("summarize", attachments=[url])
    assert [r.path for r in server.requests] == ["/files/report.pdf"]
    assert chat.messages == []


def test_a_tool_can_return_a_bare_attachment(server: FakeOpenRouter) -> None:
    @pyllm.tool
    def chart() -> pyllm.Attachment:
        """Draw the chart."""
        return pyllm.Attachment(data=TINY_PNG)

    server.reply(tool_call("chart"), text("A red dot."))
    chat = server.chat().with_tools(chart)
    assert chat.ask("chart please").content == "A red dot."
    sent = server.requests[1].json["messages"]
    assert sent[2]["content"] == "Returned 1 attachment(s)."
    assert sent[3]["role"] == "user" and sent[3]["content"][1]["type"] == "image_url"
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "assistant"]
    assert chat.messages[2].attachments[0].data == TINY_PNG  # the files stay with their result


@pytest.mark.parametrize(
    ("model", "item", "match"),
    [
        ("deepseek/deepseek-chat", TINY_PNG, r"cannot do that \(vision"),
        ("openai/gpt-4.1-mini", b"RIFF\x00\x00\x00\x00WAVEfmt ", r"cannot do that \(audio_input"),
    ],
)
def test_models_that_cannot_take_the_file_are_refused(
    server: FakeOpenRouter, model: str, item: bytes, match: str
) -> None:
    chat = server.chat(model)
    with pytest.raises(pyllm.UnsupportedError, match=match) as caught:
        chat.ask("look", attachments=[item])
    assert "models that can:" in str(caught.value)
    assert server.requests == [] and chat.messages == []


def test_text_beyond_the_context_window_is_refused(server: FakeOpenRouter) -> None:
    window = server.client().models.find("openai/gpt-4.1-mini", "openrouter").context_window
    assert window is not None
    huge = pyllm.Attachment(data=b"word " * (window // 5 * 4 + 1000), filename="book.txt")
    with pytest.raises(pyllm.AttachmentError, match="pick a model with a larger context window"):
        server.chat("openai/gpt-4.1-mini").ask("summarize", attachments=[huge])
    assert server.requests == []


def test_paint_with_a_text_only_model_names_models_that_can(server: FakeOpenRouter) -> None:
    with pytest.raises(pyllm.UnsupportedError, match="models that can: "):
        server.client().paint("a kite", model="openai/gpt-4.1-mini")
    with pytest.raises(pyllm.UnsupportedError, match="embeddings"):
        server.client().embed("x", model="openai/gpt-4.1-mini")
    assert server.requests == []


def test_image_only_models_go_to_the_images_endpoint(server: FakeOpenRouter) -> None:
    image = server.client().paint("a kite", model="openai/gpt-image-1")
    assert server.requests[-1].path == "/api/v1/images"
    assert image.data is not None and image.data.startswith(b"\x89PNG")


def test_sync_progress_reports_in_order_even_with_a_slow_callback(server: FakeOpenRouter) -> None:
    import time

    for _ in range(5):
        seen: list[int] = []

        def slow(done: int, total: int, seen: list[int] = seen) -> None:
            time.sleep(0.001)
            seen.append(done)

        texts = [f"t{i}" for i in range(1200)]
        server.client().embed(texts, batch_size=100, concurrency=4, progress=slow)
        assert seen == sorted(seen) and seen[-1] == 1200 and len(seen) == 12
