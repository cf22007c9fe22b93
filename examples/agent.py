"""A tool-using agent: the model answers with the help of three Python functions.

    python examples/agent.py "How much is 120 USD in EUR, plus 15% tip?"

pyllm describes the tools to the model from their signatures and docstrings, runs the calls the
model makes, sends the results back and loops until the model answers. The hooks print each
call and result as it happens.

Uses OpenRouter with OPENROUTER_API_KEY, or any OpenRouter-compatible server named by
OPENROUTER_BASE_URL (``pyllm serve-fake`` runs one locally).
"""

from __future__ import annotations

import argparse
import ast
import operator
from collections.abc import Sequence
from typing import Literal

import pyllm

Currency = Literal["EUR", "USD", "GBP", "JPY"]
RATES_TO_EUR = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "JPY": 0.0061}
"""Fixed demo rates; a real agent would call an exchange-rate API here."""

HANDBOOK = {
    "refunds": "Refunds are possible within 30 days with the receipt.",
    "shipping": "Orders ship within 2 working days; express costs 9.90 EUR.",
    "warranty": "Every kite has a 2-year warranty against manufacturing defects.",
}

_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
}


@pyllm.tool
def calculate(expression: str) -> float:
    """Evaluate an arithmetic expression.

    Args:
        expression: Numbers with + - * / ** and parentheses, e.g. "(2 + 3) * 4".
    """

    def evaluate(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.operand))
        raise ValueError(f"not allowed in an expression: {ast.dump(node)[:40]}")

    return round(evaluate(ast.parse(expression, mode="eval").body), 6)


@pyllm.tool
def convert_currency(amount: float, source: str, target: Currency) -> str:
    """Convert an amount of money between currencies.

    Args:
        amount: How much money.
        source: The currency code of the amount, e.g. "USD".
        target: The currency code to convert to.
    """
    if source.upper() not in RATES_TO_EUR:
        raise ValueError(f"unknown currency {source!r}; known: {', '.join(RATES_TO_EUR)}")
    euros = amount * RATES_TO_EUR[source.upper()]
    return f"{euros / RATES_TO_EUR[target]:.2f} {target}"


@pyllm.tool
def search_handbook(topic: Literal["refunds", "shipping", "warranty"]) -> str:
    """Look up the shop's policy on a topic."""
    return HANDBOOK[topic]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ask an agent that has tools.")
    parser.add_argument("question", nargs="+")
    parser.add_argument("--model", default="openai/gpt-4.1-mini")
    args = parser.parse_args(argv)

    chat = (
        pyllm.chat(args.model)
        .with_instructions("You help customers of a kite shop. Use the tools; never guess numbers.")
        .with_tools(calculate, convert_currency, search_handbook)
        .on_tool_call(lambda call: print(f"-> {call.name}({dict(call.arguments)})"))
        .on_tool_result(lambda result: print(f"<- {result.content}"))
    )
    reply = chat.ask(" ".join(args.question))
    print(reply.content)
    print(f"[{len(chat.messages)} messages, ${chat.cost or 0:.6f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
