# The composition: names derive from the environment, each settings object reaches
# the component that owns it, and production guard rails hold.
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
    defaults = { arn = "arn:aws:kms:ap-southeast-2:123456789012:alias/taxlake-test" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-test-landing-object-created" }
  }
  mock_resource "aws_lambda_layer_version" {
    defaults = {
      arn       = "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:1"
      layer_arn = "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime"
      version   = "1"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-validator" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-validator"
      invoke_arn = "arn:aws:apigateway:ap-southeast-2:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-validator/invocations"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-validator" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-validator-dlq"
      id  = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/taxlake-test-validator-dlq"
      url = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/taxlake-test-validator-dlq"
    }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:ap-southeast-2:123456789012:table/taxlake-test-validator-idempotency" }
  }
}

variables {
  environment   = "dev"
  artifacts_dir = "tests/fixtures"
}

run "names_follow_the_environment" {
  command = plan

  assert {
    condition     = output.name_prefix == "taxlake-dev" && output.kms_alias_name == "alias/taxlake-dev"
    error_message = "A null name_prefix must derive taxlake-<environment>, and the key alias follow it."
  }

  assert {
    condition     = output.access_log_bucket_name == "taxlake-dev-access-logs-123456789012" && output.landing_bucket_name == "taxlake-dev-landing-123456789012"
    error_message = "Bucket names must be <name_prefix>-<purpose>-<account>."
  }

  assert {
    condition     = output.landing_event_rule_name == "taxlake-dev-landing-object-created" && output.landing_incoming_prefix == "incoming/"
    error_message = "The landing rule must be named after the environment and watch incoming/."
  }

  assert {
    condition = (
      output.validator_function_name == "taxlake-dev-validator" &&
      output.validator_log_group_name == "/aws/lambda/taxlake-dev-validator" &&
      output.idempotency_table_name == "taxlake-dev-validator-idempotency"
    )
    error_message = "The validator, its log group and its idempotency table must be named after the environment."
  }
}

run "production_defaults" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition = output.settings.kms.deletion_window_in_days == 30 && output.settings.access_logs == {
      expiration_days            = 2557
      noncurrent_expiration_days = 30
      force_destroy              = false
    }
    error_message = "Unset settings must default to production: 30-day key deletion window, 7 years of access logs, no force_destroy."
  }

  assert {
    condition     = output.validator_reserved_concurrency == 50 && output.validator_log_retention_days == 365
    error_message = "Unset validator settings must take the validator module's defaults (50 reserved, 365 days of logs)."
  }

  assert {
    condition     = alltrue([for r in values(output.landing_lifecycle_rules) : r.noncurrent_expiration_days == 90 && r.transitions[0].days == 0])
    error_message = "Landing versions must be kept 90 days and objects tiered at once by default."
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
  }

  assert {
    condition     = output.name_prefix == "tl-ci" && output.kms_alias_name == "alias/tl-ci" && output.validator_function_name == "tl-ci-validator"
    error_message = "An explicit name_prefix must replace taxlake-<environment> everywhere."
  }

  assert {
    condition     = output.access_log_bucket_name == "tl-ci-access-logs-123456789012" && output.landing_bucket_name == "tl-ci-landing-123456789012"
    error_message = "Bucket names must follow an explicit name_prefix."
  }

  assert {
    condition     = output.validator_reserved_concurrency == 2 && output.validator_log_retention_days == 1
    error_message = "Validator settings must reach the function and its log group."
  }

  assert {
    condition     = alltrue([for r in values(output.landing_lifecycle_rules) : r.noncurrent_expiration_days == 1 && r.transitions[0].days == 30])
    error_message = "Landing settings must reach every landing lifecycle rule."
  }

  assert {
    condition     = output.runtime_layer_arn == "arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:1" && output.validator_dlq_arn == "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-validator-dlq"
    error_message = "Layer and DLQ outputs must be wired through."
  }
}

run "absolute_artifacts_dir" {
  command = plan

  variables {
    artifacts_dir = abspath("tests/fixtures")
  }

  assert {
    condition     = output.validator_function_name == "taxlake-dev-validator"
    error_message = "An absolute artifacts_dir must be used as given."
  }
}

run "rejects_unknown_environment" {
  command = plan

  variables {
    environment = "production"
  }

  expect_failures = [var.environment]
}

run "rejects_name_prefix_too_long_for_bucket_names" {
  command = plan

  variables {
    name_prefix = "taxlake-a-very-long-environment-name"
  }

  expect_failures = [var.name_prefix]
}

run "rejects_short_key_deletion_window" {
  command = plan

  variables {
    kms = { deletion_window_in_days = 3 }
  }

  expect_failures = [var.kms]
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
