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

output "artifacts_bucket_name" {
  description = "Name of the artifacts bucket (job script and library, Glue TempDir, EMR job logs)."
  value       = module.artifacts.bucket_name
}

output "artifact_keys" {
  description = "Keys of the uploaded job artifacts in the artifacts bucket."
  value       = sort([for o in aws_s3_object.artifact : o.key])
}

output "curated_bucket_name" {
  description = "Name of the curated lake bucket."
  value       = module.data_lake.curated_bucket_name
}

output "analytics_bucket_name" {
  description = "Name of the analytics bucket (quality reports, fraud flags, failure reports)."
  value       = module.data_lake.analytics_bucket_name
}

output "lake_lifecycle_rules" {
  description = "Lifecycle rules of the lake buckets, per zone and rule id."
  value       = module.data_lake.lifecycle_rules
}

output "glue_database_name" {
  description = "Glue catalog database of the lake."
  value       = module.data_lake.database_name
}

output "glue_table_names" {
  description = "Glue tables of the curated lake, keyed by lodgement kind."
  value       = module.data_lake.table_names
}

output "glue_job_name" {
  description = "Name of the curate Glue job."
  value       = module.glue_etl.job_name
}

output "glue_job_default_arguments" {
  description = "Default arguments of the curate Glue job."
  value       = module.glue_etl.default_arguments
}

output "lake_formation_locations" {
  description = "Buckets registered with Lake Formation, by zone ({} when off)."
  value       = module.data_lake.lake_formation_locations
}

output "current_tables" {
  description = "The current tables: the job that writes them (null when disabled), their prefix in the curated bucket, format and catalog tables by kind."
  value = {
    job_name     = module.glue_etl.current_job_name
    prefix       = module.glue_etl.current_prefix
    table_format = module.glue_etl.current_table_format
    table_names  = module.data_lake.current_table_names
  }
}

output "emr_application_id" {
  description = "ID of the EMR Serverless application."
  value       = module.emr_serverless.application_id
}

output "emr_entry_point" {
  description = "S3 URI of the EMR Serverless Spark entry point."
  value       = module.emr_serverless.entry_point
}

output "state_machine_arn" {
  description = "ARN of the pipeline state machine the validator starts."
  value       = module.orchestrator.state_machine_arn
}

output "state_machine_name" {
  description = "Name of the pipeline state machine."
  value       = module.orchestrator.state_machine_name
}

output "state_machine_log_group_name" {
  description = "Log group of the pipeline's execution history."
  value       = module.orchestrator.log_group_name
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic (fraud flags, pipeline failures)."
  value       = module.orchestrator.alerts_topic_arn
}

output "notifications_topic_arn" {
  description = "ARN of the notifications topic (files curated)."
  value       = module.orchestrator.notifications_topic_arn
}

output "pipeline_function_names" {
  description = "Names of the pipeline functions, keyed by step."
  value       = module.orchestrator.function_names
}

output "pipeline_function_environments" {
  description = "Environment variables of the pipeline functions, keyed by step."
  value       = module.orchestrator.function_environments
}

output "derived_task_statements" {
  description = "The state machine role's Task permissions as derived from its rendered definition ([{actions, resources}])."
  value       = module.orchestrator.derived_task_statements
}

output "routing" {
  description = "The processing choice's size thresholds in bytes, as rendered into the definition."
  value       = module.orchestrator.routing
}

output "rendered_definition" {
  description = "The pipeline definition as deployed."
  value       = module.orchestrator.rendered_definition
}

output "raw_bucket_name" {
  description = "Name of the raw-zone bucket: each landed version as landed, under Object Lock."
  value       = module.data_lake.raw_bucket_name
}

output "raw_object_lock" {
  description = "Default retention of the raw bucket: { mode, days }."
  value       = module.data_lake.raw_object_lock
}
