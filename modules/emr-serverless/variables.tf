variable "name_prefix" {
  description = "Prefix for resource names; the application becomes <name_prefix>-curate and its job execution role <name_prefix>-curate-emr; its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "job" {
  description = "The curate job this module runs: modules/spark-job's job output (its data-access policy, key, artifacts bucket, script and library URIs and curated location), the same for both engines."
  type = object({
    policy_json = string
    kms_key_arn = string
    artifacts   = object({ name = string, arn = string })
    script      = string
    library     = string
    curated     = object({ bucket_name = string, arn = string, prefix = string })
  })
  nullable = false
}

variable "settings" {
  description = "Capacity and idle behaviour of the application: maximum_cpu/maximum_memory cap all workers together, initial_capacity pre-initialises workers keyed by type (Driver, Executor)."
  type = object({
    maximum_cpu          = optional(string, "64 vCPU")
    maximum_memory       = optional(string, "256 GB")
    idle_timeout_minutes = optional(number, 15)
    initial_capacity = optional(map(object({
      worker_count = number
      cpu          = string
      memory       = string
      disk         = optional(string)
    })), {})
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[1-9][0-9]* ?vCPU$", var.settings.maximum_cpu)) && can(regex("^[1-9][0-9]* ?GB$", var.settings.maximum_memory))
    error_message = "settings.maximum_cpu must look like \"64 vCPU\" and settings.maximum_memory like \"256 GB\"."
  }

  validation {
    condition     = var.settings.idle_timeout_minutes >= 1 && var.settings.idle_timeout_minutes <= 10080 && floor(var.settings.idle_timeout_minutes) == var.settings.idle_timeout_minutes
    error_message = "settings.idle_timeout_minutes must be a whole number from 1 to 10080 (7 days)."
  }

  validation {
    condition = alltrue([for type, c in var.settings.initial_capacity : (
      contains(["Driver", "Executor"], type) && c.worker_count >= 1 &&
      can(regex("^[1-9][0-9]* ?vCPU$", c.cpu)) && can(regex("^[1-9][0-9]* ?GB$", c.memory)) &&
      (c.disk == null || can(regex("^[1-9][0-9]* ?GB$", c.disk)))
    )])
    error_message = "settings.initial_capacity keys must be Driver or Executor, each with worker_count >= 1, cpu like \"4 vCPU\", memory (and disk, if set) like \"16 GB\"."
  }
}

variable "network" {
  description = "Subnets and security groups for job runs that must reach a VPC; null runs them without VPC access (the platform's jobs reach only S3)."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.network == null || try(length(var.network.subnet_ids) > 0 && length(var.network.security_group_ids) > 0, false)
    error_message = "network must be null or name at least one subnet and one security group."
  }
}
