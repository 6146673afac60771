variable "name_prefix" {
  description = "Prefix for resource names (<name_prefix>-alarms, <name_prefix>-health-*); its format and length are validated once, where it is derived (terraform/platform)."
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
  description = "Path to the pipeline functions' zip (tools/build.py), whose handler.py holds execution_status and freshness."
  type        = string
  nullable    = false
}

variable "layer_arns" {
  description = "Versioned ARNs of the Lambda layers the health functions use, in load order."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for the alarm topic, the health table and the functions' environment and logs; its policy must let cloudwatch.amazonaws.com use it (modules/kms service_principals)."
  type        = string
  nullable    = false
}

variable "state_machine" {
  description = "The pipeline state machine watched: { name, arn } (modules/orchestrator state_machine)."
  type = object({
    name = string
    arn  = string
  })
  nullable = false
}

variable "namespaces" {
  description = "CloudWatch namespaces of the EMF metrics the platform emits: { validator, pipeline } (each function's POWERTOOLS_METRICS_NAMESPACE)."
  type = object({
    validator = string
    pipeline  = string
  })
  nullable = false
}

variable "validator_service" {
  description = "The validator's Powertools service name (its POWERTOOLS_SERVICE_NAME): a dimension of every metric it emits."
  type        = string
  nullable    = false
}

variable "kinds" {
  description = "Lodgement kinds whose freshness and schema drift are alarmed (the curated tables' kinds)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.kinds) > 0 && alltrue([for k in var.kinds : can(regex("^[a-z][a-z0-9-]{0,40}$", k))])
    error_message = "kinds must name at least one kind, each lower-case letters, digits and hyphens."
  }
}

variable "functions" {
  description = "Lambda functions whose error rate is alarmed, by stage: { stage = function name } (the module's own functions are added)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "dead_letter_queues" {
  description = "Dead-letter queues alarmed on their first visible message, by name: { name = queue ARN }."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "subscriptions" {
  description = "Who hears the alarms: email addresses (each confirms its subscription) and SQS queue ARNs (their policy must let the topic send)."
  type = object({
    emails     = optional(list(string), [])
    queue_arns = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for q in var.subscriptions.queue_arns : startswith(q, "arn:") && strcontains(q, ":sqs:")])
    error_message = "subscriptions.queue_arns must be SQS queue ARNs."
  }
}

variable "settings" {
  description = "Alert thresholds (docs/runbook.md explains each) and the health functions' log retention."
  type = object({
    consecutive_failures = optional(number, 3)
    data_delay_seconds   = optional(number, 7200)
    error_rate_percent   = optional(number, 1)
    freshness_schedule   = optional(string, "rate(5 minutes)")
    log_retention_days   = optional(number)
    # the health record is state: kept from deletion unless an environment is disposable
    deletion_protection = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.settings.consecutive_failures >= 1 && floor(var.settings.consecutive_failures) == var.settings.consecutive_failures
    error_message = "settings.consecutive_failures must be a whole number of at least 1."
  }

  validation {
    condition     = var.settings.data_delay_seconds >= 900
    error_message = "settings.data_delay_seconds must be at least 900: the freshness metric is judged over 15-minute periods."
  }

  validation {
    condition     = var.settings.error_rate_percent > 0 && var.settings.error_rate_percent < 100
    error_message = "settings.error_rate_percent must be above 0 and below 100."
  }

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.settings.freshness_schedule))
    error_message = "settings.freshness_schedule must be an EventBridge schedule expression: rate(...) or cron(...)."
  }
}
