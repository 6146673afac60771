# staging: production-shaped but with shorter retention and a smaller concurrency slice.
environment = "staging"

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

lake = {
  curated       = { noncurrent_expiration_days = 30 }
  analytics     = { noncurrent_expiration_days = 30 }
  force_destroy = false
}

# GOVERNANCE and a month: long enough to rehearse a replay from raw, short enough not to
# pile up copies of test data.
raw = {
  object_lock_mode           = "GOVERNANCE"
  retention_days             = 30
  expiration_days            = 60
  noncurrent_expiration_days = 7
  force_destroy              = false
}

artifacts = {
  noncurrent_expiration_days = 30
  log_expiration_days        = 30
  force_destroy              = false
}

glue = {
  worker_type       = "G.1X"
  number_of_workers = 2
  max_workers       = 10
  timeout_minutes   = 120
  max_concurrency   = 10
}

emr = {
  maximum_cpu          = "32 vCPU"
  maximum_memory       = "128 GB"
  idle_timeout_minutes = 15
}

pipeline = {
  lambda = {
    reserved_concurrency = 20
    log_retention_days   = 90
    log_level            = "INFO"
  }
  log_retention_days = 90
}
