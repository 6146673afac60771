"""benchmarks/machine.py: a ratio measured at a load above the core count is refused."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import machine


def loads(monkeypatch: pytest.MonkeyPatch, *values: float) -> None:
    readings: Iterator[float] = iter(values)
    monkeypatch.setattr(machine, "load", lambda: next(readings))


def test_an_idle_machine_reports_ratios_and_both_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    loads(monkeypatch, 0.1, 1.9, 0.4, 1.2)
    guard = machine.Guard()
    assert guard.case("base", lambda: 1) == 1
    guard.case("case", lambda: 2)
    assert guard.ratio(0.5, "base", "case") == "0.50x"
    assert str(guard.loads["base"]) == "0.1->1.9"
    assert guard.exit_code(0) == 0


def test_a_case_started_above_the_cores_is_refused_unless_allowed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    busy = machine.CORES + 0.5
    loads(monkeypatch, 0.2, 0.3, busy, busy)
    guard = machine.Guard()
    guard.case("base", lambda: None)
    guard.case("case", lambda: None)
    assert guard.ratio(2.0, "base", "case") == "busy"
    assert guard.exit_code(0) == machine.EXIT_BUSY
    out = capsys.readouterr().out
    assert "refused: ratios of case" in out and "--allow-busy" in out
    # a failure of the bench itself keeps its own exit code
    assert guard.exit_code(1) == 1


def test_allow_busy_reports_the_ratio_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    loads(monkeypatch, machine.CORES + 1.0, 0.0)
    guard = machine.Guard(allow_busy=True)
    guard.case("case", lambda: None)
    assert guard.ratio(1.25, "case", unit="x faster") == "1.25x faster (busy)"
    assert guard.exit_code(0) == 0


def test_the_reading_after_a_case_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The case's own threads raise the load: only the reading before it says who else ran."""
    loads(monkeypatch, 0.5, machine.CORES * 3.0)
    guard = machine.Guard()
    guard.case("case", lambda: None)
    assert not guard.busy("case")
