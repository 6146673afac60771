# Lake Formation: off by default; when on, the curated and analytics buckets are
# registered in hybrid mode through a module role limited to those buckets and the key.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix       = "taxlake-test"
  kms_key_arn       = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  access_log_bucket = "taxlake-test-access-logs-123456789012"
  tags              = { owner = "tests" }
}

run "lake_formation_is_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_lakeformation_resource.this) == 0 && length(aws_iam_role.lake_formation) == 0 && output.lake_formation_role_arn == null
    error_message = "Without lake_formation.enabled nothing is registered and no role is made."
  }
}

run "lake_formation_registers_the_table_zones_in_hybrid_mode" {
  command = apply

  variables {
    lake_formation = { enabled = true }
  }

  assert {
    condition = output.lake_formation_locations == {
      curated   = "arn:aws:s3:::taxlake-test-curated-123456789012"
      analytics = "arn:aws:s3:::taxlake-test-analytics-123456789012"
    }
    error_message = "The curated and analytics buckets (where the tables live) must be registered; raw has no tables."
  }

  assert {
    condition = alltrue([for r in aws_lakeformation_resource.this : (
      r.hybrid_access_enabled && r.role_arn == "arn:aws:iam::123456789012:role/taxlake-test-lakeformation" && r.use_service_linked_role != true
    )])
    error_message = "Locations must be hybrid (IAM access keeps working) and reached through the module role, which can use the lake key."
  }

  assert {
    condition = { for s in data.aws_iam_policy_document.lake_formation.statement : s.sid => { actions = s.actions, resources = s.resources } } == {
      ReadWriteLocations = { actions = toset(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012/*", "arn:aws:s3:::taxlake-test-analytics-123456789012/*"]) }
      ListLocations      = { actions = toset(["s3:ListBucket"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012", "arn:aws:s3:::taxlake-test-analytics-123456789012"]) }
      UseLakeKey         = { actions = toset(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]), resources = toset([var.kms_key_arn]) }
    }
    error_message = "The role reaches only the two registered buckets and the lake key."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.lake_formation_assume.statement[0].principals).identifiers == toset(["lakeformation.amazonaws.com"]) && jsonencode(one(data.aws_iam_policy_document.lake_formation_assume.statement[0].condition)) == jsonencode({ test = "StringEquals", values = ["123456789012"], variable = "aws:SourceAccount" })
    error_message = "Only Lake Formation acting for this account may assume the role."
  }
}

run "lake_formation_can_take_over_entirely" {
  command = plan

  variables {
    lake_formation = { enabled = true, hybrid_access = false }
  }

  assert {
    condition     = alltrue([for r in aws_lakeformation_resource.this : !r.hybrid_access_enabled])
    error_message = "hybrid_access = false must register the locations in Lake Formation mode."
  }
}
