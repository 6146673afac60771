"""The pipeline steps' settings, read once from the functions' environment."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from taxlake.fraud.rules import FraudConfig
from taxlake.quality.anomaly import AnomalyConfig

FRAUD_CONFIG = "FRAUD_CONFIG"


def _anomaly(env: Mapping[str, str]) -> AnomalyConfig:
    default = AnomalyConfig()
    return AnomalyConfig(
        history_size=int(env.get("QUALITY_HISTORY_SIZE") or default.history_size),
        min_history=int(env.get("QUALITY_MIN_HISTORY") or default.min_history),
        threshold=float(env.get("QUALITY_Z_THRESHOLD") or default.threshold),
    )


def _kinds(env: Mapping[str, str]) -> frozenset[str]:
    return frozenset(k for k in env.get("URGENT_KINDS", "").split(",") if k)


def _tables(env: Mapping[str, str]) -> Mapping[str, str] | None:
    return json.loads(env["TABLES"]) if env.get("TABLES") else None


def _fraud(env: Mapping[str, str]) -> FraudConfig:
    return FraudConfig.from_json(env.get(FRAUD_CONFIG, ""))


def _reads(read: Callable[[Mapping[str, str]], Any]) -> dict[str, Any]:
    """Field metadata: the field is built from the environment by ``read``."""
    return {"read": read}


@dataclass(frozen=True)
class Settings:
    """One field per setting, each its own environment variable, the field name upper-cased
    (``landing_bucket`` is ``LANDING_BUCKET``); unset or empty is the default written here.
    A field built from JSON or from several variables says how in its metadata."""

    landing_bucket: str = ""
    validated_prefix: str = "validated/"
    curated_bucket: str = ""
    curated_prefix: str = "curated"
    analytics_bucket: str = ""
    quality_prefix: str = "quality"
    fraud_prefix: str = "fraud_flags"
    failure_prefix: str = "failures"
    glue_worker_type: str = "G.1X"
    glue_min_workers: int = 2
    glue_max_workers: int = 10
    glue_bytes_per_worker: int = 1 << 30
    glue_execution_class: str = "FLEX"
    urgent_kinds: frozenset[str] = field(default=frozenset(), metadata=_reads(_kinds))
    glue_database: str = ""
    tables: Mapping[str, str] | None = field(default=None, metadata=_reads(_tables))
    fraud: FraudConfig = field(default_factory=FraudConfig, metadata=_reads(_fraud))
    quality_metrics_prefix: str = "quality_metrics"
    quality: AnomalyConfig = field(default_factory=AnomalyConfig, metadata=_reads(_anomaly))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """The settings the functions' environment names; the fraud thresholds are one JSON
        object, ``FRAUD_CONFIG`` (``FraudConfig.from_json``). A threshold still set the old
        way, one variable each, is refused rather than silently replaced by its default."""
        legacy = sorted(k for k in env if k.startswith("FRAUD_") and k not in (FRAUD_CONFIG, "FRAUD_PREFIX"))
        if legacy:
            raise ValueError(
                f"{', '.join(legacy)}: the fraud thresholds are read from {FRAUD_CONFIG} (one JSON object)"
            )
        values: dict[str, Any] = {}
        for f in fields(cls):
            text = env.get(f.name.upper(), "")
            if "read" in f.metadata:
                values[f.name] = f.metadata["read"](env)
            elif text:
                values[f.name] = int(text) if isinstance(f.default, int) else text
        return cls(**values)
