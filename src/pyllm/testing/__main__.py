"""``python -m pyllm.testing [--provider anthropic] [--port N]``: serve a fake until Ctrl-C."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._anthropic import FakeAnthropic
from ._openrouter import FakeOpenRouter

if TYPE_CHECKING:
    from ._server import FakeServer

FAKES: dict[str, tuple[Callable[..., FakeServer], str, str]] = {
    "openrouter": (FakeOpenRouter, "OpenRouter", "OPENROUTER"),
    "anthropic": (FakeAnthropic, "Anthropic", "ANTHROPIC"),
}
"""The fakes by provider name: the class, its display name, its settings' variable prefix."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pyllm.testing",
        description="Serve pyllm's local OpenRouter-compatible (or Anthropic) server on 127.0.0.1.",
    )
    parser.add_argument("-p", "--provider", default="openrouter", choices=sorted(FAKES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default=None, help="require this key (401 otherwise)")
    args = parser.parse_args(argv)
    fake, display, prefix = FAKES[args.provider]
    server = fake(host=args.host, port=args.port, api_key=args.api_key).start()
    print(f"pyllm fake {display} listening on {server.url}", flush=True)
    print(f"  export {prefix}_BASE_URL={server.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
