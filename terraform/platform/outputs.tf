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
    arn   = module.kms.key.arn
    alias = module.kms.key.alias_name
  }
}

output "buckets" {
  description = "Every bucket by zone: { name, arn } plus its key prefixes (ending in \"/\") where the zone has them, and the raw zone's Object Lock default retention."
  value = {
    access_logs = { name = module.access_logs.bucket.name, arn = module.access_logs.bucket.arn }
    landing     = module.landing.bucket
    raw = {
      name        = module.data_lake.buckets.raw.name
      arn         = module.data_lake.buckets.raw.arn
      prefix      = "${module.data_lake.buckets.raw.prefix}/"
      object_lock = module.data_lake.buckets.raw.object_lock
    }
    curated = {
      name     = module.data_lake.buckets.curated.name
      arn      = module.data_lake.buckets.curated.arn
      prefixes = { curated = "${module.data_lake.buckets.curated.prefix}/", current = "${module.glue_etl.current_tables.prefix}/" }
    }
    analytics = { name = module.data_lake.buckets.analytics.name, arn = module.data_lake.buckets.analytics.arn }
    artifacts = { name = module.artifacts.bucket.name, arn = module.artifacts.bucket.arn }
  }
}

output "runtime_layer_arn" {
  description = "Versioned ARN of the runtime layer every function uses."
  value       = module.runtime_layer.layer.arn
}

output "validator" {
  description = "The validator: its function, log group, dead-letter queue, idempotency table and the EventBridge rule that starts it."
  value = {
    function_name     = module.validator.function.name
    function_arn      = module.validator.function.arn
    log_group_name    = module.validator.log_group.name
    dlq               = module.validator.dlq
    idempotency_table = module.validator.idempotency_table.name
    event_rule        = { name = module.landing.event_rule.name, arn = module.landing.event_rule.arn }
  }
}

output "catalog" {
  description = "The lake's Glue catalog: database, curated tables and current tables by kind, and the buckets registered with Lake Formation by zone ({} when off)."
  value = {
    database                 = module.data_lake.catalog.database.name
    tables                   = { for kind, t in module.data_lake.catalog.tables : kind => t.name }
    current_tables           = { for kind, t in module.data_lake.catalog.current_tables : kind => t.name }
    lake_formation_locations = module.data_lake.lake_formation.locations
  }
}

output "jobs" {
  description = "The Spark jobs: the curate Glue job, the current-tables job (null when disabled) and its table format, and the EMR Serverless application."
  value = {
    curate         = { name = module.glue_etl.job.name }
    current_tables = { name = module.glue_etl.current_tables.job_name, table_format = module.glue_etl.current_tables.table_format }
    emr            = { application_id = module.emr_serverless.application.id, entry_point = module.emr_serverless.job_run.entry_point }
  }
}

output "pipeline" {
  description = "The pipeline: its state machine, functions by step, alert and notification topics, and the routing thresholds in bytes as rendered into the definition."
  value = {
    state_machine = {
      arn            = module.orchestrator.state_machine.arn
      name           = module.orchestrator.state_machine.name
      log_group_name = module.orchestrator.state_machine.log_group_name
    }
    functions = { for step, f in module.orchestrator.functions : step => f.name }
    topics = {
      alerts        = module.orchestrator.topics.alerts
      notifications = module.orchestrator.topics.notifications
    }
    routing = module.orchestrator.routing
  }
}

output "observability" {
  description = "Alerts: the alarms topic { name, arn }, alarm names by alert, the health record (table, functions, freshness schedule) and the dashboard { name, panels }."
  value = {
    topic     = module.observability.topic
    alarms    = module.observability.alarms
    health    = module.observability.health
    dashboard = module.observability.dashboard
  }
}
