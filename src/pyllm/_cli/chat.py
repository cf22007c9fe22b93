"""``pyllm chat``, ``pyllm embed`` and ``pyllm paint``: the command line's talking commands.

``pyllm chat PROMPT`` answers once (a prompt on stdin works too); with no prompt and a terminal
it is an interactive session. Answers stream as they arrive; Ctrl-C stops the current answer
and keeps the session.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..conversation import Chat
    from ..message import Message

__all__ = ["add_chat", "add_embed", "add_paint"]

HELP = (
    "commands: /model NAME, /system TEXT, /clear, /cost, /exit (or Ctrl-D); Ctrl-C stops an answer"
)


def _model_options(parser: argparse.ArgumentParser, *, attach: str | None = None) -> None:
    """``-m/--model``, ``-p/--provider`` and (when ``attach`` says what for) ``-a/--attach``."""
    parser.add_argument("-m", "--model", default=None, help="model id or alias")
    parser.add_argument("-p", "--provider", default=None, help="provider (default: from your keys)")
    if attach:
        parser.add_argument(
            "-a", "--attach", action="append", default=[], metavar="FILE", help=attach
        )


def add_chat(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="talk to a model (one-shot or interactive)",
        description="Ask once with a PROMPT (or text on stdin), or "
        "start an interactive session with neither.",
    )
    parser.add_argument("prompt", nargs="*", help="the question; omit for an interactive session")
    _model_options(parser, attach="attach a file or URL (repeatable)")
    parser.add_argument("-s", "--system", default=None, help="system prompt")
    parser.add_argument("-t", "--temperature", type=float, default=None)
    parser.add_argument(
        "--thinking",
        nargs="?",
        const="medium",
        default=None,
        metavar="EFFORT",
        help="let the model reason first (low, medium, high)",
    )
    parser.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    parser.add_argument("--plain", action="store_true", help="plain text, no Markdown rendering")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    from .store import add_store_options

    add_store_options(parser)
    parser.set_defaults(run=run_chat)


def _chat(args: argparse.Namespace) -> Chat:
    import os

    import pyllm

    if args.store or args.resume or os.environ.get("PYLLM_STORE"):
        from .store import stored_chat

        chat = stored_chat(args)
    else:
        chat = pyllm.chat(args.model, provider=args.provider)
    if args.system:
        chat.with_instructions(args.system)
    if args.temperature is not None:
        chat.with_temperature(args.temperature)
    if args.thinking:
        chat.with_thinking(args.thinking)
    return chat


def _summary(message: Message) -> str:
    parts = [message.model or "?"]
    if message.upstream:
        parts[0] += f" via {message.upstream}"
    if message.usage is not None:
        parts.append(f"{message.usage.input_tokens} in / {message.usage.output_tokens} out tokens")
        if message.usage.cost is not None:
            parts.append(f"${message.usage.cost:.6f}")
    if message.partial:
        parts.append(message.finish_reason or "partial")
    return " · ".join(parts)


def _as_json(message: Message) -> str:
    usage = message.usage
    return json.dumps(
        {
            "content": message.content,
            "role": message.role,
            "model": message.model,
            "provider": message.provider,
            "upstream": message.upstream,
            "id": message.id,
            "finish_reason": message.finish_reason,
            "reasoning": message.reasoning,
            "usage": None
            if usage is None
            else {
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "total_tokens": usage.total_tokens,
                "reasoning_tokens": usage.reasoning_tokens,
                "cost": usage.cost,
                "cost_source": usage.cost_source,
            },
        },
        ensure_ascii=False,
        indent=2,
    )


class _PlainView:
    """Text as it arrives; reasoning dimmed on a terminal and left out when piped."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()

    def show(self, reasoning: str, content: str) -> None:
        if reasoning and self.tty:
            self.out.write(f"\x1b[2m{reasoning}\x1b[0m")
        self.out.write(content)
        self.out.flush()

    def close(self, stopped: bool) -> None:
        self.out.write("\n[stopped]\n" if stopped else "\n")


class _MarkdownView:
    """Markdown rendered live with rich (the ``cli`` extra) as the answer streams in.

    While it streams, the live area shows the end of the answer, at most a screen high (a
    terminal cannot redraw lines that scrolled away, so a taller live area would print them
    again). When the answer ends or is stopped, the live area is erased and the whole answer
    printed once.
    """

    def __init__(self, out: TextIO) -> None:
        from rich.console import Console
        from rich.live import Live

        self.console = Console(file=out)
        self.text = ""
        self.closed = False
        self.live = Live(_Tail(self), console=self.console, refresh_per_second=12, transient=True)
        self.live.start()

    def show(self, reasoning: str, content: str) -> None:
        if reasoning and not self.text:
            self.live.console.print(reasoning, style="dim", end="", markup=False, highlight=False)
        self.text += content  # the live area reads it at its next refresh

    def close(self, stopped: bool) -> None:
        from rich.markdown import Markdown

        self.closed = True  # the live area's last refresh draws nothing: it is erased
        self.live.stop()
        if self.text:
            self.console.print(Markdown(self.text))
        if stopped:
            self.console.print("[stopped]", markup=False, highlight=False)


class _Tail:
    """The live area of a :class:`_MarkdownView`: the last screenful of the answer so far."""

    def __init__(self, view: _MarkdownView) -> None:
        self.view = view

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.markdown import Markdown
        from rich.segment import Segment

        if self.view.closed or not self.view.text:
            return
        lines = console.render_lines(Markdown(self.view.text), options, pad=False)
        for line in lines[-max(1, options.size.height - 1) :]:
            yield from line
            yield Segment.line()


