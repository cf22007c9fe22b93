"""The contract: public names, lazy import, docstring examples that run, clean linters.

The layers and their import rules are in test_architecture.py."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import pyllm

SRC = Path(pyllm.__file__).resolve().parent

DESIGN_NAMES = [
    "chat",
    "configure",
    "Client",
    "Chat",
    "Message",
    "Chunk",
    "Usage",
    "ToolCall",
    "Attachment",
    "Error",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "BadRequestError",
    "ContextLengthExceededError",
    "AuthenticationError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ModerationError",
    "NotFoundError",
    "RequestTimeoutError",
    "PayloadTooLargeError",
    "RateLimitError",
    "ServerError",
    "ServiceUnavailableError",
    "OverloadedError",
    "ConfigurationError",
    "ModelNotFoundError",
    "ToolError",
    "UnsupportedError",
]


@pytest.mark.parametrize("name", DESIGN_NAMES)
def test_every_contract_name_is_exported_at_the_top_level(name: str) -> None:
    assert name in pyllm.__all__
    assert getattr(pyllm, name) is not None


def test_all_is_sorted_and_complete() -> None:
    assert pyllm.__all__ == sorted(pyllm.__all__)
    for name in pyllm.__all__:
        getattr(pyllm, name)
    with pytest.raises(AttributeError):
        pyllm.no_such_name  # noqa: B018


def test_every_error_class_is_exported() -> None:
    from pyllm import errors

    for name in dir(errors):
        value = getattr(errors, name)
        if (
            isinstance(value, type)
            and issubclass(value, Exception)
            and value.__module__ == errors.__name__
        ):
            assert name in pyllm.__all__, name


def test_import_pyllm_loads_no_http_library_and_no_submodules() -> None:
    code = (
        "import sys, pyllm; "
        "print(sorted(m for m in sys.modules if m.startswith(('httpx', 'pyllm.', 'asyncio', 'dataclasses'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def _modules() -> list[str]:
    names = ["pyllm"]
    for info in pkgutil.walk_packages([str(SRC)], prefix="pyllm."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("module_name", _modules())
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize(
    "tool",
    [
        ["ruff", "check", "src", "tests", "scripts"],
        ["mypy"],
        ["mypy", "--strict", "tests/contract/typed_usage.py"],
    ],
    ids=["ruff", "mypy-src", "mypy-user-code"],
)
def test_linters_are_clean(tool: list[str]) -> None:
    exe = Path(sys.executable).parent / tool[0]
    if not exe.exists():
        pytest.skip(f"{tool[0]} is not installed (pip install -e '.[test]')")
    root = SRC.parent.parent
    result = subprocess.run([str(exe), *tool[1:]], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_type_checkers_see_every_export() -> None:
    tree = ast.parse((SRC / "__init__.py").read_text())
    declared = {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname
    }
    assert declared >= set(pyllm._EXPORTS)
