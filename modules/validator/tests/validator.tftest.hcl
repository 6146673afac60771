mock_provider "aws" {
  source = "../../tests/terraform/mocks"
}

variables {
  name_prefix  = "taxlake-test"
  tags         = { owner = "tests" }
  package_path = "tests/fixtures/validator.zip"
  layer_arns   = ["arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:1"]
  kms_key_arn  = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  # what modules/landing outputs
  landing = {
    bucket = {
      name     = "taxlake-test-landing-123456789012"
      arn      = "arn:aws:s3:::taxlake-test-landing-123456789012"
      prefixes = { incoming = "incoming/", validated = "validated/", quarantine = "quarantine/" }
    }
    event_rule = { name = "taxlake-test-landing-object-created", arn = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-test-landing-object-created" }
  }
}

run "function_defaults" {
  command = apply

  assert {
    condition     = output.function.name == "taxlake-test-validator" && output.log_group.name == "/aws/lambda/taxlake-test-validator"
    error_message = "The function and its log group must be <name_prefix>-validator."
  }

  assert {
    condition     = output.function.reserved_concurrency == 50 && output.log_group.retention_days == 365
    error_message = "By default the validator reserves 50 executions and keeps logs 365 days."
  }

  assert {
    condition = jsonencode(output.environment) == jsonencode({
      POWERTOOLS_SERVICE_NAME      = "validator"
      POWERTOOLS_METRICS_NAMESPACE = "Taxlake"
      POWERTOOLS_LOG_LEVEL         = "INFO"
      IDEMPOTENCY_TABLE            = "taxlake-test-validator-idempotency"
      IDEMPOTENCY_TTL_SECONDS      = "604800"
      STATE_MACHINE_ARN            = ""
      REJECT_THRESHOLD             = "0.01"
      INCOMING_PREFIX              = "incoming/"
      VALIDATED_PREFIX             = "validated/"
      QUARANTINE_PREFIX            = "quarantine/"
    })
    error_message = "Environment variables must be exactly the documented set."
  }

  assert {
    condition     = output.dlq.arn == "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-validator-dlq" && output.dlq.url != null
    error_message = "The validator must have its dead-letter queue."
  }

  assert {
    condition = (
      aws_dynamodb_table.idempotency.name == "taxlake-test-validator-idempotency" &&
      aws_dynamodb_table.idempotency.billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.idempotency.hash_key == "id" &&
      one(aws_dynamodb_table.idempotency.ttl).attribute_name == "expiration" &&
      one(aws_dynamodb_table.idempotency.ttl).enabled &&
      one(aws_dynamodb_table.idempotency.point_in_time_recovery).enabled &&
      one(aws_dynamodb_table.idempotency.server_side_encryption).kms_key_arn == var.kms_key_arn &&
      aws_dynamodb_table.idempotency.deletion_protection_enabled
    )
    error_message = "Idempotency table must be on-demand, keyed by id, TTL on expiration, PITR, CMK and deletion-protected by default."
  }

  assert {
    condition = (
      aws_cloudwatch_event_target.this.rule == var.landing.event_rule.name &&
      aws_cloudwatch_event_target.this.arn == output.function.arn &&
      one(aws_cloudwatch_event_target.this.retry_policy).maximum_retry_attempts == 24 &&
      one(aws_cloudwatch_event_target.this.retry_policy).maximum_event_age_in_seconds == 3600 &&
      one(aws_cloudwatch_event_target.this.dead_letter_config).arn == output.dlq.arn
    )
    error_message = "The landing rule must target the function with retries and the DLQ."
  }
}

run "role_policy_is_least_privilege" {
  command = apply

  assert {
    condition     = length([for a in flatten(output.statements[*].actions) : a if strcontains(a, "*")]) == 0
    error_message = "No role policy statement may grant a wildcard action."
  }

  assert {
    condition = toset(flatten(output.statements[*].actions)) == toset([
      "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:AbortMultipartUpload",
      "kms:Decrypt", "kms:GenerateDataKey",
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "sqs:SendMessage", "logs:CreateLogStream", "logs:PutLogEvents",
      "xray:PutTraceSegments", "xray:PutTelemetryRecords", "events:PutEvents",
    ])
    error_message = "The role policy must grant exactly the documented actions."
  }

  assert {
    condition     = !contains(flatten(output.statements[*].actions), "states:StartExecution")
    error_message = "Without a state machine the role must not be able to start executions."
  }

  assert {
    condition = jsonencode({ for s in output.statements : s.sid => s.resources }) == jsonencode({
      ReadIncoming         = ["arn:aws:s3:::taxlake-test-landing-123456789012/incoming/*"]
      WriteResults         = ["arn:aws:s3:::taxlake-test-landing-123456789012/quarantine/*", "arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"]
      ReadValidated        = ["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"]
      UseDataKey           = [var.kms_key_arn]
      IdempotencyRecords   = ["arn:aws:dynamodb:ap-southeast-2:123456789012:table/taxlake-test-validator-idempotency"]
      PutSchemaDriftEvents = ["arn:aws:events:ap-southeast-2:123456789012:event-bus/default"]
      DeadLetters          = ["arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-validator-dlq"]
      DeadLetterKey        = [var.kms_key_arn]
      WriteLogs            = ["arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-validator:*"]
      WriteTraces          = ["*"]
    })
    error_message = "Every statement must be scoped to its exact ARN or prefix; only X-Ray uses \"*\"."
  }
}

run "state_machine_and_settings" {
  command = apply

  variables {
    state_machine_arn = "arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-test-pipeline"
    settings = {
      memory_mb            = 2048
      timeout_seconds      = 300
      reserved_concurrency = -1
      log_retention_days   = 30
      log_level            = "DEBUG"
      reject_threshold     = 0.05
      tracing              = false
      deletion_protection  = false
    }
  }

  assert {
    condition     = jsonencode([for s in output.statements : s.resources if contains(s.actions, "states:StartExecution")]) == jsonencode([["arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-test-pipeline"]])
    error_message = "states:StartExecution must be granted on exactly the given state machine."
  }

  assert {
    condition     = output.environment["STATE_MACHINE_ARN"] == var.state_machine_arn
    error_message = "STATE_MACHINE_ARN must carry the state machine ARN."
  }

  assert {
    condition     = !contains(flatten(output.statements[*].actions), "xray:PutTraceSegments") && length([for s in output.statements : s if contains(s.resources, "*")]) == 0
    error_message = "With tracing off there is no X-Ray grant and no statement uses Resource \"*\"."
  }

  assert {
    condition     = output.function.reserved_concurrency == -1 && output.log_group.retention_days == 30 && !aws_dynamodb_table.idempotency.deletion_protection_enabled
    error_message = "Settings must pass through to the function, log group and table."
  }

  assert {
    condition     = output.environment["POWERTOOLS_LOG_LEVEL"] == "DEBUG" && output.environment["REJECT_THRESHOLD"] == "0.05"
    error_message = "Log level and reject threshold must reach the environment."
  }
}

run "raw_zone_copy_is_least_privilege" {
  command = apply

  variables {
    raw_bucket = {
      name = "taxlake-test-raw-123456789012"
      arn  = "arn:aws:s3:::taxlake-test-raw-123456789012"
    }
  }

  assert {
    condition     = output.environment["RAW_BUCKET"] == "taxlake-test-raw-123456789012" && output.environment["RAW_PREFIX"] == "raw/"
    error_message = "RAW_BUCKET and RAW_PREFIX must name the raw bucket and its default raw/ prefix."
  }

  assert {
    condition = jsonencode({ for s in output.statements : s.sid => { actions = s.actions, resources = s.resources } if endswith(s.sid, "Raw") }) == jsonencode({
      KeepRaw = { actions = ["s3:AbortMultipartUpload", "s3:PutObject"], resources = ["arn:aws:s3:::taxlake-test-raw-123456789012/raw/*"] }
      ReadRaw = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::taxlake-test-raw-123456789012/raw/*"] }
      FindRaw = { actions = ["s3:ListBucket"], resources = ["arn:aws:s3:::taxlake-test-raw-123456789012"] }
    })
    error_message = "The raw zone must be written and read under raw/ only, and listed only for HEAD's 404."
  }

  assert {
    condition = length([for a in flatten(output.statements[*].actions) : a if(
      strcontains(a, "*") || contains(["s3:PutObjectRetention", "s3:BypassGovernanceRetention", "s3:PutObjectLegalHold", "s3:DeleteObject", "s3:DeleteObjectVersion"], a)
    )]) == 0
    error_message = "The validator never sets or bypasses retention and never deletes: the bucket's default retention locks each copy."
  }

  assert {
    condition     = length([for s in output.statements : s if anytrue([for r in s.resources : strcontains(r, "taxlake-test-raw")]) && !contains(["KeepRaw", "ReadRaw", "FindRaw"], s.sid)]) == 0
    error_message = "No other statement may reach the raw bucket."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # threshold above one
    settings = { reject_threshold = 1.5 }

    # malformed state machine arn
    state_machine_arn = "taxlake-test-pipeline"
  }

  expect_failures = [
    var.settings,
    var.state_machine_arn,
  ]
}

run "rejects_raw_prefix_without_slash" {
  command = plan

  variables {
    raw_bucket = {
      name   = "taxlake-test-raw-123456789012"
      arn    = "arn:aws:s3:::taxlake-test-raw-123456789012"
      prefix = "raw"
    }
  }

  expect_failures = [var.raw_bucket]
}
