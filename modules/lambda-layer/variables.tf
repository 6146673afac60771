variable "name_prefix" {
  description = "Prefix for the layer name, e.g. \"taxlake-dev\"; its format and length are validated once, where it is derived (terraform/platform)."
  type        = string
  nullable    = false
}

variable "layer_name" {
  description = "Layer name appended to name_prefix, e.g. \"runtime\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.layer_name))
    error_message = "layer_name must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "filename" {
  description = "Path to the layer zip (built by tools/build.py)."
  type        = string
  nullable    = false

  validation {
    condition     = endswith(var.filename, ".zip") && fileexists(var.filename)
    error_message = "filename must point to an existing .zip; run the build (tools/build.py) first or fix artifacts_dir."
  }
}

variable "description" {
  description = "Description stored on each published layer version."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "compatible_runtimes" {
  description = "Lambda runtimes the layer supports."
  type        = list(string)
  default     = ["python3.12"]
  nullable    = false

  validation {
    condition     = length(var.compatible_runtimes) >= 1 && length(var.compatible_runtimes) <= 15 && alltrue([for r in var.compatible_runtimes : can(regex("^python3\\.\\d+$", r))])
    error_message = "compatible_runtimes must list 1-15 Python runtimes such as \"python3.12\"."
  }
}

variable "compatible_architectures" {
  description = "Instruction set architectures the layer supports."
  type        = list(string)
  default     = ["x86_64"]
  nullable    = false

  validation {
    condition     = length(var.compatible_architectures) >= 1 && alltrue([for a in var.compatible_architectures : contains(["x86_64", "arm64"], a)])
    error_message = "compatible_architectures must hold \"x86_64\" and/or \"arm64\"."
  }
}

variable "s3_bucket" {
  description = "Bucket to stage the zip in before publishing (needed above Lambda's 50 MB direct-upload limit); null uploads directly."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "KMS key for the staged object (with s3_bucket); null uses the bucket's default encryption."
  type        = string
  default     = null
}
