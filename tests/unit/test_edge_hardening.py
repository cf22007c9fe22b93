"""Pure pieces of the HTTP edge hardening (issue 11, items 1, 8, 11, 13, 16): the SSE decoder's
byte order mark and size limits, plain JSON answers to stream requests, header checks, the
mapping of httpx failures, and the download address policy."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

import pyllm
from pyllm._engine.parser import StreamParser
from pyllm._engine.retry import is_retryable
from pyllm._engine.routing import should_fall_back
from pyllm._engine.sse import MAX_EVENT_BYTES, SSEDecoder, SSELimitError
from pyllm._headers import check_headers
from pyllm._http.responses import http_error
from pyllm.content import to_attachments
from pyllm.protocols.openrouter import OpenRouterDialect

BODY = b'data: {"choices":[{"delta":{"content":"first"}}]}\n\ndata: [DONE]\n\n'


def decode(*pieces: bytes, limit: int = MAX_EVENT_BYTES) -> list[str]:
    decoder = SSEDecoder(limit=limit)
    events = [e.data for piece in pieces for e in decoder.feed(piece)]
    return events + [e.data for e in decoder.flush()]


# ---- item 11: a byte order mark split across reads ---------------------------------------------


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_a_split_byte_order_mark_keeps_the_first_event(cut: int) -> None:
    data = b"\xef\xbb\xbf" + BODY
    assert decode(data[:cut], data[cut:]) == decode(BODY)
    assert decode(*[data[i : i + 1] for i in range(len(data))]) == decode(BODY)


def test_a_byte_order_mark_alone_or_in_part_is_nothing() -> None:
    assert decode(b"\xef", b"\xbb") == [] and decode(b"\xef\xbb\xbf") == []
    assert decode(b"\xef\xbb\xbf", b"data: x\n\n") == ["x"]


# ---- item 13: one line or event without end ----------------------------------------------------


def test_a_line_past_the_limit_raises_instead_of_growing() -> None:
    decoder = SSEDecoder(limit=100)
    decoder.feed(b"data: " + b"x" * 60)
    with pytest.raises(SSELimitError, match="line is larger than 100 bytes"):
        decoder.feed(b"x" * 60)


def test_an_event_of_many_lines_past_the_limit_raises() -> None:
    decoder = SSEDecoder(limit=100)
    decoder.feed(b"data: " + b"y" * 40 + b"\n")
    decoder.feed(b"data: " + b"y" * 40 + b"\n")
    with pytest.raises(SSELimitError, match="event is larger than 100 bytes"):
        decoder.feed(b"data: " + b"y" * 40 + b"\n")


def test_events_under_the_limit_are_untouched() -> None:
    assert decode(b"data: " + b"z" * 90 + b"\n\n", limit=100) == ["z" * 90]
    assert MAX_EVENT_BYTES == 32 * 1024 * 1024


def test_the_stream_parser_turns_the_limit_into_an_invalid_response() -> None:
    parser = StreamParser(OpenRouterDialect("openrouter"))
    parser._decoder.limit = 1000
    parser.feed(b'data: {"choices":[{"delta":{"content":"kept"}}]}\n\n')
    with pytest.raises(pyllm.InvalidResponseError, match="larger than 1,000 bytes") as caught:
        parser.feed(b"data: " + b"x" * 2000)
    assert caught.value.partial is not None and caught.value.partial.content == "kept"
    assert not is_retryable(caught.value) and not should_fall_back(caught.value)


# ---- item 1: a plain JSON body where a stream was asked for -------------------------------------

COMPLETION: dict[str, Any] = {
    "id": "gen-9",
    "model": "openai/gpt-4.1-mini",
    "provider": "OpenAI",
    "choices": [
        {
            "finish_reason": "tool_calls",
            "native_finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": "Checking.",
                "reasoning": "The user wants weather.",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Oslo"}'},
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "time", "arguments": "{}"},
                    },
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13, "cost": 0.0007},
}


def test_a_json_body_becomes_the_same_message_as_a_plain_ask() -> None:
    import json

    protocol = OpenRouterDialect("openrouter")
    body = b"\n  " + json.dumps(COMPLETION).encode()
    parser = StreamParser(protocol)
    parser.expect("application/json; charset=utf-8")
    pieces = [body[i : i + 7] for i in range(0, len(body), 7)]
    assert [chunk for piece in pieces for chunk in parser.feed(piece)] == []
    [chunk] = parser.finish()
    expected = protocol.parse_chat(COMPLETION)
    assert parser.message() == expected
    assert chunk.content == "Checking." and chunk.usage == expected.usage
    assert parser.done


def test_a_json_error_body_raises_its_typed_error() -> None:
    parser = StreamParser(OpenRouterDialect("openrouter"))
    parser.expect(None)
    parser.feed(b'{"error": {"code": 402, "message": "out of credits"}}')
    with pytest.raises(pyllm.PaymentRequiredError, match="out of credits"):
        parser.finish()


def test_a_broken_json_body_is_an_invalid_response_not_a_dropped_connection() -> None:
    parser = StreamParser(OpenRouterDialect("openrouter"))
    parser.expect("application/json")
    parser.feed(b'{"choices": [')
    with pytest.raises(pyllm.InvalidResponseError, match="not valid JSON"):
        parser.finish()


def test_an_event_stream_under_another_content_type_is_decoded_as_sse() -> None:
    parser = StreamParser(OpenRouterDialect("openrouter"))
    parser.expect("text/plain")
    chunks = [*parser.feed(b"\n"), *parser.feed(BODY)]
    assert [c.content for c in chunks] == ["first"] and parser.done


# ---- item 8: headers and httpx failures --------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({"X-A": "1\n2"}, "line break"),
        ({"X-A": "nul\x00"}, "line break or NUL"),
        ({"X-A": "ü"}, "not ASCII"),
        ({"X A": "1"}, "not a valid HTTP header name"),
        ({"X-Ä": "1"}, "not a valid HTTP header name"),
        ({"X-A": 1}, "must be a string"),
    ],
)
def test_bad_headers_are_refused_with_the_reason(headers: dict[str, Any], match: str) -> None:
    with pytest.raises(pyllm.ConfigurationError, match=match):
        check_headers(headers, "default_headers")


@pytest.mark.parametrize(
    ("exc", "kind", "retried"),
    [
        (httpx.LocalProtocolError("Illegal header value b'a\\r\\nb'"), pyllm.ConfigurationError, False),
        (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'"), pyllm.ConfigurationError, False),
        (httpx.DecodingError("Error -3 while decompressing data"), pyllm.InvalidResponseError, False),
        (httpx.ConnectError("refused"), pyllm.APIConnectionError, True),
        (httpx.RemoteProtocolError("peer closed"), pyllm.APIConnectionError, True),
        (httpx.ReadTimeout("timed out"), pyllm.APITimeoutError, True),
    ],
)  # fmt: skip
def test_httpx_failures_map_to_the_right_error(exc: Exception, kind: type, retried: bool) -> None:
    error = http_error(exc, "http://127.0.0.1:9/api/v1/chat/completions", "openrouter")
    assert type(error) is kind
    assert "127.0.0.1:9" in str(error) or isinstance(error, pyllm.InvalidResponseError)
    assert is_retryable(error) is retried
    assert should_fall_back(error) is retried


# ---- item 16: what a download may reach --------------------------------------------------------


def _resolved(address: str) -> list[tuple[Any, ...]]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return [(family, socket.SOCK_STREAM, 6, "", (address, 443))]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1%eth0",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    from pyllm._http.download import check_addresses

    with pytest.raises(pyllm.AttachmentError, match="allow_private_downloads"):
        check_addresses("https://files.example/a.pdf", "files.example", _resolved(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address: str) -> None:
    from pyllm._http.download import check_addresses

    check_addresses("https://files.example/a.pdf", "files.example", _resolved(address))


def test_one_private_address_among_public_ones_is_refused() -> None:
    from pyllm._http.download import check_addresses

    mixed = _resolved("93.184.216.34") + _resolved("127.0.0.1")
    with pytest.raises(pyllm.AttachmentError):
        check_addresses("https://files.example/a.pdf", "files.example", mixed)


@pytest.mark.parametrize("url", ["HTTP://example.com/a.png", "Https://example.com/a.png"])
def test_url_schemes_compare_case_insensitively(url: str) -> None:
    [attachment] = to_attachments([url])
    assert attachment.is_remote and attachment.url == url and attachment.kind == "image"


def test_an_upper_case_data_url_is_decoded() -> None:
    [attachment] = to_attachments(["DATA:text/plain;BASE64,aGk="])
    assert attachment.data == b"hi"
