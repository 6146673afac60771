# Plan inventory of the dev root with dev.tfvars (loaded through the
# tests/dev.auto.tfvars link) and fixture artifacts instead of dist/.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "ap-southeast-2" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
      key_id = "11111111-2222-3333-4444-555555555555"
    }
  }
  mock_resource "aws_kms_alias" {
    defaults = { arn = "arn:aws:kms:ap-southeast-2:123456789012:alias/taxlake-dev" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-dev-landing-object-created" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = {
      arn       = "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-dev-runtime:1"
      layer_arn = "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-dev-runtime"
      version   = "1"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-dev-validator" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-dev-validator"
      invoke_arn = "arn:aws:apigateway:ap-southeast-2:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-dev-validator/invocations"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-dev-validator" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-dev-validator-dlq"
      id  = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/taxlake-dev-validator-dlq"
      url = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/taxlake-dev-validator-dlq"
    }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:ap-southeast-2:123456789012:table/taxlake-dev-validator-idempotency" }
  }
  mock_resource "aws_glue_catalog_database" {
    defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:database/taxlake_dev_lake" }
  }
  mock_resource "aws_glue_catalog_table" {
    defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_dev_lake/curated" }
  }
  mock_resource "aws_glue_job" {
    defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:job/taxlake-dev-curate" }
  }
  mock_resource "aws_emrserverless_application" {
    defaults = {
      id  = "00fmockapplication"
      arn = "arn:aws:emr-serverless:ap-southeast-2:123456789012:/applications/00fmockapplication"
    }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:ap-southeast-2:123456789012:taxlake-dev-alerts" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-dev-pipeline" }
  }
}

variables {
  artifacts_dir = "tests/fixtures"
}

run "inventory" {
  command = plan

  assert {
    condition     = output.kms_alias_name == "alias/taxlake-dev"
    error_message = "The key alias must be alias/taxlake-dev."
  }

  assert {
    condition     = output.access_log_bucket_name == "taxlake-dev-access-logs-123456789012" && output.landing_bucket_name == "taxlake-dev-landing-123456789012"
    error_message = "Bucket names must be taxlake-dev-<purpose>-<account>."
  }

  assert {
    condition     = output.landing_event_rule_name == "taxlake-dev-landing-object-created" && output.landing_incoming_prefix == "incoming/"
    error_message = "The landing rule must watch incoming/."
  }

  assert {
    condition     = output.validator_function_name == "taxlake-dev-validator" && output.validator_log_group_name == "/aws/lambda/taxlake-dev-validator"
    error_message = "The validator function and its log group must be named after the environment."
  }

  assert {
    condition     = output.idempotency_table_name == "taxlake-dev-validator-idempotency"
    error_message = "The idempotency table must be named after the environment."
  }

  assert {
    condition     = module.platform.validator_reserved_concurrency == 10
    error_message = "dev reserves 10 concurrent validator executions."
  }

  assert {
    condition     = module.platform.validator_log_retention_days == 30
    error_message = "dev keeps validator logs 30 days."
  }

  assert {
    condition     = alltrue([for r in values(module.platform.landing_lifecycle_rules) : r.noncurrent_expiration_days == 7])
    error_message = "dev keeps superseded landing versions 7 days."
  }

  assert {
    condition = (
      output.curated_bucket_name == "taxlake-dev-curated-123456789012" &&
      output.analytics_bucket_name == "taxlake-dev-analytics-123456789012" &&
      output.glue_database_name == "taxlake_dev_lake" &&
      output.glue_job_name == "taxlake-dev-curate"
    )
    error_message = "Lake buckets, catalog database and Glue job must be named after the environment."
  }

  assert {
    condition     = module.platform.state_machine_name == "taxlake-dev-pipeline" && module.platform.pipeline_function_names["process"] == "taxlake-dev-pipeline-process"
    error_message = "The state machine and its functions must be named after the environment."
  }

  assert {
    condition = alltrue([for e in values(module.platform.pipeline_function_environments) : e.POWERTOOLS_LOG_LEVEL == module.platform.pipeline_function_environments["process"].POWERTOOLS_LOG_LEVEL]) && (
      module.platform.pipeline_function_environments["validate-input"].GLUE_MAX_WORKERS == "4"
    )
    error_message = "dev sizes Glue runs up to 4 workers."
  }

  assert {
    condition     = alltrue(flatten([for zone, rules in module.platform.lake_lifecycle_rules : [for r in values(rules) : r.noncurrent_expiration_days == 7]]))
    error_message = "dev keeps superseded lake versions 7 days."
  }

  assert {
    condition     = module.platform.raw_bucket_name == "taxlake-dev-raw-123456789012" && module.platform.raw_object_lock == { mode = "GOVERNANCE", days = 7 }
    error_message = "dev locks landed files in the raw bucket as dev.tfvars sets."
  }
}

run "wired_after_apply" {
  command = apply

  # Each value below is read from one component and compared with the component that
  # uses it, so a wrong reference fails even though the mocks make up every ARN.
  assert {
    condition     = length(regexall("[$][{]", module.platform.rendered_definition)) == 0
    error_message = "The deployed definition must have every placeholder filled."
  }

  assert {
    condition = (
      jsondecode(module.platform.rendered_definition).States.ProcessWithGlue.Parameters.JobName == output.glue_job_name &&
      jsondecode(module.platform.rendered_definition).States.ProcessWithEMR.Parameters.ApplicationId == output.emr_application_id &&
      jsondecode(module.platform.rendered_definition).States.AlertFraud.Parameters.TopicArn == output.alerts_topic_arn
    )
    error_message = "The definition must run the environment's Glue job and EMR application and alert its topic."
  }

  assert {
    condition     = contains(flatten([for s in module.platform.derived_task_statements : s.resources if contains(s.actions, "glue:StartJobRun")]), "arn:aws:glue:ap-southeast-2:123456789012:job/${output.glue_job_name}")
    error_message = "The state machine role must be allowed to run exactly the environment's Glue job."
  }

  assert {
    condition     = output.landing_bucket_arn == "arn:aws:s3:::${output.landing_bucket_name}"
    error_message = "The landing bucket ARN must be the ARN of the bucket it names."
  }
}
