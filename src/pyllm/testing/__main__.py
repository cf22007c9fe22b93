"""``python -m pyllm.testing [--port N]``: serve the fake OpenRouter until Ctrl-C."""

from __future__ import annotations

import argparse
import time

from ._openrouter import FakeOpenRouter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pyllm.testing",
        description="Serve pyllm's local OpenRouter-compatible server on 127.0.0.1.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default=None, help="require this bearer key (401 otherwise)")
    args = parser.parse_args(argv)
    server = FakeOpenRouter(host=args.host, port=args.port, api_key=args.api_key).start()
    print(f"pyllm fake OpenRouter listening on {server.url}", flush=True)
    print(f"  export OPENROUTER_BASE_URL={server.url}", flush=True)
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
