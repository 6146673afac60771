"""The curated lake: curation into partitioned parquet (``curate``, ``process`` for one
object of a store), the current tables that resolve amendments (``amend``), and their
table formats (``current``: Delta Lake or parquet)."""
