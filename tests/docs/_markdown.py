"""Find the runnable parts of a Markdown page: ```python blocks and hidden setup/check comments.

A page is read top to bottom into :class:`Snippet` values, in order:

- ```` ```python ```` fences (also indented ones, e.g. inside a mkdocs-material tab or an
  admonition; an info string such as ``title="app.py"`` is fine) are **examples**;
- a ```` ```python ```` fence right after a ``<!-- file server.py -->`` line is a **file**:
  written to that name in the working directory for the examples to run (e.g. an MCP server
  they start), and compiled, so its syntax is checked too;
- ``<!-- setup`` ... ``-->`` comments are **setup**: hidden code run before the next example,
  typically scripting the fake server's replies;
- ``<!-- check`` ... ``-->`` comments are **checks**: hidden assertions run where they stand.

Other fences (``bash``, ``text``, no language...) are prose. Python written under another
language name (``py``, ``pycon``, ``python3``...) is an error, so no example escapes the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MarkdownError", "Snippet", "read_snippets"]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_HIDDEN = re.compile(r"^<!--[ \t]*(?P<kind>setup|check)[ \t]*$")
_FILE = re.compile(r"^<!--[ \t]*file[ \t]+(?P<name>[\w.-]+\.py)[ \t]*-->$")
_PYTHON_ALIASES = frozenset({"py", "py3", "python3", "pycon", "pyi", "ipython", "ipython3"})


class MarkdownError(ValueError):
    """The page cannot be read safely: an unterminated block or a mislabelled example."""


@dataclass(frozen=True, slots=True)
class Snippet:
    """Code from a page: ``kind`` is ``example``, ``setup`` or ``check``; ``line`` is the page
    line (1-based) of the code's first line."""

    kind: str
    code: str
    line: int
    name: str | None = None  # a file's name


def _language(info: str) -> str:
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    return word.strip("{}.").lower()


def _dedent(lines: list[str], indent: str) -> str:
    """The block's lines without the fence's own indentation (blank lines kept, for line
    numbers)."""
    return "".join(
        "\n" if not line.strip() else line[len(indent) :] if line.startswith(indent) else line
        for line in lines
    )


def _take_fence(lines: list[str], start: int, fence: str, path: Path) -> tuple[list[str], int]:
    """The body of the fence opened at ``start`` and the index after its closing line."""
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for end in range(start + 1, len(lines)):
        if closing.match(lines[end].rstrip("\n")):
            return lines[start + 1 : end], end + 1
    raise MarkdownError(f"{path}:{start + 1}: the {fence} block is never closed")


def _take_comment(lines: list[str], start: int, path: Path) -> tuple[list[str], int]:
    for end in range(start + 1, len(lines)):
        if lines[end].strip() == "-->":
            return lines[start + 1 : end], end + 1
    raise MarkdownError(f"{path}:{start + 1}: the hidden comment is never closed with '-->'")


def read_snippets(path: Path) -> list[Snippet]:
    """Every example, setup and check of the page at ``path``, in page order."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    snippets: list[Snippet] = []
    index = 0
    file: str | None = None  # the name a ``<!-- file NAME -->`` line gives the next block
    while index < len(lines):
        line = lines[index].rstrip("\n")
        named = _FILE.match(line.strip())
        if named:
            file = named["name"]
            index += 1
            continue
        hidden = _HIDDEN.match(line)
        if hidden:
            body, after = _take_comment(lines, index, path)
            snippets.append(Snippet(hidden["kind"], "".join(body), index + 2))
            index = after
            continue
        fence = _FENCE.match(line)
        if fence:
            body, after = _take_fence(lines, index, fence["fence"], path)
            language = _language(fence["info"])
            if language in _PYTHON_ALIASES:
                raise MarkdownError(
                    f"{path}:{index + 1}: label Python examples ```python (not {language!r}) "
                    "so the test suite runs them"
                )
            if language == "python":
                code = _dedent(body, fence["indent"])
                kind = "file" if file else "example"
                snippets.append(Snippet(kind, code, index + 2, file))
                file = None
            index = after
            continue
        index += 1
    return snippets
