"""Read a docstring into a description and per-parameter descriptions (Google, Sphinx, NumPy).

>>> summary, params = parse_docstring('''Get the weather.
...
... Args:
...     city: The city name,
...         in English.
...     unit (str): "C" or "F".
... ''')
>>> summary
'Get the weather.'
>>> params
{'city': 'The city name, in English.', 'unit': '"C" or "F".'}
"""

from __future__ import annotations

import inspect
import re

__all__ = ["parse_docstring"]

_GOOGLE_HEADERS = re.compile(
    r"^(args|arguments|parameters|params|keyword args|keyword arguments):\s*$", re.IGNORECASE
)
_OTHER_HEADERS = re.compile(
    r"^(returns?|yields?|raises?|examples?|notes?|see also|attributes|warnings?):\s*$",
    re.IGNORECASE,
)
_GOOGLE_ITEM = re.compile(r"^(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")
_SPHINX_ITEM = re.compile(r"^:param\s+(?:[^:]*\s)?(\w+):\s*(.*)$")
_NUMPY_ITEM = re.compile(r"^(\w+)\s*(:.*)?$")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """``(first paragraph, {parameter: description})``."""
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or _GOOGLE_HEADERS.match(stripped) or stripped.startswith(":"):
            break
        summary.append(stripped)
    params = _google(lines) or _sphinx(lines) or _numpy(lines)
    return " ".join(summary), params


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _google(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    in_section = False
    section_indent = item_indent = 0
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        if _GOOGLE_HEADERS.match(stripped):
            in_section, section_indent, current = True, _indent(line), None
            continue
        if not in_section:
            continue
        if stripped and (_OTHER_HEADERS.match(stripped) or _indent(line) <= section_indent):
            in_section, current = False, None
            continue
        match = _GOOGLE_ITEM.match(stripped)
        if match and (current is None or _indent(line) <= item_indent):
            current, item_indent = match.group(1).lstrip("*"), _indent(line)
            params[current] = match.group(3).strip()
        elif current is not None and stripped:
            params[current] = f"{params[current]} {stripped}".strip()
    return params


def _sphinx(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        match = _SPHINX_ITEM.match(stripped)
        if match:
            current = match.group(1)
            params[current] = match.group(2).strip()
        elif stripped.startswith(":"):
            current = None
        elif current is not None and stripped:
            params[current] = f"{params[current]} {stripped}"
    return params


def _numpy(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for index, line in enumerate(lines[:-1]):
        if line.strip().lower() == "parameters" and set(lines[index + 1].strip()) == {"-"}:
            current: str | None = None
            for item in lines[index + 2 :]:
                stripped = item.strip()
                if stripped and set(stripped) == {"-"}:
                    params.pop(current or "", None)  # that was the next section's title
                    break
                if stripped and _indent(item) == _indent(line):
                    match = _NUMPY_ITEM.match(stripped)
                    current = match.group(1) if match else None
                    if current:
                        params[current] = ""
                elif current is not None and stripped:
                    params[current] = f"{params[current]} {stripped}".strip()
            break
    return params
