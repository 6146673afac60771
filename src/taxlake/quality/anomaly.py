"""Anomalies in a file's record count and key sums against recent files of its kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from taxlake.quality.profile import KEY_SUMS, Profile

MAD_SCALE = 0.6745  # Phi^-1(0.75): makes MAD comparable with a standard deviation
MEAN_AD_SCALE = 1.253314  # sqrt(pi/2): the same for the mean absolute deviation


@dataclass(frozen=True)
class AnomalyConfig:
    history_size: int = 30  # the most recent files of the same kind compared against
    min_history: int = 5  # fewer previous files than this never flag
    threshold: float = 3.5  # |robust z| above this is an anomaly (Iglewicz and Hoaglin)


@dataclass(frozen=True)
class Score:
    history_size: int
    median: float | None
    mad: float | None
    z: float | None
    anomaly: bool


def profile_metrics(profile: Profile, kind: str) -> dict[str, float]:
    """Record count and key sums of one curated file (sums of a column of nulls are 0)."""
    out = {"record_count": float(profile.rows)}
    for name in KEY_SUMS[kind]:
        out[f"sum_{name}"] = round(float(profile.sums.get(name, Decimal(0))), 2)
    return out


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def robust_z(value: float, history: Sequence[float], config: AnomalyConfig | None = None) -> Score:
    """Robust z-score of ``value`` against ``history``: 0.6745 (x - median) / MAD.

    - Fewer than ``min_history`` values: no score, never an anomaly.
    - MAD == 0 (over half the history is one value): the mean absolute deviation stands in,
      (x - median) / (1.2533 * MeanAD), IBM's modified z-score, so a feed with a usual
      fixed size still scores its odd files by how odd they are.
    - Both zero (a constant history): z is undefined (None); the value is an anomaly exactly
      when it differs from that constant.
    """
    config = config or AnomalyConfig()
    n = len(history)
    if n < config.min_history:
        return Score(n, None, None, None, False)
    median = _median(history)
    deviations = sorted(abs(h - median) for h in history)
    mad = _median(deviations)
    if mad > 0:
        z: float | None = MAD_SCALE * (value - median) / mad
    else:
        mean_ad = sum(deviations) / n
        z = (value - median) / (MEAN_AD_SCALE * mean_ad) if mean_ad > 0 else None
    anomaly = abs(z) > config.threshold if z is not None else value != median
    return Score(n, median, mad, z, anomaly)
