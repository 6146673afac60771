# dev: short retention, small concurrency, everything disposable.
environment = "dev"

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

lake = {
  curated       = { noncurrent_expiration_days = 7 }
  analytics     = { noncurrent_expiration_days = 7 }
  force_destroy = true
}

# GOVERNANCE: dev files can be cleared by a principal allowed s3:BypassGovernanceRetention
# (force_destroy does so on destroy); a week covers a test cycle.
raw = {
  object_lock_mode           = "GOVERNANCE"
  retention_days             = 7
  expiration_days            = 14
  noncurrent_expiration_days = 1
  force_destroy              = true
}

artifacts = {
  noncurrent_expiration_days = 7
  log_expiration_days        = 14
  force_destroy              = true
}

glue = {
  worker_type       = "G.1X"
  number_of_workers = 2
  max_workers       = 4
  timeout_minutes   = 60
  max_concurrency   = 5
  # hourly is plenty for a development lake
  current_tables = { schedule = "cron(0 * * * ? *)" }
}

emr = {
  maximum_cpu          = "16 vCPU"
  maximum_memory       = "64 GB"
  idle_timeout_minutes = 5
}

pipeline = {
  lambda = {
    reserved_concurrency = 5
    log_retention_days   = 30
    log_level            = "DEBUG"
  }
  log_retention_days = 30
}
