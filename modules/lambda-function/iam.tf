# The execution role: trusted by Lambda for this account only (modules/service-role), its
# policy the caller's statements plus what the function itself needs.
module "role" {
  source = "../service-role"

  name        = local.function_name
  description = "Execution role of the ${local.function_name} Lambda function."
  service     = "lambda"
  policy_json = data.aws_iam_policy_document.this.json
  tags        = var.tags
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.statements

    content {
      sid       = statement.value.sid
      effect    = "Allow"
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }

  statement {
    sid       = "WriteLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = aws_sqs_queue.dlq[*].arn

    content {
      sid       = "DeadLetters"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  # The queue is encrypted with the platform key: sending needs a data key from it.
  dynamic "statement" {
    for_each = aws_sqs_queue.dlq[*].arn

    content {
      sid       = "DeadLetterKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }

  # X-Ray trace APIs have no resource-level permissions: AWS requires Resource "*".
  dynamic "statement" {
    for_each = var.settings.tracing ? ["xray"] : []

    content {
      sid       = "WriteTraces"
      effect    = "Allow"
      actions   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      resources = ["*"]
    }
  }
}
