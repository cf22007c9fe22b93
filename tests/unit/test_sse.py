"""The SSE decoder: every way the bytes can be cut, commented and terminated."""

from __future__ import annotations

import pytest

from pyllm._engine.sse import SSEDecodeError, SSEDecoder


def decode_all(pieces: list[bytes]) -> list[str]:
    decoder = SSEDecoder()
    data = []
    for piece in pieces:
        data.extend(e.data for e in decoder.feed(piece))
    data.extend(e.data for e in decoder.flush())
    return data


STREAM = (
    b": OPENROUTER PROCESSING\n\n"
    b'data: {"a":1}\n\n'
    b": OPENROUTER PROCESSING\n\n"
    b'data: {"b":"caf\xc3\xa9"}\n\n'
    b"data: [DONE]\n\n"
)


def test_comments_and_keepalives_are_dropped() -> None:
    assert decode_all([STREAM]) == ['{"a":1}', '{"b":"café"}', "[DONE]"]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 16, 64])
def test_any_split_of_the_bytes_gives_the_same_events(size: int) -> None:
    pieces = [STREAM[i : i + size] for i in range(0, len(STREAM), size)]
    assert decode_all(pieces) == ['{"a":1}', '{"b":"café"}', "[DONE]"]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r", b"\n"])
def test_all_line_endings(newline: bytes) -> None:
    body = STREAM.replace(b"\n", newline)
    assert decode_all([body]) == ['{"a":1}', '{"b":"café"}', "[DONE]"]
    pieces = [body[i : i + 1] for i in range(len(body))]  # CRLF split between reads
    assert decode_all(pieces) == ['{"a":1}', '{"b":"café"}', "[DONE]"]


def test_multiline_data_joins_with_newline_and_fields_are_read() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"event: message\nid: 7\ndata: line one\ndata:line two\n\n")
    assert [(e.event, e.id, e.data) for e in events] == [("message", "7", "line one\nline two")]


def test_blank_keepalives_and_empty_events_yield_nothing() -> None:
    assert decode_all([b"\n\n\n\n", b":\n\n", b"event: ping\n\n"]) == []


def test_last_event_without_blank_line_is_kept_on_flush() -> None:
    assert decode_all([b'data: {"x":1}\n\ndata: [DONE]']) == ['{"x":1}', "[DONE]"]


def test_byte_order_mark_is_ignored() -> None:
    assert decode_all([b"\xef\xbb\xbfdata: hi\n\n"]) == ["hi"]


def test_a_long_line_over_many_reads_is_assembled() -> None:
    payload = b"x" * 200_000
    body = b"data: " + payload + b"\n\n"
    pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    assert decode_all(pieces) == [payload.decode()]


def test_invalid_utf8_raises_with_the_good_events_before_it() -> None:
    with pytest.raises(SSEDecodeError) as caught:
        SSEDecoder().feed(b"data: good\n\ndata: \xff\xfe\n\ndata: never\n\n")
    assert [e.data for e in caught.value.events] == ["good"]


def test_utf8_character_split_across_reads_survives() -> None:
    body = 'data: {"t":"€"}\n\n'.encode()
    cut = body.index(b"\xe2") + 1
    assert decode_all([body[:cut], body[cut:]]) == ['{"t":"€"}']
