# The generic function: names, package and sizing pass through, the role holds exactly
# the caller's statements plus logs (and X-Ray / the DLQ when on), never a wildcard action.
mock_provider "aws" {
  source = "../../tests/terraform/mocks"

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/taxlake-test-pipeline-process" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-process"
      invoke_arn = "arn:aws:apigateway:ap-southeast-2:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-pipeline-process/invocations"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-process" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-pipeline-process-dlq"
      id  = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/taxlake-test-pipeline-process-dlq"
      url = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/taxlake-test-pipeline-process-dlq"
    }
  }
}

variables {
  name_prefix  = "taxlake-test"
  name         = "pipeline-process"
  handler      = "handler.process"
  package_path = "tests/fixtures/function.zip"
  layer_arns   = ["arn:aws:lambda:ap-southeast-2:123456789012:layer:taxlake-test-runtime:1"]
  kms_key_arn  = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
  tags         = { owner = "tests" }
  environment  = { CURATED_BUCKET = "taxlake-test-curated-123456789012", CURATED_PREFIX = "curated" }
  statements = [
    {
      sid       = "ReadValidated"
      actions   = ["s3:GetObject", "s3:GetObjectVersion"]
      resources = ["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"]
    },
    {
      sid       = "ListCurated"
      actions   = ["s3:ListBucket"]
      resources = ["arn:aws:s3:::taxlake-test-curated-123456789012"]
      conditions = [{
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["curated/*"]
      }]
    },
  ]
}

run "function_defaults" {
  command = apply

  assert {
    condition = (
      aws_lambda_function.this.function_name == "taxlake-test-pipeline-process" &&
      aws_lambda_function.this.runtime == "python3.12" &&
      aws_lambda_function.this.handler == "handler.process" &&
      aws_lambda_function.this.architectures == tolist(["x86_64"])
    )
    error_message = "Function must be <name_prefix>-<name> on python3.12/x86_64 with the given handler."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/function.zip") && aws_lambda_function.this.layers == tolist(var.layer_arns)
    error_message = "Package hash and layers must come from the inputs."
  }

  assert {
    condition = (
      aws_lambda_function.this.memory_size == 1024 &&
      aws_lambda_function.this.timeout == 300 &&
      aws_lambda_function.this.reserved_concurrent_executions == -1 &&
      one(aws_lambda_function.this.ephemeral_storage).size == 512 &&
      one(aws_lambda_function.this.tracing_config).mode == "Active"
    )
    error_message = "Defaults must be 1024 MB, 300 s, unreserved, the free 512 MB of /tmp and Active tracing."
  }

  assert {
    condition     = aws_lambda_function.this.kms_key_arn == var.kms_key_arn && length(aws_lambda_function.this.dead_letter_config) == 0 && output.dlq == null
    error_message = "Environment must be CMK-encrypted; no DLQ unless asked for."
  }

  assert {
    condition     = one(aws_lambda_function.this.logging_config).log_format == "JSON" && one(aws_lambda_function.this.logging_config).log_group == "/aws/lambda/taxlake-test-pipeline-process"
    error_message = "Logs must be JSON into the module's log group."
  }

  assert {
    condition = one(aws_lambda_function.this.environment).variables == tomap({
      CURATED_BUCKET       = "taxlake-test-curated-123456789012"
      CURATED_PREFIX       = "curated"
      POWERTOOLS_LOG_LEVEL = "INFO"
    })
    error_message = "Environment must be the caller's variables plus POWERTOOLS_LOG_LEVEL."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/taxlake-test-pipeline-process" && aws_cloudwatch_log_group.this.retention_in_days == 365 && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "Log group must be the function's, kept 365 days and CMK-encrypted."
  }

  assert {
    condition     = output.role == { name = "taxlake-test-pipeline-process", arn = "arn:aws:iam::123456789012:role/taxlake-test-pipeline-process" } && aws_lambda_function.this.role == output.role.arn
    error_message = "The function must run as its own role, which shares the function's name."
  }
}

