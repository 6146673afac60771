# prod: a year of function logs, seven years (2557 days) of access logs for tax-record
# retention, and the largest concurrency slice.
environment = "prod"

kms = {
  deletion_window_in_days = 30
}

access_logs = {
  expiration_days            = 2557
  noncurrent_expiration_days = 30
  force_destroy              = false
}

landing = {
  intelligent_tiering_days           = 0
  noncurrent_version_expiration_days = 90
  force_destroy                      = false
}

validator = {
  memory_mb            = 1024
  timeout_seconds      = 900
  reserved_concurrency = 200
  log_retention_days   = 365
  log_level            = "INFO"
  tracing              = true
  deletion_protection  = true
}

lake = {
  curated       = { intelligent_tiering_days = 0, noncurrent_expiration_days = 90 }
  analytics     = { intelligent_tiering_days = 0, noncurrent_expiration_days = 90 }
  force_destroy = false
}

# Tax records: every landed file undeletable by anyone for 7 years (COMPLIANCE); Deep
# Archive after two years, past the usual amendment window in which replays happen.
raw = {
  object_lock_mode  = "COMPLIANCE"
  retention_days    = 2555
  deep_archive_days = 730
  force_destroy     = false
}

artifacts = {
  noncurrent_expiration_days = 30
  log_expiration_days        = 365
  force_destroy              = false
}

glue = {
  worker_type       = "G.1X"
  number_of_workers = 2
  min_workers       = 2
  max_workers       = 20
  timeout_minutes   = 120
  max_concurrency   = 50
  execution_class   = "FLEX"
  urgent_kinds      = []
  # tax time lands thousands of files an hour: more per run, bigger workers
  current_tables = { max_sources = 2000, worker_type = "G.2X", number_of_workers = 10 }
}

emr = {
  maximum_cpu          = "128 vCPU"
  maximum_memory       = "512 GB"
  idle_timeout_minutes = 15
}

pipeline = {
  lambda = {
    memory_mb            = 1024
    reserved_concurrency = 50
    log_retention_days   = 365
    log_level            = "INFO"
    tracing              = true
  }
  lambda_path = {
    memory_mb       = 3008
    timeout_seconds = 900
  }
  log_retention_days = 365
  tracing            = true
}
