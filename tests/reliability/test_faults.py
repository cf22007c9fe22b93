"""Fault injection: every scenario, sync and async, observed against its expectation."""

from __future__ import annotations

import pytest

from .scenarios import SCENARIOS, Observation, Scenario, observe


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "scenario", SCENARIOS, ids=lambda s: s.fault + (" (stream)" if s.stream else "")
)
def test_fault(scenario: Scenario, mode: str) -> None:
    observed = observe(scenario, mode)
    assert observed == Observation(scenario.outcome, scenario.requests, scenario.partial, True), (
        f"{scenario.fault}: expected {scenario.expected}, observed {observed.describe()}"
    )


def test_the_readme_table_covers_every_scenario() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("<!-- reliability:start -->", 1)[1].split("<!-- reliability:end -->", 1)[0]
    for scenario in SCENARIOS:
        assert f"| {scenario.fault}" in table and scenario.expected in table, (
            f"README is stale for {scenario.fault!r}: run python scripts/reliability_report.py"
        )
