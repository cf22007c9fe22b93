"""The docs site builds with ``mkdocs build --strict`` (warnings are errors), as CI does.

Skipped, saying why, when the docs extra is not installed (``pip install -e '.[docs]'``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python"):
        pytest.importorskip(
            module, reason="the docs extra is not installed: pip install -e '.[docs]'"
        )
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_every_guide_and_reference_page_is_built(site: Path) -> None:
    pages = {p.relative_to(site).parent.as_posix() for p in site.rglob("index.html")}
    for page in ("guides/tools", "providers/add-a-provider", "reference/chat", "changelog"):
        assert page in pages
    assert "## Unreleased" not in (site / "changelog" / "index.html").read_text()
    assert "Unreleased" in (site / "changelog" / "index.html").read_text()  # CHANGELOG.md included


def test_hidden_setup_and_check_comments_stay_hidden(site: Path) -> None:
    tools = (site / "guides" / "tools" / "index.html").read_text()
    assert "<!-- setup" in tools  # kept as an HTML comment...
    for page in site.rglob("*.html"):
        assert "&lt;!-- setup" not in page.read_text(), page  # ...never shown as text


def test_the_api_reference_renders_docstrings_as_markdown(site: Path) -> None:
    chat = (site / "reference" / "chat" / "index.html").read_text()
    assert "with_tools" in chat and "with_fallbacks" in chat  # inherited methods are documented
    for page in (site / "reference").rglob("index.html"):
        html = page.read_text()
        assert "<blockquote>" not in html, page  # doctests are code, not nested quotes
        assert ":class:" not in html and ":meth:" not in html, page  # no raw reST roles
