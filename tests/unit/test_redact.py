"""Secrets are blanked out where errors are built (issue 11, items 14 and 15): every field,
nested values included, for every secret pyllm holds; URL passwords wherever a URL shows."""

from __future__ import annotations

import gc
import json
import traceback

import pytest

import pyllm
from pyllm import _redact
from pyllm._redact import MASK, display_url, redact, split_credentials
from pyllm.config import Secret, Settings
from pyllm.errors import ErrorDetails, api_error

KEY = "sk-or-v1-unit-test-secret"


@pytest.fixture
def key() -> Secret:
    return Secret(KEY)  # alive for the test: remembered


def test_nested_values_are_redacted_and_untouched_parts_kept(key: Secret) -> None:
    clean = {"n": 1, "list": [1.5, None, True]}
    value = {
        "error": {"message": f"bad key {KEY}", "list": [f"x{KEY}", (KEY, 2)], KEY: "as a key"},
        "bytes": f"<p>{KEY}</p>".encode(),
        "buffer": bytearray(KEY.encode()),
        "clean": clean,
    }
    assert redact(value) == {
        "error": {"message": f"bad key {MASK}", "list": [f"x{MASK}", (MASK, 2)], MASK: "as a key"},
        "bytes": f"<p>{MASK}</p>".encode(),
        "buffer": MASK.encode(),
        "clean": clean,
    }
    assert redact(value)["clean"] is clean
    assert redact(clean) is clean
    assert value["error"]["message"] == f"bad key {KEY}"  # the input is not changed


def test_deep_and_cyclic_values_are_walked_without_recursion(key: Secret) -> None:
    deep: list[object] = [KEY]
    for _ in range(5_000):
        deep = [deep]
    out = redact(deep)
    for _ in range(5_000):
        out = out[0]
    assert out == [MASK]
    loop: list[object] = [KEY]
    loop.append(loop)
    assert redact(loop)[0] == MASK


def test_every_field_of_an_api_error_is_redacted(key: Secret) -> None:
    details = ErrorDetails(
        message=f"Invalid key {KEY}",
        code=f"bad_{KEY}",
        metadata={"raw": {"headers": [f"Bearer {KEY}"]}},
        upstream=f"host-{KEY}",
        upstream_message=f"upstream saw {KEY}",
        error_type=f"type-{KEY}",
        raw={"error": {"message": f"Invalid key {KEY}"}},
        generation_id=f"gen-{KEY}",
    )
    error = api_error(401, details, provider="openrouter")
    shown = [
        str(error),
        repr(error),
        error.message,
        repr(error.args),
        repr(error.raw),
        repr(error.metadata),
        str(error.code),
        str(error.upstream),
        str(error.error_type),
        str(error.generation_id),
        "".join(traceback.format_exception(type(error), error, None)),
    ]
    assert all(KEY not in text for text in shown), shown
    assert error.metadata == {"raw": {"headers": [f"Bearer {MASK}"]}}
    assert isinstance(error, pyllm.AuthenticationError) and error.status == 401


@pytest.mark.parametrize(
    "error",
    [
        lambda: pyllm.APIConnectionError(f"ConnectError talking to x: {KEY}"),
        lambda: pyllm.APITimeoutError(f"ReadTimeout: {KEY}"),
        lambda: pyllm.ConfigurationError(f"bad value {KEY!r}"),
        lambda: pyllm.AttachmentError(f"could not download https://h/?k={KEY}"),
        lambda: pyllm.InvalidResponseError(f"<html>{KEY}</html>", raw=KEY.encode()),
    ],
    ids=["connection", "timeout", "configuration", "attachment", "invalid-response"],
)
def test_every_error_class_redacts_its_message(key: Secret, error: object) -> None:
    raised = error()  # type: ignore[operator]
    assert KEY not in str(raised) and KEY not in repr(raised)
    assert KEY not in repr(getattr(raised, "raw", None))
    assert KEY not in str(getattr(raised, "message", ""))


