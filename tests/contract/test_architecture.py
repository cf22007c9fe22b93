"""The architecture, as a table: each layer, what it holds, what it may import. Checked with
``ast`` over ``src/`` (imports at module level and inside functions; ``TYPE_CHECKING``
imports may point at any layer below, never up). Every arrow points down.

A new module must be placed in a layer here; an import the table does not allow fails.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pyllm
from tests.contract._layers import Layer, Tree, cycles, layer_of, violations

SRC = Path(pyllm.__file__).resolve().parent
MAX_LINES = 400
NETWORK = ("socket", "asyncio", "threading", "http.client", "urllib.request", "requests")

VALUES = "values"
PROTOCOLS = "protocols"
PROVIDERS = "providers"
ENGINE = "engine"
HTTP = "HTTP edge"
CATALOG = "catalog"
FACE = "face"
TESTING = "testing kit"
STORES = "stores"
CLI = "command line"
INTEGRATIONS = "integrations"
NAMESPACE = "namespace"
OTEL = "OpenTelemetry"

BELOW_HTTP = (ENGINE, PROVIDERS, PROTOCOLS, VALUES)
BELOW_FACE = (CATALOG, HTTP, *BELOW_HTTP)

LAYERS = [
    Layer(
        VALUES,
        holds=(
            *(f"pyllm.{m}" for m in ("errors", "message", "content", "chunk", "request")),
            *(f"pyllm.{m}" for m in ("model", "config", "tools", "openrouter")),
            *(f"pyllm._{m}" for m in ("schema", "docstring", "structured", "json", "redact")),
            *(f"pyllm._{m}" for m in ("headers", "routes", "pricing", "arguments")),
            "pyllm._status_codes",
            "pyllm._frozen",
            "pyllm._presets",  # issue 13: the OpenAI-compatible hosts, as data
            "pyllm.events",  # issue 18: RequestEvent
            "pyllm.rendered",  # issue 18: RenderedRequest
            *(f"pyllm.{m}" for m in ("citation", "logprobs")),  # issue 14
            *(f"pyllm._{m}" for m in ("account", "server_tools", "mime")),  # issue 14
            "pyllm._partial_json",  # issue 15: structured output as it streams
            "pyllm._serial",  # issue 16: the saved-chat format
            "pyllm._limits",  # issue 16: spend and usage limits
        ),
        may_import=(),
        forbidden=NETWORK,
        exceptions={
            ("pyllm.message", "pyllm._openrouter_account"): "reply.generation() asks the client "
            "that made the answer, lazily, when called (issue 14)",
        },
    ),
    Layer(PROTOCOLS, ("pyllm.protocols",), may_import=(VALUES,), forbidden=NETWORK),
    Layer(PROVIDERS, ("pyllm.providers",), may_import=(PROTOCOLS, VALUES), forbidden=NETWORK),
    Layer(
        ENGINE,
        ("pyllm._engine",),
        may_import=(PROVIDERS, PROTOCOLS, VALUES),
        forbidden=NETWORK,
        exceptions={
            **{
                ("pyllm._engine.tool_run", name): "runs tool functions in threads / on the loop"
                for name in ("asyncio", "threading")
            },
            ("pyllm._engine.meter", "threading"): "a budget shared by threads counts under a lock",
        },
    ),
    Layer(HTTP, ("pyllm._http",), may_import=BELOW_HTTP, owns=("httpx",)),
    Layer(
        CATALOG,
        ("pyllm.registry", "pyllm._catalog"),
        may_import=(VALUES,),  # a refresh goes through the edge via its directory (the session)
        exceptions={
            ("pyllm.registry", "pyllm.client"): "pyllm.registry.models, the default client's "
            "registry, is served lazily by the module's __getattr__",
            ("pyllm.registry", "pyllm.providers"): "which built-in provider is the gateway "
            "(takes any vendor/model id) is what the providers declare; read lazily",
        },
    ),
    Layer(
        FACE,
        (
            *(f"pyllm.{m}" for m in ("client", "conversation", "streams", "embedding", "image")),
            "pyllm._session",
            "pyllm._chat_options",
            "pyllm._chat_settings",
            "pyllm._observers",  # issue 18: on_request
            "pyllm._render",  # issue 18: chat.render
            *(f"pyllm._{m}" for m in ("request_options", "request_settings")),  # issue 14
            "pyllm._openrouter_account",  # issue 14
            "pyllm._chat_codec",  # issue 16: chat.to_dict / client.chat_from
        ),
        may_import=BELOW_FACE,
    ),
    Layer(  # issue 16: chats kept in SQL databases (the sql extra)
        STORES,
        ("pyllm.stores",),
        may_import=(FACE, *BELOW_FACE),
        owns=("sqlalchemy", "alembic"),
        exceptions={
            ("pyllm.stores._migrations.env", "pyllm.stores._schema"): "Alembic loads env.py "
            "as a file: it imports the schema by its full name",
        },
    ),
    Layer(
        NAMESPACE,
        ("pyllm",),  # pyllm/__init__.py: names load lazily (by __getattr__), so it imports nothing
        exceptions={
            ("pyllm", "pyllm.testing"): "re-exported for type checkers only",
            ("pyllm", "pyllm._otel"): "pyllm.instrument, re-exported for type checkers only",
            ("pyllm", "pyllm.mcp"): "re-exported for type checkers only",
        },
    ),
    Layer(TESTING, ("pyllm.testing",), may_import=(NAMESPACE, FACE, *BELOW_FACE)),
    Layer(
        CLI,
        ("pyllm.cli", "pyllm._cli"),
        may_import=(NAMESPACE, STORES, FACE, *BELOW_FACE),
        exceptions={
            ("pyllm.cli", "pyllm.testing.__main__"): "pyllm serve-fake runs the testing kit",
            ("pyllm._cli.demo", "pyllm.testing"): "pyllm demo runs offline on the testing kit",
        },
    ),
    Layer(  # an edge (issue 18): listens to the drivers through the session's listeners
        OTEL,
        ("pyllm._otel",),
        may_import=(NAMESPACE, FACE, *BELOW_FACE),
        owns=("opentelemetry",),
    ),
    Layer(  # issue 15: the edges that connect pyllm to other systems (MCP servers...)
        INTEGRATIONS,
        ("pyllm.mcp",),
        may_import=(NAMESPACE, FACE, *BELOW_FACE),
        owns=("mcp",),  # the official MCP SDK, imported only when pyllm.mcp connects
    ),
]
"""Bottom to top: each layer may import only those it names (and itself)."""


@pytest.fixture(scope="module")
def tree() -> Tree:
    return Tree(SRC)


def test_every_import_follows_the_table(tree: Tree) -> None:
    assert violations(tree, LAYERS) == []


def test_no_import_cycle_at_import_time(tree: Tree) -> None:
    assert cycles(tree) == []


def test_every_module_is_small(tree: Tree) -> None:
    too_long = {m: n for m in tree.paths if (n := tree.lines(m)) > MAX_LINES}
    assert too_long == {}, f"split these by job (at most {MAX_LINES} lines each)"


def test_the_layers_are_where_the_issue_says() -> None:
    placed = {
        "pyllm._engine.flow": ENGINE,
        "pyllm._http.drive": HTTP,
        "pyllm._http.transport": HTTP,
        "pyllm._session": FACE,
        "pyllm.conversation": FACE,
        "pyllm.protocols.chat_completions": PROTOCOLS,
        "pyllm.providers": PROVIDERS,
        "pyllm._otel.telemetry": OTEL,
    }
    assert {m: getattr(layer_of(m, LAYERS), "name", None) for m in placed} == placed


def test_no_module_reads_another_objects_private_attributes(tree: Tree) -> None:
    allowed = {("pyllm.config", "other._value")}  # Secret.__eq__: another Secret's value
    found = set()
    for module, path in tree.paths.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                found.add((module, ast.unparse(node)))
    assert found - allowed == set()


def test_engine_and_face_name_no_provider() -> None:
    """Provider-specific behaviour lives on providers and protocols (issue 12)."""
    names = ("openrouter", "openai", "anthropic")
    offenders = []
    for layer in (ENGINE, FACE, HTTP):
        for module, path in Tree(SRC).paths.items():
            if getattr(layer_of(module, LAYERS), "name", None) != layer:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and node.value in names:
                    offenders.append(f"{module}:{node.lineno} {node.value!r}")
    assert offenders == []


def test_importing_every_module_alone_works() -> None:
    """No cycle hides behind a lazy import: each module imports first, in a fresh process."""
    modules = sorted(  # Alembic runs the migration scripts itself, inside a migration
        m for m in Tree(SRC).paths if not m.endswith("__main__") and "._migrations." not in m
    )
    code = textwrap.dedent(
        """
        import importlib, subprocess, sys
        failed = []
        for name in sys.argv[1:]:
            done = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True)
            if done.returncode:
                failed.append((name, done.stderr.decode()[-300:]))
        print(failed)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *modules], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# ---- the checker checks: synthetic trees ---------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Tree:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return Tree(root, "pkg")


