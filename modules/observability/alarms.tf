# One alarm per alert of docs/runbook.md; each tells the alarms topic when it fires and
# when it clears, and its description names its runbook section.

locals {
  runbook = "docs/runbook.md"

  # What every alarm shares (the actions and how a datapoint-free period is read differ
  # per alarm below).
  actions = [aws_sns_topic.alarms.arn]

  queue_names = { for name, arn in var.dead_letter_queues : name => element(split(":", arn), 5) }
}

# The alarms on one metric each, keyed by alarm name (after name_prefix):
#
# - consecutive-failures (critical): settings.consecutive_failures executions in a row
#   failed. The streak is counted per execution (the status function), not per period, and
#   published at each final status; the freshness run republishes it, so a period in which
#   a success followed the third failure (its Maximum still 3) is corrected at the next run.
#   A datapoint-free period keeps the state (ignore): it holds until a success's 0.
# - data-delay-<kind> (critical): no file of the kind curated for settings.data_delay_seconds.
#   No measurement in 15 minutes is itself a delay (breaching): a stopped schedule or a
#   failing freshness function alarms too.
# - schema-drift-<kind> (warning): a file of the kind was quarantined for schema drift.
# - dead-letters-<queue> (critical): a dead-letter queue holds a message nothing will retry.
locals {
  single_metric_alarms = merge(
    {
      consecutive-failures = {
        alert       = "consecutive_failures", key = null, runbook = "consecutive-failures"
        description = "Critical: ${var.settings.consecutive_failures} or more pipeline executions failed in a row."
        namespace   = var.namespaces.pipeline, metric = "ConsecutiveFailures", statistic = "Maximum", period = 60
        dimensions  = { service = local.service, StateMachine = var.state_machine.name }
        threshold   = var.settings.consecutive_failures, operator = "GreaterThanOrEqualToThreshold", missing = "ignore"
      }
    },
    { for kind in var.kinds : "data-delay-${kind}" => {
      alert       = "data_delay", key = kind, runbook = "data-delay"
      description = "Critical: no ${kind} file curated for ${var.settings.data_delay_seconds} s."
      namespace   = var.namespaces.pipeline, metric = "CuratedDataAgeSeconds", statistic = "Maximum", period = 900
      dimensions  = { service = local.service, Kind = kind }
      threshold   = var.settings.data_delay_seconds, operator = "GreaterThanThreshold", missing = "breaching"
    } },
    { for kind in var.kinds : "schema-drift-${kind}" => {
      alert       = "schema_drift", key = kind, runbook = "schema-drift"
      description = "Warning: a ${kind} file arrived with a schema that differs from the registered one."
      namespace   = var.namespaces.validator, metric = "SchemaDriftDetected", statistic = "Sum", period = 300
      dimensions  = { service = var.validator_service, Kind = kind }
      threshold   = 0, operator = "GreaterThanThreshold", missing = "notBreaching"
    } },
    { for name, queue in local.queue_names : "dead-letters-${name}" => {
      alert       = "dead_letters", key = name, runbook = "dead-letters"
      description = "Critical: ${queue} holds a message nothing will retry."
      namespace   = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", statistic = "Maximum", period = 60
      dimensions  = { QueueName = queue }
      threshold   = 0, operator = "GreaterThanThreshold", missing = "notBreaching"
    } },
  )
}

resource "aws_cloudwatch_metric_alarm" "single" {
  for_each = local.single_metric_alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = "${each.value.description} Runbook: ${local.runbook}#${each.value.runbook}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = each.value.operator
  treat_missing_data  = each.value.missing
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