def _view(out: TextIO, *, plain: bool) -> _PlainView | _MarkdownView:
    if plain or not out.isatty():
        return _PlainView(out)
    try:
        return _MarkdownView(out)
    except ImportError:  # rich is optional: pip install 'pyllm[cli]'
        return _PlainView(out)


def answer(chat: Chat, prompt: str | None, args: argparse.Namespace, out: TextIO) -> Message:
    """Ask once, streaming unless told not to; Ctrl-C keeps what arrived."""
    files = args.attach or None
    if args.json or args.no_stream:
        reply = chat.ask(prompt, attachments=files)
        out.write(_as_json(reply) + "\n" if args.json else reply.content + "\n")
        return reply
    stream = chat.stream(prompt, attachments=files)
    view = _view(out, plain=getattr(args, "plain", False))
    stopped = False
    try:
        for chunk in stream:
            view.show(chunk.reasoning, chunk.content)
    except KeyboardInterrupt:
        stream.close()
        stopped = True
    view.close(stopped)
    reply = chat.messages[-1]
    sys.stderr.write(f"— {_summary(reply)}\n")
    return reply


def run_chat(args: argparse.Namespace) -> int:
    chat = _chat(args)
    prompt = " ".join(args.prompt).strip()
    piped = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    if piped:
        prompt = f"{prompt}\n\n{piped}" if prompt else piped
    from .store import finish

    try:
        if prompt:
            answer(chat, prompt, args, sys.stdout)
            return 0
        if not sys.stdin.isatty():
            print("error: nothing to ask -- pass a prompt or pipe text in", file=sys.stderr)
            return 2
        return interactive(chat, args)
    finally:
        finish(chat, args)


def interactive(chat: Chat, args: argparse.Namespace) -> int:
    from ..errors import Error

    print(f"pyllm chat with {chat.model} on {chat.provider}. {HELP}", file=sys.stderr)
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            print(file=sys.stderr)
            return 0
        except KeyboardInterrupt:
            print("\n(Ctrl-D or /exit quits)", file=sys.stderr)
            continue
        if not line:
            continue
        if line.startswith("/"):
            try:
                if _command(chat, line):
                    return 0
            except Error as exc:  # e.g. /model with a typo: say so, keep the session
                print(f"error: {exc}", file=sys.stderr)
            continue
        try:
            answer(chat, line, args, sys.stdout)
        except Error as exc:
            print(f"error: {exc}", file=sys.stderr)
        args.attach = []  # attachments go with the first question only


def _command(chat: Chat, line: str) -> bool:
    """Run a /command; True to quit."""
    name, _, rest = line.partition(" ")
    if name in ("/exit", "/quit"):
        return True
    if name == "/clear":
        chat.messages[:] = [m for m in chat.messages if m.role == "system"]
        print("(history cleared)", file=sys.stderr)
    elif name == "/model":
        if rest.strip():
            chat.with_model(rest.strip())
        print(f"(talking to {chat.model} on {chat.provider})", file=sys.stderr)
    elif name == "/system" and rest:
        chat.with_instructions(rest.strip())
        print("(system prompt set)", file=sys.stderr)
    elif name == "/cost":
        usage = chat.usage
        print(
            f"({usage.input_tokens} in / {usage.output_tokens} out tokens, ${chat.cost or 0:.6f})",
            file=sys.stderr,
        )
    else:
        print(f"(unknown command {name}; {HELP})", file=sys.stderr)
    return False


def add_embed(subparsers: Any) -> None:
    parser = subparsers.add_parser("embed", help="embed text into vectors")
    parser.add_argument("text", nargs="+", help="one or more texts (each argument is one input)")
    _model_options(parser)
    parser.add_argument("--dimensions", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print the vectors as JSON")

    def run(args: argparse.Namespace) -> int:
        import pyllm

        emb = pyllm.embed(args.text, args.model, provider=args.provider, dimensions=args.dimensions)
        if args.json:
            print(
                json.dumps(
                    {
                        "model": emb.model,
                        "vectors": emb.vectors,
                        "input_tokens": emb.input_tokens,
                        "cost": emb.cost,
                    }
                )
            )
            return 0
        for text, vector in zip(args.text, emb.vectors, strict=True):
            head = ", ".join(f"{v:.4f}" for v in vector[:4])
            print(f"{text[:40]!r}: {len(vector)} dimensions [{head}, ...]")
        cost = f" · ${emb.cost:.8f}" if emb.cost is not None else ""
        print(f"— {emb.model} · {emb.input_tokens} tokens{cost}", file=sys.stderr)
        return 0

    parser.set_defaults(run=run)


def add_paint(subparsers: Any) -> None:
    parser = subparsers.add_parser("paint", help="generate an image")
    parser.add_argument("prompt", nargs="+")
    parser.add_argument(
        "-o", "--output", default="image.png", help="file to write (n > 1 adds -1, -2...)"
    )
    _model_options(parser, attach="reference image to edit (repeatable)")
    parser.add_argument("--size", default=None, help="e.g. 1024x1024")
    parser.add_argument("-n", type=int, default=1, help="how many images")

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        import pyllm

        result = pyllm.paint(
            " ".join(args.prompt),
            args.model,
            provider=args.provider,
            size=args.size,
            n=args.n,
            attachments=args.attach or None,
        )
        images = result if isinstance(result, list) else [result]
        target = Path(args.output)
        for index, image in enumerate(images, start=1):
            path = (
                target
                if len(images) == 1
                else target.with_name(f"{target.stem}-{index}{target.suffix}")
            )
            image.save(path)
            cost = f" · ${image.cost:.6f}" if image.cost is not None else ""
            print(f"{path} ({image.mime_type}, {len(image.data or b'')} bytes){cost}")
        return 0

    parser.set_defaults(run=run)