run "role_policy_is_the_callers_plus_logs_and_traces" {
  command = apply

  assert {
    condition = { for s in data.aws_iam_policy_document.this.statement : s.sid => { actions = s.actions, resources = s.resources } } == {
      ReadValidated = { actions = toset(["s3:GetObject", "s3:GetObjectVersion"]), resources = toset(["arn:aws:s3:::taxlake-test-landing-123456789012/validated/*"]) }
      ListCurated   = { actions = toset(["s3:ListBucket"]), resources = toset(["arn:aws:s3:::taxlake-test-curated-123456789012"]) }
      WriteLogs     = { actions = toset(["logs:CreateLogStream", "logs:PutLogEvents"]), resources = toset(["arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/taxlake-test-pipeline-process:*"]) }
      WriteTraces   = { actions = toset(["xray:PutTelemetryRecords", "xray:PutTraceSegments"]), resources = toset(["*"]) }
    }
    error_message = "The policy must hold the caller's statements, log writing on the function's log group and X-Ray."
  }

  assert {
    condition = jsonencode([for s in data.aws_iam_policy_document.this.statement : s.condition if s.sid == "ListCurated"]) == jsonencode([
      [{ test = "StringLike", values = ["curated/*"], variable = "s3:prefix" }]
    ])
    error_message = "Statement conditions must be rendered."
  }

  assert {
    condition     = length([for a in flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions)]) : a if strcontains(a, "*")]) == 0
    error_message = "No statement may grant a wildcard action."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : s.effect == "Allow"])
    error_message = "The role policy only allows."
  }
}

run "async_function_with_dlq_and_settings" {
  command = apply

  variables {
    dead_letter_queue = true
    settings = {
      memory_mb            = 3008
      timeout_seconds      = 900
      reserved_concurrency = 5
      log_retention_days   = 30
      log_level            = "DEBUG"
      tracing              = false
      ephemeral_storage_mb = 2048
    }
  }

  assert {
    condition     = one(aws_lambda_function.this.dead_letter_config).target_arn == "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-pipeline-process-dlq" && output.dlq.arn == "arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-pipeline-process-dlq"
    error_message = "dead_letter_queue = true must route failed async invocations to the module's queue."
  }

  assert {
    condition     = aws_sqs_queue.dlq[0].name == "taxlake-test-pipeline-process-dlq" && aws_sqs_queue.dlq[0].kms_master_key_id == var.kms_key_arn && aws_sqs_queue.dlq[0].message_retention_seconds == 1209600
    error_message = "The DLQ must be CMK-encrypted and keep messages 14 days."
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "DeadLetters"] == [toset(["arn:aws:sqs:ap-southeast-2:123456789012:taxlake-test-pipeline-process-dlq"])]
    error_message = "The role must be able to send to its DLQ only."
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.this.statement : s.actions if s.sid == "DeadLetterKey"] == [toset(["kms:Decrypt", "kms:GenerateDataKey"])]
    error_message = "Sending to the CMK-encrypted DLQ needs a data key from that key."
  }

  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.dlq[0].statement : s.effect == "Deny" && s.sid == "DenyInsecureTransport"])
    error_message = "The DLQ must refuse non-TLS requests."
  }

  assert {
    condition = (
      aws_lambda_function.this.memory_size == 3008 &&
      aws_lambda_function.this.timeout == 900 &&
      aws_lambda_function.this.reserved_concurrent_executions == 5 &&
      output.function.ephemeral_storage_mb == 2048 &&
      aws_cloudwatch_log_group.this.retention_in_days == 30 &&
      one(aws_lambda_function.this.tracing_config).mode == "PassThrough" &&
      one(aws_lambda_function.this.environment).variables["POWERTOOLS_LOG_LEVEL"] == "DEBUG"
    )
    error_message = "Settings must pass through to the function, its log group and its environment."
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if contains(tolist(s.resources), "*")]) == 0
    error_message = "With tracing off no statement may use Resource \"*\"."
  }
}

