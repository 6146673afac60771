# Mock values shared by every test file of the module (mock_provider source).
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::mock" }
}
mock_resource "aws_glue_catalog_database" {
  defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:database/taxlake_test_lake" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-lakeformation" }
}
mock_resource "aws_glue_catalog_table" {
  defaults = { arn = "arn:aws:glue:ap-southeast-2:123456789012:table/taxlake_test_lake/curated" }
}
