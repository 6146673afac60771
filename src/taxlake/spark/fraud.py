"""The fraud rules on Spark DataFrames, for a batch too big for one Lambda or a re-score of a year.

The statistics (peer medians and MADs, agent-day counts, payer totals) are
computed here with DataFrame operations; the last step, hit rows -> flags
with score and detail, is ``taxlake.fraud.rules.shape`` run through ``mapInArrow``,
so both engines write the same flags (tests compare whole DataFrames).

Joins:

- Dimensions (``taxlake.fraud.dimensions``: occupations, major groups, postcode ->
  state) and per-group statistics (one row per occupation, major group or
  agent) are small: they are joined with ``broadcast`` (no shuffle of the
  lodgements). Peers are grouped by the occupation's major group from the
  occupation dimension (falling back to the code's first digit for a code the
  dimension does not list), flags name the occupation or major group title,
  and AGENT_BURST says how many states (postcode dimension) a burst's clients
  live in.
- Payer reports: a few TFNs (a large employer's contractor pool, a bad
  payer file) can hold most rows. ``payer_totals_df`` salts them: keys with
  more than ``hot_key_rows`` payer rows (found by a cheap partially-aggregated
  count, broadcast back) spread their payer rows over ``salt_buckets`` salts by
  a hash of the row's lineage, and the lodgement side repeats each hot key once
  per salt, so the hot key's rows are joined by ``salt_buckets`` tasks instead
  of one. Cold keys keep salt 0 (no replication). When the batch's key side
  is under ``spark.sql.autoBroadcastJoinThreshold`` Spark broadcasts it and
  skew cannot hurt; salting is for the shuffle join of two large sides. AQE's
  skew join (``spark.sql.adaptive.skewJoin.enabled``, on by default in Spark
  3.5 and Glue 5) splits skewed sort-merge partitions too, but only past
  256 MB and 5x the median partition; salting also works where AQE is off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

from taxlake.fraud.dimensions import MAJOR_GROUPS, occupation_table, postcode_table
from taxlake.fraud.rules import FLAG_SCHEMA, HIT_COLUMNS, MAD_SCALE, FraudConfig, shape

PAYER_KEYS = ("tfn", "tax_year")


def _frame(spark: Any, table: pa.Table) -> Any:
    from taxlake.spark.curate import spark_schema

    return spark.createDataFrame(table.to_pylist(), schema=spark_schema(table.schema))


_DIMENSIONS: dict[int, dict[str, Any]] = {}


def dimensions(spark: Any) -> dict[str, Any]:
    """The dimension tables as (small, cached) DataFrames: occupations, major_groups, postcodes."""
    if id(spark) in _DIMENSIONS:
        return _DIMENSIONS[id(spark)]
    majors = pa.table({"major_group": list(MAJOR_GROUPS), "major_group_title": list(MAJOR_GROUPS.values())})
    frames = {
        "occupations": _frame(spark, occupation_table().select(["occupation_code", "occupation_title", "major_group"])),
        "major_groups": _frame(spark, majors),
        "postcodes": _frame(spark, postcode_table()),
    }
    _DIMENSIONS[id(spark)] = {name: df.cache() for name, df in frames.items()}
    return _DIMENSIONS[id(spark)]


def _account_many_tfns(df: Any, config: FraudConfig) -> Any:
    from pyspark.sql import functions as F

    refunds = df.filter(F.col("refund_amount").cast("double") > 0.0)
    accounts = ["bank_bsb", "bank_account", "tax_year"]
    busy = (
        refunds.groupBy(*accounts)
        .agg(F.countDistinct("tfn").alias("tfns"))
        .filter(F.col("tfns") > config.account_max_tfns)
    )
    return refunds.join(busy, accounts)


def _refund_exceeds_withheld(df: Any, config: FraudConfig) -> Any:
    from pyspark.sql import functions as F

    limit = F.greatest(F.col("tax_withheld").cast("double"), F.lit(1.0)) * config.refund_ratio
    return df.filter(F.col("refund_amount").cast("double") > limit)


def _group_stats(rows: Any, group: str, value: str, prefix: str) -> Any:
    """rows + ``<prefix>_count``, ``_median``, ``_mad`` of ``value`` within ``group``."""
    from pyspark.sql import functions as F

    stats = rows.groupBy(group).agg(F.count(value).alias(f"{prefix}_count"), F.median(value).alias(f"{prefix}_median"))
    rows = rows.join(F.broadcast(stats), group)
    deviation = F.abs(F.col(value) - F.col(f"{prefix}_median"))
    mad = rows.groupBy(group).agg(F.median(deviation).alias(f"{prefix}_mad"))
    return rows.join(F.broadcast(mad), group)


def _deductions_outlier(df: Any, config: FraudConfig, dims: dict[str, Any]) -> Any:
    from pyspark.sql import functions as F

    x = "deductions_ratio"
    rows = df.filter(F.col(x).isNotNull() & F.col("occupation_code").isNotNull())
    rows = rows.join(F.broadcast(dims["occupations"]), "occupation_code", "left").withColumn(
        "major_group", F.coalesce(F.col("major_group"), F.substring("occupation_code", 1, 1))
    )
    rows = _group_stats(_group_stats(rows, "occupation_code", x, "c"), "major_group", x, "m")
    by_code = F.col("c_count") >= config.deductions_min_peers
    by_major = ~by_code & (F.col("m_count") >= config.deductions_min_peers)
    rows = (
        rows.withColumn("peer_median", F.when(by_code, F.col("c_median")).otherwise(F.col("m_median")))
        .withColumn("peer_mad", F.when(by_code, F.col("c_mad")).otherwise(F.col("m_mad")))
        .withColumn("peer_count", F.when(by_code, F.col("c_count")).otherwise(F.col("m_count")))
        .withColumn("robust_z", F.lit(MAD_SCALE) * (F.col(x) - F.col("peer_median")) / F.col("peer_mad"))
        .withColumn("judged", by_code | by_major)
        .withColumn("peer_level", F.when(by_code, F.lit("occupation")).otherwise(F.lit("major group")))
    )
    hits = rows.filter(F.col("judged") & (F.col("peer_mad") > 0) & (F.col("robust_z") > config.deductions_z))
    hits = hits.join(F.broadcast(dims["major_groups"]), "major_group", "left")
    occupation = F.col("peer_level") == "occupation"
    return hits.withColumn(
        "peer_group", F.when(occupation, F.col("occupation_code")).otherwise(F.col("major_group"))
    ).withColumn("peer_title", F.when(occupation, F.col("occupation_title")).otherwise(F.col("major_group_title")))


def salted_payer_join(keys: Any, payer_reports: Any, *, salt_buckets: int = 16, hot_key_rows: int = 100_000) -> Any:
    """(tfn, tax_year) keys joined to their payer-report rows, hot keys salted.

    ``salt_buckets`` <= 1 is the plain equi-join (the reference the tests hold
    the salted one to).
    """
    from pyspark.sql import functions as F

    payers = payer_reports.select(
        F.col("payee_tfn").alias("tfn"),
        "tax_year",
        "gross_amount",
        "payer_abn",
        "report_type",
        "source_file",
        "source_line",
    )
    keys = keys.select(*PAYER_KEYS).distinct()
    if salt_buckets <= 1:
        return keys.join(payers, list(PAYER_KEYS))
    hot = (
        payers.groupBy(*PAYER_KEYS)
        .count()
        .filter(F.col("count") > hot_key_rows)
        .select(*PAYER_KEYS, F.lit(True).alias("_hot"))
    )
    hot = F.broadcast(hot)  # a handful of keys by construction
    is_hot = F.coalesce(F.col("_hot"), F.lit(False))
    lineage = F.xxhash64("payer_abn", "report_type", "source_file", "source_line")
    payers = payers.join(hot, list(PAYER_KEYS), "left").withColumn(
        "_salt", F.when(is_hot, F.pmod(lineage, F.lit(salt_buckets))).otherwise(F.lit(0)).cast("int")
    )
    every_salt = F.sequence(F.lit(0), F.lit(salt_buckets - 1))
    keys = keys.join(hot, list(PAYER_KEYS), "left").withColumn(
        "_salt", F.explode(F.when(is_hot, every_salt).otherwise(F.array(F.lit(0))))
    )
    return keys.drop("_hot").join(payers.drop("_hot"), [*PAYER_KEYS, "_salt"]).drop("_salt")


def payer_totals_df(keys: Any, payer_reports: Any, *, salt_buckets: int = 16, hot_key_rows: int = 100_000) -> Any:
    """(tfn, tax_year, gross_total) for the keys' TFN-years (curated payer reports, one row each)."""
    from pyspark.sql import functions as F

    joined = salted_payer_join(keys, payer_reports, salt_buckets=salt_buckets, hot_key_rows=hot_key_rows)
    return joined.groupBy(*PAYER_KEYS).agg(F.sum("gross_amount").alias("gross_total"))


