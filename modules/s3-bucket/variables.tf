variable "name" {
  description = "Full, globally unique bucket name."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) >= 3 && length(var.name) <= 63 && can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.name))
    error_message = "name must be 3-63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }

  validation {
    condition     = !strcontains(var.name, "..") && !strcontains(var.name, ".-") && !strcontains(var.name, "-.") && !can(regex("^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.name))
    error_message = "name must not contain \"..\", \".-\" or \"-.\" and must not look like an IP address."
  }

  validation {
    condition = !anytrue([for p in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.name, p)]) && !anytrue([
      for s in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] : endswith(var.name, s)
    ])
    error_message = "name uses a prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3) that S3 reserves."
  }
}

variable "tags" {
  description = "Tags applied to the bucket."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for SSE-KMS default encryption; null selects SSE-S3 (AES256), required for server-access-log target buckets."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id, or null for SSE-S3."
  }
}

variable "versioning" {
  description = "Whether object versioning is enabled (false suspends it)."
  type        = bool
  default     = true
  nullable    = false
}

variable "lifecycle_rules" {
  description = "Lifecycle rules keyed by rule id, each scoped to a key prefix (\"\" for the whole bucket); every rule aborts incomplete multipart uploads (default 7 days)."
  type = map(object({
    prefix = optional(string, "")
    transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [])
    expiration_days                 = optional(number)
    noncurrent_expiration_days      = optional(number)
    abort_incomplete_multipart_days = optional(number, 7)
  }))
  default  = {}
  nullable = false

  validation {
    condition = alltrue(flatten([for r in values(var.lifecycle_rules) : [
      for t in r.transitions : contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class)
    ]]))
    error_message = "transitions[*].storage_class must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }

  validation {
    condition = alltrue(flatten([for r in values(var.lifecycle_rules) : [
      for t in r.transitions : t.days >= (contains(["STANDARD_IA", "ONEZONE_IA"], t.storage_class) ? 30 : 0)
    ]]))
    error_message = "transitions[*].days must be >= 0, and >= 30 for STANDARD_IA and ONEZONE_IA (an S3 rule)."
  }

  validation {
    condition = alltrue([for r in values(var.lifecycle_rules) : alltrue([
      for d in [r.expiration_days, r.noncurrent_expiration_days, r.abort_incomplete_multipart_days] : d == null ? true : d >= 1
    ])])
    error_message = "expiration_days, noncurrent_expiration_days and abort_incomplete_multipart_days must be >= 1 when set."
  }

}

variable "logging" {
  description = "Server access logging target (bucket name and key prefix); null disables access logging."
  type = object({
    target_bucket = string
    target_prefix = string
  })
  default = null

  validation {
    condition     = var.logging == null || try(endswith(var.logging.target_prefix, "/") && can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.logging.target_bucket)), false)
    error_message = "logging.target_bucket must be a bucket name (not an ARN) and logging.target_prefix end with \"/\", e.g. \"s3/<bucket>/\"."
  }
}

variable "eventbridge" {
  description = "Whether S3 sends this bucket's events to Amazon EventBridge."
  type        = bool
  default     = false
  nullable    = false
}

variable "force_destroy" {
  description = "Whether destroying the bucket deletes all its objects first (use only for disposable environments)."
  type        = bool
  default     = false
  nullable    = false
}

variable "object_lock" {
  description = "Object Lock default retention (mode GOVERNANCE or COMPLIANCE, whole days) applied to every new object version; null (default) creates the bucket without Object Lock. Set it at creation: enabling it later replaces the bucket."
  type = object({
    mode = string
    days = number
  })
  default = null

  validation {
    condition     = var.object_lock == null || try(contains(["GOVERNANCE", "COMPLIANCE"], var.object_lock.mode), false)
    error_message = "object_lock.mode must be GOVERNANCE (privileged users may bypass with s3:BypassGovernanceRetention) or COMPLIANCE (no one can delete a version before its retention ends)."
  }

  validation {
    # S3's limit for default retention is 100 years.
    condition     = var.object_lock == null || try(var.object_lock.days >= 1 && var.object_lock.days <= 36500 && floor(var.object_lock.days) == var.object_lock.days, false)
    error_message = "object_lock.days must be a whole number of days from 1 to 36500."
  }

  validation {
    condition     = var.object_lock == null || var.versioning
    error_message = "Object Lock needs versioning: set versioning = true (S3 refuses to suspend versioning on a locked bucket)."
  }

  # force_destroy can bypass GOVERNANCE retention, but nothing removes a COMPLIANCE-locked
  # version early: destroy would fail half-way with the bucket still full.
  validation {
    condition     = var.object_lock == null || !var.force_destroy || try(var.object_lock.mode != "COMPLIANCE", true)
    error_message = "force_destroy cannot delete COMPLIANCE-locked object versions before their retention ends: use mode = \"GOVERNANCE\" for disposable buckets, or force_destroy = false."
  }
}

variable "extra_policy_documents" {
  description = "Additional IAM policy JSON documents merged into the bucket policy (statement sids must be unique)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for d in var.extra_policy_documents : can(jsondecode(d).Statement)])
    error_message = "extra_policy_documents must be JSON policy documents with a Statement element."
  }
}

variable "allow_access_log_delivery" {
  description = "Whether the bucket policy lets logging.s3.amazonaws.com deliver server access logs from this account."
  type        = bool
  default     = false
  nullable    = false

  validation {
    condition     = !var.allow_access_log_delivery || var.kms_key_arn == null
    error_message = "Server access log targets must use SSE-S3: set kms_key_arn = null when allow_access_log_delivery = true."
  }
}
