"""``pyllm models``, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyllm.testing._models import FAKE_MODELS

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter


def pyllm_models(
    *args: str, cache: Path, base_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "OPENAI_"))}
    env["PYLLM_MODELS_CACHE"] = str(cache)
    env["PYLLM_MAX_RETRIES"] = "0"
    if base_url:
        env["OPENROUTER_BASE_URL"] = base_url
    return subprocess.run(
        [sys.executable, "-m", "pyllm.cli", "models", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_filters_and_sorts_as_json(tmp_path: Path) -> None:
    done = pyllm_models(
        "--provider", "openrouter", "--capability", "tools", "-c", "vision",
        "--sort", "input_price", "--json",
        cache=tmp_path / "models.json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    models = json.loads(done.stdout)
    assert len(models) > 100
    assert all(m["provider"] == "openrouter" for m in models)
    assert all({"tools", "vision"} <= set(m["capabilities"]) for m in models)
    prices = [m["pricing"]["input"] for m in models if "input" in m["pricing"]]
    assert prices == sorted(prices)
    assert prices[-1] > prices[0]


def test_prints_a_table(tmp_path: Path) -> None:
    done = pyllm_models(
        "--search", "claude-haiku-4.5", "-p", "openrouter", "--sort", "id", "--desc",
        cache=tmp_path / "models.json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == [
        "ID",
        "PROVIDER",
        "CONTEXT",
        "MAX",
        "OUT",
        "$IN/M",
        "$OUT/M",
        "CAPABILITIES",
    ]
    assert [r.split()[0] for r in rows] == [
        "anthropic/claude-haiku-4.5:batch",
        "anthropic/claude-haiku-4.5",
    ]
    assert rows[1].split()[1:6] == ["openrouter", "200K", "64K", "1", "5"]
    assert "tools,structured_output,reasoning,vision,pdf" in rows[1]
    assert done.stderr.strip() == "2 models (from the snapshot)"


def test_limit_and_unknown_provider(tmp_path: Path) -> None:
    limited = pyllm_models("--limit", "3", "--json", cache=tmp_path / "models.json")
    assert len(json.loads(limited.stdout)) == 3
    typo = pyllm_models("--provider", "openroutr", cache=tmp_path / "models.json")
    assert typo.returncode == 2
    assert "no models of provider 'openroutr'" in typo.stderr
    assert "openrouter" in typo.stderr


def test_refresh_then_list(server: FakeOpenRouter, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "models.json"
    done = pyllm_models("--refresh", "-p", "openrouter", "--json", cache=cache, base_url=server.url)
    assert done.returncode == 0, done.stderr
    assert sorted(m["id"] for m in json.loads(done.stdout)) == sorted(FAKE_MODELS)
    assert cache.is_file()
    again = pyllm_models("-p", "openrouter", cache=cache, base_url=server.url)
    assert again.stderr.strip() == f"{len(FAKE_MODELS)} models (from the cache)"
    default = pyllm_models("-p", "openrouter", cache=cache)  # the fake's listing is not its
    assert default.stderr.strip() == "526 models (from the snapshot)"


def test_a_failed_refresh_is_one_line_of_error(tmp_path: Path) -> None:
    done = pyllm_models(
        "--refresh", cache=tmp_path / "models.json", base_url="http://127.0.0.1:9/api/v1"
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr
