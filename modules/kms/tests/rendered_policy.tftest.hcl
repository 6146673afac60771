# Renders the key policy with the real provider (no API calls: identity, region and partition
# come from overrides and nothing is applied) to check the JSON KMS will actually receive.
provider "aws" {
  region                      = "ap-southeast-2"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012" }
}

override_data {
  target = data.aws_region.current
  values = { name = "ap-southeast-2" }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws" }
}

variables {
  name_prefix = "taxlake-test"
}

run "key_policy_json" {
  command = plan

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid] == ["AccountKeyAdministration", "AccountKeyUsage", "CloudWatchLogsLogGroups", "ServiceDeliveryToEncryptedTargets"]
    error_message = "The key policy must hold the four expected statements."
  }

  assert {
    condition     = alltrue([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Effect == "Allow" && alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")])])
    error_message = "No Allow statement in the key policy may use a wildcard action."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.this.json).Statement[2].Condition == {
      ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:ap-southeast-2:123456789012:log-group:*" }
    }
    error_message = "CloudWatch Logs must be limited to this account's log groups in this region."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.this.json).Statement[3].Condition == { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    error_message = "EventBridge and SNS must be bound to this account."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.this.json).Statement[0].Principal == { AWS = "arn:aws:iam::123456789012:root" }
    error_message = "Key administration belongs to the account root (delegated through IAM)."
  }
}
