variable "name_prefix" {
  description = "Prefix for resource names, e.g. \"taxlake-dev\"; its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "bucket_name" {
  description = "Landing bucket name; null derives <name_prefix>-landing-<account_id>."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts landed objects (modules/kms key_arn: a key ARN, not an alias)."
  type        = string
  nullable    = false
}

variable "access_log_bucket" {
  description = "Name (not ARN; modules/s3-bucket checks it) of the SSE-S3 bucket that receives the landing bucket's server access logs under s3/<bucket>/."
  type        = string
  nullable    = false
}

variable "prefixes" {
  description = "The bucket's three key prefixes: where lodgements arrive (and which starts validation), where the validator puts the ones it accepts and the ones it quarantines. The platform's one rule for a key prefix: S3-safe path segments, ending in \"/\"; none inside another."
  type = object({
    incoming   = optional(string, "incoming/")
    validated  = optional(string, "validated/")
    quarantine = optional(string, "quarantine/")
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for p in values(var.prefixes) : can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$", p))])
    error_message = "Every prefix must be a non-empty key prefix of S3-safe characters ending in \"/\" (e.g. \"incoming/\")."
  }

  # one lifecycle rule per prefix: S3 refuses overlapping prefixes, and a file must never
  # be both incoming and validated
  validation {
    condition     = alltrue([for a, p in var.prefixes : alltrue([for b, q in var.prefixes : a == b || !startswith(q, p)])])
    error_message = "No prefix may contain another (incoming, validated and quarantine must be disjoint)."
  }
}

variable "intelligent_tiering_days" {
  description = "Days after creation before objects move to S3 Intelligent-Tiering (0 = at the first lifecycle run)."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.intelligent_tiering_days >= 0 && floor(var.intelligent_tiering_days) == var.intelligent_tiering_days
    error_message = "intelligent_tiering_days must be a whole number >= 0."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a superseded object version is kept before it expires."
  type        = number
  default     = 90
  nullable    = false

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number >= 1."
  }
}

variable "force_destroy" {
  description = "Whether destroying the landing bucket deletes its objects first (disposable environments only)."
  type        = bool
  default     = false
  nullable    = false
}
