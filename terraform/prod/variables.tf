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

variable "artifacts_dir" {
  description = "Directory holding the built layers/runtime.zip and lambdas/validator.zip, relative to this root (or absolute)."
  type        = string
  default     = "../../dist"
  nullable    = false
}

variable "state_machine_arn" {
  description = "ARN of the processing state machine the validator starts; null until the pipeline is deployed."
  type        = string
  default     = null
}

variable "kms" {
  description = "Settings of the environment's customer-managed key."
  type = object({
    deletion_window_in_days = optional(number, 30)
  })
  default  = {}
  nullable = false
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
}

variable "validator" {
  description = "Validator function settings; unset fields take the validator module's (production) defaults."
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
}
