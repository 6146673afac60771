data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.name_prefix}-validator"

  # RAW_* only with a raw zone: without RAW_BUCKET the function copies nothing.
  raw_environment = var.raw_bucket == null ? {} : {
    RAW_BUCKET = var.raw_bucket.name
    RAW_PREFIX = var.raw_bucket.prefix
  }

  environment = merge({
    POWERTOOLS_SERVICE_NAME      = "validator"
    POWERTOOLS_METRICS_NAMESPACE = var.settings.metrics_namespace
    POWERTOOLS_LOG_LEVEL         = var.settings.log_level
    IDEMPOTENCY_TABLE            = aws_dynamodb_table.idempotency.name
    IDEMPOTENCY_TTL_SECONDS      = tostring(var.settings.idempotency_ttl_seconds)
    STATE_MACHINE_ARN            = var.state_machine_arn == null ? "" : var.state_machine_arn
    REJECT_THRESHOLD             = tostring(var.settings.reject_threshold)
    INCOMING_PREFIX              = var.incoming_prefix
    VALIDATED_PREFIX             = var.validated_prefix
    QUARANTINE_PREFIX            = var.quarantine_prefix
  }, local.raw_environment)
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function calls only regional AWS APIs (S3, DynamoDB, SQS, KMS, Step Functions) and reaches no private network resources; the platform has no VPC.
  #checkov:skip=CKV_AWS_50:Tracing is Active unless a caller sets settings.tracing = false (default true); checkov cannot resolve the optional() default.
  #checkov:skip=CKV_AWS_272:Code signing needs AWS Signer profiles, which the moto emulator the platform is verified against does not implement; package integrity is pinned by source_code_hash of the reproducible build.
  function_name = local.function_name
  description   = "Validates lodgements landed in ${var.landing_bucket_id}/${var.incoming_prefix} and routes them to ${var.validated_prefix} or ${var.quarantine_prefix}."
  role          = aws_iam_role.this.arn
  runtime       = "python3.12"
  handler       = "handler.lambda_handler"
  architectures = ["x86_64"]
  layers        = var.layer_arns

  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)

  memory_size                    = var.settings.memory_mb
  timeout                        = var.settings.timeout_seconds
  reserved_concurrent_executions = var.settings.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = var.settings.tracing ? "Active" : "PassThrough"
  }

  # Catches asynchronous (EventBridge) invocations that exhaust their retries.
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  # Without these the first invocation could create an unencrypted, never-expiring
  # log group or fail on missing permissions.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.dlq.arn
    }
  }
}

resource "aws_lambda_permission" "events" {
  statement_id  = "AllowLandingRuleInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = var.event_rule_arn
}

resource "aws_cloudwatch_event_target" "this" {
  rule      = var.event_rule_name
  target_id = "validator"
  arn       = aws_lambda_function.this.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 24
  }

  # Events EventBridge could not deliver (e.g. throttled past the retry window).
  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  depends_on = [aws_lambda_permission.events]
}
