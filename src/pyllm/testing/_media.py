"""Default answers of the fake server for embeddings and images (deterministic, offline)."""

from __future__ import annotations

import base64
import hashlib
import math
import struct
import zlib
from collections.abc import Mapping
from typing import Any

from ._replies import Reply

__all__ = ["TINY_PNG", "embeddings_reply", "fake_vector", "images_reply", "tiny_png"]


def fake_vector(text: str, dimensions: int = 8) -> list[float]:
    """A deterministic unit vector for ``text`` (what the fake server answers)."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend((b - 127.5) / 127.5 for b in digest)
        counter += 1
    values = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [round(v / norm, 6) for v in values]


def embeddings_reply(request: Mapping[str, Any]) -> Reply:
    inputs = request.get("input")
    texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
    dimensions = request.get("dimensions") or 8
    tokens = sum(max(1, len(str(t).split())) for t in texts)
    body = {
        "object": "list",
        "data": [
            {"object": "embedding", "embedding": fake_vector(str(t), dimensions), "index": i}
            for i, t in enumerate(texts)
        ],
        "model": str(request.get("model", "")).split("/")[-1],
        "provider": "pyllm.testing",
        "id": "gen-emb-fake",
        "usage": {
            "prompt_tokens": tokens,
            "total_tokens": tokens,
            "cost": round(tokens * 2e-8, 12),
        },
    }
    return Reply(body=body)


def tiny_png(red: int = 255, green: int = 0, blue: int = 0) -> bytes:
    """A valid 1x1 PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, green, blue]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_PNG = tiny_png()
TINY_PNG_URL = "data:image/png;base64," + base64.b64encode(TINY_PNG).decode()


def images_reply(request: Mapping[str, Any]) -> Reply:
    count = int(request.get("n") or 1)
    data = [
        {
            "b64_json": base64.b64encode(tiny_png(40 * i % 256, 128, 255)).decode(),
            "media_type": "image/png",
        }
        for i in range(count)
    ]
    usage = {
        "prompt_tokens": 5,
        "completion_tokens": 1290 * count,
        "total_tokens": 5 + 1290 * count,
        "cost": round(0.039 * count, 6),
    }
    return Reply(body={"created": 0, "data": data, "usage": usage})


def wants_image(request: Mapping[str, Any]) -> bool:
    modalities = request.get("modalities")
    return isinstance(modalities, list) and "image" in modalities
