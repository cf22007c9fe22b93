"""The ``pyllm`` command line.

    pyllm chat [PROMPT]  ask once, or an interactive session (streams, Markdown, tokens, cost)
    pyllm chats          the chats kept with ``pyllm chat --store``: list, show, delete, costs
    pyllm embed TEXT     vectors for text
    pyllm paint PROMPT   generate an image (-o out.png)
    pyllm models         list, filter and sort the models pyllm knows (limits, prices, capabilities)
    pyllm account        your OpenRouter key's limit and usage, and the credits left
    pyllm generation ID  one generation's cost, upstream, latency and tokens
    pyllm demo           a short tour: ask, stream, tools, errors (offline without a key)
    pyllm serve-fake     run a local OpenRouter-compatible (or Anthropic) server: pyllm.testing
    pyllm --version

Each subcommand lives in a function ``_add_<name>(subparsers)`` that registers its parser and
its ``run`` callable, so commands stay small and independent.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def _add_demo(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="a short tour: ask, stream, tools, errors",
        description="A short tour of pyllm. Without OPENROUTER_API_KEY it runs against the "
        "built-in local OpenRouter (pyllm.testing) and says so; with the key it talks to "
        "OpenRouter.",
    )
    parser.add_argument("-m", "--model", default=None, help="model to use with a real key")
    parser.add_argument(
        "--offline", action="store_true", help="use the local server even with a key"
    )

    def run(args: argparse.Namespace) -> int:
        from ._cli.demo import run_demo

        return run_demo(model=args.model, offline=args.offline)

    parser.set_defaults(run=run)


def _add_serve_fake(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve-fake",
        help="run a local OpenRouter-compatible (or Anthropic) server (pyllm.testing)",
        description="Serve pyllm's fake OpenRouter (or, with --provider anthropic, its fake "
        "Anthropic) on 127.0.0.1 until Ctrl-C. Point OPENROUTER_BASE_URL (ANTHROPIC_BASE_URL) "
        "at the printed URL.",
    )
    parser.add_argument(
        "-p",
        "--provider",
        default="openrouter",
        choices=["anthropic", "openrouter"],
        help="the API it speaks (default: openrouter)",
    )
    parser.add_argument(
        "--anthropic",
        dest="provider",
        action="store_const",
        const="anthropic",
        help="the same as --provider anthropic",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default=None, help="require this key (401 otherwise)")

    def run(args: argparse.Namespace) -> int:
        from .testing.__main__ import main as serve

        argv = ["--provider", args.provider, "--host", args.host, "--port", str(args.port)]
        if args.api_key:
            argv += ["--api-key", args.api_key]
        return serve(argv)

    parser.set_defaults(run=run)


def _add_talking(subparsers: Any) -> None:
    from ._cli.chat import add_chat, add_embed, add_paint

    add_chat(subparsers)
    add_embed(subparsers)
    add_paint(subparsers)


def _add_chats(subparsers: Any) -> None:
    from ._cli.store import add_chats

    add_chats(subparsers)


def _add_models(subparsers: Any) -> None:
    from ._cli.models import add_parser

    add_parser(subparsers)


def _add_account(subparsers: Any) -> None:
    from ._cli.account import add_account, add_generation

    add_account(subparsers)
    add_generation(subparsers)


COMMANDS: list[Callable[[Any], None]] = [
    _add_talking,
    _add_chats,
    _add_models,
    _add_account,
    _add_demo,
    _add_serve_fake,
]
"""Subcommand registrars, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="pyllm", description="One beautiful Python API for every LLM, OpenRouter first."
    )
    parser.add_argument("--version", action="version", version=f"pyllm {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pyllm`` script. Errors print one line plus a hint; exit code 1."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Command | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    from .errors import Error

    try:
        return run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
