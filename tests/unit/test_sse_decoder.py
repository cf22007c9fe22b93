"""SSE decoder details beyond test_sse.py: ``data:`` spacing, ``event``/``id`` fields, and any
random split of a body that mixes every kind of line."""

from __future__ import annotations

import random

import pytest

from pyllm._engine.sse import ServerSentEvent, SSEDecoder


def decode(*pieces: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for piece in pieces for event in decoder.feed(piece)]
    return events + decoder.flush()


def test_data_with_and_without_the_space() -> None:
    assert [e.data for e in decode(b"data:x\n\ndata: y\n\ndata:  z\n\ndata:\ndata: b\n\n")] == [
        "x",
        "y",
        " z",
        "\nb",
    ]


def test_the_id_persists_the_event_name_does_not() -> None:
    [first, second] = decode(b"event: delta\nid: 7\ndata: x\n\ndata: y\n\n")
    assert (first.event, first.id, first.data) == ("delta", "7", "x")
    assert (second.event, second.id) == (None, "7")


def test_an_id_with_nul_and_unknown_fields_are_ignored() -> None:
    [event] = decode(b"id: a\x00b\nretry: 10\nfoo: bar\ndata: x\n\n")
    assert (event.id, event.data) == (None, "x")


def test_events_end_only_where_the_wire_says() -> None:
    assert [e.data for e in SSEDecoder().feed(b"data: a\n\ndata: b")] == ["a"]


BODY = (
    b": OPENROUTER PROCESSING\r\n\r\n"
    b'data: {"choices":[{"delta":{"content":"caf\xc3\xa9 "}}]}\n\n'
    b"event: message\nid: 42\ndata: line one\ndata: line two\r\n\r\n"
    b"data:no-space\r\rdata: [DONE]\n\n"
)


@pytest.mark.parametrize("seed", range(40))
def test_any_split_of_the_bytes_gives_the_same_events(seed: int) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(BODY)), rng.randint(1, 25)))
    pieces = [BODY[a:b] for a, b in zip([0, *cuts], [*cuts, len(BODY)], strict=True)]
    assert decode(*pieces) == decode(BODY)
    assert [(e.data, e.event, e.id) for e in decode(BODY)] == [
        ('{"choices":[{"delta":{"content":"café "}}]}', None, None),
        ("line one\nline two", "message", "42"),
        ("no-space", None, "42"),
        ("[DONE]", None, "42"),
    ]
