"""The tolerant reader of JSON still arriving, and the typed partial objects built from it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, Field

from pyllm._partial_json import parse_partial
from pyllm._structured import partial_reader

DOCUMENT: Any = {
    "title": 'Quotes "and" \\ backslashes, é and 🙂',
    "count": -12.5e2,
    "flags": [True, False, None],
    "nested": {"empty": {}, "list": [], "deep": [[1, 2], {"x": "y"}]},
}


def prefixes(text: str) -> list[str]:
    return [text[:end] for end in range(len(text) + 1)]


@pytest.mark.parametrize("ascii_only", [True, False])
def test_every_prefix_reads_without_error_and_the_whole_text_reads_exactly(
    ascii_only: bool,
) -> None:
    text = json.dumps(DOCUMENT, ensure_ascii=ascii_only)
    values = [parse_partial(prefix) for prefix in prefixes(text)]
    assert values[0] is None and values[-1] == DOCUMENT


def test_strings_grow_and_never_show_a_cut_escape() -> None:
    text = json.dumps({"s": 'a"b\\c\u00e9'}, ensure_ascii=True)  # {"s": "a\"b\\c\u00e9"}
    shown = [v["s"] for v in map(parse_partial, prefixes(text)) if v and "s" in v]
    assert shown == sorted(shown, key=len)  # each a prefix of the next: no garbage, no jumps
    assert all('a"b\\c\u00e9'.startswith(s) for s in shown)
    assert shown[-1] == 'a"b\\c\u00e9'


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"n": 12', {}),  # 12 may still become 123
        ('{"n": 12,', {"n": 12}),
        ('{"n": 1.', {}),
        ('{"n": 1e', {}),
        ('{"ok": tr', {}),
        ('{"ok": true}', {"ok": True}),
        ('{"ke', {}),  # a key cut short
        ('{"key"', {}),
        ('{"key": ', {}),
        ('{"key": "', {"key": ""}),
        ("[1, 2, 3", [1, 2]),
        ("[1, 2, 3]", [1, 2, 3]),
        ('[{"a": [1, {"b": "c', [{"a": [1, {"b": "c"}]}]),
        ("", None),
        ("   ", None),
        ("Sure! Here it is", None),  # prose: not JSON
        ('{"a": 1} and some words', {"a": 1}),
        ('{"a": 1, oops', {"a": 1}),  # not JSON from there on: what came before
        ('{"a": "line\nbreak"}', {}),  # a raw control character is not JSON
    ],
)
def test_what_is_kept_and_what_waits(text: str, value: Any) -> None:
    assert parse_partial(text) == value


def test_deep_nesting_is_cut_not_a_recursion_error() -> None:
    value = parse_partial("[" * 100_000)
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    assert 100 < depth < 1000


class Author(BaseModel):
    name: str
    born: int


class Book(BaseModel):
    title: str
    authors: list[Author]
    rating: float | None = None
    tags: list[str] = Field(default_factory=lambda: ["unsorted"])
    publisher_name: str = Field(default="unknown", alias="publisher")


def test_a_pydantic_partial_is_an_instance_with_what_arrived() -> None:
    read = partial_reader(Book)
    partial = read('{"title": "Dune", "authors": [{"name": "Frank Her')
    assert isinstance(partial, Book)
    assert partial.title == "Dune"
    assert isinstance(partial.authors[0], Author) and partial.authors[0].name == "Frank Her"
    assert partial.authors[0].born is None  # required, not arrived: None
    assert partial.rating is None and partial.tags == ["unsorted"]  # defaults
    assert partial.publisher_name == "unknown"
    assert partial.model_fields_set == {"title", "authors"}
    assert read('{"title": "Dune", "publisher": "Chilton"}').publisher_name == "Chilton"  # alias
    assert read("") is None and read("[1, 2]") is None


def test_other_schemas_read_as_the_json_so_far() -> None:
    assert partial_reader(dict)('{"a": [1, 2') == {"a": [1]}
