"""Every ```python block of README.md and docs/ runs, in page order, against the fake server.

How the harness runs a page, and the hidden ``<!-- setup -->`` / ``<!-- check -->`` comments a
page uses to script replies and assert results, are described in ``_runner.py`` and
``_markdown.py``. There is no way to skip a block: an example that cannot run offline must be
rewritten so it can.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyllm.testing import FakeOpenRouter

from ._markdown import read_snippets
from ._runner import run_page

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_example_on_the_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOpenRouter() as fake:
        run_page(page, fake, monkeypatch, tmp_path)  # raises if any snippet fails


def test_guides_and_provider_pages_have_examples() -> None:
    teaching = [
        p for p in PAGES if p.parent.name in ("guides", "providers") or p.name == "README.md"
    ]
    assert len(teaching) > 10
    without = [
        _page_id(p) for p in teaching if not any(s.kind == "example" for s in read_snippets(p))
    ]
    assert without == []
