output "name_prefix" {
  description = "Prefix every resource name of this environment starts with."
  value       = local.name_prefix
}

output "kms_key_arn" {
  description = "ARN of the environment's customer-managed key."
  value       = module.kms.key_arn
}

output "kms_alias_name" {
  description = "Alias of the environment's customer-managed key."
  value       = module.kms.alias_name
}

output "access_log_bucket_name" {
  description = "Name of the server-access-log bucket."
  value       = module.access_logs.bucket_name
}

output "landing_bucket_name" {
  description = "Name of the landing bucket lodgements are uploaded to."
  value       = module.landing.bucket_id
}

output "landing_bucket_arn" {
  description = "ARN of the landing bucket."
  value       = module.landing.bucket_arn
}

output "landing_incoming_prefix" {
  description = "Key prefix uploads must use to be validated."
  value       = module.landing.incoming_prefix
}

output "landing_event_rule_name" {
  description = "Name of the EventBridge rule that starts validation."
  value       = module.landing.event_rule_name
}

output "landing_event_rule_arn" {
  description = "ARN of the EventBridge rule that starts validation."
  value       = module.landing.event_rule_arn
}

output "landing_lifecycle_rules" {
  description = "Lifecycle rules of the landing bucket, keyed by rule id."
  value       = module.landing.lifecycle_rules
}

output "runtime_layer_arn" {
  description = "Versioned ARN of the runtime layer."
  value       = module.runtime_layer.layer_arn
}

output "validator_function_name" {
  description = "Name of the validator function."
  value       = module.validator.function_name
}

output "validator_function_arn" {
  description = "ARN of the validator function."
  value       = module.validator.function_arn
}

output "validator_log_group_name" {
  description = "Log group of the validator function."
  value       = module.validator.log_group_name
}

output "validator_log_retention_days" {
  description = "Retention of the validator's log group, in days."
  value       = module.validator.log_retention_days
}

output "validator_reserved_concurrency" {
  description = "Reserved concurrent executions of the validator (-1 = unreserved)."
  value       = module.validator.reserved_concurrency
}

output "validator_dlq_url" {
  description = "URL of the validator's dead-letter queue."
  value       = module.validator.dlq_url
}

output "validator_dlq_arn" {
  description = "ARN of the validator's dead-letter queue."
  value       = module.validator.dlq_arn
}

output "idempotency_table_name" {
  description = "Name of the validator's idempotency table."
  value       = module.validator.idempotency_table_name
}

output "settings" {
  description = "Settings this environment was planned with, optional defaults applied (null validator fields mean the validator module's defaults)."
  value = {
    kms         = var.kms
    access_logs = var.access_logs
    landing     = var.landing
    validator   = var.validator
  }
}
