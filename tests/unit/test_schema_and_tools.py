"""Type hints -> JSON Schema for every supported type; docstrings; argument checking; tools."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Optional, TypedDict

import pytest

import pyllm
from pyllm import _schema
from pyllm._docstring import parse_docstring
from pyllm.message import ToolCall
from pyllm.tools import ToolResult, finished, render_result


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass
class Point:
    x: float
    y: Annotated[float, "vertical"] = 0.0


class Address(TypedDict):
    street: str
    zip: int


@pytest.mark.parametrize(
    ("hint", "schema"),
    [
        (str, {"type": "string"}),
        (int, {"type": "integer"}),
        (float, {"type": "number"}),
        (bool, {"type": "boolean"}),
        (list[str], {"type": "array", "items": {"type": "string"}}),
        (tuple[int, ...], {"type": "array", "items": {"type": "integer"}}),
        (set[str], {"type": "array", "items": {"type": "string"}}),
        (dict[str, int], {"type": "object", "additionalProperties": {"type": "integer"}}),
        (Literal["a", "b"], {"type": "string", "enum": ["a", "b"]}),
        (Literal[1, "x"], {"enum": [1, "x"]}),
        (Color, {"type": "string", "enum": ["red", "blue"]}),
        (Priority, {"type": "integer", "enum": [1, 2]}),
        (Optional[int], {"anyOf": [{"type": "integer"}, {"type": "null"}]}),  # noqa: UP045
        (int | None, {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
        (Annotated[str, "a city"], {"description": "a city", "type": "string"}),
        (Any, {}),
        (
            Point,
            {
                "type": "object",
                "properties": {
                    "x": {"type": "number"},
                    "y": {"description": "vertical", "type": "number"},
                },
                "required": ["x"],
                "additionalProperties": False,
            },
        ),
        (
            Address,
            {
                "type": "object",
                "properties": {"street": {"type": "string"}, "zip": {"type": "integer"}},
                "required": ["street", "zip"],
                "additionalProperties": False,
            },
        ),
        (list[Point], {"type": "array", "items": _schema.schema_for(Point)}),
    ],
)
def test_schema_for_every_supported_hint(hint: Any, schema: dict[str, Any]) -> None:
    assert _schema.schema_for(hint) == schema


def test_unsupported_hints_raise_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="cannot describe"):
        _schema.schema_for(bytes)


def test_pydantic_models_are_duck_typed_and_defs_hoisted() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Inner(pydantic.BaseModel):
        value: int

    class Outer(pydantic.BaseModel):
        inner: Inner
        note: str = "x"

    defs: dict[str, Any] = {}
    schema = _schema.schema_for(Outer, defs)
    assert schema["properties"]["inner"] == {"$ref": "#/$defs/Inner"}
    assert "Inner" in defs and "$defs" not in schema
    root = {**schema, "$defs": defs}
    assert _schema.validate(root, {"inner": {"value": 1}}) == []
    assert _schema.validate(root, {"inner": {"value": "one"}}) == [
        "parameter 'inner.value' must be an integer, got a string ('one')"
    ]
    assert _schema.convert(Outer, {"inner": {"value": 3}}) == Outer(inner=Inner(value=3))


class FakeModel:
    """Not pydantic at all: just the two methods pyllm looks for."""

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        return {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}

    @classmethod
    def model_validate(cls, value: Any) -> tuple[str, Any]:
        return ("validated", value)


def test_duck_typed_model_without_pydantic() -> None:
    assert _schema.is_pydantic_model(FakeModel)
    assert _schema.schema_for(FakeModel)["required"] == ["n"]
    assert _schema.convert(FakeModel, {"n": 1}) == ("validated", {"n": 1})


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ({"city": "Berlin", "days": 3}, []),
        ({"days": 3}, ["missing required parameter 'city'"]),
        ({"city": 5}, ["parameter 'city' must be a string, got an integer (5)"]),
        ({"city": "B", "days": 2.5}, ["parameter 'days' must be an integer, got a number (2.5)"]),
        ({"city": "B", "days": 2.0}, []),
        (
            {"city": "B", "days": True},
            ["parameter 'days' must be an integer, got a boolean (True)"],
        ),
        ({"city": "B", "unit": "K"}, ["parameter 'unit' must be one of 'C', 'F', got 'K'"]),
        ({"city": "B", "extra": 1}, ["unknown parameter 'extra' (known: city, days, unit, tags)"]),
        (
            {"city": "B", "tags": ["a", 2]},
            ["parameter 'tags[1]' must be a string, got an integer (2)"],
        ),
        ({"city": "B", "unit": None}, []),
    ],
)
def test_validation_explains_every_problem(value: dict[str, Any], problems: list[str]) -> None:
    schema = _schema.object_schema(
        [
            ("city", str, False),
            ("days", int, True),
            ("unit", Literal["C", "F"] | None, True),
            ("tags", list[str], True),
        ],
        {},
        {},
    )
    assert _schema.validate(schema, value) == problems


def test_conversion_builds_python_values() -> None:
    assert _schema.convert(Point, {"x": 1, "y": 2}) == Point(1.0, 2.0)
    assert isinstance(_schema.convert(Point, {"x": 1}).x, float)
    assert _schema.convert(Color, "red") is Color.RED
    assert _schema.convert(list[Color], ["red", "blue"]) == [Color.RED, Color.BLUE]
    assert _schema.convert(dict[str, Point], {"a": {"x": 1}}) == {"a": Point(1.0)}
    assert _schema.convert(Optional[Point], None) is None  # noqa: UP045
    assert _schema.convert(Point | None, {"x": 2}) == Point(2.0)
    assert _schema.convert(tuple[int, ...], [1, 2]) == (1, 2)
    assert _schema.convert(Address, {"street": "Main", "zip": 1}) == {"street": "Main", "zip": 1}


# ---- docstrings -----------------------------------------------------------------------------


def test_google_docstring() -> None:
    summary, params = parse_docstring(
        """Get the weather.

        More detail that is not the summary.

        Args:
            city (str): The city,
                in English.
            days: How many days.

        Returns:
            A forecast.
        """
    )
    assert summary == "Get the weather."
    assert params == {"city": "The city, in English.", "days": "How many days."}


def test_sphinx_and_numpy_docstrings() -> None:
    _, sphinx = parse_docstring(
        "Do it.\n\n:param str city: The city.\n:param days: Days\n  ahead.\n:returns: x"
    )
    assert sphinx == {"city": "The city.", "days": "Days ahead."}
    _, numpy = parse_docstring(
        "Do it.\n\nParameters\n----------\ncity : str\n    The city.\ndays : int\n    Days.\n\nReturns\n-------\nx\n"
    )
    assert numpy == {"city": "The city.", "days": "Days."}


# ---- tools ----------------------------------------------------------------------------------


def test_decorated_function_describes_itself() -> None:
    @pyllm.tool
    def forecast(city: str, days: int = 3, unit: Literal["C", "F"] = "C") -> str:
        """Forecast the weather.

        Args:
            city: Which city.
            days: How many days ahead.
        """
        return f"{city} {days} {unit}"

    definition = forecast.definition()
    assert definition.name == "forecast"
    assert definition.description == "Forecast the weather."
    assert definition.parameters == {
        "type": "object",
        "properties": {
            "city": {"description": "Which city.", "type": "string"},
            "days": {"description": "How many days ahead.", "type": "integer"},
            "unit": {"type": "string", "enum": ["C", "F"]},
        },
        "required": ["city"],
        "additionalProperties": False,
    }
    assert forecast("Berlin") == "Berlin 3 C"  # still callable


def test_tool_with_overrides_and_no_parameters() -> None:
    @pyllm.tool(name="now", description="The time.")
    def current_time() -> str:
        return "noon"

    assert (current_time.name, current_time.description) == ("now", "The time.")
    assert current_time.parameters == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }


def test_tool_subclass_names_itself_and_keeps_state() -> None:
    class GetStockPrice(pyllm.Tool):
        """Look up a stock price."""

        def __init__(self, prices: dict[str, float]) -> None:
            self.prices = prices

        def execute(self, symbol: str) -> float:
            return self.prices[symbol]

    tool = GetStockPrice({"ACME": 1.5})
    assert tool.name == "get_stock_price"
    assert tool.description == "Look up a stock price."
    assert tool.parameters["required"] == ["symbol"]
    assert tool.prepare(ToolCall("c", "get_stock_price", {"symbol": "ACME"})) == {"symbol": "ACME"}


@pytest.mark.parametrize(
    ("define", "match"),
    [
        (lambda: pyllm.tool(name="bad name!")(lambda: 1), "must be 1-64 letters"),
        (lambda: pyllm.tool(_takes_varargs).definition(), r"\*args"),
        (lambda: pyllm.tool(_takes_bytes).definition(), "cannot describe"),
        (lambda: pyllm.tool(42), "needs a function"),
    ],
)
def test_bad_tool_definitions_raise_tool_error(define: Any, match: str) -> None:
    with pytest.raises(pyllm.ToolError, match=match):
        define()


def _takes_varargs(*values: int) -> None:
    """Not describable either."""


def _takes_bytes(data: bytes) -> None:
    """Not describable."""


def test_prepare_reports_problems_to_the_model_instead_of_running() -> None:
    @pyllm.tool
    def move(point: Point, color: Color = Color.RED) -> str:
        """Move."""
        return "moved"

    ok = move.prepare(ToolCall("c1", "move", {"point": {"x": 1}, "color": "blue"}))
    assert ok == {"point": Point(1.0), "color": Color.BLUE}
    bad_json = move.prepare(ToolCall("c2", "move", {}, "{oops", "arguments are not valid JSON: x"))
    missing = move.prepare(ToolCall("c3", "move", {}))
    wrong = move.prepare(ToolCall("c4", "move", {"point": {"x": "far"}}))
    for result in (bad_json, missing, wrong):
        assert isinstance(result, ToolResult) and result.is_error
    assert "not valid JSON" in bad_json.content  # type: ignore[union-attr]
    assert "missing required parameter 'point'" in missing.content  # type: ignore[union-attr]
    assert "'point.x' must be a number" in wrong.content  # type: ignore[union-attr]


@dataclass
class Report:
    title: str
    tags: list[str] = field(default_factory=list)


def test_results_are_strings_as_is_and_json_otherwise() -> None:
    assert render_result("15°C") == "15°C"
    assert render_result({"temp": 15}) == '{"temp": 15}'
    assert render_result(Report("t", ["a"])) == '{"title": "t", "tags": ["a"]}'
    assert render_result(Color.RED) == '"red"'
    assert render_result(None) == "null"
    halted = finished(ToolCall("c", "f"), pyllm.Halt({"done": True}))
    assert halted.halted and halted.value == {"done": True} and halted.content == '{"done": true}'
