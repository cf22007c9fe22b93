"""``import pyllm`` stays nearly free: no httpx, no data, no typing machinery until first use.

The import benchmark's target is at most 2x a bare interpreter; ``typing`` alone costs about
half of a bare start-up, so the top-level package imports nothing beyond ``__future__``.
"""

from __future__ import annotations

import ast
import subprocess
import sys

_PROBE = """
import sys
before = set(sys.modules)
import pyllm
print(sorted(set(sys.modules) - before))
"""


def _imported_by(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    modules: list[str] = ast.literal_eval(done.stdout)
    return modules


def test_import_pyllm_loads_nothing_heavy() -> None:
    loaded = _imported_by(_PROBE)
    assert set(loaded) <= {"pyllm", "__future__"}, (
        f"`import pyllm` loaded {loaded}; keep the top-level package lazy (see pyllm/__init__.py)"
    )


def test_first_attribute_access_still_works_lazily() -> None:
    loaded = _imported_by(_PROBE.replace("import pyllm\n", "import pyllm\npyllm.Message\n"))
    assert "pyllm.message" in loaded
    assert "httpx" not in loaded
