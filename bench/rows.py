"""One result row: a measurement of pyllm, the same of its baseline, their ratio, the target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Row", "Target"]


@dataclass(frozen=True, slots=True)
class Target:
    """``ratio <= 2.0`` (``on="ratio"``) or ``value < 10`` (``on="value"``, in the row's unit)."""

    limit: float
    on: str = "ratio"
    at_least: bool = False

    def met(self, value: float | None, ratio: float | None) -> bool | None:
        measured = ratio if self.on == "ratio" else value
        if measured is None:
            return None
        return measured >= self.limit if self.at_least else measured <= self.limit

    def __str__(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"{sign} {self.limit:g}x" if self.on == "ratio" else f"{sign} {self.limit:g}"


@dataclass(slots=True)
class Row:
    key: str
    label: str
    unit: str
    pyllm: float | None
    baseline: float | None = None
    baseline_name: str = "httpx"
    target: Target | None = None
    peers: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.pyllm is None or not self.baseline:
            return None
        return self.pyllm / self.baseline

    @property
    def met(self) -> bool | None:
        return self.target.met(self.pyllm, self.ratio) if self.target else None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "pyllm": self.pyllm,
            "baseline": self.baseline,
            "baseline_name": self.baseline_name,
            "ratio": self.ratio,
            "target": str(self.target) if self.target else None,
            "met": self.met,
            "peers": self.peers,
            "samples": self.samples,
            "note": self.note,
        }
