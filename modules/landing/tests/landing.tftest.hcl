mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::taxlake-test-landing-123456789012" }
  }
}

variables {
  name_prefix       = "taxlake-test"
  kms_key_arn       = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  access_log_bucket = "taxlake-test-access-logs-123456789012"
  tags              = { owner = "tests" }
}

run "event_rule_matches_incoming_objects" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_rule.this.name == "taxlake-test-landing-object-created" && aws_cloudwatch_event_rule.this.event_bus_name == "default"
    error_message = "The rule must live on the default bus with a prefixed name."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern).source == ["aws.s3"]
    error_message = "The rule must match S3 events only."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern)["detail-type"] == ["Object Created"]
    error_message = "The rule must match Object Created events only."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern).detail.bucket.name == ["taxlake-test-landing-123456789012"]
    error_message = "The rule must match the derived landing bucket name <name_prefix>-landing-<account>."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern).detail.object.key == [{ prefix = "incoming/" }]
    error_message = "The rule must match keys under incoming/ only."
  }

  assert {
    condition     = output.bucket.prefixes == { incoming = "incoming/", validated = "validated/", quarantine = "quarantine/" }
    error_message = "Prefix outputs must be incoming/, validated/ and quarantine/."
  }
}

run "lifecycle_per_prefix" {
  command = plan

  variables {
    intelligent_tiering_days           = 3
    noncurrent_version_expiration_days = 30
  }

  assert {
    condition     = { for k, r in output.lifecycle_rules : k => r.prefix } == { incoming = "incoming/", validated = "validated/", quarantine = "quarantine/" }
    error_message = "There must be exactly one lifecycle rule per landing prefix."
  }

  assert {
    condition = alltrue([for r in values(output.lifecycle_rules) : (
      jsonencode(r.transitions) == jsonencode([{ days = 3, storage_class = "INTELLIGENT_TIERING" }]) &&
      r.noncurrent_expiration_days == 30 &&
      r.abort_incomplete_multipart_days == 7
    )])
    error_message = "Every prefix must move to INTELLIGENT_TIERING, expire noncurrent versions and abort multipart uploads after 7 days."
  }
}

run "bucket_wiring" {
  command = apply

  assert {
    condition     = output.bucket.name == "taxlake-test-landing-123456789012"
    error_message = "Bucket name must default to <name_prefix>-landing-<account>."
  }

  assert {
    condition     = output.event_rule == { name = "taxlake-test-landing-object-created", arn = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-test-landing-object-created" }
    error_message = "Rule outputs must come from the rule."
  }
}

run "custom_bucket_name_and_prefix" {
  command = plan

  variables {
    bucket_name = "taxlake-lodgements-test"
    prefixes    = { incoming = "inbox/lodgements/" }
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern).detail.bucket.name == ["taxlake-lodgements-test"]
    error_message = "bucket_name must override the derived name in the rule."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern).detail.object.key == [{ prefix = "inbox/lodgements/" }]
    error_message = "prefixes.incoming must drive the rule's key filter."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # prefix without slash
    prefixes = { incoming = "incoming" }

    # negative tiering days
    intelligent_tiering_days = -1
  }

  expect_failures = [
    var.prefixes,
    var.intelligent_tiering_days,
  ]
}

run "rejects_prefix_colliding_with_outputs" {
  command = plan

  variables {
    prefixes = { quarantine = "validated/rejected/" }
  }

  expect_failures = [var.prefixes]
}
