"""The same curation (``curate``) and fraud rules (``fraud``) on Spark, for the Glue and
EMR Serverless paths; pyspark is imported lazily, where it runs."""
