# Only for asynchronously invoked functions: events that exhausted Lambda's retries (and
# what dead_letter_senders could not deliver).
# No redrive_allow_policy: moto hangs on it.
resource "aws_sqs_queue" "dlq" {
  count = var.dead_letter_queue ? 1 : 0

  name                      = "${local.function_name}-dlq"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600
  tags                      = var.tags
}

data "aws_iam_policy_document" "dlq" {
  count = var.dead_letter_queue ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.dlq[0].arn]

    # {"AWS": "*"}: every principal, written as in the bucket policies.
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = var.dead_letter_senders

    content {
      sid       = statement.key
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.dlq[0].arn]

      principals {
        type        = "Service"
        identifiers = [statement.value.principal]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = [statement.value.source_arn]
      }
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  count = var.dead_letter_queue ? 1 : 0

  queue_url = aws_sqs_queue.dlq[0].id
  policy    = data.aws_iam_policy_document.dlq[0].json
}
