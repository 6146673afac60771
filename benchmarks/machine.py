"""The machine a bench measures on: its load before and after each case, and whether a
ratio measured at that load may be reported.

A ratio between two cases only means something when nothing else competed for the CPU
while either ran. Each case is timed between two readings of the 1-minute load average;
a case that started with the load above the core count is busy, and a ratio involving a
busy case is printed as "busy" (and the bench exits 3) unless --allow-busy is given, in
which case it is printed with a "(busy)" mark. The reading after a case includes the case
itself, so it is reported but not judged.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

CORES = os.cpu_count() or 1
EXIT_BUSY = 3
T = TypeVar("T")


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-busy",
        action="store_true",
        help=f"report ratios even for cases that started at a load above the {CORES} cores (marked busy)",
    )


@dataclass(frozen=True)
class Loads:
    before: float
    after: float

    @property
    def busy(self) -> bool:
        return self.before > CORES

    def __str__(self) -> str:
        return f"{self.before:.1f}->{self.after:.1f}" + ("!" if self.busy else "")


@dataclass
class Guard:
    """Times nothing itself: it reads the load around each case and judges the ratios."""

    allow_busy: bool = False
    loads: dict[str, Loads] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def case(self, label: str, run: Callable[[], T]) -> T:
        before = load()
        result = run()
        self.loads[label] = Loads(before, load())
        return result

    def busy_cases(self, *labels: str) -> list[str]:
        return [label for label in labels if label in self.loads and self.loads[label].busy]

    def busy(self, *labels: str) -> bool:
        return bool(self.busy_cases(*labels))

    def ratio(self, value: float, *labels: str, unit: str = "x") -> str:
        """``value`` formatted, or "busy" if a case it compares started at a load above the cores."""
        if not self.busy(*labels):
            return f"{value:.2f}{unit}"
        if self.allow_busy:
            return f"{value:.2f}{unit} (busy)"
        self.refused.extend(label for label in self.busy_cases(*labels) if label not in self.refused)
        return "busy"

    def summary(self) -> str:
        return "load (1 min) before->after each case: " + ", ".join(f"{k} {v}" for k, v in self.loads.items())

    def exit_code(self, code: int) -> int:
        """``code``, or EXIT_BUSY when a ratio was refused; says why."""
        print(self.summary())
        if self.refused:
            print(
                f"refused: ratios of {', '.join(self.refused)}, measured at a load above {CORES} cores "
                "(! above); rerun on an idle machine or pass --allow-busy"
            )
            return code or EXIT_BUSY
        return code
