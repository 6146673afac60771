# The composition: names derive from the environment, each settings object reaches
# the component that owns it, the pipeline is wired to the lake, jobs and validator, and
# production guard rails hold.
mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  environment   = "dev"
  artifacts_dir = "tests/fixtures"
}

run "names_follow_the_environment" {
  command = plan

  assert {
    condition     = output.catalog.lake_formation_locations == {}
    error_message = "Lake Formation registration must be off unless lake.lake_formation.enabled."
  }

  assert {
    condition     = output.name_prefix == "taxlake-dev" && output.key.alias == "alias/taxlake-dev"
    error_message = "A null name_prefix must derive taxlake-<environment>, and the key alias follow it."
  }

  assert {
    condition     = output.buckets.access_logs.name == "taxlake-dev-access-logs-123456789012" && output.buckets.landing.name == "taxlake-dev-landing-123456789012"
    error_message = "Bucket names must be <name_prefix>-<purpose>-<account>."
  }

  assert {
    condition     = output.validator.event_rule.name == "taxlake-dev-landing-object-created" && output.buckets.landing.prefixes.incoming == "incoming/"
    error_message = "The landing rule must be named after the environment and watch incoming/."
  }

  assert {
    condition = (
      output.validator.function_name == "taxlake-dev-validator" &&
      output.validator.log_group_name == "/aws/lambda/taxlake-dev-validator" &&
      output.validator.idempotency_table == "taxlake-dev-validator-idempotency"
    )
    error_message = "The validator, its log group and its idempotency table must be named after the environment."
  }

  assert {
    condition = (
      output.buckets.curated.name == "taxlake-dev-curated-123456789012" &&
      output.buckets.analytics.name == "taxlake-dev-analytics-123456789012" &&
      output.buckets.artifacts.name == "taxlake-dev-artifacts-123456789012"
    )
    error_message = "Lake and artifacts buckets must be <name_prefix>-<purpose>-<account>."
  }

  assert {
    condition = (
      output.catalog.database == "taxlake_dev_lake" &&
      output.catalog.tables == { lodgement = "curated_lodgement", bas = "curated_bas", "payer-report" = "curated_payer_report" } &&
      output.jobs.curate.name == "taxlake-dev-curate" &&
      output.pipeline.state_machine.name == "taxlake-dev-pipeline" &&
      output.pipeline.state_machine.log_group_name == "/aws/vendedlogs/states/taxlake-dev-pipeline"
    )
    error_message = "Database, tables, Glue job and state machine must be named after the environment."
  }

  assert {
    condition     = output.pipeline.functions == { for s in ["validate-input", "process", "quality", "catalog", "fraud", "metrics", "failure"] : s => "taxlake-dev-pipeline-${s}" }
    error_message = "The seven pipeline functions must be taxlake-dev-pipeline-<step>."
  }

  assert {
    condition     = sort([for o in aws_s3_object.artifact : o.key]) == tolist(["glue/jobs/curate.py", "glue/jobs/current.py", "glue/taxlake.zip"]) && output.jobs.emr.entry_point == "s3://taxlake-dev-artifacts-123456789012/glue/jobs/curate.py"
    error_message = "The job scripts and library must be uploaded to the artifacts bucket, the curate script doubling as the EMR entry point."
  }

  assert {
    condition = (
      module.glue_etl.job.default_arguments["--extra-py-files"] == "s3://taxlake-dev-artifacts-123456789012/glue/taxlake.zip" &&
      module.glue_etl.job.default_arguments["--lake-bucket"] == "taxlake-dev-curated-123456789012" &&
      module.glue_etl.job.default_arguments["--TempDir"] == "s3://taxlake-dev-artifacts-123456789012/glue/tmp/"
    )
    error_message = "The Glue job must read its library from the artifacts bucket and write the curated bucket."
  }

  assert {
    condition = (
      module.orchestrator.function_environments["validate-input"].LANDING_BUCKET == "taxlake-dev-landing-123456789012" &&
      module.orchestrator.function_environments["process"].CURATED_BUCKET == "taxlake-dev-curated-123456789012" &&
      module.orchestrator.function_environments["quality"].ANALYTICS_BUCKET == "taxlake-dev-analytics-123456789012" &&
      module.orchestrator.function_environments["catalog"].GLUE_DATABASE == "taxlake_dev_lake"
    )
    error_message = "The pipeline functions must be wired to the landing, lake and catalog of the environment."
  }
}