run "asynchronous_triggers_retries_and_dead_letters" {
  command = apply

  variables {
    dead_letter_queue = true
    async_invocation  = { maximum_retry_attempts = 1 }
    allowed_triggers = {
      AllowRuleInvoke = { principal = "events.amazonaws.com", source_arn = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-test-landing" }
    }
    dead_letter_senders = {
      AllowRuleDeadLetters = { principal = "events.amazonaws.com", source_arn = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-test-landing" }
    }
  }

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 1 &&
      aws_lambda_function_event_invoke_config.this[0].maximum_event_age_in_seconds == 3600 &&
      one(one(aws_lambda_function_event_invoke_config.this[0].destination_config).on_failure).destination == output.dlq.arn
    )
    error_message = "Async invocations must retry as asked (the age defaulting to an hour), then go to the dead-letter queue."
  }

  assert {
    condition = (
      aws_lambda_permission.trigger["AllowRuleInvoke"].statement_id == "AllowRuleInvoke" &&
      aws_lambda_permission.trigger["AllowRuleInvoke"].action == "lambda:InvokeFunction" &&
      aws_lambda_permission.trigger["AllowRuleInvoke"].principal == "events.amazonaws.com" &&
      aws_lambda_permission.trigger["AllowRuleInvoke"].source_arn == var.allowed_triggers.AllowRuleInvoke.source_arn &&
      length(aws_lambda_permission.trigger) == 1
    )
    error_message = "Exactly the allowed triggers may invoke the function, each from its source only."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.dlq[0].statement : (
      s.sid == "AllowRuleDeadLetters" && s.effect == "Allow" && s.actions == toset(["sqs:SendMessage"]) &&
      one(s.principals).identifiers == toset(["events.amazonaws.com"]) &&
      jsonencode(one(s.condition)) == jsonencode({ test = "ArnEquals", values = [var.dead_letter_senders.AllowRuleDeadLetters.source_arn], variable = "aws:SourceArn" })
    )])
    error_message = "The queue policy must let each dead-letter sender in from its source only."
  }
}

run "synchronous_function_has_no_triggers_or_retries" {
  command = plan

  assert {
    condition     = length(aws_lambda_function_event_invoke_config.this) == 0 && length(aws_lambda_permission.trigger) == 0 && length(aws_sqs_queue.dlq) == 0
    error_message = "Without async_invocation, allowed_triggers and dead_letter_queue the module creates none of them."
  }
}

run "rejects_invalid_inputs" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # dead letter senders without a queue
    dead_letter_senders = {
      AllowRuleDeadLetters = { principal = "events.amazonaws.com", source_arn = "arn:aws:events:ap-southeast-2:123456789012:rule/taxlake-test-landing" }
    }

    # trigger without source
    allowed_triggers = { AllowAnyone = { principal = "events.amazonaws.com", source_arn = "" } }

    # wildcard action
    statements = [{ sid = "TooBroad", actions = ["*"], resources = ["arn:aws:s3:::bucket"] }]

    # log level in environment
    environment = { POWERTOOLS_LOG_LEVEL = "DEBUG" }

    # name too long for role
    name = "pipeline-a-function-name-that-is-far-too-long-for-iam-roles"

    # invalid retention
    settings = { log_retention_days = 100 }
  }

  expect_failures = [
    var.dead_letter_senders,
    var.allowed_triggers,
    var.statements,
    var.environment,
    var.name,
    var.settings,
  ]
}

run "rejects_invalid_inputs_2" {
  command = plan

  # Each input is invalid on its own; every one must be refused.
  variables {
    # service wildcard action
    statements = [{ sid = "TooBroad", actions = ["s3:GetObject", "s3:*"], resources = ["arn:aws:s3:::bucket/*"] }]

    # reserved environment key
    environment = { AWS_REGION = "us-east-1" }

    # less /tmp than Lambda's minimum
    settings = { ephemeral_storage_mb = 256 }
  }

  expect_failures = [
    var.statements,
    var.environment,
    var.settings,
  ]
}

run "rejects_partial_wildcard_action" {
  command = plan

  variables {
    statements = [{ sid = "TooBroad", actions = ["s3:Get*"], resources = ["arn:aws:s3:::bucket/*"] }]
  }

  expect_failures = [var.statements]
}

run "rejects_duplicate_sids" {
  command = plan

  variables {
    statements = [
      { sid = "Read", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::a/*"] },
      { sid = "Read", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"] },
    ]
  }

  expect_failures = [var.statements]
}