def _income_below_third_party(df: Any, config: FraudConfig, totals: Any) -> Any:
    from pyspark.sql import functions as F

    joined = df.join(totals, list(PAYER_KEYS))
    income, total = F.col("taxable_income").cast("double"), F.col("gross_total").cast("double")
    return joined.filter((income < total * config.income_ratio) & ((total - income) > config.income_gap_floor))


def _agent_burst(df: Any, config: FraudConfig, dims: dict[str, Any]) -> Any:
    from pyspark.sql import functions as F

    rows = df.filter(F.col("agent_id").isNotNull() & (F.col("agent_id") != ""))
    day = ["agent_id", "lodgement_date"]
    days = rows.groupBy(*day).agg(F.count(F.lit(1)).alias("day_count"))
    days = _group_stats(days.withColumn("_count", F.col("day_count").cast("double")), "agent_id", "_count", "agent")
    z = F.lit(MAD_SCALE) * (F.col("_count") - F.col("agent_median")) / F.greatest(F.col("agent_mad"), F.lit(1.0))
    bursts = days.withColumn("robust_z", z).filter(
        (F.col("_count") > config.agent_max_daily) & (F.col("robust_z") > config.agent_z)
    )
    hits = rows.join(bursts, day).join(F.broadcast(dims["postcodes"]), "postcode", "left")
    spread = hits.groupBy(*day).agg(F.countDistinct("state").alias("states"))
    return hits.join(spread, day)