run "production_defaults" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = module.validator.function.reserved_concurrency == 50 && module.validator.log_group.retention_days == 365
    error_message = "Unset validator settings must take the validator module's defaults (50 reserved, 365 days of logs)."
  }

  assert {
    condition     = alltrue([for r in values(module.landing.lifecycle_rules) : r.noncurrent_expiration_days == 90 && r.transitions[0].days == 0])
    error_message = "Landing versions must be kept 90 days and objects tiered at once by default."
  }

  assert {
    condition     = alltrue(flatten([for zone in ["curated", "analytics"] : [for r in values(module.data_lake.lifecycle_rules[zone]) : r.noncurrent_expiration_days == 90 && r.transitions[0].days == 0]]))
    error_message = "Lake versions must be kept 90 days and objects tiered at once by default."
  }

  assert {
    condition = (
      module.orchestrator.function_environments["validate-input"].GLUE_EXECUTION_CLASS == "FLEX" &&
      module.orchestrator.function_environments["validate-input"].GLUE_WORKER_TYPE == "G.1X" &&
      module.orchestrator.function_environments["validate-input"].GLUE_MIN_WORKERS == "2" &&
      module.orchestrator.function_environments["validate-input"].GLUE_MAX_WORKERS == "10" &&
      module.orchestrator.function_environments["validate-input"].URGENT_KINDS == "" &&
      module.orchestrator.function_environments["fraud"].FRAUD_CONFIG == "{}" &&
      alltrue([for e in values(module.orchestrator.function_environments) : e.POWERTOOLS_LOG_LEVEL == "INFO" && e.POWERTOOLS_METRICS_NAMESPACE == "Taxlake"])
    )
    error_message = "Unset pipeline settings must take the orchestrator's production defaults (Flex G.1X runs of 2-10 workers, INFO logs, Taxlake namespace)."
  }
}

