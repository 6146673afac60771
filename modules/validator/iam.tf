data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # SchemaDriftDetected goes to the account's default bus, where rules can route it.
  default_bus_arn = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.name}:${local.account_id}:event-bus/default"
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    # Confused-deputy guard: only Lambda acting for this account may assume the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.function_name
  description        = "Execution role of the ${local.function_name} Lambda function."
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadIncoming"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.landing_bucket_arn}/${var.incoming_prefix}*"]
  }

  statement {
    sid     = "WriteResults"
    effect  = "Allow"
    actions = ["s3:AbortMultipartUpload", "s3:PutObject"]
    resources = [
      "${var.landing_bucket_arn}/${var.validated_prefix}*",
      "${var.landing_bucket_arn}/${var.quarantine_prefix}*",
    ]
  }

  # HEAD of the copy just written, to confirm it before reporting success.
  statement {
    sid       = "ReadValidated"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.landing_bucket_arn}/${var.validated_prefix}*"]
  }

  # The raw zone: a copy of each landed version, locked by the bucket's default retention
  # on write, so no s3:PutObjectRetention (nor any bypass) is granted.
  dynamic "statement" {
    for_each = var.raw_bucket == null ? [] : [var.raw_bucket]

    content {
      sid       = "KeepRaw"
      effect    = "Allow"
      actions   = ["s3:AbortMultipartUpload", "s3:PutObject"]
      resources = ["${statement.value.arn}/${statement.value.prefix}*"]
    }
  }

  # HEAD of an earlier copy, which a retried event reuses instead of locking a second one.
  dynamic "statement" {
    for_each = var.raw_bucket == null ? [] : [var.raw_bucket]

    content {
      sid       = "ReadRaw"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = ["${statement.value.arn}/${statement.value.prefix}*"]
    }
  }

  # Without it S3 answers a HEAD of a missing copy 403, not 404 (and s3:prefix conditions
  # do not apply to that check).
  dynamic "statement" {
    for_each = var.raw_bucket == null ? [] : [var.raw_bucket]

    content {
      sid       = "FindRaw"
      effect    = "Allow"
      actions   = ["s3:ListBucket"]
      resources = [statement.value.arn]
    }
  }

  # SSE-KMS objects, the encrypted DLQ and the encrypted idempotency table.
  statement {
    sid       = "UseDataKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "IdempotencyRecords"
    effect    = "Allow"
    actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.idempotency.arn]
  }

  dynamic "statement" {
    for_each = var.state_machine_arn == null ? [] : [var.state_machine_arn]

    content {
      sid       = "StartPipeline"
      effect    = "Allow"
      actions   = ["states:StartExecution"]
      resources = [statement.value]
    }
  }

  # A file quarantined for SCHEMA_DRIFT is announced; only that event, from this source.
  statement {
    sid       = "PutSchemaDriftEvents"
    effect    = "Allow"
    actions   = ["events:PutEvents"]
    resources = [local.default_bus_arn]

    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = ["taxlake.validator"]
    }

    condition {
      test     = "StringEquals"
      variable = "events:detail-type"
      values   = ["SchemaDriftDetected"]
    }
  }

  statement {
    sid       = "DeadLetters"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }

  statement {
    sid       = "WriteLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
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

resource "aws_iam_role_policy" "this" {
  name   = "${local.function_name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
