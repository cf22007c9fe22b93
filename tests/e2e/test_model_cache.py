"""The model cache is keyed by provider and base URL: a refresh against a test server never
changes what a default client sees, and ``pyllm.testing`` clients keep their own cache
(issue 11, item 2). Real temporary cache files, real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pyllm
from pyllm._catalog import codec, files
from pyllm.testing import FakeOpenRouter
from pyllm.testing._models import FAKE_MODELS

if TYPE_CHECKING:
    import pytest

DEFAULT_URL = "https://openrouter.ai/api/v1"
BUNDLED = (1637, 526)  # every model, OpenRouter's


def counts(client: pyllm.Client) -> tuple[int, int]:
    return len(client.models), len(client.models.by_provider("openrouter"))


def in_a_new_process(cache: Path, base_url: str | None = None) -> tuple[int, int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "OPENAI_"))}
    env["PYLLM_MODELS_CACHE"] = str(cache)
    if base_url:
        env["OPENROUTER_BASE_URL"] = base_url
    code = (
        "import json, pyllm; m = pyllm.models; "
        "print(json.dumps([len(m), len(m.by_provider('openrouter')), m.source]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    total, openrouter, source = json.loads(done.stdout)
    return total, openrouter, source


def test_a_refresh_against_a_test_server_leaves_default_clients_alone(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    cache = tmp_path / "user-cache" / "models.json"
    tester = pyllm.Client(openrouter_base_url=server.url, models_cache_path=str(cache))
    tester.models.refresh()
    assert cache.is_file()
    assert counts(tester) == (1637 - 526 + len(FAKE_MODELS), len(FAKE_MODELS))

    fresh = pyllm.Client(models_cache_path=str(cache))  # a fresh registry, default base URL
    assert counts(fresh) == BUNDLED and fresh.models.source == "snapshot"
    assert in_a_new_process(cache) == (*BUNDLED, "snapshot")

    same_url = in_a_new_process(cache, base_url=server.url)  # who refreshed there sees it
    assert same_url == (1637 - 526 + len(FAKE_MODELS), len(FAKE_MODELS), "cache")


def test_a_refresh_replaces_only_that_provider_at_that_url(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    cache = str(tmp_path / "models.json")
    with FakeOpenRouter() as other:
        both = pyllm.Client(
            openrouter_base_url=server.url,
            openai_api_key="sk-openai-test",
            openai_base_url=other.url,
            models_cache_path=cache,
        )
        other.reply(pyllm.testing.Reply(body={"data": [{"id": "gpt-new"}]}), path="/models")
        both.models.refresh(providers=["openai"])
        openai_models = len(both.models.by_provider("openai"))
        both.models.refresh(providers=["openrouter"])
        later = pyllm.Client(
            openrouter_base_url=server.url,
            openai_api_key="sk-openai-test",
            openai_base_url=other.url,
            models_cache_path=cache,
        )
        assert len(later.models.by_provider("openrouter")) == len(FAKE_MODELS)
        assert len(later.models.by_provider("openai")) == openai_models  # kept, not dropped
        assert later.models.find("gpt-new", "openai").id == "gpt-new"
        assert len(later.models.by_provider("anthropic")) == 13  # never refreshed: bundled
        openai_only = pyllm.Client(
            openai_api_key="sk-openai-test", openai_base_url=other.url, models_cache_path=cache
        )  # OpenRouter at its default URL: bundled; OpenAI at the fake: cached
        assert len(openai_only.models.by_provider("openrouter")) == 526
        assert openai_only.models.get("gpt-new", "openai") is not None


def test_the_default_url_listing_is_used_by_default_clients(tmp_path: Path) -> None:
    cache = tmp_path / "models.json"
    listing = [pyllm.Model("a/b", "openrouter")]
    files.write_listings(cache, {("openrouter", DEFAULT_URL): listing})
    default = pyllm.Client(models_cache_path=str(cache))
    assert [m.id for m in default.models.by_provider("openrouter")] == ["a/b"]
    assert default.models.source == "cache"
    gateway = pyllm.Client(
        openrouter_base_url="http://127.0.0.1:9/api/v1", models_cache_path=str(cache)
    )
    assert counts(gateway) == BUNDLED


def test_testing_clients_never_touch_the_users_cache(
    server: FakeOpenRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = tmp_path / "users" / "models.json"
    monkeypatch.setenv("PYLLM_MODELS_CACHE", str(users))
    first = server.client()
    first.models.refresh()
    assert not users.exists()  # not written
    second = server.client()  # clients of one fake server share its private cache
    assert len(second.models.by_provider("openrouter")) == len(FAKE_MODELS)
    assert second.models.source == "cache"
    assert second.models.cache_path != users

    with FakeOpenRouter() as another:  # the user's cache has a listing for it: not read
        listing = [pyllm.Model("x/y", "openrouter")]
        files.write_listings(users, {("openrouter", another.url): listing})
        assert counts(another.client()) == BUNDLED
        assert len(pyllm.Client(openrouter_base_url=another.url).models) == 1637 - 526 + 1
    mine = server.client(models_cache_path=str(tmp_path / "mine.json"))  # asked for: honoured
    mine.models.refresh()
    assert (tmp_path / "mine.json").is_file()


def test_a_cache_written_before_listings_were_keyed_is_ignored_quietly(tmp_path: Path) -> None:
    cache = tmp_path / "models.json"
    polluted = [pyllm.Model(i, "openrouter") for i in FAKE_MODELS]  # what the old bug wrote
    cache.write_text(codec.dumps(codec.encode(polluted)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        client = pyllm.Client(models_cache_path=str(cache))
        assert counts(client) == BUNDLED
    assert client.models.source == "snapshot"


def test_clear_cache_goes_back_to_the_snapshot(server: FakeOpenRouter, tmp_path: Path) -> None:
    cache = tmp_path / "models.json"
    tester = pyllm.Client(openrouter_base_url=server.url, models_cache_path=str(cache))
    tester.models.refresh()
    tester.models.clear_cache()
    assert not cache.exists()
    assert counts(tester) == BUNDLED and tester.models.source == "snapshot"
    tester.models.clear_cache()  # nothing to clear: fine


def test_the_cache_keeps_a_bounded_number_of_listings(tmp_path: Path) -> None:
    cache = tmp_path / "models.json"
    for port in range(20):
        url = f"http://127.0.0.1:{port + 1}/api/v1"
        files.write_listings(cache, {("openrouter", url): [pyllm.Model("a/b", "openrouter")]})
    kept = files.read_listings(cache)
    assert len(kept) == files.MAX_LISTINGS
    assert kept[-1]["base_url"] == "http://127.0.0.1:20/api/v1"  # the newest stay
