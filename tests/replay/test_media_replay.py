"""Replay recorded embeddings and image generation exchanges."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._cassettes import api_calls, client_for, load, serve

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

_EMBEDDING_CASES = [
    "can_handle_a_single_text",
    "can_handle_a_single_text_with_custom_dimensions",
    "can_handle_multiple_texts",
    "can_handle_multiple_texts_with_custom_dimensions",
    "handles_single-string_arrays_consistently",
]
EMBEDDINGS = [
    *(
        f"embedding_basic_functionality_openrouter_openai_text-embedding-3-small_{case}.yml"
        for case in _EMBEDDING_CASES
    ),
    "embedding_provider-reported_cost_openrouter_openai_text-embedding-3-small_returns_the_exact_cost_the_provider_reported.yml",
]
OPENAI_EMBEDDINGS = [
    f"embedding_basic_functionality_openai_text-embedding-3-small_{case}.yml"
    for case in _EMBEDDING_CASES
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("provider", "name"),
    [*(("openrouter", n) for n in EMBEDDINGS), *(("openai", n) for n in OPENAI_EMBEDDINGS)],
    ids=lambda v: v.split("small_")[-1][:-4] if v.endswith(".yml") else v,
)
def test_embeddings(server: FakeOpenRouter, provider: str, name: str, mode: str) -> None:
    item = api_calls(load(name, provider))[0]
    serve(server, [item])
    spec, recorded = item.request_body, item.response_json
    client = client_for(server, provider)
    options: dict[str, Any] = {"dimensions": spec["dimensions"]} if "dimensions" in spec else {}
    if provider != "openrouter":  # OpenRouter is found by its vendor/model id
        options["provider"] = provider
    if mode == "sync":
        emb = client.embed(spec["input"], spec["model"], **options)
    else:
        emb = asyncio.run(client.aembed(spec["input"], spec["model"], **options))
    assert server.requests[0].json == spec  # same model, input (string stays a string), dimensions
    assert server.requests[0].path.endswith("/embeddings")
    expected = [d["embedding"] for d in sorted(recorded["data"], key=lambda d: d["index"])]
    if isinstance(spec["input"], str):
        assert emb.vectors == expected[0]
    else:
        assert emb.vectors == expected
        assert len(emb.vectors) == len(spec["input"])
    assert emb.input_tokens == recorded["usage"]["prompt_tokens"]
    assert emb.cost == recorded["usage"].get("cost")  # OpenAI reports none
    assert emb.model == recorded["model"]  # as the server reported it (without the vendor)


def test_embeddings_are_returned_in_input_order_even_when_the_server_reorders(
    server: FakeOpenRouter,
) -> None:
    item = api_calls(load(EMBEDDINGS[2]))[0]
    body = item.response_json
    body["data"] = list(reversed(body["data"]))
    from pyllm.testing import Reply

    server.reply(Reply(body=json.dumps(body).encode()), path="/embeddings")
    emb = server.client().embed(item.request_body["input"], item.request_body["model"])
    original = sorted(item.response_json["data"], key=lambda d: d["index"])
    assert emb.vectors == [d["embedding"] for d in original]


IMAGES = {
    "basic": "image_basic_functionality_openrouter_google_gemini-3_1-flash-lite-image_can_paint_images.yml",
    "edit": "image_edit_functionality_with_openrouter_reference_images_openrouter_google_gemini-3_1-flash-lite-image_edits_images_passed_via_with.yml",
}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_paint_through_the_images_endpoint(
    server: FakeOpenRouter, mode: str, tmp_path: Path
) -> None:
    item = api_calls(load(IMAGES["basic"]))[0]
    serve(server, [item])
    client = server.client()
    kwargs = {"model": item.request_body["model"], "endpoint": "images"}
    image = (
        client.paint("a siamese cat", **kwargs)
        if mode == "sync"
        else asyncio.run(client.apaint("a siamese cat", **kwargs))
    )
    assert server.requests[0].path == "/api/v1/images"
    assert server.requests[0].json == item.request_body
    recorded = item.response_json
    assert image.data == base64.b64decode(recorded["data"][0]["b64_json"])
    assert image.mime_type == recorded["data"][0]["media_type"] == "image/jpeg"
    assert image.cost == recorded["usage"]["cost"]
    saved = image.save(tmp_path / "cat.jpg")
    assert saved.read_bytes() == image.data


def test_edit_with_a_reference_image(server: FakeOpenRouter, tmp_path: Path) -> None:
    item = api_calls(load(IMAGES["edit"]))[0]
    serve(server, [item])
    reference_url = item.request_body["input_references"][0]["image_url"]["url"]
    logo = tmp_path / "logo.png"
    logo.write_bytes(base64.b64decode(reference_url.split(",", 1)[1]))
    image = server.client().paint(
        "turn the logo to green",
        model=item.request_body["model"],
        endpoint="images",
        attachments=[logo],
    )
    assert server.requests[0].json == item.request_body
    assert image.data == base64.b64decode(item.response_json["data"][0]["b64_json"])
