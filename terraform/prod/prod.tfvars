# prod: a year of function logs, seven years (2557 days) of access logs for tax-record
# retention, and the largest concurrency slice.
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
