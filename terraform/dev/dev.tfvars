# dev: short retention, small concurrency, everything disposable.
kms = {
  deletion_window_in_days = 7
}

access_logs = {
  expiration_days            = 30
  noncurrent_expiration_days = 7
  force_destroy              = true
}

landing = {
  noncurrent_version_expiration_days = 7
  force_destroy                      = true
}

validator = {
  reserved_concurrency = 10
  log_retention_days   = 30
  log_level            = "DEBUG"
  deletion_protection  = false
}
