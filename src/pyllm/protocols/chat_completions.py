"""The OpenAI Chat Completions wire format (``POST /chat/completions``), pure.

Lenient on input: unknown fields and enum values pass through, ``content`` may be ``null`` or
``""``, numbers may be strings. Strict on meaning: an ``error`` anywhere raises the typed error
its code maps to, never a silent short success.

>>> from pyllm.message import Message
>>> from pyllm.request import ChatRequest
>>> proto = ChatCompletions("openai")
>>> proto.render_chat(ChatRequest("gpt-4.1-mini", (Message.user("Hi"),)))
{'model': 'gpt-4.1-mini', 'messages': [{'role': 'user', 'content': 'Hi'}], 'stream': False}
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._status_codes import api_error
from ..chunk import Chunk, new_chunk
from ..errors import APIError, ErrorDetails, InvalidResponseError
from ..message import Message, ToolCall, Usage
from . import _readers as read
from ._options import reject_gateway_options, reject_server_tool, render_options
from ._options import web_search_options as render_web_search
from .base import as_float, as_int, deep_merge, loads
from .tool_results import lift_files

if TYPE_CHECKING:
    from ..content import Attachment
    from ..request import ChatRequest, ServerTool
    from .base import ServerSentEvent

__all__ = ["ChatCompletions"]

_AUDIO_FORMATS = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/flac": "flac",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/aiff": "aiff",
}


_CHUNK_VALUES, _PLAIN_DELTA_KEYS = read.CHUNK_VALUES, read.PLAIN_DELTA_KEYS  # per-chunk lookups


class ChatCompletions:
    """Render and parse Chat Completions. Subclasses (dialects) override the small hooks."""

    tool_result_attachments = False
    """A ``tool`` message carries text only: files a tool returned follow the round's results
    in a user message (see :mod:`pyllm.protocols.tool_results`)."""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    # ---- render -------------------------------------------------------------------------

    def render_chat(self, request: ChatRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": [self.render_message(m) for m in lift_files(request.messages)],
            "stream": request.stream,
        }
        if request.stream:
            payload["stream_options"] = {"include_usage": True}
        if request.temperature is not None:
            payload["temperature"] = request.temperature
        if request.max_tokens is not None:
            payload["max_tokens"] = request.max_tokens
        render_options(request, payload)
        if request.tools or request.server_tools:
            payload["tools"] = [self.render_tool(t) for t in request.tools]
            payload["tools"] += [self.render_server_tool(t) for t in request.server_tools]
            if request.tool_choice is not None:
                payload["tool_choice"] = self.render_tool_choice(request.tool_choice)
            if request.parallel_tool_calls is not None:
                payload["parallel_tool_calls"] = request.parallel_tool_calls
        if request.schema is not None:
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema.name,
                    "schema": dict(request.schema.schema),
                    "strict": request.schema.strict,
                },
            }
        self.render_extras(request, payload)
        return deep_merge(payload, request.params) if request.params else payload

    def render_extras(self, request: ChatRequest, payload: dict[str, Any]) -> None:
        """Dialect hook: reasoning, routing, fallbacks, web search, the gateway's options
        (refused here: plain Chat Completions has no plugins, sessions or presets)."""
        if request.thinking is not None and request.thinking.effort:
            payload["reasoning_effort"] = request.thinking.effort
        if request.web_search is not None:
            payload["web_search_options"] = render_web_search(request.web_search, self.provider)
        reject_gateway_options(request, self.provider)

    def render_server_tool(self, tool: ServerTool) -> dict[str, Any]:
        """Dialect hook: a tool the provider runs itself (plain Chat Completions has none)."""
        raise reject_server_tool(tool, self.provider)

    def render_tool(self, tool: Any) -> dict[str, Any]:
        function: dict[str, Any] = {
            "name": tool.name,
            "description": tool.description,
            "parameters": dict(tool.parameters),
        }
        if tool.strict is not None:
            function["strict"] = tool.strict
        return {"type": "function", "function": function}

    def render_tool_choice(self, choice: str) -> Any:
        if choice in ("auto", "none", "required"):
            return choice
        return {"type": "function", "function": {"name": choice}}

    def render_message(self, message: Message) -> dict[str, Any]:
        role = message.role
        if role == "tool":
            return {
                "role": "tool",
                "tool_call_id": message.tool_call_id,
                "content": self.render_content(message),
            }
        rendered: dict[str, Any] = {"role": role, "content": self.render_content(message)}
        if role == "assistant":
            if message.tool_calls:
                rendered["tool_calls"] = [self.render_tool_call(c) for c in message.tool_calls]
            self.render_assistant_extras(message, rendered)
        return rendered

    def render_assistant_extras(self, message: Message, rendered: dict[str, Any]) -> None:
        """Dialect hook: e.g. OpenRouter sends ``reasoning_details`` back unchanged."""

    def render_tool_call(self, call: ToolCall) -> dict[str, Any]:
        arguments = call.raw_arguments or json.dumps(dict(call.arguments), ensure_ascii=False)
        return {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": arguments},
        }

    def render_content(self, message: Message) -> Any:
        if not message.attachments:
            return message.content
        parts: list[dict[str, Any]] = []
        if message.content:
            parts.append({"type": "text", "text": message.content})
        parts.extend(self.render_attachment(a) for a in message.attachments)
        return parts

    def render_attachment(self, attachment: Attachment) -> dict[str, Any]:
        kind = attachment.kind
        if kind == "image":
            return {"type": "image_url", "image_url": {"url": attachment.data_url()}}
        if kind == "audio" and attachment.data is not None:
            audio_format = _AUDIO_FORMATS.get(attachment.mime_type or "", "wav")
            data = base64.b64encode(attachment.data).decode("ascii")
            return {"type": "input_audio", "input_audio": {"data": data, "format": audio_format}}
        if kind == "text" and attachment.data is not None:
            opening = f"<file name='{attachment.name}' mime_type='{attachment.mime_type}'>"
            return {"type": "text", "text": f"{opening}{attachment.text}</file>"}
        if kind == "video":
            return {"type": "video_url", "video_url": {"url": attachment.data_url()}}
        return {
            "type": "file",
            "file": {"filename": attachment.name, "file_data": attachment.data_url()},
        }

    # ---- parse --------------------------------------------------------------------------

    def parse_chat(self, body: Any) -> Message:
        if not isinstance(body, Mapping):
            raise self._invalid(f"expected a JSON object, got {type(body).__name__}", body)
        choices = body.get("choices")
        if body.get("error") and not choices:
            raise api_error(None, self.parse_error(body), provider=self.provider)
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
            raise self._invalid(
                "the response has no choices (the upstream may be starting up; retry)", body
            )
        choice = choices[0]
        data = choice.get("message")
        data = data if isinstance(data, Mapping) else {}
        message = Message(
            role="assistant",
            content=read.text(data.get("content")),
            tool_calls=tuple(read.parse_tool_calls(data.get("tool_calls"))),
            reasoning=read.text(data.get("reasoning") or data.get("reasoning_content")) or None,
            reasoning_details=read.dicts(data.get("reasoning_details")),
            model=read.str_or_none(body.get("model")),
            provider=self.provider,
            upstream=read.str_or_none(body.get("provider")),
            id=read.str_or_none(body.get("id")),
            finish_reason=read.str_or_none(choice.get("finish_reason")),
            native_finish_reason=read.str_or_none(choice.get("native_finish_reason")),
            usage=self.parse_usage(body.get("usage")),
            refusal=read.str_or_none(data.get("refusal")),
            images=tuple(read.parse_images(data.get("images"))),
            annotations=read.dicts(data.get("annotations")),
            raw=body,
            citations=read.parse_citations(data.get("annotations")),
            logprobs=read.parse_logprobs(choice.get("logprobs")),
        )
        error = choice.get("error")
        if error or message.finish_reason == "error":
            details = self.parse_error({"error": error} if error else {})
            if not details.message:
                reason = message.native_finish_reason or "unknown reason"
                details = ErrorDetails(message=f"generation failed ({reason})", raw=body)
            raise api_error(
                None,
                details,
                provider=self.provider,
                partial=message.replace(finish_reason="error"),
            )
        return message

    def parse_usage(self, data: Any) -> Usage | None:
        if not isinstance(data, Mapping):
            return None
        prompt_details = data.get("prompt_tokens_details")
        completion_details = data.get("completion_tokens_details")
        prompt_details = prompt_details if isinstance(prompt_details, Mapping) else {}
        completion_details = completion_details if isinstance(completion_details, Mapping) else {}
        cost = as_float(data.get("cost"))
        server_tools = data.get("server_tool_use_details") or data.get("server_tool_use")
        searches = server_tools.get("web_search_requests") if type(server_tools) is dict else 0
        return Usage(
            input_tokens=as_int(data.get("prompt_tokens")),
            output_tokens=as_int(data.get("completion_tokens")),
            total_tokens=as_int(data.get("total_tokens")),
            cached_tokens=as_int(prompt_details.get("cached_tokens")),
            cache_write_tokens=as_int(prompt_details.get("cache_write_tokens")),
            reasoning_tokens=as_int(completion_details.get("reasoning_tokens")),
            cost=cost,
            cost_source="provider" if cost is not None else None,
            raw=data,
            web_search_requests=as_int(searches),
        )

    def new_stream(self) -> ChatCompletions:
        """The reader of one stream: Chat Completions events need no state, so the protocol
        itself (shared by every stream, no cost per stream)."""
        return self

    def is_end(self, event: ServerSentEvent) -> bool:
        return event[0] == "[DONE]"

    def parse_event(self, event: ServerSentEvent) -> Chunk | None:
        text = event[0]  # .data, read by index: this runs once per streamed event
        try:
            data = loads(text)
        except ValueError:
            if not text or text.isspace():
                return None
            snippet = text if len(text) <= 120 else text[:117] + "..."
            raise self._invalid(f"a stream event is not valid JSON: {snippet!r}", text) from None
        if type(data) is not dict:
            raise self._invalid(f"a stream event is a JSON {type(data).__name__}", data)
        if data.get("error"):
            raise api_error(None, self.parse_error(data), provider=self.provider)
        return self.parse_chunk(data)

    def parse_chunk(self, data: dict[str, Any]) -> Chunk:
        # The hot path of streaming, once per delta: fields absent from the delta keep their
        # defaults, and the Chunk is built without its 18-field __init__ (see new_chunk).
        values = _CHUNK_VALUES.copy()
        get = data.get
        values["model"] = get("model")
        values["id"] = get("id")
        values["upstream"] = get("provider")
        values["raw"] = data
        choices = get("choices")
        if choices and type(choices) is list:
            choice = choices[0]
            if type(choice) is dict:
                finish_reason = choice.get("finish_reason")
                if finish_reason is not None:
                    if finish_reason == "error":
                        raise self._choice_error(choice, data)
                    if type(finish_reason) is str:
                        values["finish_reason"] = finish_reason
                    native = choice.get("native_finish_reason")
                    if type(native) is str:
                        values["native_finish_reason"] = native
                logprobs = choice.get("logprobs")
                if logprobs:
                    values["logprobs"] = read.parse_logprobs(logprobs)
                delta = choice.get("delta")
                if type(delta) is dict:
                    content = delta.get("content")
                    if type(content) is str:
                        values["content"] = content
                    for key in delta:
                        if key not in _PLAIN_DELTA_KEYS:
                            read.parse_delta_extras(delta, values)
                            break
        usage = get("usage")
        if usage:
            values["usage"] = self.parse_usage(usage)
        return new_chunk(values)

    def _choice_error(self, choice: Mapping[str, Any], data: Any) -> APIError:
        native = choice.get("native_finish_reason") or "unknown reason"
        details = self.parse_error({"error": choice["error"]}) if choice.get("error") else None
        return api_error(
            None,
            details or ErrorDetails(message=f"generation failed ({native})", raw=data),
            provider=self.provider,
        )

    def parse_error(self, body: Any) -> ErrorDetails:
        """Read ``{"error": {...}}`` (or a string, a list, anything) into :class:`ErrorDetails`."""
        if isinstance(body, list) and body:
            body = body[0]
        if isinstance(body, (bytes, str)):
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            return ErrorDetails(message=text.strip(), raw=body)
        if not isinstance(body, Mapping):
            return ErrorDetails(raw=body)
        error = body.get("error", body)
        if isinstance(error, str):
            return ErrorDetails(message=error, raw=body)
        if not isinstance(error, Mapping):
            return ErrorDetails(message=read.text(body.get("message")), raw=body)
        metadata = read.metadata(error.get("metadata"))
        error_type = error.get("type") or error.get("error_type") or metadata.get("error_type")
        code = error.get("code")
        if code is None:
            code = error.get("http_status") or error.get("status")
        return self.parse_error_extras(
            error,
            ErrorDetails(
                message=read.text(error.get("message")) or read.text(error.get("error")),
                code=code if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
                metadata=metadata,
                error_type=error_type if isinstance(error_type, str) else None,
                raw=body,
                generation_id=read.str_or_none(body.get("id")),
            ),
        )

    def parse_error_extras(self, error: Mapping[str, Any], details: ErrorDetails) -> ErrorDetails:
        """Dialect hook: provider-specific metadata (upstream name, raw upstream text...)."""
        return details

    def _invalid(self, reason: str, raw: Any) -> InvalidResponseError:
        return InvalidResponseError(reason, status=200, provider=self.provider, raw=raw)