def test_every_configured_key_is_redacted_not_only_the_providers_own() -> None:
    settings = Settings.resolve(
        {"openrouter_api_key": "sk-or-first-key-123", "openai_api_key": "sk-openai-second-456"},
        environ={"ANTHROPIC_API_KEY": "sk-ant-third-789"},
    )
    error = pyllm.BadRequestError("echo sk-or-first-key-123 sk-openai-second-456 sk-ant-third-789")
    assert error.message == f"echo {MASK} {MASK} {MASK}"
    assert settings.openai_api_key is not None  # kept alive until here


def test_url_passwords_are_masked_in_any_error_text() -> None:
    error = pyllm.APIConnectionError("ConnectError talking to https://me:hunter2@gw.local/v1")
    assert str(error) == f"ConnectError talking to https://me:{MASK}@gw.local/v1"
    assert redact(b"at http://me:pw@h/") == f"at http://me:{MASK}@h/".encode()


def test_short_values_are_not_taken_for_secrets() -> None:
    short = Secret("k")
    assert pyllm.Error("a kind key").args == ("a kind key",)
    assert short.reveal() == "k"


def test_secrets_are_forgotten_when_nothing_uses_them() -> None:
    def ours() -> int:  # other threads (tool workers, MCP sessions) may hold secrets of their own
        return sum("sk-or-temporary-0007" in forms for _, forms in list(_redact._live.values()))

    keys = [Secret(f"sk-or-temporary-{i:04d}") for i in range(1_000)]
    assert (
        sum(
            any(form.startswith("sk-or-temporary-") for form in forms)
            for _, forms in list(_redact._live.values())
        )
        == 1_000
    )
    assert pyllm.Error("sk-or-temporary-0007").args == (MASK,)
    del keys
    gc.collect()
    assert ours() == 0
    assert pyllm.Error("sk-or-temporary-0007").args == ("sk-or-temporary-0007",)


@pytest.mark.parametrize(
    ("url", "shown", "parts"),
    [
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1", None),
        (
            "http://me:pw@127.0.0.1:8/v1",
            f"http://me:{MASK}@127.0.0.1:8/v1",
            ("http://127.0.0.1:8/v1", "me", "pw"),
        ),
        ("https://me:p%40ss:x@h", f"https://me:{MASK}@h", ("https://h", "me", "p@ss:x")),
        ("https://token@h/v1", "https://token@h/v1", ("https://h/v1", "token", "")),
        ("https://h/v1?next=a@b", "https://h/v1?next=a@b", None),
        ("https://h?next=a@b", "https://h?next=a@b", None),
        ("https://me:pw@h#x", f"https://me:{MASK}@h#x", ("https://h#x", "me", "pw")),
    ],
)
def test_display_url_and_split_credentials(
    url: str, shown: str, parts: tuple[str, str, str] | None
) -> None:
    assert display_url(url) == shown
    assert split_credentials(url) == parts


def test_escaped_forms_of_a_secret_are_redacted_too() -> None:
    key = Secret('sk-or-v1-with"quote\\and\nnewline')
    echoed = json.dumps({"error": f"bad key {key.reveal()}"}).encode()  # as a server writes it
    assert b"newline" in echoed and b"newline" not in redact(echoed)
    assert "newline" not in str(pyllm.Error(f"Illegal header value {key.reveal().encode()!r}"))


def test_a_secret_freed_during_a_garbage_collection_never_breaks_an_error() -> None:
    """Building an error reads every live secret; a collection that frees one meanwhile (its
    weakref callback takes it out) used to raise "dictionary changed size during iteration"."""
    doomed = [Secret(f"sk-doomed-secret-{i:04d}") for i in range(40)]

    def free_one(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and doomed:
            doomed.pop()  # freed here, in the middle of whatever allocation started the collection

    threshold = gc.get_threshold()
    gc.callbacks.append(free_one)
    gc.set_threshold(1, 1, 1)  # a collection at (nearly) every allocation
    try:
        errors = [pyllm.APIConnectionError(f"attempt {i} failed") for i in range(200)]
    finally:
        gc.callbacks.remove(free_one)
        gc.set_threshold(*threshold)
    assert str(errors[-1]) == "attempt 199 failed" and not doomed
