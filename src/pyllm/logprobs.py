"""How sure the model was of each token: :class:`TokenLogprob`, what ``chat.with_logprobs()``
asks for and ``message.logprobs`` holds (streamed answers too). Pure values.

>>> import math
>>> t = TokenLogprob("Paris", -0.01, top=(TokenLogprob("Paris", -0.01), TokenLogprob("Lyon", -4.6)))
>>> round(t.probability, 3), [alt.token for alt in t.top]
(0.99, ['Paris', 'Lyon'])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["TokenLogprob"]


@dataclass(frozen=True, slots=True)
class TokenLogprob:
    """One token of the answer: its text, its log probability (natural log), its UTF-8
    ``bytes`` when the provider sends them, and the ``top`` alternatives the model weighed at
    that position (``with_logprobs(top=N)``), most likely first."""

    token: str
    logprob: float
    bytes: tuple[int, ...] | None = None
    top: tuple[TokenLogprob, ...] = ()

    @property
    def probability(self) -> float:
        """``exp(logprob)``: the probability, from 0 to 1."""
        return math.exp(self.logprob)
