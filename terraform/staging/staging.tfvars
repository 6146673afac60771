# staging: production-shaped but with shorter retention and a smaller concurrency slice.
kms = {
  deletion_window_in_days = 30
}

access_logs = {
  expiration_days            = 365
  noncurrent_expiration_days = 30
  force_destroy              = false
}

landing = {
  noncurrent_version_expiration_days = 30
  force_destroy                      = false
}

validator = {
  reserved_concurrency = 50
  log_retention_days   = 90
  log_level            = "INFO"
  deletion_protection  = true
}
