variable "name" {
  description = "The role's name; its inline policy is <name>-least-privilege."
  type        = string
  nullable    = false
}

variable "description" {
  description = "What the role is for, stored on the role."
  type        = string
  nullable    = false
}

variable "service" {
  description = "The AWS service that assumes the role, as its principal's first label: lambda, glue, states, emr-serverless, lakeformation."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[a-z0-9]$", var.service))
    error_message = "service must be a service principal's first label, e.g. \"lambda\" for lambda.amazonaws.com."
  }
}

variable "policy_json" {
  description = "The role's inline policy document (JSON), built by the caller from what its job touches; no action may contain a wildcard."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags applied to the role."
  type        = map(string)
  default     = {}
  nullable    = false
}
