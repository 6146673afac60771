# Plan inventory of one environment, with fixture artifacts instead of dist/. Run once per
# environment with its settings (nox -s terraform does):
#   terraform test -filter=tests/plan.tftest.hcl -var-file=../<environment>/<environment>.tfvars
# Names are checked against the environment; each environment's settings against the
# values its tfvars promise, written out below so an edit of a tfvars file shows up here.
mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  artifacts_dir = "tests/fixtures"
  expected = {
    dev     = { reserved = 10, log_days = 30, landing_noncurrent = 7, glue_max_workers = "4", lake_noncurrent = 7, raw_lock = { mode = "GOVERNANCE", days = 7 } }
    staging = { reserved = 50, log_days = 90, landing_noncurrent = 30, glue_max_workers = "10", lake_noncurrent = 30, raw_lock = { mode = "GOVERNANCE", days = 30 } }
    prod    = { reserved = 200, log_days = 365, landing_noncurrent = 90, glue_max_workers = "20", lake_noncurrent = 90, raw_lock = { mode = "COMPLIANCE", days = 2555 } }
    local   = { reserved = 2, log_days = 1, landing_noncurrent = 1, glue_max_workers = "2", lake_noncurrent = 1, raw_lock = { mode = "GOVERNANCE", days = 1 } }
  }
}

run "inventory" {
  command = plan

  assert {
    condition = (
      output.observability.alarms.consecutive_failures == "taxlake-${var.environment}-consecutive-failures" &&
      toset(keys(output.observability.alarms.data_delay)) == toset(keys(output.catalog.tables)) &&
      toset(keys(output.observability.alarms.schema_drift)) == toset(keys(output.catalog.tables)) &&
      toset(keys(output.observability.alarms.error_rate)) == toset(concat(["validator", "health-status", "health-freshness"], keys(output.pipeline.functions))) &&
      toset(keys(output.observability.alarms.dead_letters)) == toset(["validator"]) &&
      output.observability.topic.name == "taxlake-${var.environment}-alarms"
    )
    error_message = "Every environment alarms on the streak, each kind's delay and drift, each stage's error rate and the validator's dead letters, to its own alarms topic."
  }

  assert {
    condition     = output.key.alias == "alias/taxlake-${var.environment}"
    error_message = "The key alias must be alias/taxlake-<environment>."
  }

  assert {
    condition = alltrue([
      for zone, bucket in output.buckets : bucket.name == "taxlake-${var.environment}-${replace(zone, "_", "-")}-123456789012"
    ])
    error_message = "Bucket names must be taxlake-<environment>-<zone>-<account>."
  }

  assert {
    condition     = output.validator.event_rule.name == "taxlake-${var.environment}-landing-object-created" && output.buckets.landing.prefixes.incoming == "incoming/"
    error_message = "The landing rule must be named after the environment and watch incoming/."
  }

  assert {
    condition     = output.validator.function_name == "taxlake-${var.environment}-validator" && output.validator.log_group_name == "/aws/lambda/taxlake-${var.environment}-validator"
    error_message = "The validator and its log group must be named after the environment."
  }

  assert {
    condition     = output.validator.idempotency_table == "taxlake-${var.environment}-validator-idempotency"
    error_message = "The idempotency table must be named after the environment."
  }

  assert {
    condition     = module.validator.function.reserved_concurrency == var.expected[var.environment].reserved
    error_message = "The validator's reserved concurrency must be what the environment's tfvars set."
  }

  assert {
    condition     = module.validator.log_group.retention_days == var.expected[var.environment].log_days
    error_message = "The validator's log retention must be what the environment's tfvars set."
  }

  assert {
    condition     = alltrue([for r in values(module.landing.lifecycle_rules) : r.noncurrent_expiration_days == var.expected[var.environment].landing_noncurrent])
    error_message = "Superseded landing versions must be kept as the environment's tfvars set."
  }

  assert {
    condition     = output.catalog.database == "taxlake_${var.environment}_lake" && output.jobs.curate.name == "taxlake-${var.environment}-curate"
    error_message = "The catalog database and Glue job must be named after the environment."
  }

  assert {
    condition     = output.pipeline.state_machine.name == "taxlake-${var.environment}-pipeline" && output.pipeline.functions["process"] == "taxlake-${var.environment}-pipeline-process"
    error_message = "The state machine and its functions must be named after the environment."
  }

  assert {
    condition = alltrue([for e in values(module.orchestrator.function_environments) : e.POWERTOOLS_LOG_LEVEL == module.orchestrator.function_environments["process"].POWERTOOLS_LOG_LEVEL]) && (
      module.orchestrator.function_environments["validate-input"].GLUE_MAX_WORKERS == var.expected[var.environment].glue_max_workers
    )
    error_message = "Glue runs must be sized up to the environment's maximum, and every function log at one level."
  }

  assert {
    condition     = alltrue(flatten([for zone in ["curated", "analytics"] : [for r in values(module.data_lake.lifecycle_rules[zone]) : r.noncurrent_expiration_days == var.expected[var.environment].lake_noncurrent]]))
    error_message = "Superseded lake versions must be kept as the environment's tfvars set."
  }

  assert {
    condition     = output.buckets.raw.object_lock == var.expected[var.environment].raw_lock
    error_message = "Landed files must be locked in the raw bucket as the environment's tfvars set."
  }
}

run "wired_after_apply" {
  command = apply

  # Each value below is read from one component and compared with the component that
  # uses it, so a wrong reference fails even though the mocks make up every ARN.
  assert {
    condition     = length(regexall("[$][{]", module.orchestrator.rendered_definition)) == 0
    error_message = "The deployed definition must have every placeholder filled."
  }

  assert {
    condition = (
      jsondecode(module.orchestrator.rendered_definition).States.ProcessWithGlue.Parameters.JobName == output.jobs.curate.name &&
      jsondecode(module.orchestrator.rendered_definition).States.ProcessWithEMR.Parameters.ApplicationId == output.jobs.emr.application_id &&
      jsondecode(module.orchestrator.rendered_definition).States.AlertFraud.Parameters.TopicArn == output.pipeline.topics.alerts
    )
    error_message = "The definition must run the environment's Glue job and EMR application and alert its topic."
  }

  assert {
    condition     = contains(flatten([for s in module.orchestrator.derived_task_statements : s.resources if contains(s.actions, "glue:StartJobRun")]), "arn:aws:glue:ap-southeast-2:123456789012:job/${output.jobs.curate.name}")
    error_message = "The state machine role must be allowed to run exactly the environment's Glue job."
  }

  assert {
    condition     = output.buckets.landing.arn == "arn:aws:s3:::${output.buckets.landing.name}"
    error_message = "The landing bucket ARN must be the ARN of the bucket it names."
  }
}
