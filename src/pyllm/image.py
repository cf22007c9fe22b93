"""Image generation ("paint"): through chat completions with ``modalities: ["image", "text"]``,
or OpenRouter's dedicated ``/images`` endpoint for image-only models.

>>> from pyllm.testing import FakeOpenRouter
>>> with FakeOpenRouter() as server:
...     image = server.client().paint("a red kite", model="google/gemini-2.5-flash-image")
>>> image.mime_type, image.data[:4]
('image/png', b'\\x89PNG')
"""

from __future__ import annotations

import asyncio
import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._limits import CHARS_PER_TOKEN, TOKENS_PER_IMAGE
from .content import Attachment, to_attachments
from .errors import InvalidResponseError, UnsupportedError
from .protocols.base import deep_merge

if TYPE_CHECKING:
    from ._engine.spending import Spend
    from ._session import Session
    from .message import Message, Usage
    from .providers.base import Provider

__all__ = ["DEFAULT_IMAGE_MODEL", "Image"]

DEFAULT_IMAGE_MODEL = "google/gemini-2.5-flash-image"


@dataclass(frozen=True, slots=True)
class Image:
    """A generated image: ``data`` (bytes) and ``mime_type``, or only a remote ``url``."""

    data: bytes | None
    mime_type: str | None
    url: str | None = None
    revised_prompt: str | None = None
    text: str | None = None
    model: str | None = None
    usage: Usage | None = None
    cost: float | None = None
    raw: Any = field(default=None, compare=False, repr=False)

    def save(self, path: str | Path) -> Path:
        """Write the image to ``path`` (created or replaced) and return the path."""
        if self.data is None:
            raise ValueError(f"this image is only a URL ({self.url}); download it to save it")
        target = Path(path).expanduser()
        target.write_bytes(self.data)
        return target

    def __repr__(self) -> str:
        size = f"{len(self.data)} bytes" if self.data is not None else self.url
        return f"Image({self.mime_type}, {size}, model={self.model!r})"


def _from_attachment(attachment: Attachment, **details: Any) -> Image:
    return Image(
        data=attachment.data,
        mime_type=attachment.mime_type,
        url=attachment.url or (attachment.data_url() if attachment.data else None),
        **details,
    )


def aspect_ratio(size: str) -> str:
    """``"1792x1024"`` -> ``"7:4"``: the form chat-based image models take.

    >>> aspect_ratio("1024x1024"), aspect_ratio("1920x1080")
    ('1:1', '16:9')
    """
    try:
        width, height = (int(part) for part in size.lower().split("x"))
    except ValueError:
        raise ValueError(f"size must look like '1024x1024', got {size!r}") from None
    if width <= 0 or height <= 0:
        raise ValueError(f"size must be positive, got {size!r}")
    common = math.gcd(width, height)
    return f"{width // common}:{height // common}"


