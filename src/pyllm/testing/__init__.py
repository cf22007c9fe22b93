"""``pyllm.testing``: a local OpenRouter and a local Anthropic you can run, for your tests and
demos. No network.

>>> from pyllm.testing import FakeOpenRouter, text, error
>>> with FakeOpenRouter() as server:
...     server.reply(text("1\\n2\\n3", chunks=3), error(429, "slow down", retry_after=1))
...     chat = server.chat("anthropic/claude-haiku-4.5")
...     streamed = "".join(chunk.content for chunk in chat.stream("Count to 3"))
>>> streamed
'1\\n2\\n3'

Script replies with :func:`text`, :func:`tool_call`, :func:`error`, :func:`stream_error`,
:func:`raw` and :func:`drop` (or a :class:`Reply` with any field, e.g. ``annotations`` made
with :func:`url_citation`), and read what pyllm sent in ``server.requests``. The account
routes (``/key``, ``/credits``, ``/generation``) answer too. :class:`FakeAnthropic` speaks
Anthropic's Messages API with the same scripting. Run either from a shell with
``python -m pyllm.testing`` or ``pyllm serve-fake`` (``--provider anthropic``).
"""

from ._anthropic import FakeAnthropic
from ._http1 import RecordedRequest
from ._openrouter import FakeOpenRouter
from ._replies import (
    Reply,
    ToolCallSpec,
    drop,
    error,
    raw,
    stream_error,
    text,
    tool_call,
    url_citation,
)

__all__ = [
    "FakeAnthropic",
    "FakeOpenRouter",
    "RecordedRequest",
    "Reply",
    "ToolCallSpec",
    "drop",
    "error",
    "raw",
    "stream_error",
    "text",
    "tool_call",
    "url_citation",
]
