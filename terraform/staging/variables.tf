variable "region" {
  description = "AWS region the environment is deployed to."
  type        = string
  default     = "ap-southeast-2"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-\\d$", var.region))
    error_message = "region must be an AWS region code such as \"ap-southeast-2\"."
  }
}

variable "artifacts_dir" {
  description = "Directory holding the build (tools/build.py: layers/, lambdas/, glue/), relative to this root (or absolute)."
  type        = string
  default     = "../../dist"
  nullable    = false
}

# The settings objects are typed, defaulted and validated once, in modules/platform.
variable "kms" {
  description = "Settings of the environment's customer-managed key (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "access_logs" {
  description = "Retention and teardown settings of the server-access-log bucket (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "landing" {
  description = "Lifecycle and teardown settings of the landing bucket (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "validator" {
  description = "Validator function settings; unset fields take the validator module's (production) defaults (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "lake" {
  description = "Lifecycle per zone and teardown of the lake buckets (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "raw" {
  description = "The raw zone: Object Lock mode and retention, lifecycle and teardown of the raw bucket (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "artifacts" {
  description = "Retention and teardown of the artifacts bucket (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "glue" {
  description = "The curate Glue job and how the pipeline sizes its runs (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "emr" {
  description = "Capacity and idle timeout of the EMR Serverless application (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}

variable "pipeline" {
  description = "Routing thresholds, function settings and logging of the pipeline state machine (see modules/platform)."
  type        = any
  default     = {}
  nullable    = false
}