SMALL = [
    Layer("low", ("pkg.low",), forbidden=("socket",)),
    Layer("mid", ("pkg.mid",), may_import=("low",), owns=("httpx",)),
    Layer("top", ("pkg.top",), may_import=("mid", "low")),
    Layer("ns", ("pkg",)),
]


def test_the_checker_accepts_a_tree_that_follows_its_table(tmp_path: Path) -> None:
    tree = _write(
        tmp_path,
        {
            "__init__.py": "",
            "low.py": "import json\n",
            "mid.py": "import httpx\nfrom . import low\n",
            "top.py": "from .mid import x\nfrom typing import TYPE_CHECKING\n",
        },
    )
    assert violations(tree, SMALL) == [] and cycles(tree) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"low.py": "from . import mid\n"}, "low may not import mid"),
        ({"low.py": "def f():\n    from .top import x\n"}, "low may not import top"),
        (
            {
                "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import top\n"
            },
            "low may only look down, not at top",
        ),
        ({"top.py": "import httpx\n"}, "only mid imports httpx"),
        ({"top.py": "def f():\n    import httpx.client\n"}, "only mid imports httpx"),
        ({"low.py": "import socket\n"}, "low does no I/O"),
        ({"stray.py": ""}, "pkg.stray: in no layer"),
    ],
)
def test_the_checker_finds_a_violating_import(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    tree = _write(tmp_path, {"__init__.py": "", "low.py": "", "mid.py": "", "top.py": "", **files})
    found = violations(tree, SMALL)
    assert len(found) == 1 and expected in found[0], found


def test_the_checker_finds_an_import_cycle(tmp_path: Path) -> None:
    tree = _write(
        tmp_path,
        {"__init__.py": "", "low.py": "from . import mid\n", "mid.py": "from . import low\n"},
    )
    assert cycles(tree) == [["pkg.low", "pkg.mid", "pkg.low"]]


def test_the_checker_allows_a_named_exception(tmp_path: Path) -> None:
    tree = _write(tmp_path, {"__init__.py": "", "low.py": "", "mid.py": "", "top.py": ""})
    (tmp_path / "low.py").write_text("def f():\n    from . import top\n")
    layers = [
        Layer("low", ("pkg.low",), exceptions={("pkg.low", "pkg.top"): "a lazy attribute"}),
        *SMALL[1:],
    ]
    assert violations(tree, layers) == []
