output "kms_key_arn" {
  description = "ARN of the environment's customer-managed key."
  value       = module.platform.kms_key_arn
}

output "kms_alias_name" {
  description = "Alias of the environment's customer-managed key."
  value       = module.platform.kms_alias_name
}

output "access_log_bucket_name" {
  description = "Name of the server-access-log bucket."
  value       = module.platform.access_log_bucket_name
}

output "landing_bucket_name" {
  description = "Name of the landing bucket lodgements are uploaded to."
  value       = module.platform.landing_bucket_name
}

output "landing_bucket_arn" {
  description = "ARN of the landing bucket."
  value       = module.platform.landing_bucket_arn
}

output "landing_incoming_prefix" {
  description = "Key prefix uploads must use to be validated."
  value       = module.platform.landing_incoming_prefix
}

output "landing_event_rule_name" {
  description = "Name of the EventBridge rule that starts validation."
  value       = module.platform.landing_event_rule_name
}

output "landing_event_rule_arn" {
  description = "ARN of the EventBridge rule that starts validation."
  value       = module.platform.landing_event_rule_arn
}

output "runtime_layer_arn" {
  description = "Versioned ARN of the runtime layer."
  value       = module.platform.runtime_layer_arn
}

output "validator_function_name" {
  description = "Name of the validator function."
  value       = module.platform.validator_function_name
}

output "validator_function_arn" {
  description = "ARN of the validator function."
  value       = module.platform.validator_function_arn
}

output "validator_log_group_name" {
  description = "Log group of the validator function."
  value       = module.platform.validator_log_group_name
}

output "validator_dlq_url" {
  description = "URL of the validator's dead-letter queue."
  value       = module.platform.validator_dlq_url
}

output "validator_dlq_arn" {
  description = "ARN of the validator's dead-letter queue."
  value       = module.platform.validator_dlq_arn
}

output "idempotency_table_name" {
  description = "Name of the validator's idempotency table."
  value       = module.platform.idempotency_table_name
}

output "state_machine_arn" {
  description = "ARN of the pipeline state machine the validator starts."
  value       = module.platform.state_machine_arn
}

output "curated_bucket_name" {
  description = "Name of the curated lake bucket."
  value       = module.platform.curated_bucket_name
}

output "analytics_bucket_name" {
  description = "Name of the analytics bucket (quality reports, fraud flags, failure reports)."
  value       = module.platform.analytics_bucket_name
}

output "glue_database_name" {
  description = "Glue catalog database of the lake."
  value       = module.platform.glue_database_name
}

output "glue_job_name" {
  description = "Name of the curate Glue job."
  value       = module.platform.glue_job_name
}

output "lake_formation_locations" {
  description = "Buckets registered with Lake Formation, by zone."
  value       = module.platform.lake_formation_locations
}

output "current_tables" {
  description = "The current tables: job, prefix in the curated bucket, format and catalog tables."
  value       = module.platform.current_tables
}

output "emr_application_id" {
  description = "ID of the EMR Serverless application."
  value       = module.platform.emr_application_id
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic (fraud flags, pipeline failures)."
  value       = module.platform.alerts_topic_arn
}

output "routing" {
  description = "The processing choice's size thresholds in bytes (the integration tests size their files from it)."
  value       = module.platform.routing
}

output "raw_bucket_name" {
  description = "Name of the raw-zone bucket (landed files as landed, under Object Lock)."
  value       = module.platform.raw_bucket_name
}
