# local: the emulator; smallest and most disposable settings that are still valid AWS values.
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
