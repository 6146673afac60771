"""Data quality of one curated batch: completeness, reconciliation, drift, anomalies.

Pure functions over pyarrow tables, or over a ``Profile`` (row count, nulls
per column, exact key sums): what every check here needs, built from a
parquet file's footer statistics and a streamed read of the few key-sum
columns (``profile_parquet``), so the pipeline step's memory does not grow
with the file. The step reads the batch's files that way and writes the
result. A batch fails (``DataQualityFailed``) when what the lake holds
cannot be reconciled with what validation accepted: more curated rows than
valid records, nothing curated from a file that had valid records, or a
required column with gaps.

Schema drift (the files' columns against the table registered in the Glue
catalog: new, missing, retyped) and anomalies (record count and key sums
against the recent files of the same kind, robust z-score) are *reported*,
never fatal: an event, metrics and rows in the ``quality_metrics`` table
tell people; the reconciliation above decides whether the batch fails.

- ``profile``: the batch's profile and its reconciliation (``assess_profile``);
- ``drift``: the files' schemas against the registered table, and the drift event;
- ``anomaly``: record count and key sums against recent files (robust z);
- ``tables``: the analytics tables the step writes (``quality_metrics``) and their catalog.
"""
