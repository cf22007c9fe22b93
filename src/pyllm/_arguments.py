"""Checking the arguments of ``with_*`` methods, by one rule. Pure.

An argument of the wrong type raises ``TypeError``; a value out of range or not among the
allowed words raises :class:`~pyllm.ConfigurationError` (a ``ValueError`` too), naming the
argument and what it accepts.

>>> whole("max_tool_rounds", 3)
3
>>> whole("max_tool_rounds", 0)
Traceback (most recent call last):
...
pyllm.errors.ConfigurationError: max_tool_rounds must be a positive whole number, got 0
"""

from __future__ import annotations

import math
from typing import Any

from .errors import ConfigurationError

__all__ = ["number", "whole"]


def number(argument: str, value: Any) -> float:
    """``value`` as a finite float, or ``TypeError`` naming ``argument``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{argument} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ConfigurationError(f"{argument} must be a finite number, got {value!r}")
    return float(value)


def whole(argument: str, value: Any, what: str = "a positive whole number") -> int:
    """``value`` if a positive int, else ``TypeError`` / ``ConfigurationError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{argument} must be {what}, got {type(value).__name__}")
    if value < 1:
        raise ConfigurationError(f"{argument} must be {what}, got {value!r}")
    return value
