mock_provider "aws" {
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
}

variables {
  name_prefix        = "taxlake-test"
  tags               = { owner = "tests" }
  package_path       = "tests/fixtures/validator.zip"
  layer_arns         = ["arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:1"]
  kms_key_arn        = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  landing_bucket_arn = "arn:aws:s3:::taxlake-test-landing-123456789012"
  landing_bucket_id  = "taxlake-test-landing-123456789012"
  event_rule_name    = "taxlake-test-landing-object-created"
  event_rule_arn     = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-test-landing-object-created"
}

run "function_defaults" {
  command = apply

  assert {
    condition = (
      aws_lambda_function.this.function_name == "taxlake-test-validator" &&
      aws_lambda_function.this.runtime == "python3.12" &&
      aws_lambda_function.this.handler == "handler.lambda_handler" &&
      aws_lambda_function.this.architectures == tolist(["x86_64"])
    )
    error_message = "Function must be <name_prefix>-validator on python3.12/x86_64 with handler.lambda_handler."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/validator.zip") && aws_lambda_function.this.layers == tolist(var.layer_arns)
    error_message = "Package hash and layers must come from the inputs."
  }

  assert {
    condition = (
      aws_lambda_function.this.memory_size == 1024 &&
      aws_lambda_function.this.timeout == 900 &&
      aws_lambda_function.this.reserved_concurrent_executions == 50 &&
      one(aws_lambda_function.this.tracing_config).mode == "Active"
    )
    error_message = "Defaults must be 1024 MB, 900 s, 50 reserved and Active tracing."
  }

  assert {
    condition     = aws_lambda_function.this.kms_key_arn == var.kms_key_arn && one(aws_lambda_function.this.dead_letter_config).target_arn == aws_sqs_queue.dlq.arn
    error_message = "Environment must be CMK-encrypted and async failures dead-lettered to the DLQ."
  }

  assert {
    condition     = one(aws_lambda_function.this.logging_config).log_format == "JSON" && one(aws_lambda_function.this.logging_config).log_group == "/aws/lambda/taxlake-test-validator"
    error_message = "Logs must be JSON into the module's log group."
  }

  assert {
    condition = one(aws_lambda_function.this.environment).variables == tomap({
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
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/taxlake-test-validator" && aws_cloudwatch_log_group.this.retention_in_days == 365 && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "Log group must be the function's, kept 365 days and CMK-encrypted."
  }

  assert {
    condition = (
      aws_sqs_queue.dlq.name == "taxlake-test-validator-dlq" &&
      aws_sqs_queue.dlq.kms_master_key_id == var.kms_key_arn &&
      aws_sqs_queue.dlq.message_retention_seconds == 1209600
    )
    error_message = "DLQ must be CMK-encrypted and keep messages 14 days."
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
      aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2 &&
      aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 3600 &&
      one(one(aws_lambda_function_event_invoke_config.this.destination_config).on_failure).destination == aws_sqs_queue.dlq.arn
    )
    error_message = "Async invocations retry twice within an hour, then go to the DLQ."
  }

  assert {
    condition = (
      aws_cloudwatch_event_target.this.rule == var.event_rule_name &&
      aws_cloudwatch_event_target.this.arn == aws_lambda_function.this.arn &&
      one(aws_cloudwatch_event_target.this.retry_policy).maximum_retry_attempts == 24 &&
      one(aws_cloudwatch_event_target.this.retry_policy).maximum_event_age_in_seconds == 3600 &&
      one(aws_cloudwatch_event_target.this.dead_letter_config).arn == aws_sqs_queue.dlq.arn
    )
    error_message = "The landing rule must target the function with retries and the DLQ."
  }

  assert {
    condition     = aws_lambda_permission.events.principal == "events.amazonaws.com" && aws_lambda_permission.events.source_arn == var.event_rule_arn && aws_lambda_permission.events.action == "lambda:InvokeFunction"
    error_message = "Only the landing rule may invoke the function."
  }
}

run "role_policy_is_least_privilege" {
  command = apply

  assert {
    condition     = length([for a in flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions)]) : a if strcontains(a, "*")]) == 0
    error_message = "No role policy statement may grant a wildcard action."
  }

  assert {
    condition = toset(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions)])) == toset([
      "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:AbortMultipartUpload",
      "kms:Decrypt", "kms:GenerateDataKey",
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "sqs:SendMessage", "logs:CreateLogStream", "logs:PutLogEvents",
      "xray:PutTraceSegments", "xray:PutTelemetryRecords", "events:PutEvents",
    ])
    error_message = "The role policy must grant exactly the documented actions."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : s.effect == "Allow"])
    error_message = "The role policy only allows."
  }

  assert {
    condition     = !contains(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions)]), "states:StartExecution")
    error_message = "Without a state machine the role must not be able to start executions."
  }

  assert {
    condition = { for s in data.aws_iam_policy_document.this.statement : s.sid => s.resources } == {
      ReadIncoming         = toset(["arn:aws:s3:::taxlake-test-landing-123456789012/incoming/*"])
      WriteResults         = toset(["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*", "arn:aws:s3:::taxlake-test-landing-123456789012/quarantine/*"])
      ReadValidated        = toset(["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"])
      UseDataKey           = toset([var.kms_key_arn])
      IdempotencyRecords   = toset(["arn:aws:dynamodb:ap-southeast-2:123456789012:table/taxlake-test-validator-idempotency"])
      PutSchemaDriftEvents = toset(["arn:aws:events:ap-southeast-2:123456789012:event-bus/default"])
      DeadLetters          = toset(["arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-validator-dlq"])
      WriteLogs            = toset(["arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-validator:*"])
      WriteTraces          = toset(["*"])
    }
    error_message = "Every statement must be scoped to its exact ARN or prefix; only X-Ray uses \"*\"."
  }

  assert {
    condition = jsonencode({ for c in one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "PutSchemaDriftEvents"]).condition : c.variable => { test = c.test, values = tolist(c.values) } }) == jsonencode({
      "events:detail-type" = { test = "StringEquals", values = ["SchemaDriftDetected"] }
      "events:source"      = { test = "StringEquals", values = ["taxlake.validator"] }
    })
    error_message = "The validator may put only its own SchemaDriftDetected events (source taxlake.validator) on the default bus."
  }

  assert {
    condition     = jsonencode(one(data.aws_iam_policy_document.assume.statement[0].condition)) == jsonencode({ test = "StringEquals", values = ["123456789012"], variable = "aws:SourceAccount" }) && one(data.aws_iam_policy_document.assume.statement[0].principals).identifiers == toset(["lambda.amazonaws.com"])
    error_message = "Only Lambda acting for this account may assume the role."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.dlq.statement : (
      s.effect == "Allow" && s.actions == toset(["sqs:SendMessage"]) &&
      one(s.principals).identifiers == toset(["events.amazonaws.com"]) &&
      jsonencode(one(s.condition)) == jsonencode({ test = "ArnEquals", values = [var.event_rule_arn], variable = "aws:SourceArn" })
    )])
    error_message = "The DLQ policy must let only the landing rule's EventBridge deliveries in."
  }

  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.dlq.statement : s.effect == "Deny" && s.sid == "DenyInsecureTransport"])
    error_message = "The DLQ must refuse non-TLS requests."
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
    condition     = [for s in data.aws_iam_policy_document.this.statement : s.resources if contains(tolist(s.actions), "states:StartExecution")] == [toset(["arn:aws:states:ap-southeast-2:123456789012:stateMachine:taxlake-test-pipeline"])]
    error_message = "states:StartExecution must be granted on exactly the given state machine."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["STATE_MACHINE_ARN"] == var.state_machine_arn
    error_message = "STATE_MACHINE_ARN must carry the state machine ARN."
  }

  assert {
    condition     = !contains(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions)]), "xray:PutTraceSegments") && one(aws_lambda_function.this.tracing_config).mode == "PassThrough"
    error_message = "With tracing off there is no X-Ray grant and tracing is PassThrough."
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if contains(tolist(s.resources), "*")]) == 0
    error_message = "With tracing off no statement may use Resource \"*\"."
  }

  assert {
    condition = (
      aws_lambda_function.this.memory_size == 2048 &&
      aws_lambda_function.this.timeout == 300 &&
      aws_lambda_function.this.reserved_concurrent_executions == -1 &&
      aws_cloudwatch_log_group.this.retention_in_days == 30 &&
      !aws_dynamodb_table.idempotency.deletion_protection_enabled
    )
    error_message = "Settings must pass through to the function, log group and table."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["POWERTOOLS_LOG_LEVEL"] == "DEBUG" && one(aws_lambda_function.this.environment).variables["REJECT_THRESHOLD"] == "0.05"
    error_message = "Log level and reject threshold must reach the environment."
  }

  assert {
    condition     = output.reserved_concurrency == -1 && output.log_retention_days == 30
    error_message = "Outputs must report the applied settings."
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
    condition     = one(aws_lambda_function.this.environment).variables["RAW_BUCKET"] == "taxlake-test-raw-123456789012" && one(aws_lambda_function.this.environment).variables["RAW_PREFIX"] == "raw/"
    error_message = "RAW_BUCKET and RAW_PREFIX must name the raw bucket and its default raw/ prefix."
  }

  assert {
    condition = { for s in data.aws_iam_policy_document.this.statement : s.sid => { actions = s.actions, resources = s.resources } if endswith(s.sid, "Raw") } == {
      KeepRaw = { actions = toset(["s3:AbortMultipartUpload", "s3:PutObject"]), resources = toset(["arn:aws:s3:::taxlake-test-raw-123456789012/raw/*"]) }
      ReadRaw = { actions = toset(["s3:GetObject"]), resources = toset(["arn:aws:s3:::taxlake-test-raw-123456789012/raw/*"]) }
      FindRaw = { actions = toset(["s3:ListBucket"]), resources = toset(["arn:aws:s3:::taxlake-test-raw-123456789012"]) }
    }
    error_message = "The raw zone must be written and read under raw/ only, and listed only for HEAD's 404."
  }

  assert {
    condition = length([for a in flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions)]) : a if(
      strcontains(a, "*") || contains(["s3:PutObjectRetention", "s3:BypassGovernanceRetention", "s3:PutObjectLegalHold", "s3:DeleteObject", "s3:DeleteObjectVersion"], a)
    )]) == 0
    error_message = "The validator never sets or bypasses retention and never deletes: the bucket's default retention locks each copy."
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if anytrue([for r in s.resources : strcontains(r, "taxlake-test-raw")]) && !contains(["KeepRaw", "ReadRaw", "FindRaw"], s.sid)]) == 0
    error_message = "No other statement may reach the raw bucket."
  }
}