def hits_df(
    df: Any,
    config: FraudConfig,
    payer_reports: Any = None,
    *,
    salt_buckets: int = 16,
    hot_key_rows: int = 100_000,
) -> dict[str, Any]:
    """Each rule's hit rows (columns per ``taxlake.fraud.rules.HIT_COLUMNS``) over curated lodgements."""
    dims = dimensions(df.sparkSession)
    found = {
        "ACCOUNT_MANY_TFNS": _account_many_tfns(df, config),
        "REFUND_EXCEEDS_WITHHELD": _refund_exceeds_withheld(df, config),
        "DEDUCTIONS_OUTLIER": _deductions_outlier(df, config, dims),
        "AGENT_BURST": _agent_burst(df, config, dims),
    }
    if payer_reports is not None:
        totals = payer_totals_df(df, payer_reports, salt_buckets=salt_buckets, hot_key_rows=hot_key_rows)
        found["INCOME_BELOW_THIRD_PARTY"] = _income_below_third_party(df, config, totals)
    return {rule: hits.select(*HIT_COLUMNS[rule]) for rule, hits in found.items()}


def _shaper(rule: str, config: FraudConfig) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows:
                yield from shape(rule, pa.Table.from_batches([batch]), config).to_batches()

    return run


def detect_df(
    df: Any,
    config: FraudConfig | None = None,
    payer_reports: Any = None,
    *,
    salt_buckets: int = 16,
    hot_key_rows: int = 100_000,
) -> Any:
    """Every flag (``FLAG_SCHEMA`` columns) over a curated lodgement DataFrame, as ``taxlake.fraud.rules.detect``.

    ``payer_reports``: the curated payer-report table (one row per report), for
    INCOME_BELOW_THIRD_PARTY; without it that rule is skipped.
    """
    from taxlake.spark.curate import spark_schema

    config = config or FraudConfig()
    schema = spark_schema(FLAG_SCHEMA)
    out = df.sparkSession.createDataFrame([], schema)
    found = hits_df(df, config, payer_reports, salt_buckets=salt_buckets, hot_key_rows=hot_key_rows)
    for rule, hits in found.items():
        out = out.unionByName(hits.mapInArrow(_shaper(rule, config), schema))
    return out
