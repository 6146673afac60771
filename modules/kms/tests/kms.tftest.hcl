mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
}

variables {
  name_prefix = "taxlake-test"
  tags        = { owner = "tests" }
}

run "key_and_alias" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true
    error_message = "Key rotation must be on."
  }

  assert {
    condition     = aws_kms_key.this.deletion_window_in_days == 30
    error_message = "Default deletion window must be 30 days."
  }

  assert {
    condition     = aws_kms_alias.this.name == "alias/taxlake-test"
    error_message = "Alias must be alias/<name_prefix>."
  }
}

run "key_policy" {
  command = plan

  variables {
    service_principals = ["s3.amazonaws.com"]
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if anytrue([for a in s.actions : strcontains(a, "*")])]) == 0
    error_message = "No key policy statement may grant a wildcard action."
  }

  assert {
    condition     = contains(data.aws_iam_policy_document.this.statement[0].actions, "kms:PutKeyPolicy") && one(data.aws_iam_policy_document.this.statement[0].principals).identifiers == toset(["arn:aws:iam::123456789012:root"])
    error_message = "The account root must hold explicit key-admin actions, including kms:PutKeyPolicy (lock-out safety)."
  }

  assert {
    condition     = contains(data.aws_iam_policy_document.this.statement[1].actions, "kms:Decrypt") && contains(data.aws_iam_policy_document.this.statement[1].actions, "kms:GenerateDataKey")
    error_message = "The account root must hold key-usage actions so IAM policies can delegate them."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.this.statement[2].principals).identifiers == toset(["logs.ap-southeast-2.amazonaws.com"])
    error_message = "CloudWatch Logs statement must name the regional logs principal."
  }

  assert {
    condition = jsonencode(one(data.aws_iam_policy_document.this.statement[2].condition)) == jsonencode({
      test     = "ArnLike"
      values   = ["arn:aws:logs:ap-southeast-2:123456789012:log-group:*"]
      variable = "kms:EncryptionContext:aws:logs:arn"
    })
    error_message = "CloudWatch Logs use must be limited to this account's log groups by encryption context."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.this.statement[3].principals).identifiers == toset(["events.amazonaws.com", "s3.amazonaws.com", "sns.amazonaws.com"])
    error_message = "Delivery statement must cover EventBridge, SNS and the extra service principals."
  }

  assert {
    condition     = data.aws_iam_policy_document.this.statement[3].actions == toset(["kms:Decrypt", "kms:GenerateDataKey"])
    error_message = "Delivery principals get exactly kms:Decrypt and kms:GenerateDataKey."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.this.statement[3].condition).variable == "aws:SourceAccount" && one(data.aws_iam_policy_document.this.statement[3].condition).values == tolist(["123456789012"])
    error_message = "Delivery principals must be bound to this account with aws:SourceAccount."
  }
}

run "outputs_after_apply" {
  command = apply

  assert {
    condition     = output.key.arn == "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "key_arn output must come from the key."
  }

  assert {
    condition     = output.key.alias_name == "alias/taxlake-test"
    error_message = "alias_name output must be alias/<name_prefix>."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # short deletion window
    deletion_window_in_days = 5

    # bad service principal
    service_principals = ["lambda"]
  }

  expect_failures = [
    var.deletion_window_in_days,
    var.service_principals,
  ]
}
