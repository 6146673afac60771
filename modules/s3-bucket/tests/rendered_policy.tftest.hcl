# Renders the bucket policy with the real provider (no API calls: account and partition come
# from overrides and nothing is applied) to check the JSON AWS will actually receive.
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
  target = data.aws_partition.current
  values = { partition = "aws" }
}

variables {
  name        = "taxlake-test-bucket"
  kms_key_arn = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
}

run "kms_bucket_policy_json" {
  command = plan

  variables {
    extra_policy_documents = [jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Sid = "ReadOnlyForAnalytics", Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::taxlake-test-bucket/*", Principal = { AWS = "arn:aws:iam::123456789012:role/analytics" } }]
    })]
  }

  assert {
    condition     = [for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Sid] == ["ReadOnlyForAnalytics", "DenyInsecureTransport", "DenyWrongEncryptionHeader", "DenyWrongKmsKey"]
    error_message = "The rendered policy must merge the extra document ahead of the three guard-rail denies."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.this.json).Statement[2].Condition == {
      Null            = { "s3:x-amz-server-side-encryption" = "false" }
      StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" }
    }
    error_message = "The SSE-header deny must fire only when the header is present and not aws:kms."
  }

  assert {
    condition = jsondecode(data.aws_iam_policy_document.this.json).Statement[3].Condition == {
      Null            = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = "false" }
      StringNotEquals = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555" }
    }
    error_message = "The KMS-key deny must fire only when the key header is present and names another key."
  }

  assert {
    condition     = jsondecode(data.aws_iam_policy_document.this.json).Statement[1].Condition == { Bool = { "aws:SecureTransport" = "false" } }
    error_message = "The TLS deny must test aws:SecureTransport = false."
  }

  assert {
    condition     = alltrue([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Principal == { AWS = "*" } if s.Effect == "Deny"])
    error_message = "Denies must apply to every principal, written as {\"AWS\": \"*\"}."
  }

  assert {
    condition     = alltrue([for s in jsondecode(data.aws_iam_policy_document.this.json).Statement : s.Effect == "Deny" if s.Action == "s3:*"])
    error_message = "s3:* may only appear in a Deny statement."
  }
}
