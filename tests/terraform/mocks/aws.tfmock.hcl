# Mock values every module's and the root's terraform tests share (mock_provider "aws"
# { source = "../../tests/terraform/mocks" }): the account, region and partition the
# asserted ARNs are built from, and a policy document JSON the mocks can't render. Each
# test file adds the resource mocks whose ARNs its assertions name.
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
