data "aws_caller_identity" "current" {}

locals {
  function_name = "${var.name_prefix}-${var.name}"

  # One source for the level: Powertools reads it from the environment.
  environment = merge(var.environment, { POWERTOOLS_LOG_LEVEL = var.settings.log_level })
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function calls only regional AWS APIs (S3, Glue, KMS, CloudWatch) and reaches no private network resources; the platform has no VPC.
  #checkov:skip=CKV_AWS_50:Tracing is Active unless a caller sets settings.tracing = false (default true); checkov cannot resolve the optional() default.
  #checkov:skip=CKV_AWS_272:Code signing needs AWS Signer profiles, which the moto emulator the platform is verified against does not implement; package integrity is pinned by source_code_hash of the reproducible build.
  #checkov:skip=CKV_AWS_116:The dead-letter queue is for asynchronous invocations and is created when dead_letter_queue = true; synchronously invoked functions (Step Functions tasks) return their errors to the caller, which retries and catches them.
  function_name = local.function_name
  description   = var.description
  role          = module.role.role.arn
  runtime       = "python3.12"
  handler       = var.handler
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

  ephemeral_storage {
    size = var.settings.ephemeral_storage_mb
  }

  tracing_config {
    mode = var.settings.tracing ? "Active" : "PassThrough"
  }

  dynamic "dead_letter_config" {
    for_each = aws_sqs_queue.dlq[*].arn

    content {
      target_arn = dead_letter_config.value
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  # Without it the first invocation could create an unencrypted, never-expiring log group
  # (the role's ARN is known only once its policy is attached).
  depends_on = [aws_cloudwatch_log_group.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  count = var.async_invocation == null ? 0 : 1

  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_invocation.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_invocation.maximum_event_age_in_seconds

  dynamic "destination_config" {
    for_each = aws_sqs_queue.dlq[*].arn

    content {
      on_failure {
        destination = destination_config.value
      }
    }
  }
}

resource "aws_lambda_permission" "trigger" {
  for_each = var.allowed_triggers

  statement_id  = each.key
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = each.value.principal
  source_arn    = each.value.source_arn
}