class PaintJob:
    """One ``paint`` call: which endpoint, the payload, and how to read the answer. Pure."""

    def __init__(
        self,
        session: Session,
        prompt: str,
        *,
        model: str | None,
        provider: str | None,
        size: str | None,
        n: int,
        attachments: Sequence[Any] | None,
        endpoint: str | None,
        options: Mapping[str, Any],
    ) -> None:
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError("paint needs a prompt: a non-empty string")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive whole number, got {n!r}")
        model_id, provider_name = session.resolve(model or DEFAULT_IMAGE_MODEL, provider)
        session.check_capability(model_id, provider_name, "image_generation")
        self.provider: Provider = session.provider(provider_name)
        self.model, self.prompt, self.size, self.n = model_id, prompt, size, n
        self.references = to_attachments(attachments) if attachments else ()
        if endpoint not in (None, "chat", "images"):
            raise ValueError(f"endpoint must be 'chat' or 'images', got {endpoint!r}")
        self.endpoint = endpoint or session.image_endpoint(model_id, provider_name)
        self.options = dict(options)
        if self.references and self.endpoint == "images" and not self.provider.image_references:
            raise UnsupportedError(
                f"{self.provider.display_name}'s images endpoint takes no reference images "
                "(pyllm does not send image edits there yet); paint without attachments, or "
                "with a model that edits through chat (pyllm.models.image_models())"
            )

    @property
    def path(self) -> str:
        if self.endpoint == "chat":
            return self.provider.chat_path
        if self.provider.images_path is None:
            raise UnsupportedError(
                f"{self.provider.display_name} has no images endpoint; use endpoint='chat'"
            )
        return self.provider.images_path

    @property
    def requests(self) -> int:
        """Chat completions paint one image per request; ``/images`` takes ``n``."""
        return 1 if self.endpoint == "images" else self.n

    def payload(self) -> dict[str, Any]:
        if self.endpoint == "images":
            payload: dict[str, Any] = {"model": self.model, "prompt": self.prompt}
            if self.n != 1:
                payload["n"] = self.n
            if self.size:
                payload["size"] = self.size
            if self.references:
                payload["input_references"] = [
                    {"type": "image_url", "image_url": {"url": a.data_url()}}
                    for a in self.references
                ]
            return deep_merge(payload, self.options)
        content: Any = self.prompt
        if self.references:
            content = [
                {"type": "text", "text": self.prompt},
                *(
                    {"type": "image_url", "image_url": {"url": a.data_url()}}
                    for a in self.references
                ),
            ]
        payload = {
            "model": self.model,
            "messages": [{"role": "user", "content": content}],
            "modalities": ["image", "text"],
        }
        if self.size:
            payload["image_config"] = {"aspect_ratio": aspect_ratio(self.size)}
        return deep_merge(payload, self.options)

    def spend(self, session: Session) -> Spend:
        """What each request is checked against: the client's budget, at its worst case (its
        prompt, and the model's longest answer or, at ``/images``, its price per image)."""
        tokens = math.ceil(len(self.prompt) / CHARS_PER_TOKEN) + TOKENS_PER_IMAGE * len(
            self.references
        )
        if self.endpoint == "chat":
            return session.spend(self.model, self.provider.name, (tokens, None), _usage_of)
        spend = session.spend(self.model, self.provider.name, (tokens, 0), _usage_of)
        known = session.known(self.model, self.provider.name)
        per_image = known.pricing.per_image if known is not None else None
        usd = spend.ask.usd
        worst = None if usd is None or per_image is None else usd + per_image * self.n
        return replace(spend, ask=replace(spend.ask, usd=worst))

    def parse(self, body: Any) -> list[Image]:
        if self.endpoint == "images":
            return self._parse_images(body)
        message: Message = self.provider.protocol.parse_chat(body)
        if not message.images:
            said = f": {message.content[:200]}" if message.content else ""
            raise InvalidResponseError(
                f"{self.model} answered without an image{said}",
                status=200,
                provider=self.provider.name,
                raw=body,
            )
        share = (message.cost / len(message.images)) if message.cost is not None else None
        return [
            _from_attachment(
                a,
                text=message.content or None,
                model=message.model,
                usage=message.usage,
                cost=share,
                raw=body,
            )
            for a in message.images
        ]

    def _parse_images(self, body: Any) -> list[Image]:
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list) or not data:
            raise InvalidResponseError(
                "the images response has no data", status=200, provider=self.provider.name, raw=body
            )
        usage = self.provider.protocol.parse_usage(body.get("usage"))
        cost = usage.cost if usage is not None else None
        share = cost / len(data) if cost is not None else None
        images = []
        for item in data:
            if not isinstance(item, Mapping):
                continue
            encoded, url = item.get("b64_json"), item.get("url")
            raw_bytes = base64.b64decode(encoded) if isinstance(encoded, str) else None
            mime = item.get("media_type") or item.get("mime_type")
            attachment = Attachment(
                data=raw_bytes,
                url=url if isinstance(url, str) else None,
                mime_type=mime if isinstance(mime, str) else None,
            )
            revised = item.get("revised_prompt")
            images.append(
                _from_attachment(
                    attachment,
                    model=self.model,
                    usage=usage,
                    cost=share,
                    raw=body,
                    revised_prompt=revised if isinstance(revised, str) else None,
                )
            )
        return images


def _usage_of(images: list[Image]) -> Usage | None:
    """What one request used: every image of an answer carries the answer's usage."""
    return images[0].usage if images else None


def paint_sync(session: Session, prompt: str, **options: Any) -> Image | list[Image]:
    job = _job(session, prompt, options)
    images: list[Image] = []
    for _ in range(job.requests):
        images.extend(
            session.request(
                job.provider, job.path, job.payload(), parse=job.parse, spend=job.spend(session)
            )
        )
    return images[0] if job.n == 1 else images[: job.n]


async def paint_async(session: Session, prompt: str, **options: Any) -> Image | list[Image]:
    job = _job(session, prompt, options)
    batches = await asyncio.gather(
        *(
            session.arequest(
                job.provider, job.path, job.payload(), parse=job.parse, spend=job.spend(session)
            )
            for _ in range(job.requests)
        )
    )
    images = [image for batch in batches for image in batch]
    return images[0] if job.n == 1 else images[: job.n]


def _job(session: Session, prompt: str, options: dict[str, Any]) -> PaintJob:
    known = {
        k: options.pop(k, None) for k in ("model", "provider", "size", "attachments", "endpoint")
    }
    n = options.pop("n", 1)
    return PaintJob(session, prompt, n=n, options=options, **known)
