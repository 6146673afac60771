# Mock values every module's and the root's terraform tests share (mock_provider "aws"
# { source = "../../tests/terraform/mocks" }): the account, region and partition the
# asserted ARNs are built from, a policy document JSON the mocks can't render, and one ARN
# per resource type, named as the root names it for name_prefix "taxlake-test". A test file
# whose resources are named otherwise overrides the type in its own mock_provider block.
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
mock_resource "aws_glue_catalog_database" {
  defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:database/taxlake_test_lake" }
}
mock_resource "aws_glue_catalog_table" {
  defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated" }
}
mock_resource "aws_glue_job" {
  defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:job/taxlake-test-curate" }
}
mock_resource "aws_emrserverless_application" {
  defaults = {
    id  = "00fmockapplication"
    arn = "arn:aws:emr-serverless:ap-southeast-2:123456789012:/applications/00fmockapplication"
  }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:ap-southeast-2:123456789012:taxlake-test-alerts" }
}
mock_resource "aws_sfn_state_machine" {
  defaults = { arn = "arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-test-pipeline" }
}
