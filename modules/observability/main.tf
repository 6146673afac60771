data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  health     = "${var.name_prefix}-health"
  # the functions' Powertools service name: a dimension of every metric they emit. One for
  # both: the freshness run republishes the streak, as the same metric.
  service = "health"

  # The health functions: one counts each execution's final status, one measures (on a
  # schedule) how long each kind has gone without a curated file.
  functions = {
    status = {
      handler     = "handler.execution_status"
      description = "Counts each final status of ${var.state_machine.name} into the consecutive-failure streak (ConsecutiveFailures, ExecutionTime)."
      trigger     = aws_cloudwatch_event_rule.execution_status
    }
    freshness = {
      handler     = "handler.freshness"
      description = "Publishes CuratedDataAgeSeconds per kind (the time since each kind's newest curated file) and republishes the failure streak."
      trigger     = aws_cloudwatch_event_rule.freshness
    }
  }
}

# --- where the alarms go -----------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  display_name      = "taxlake alarms (${var.name_prefix})"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "alarms" {
  # CloudWatch publishes a state change only for this account's alarms.
  statement {
    sid       = "CloudWatchAlarms"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.subscriptions.emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "queue" {
  for_each = toset(var.subscriptions.queue_arns)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "sqs"
  endpoint  = each.value
}

# --- the pipeline's health record ----------------------------------------------------

# The streak, the executions already counted (expired by TTL) and each kind's newest
# curated file.
resource "aws_dynamodb_table" "health" {
  name                        = local.health
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.settings.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "execution_status" {
  name        = "${local.health}-execution-status"
  description = "Final statuses of ${var.state_machine.name}'s executions."
  tags        = var.tags

  event_pattern = jsonencode({
    source        = ["aws.states"]
    "detail-type" = ["Step Functions Execution Status Change"]
    detail = {
      stateMachineArn = [var.state_machine.arn]
      status          = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
    }
  })
}

resource "aws_cloudwatch_event_rule" "freshness" {
  name                = "${local.health}-freshness"
  description         = "Measures each kind's curated data age."
  schedule_expression = var.settings.freshness_schedule
  tags                = var.tags
}

module "function" {
  source   = "../lambda-function"
  for_each = local.functions

  name_prefix  = var.name_prefix
  name         = "health-${each.key}"
  description  = each.value.description
  handler      = each.value.handler
  package_path = var.package_path
  layer_arns   = var.layer_arns
  kms_key_arn  = var.kms_key_arn
  tags         = var.tags

  environment = {
    POWERTOOLS_SERVICE_NAME      = local.service
    POWERTOOLS_METRICS_NAMESPACE = var.namespaces.pipeline
    HEALTH_TABLE                 = aws_dynamodb_table.health.name
    KINDS                        = join(",", var.kinds)
    STATE_MACHINE                = var.state_machine.name
  }

  statements = [
    {
      sid       = "HealthRecord"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources = [aws_dynamodb_table.health.arn]
    },
    { sid = "UseKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [var.kms_key_arn] },
  ]

  # small and short: one DynamoDB update, or one read per kind. One at a time: the streak
  # then follows the order the statuses arrive in.
  settings = {
    memory_mb            = 256
    timeout_seconds      = 60
    reserved_concurrency = 1
    log_retention_days   = var.settings.log_retention_days
  }

  dead_letter_queue = true
  async_invocation  = { maximum_retry_attempts = 2, maximum_event_age_in_seconds = 3600 }
  allowed_triggers = {
    AllowRuleInvoke = { principal = "events.amazonaws.com", source_arn = each.value.trigger.arn }
  }
  dead_letter_senders = {
    AllowRuleDeadLetters = { principal = "events.amazonaws.com", source_arn = each.value.trigger.arn }
  }
}

resource "aws_cloudwatch_event_target" "health" {
  for_each = local.functions

  rule      = each.value.trigger.name
  target_id = "health-${each.key}"
  arn       = module.function[each.key].function.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 24
  }

  dead_letter_config {
    arn = module.function[each.key].dlq.arn
  }

  depends_on = [module.function]
}
