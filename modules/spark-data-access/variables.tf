variable "landing_bucket_name" {
  description = "Name of the landing bucket the Spark jobs read validated files from."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.landing_bucket_name))
    error_message = "landing_bucket_name must be a bucket name (not an ARN)."
  }
}

variable "validated_prefix" {
  description = "Key prefix of validated lodgements in the landing bucket (the only part the jobs may read)."
  type        = string
  nullable    = false

  validation {
    condition     = endswith(var.validated_prefix, "/") && length(var.validated_prefix) > 1
    error_message = "validated_prefix must be a non-empty key prefix ending in \"/\"."
  }
}

variable "curated_bucket_name" {
  description = "Name of the curated lake bucket the Spark jobs write to."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.curated_bucket_name))
    error_message = "curated_bucket_name must be a bucket name (not an ARN)."
  }
}

variable "curated_prefix" {
  description = "Key prefix (no trailing slash) the jobs write curated tables under (the only part of the lake they may write)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.curated_prefix))
    error_message = "curated_prefix must be one path segment of lower-case letters, digits, _ and -, without slashes."
  }
}
