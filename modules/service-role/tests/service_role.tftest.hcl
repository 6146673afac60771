mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-curate" }
  }
}

variables {
  name        = "taxlake-test-curate"
  description = "Role of the taxlake-test-curate Glue job."
  service     = "emr-serverless"
  policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::b/*\"},{\"Sid\":\"Traces\",\"Effect\":\"Allow\",\"Action\":\"xray:PutTraceSegments\",\"Resource\":\"*\"}]}"
}

run "the_service_acting_for_this_account_assumes_the_role" {
  command = apply

  assert {
    condition = jsondecode(aws_iam_role.this.assume_role_policy) == {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "EmrServerlessAssumeRole"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "emr-serverless.amazonaws.com" }
        Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
      }]
    }
    error_message = "Only EMR Serverless acting for this account may assume the role."
  }

  assert {
    condition     = aws_iam_role_policy.this.name == "taxlake-test-curate-least-privilege" && aws_iam_role_policy.this.policy == var.policy_json && aws_iam_role_policy.this.role == aws_iam_role.this.id
    error_message = "The caller's document must be the role's one inline policy, named after the role."
  }

  assert {
    condition     = output.role == { name = "taxlake-test-curate", arn = "arn:aws:iam::123456789012:role/taxlake-test-curate" }
    error_message = "The output must name the role and its ARN."
  }
}

run "rejects_a_wildcard_action" {
  command = plan

  variables {
    policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:*\"],\"Resource\":\"arn:aws:s3:::b/*\"}]}"
  }

  expect_failures = [aws_iam_role_policy.this]
}

run "rejects_a_whole_service_principal" {
  command = plan

  variables {
    service = "lambda.amazonaws.com"
  }

  expect_failures = [var.service]
}
