variable "region" {
  description = "AWS region the environment is deployed to."
  type        = string
  default     = "ap-southeast-2"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-\\d$", var.region))
    error_message = "region must be an AWS region code such as \"ap-southeast-2\"."
  }
}

variable "endpoint" {
  description = "URL of a local AWS emulator every service endpoint points at (terraform/local); null is real AWS."
  type        = string
  default     = null

  validation {
    condition     = var.endpoint == null || can(regex("^https?://[^/\\s]+$", var.endpoint))
    error_message = "endpoint must be null or a scheme, host and port without a path, e.g. \"http://127.0.0.1:4566\"."
  }
}

variable "environment" {
  description = "Environment this instance of the platform is: dev, staging, prod, or local (the emulator)."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["dev", "staging", "prod", "local"], var.environment)
    error_message = "environment must be one of dev, staging, prod, local."
  }
}

variable "name_prefix" {
  description = "Prefix for every resource name; null derives \"taxlake-<environment>\"."
  type        = string
  default     = null

  validation {
    # 2-30 characters: the longest derived name, "<prefix>-access-logs-<12-digit account>",
    # must stay within S3's 63-character bucket-name limit.
    condition     = var.name_prefix == null || can(regex("^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be null or 2-30 characters of lower-case letters, digits and hyphens, starting and ending with a letter or digit (e.g. \"taxlake-dev\")."
  }
}

variable "artifacts_dir" {
  description = "Directory holding the build (tools/build.py): layers/runtime.zip, lambdas/validator.zip, lambdas/pipeline.zip, glue/jobs/curate.py, glue/taxlake.zip; a relative path is taken from this root (path.root)."
  type        = string
  default     = "../../dist"
  nullable    = false

  validation {
    condition     = length(trimspace(var.artifacts_dir)) > 0
    error_message = "artifacts_dir must not be empty; the default \"../../dist\" is the output of tools/build.py seen from this root."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource, beside each component's own component tag."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "kms" {
  description = "Settings of the environment's customer-managed key."
  type = object({
    deletion_window_in_days = optional(number, 30)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.kms.deletion_window_in_days >= 7 && var.kms.deletion_window_in_days <= 30
    error_message = "kms.deletion_window_in_days must be from 7 to 30."
  }
}

variable "access_logs" {
  description = "Retention and teardown settings of the server-access-log bucket."
  type = object({
    expiration_days            = optional(number, 2557)
    noncurrent_expiration_days = optional(number, 30)
    force_destroy              = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.access_logs.expiration_days >= 1 && var.access_logs.noncurrent_expiration_days >= 1
    error_message = "access_logs.expiration_days and access_logs.noncurrent_expiration_days must be at least 1."
  }

  # Tax records: seven years of access logs is the retention obligation in prod.
  validation {
    condition     = var.environment != "prod" || (var.access_logs.expiration_days >= 2557 && !var.access_logs.force_destroy)
    error_message = "prod must keep access logs at least 2557 days (7 years) with access_logs.force_destroy = false."
  }
}

variable "landing" {
  description = "Lifecycle and teardown settings of the landing bucket."
  type = object({
    intelligent_tiering_days           = optional(number, 0)
    noncurrent_version_expiration_days = optional(number, 90)
    force_destroy                      = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.landing.intelligent_tiering_days >= 0 && var.landing.noncurrent_version_expiration_days >= 1
    error_message = "landing.intelligent_tiering_days must be >= 0 and landing.noncurrent_version_expiration_days >= 1."
  }

  validation {
    condition     = var.environment != "prod" || !var.landing.force_destroy
    error_message = "prod lodgements must survive a destroy: set landing.force_destroy = false."
  }
}

variable "validator" {
  description = "Validator function settings; null fields take the validator module's (production) defaults, which also validates them."
  type = object({
    memory_mb               = optional(number)
    timeout_seconds         = optional(number)
    reserved_concurrency    = optional(number)
    log_retention_days      = optional(number)
    log_level               = optional(string)
    reject_threshold        = optional(number)
    idempotency_ttl_seconds = optional(number)
    metrics_namespace       = optional(string)
    tracing                 = optional(bool)
    deletion_protection     = optional(bool)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.environment != "prod" || var.validator.deletion_protection != false
    error_message = "prod must keep the idempotency table deletion-protected: leave validator.deletion_protection unset or true."
  }
}


variable "lake" {
  description = "Lifecycle per zone (curated, analytics), teardown of the lake buckets and Lake Formation registration (lake_formation); null fields take the data-lake module's (production) defaults."
  type = object({
    curated = optional(object({
      intelligent_tiering_days   = optional(number)
      noncurrent_expiration_days = optional(number)
    }), {})
    analytics = optional(object({
      intelligent_tiering_days   = optional(number)
      noncurrent_expiration_days = optional(number)
    }), {})
    force_destroy = optional(bool)
    # register curated and analytics with Lake Formation (hybrid access by default);
    # the deploying role must be a Lake Formation administrator
    lake_formation = optional(object({
      enabled       = optional(bool)
      hybrid_access = optional(bool)
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.environment != "prod" || var.lake.force_destroy != true
    error_message = "prod lake data must survive a destroy: leave lake.force_destroy unset or false."
  }
}

variable "raw" {
  description = "The raw zone (every landed file as landed, under Object Lock): object_lock_mode, retention_days, lifecycle (intelligent_tiering_days, deep_archive_days, expiration_days, noncurrent_expiration_days) and force_destroy; null fields take the data-lake module's (production) defaults, COMPLIANCE for 2555 days, and a null lifecycle step is off."
  type = object({
    object_lock_mode           = optional(string)
    retention_days             = optional(number)
    intelligent_tiering_days   = optional(number)
    deep_archive_days          = optional(number)
    expiration_days            = optional(number)
    noncurrent_expiration_days = optional(number)
    force_destroy              = optional(bool)
  })
  default  = {}
  nullable = false

  # Tax records: landed files stay undeletable by anyone for seven years in prod.
  validation {
    condition     = var.environment != "prod" || (var.raw.object_lock_mode != "GOVERNANCE" && coalesce(var.raw.retention_days, 2555) >= 2555 && var.raw.force_destroy != true)
    error_message = "prod must lock raw files in COMPLIANCE mode for at least 2555 days (7 years) and keep them on destroy: leave raw.object_lock_mode, raw.retention_days and raw.force_destroy unset or set them so."
  }
}

variable "artifacts" {
  description = "Retention and teardown of the artifacts bucket: superseded job files (glue/), EMR job logs (emr/logs/)."
  type = object({
    noncurrent_expiration_days = optional(number, 30)
    log_expiration_days        = optional(number, 90)
    force_destroy              = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.artifacts.noncurrent_expiration_days >= 1 && var.artifacts.log_expiration_days >= 1
    error_message = "artifacts.noncurrent_expiration_days and artifacts.log_expiration_days must be at least 1."
  }

  validation {
    condition     = var.environment != "prod" || !var.artifacts.force_destroy
    error_message = "prod artifacts (and EMR job logs) must survive a destroy: set artifacts.force_destroy = false."
  }
}

variable "glue" {
  description = "The curate Glue job (worker_type, number_of_workers, timeout_minutes, max_concurrency), how the pipeline sizes its runs (min_workers, max_workers, bytes_per_worker, execution_class, urgent_kinds) and the scheduled current-tables job (current_tables: see modules/glue-etl); null fields take the modules' defaults."
  type = object({
    worker_type       = optional(string)
    number_of_workers = optional(number)
    timeout_minutes   = optional(number)
    max_concurrency   = optional(number)
    min_workers       = optional(number)
    max_workers       = optional(number)
    bytes_per_worker  = optional(number)
    execution_class   = optional(string)
    urgent_kinds      = optional(list(string))
    current_tables = optional(object({
      enabled           = optional(bool)
      prefix            = optional(string)
      table_format      = optional(string)
      schedule          = optional(string)
      schedule_enabled  = optional(bool)
      max_sources       = optional(number)
      worker_type       = optional(string)
      number_of_workers = optional(number)
      execution_class   = optional(string)
      timeout_minutes   = optional(number)
    }), {})
  })
  default  = {}
  nullable = false
}

variable "emr" {
  description = "The EMR Serverless application: maximum_cpu, maximum_memory, idle_timeout_minutes, initial_capacity (by worker type) and an optional network; null fields take the module's defaults."
  type = object({
    maximum_cpu          = optional(string)
    maximum_memory       = optional(string)
    idle_timeout_minutes = optional(number)
    initial_capacity = optional(map(object({
      worker_count = number
      cpu          = string
      memory       = string
      disk         = optional(string)
    })))
    network = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
  })
  default  = {}
  nullable = false
}

variable "pipeline" {
  description = "The pipeline state machine and its functions: routing thresholds, shared function settings (lambda), the process function's memory and timeout (lambda_path), fraud thresholds, metrics namespace, execution-log retention and tracing; null fields take the orchestrator module's defaults."
  type = object({
    routing = optional(object({
      emr_min_bytes    = optional(number)
      lambda_max_bytes = optional(number)
    }), {})
    lambda = optional(object({
      memory_mb            = optional(number)
      timeout_seconds      = optional(number)
      reserved_concurrency = optional(number)
      log_retention_days   = optional(number)
      log_level            = optional(string)
      tracing              = optional(bool)
    }), {})
    lambda_path = optional(object({
      memory_mb       = optional(number)
      timeout_seconds = optional(number)
    }), {})
    # thresholds by name, validated by the orchestrator (FraudConfig's fields)
    fraud              = optional(map(number), {})
    metrics_namespace  = optional(string)
    log_retention_days = optional(number)
    tracing            = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "observability" {
  description = "Alerts: who hears them (subscriptions: emails, queue_arns) and their thresholds (settings); null fields take the observability module's defaults (docs/runbook.md)."
  type = object({
    subscriptions = optional(object({
      emails     = optional(list(string))
      queue_arns = optional(list(string))
    }), {})
    settings = optional(object({
      consecutive_failures = optional(number)
      data_delay_seconds   = optional(number)
      error_rate_percent   = optional(number)
      freshness_schedule   = optional(string)
      log_retention_days   = optional(number)
    }), {})
  })
  default  = {}
  nullable = false
}
