"""The pipeline steps' settings, read once from the functions' environment."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from taxlake.fraud.rules import FraudConfig
from taxlake.quality.anomaly import AnomalyConfig

FRAUD_CONFIG = "FRAUD_CONFIG"


@dataclass(frozen=True)
class Settings:
    landing_bucket: str = ""
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
    urgent_kinds: frozenset[str] = frozenset()
    glue_database: str = ""
    tables: Mapping[str, str] | None = None
    fraud: FraudConfig = field(default_factory=FraudConfig)
    quality_metrics_prefix: str = "quality_metrics"
    quality: AnomalyConfig = field(default_factory=AnomalyConfig)

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

        def num(name: str, default: int) -> int:
            return int(env.get(name) or default)

        return cls(
            landing_bucket=env.get("LANDING_BUCKET", ""),
            curated_bucket=env.get("CURATED_BUCKET", ""),
            curated_prefix=env.get("CURATED_PREFIX", "curated"),
            analytics_bucket=env.get("ANALYTICS_BUCKET", ""),
            quality_prefix=env.get("QUALITY_PREFIX", "quality"),
            fraud_prefix=env.get("FRAUD_PREFIX", "fraud_flags"),
            failure_prefix=env.get("FAILURE_PREFIX", "failures"),
            glue_worker_type=env.get("GLUE_WORKER_TYPE", "G.1X"),
            glue_min_workers=num("GLUE_MIN_WORKERS", 2),
            glue_max_workers=num("GLUE_MAX_WORKERS", 10),
            glue_bytes_per_worker=num("GLUE_BYTES_PER_WORKER", 1 << 30),
            glue_execution_class=env.get("GLUE_EXECUTION_CLASS", "FLEX"),
            urgent_kinds=frozenset(k for k in env.get("URGENT_KINDS", "").split(",") if k),
            glue_database=env.get("GLUE_DATABASE", ""),
            tables=json.loads(env["TABLES"]) if env.get("TABLES") else None,
            fraud=FraudConfig.from_json(env.get(FRAUD_CONFIG, "")),
            quality_metrics_prefix=env.get("QUALITY_METRICS_PREFIX", "quality_metrics"),
            quality=AnomalyConfig(
                history_size=num("QUALITY_HISTORY_SIZE", 30),
                min_history=num("QUALITY_MIN_HISTORY", 5),
                threshold=float(env.get("QUALITY_Z_THRESHOLD") or 3.5),
            ),
        )