run "rejects_raw_bucket_arn_naming_another_bucket" {
  command = plan

  variables {
    raw_bucket = {
      name = "taxlake-test-raw-123456789012"
      arn  = "arn:aws:s3:::taxlake-test-curated-123456789012"
    }
  }

  expect_failures = [var.raw_bucket]
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

run "rejects_invalid_retention" {
  command = plan

  variables {
    settings = { log_retention_days = 100 }
  }

  expect_failures = [var.settings]
}

run "rejects_oversized_memory" {
  command = plan

  variables {
    settings = { memory_mb = 20480 }
  }

  expect_failures = [var.settings]
}

run "rejects_threshold_above_one" {
  command = plan

  variables {
    settings = { reject_threshold = 1.5 }
  }

  expect_failures = [var.settings]
}

run "rejects_unknown_log_level" {
  command = plan

  variables {
    settings = { log_level = "TRACE" }
  }

  expect_failures = [var.settings]
}

run "rejects_malformed_state_machine_arn" {
  command = plan

  variables {
    state_machine_arn = "taxlake-test-pipeline"
  }

  expect_failures = [var.state_machine_arn]
}

run "rejects_mismatched_bucket_id" {
  command = plan

  variables {
    landing_bucket_id = "some-other-bucket"
  }

  expect_failures = [var.landing_bucket_id]
}
