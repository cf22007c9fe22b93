"""Run every fault scenario (sync and async) and write the table into README.md.

    python scripts/reliability_report.py          # update README.md between the markers
    python scripts/reliability_report.py --print  # only print the table

The scenarios are the ones tests/reliability/test_faults.py asserts on, so the table shows
what pyllm actually did, not what we hoped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability.scenarios import SCENARIOS, observe  # noqa: E402

START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"


def table() -> str:
    rows = ["| fault | expected | observed (sync) | observed (async) |", "|---|---|---|---|"]
    for scenario in SCENARIOS:
        sync, asynchronous = observe(scenario, "sync"), observe(scenario, "async")
        kind = " (stream)" if scenario.stream else ""
        observed = f"{sync.describe()} | {asynchronous.describe()}"
        rows.append(f"| {scenario.fault}{kind} | {scenario.expected} | {observed} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--print", action="store_true", help="print the table, leave README.md alone"
    )
    args = parser.parse_args()
    generated = table()
    if args.print:
        print(generated)
        return 0
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} markers", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{generated}\n{END}{tail}")
    print(f"wrote {len(SCENARIOS)} scenarios to README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
