# Grouped by what a caller looks for: the buckets, the validator, the catalog, the jobs and
# the pipeline. Nothing here echoes an input: each value is a name, an ARN or a setting
# after the modules' defaults (what a caller cannot know without reading the modules).

output "name_prefix" {
  description = "Prefix every resource name of this environment starts with."
  value       = local.name_prefix
}

output "key" {
  description = "The environment's customer-managed key: { arn, alias }."
  value = {
    arn   = module.kms.key_arn
    alias = module.kms.alias_name
  }
}

output "buckets" {
  description = "Every bucket by zone: { name, arn } plus its key prefixes (ending in \"/\") where the zone has them, and the raw zone's Object Lock default retention."
  value = {
    access_logs = { name = module.access_logs.bucket_name, arn = module.access_logs.bucket_arn }
    landing = {
      name     = module.landing.bucket_id
      arn      = module.landing.bucket_arn
      prefixes = module.landing.prefixes
    }
    raw = {
      name        = module.data_lake.raw_bucket_name
      arn         = module.data_lake.raw_bucket_arn
      prefix      = "${module.data_lake.raw_prefix}/"
      object_lock = module.data_lake.raw_object_lock
    }
    curated = {
      name     = module.data_lake.curated_bucket_name
      arn      = module.data_lake.curated_bucket_arn
      prefixes = { curated = "${module.data_lake.curated_prefix}/", current = "${module.glue_etl.current_prefix}/" }
    }
    analytics = { name = module.data_lake.analytics_bucket_name, arn = module.data_lake.analytics_bucket_arn }
    artifacts = { name = module.artifacts.bucket_name, arn = module.artifacts.bucket_arn }
  }
}

output "runtime_layer_arn" {
  description = "Versioned ARN of the runtime layer every function uses."
  value       = module.runtime_layer.layer_arn
}

output "validator" {
  description = "The validator: its function, log group, dead-letter queue, idempotency table and the EventBridge rule that starts it."
  value = {
    function_name     = module.validator.function_name
    function_arn      = module.validator.function_arn
    log_group_name    = module.validator.log_group_name
    dlq               = { url = module.validator.dlq_url, arn = module.validator.dlq_arn }
    idempotency_table = module.validator.idempotency_table_name
    event_rule        = { name = module.landing.event_rule_name, arn = module.landing.event_rule_arn }
  }
}

output "catalog" {
  description = "The lake's Glue catalog: database, curated tables and current tables by kind, and the buckets registered with Lake Formation by zone ({} when off)."
  value = {
    database                 = module.data_lake.database_name
    tables                   = module.data_lake.table_names
    current_tables           = module.data_lake.current_table_names
    lake_formation_locations = module.data_lake.lake_formation_locations
  }
}

output "jobs" {
  description = "The Spark jobs: the curate Glue job, the current-tables job (null when disabled) and its table format, and the EMR Serverless application."
  value = {
    curate         = { name = module.glue_etl.job_name }
    current_tables = { name = module.glue_etl.current_job_name, table_format = module.glue_etl.current_table_format }
    emr            = { application_id = module.emr_serverless.application_id, entry_point = module.emr_serverless.entry_point }
  }
}

output "pipeline" {
  description = "The pipeline: its state machine, functions by step, alert and notification topics, and the routing thresholds in bytes as rendered into the definition."
  value = {
    state_machine = {
      arn            = module.orchestrator.state_machine_arn
      name           = module.orchestrator.state_machine_name
      log_group_name = module.orchestrator.log_group_name
    }
    functions = module.orchestrator.function_names
    topics = {
      alerts        = module.orchestrator.alerts_topic_arn
      notifications = module.orchestrator.notifications_topic_arn
    }
    routing = module.orchestrator.routing
  }
}
