variable "name_prefix" {
  description = "Prefix for resource names; the key alias becomes alias/<name_prefix>; its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags applied to every taggable resource in the module."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "description" {
  description = "Human-readable description stored on the key."
  type        = string
  default     = "taxlake platform data key"
  nullable    = false
}

variable "deletion_window_in_days" {
  description = "Days KMS waits before deleting the key after deletion is scheduled (7-30)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "deletion_window_in_days must be a whole number from 7 to 30."
  }
}

variable "service_principals" {
  description = "Extra AWS service principals (e.g. \"s3.amazonaws.com\") allowed kms:GenerateDataKey and kms:Decrypt for this account's resources."
  type        = set(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.service_principals : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", p))])
    error_message = "service_principals must be service principal names ending in .amazonaws.com, e.g. \"s3.amazonaws.com\"."
  }
}
