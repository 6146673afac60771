data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # SchemaDriftDetected goes to the account's default bus, where rules can route it.
  default_bus_arn = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:event-bus/default"

  # The raw zone: a copy of each landed version, locked by the bucket's default retention
  # on write, so no s3:PutObjectRetention (nor any bypass) is granted. HEAD of an earlier
  # copy, which a retried event reuses instead of locking a second one; without ListBucket
  # S3 answers a HEAD of a missing copy 403, not 404.
  raw_statements = var.raw_bucket == null ? [] : [
    { sid = "KeepRaw", actions = ["s3:AbortMultipartUpload", "s3:PutObject"], resources = ["${var.raw_bucket.arn}/${var.raw_bucket.prefix}*"] },
    { sid = "ReadRaw", actions = ["s3:GetObject"], resources = ["${var.raw_bucket.arn}/${var.raw_bucket.prefix}*"] },
    { sid = "FindRaw", actions = ["s3:ListBucket"], resources = [var.raw_bucket.arn] },
  ]

  start_statements = var.state_machine_arn == null ? [] : [
    { sid = "StartPipeline", actions = ["states:StartExecution"], resources = [var.state_machine_arn] },
  ]

  # The function's own permissions; the module adds logs, traces and its dead-letter queue.
  statements = concat(
    [
      { sid = "ReadIncoming", actions = ["s3:GetObject", "s3:GetObjectVersion"], resources = ["${var.landing.bucket.arn}/${var.landing.bucket.prefixes.incoming}*"] },
      {
        sid       = "WriteResults"
        actions   = ["s3:AbortMultipartUpload", "s3:PutObject"]
        resources = ["${var.landing.bucket.arn}/${var.landing.bucket.prefixes.validated}*", "${var.landing.bucket.arn}/${var.landing.bucket.prefixes.quarantine}*"]
      },
      # HEAD of the copy just written, to confirm it before reporting success.
      { sid = "ReadValidated", actions = ["s3:GetObject"], resources = ["${var.landing.bucket.arn}/${var.landing.bucket.prefixes.validated}*"] },
      # SSE-KMS objects and the encrypted idempotency table.
      { sid = "UseDataKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [var.kms_key_arn] },
      {
        sid       = "IdempotencyRecords"
        actions   = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        resources = [aws_dynamodb_table.idempotency.arn]
      },
      # A file quarantined for SCHEMA_DRIFT is announced; only that event, from this source.
      {
        sid       = "PutSchemaDriftEvents"
        actions   = ["events:PutEvents"]
        resources = [local.default_bus_arn]
        conditions = [
          { test = "StringEquals", variable = "events:source", values = ["taxlake.validator"] },
          { test = "StringEquals", variable = "events:detail-type", values = ["SchemaDriftDetected"] },
        ]
      },
    ],
    local.raw_statements,
    local.start_statements,
  )
}
