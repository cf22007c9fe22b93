"""The fake OpenRouter's model catalog: ``GET /models`` built from pyllm's bundled registry."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from .._catalog.files import read_snapshot
from ..protocols.model_listings import render_openrouter_model

__all__ = ["FAKE_MODELS", "models_listing"]
FAKE_MODELS = (
    "anthropic/claude-haiku-4.5",
    "openai/gpt-4.1-mini",
    "google/gemini-2.5-flash",
    "google/gemini-2.5-flash-image",
    "openai/text-embedding-3-small",
)
"""The models the fake ``GET /models`` lists (with the bundled registry's data)."""


def models_listing(query: str = "") -> dict[str, Any]:
    """An OpenRouter ``GET /models`` body for :data:`FAKE_MODELS`.

    Like OpenRouter, only text-output models are listed unless ``output_modalities`` asks for
    others (``embeddings``, ``image``..., or ``all``).
    """
    wanted = set(",".join(parse_qs(query).get("output_modalities", ["text"])).split(","))
    known = {m.id: m for m in read_snapshot() if m.provider == "openrouter"}
    listed = [known[i] for i in FAKE_MODELS if i in known]
    if "all" not in wanted:
        listed = [m for m in listed if wanted & set(m.output_modalities)]
    return {"data": [render_openrouter_model(m) for m in listed]}
