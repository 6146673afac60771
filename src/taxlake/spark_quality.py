"""The Spark side of data quality: drift of a DataFrame's schema from the catalog, and
rolling robust z-scores over a history DataFrame.

Same rules as ``taxlake.quality`` (tests compare whole DataFrames with the pyarrow
results): Spark's ``simpleString`` of a type is its Hive name (``int``, ``bigint``,
``decimal(15,2)``, ...), so the comparison is the shared ``compare_columns``; the z-score
is computed with array functions over a window of the previous files, no Python UDF.
pyspark is imported lazily.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taxlake.quality import (
    DRIFT_SCHEMA,
    MAD_SCALE,
    MEAN_AD_SCALE,
    SCORED_SCHEMA,
    AnomalyConfig,
    SchemaDrift,
    compare_columns,
)
from taxlake.spark import spark_schema


def schema_drift_spark(schema: Any, registered: Mapping[str, str]) -> SchemaDrift:
    """Drift of a Spark ``StructType`` (e.g. ``df.schema``) from the registered columns."""
    return compare_columns({f.name: f.dataType.simpleString() for f in schema.fields}, registered)


def drift_frame(spark: Any, df: Any, registered: Mapping[str, str]) -> Any:
    """DataFrame(column, change, registered_type, found_type) of ``df``'s drift, one row per column."""
    rows = schema_drift_spark(df.schema, registered).to_table().to_pylist()
    return spark.createDataFrame(rows, spark_schema(DRIFT_SCHEMA))


def _median(array: str) -> str:
    n = f"size({array})"
    return (
        f"CASE WHEN {n} = 0 THEN NULL WHEN {n} % 2 = 1 THEN element_at({array}, CAST(({n} + 1) div 2 AS INT)) "
        f"ELSE (element_at({array}, CAST({n} div 2 AS INT)) + element_at({array}, CAST({n} div 2 + 1 AS INT))) / 2 END"
    )


def rolling_robust_z(history: Any, config: AnomalyConfig | None = None) -> Any:
    """Score each row (kind, metric, source_id, processed_at, value) against the
    ``history_size`` rows before it of the same kind and metric, as
    ``taxlake.quality.rolling_scores`` does: columns of ``SCORED_SCHEMA``."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    config = config or AnomalyConfig()
    window = (
        Window.partitionBy("kind", "metric").orderBy("processed_at", "source_id").rowsBetween(-config.history_size, -1)
    )
    scored = (
        history.withColumn("_h", F.array_sort(F.collect_list("value").over(window)))
        .withColumn("_n", F.size("_h"))
        .withColumn("_med", F.expr(_median("_h")))
        .withColumn("_dev", F.expr("array_sort(transform(_h, x -> abs(x - _med)))"))
        .withColumn("_mad", F.expr(_median("_dev")))
        .withColumn("_mean_ad", F.expr("aggregate(_dev, CAST(0 AS DOUBLE), (acc, x) -> acc + x) / _n"))
    )
    enough = F.col("_n") >= config.min_history
    z = (
        F.when(~enough, None)
        .when(F.col("_mad") > 0, F.lit(MAD_SCALE) * (F.col("value") - F.col("_med")) / F.col("_mad"))
        .when(F.col("_mean_ad") > 0, (F.col("value") - F.col("_med")) / (F.lit(MEAN_AD_SCALE) * F.col("_mean_ad")))
    )
    anomaly = (
        F.when(~enough, False)
        .when(F.col("z_score").isNotNull(), F.abs("z_score") > config.threshold)
        .otherwise(F.col("value") != F.col("_med"))
    )
    out = (
        scored.withColumn("history_size", F.col("_n").cast("int"))
        .withColumn("history_median", F.when(enough, F.col("_med")))
        .withColumn("history_mad", F.when(enough, F.col("_mad")))
        .withColumn("z_score", z.cast("double"))
        .withColumn("anomaly", anomaly)
    )
    return out.select(*SCORED_SCHEMA.names)
