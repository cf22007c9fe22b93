"""How the fake Anthropic answers a request that gives the model its web search tool
(``{"type": "web_search_...", "name": "web_search"}``): as the real API does in the recorded
traffic, the model searches once (a ``server_tool_use`` block with the query, the last user
message), the results come in a ``web_search_tool_result`` block, and the answer is text blocks,
those that rest on a source carrying its ``web_search_result_location`` citation; usage counts
``server_tool_use.web_search_requests``. Pure.

The sources are the reply's :func:`~pyllm.testing.url_citation` annotations (their ``start`` /
``end`` pick the part of the answer each one supports; without a span a source supports the
whole answer), or one example page when none were scripted.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["SEARCH_USAGE", "search_blocks", "search_deltas", "searches", "started"]

SEARCH_USAGE = {"web_search_requests": 1, "web_fetch_requests": 0}
"""``usage.server_tool_use`` of an answer that searched (once)."""

_EXAMPLE = {"url": "https://example.com/", "title": "Example Domain"}


def searches(request: Mapping[str, Any]) -> bool:
    """Whether ``request`` gives the model Anthropic's web search tool."""
    tools = request.get("tools")
    return isinstance(tools, list) and any(
        isinstance(t, Mapping) and str(t.get("type", "")).startswith("web_search_") for t in tools
    )


def search_blocks(
    answer: str, annotations: tuple[Mapping[str, Any], ...], query: str, search_id: str
) -> list[dict[str, Any]]:
    """The search, its results, and the answer as text blocks citing them."""
    sources = [_source(a) for a in annotations if a.get("type") == "url_citation"] or [_EXAMPLE]
    results = [
        {
            "type": "web_search_result",
            "title": s.get("title") or s["url"],
            "url": s["url"],
            "encrypted_content": _opaque("content", s["url"]),
            "page_age": None,
        }
        for s in sources
    ]
    return [
        {
            "type": "server_tool_use",
            "id": search_id,
            "name": "web_search",
            "input": {"query": query},
        },
        {
            "type": "web_search_tool_result",
            "tool_use_id": search_id,
            "content": results,
            "caller": {"type": "direct"},
        },
        *_text_blocks(answer, sources),
    ]


def started(block: Mapping[str, Any]) -> dict[str, Any] | None:
    """A search block, or a text block that cites, as ``content_block_start`` announces it
    (``None`` for any other block)."""
    if block["type"] == "server_tool_use":
        return {**block, "input": {}}
    if block["type"] == "web_search_tool_result":
        return dict(block)
    if block["type"] == "text" and "citations" in block:
        return {"citations": [], "type": "text", "text": ""}
    return None


def search_deltas(block: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The deltas before the text of a block: a search's query in pieces, a text block's
    citations (each one ``citations_delta``, before its text, as the real API sends them)."""
    if block["type"] == "server_tool_use":
        query = json.dumps(block["input"])
        yield {"type": "input_json_delta", "partial_json": ""}
        half = len(query) // 2
        for piece in (query[:half], query[half:]):
            yield {"type": "input_json_delta", "partial_json": piece}
    for cited in block.get("citations") or ():
        yield {"type": "citations_delta", "citation": cited}


def _source(annotation: Mapping[str, Any]) -> dict[str, Any]:
    cited = annotation.get("url_citation")
    return dict(cited) if isinstance(cited, Mapping) else dict(annotation)


def _text_blocks(answer: str, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``answer`` cut at the spans the sources support; each span cites its sources."""
    spans: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for source in sources:
        start, end = source.get("start_index") or 0, source.get("end_index") or 0
        span = (start, end) if 0 <= start < end <= len(answer) else (0, len(answer))
        spans.setdefault(span, []).append(source)
    blocks: list[dict[str, Any]] = []
    at = 0
    for (start, end), cited in sorted(spans.items()):
        if start < at:  # overlapping spans: the later one joins the block before it
            blocks[-1]["citations"].extend(_location(s, answer[start:end]) for s in cited)
            continue
        if start > at:
            blocks.append({"type": "text", "text": answer[at:start]})
        text = answer[start:end]
        blocks.append(
            {"citations": [_location(s, text) for s in cited], "type": "text", "text": text}
        )
        at = end
    if at < len(answer) or not blocks:
        blocks.append({"type": "text", "text": answer[at:]})
    return blocks


def _location(source: Mapping[str, Any], text: str) -> dict[str, Any]:
    return {
        "type": "web_search_result_location",
        "cited_text": source.get("content") or text,
        "url": source["url"],
        "title": source.get("title") or None,
        "encrypted_index": _opaque("index", source["url"]),
    }


def _opaque(kind: str, url: str) -> str:
    """What the real API sends encrypted: opaque, and the same for the same page."""
    return base64.b64encode(f"pyllm-fake-{kind}:{url}".encode()).decode()
