"""Where an answer's facts come from: :class:`Citation`, read from the ``url_citation``
annotations a web search (OpenRouter's ``web`` plugin or ``openrouter:web_search`` server tool,
a search model such as Perplexity's) leaves on the answer. Pure values.

>>> c = Citation("https://www.ruby-lang.org/en/downloads/", "Download Ruby", start=50, end=108)
>>> c.url, c.title, (c.start, c.end)
('https://www.ruby-lang.org/en/downloads/', 'Download Ruby', (50, 108))
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Citation"]


@dataclass(frozen=True, slots=True)
class Citation:
    """One source an answer cites: its ``url`` and ``title``, an excerpt (``content``) when the
    search engine gave one, and the span of the answer's text it supports (``start`` and
    ``end``, character offsets into ``message.content``; both 0 when the provider does not
    say, as Perplexity's models and streamed citations do)."""

    url: str
    title: str | None = None
    content: str | None = None
    start: int | None = None
    end: int | None = None

    def cited_text(self, text: str) -> str:
        """The part of ``text`` (the answer) this citation supports ("" when no span is given).

        >>> Citation("https://a.example", start=4, end=9).cited_text("The quick fox")
        'quick'
        """
        if self.start is None or self.end is None or self.end <= self.start:
            return ""
        return text[self.start : self.end]
