variable "name_prefix" {
  description = "Prefix for resource names; the function becomes <name_prefix>-validator; its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "package_path" {
  description = "Path to the function zip (built by tools/build.py) whose root holds handler.py (checked by modules/lambda-function)."
  type        = string
  nullable    = false
}

variable "layer_arns" {
  description = "Versioned ARNs of the Lambda layers the function uses, in load order (checked by modules/lambda-function)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for the function environment, log group, DLQ, idempotency table and landed objects (modules/kms key_arn: a key ARN, not an alias)."
  type        = string
  nullable    = false
}

variable "landing" {
  description = "The landing zone, as modules/landing outputs it (names, ARNs and prefixes are checked there): bucket { name, arn, prefixes { incoming (read), validated and quarantine (written) } } and event_rule { name, arn }, the rule that invokes the function; only it may invoke it and dead-letter into the DLQ."
  type = object({
    bucket = object({
      name = string
      arn  = string
      prefixes = object({
        incoming   = string
        validated  = string
        quarantine = string
      })
    })
    event_rule = object({ name = string, arn = string })
  })
  nullable = false
}

variable "raw_bucket" {
  description = "The raw-zone bucket (name and ARN as modules/data-lake outputs them, key prefix) each landed version is copied to, as landed, before validation; it must be encrypted with kms_key_arn. null copies nothing and grants no access to it."
  type = object({
    name   = string
    arn    = string
    prefix = optional(string, "raw/")
  })
  default = null

  validation {
    condition     = var.raw_bucket == null || try(endswith(var.raw_bucket.prefix, "/") && length(var.raw_bucket.prefix) > 1, false)
    error_message = "raw_bucket.prefix must be a non-empty key prefix ending in \"/\", e.g. \"raw/\"."
  }
}

variable "state_machine_arn" {
  description = "ARN of the state machine started for each validated lodgement; null grants no states:StartExecution and leaves STATE_MACHINE_ARN empty."
  type        = string
  default     = null

  validation {
    condition     = var.state_machine_arn == null || can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$", var.state_machine_arn))
    error_message = "state_machine_arn must be null or a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)."
  }
}

variable "settings" {
  description = "Function sizing, logging, validation and idempotency settings; the function settings are checked by modules/lambda-function, which holds their defaults (null takes them; the validator sets only the timeout and reserved concurrency it needs)."
  type = object({
    memory_mb               = optional(number)
    timeout_seconds         = optional(number, 900)
    reserved_concurrency    = optional(number, 50)
    log_retention_days      = optional(number)
    log_level               = optional(string)
    reject_threshold        = optional(number, 0.01)
    idempotency_ttl_seconds = optional(number, 604800)
    metrics_namespace       = optional(string, "Taxlake")
    tracing                 = optional(bool)
    deletion_protection     = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.settings.reject_threshold >= 0 && var.settings.reject_threshold <= 1
    error_message = "settings.reject_threshold must be a fraction from 0 to 1 (e.g. 0.01 = quarantine a file when over 1% of its rows fail)."
  }

  validation {
    condition     = var.settings.idempotency_ttl_seconds >= 60 && floor(var.settings.idempotency_ttl_seconds) == var.settings.idempotency_ttl_seconds
    error_message = "settings.idempotency_ttl_seconds must be a whole number of seconds >= 60."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.settings.metrics_namespace))
    error_message = "settings.metrics_namespace must be 1-255 characters of letters, digits and . _ / # : -."
  }
}
