"""``protocols.base.loads`` is ``json.loads``: same values, same errors, only faster."""

from __future__ import annotations

import json

import pytest

from pyllm.protocols.base import loads

TEXTS = [
    '{"a": [1, 2.5, null, true, "x\\u00e9"]}',
    '{"choices":[{"delta":{"content":"hi"}}]}',
    "7",
    '"text"',
    "NaN",
    "[]",
    ' {"a": 1}',
    '{"a": 1}\n',
    "\t[1]\r\n",
]
BAD = ["", "   ", "{", '{"a": 1} x', '{"a": 1}{"b": 2}', "\ufeff{}", '"\x01"', "[1,]", "nul"]


@pytest.mark.parametrize("text", TEXTS)
def test_same_values(text: str) -> None:
    assert repr(loads(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", BAD)
def test_same_errors(text: str) -> None:
    with pytest.raises(ValueError) as expected:
        json.loads(text)
    with pytest.raises(ValueError) as got:
        loads(text)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)
