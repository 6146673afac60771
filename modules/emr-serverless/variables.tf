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

variable "kms_key_arn" {
  description = "ARN of the KMS key of the lake objects, artifacts and job logs (modules/kms key_arn: a key ARN, not an alias)."
  type        = string
  nullable    = false
}

variable "artifacts_bucket_name" {
  description = "Bucket holding the entry point and library (uploaded by the terraform/platform root) and the job logs under emr/logs/."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket_name))
    error_message = "artifacts_bucket_name must be a bucket name (not an ARN or URI)."
  }
}

variable "script_key" {
  description = "Key of the Spark entry point (the Glue job script) in the artifacts bucket."
  type        = string
  default     = "glue/jobs/curate.py"
  nullable    = false

  validation {
    condition     = startswith(var.script_key, "glue/") && endswith(var.script_key, ".py")
    error_message = "script_key must be a .py key under glue/ (the role reads artifacts under glue/ only)."
  }
}

variable "library_key" {
  description = "Key of the taxlake library zip passed as --py-files."
  type        = string
  default     = "glue/taxlake.zip"
  nullable    = false

  validation {
    condition     = startswith(var.library_key, "glue/") && endswith(var.library_key, ".zip")
    error_message = "library_key must be a .zip key under glue/ (the role reads artifacts under glue/ only)."
  }
}

variable "data_access" {
  description = "What job runs read and write: modules/spark-data-access's grant (its policy and the curated location), the one data-access policy of the Spark jobs."
  type = object({
    policy_json         = string
    curated_bucket_name = string
    curated_prefix      = string
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
