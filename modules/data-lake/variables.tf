variable "name_prefix" {
  description = "Prefix for resource names: buckets <name_prefix>-curated|analytics-<account>, database <name_prefix with _>_lake."
  type        = string
  nullable    = false

  validation {
    # 30 keeps "<prefix>-analytics-<12-digit account>" within S3's 63-character limit.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-30 characters of lower-case letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the lake buckets."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "access_log_bucket" {
  description = "Name of the SSE-S3 bucket that receives the lake buckets' server access logs under s3/<bucket>/."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket))
    error_message = "access_log_bucket must be a bucket name (not an ARN)."
  }
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
  description = "Where the current-tables job writes (prefix in the curated bucket) and in which format (delta or parquet): the catalog registers current_<kind> to match."
  type = object({
    prefix       = optional(string, "current")
    table_format = optional(string, "delta")
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.current_tables.prefix)) && var.current_tables.prefix != "curated"
    error_message = "current_tables.prefix must be one path segment of lower-case letters, digits, _ and -, other than curated."
  }

  validation {
    condition     = contains(["delta", "parquet"], var.current_tables.table_format)
    error_message = "current_tables.table_format must be delta or parquet."
  }
}
