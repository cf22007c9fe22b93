"""Secrets never show, end to end (issue 11, items 14 and 15): whatever a server echoes, in any
field of any error, blocking or streamed; and a base URL's ``user:password@`` in no repr, log or
error message. (More echoes, sync and async: tests/reliability/scenarios.py.)"""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import traceback

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, error, raw, stream_error

KEY = "sk-or-v1-e2e-secret-key"
OTHER_KEY = "sk-openai-e2e-other-key"
HEADER_KEY = "gw-e2e-header-credential"
PASSWORD = "e2e-url-passw0rd"


def everything(error: BaseException) -> str:
    """Every way an error can be shown or inspected."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    parts += [repr(getattr(error, name, None)) for name in ("raw", "metadata", "message")]
    parts += [repr(getattr(error, name, None)) for name in ("upstream", "code", "error_type")]
    return "\n".join(parts)


def run(chat: pyllm.Chat, mode: str) -> None:
    if mode == "sync":
        chat.ask("hi")
    elif mode == "async":
        asyncio.run(chat.aask("hi"))
    elif mode == "stream":
        list(chat.stream("hi"))
    else:

        async def consume() -> None:
            async with chat.astream("hi") as chunks:
                async for _ in chunks:
                    pass

        asyncio.run(consume())


MODES = ["sync", "async", "stream", "astream"]


@pytest.mark.parametrize("mode", MODES)
def test_a_4xx_echoing_keys_keeps_them_out_of_every_field(
    server: FakeOpenRouter, mode: str
) -> None:
    echoed = f"{KEY} {OTHER_KEY} {HEADER_KEY}"
    metadata = {"raw": f'{{"error": "bad {echoed}"}}', "seen": {"auth": [f"Bearer {KEY}"]}}
    server.reply(error(403, f"Invalid key {echoed}", metadata=metadata))
    chat = server.chat(
        openrouter_api_key=KEY,
        openai_api_key=OTHER_KEY,
        default_headers={"X-Gateway-Key": HEADER_KEY},
        max_retries=0,
    )
    with pytest.raises(pyllm.PermissionDeniedError) as caught:
        run(chat, mode)
    shown = everything(caught.value)
    assert KEY not in shown and OTHER_KEY not in shown and HEADER_KEY not in shown
    assert caught.value.message.startswith("Invalid key ********")
    assert caught.value.metadata["seen"] == {"auth": ["Bearer ********"]}
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"  # still sent


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_non_json_200_page_echoing_the_key(server: FakeOpenRouter, mode: str) -> None:
    page = f"<html><title>Key {KEY} rejected</title><body>{KEY}</body></html>"
    server.reply(raw(page, content_type="text/html"))
    with pytest.raises(pyllm.InvalidResponseError) as caught:
        run(server.chat(openrouter_api_key=KEY), mode)
    assert KEY not in everything(caught.value)
    assert "HTML page: Key ******** rejected" in caught.value.message
    assert caught.value.raw == page.replace(KEY, "********").encode()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_in_band_error_in_a_200_body_echoing_the_key(server: FakeOpenRouter, mode: str) -> None:
    server.reply(raw({"error": {"code": 400, "message": f"key {KEY} not allowed"}}))
    with pytest.raises(pyllm.BadRequestError) as caught:
        run(server.chat(openrouter_api_key=KEY), mode)
    assert KEY not in everything(caught.value)


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_an_in_band_stream_error_echoing_the_key(server: FakeOpenRouter, mode: str) -> None:
    server.reply(stream_error(400, f"key {KEY} not allowed", after=1, text="a b c"))
    with pytest.raises(pyllm.BadRequestError) as caught:
        run(server.chat(openrouter_api_key=KEY), mode)
    assert KEY not in everything(caught.value)
    assert caught.value.partial is not None and caught.value.partial.content == "a "


def with_password(url: str, user: str = "alice") -> str:
    return url.replace("http://", f"http://{user}:{PASSWORD}@", 1)


def test_a_base_url_password_shows_in_no_repr(server: FakeOpenRouter) -> None:
    client = server.client(openrouter_base_url=with_password(server.url))
    provider = client.provider("openrouter")
    shown = [repr(client), repr(client.settings), repr(provider), provider.url("/x")]
    assert all(PASSWORD not in text for text in shown), shown
    assert "alice:********@" in repr(client)


@pytest.mark.parametrize("mode", MODES)
def test_a_base_url_password_shows_in_no_log_and_still_authenticates(
    server: FakeOpenRouter, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # pyllm's own log and httpx's
    chat = server.chat(openrouter_base_url=with_password(server.url))
    run(chat, mode)
    assert "/chat/completions" in caplog.text and PASSWORD not in caplog.text
    token = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert server.requests[0].headers["authorization"] == f"Basic {token}"  # as httpx sent it


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("mode", MODES)
def test_a_base_url_password_shows_in_no_error_message(mode: str) -> None:
    url = with_password(f"http://127.0.0.1:{_closed_port()}/api/v1")
    client = pyllm.Client(openrouter_api_key=KEY, openrouter_base_url=url, max_retries=0)
    try:
        with pytest.raises(pyllm.APIConnectionError) as caught:
            run(client.chat("openai/gpt-4.1-mini"), mode)
    finally:
        client.close()
    assert PASSWORD not in everything(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_a_password_echoed_outside_a_url_is_redacted_too(server: FakeOpenRouter) -> None:
    server.reply(error(401, f"user alice, password {PASSWORD}: denied"))
    chat = server.chat(openrouter_base_url=with_password(server.url))
    with pytest.raises(pyllm.AuthenticationError) as caught:
        chat.ask("hi")
    assert PASSWORD not in everything(caught.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_key_with_a_stray_newline_is_not_shown_escaped_in_the_error(
    server: FakeOpenRouter, mode: str
) -> None:
    key = "sk-or-v1-pasted\nbadly-0123456789"  # httpx refuses the header, quoting it escaped
    chat = server.chat(openrouter_api_key=key, max_retries=0)
    with pytest.raises(pyllm.Error) as caught:
        run(chat, mode)
    shown = everything(caught.value)
    assert "badly-0123456789" not in shown and "pasted" not in shown
