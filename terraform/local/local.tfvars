# local: the emulator; smallest and most disposable settings that are still valid AWS values.
environment = "local"
# every service endpoint (tools/local_platform.py passes its own with -var)
endpoint = "http://127.0.0.1:4566"

kms = {
  deletion_window_in_days = 7
}

access_logs = {
  expiration_days            = 1
  noncurrent_expiration_days = 1
  force_destroy              = true
}

landing = {
  noncurrent_version_expiration_days = 1
  force_destroy                      = true
}

validator = {
  memory_mb            = 1024
  reserved_concurrency = 2
  log_retention_days   = 1
  log_level            = "DEBUG"
  tracing              = true
  deletion_protection  = false
}

lake = {
  curated       = { noncurrent_expiration_days = 1 }
  analytics     = { noncurrent_expiration_days = 1 }
  force_destroy = true
  # dev/staging/prod leave it off until their deploying role is a Lake Formation admin
  lake_formation = { enabled = true }
}

# GOVERNANCE for a day: force_destroy empties the bucket with the governance bypass, which
# the emulator honours (tests/integration/localaws/test_s3_object_lock.py).
raw = {
  object_lock_mode           = "GOVERNANCE"
  retention_days             = 1
  noncurrent_expiration_days = 1
  force_destroy              = true
}

artifacts = {
  noncurrent_expiration_days = 1
  log_expiration_days        = 1
  force_destroy              = true
}

glue = {
  max_workers     = 2
  timeout_minutes = 30
  # one run at a time, so two files at once exercise the ConcurrentRunsExceeded retry
  max_concurrency = 1
  # local Spark has no Delta jars (no network): plain parquet, the same merge
  current_tables = { table_format = "parquet" }
}

emr = {
  maximum_cpu          = "4 vCPU"
  maximum_memory       = "16 GB"
  idle_timeout_minutes = 1
}

pipeline = {
  # Thresholds scaled down so that a few MB exercise every path: Lambda up to 3.5 MB,
  # EMR above 5 MB, Glue between (and for parquet).
  routing = {
    emr_min_bytes    = 5000000
    lambda_max_bytes = 3500000
  }
  lambda = {
    reserved_concurrency = 2
    log_retention_days   = 1
    log_level            = "DEBUG"
  }
  log_retention_days = 1
}
