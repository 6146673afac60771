variable "kms_key_arn" {
  description = "ARN of the KMS key of the lake objects, the job files and the job's logs (modules/kms key.arn: a key ARN, not an alias)."
  type        = string
  nullable    = false
}

variable "artifacts_bucket_name" {
  description = "Bucket holding the job files (uploaded by the terraform/platform root); the engines also keep Glue's TempDir and the EMR job logs there. Its name is validated where it is derived (modules/s3-bucket)."
  type        = string
  nullable    = false
}

variable "script_key" {
  description = "Key of the Spark entry point in the artifacts bucket: the Glue job script, also the EMR Serverless entry point."
  type        = string
  default     = "glue/jobs/curate.py"
  nullable    = false

  validation {
    condition     = startswith(var.script_key, "glue/") && endswith(var.script_key, ".py")
    error_message = "script_key must be a .py key under glue/ (the engines' roles read artifacts under glue/ only)."
  }
}

variable "library_key" {
  description = "Key of the taxlake library zip (Glue's --extra-py-files, EMR's --py-files) in the artifacts bucket."
  type        = string
  default     = "glue/taxlake.zip"
  nullable    = false

  validation {
    condition     = startswith(var.library_key, "glue/") && endswith(var.library_key, ".zip")
    error_message = "library_key must be a .zip key under glue/ (the engines' roles read artifacts under glue/ only)."
  }
}

variable "landing_bucket_name" {
  description = "Name of the landing bucket the curate job reads validated files from (validated where it is derived, modules/s3-bucket)."
  type        = string
  nullable    = false
}

variable "validated_prefix" {
  description = "Key prefix of validated lodgements in the landing bucket (the only part the job may read)."
  type        = string
  nullable    = false

  validation {
    condition     = endswith(var.validated_prefix, "/") && length(var.validated_prefix) > 1
    error_message = "validated_prefix must be a non-empty key prefix ending in \"/\"."
  }
}

variable "curated_bucket_name" {
  description = "Name of the curated lake bucket the curate job writes to (validated where it is derived, modules/s3-bucket)."
  type        = string
  nullable    = false
}

variable "curated_prefix" {
  description = "Key prefix (no trailing slash) the job writes curated tables under (the only part of the lake it may write)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.curated_prefix))
    error_message = "curated_prefix must be one path segment of lower-case letters, digits, _ and -, without slashes."
  }
}
