"""A griffe extension: pyllm's docstrings (reST-flavoured prose with doctests) as Markdown.

pyllm writes docstrings for ``help()`` and doctest: ``>>>`` examples, ``:class:`~pyllm.Chat```
roles and ``::`` literal blocks. Markdown would read ``>>>`` as nested quotes and print the
roles verbatim, so before mkdocstrings renders a docstring this extension fences each doctest
as a ``pycon`` block, turns a role into inline code with its short name, and ends a ``::``
paragraph with a single colon (the indented block after it is already a Markdown code block).
The source files are not changed.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|data|attr|exc|mod|obj):`(~?)([^`]+)`")
_PROMPT = re.compile(r"^(\s*)>>> ")


def _role(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def _fence_doctests(lines: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(lines):
        prompt = _PROMPT.match(lines[index])
        if prompt is None:
            out.append(lines[index])
            index += 1
            continue
        indent = prompt.group(1)
        out.append(f"{indent}```pycon")
        while index < len(lines) and lines[index].strip():
            out.append(lines[index])
            index += 1
        out.append(f"{indent}```")
    return out


def to_markdown(text: str) -> str:
    """``text`` with doctests fenced, roles as inline code and ``::`` as ``:``."""
    text = _ROLE.sub(_role, text)
    text = re.sub(r"(?m)(\S)::$", r"\1:", text)
    text = re.sub(r"(?m)^::$", "", text)
    return "\n".join(_fence_doctests(text.split("\n")))


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every docstring of the loaded package once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
