variable "name_prefix" {
  description = "Prefix for resource names: buckets <name_prefix>-curated|analytics-<account>, database <name_prefix with _>_lake; its format and length are validated once, where it is derived (terraform/platform)."
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
  description = "ARN of the KMS key that encrypts the lake buckets (modules/kms key_arn: a key ARN, not an alias)."
  type        = string
  nullable    = false
}

variable "access_log_bucket" {
  description = "Name (not ARN; modules/s3-bucket checks it) of the SSE-S3 bucket that receives the lake buckets' server access logs under s3/<bucket>/."
  type        = string
  nullable    = false
}

variable "settings" {
  description = "Lifecycle per zone (days before Intelligent-Tiering, days superseded versions are kept) and teardown of the lake buckets."
  type = object({
    curated = optional(object({
      intelligent_tiering_days   = optional(number, 0)
      noncurrent_expiration_days = optional(number, 90)
    }), {})
    analytics = optional(object({
      intelligent_tiering_days   = optional(number, 0)
      noncurrent_expiration_days = optional(number, 90)
    }), {})
    force_destroy = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([for z in [var.settings.curated, var.settings.analytics] : (
      z.intelligent_tiering_days >= 0 && floor(z.intelligent_tiering_days) == z.intelligent_tiering_days &&
      z.noncurrent_expiration_days >= 1 && floor(z.noncurrent_expiration_days) == z.noncurrent_expiration_days
    )])
    error_message = "settings.curated and settings.analytics: intelligent_tiering_days must be a whole number >= 0 and noncurrent_expiration_days a whole number >= 1."
  }
}

variable "current_tables" {
  description = "Where the current-tables job writes (prefix in the curated bucket) and in which format (delta or parquet), as modules/glue-etl's current_tables output gives them (validated there, where they are set): the catalog registers current_<kind> to match."
  type = object({
    prefix       = optional(string, "current")
    table_format = optional(string, "delta")
  })
  default  = {}
  nullable = false
}

variable "raw" {
  description = "The raw zone, every landed file kept as landed: Object Lock (object_lock_mode, retention_days), lifecycle (intelligent_tiering_days, deep_archive_days, expiration_days, noncurrent_expiration_days; null turns a step off) and teardown (force_destroy) of the raw bucket."
  type = object({
    object_lock_mode = optional(string, "COMPLIANCE")
    # 7 years: tax records, as the access logs in prod
    retention_days             = optional(number, 2555)
    intelligent_tiering_days   = optional(number, 0)
    deep_archive_days          = optional(number)
    expiration_days            = optional(number)
    noncurrent_expiration_days = optional(number)
    force_destroy              = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["GOVERNANCE", "COMPLIANCE"], var.raw.object_lock_mode)
    error_message = "raw.object_lock_mode must be COMPLIANCE (no one can delete a landed file before retention_days) or GOVERNANCE (s3:BypassGovernanceRetention can: for dev and disposable environments)."
  }

  validation {
    condition     = var.raw.retention_days >= 1 && var.raw.retention_days <= 36500 && floor(var.raw.retention_days) == var.raw.retention_days
    error_message = "raw.retention_days must be a whole number of days from 1 to 36500."
  }

  validation {
    condition = alltrue([for d in [var.raw.intelligent_tiering_days, var.raw.deep_archive_days, var.raw.expiration_days, var.raw.noncurrent_expiration_days] : (
      d == null ? true : d >= 0 && floor(d) == d
    )]) && (var.raw.noncurrent_expiration_days == null ? true : var.raw.noncurrent_expiration_days >= 1)
    error_message = "raw lifecycle days must be whole numbers >= 0 (noncurrent_expiration_days >= 1), or null to turn that step off."
  }

  validation {
    condition     = var.raw.deep_archive_days == null ? true : var.raw.deep_archive_days > var.raw.intelligent_tiering_days
    error_message = "raw.deep_archive_days must be later than raw.intelligent_tiering_days (S3 applies transitions in order)."
  }

  # Expiring earlier would hide a file that is still locked and billed: S3 only adds a
  # delete marker over a retained version.
  validation {
    condition     = var.raw.expiration_days == null ? true : var.raw.expiration_days >= var.raw.retention_days && var.raw.expiration_days > coalesce(var.raw.deep_archive_days, var.raw.intelligent_tiering_days)
    error_message = "raw.expiration_days must be at least raw.retention_days and later than every transition, or null to keep files after their retention."
  }

  validation {
    condition     = !(var.raw.force_destroy && var.raw.object_lock_mode == "COMPLIANCE")
    error_message = "raw.force_destroy cannot delete COMPLIANCE-locked files before retention_days: use object_lock_mode = \"GOVERNANCE\" where the raw bucket must be disposable."
  }
}

variable "lake_formation" {
  description = "Register the curated and analytics buckets as Lake Formation data locations, through a module role that can use the lake key; hybrid_access (default true) keeps IAM-based access working beside Lake Formation grants."
  type = object({
    enabled       = optional(bool, false)
    hybrid_access = optional(bool, true)
  })
  default  = {}
  nullable = false
}