run "settings_reach_their_components" {
  command = apply

  variables {
    environment = "local"
    name_prefix = "tl-ci"
    kms         = { deletion_window_in_days = 7 }
    access_logs = { expiration_days = 1, noncurrent_expiration_days = 1, force_destroy = true }
    landing     = { intelligent_tiering_days = 30, noncurrent_version_expiration_days = 1, force_destroy = true }
    validator   = { reserved_concurrency = 2, log_retention_days = 1, deletion_protection = false }
    lake = {
      curated        = { noncurrent_expiration_days = 3 }
      analytics      = { intelligent_tiering_days = 5, noncurrent_expiration_days = 1 }
      force_destroy  = true
      lake_formation = { enabled = true }
    }
    artifacts = { noncurrent_expiration_days = 1, log_expiration_days = 1, force_destroy = true }
    glue      = { worker_type = "G.2X", number_of_workers = 3, max_workers = 4, execution_class = "STANDARD", urgent_kinds = ["bas"] }
    emr       = { maximum_cpu = "8 vCPU", maximum_memory = "32 GB", idle_timeout_minutes = 1 }
    pipeline = {
      routing = { emr_min_bytes = 200000000, lambda_max_bytes = 1000000 }
      lambda  = { reserved_concurrency = 1, log_level = "DEBUG", log_retention_days = 1 }
      fraud   = { high_score = 0.5 }
    }
  }

  assert {
    condition     = output.name_prefix == "tl-ci" && output.key.alias == "alias/tl-ci" && output.validator.function_name == "tl-ci-validator"
    error_message = "An explicit name_prefix must replace taxlake-<environment> everywhere."
  }

  assert {
    condition     = output.buckets.access_logs.name == "tl-ci-access-logs-123456789012" && output.buckets.landing.name == "tl-ci-landing-123456789012"
    error_message = "Bucket names must follow an explicit name_prefix."
  }

  assert {
    condition     = module.validator.function.reserved_concurrency == 2 && module.validator.log_group.retention_days == 1
    error_message = "Validator settings must reach the function and its log group."
  }

  assert {
    condition     = alltrue([for r in values(module.landing.lifecycle_rules) : r.noncurrent_expiration_days == 1 && r.transitions[0].days == 30])
    error_message = "Landing settings must reach every landing lifecycle rule."
  }

  assert {
    condition     = output.runtime_layer_arn == "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:1" && output.validator.dlq.arn == "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-validator-dlq"
    error_message = "Layer and DLQ outputs must be wired through."
  }

  assert {
    condition = (
      module.data_lake.lifecycle_rules.curated["curated-tiering"].noncurrent_expiration_days == 3 &&
      module.data_lake.lifecycle_rules.curated["curated-tiering"].transitions[0].days == 0 &&
      module.data_lake.lifecycle_rules.analytics["analytics-tiering"].noncurrent_expiration_days == 1 &&
      module.data_lake.lifecycle_rules.analytics["analytics-tiering"].transitions[0].days == 5
    )
    error_message = "Lake settings must reach each zone, unset fields keeping the module defaults."
  }

  assert {
    condition     = toset(keys(output.catalog.lake_formation_locations)) == toset(["curated", "analytics"])
    error_message = "lake.lake_formation must reach the data-lake module."
  }

  assert {
    condition = (
      jsondecode(module.orchestrator.rendered_definition).States.ValidateInput.Parameters.Payload.routing["emr_min_bytes.$"] == "States.StringToJson('200000000')" &&
      jsondecode(module.orchestrator.rendered_definition).States.ValidateInput.Parameters.Payload.routing["lambda_max_bytes.$"] == "States.StringToJson('1000000')" &&
      jsondecode(module.orchestrator.rendered_definition).States.ProcessWithGlue.Parameters.JobName == "tl-ci-curate" &&
      jsondecode(module.orchestrator.rendered_definition).States.ProcessWithEMR.Parameters.ApplicationId == "00fmockapplication"
    )
    error_message = "Routing thresholds, the Glue job and the EMR application must reach the deployed definition."
  }

  assert {
    condition     = contains(flatten([for s in module.orchestrator.derived_task_statements : s.resources if contains(s.actions, "glue:StartJobRun")]), "arn:aws:glue:ap-southeast-2:123456789012:job/tl-ci-curate")
    error_message = "The state machine role must be allowed to run the environment's Glue job."
  }

  assert {
    condition = (
      module.orchestrator.function_environments["validate-input"].GLUE_WORKER_TYPE == "G.2X" &&
      module.orchestrator.function_environments["validate-input"].GLUE_MAX_WORKERS == "4" &&
      module.orchestrator.function_environments["validate-input"].GLUE_EXECUTION_CLASS == "STANDARD" &&
      module.orchestrator.function_environments["validate-input"].URGENT_KINDS == "bas" &&
      jsondecode(module.orchestrator.function_environments["fraud"].FRAUD_CONFIG) == { high_score = 0.5 } &&
      module.orchestrator.function_environments["validate-input"].FRAUD_CONFIG == module.orchestrator.function_environments["fraud"].FRAUD_CONFIG &&
      alltrue([for e in values(module.orchestrator.function_environments) : e.POWERTOOLS_LOG_LEVEL == "DEBUG"])
    )
    error_message = "Glue sizing, fraud thresholds and function settings must reach the pipeline functions."
  }

  assert {
    condition     = output.pipeline.state_machine.arn == "arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-test-pipeline" && output.jobs.emr.application_id == "00fmockapplication"
    error_message = "State machine and EMR application outputs must be wired through."
  }
}

