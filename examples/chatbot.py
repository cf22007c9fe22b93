"""A streaming chatbot for the command line.

    python examples/chatbot.py [--model MODEL] [--system TEXT]

Type a message and press Enter: the answer streams as the model writes it, followed by its
tokens and cost. Ctrl-C stops an answer (the partial answer stays in the conversation);
Ctrl-D, or the end of piped input, ends the session with the total cost.

Uses OpenRouter with OPENROUTER_API_KEY, or any OpenRouter-compatible server named by
OPENROUTER_BASE_URL (``pyllm serve-fake`` runs one locally).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence

import pyllm


def read_messages(interactive: bool) -> Iterator[str]:
    """Non-empty lines from stdin, with a prompt when a person is typing."""
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:  # end of input
            return
        if line.strip():
            yield line.strip()


def describe(message: pyllm.Message) -> str:
    """One line about an answer: who wrote it, tokens, cost."""
    usage = message.usage or pyllm.Usage()
    cost = f"${usage.cost:.6f}" if usage.cost is not None else "cost unknown"
    return f"[{message.model} · {usage.input_tokens} in / {usage.output_tokens} out · {cost}]"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A streaming chatbot.")
    parser.add_argument("--model", default="openai/gpt-4.1-mini", help="any model id or alias")
    parser.add_argument("--system", default=None, help="a system prompt")
    args = parser.parse_args(argv)

    chat = pyllm.chat(args.model)
    if args.system:
        chat.with_instructions(args.system)

    for text in read_messages(sys.stdin.isatty()):
        try:
            with chat.stream(text) as stream:  # leaving the block closes the connection
                for chunk in stream:
                    print(chunk.content, end="", flush=True)
        except KeyboardInterrupt:
            print(" [stopped]")
        except pyllm.Error as error:  # the history is untouched: just ask again
            print(f"\nerror: {error}", file=sys.stderr)
            continue
        print(f"\n{describe(chat.messages[-1])}")

    total = chat.usage
    print(f"session: {len(chat.messages)} messages, {total.total_tokens} tokens, ", end="")
    print(f"${total.cost or 0:.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
