variable "name_prefix" {
  description = "Prefix for resource names; the function becomes <name_prefix>-<name>; its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Function name appended to name_prefix, e.g. \"pipeline-process\"."
  type        = string
  nullable    = false

  validation {
    # 64 is the limit for both the function and its role, which share the full name.
    condition     = can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.name)) && length("${var.name_prefix}-${var.name}") <= 64
    error_message = "name must be lower-case letters, digits and hyphens, and <name_prefix>-<name> at most 64 characters (the function and role name limit)."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "handler" {
  description = "Entry point as <module>.<function>, e.g. \"handler.process\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", var.handler))
    error_message = "handler must be a dotted Python path <module>.<function>, e.g. \"handler.process\"."
  }
}

variable "package_path" {
  description = "Path to the function zip (built by tools/build.py)."
  type        = string
  nullable    = false

  validation {
    condition     = endswith(var.package_path, ".zip") && fileexists(var.package_path)
    error_message = "package_path must point to an existing .zip; run the build (tools/build.py) first or fix artifacts_dir."
  }
}

variable "layer_arns" {
  description = "Versioned ARNs of the Lambda layers the function uses, in load order."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.layer_arns) <= 5 && alltrue([for a in var.layer_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:layer:[A-Za-z0-9_-]+:\\d+$", a))])
    error_message = "layer_arns must hold at most 5 versioned layer ARNs (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for the function environment, its log group and its dead-letter queue (modules/kms key_arn: a key ARN, not an alias)."
  type        = string
  nullable    = false
}

variable "environment" {
  description = "Environment variables of the function; POWERTOOLS_LOG_LEVEL comes from settings.log_level."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.environment) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k)) && !startswith(k, "AWS_")])
    error_message = "environment keys must be letters, digits and underscores starting with a letter, and must not start with AWS_ (reserved by Lambda)."
  }

  validation {
    condition     = !contains(keys(var.environment), "POWERTOOLS_LOG_LEVEL")
    error_message = "Set the log level with settings.log_level, not environment.POWERTOOLS_LOG_LEVEL."
  }
}

variable "statements" {
  description = "The function's own permissions: IAM Allow statements, each with a unique sid, explicit actions and resources, and optional conditions."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for s in var.statements : can(regex("^[A-Za-z0-9]+$", s.sid))]) && length(distinct([for s in var.statements : s.sid])) == length(var.statements)
    error_message = "Every statement needs a unique alphanumeric sid."
  }

  validation {
    condition     = !contains([for s in var.statements : s.sid], "WriteLogs") && !contains([for s in var.statements : s.sid], "WriteTraces") && !contains([for s in var.statements : s.sid], "DeadLetters") && !contains([for s in var.statements : s.sid], "DeadLetterKey")
    error_message = "The sids WriteLogs, WriteTraces, DeadLetters and DeadLetterKey are the module's own."
  }

  # Least privilege: every action is named, so a new API is never granted by accident.
  validation {
    condition = alltrue(flatten([for s in var.statements : [
      for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))
    ]]))
    error_message = "statements must not grant wildcard actions: no \"*\", no \"<service>:*\" and no partial wildcards; name every action as <service>:<Action>."
  }

  validation {
    condition     = alltrue([for s in var.statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Every statement needs at least one action and one resource."
  }
}

variable "dead_letter_queue" {
  description = "Whether to create a KMS-encrypted SQS dead-letter queue for failed asynchronous invocations (functions invoked synchronously, e.g. by Step Functions, need none)."
  type        = bool
  default     = false
  nullable    = false
}

variable "settings" {
  description = "Sizing (memory, timeout, /tmp), concurrency, logging and tracing of the function."
  type = object({
    memory_mb            = optional(number, 1024)
    timeout_seconds      = optional(number, 300)
    reserved_concurrency = optional(number, -1)
    log_retention_days   = optional(number, 365)
    log_level            = optional(string, "INFO")
    tracing              = optional(bool, true)
    # /tmp; above the free 512 MB it is billed per GB-second
    ephemeral_storage_mb = optional(number, 512)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.settings.ephemeral_storage_mb >= 512 && var.settings.ephemeral_storage_mb <= 10240 && floor(var.settings.ephemeral_storage_mb) == var.settings.ephemeral_storage_mb
    error_message = "settings.ephemeral_storage_mb must be a whole number from 512 to 10240."
  }

  validation {
    condition     = var.settings.memory_mb >= 128 && var.settings.memory_mb <= 10240 && floor(var.settings.memory_mb) == var.settings.memory_mb
    error_message = "settings.memory_mb must be a whole number from 128 to 10240."
  }

  validation {
    condition     = var.settings.timeout_seconds >= 1 && var.settings.timeout_seconds <= 900 && floor(var.settings.timeout_seconds) == var.settings.timeout_seconds
    error_message = "settings.timeout_seconds must be a whole number from 1 to 900."
  }

  validation {
    condition     = var.settings.reserved_concurrency >= -1 && floor(var.settings.reserved_concurrency) == var.settings.reserved_concurrency
    error_message = "settings.reserved_concurrency must be -1 (unreserved), 0 (disabled) or a positive whole number."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.settings.log_retention_days)
    error_message = "settings.log_retention_days must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.settings.log_level)
    error_message = "settings.log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL."
  }
}

variable "async_invocation" {
  description = "Retries of asynchronous invocations (EventBridge, S3); null keeps Lambda's defaults. Events that exhaust them go to the dead-letter queue as an on-failure destination when dead_letter_queue = true."
  type = object({
    maximum_retry_attempts       = optional(number, 2)
    maximum_event_age_in_seconds = optional(number, 3600)
  })
  default = null

  validation {
    condition     = var.async_invocation == null || (contains([0, 1, 2], try(var.async_invocation.maximum_retry_attempts, -1)) && try(var.async_invocation.maximum_event_age_in_seconds >= 60 && var.async_invocation.maximum_event_age_in_seconds <= 21600, false))
    error_message = "async_invocation.maximum_retry_attempts must be 0, 1 or 2 and maximum_event_age_in_seconds from 60 to 21600."
  }
}

variable "allowed_triggers" {
  description = "Services allowed to invoke the function, keyed by permission statement id: { principal (e.g. events.amazonaws.com), source_arn }."
  type = map(object({
    principal  = string
    source_arn = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for id, t in var.allowed_triggers : can(regex("^[A-Za-z0-9_-]{1,100}$", id)) && endswith(t.principal, ".amazonaws.com") && startswith(t.source_arn, "arn:")])
    error_message = "allowed_triggers keys must be statement ids (letters, digits, _ and -), principals AWS service principals (*.amazonaws.com) and source_arn an ARN: no trigger without a source."
  }
}

variable "dead_letter_senders" {
  description = "Services besides the function that may send to its dead-letter queue (e.g. an EventBridge rule's target DLQ), keyed by statement id: { principal, source_arn }. Needs dead_letter_queue = true."
  type = map(object({
    principal  = string
    source_arn = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = length(var.dead_letter_senders) == 0 || var.dead_letter_queue
    error_message = "dead_letter_senders needs dead_letter_queue = true."
  }

  validation {
    condition     = alltrue([for id, s in var.dead_letter_senders : can(regex("^[A-Za-z0-9]+$", id)) && endswith(s.principal, ".amazonaws.com") && startswith(s.source_arn, "arn:")])
    error_message = "dead_letter_senders keys must be alphanumeric sids, principals AWS service principals and source_arn an ARN."
  }
}
