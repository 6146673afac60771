# One alarm per alert of docs/runbook.md; each tells the alarms topic when it fires and
# when it clears, and its description names its runbook section.

locals {
  runbook = "docs/runbook.md"

  # What every alarm shares (the actions and how a datapoint-free period is read differ
  # per alarm below).
  actions = [aws_sns_topic.alarms.arn]

  queue_names = { for name, arn in var.dead_letter_queues : name => element(split(":", arn), 5) }
}

# Critical: settings.consecutive_failures executions in a row failed. The streak is counted
# per execution (the status function), not per period, and published at each final status;
# the freshness run republishes it, so a period in which a success followed the third
# failure (its Maximum still 3) is corrected at the next run. A datapoint-free period keeps
# the state (ignore): the alarm holds until a success's 0 is published.
resource "aws_cloudwatch_metric_alarm" "consecutive_failures" {
  alarm_name          = "${var.name_prefix}-consecutive-failures"
  alarm_description   = "Critical: ${var.settings.consecutive_failures} or more pipeline executions failed in a row. Runbook: ${local.runbook}#consecutive-failures"
  namespace           = var.namespaces.pipeline
  metric_name         = "ConsecutiveFailures"
  dimensions          = { service = local.service, StateMachine = var.state_machine.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.settings.consecutive_failures
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "ignore"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

# Critical: a kind has had no curated file for settings.data_delay_seconds. The freshness
# function measures it every few minutes; no measurement in 15 minutes is itself a delay
# (breaching), so a stopped schedule or a failing function alarms too.
resource "aws_cloudwatch_metric_alarm" "data_delay" {
  for_each = toset(var.kinds)

  alarm_name          = "${var.name_prefix}-data-delay-${each.key}"
  alarm_description   = "Critical: no ${each.key} file curated for ${var.settings.data_delay_seconds} s. Runbook: ${local.runbook}#data-delay"
  namespace           = var.namespaces.pipeline
  metric_name         = "CuratedDataAgeSeconds"
  dimensions          = { service = local.service, Kind = each.key }
  statistic           = "Maximum"
  period              = 900
  evaluation_periods  = 1
  threshold           = var.settings.data_delay_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

# Warning: a file of this kind was quarantined for schema drift (the validator's metric).
resource "aws_cloudwatch_metric_alarm" "schema_drift" {
  for_each = toset(var.kinds)

  alarm_name          = "${var.name_prefix}-schema-drift-${each.key}"
  alarm_description   = "Warning: a ${each.key} file arrived with a schema that differs from the registered one. Runbook: ${local.runbook}#schema-drift"
  namespace           = var.namespaces.validator
  metric_name         = "SchemaDriftDetected"
  dimensions          = { service = var.validator_service, Kind = each.key }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

# Warning: a stage's errors above settings.error_rate_percent of its invocations in 5
# minutes; no invocations is a rate of 0, not a division by zero.
resource "aws_cloudwatch_metric_alarm" "error_rate" {
  # the stages given and the module's own functions (a failing health function is a blind spot)
  for_each = merge(var.functions, { for name, f in module.function : "health-${name}" => f.function.name })

  alarm_name          = "${var.name_prefix}-error-rate-${each.key}"
  alarm_description   = "Warning: ${each.value} failed more than ${var.settings.error_rate_percent}% of its invocations. Runbook: ${local.runbook}#error-rate"
  evaluation_periods  = 1
  threshold           = var.settings.error_rate_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    expression  = "IF(invocations > 0, 100 * FILL(errors, 0) / invocations, 0)"
    label       = "Error rate (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { errors = "Errors", invocations = "Invocations" }

    content {
      id          = metric_query.key
      return_data = false

      metric {
        namespace   = "AWS/Lambda"
        metric_name = metric_query.value
        dimensions  = { FunctionName = each.value }
        period      = 300
        stat        = "Sum"
      }
    }
  }
}

# Critical: a dead-letter queue holds a message: an event or invocation was given up on.
resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each = local.queue_names

  alarm_name          = "${var.name_prefix}-dead-letters-${each.key}"
  alarm_description   = "Critical: ${each.value} holds a message nothing will retry. Runbook: ${local.runbook}#dead-letters"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}