# The current tables have two owners, the job that writes them (glue-etl) and the catalog
# that names them (data-lake): both must get the same prefix and format, set or default.
run "current_tables_job_and_catalog_agree" {
  command = plan

  assert {
    condition     = output.buckets.curated.prefixes.current == "current/" && output.jobs.current_tables.table_format == "delta" && output.jobs.current_tables.name == "taxlake-dev-current"
    error_message = "By default the current tables are Delta under current/, written by <name_prefix>-current."
  }

  assert {
    condition     = module.glue_etl.current_tables.table_format == "delta" && module.data_lake.catalog.current_tables.lodgement.name == "current_lodgement"
    error_message = "The catalog must register the Delta current tables the job writes."
  }
}

run "current_tables_settings_reach_job_and_catalog" {
  command = plan

  variables {
    glue = { current_tables = { prefix = "latest", table_format = "parquet", schedule = "rate(2 hours)" } }
  }

  assert {
    condition = (
      output.buckets.curated.prefixes.current == "latest/" && output.jobs.current_tables.table_format == "parquet" &&
      module.glue_etl.current_tables.job_name == "taxlake-dev-current" &&
      module.data_lake.catalog.current_tables.bas.location == "s3://taxlake-dev-curated-123456789012/latest/bas/"
    )
    error_message = "current_tables settings must reach the job."
  }
}

run "absolute_artifacts_dir" {
  command = plan

  variables {
    artifacts_dir = abspath("tests/fixtures")
  }

  assert {
    condition     = output.validator.function_name == "taxlake-dev-validator"
    error_message = "An absolute artifacts_dir must be used as given."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # unknown environment
    environment = "production"

    # name prefix too long for bucket names
    name_prefix = "taxlake-a-very-long-environment-name"

    # short key deletion window
    kms = { deletion_window_in_days = 3 }
  }

  expect_failures = [
    var.environment,
    var.name_prefix,
    var.kms,
  ]
}

run "rejects_disposable_prod_buckets" {
  command = plan

  variables {
    environment = "prod"
    access_logs = { force_destroy = true }
    landing     = { force_destroy = true }
  }

  expect_failures = [var.access_logs, var.landing]
}

run "rejects_short_prod_access_log_retention" {
  command = plan

  variables {
    environment = "prod"
    access_logs = { expiration_days = 365 }
  }

  expect_failures = [var.access_logs]
}

run "rejects_unprotected_prod_idempotency_table" {
  command = plan

  variables {
    environment = "prod"
    validator   = { deletion_protection = false }
  }

  expect_failures = [var.validator]
}

run "rejects_disposable_prod_lake_and_artifacts" {
  command = plan

  variables {
    environment = "prod"
    lake        = { force_destroy = true }
    artifacts   = { force_destroy = true }
  }

  expect_failures = [var.lake, var.artifacts]
}

run "raw_zone_is_locked_and_fed_by_the_validator" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = output.buckets.raw.name == "taxlake-prod-raw-123456789012" && output.buckets.raw.object_lock == { mode = "COMPLIANCE", days = 2555 }
    error_message = "Unset raw settings must lock landed files in COMPLIANCE mode for 2555 days in <prefix>-raw-<account>."
  }

  assert {
    condition     = module.validator.environment["RAW_BUCKET"] == output.buckets.raw.name && module.validator.environment["RAW_PREFIX"] == "raw/"
    error_message = "The validator must copy landed files into the raw bucket under raw/."
  }
}

run "raw_settings_reach_the_raw_bucket" {
  command = plan

  variables {
    environment = "local"
    raw         = { object_lock_mode = "GOVERNANCE", retention_days = 1, force_destroy = true }
  }

  assert {
    condition     = output.buckets.raw.object_lock == { mode = "GOVERNANCE", days = 1 }
    error_message = "raw.object_lock_mode and raw.retention_days must reach the raw bucket."
  }
}

run "rejects_governance_raw_zone_in_prod" {
  command = plan

  variables {
    environment = "prod"
    raw         = { object_lock_mode = "GOVERNANCE" }
  }

  expect_failures = [var.raw]
}

run "rejects_short_prod_raw_retention" {
  command = plan

  variables {
    environment = "prod"
    raw         = { retention_days = 365 }
  }

  expect_failures = [var.raw]
}
