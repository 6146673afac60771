# One dashboard of what the platform emits: pipeline health, latency, throughput, quality,
# fraud, errors and dead letters, data age, and the alarms. Metrics with per-kind or
# per-engine dimensions are drawn with SEARCH, so a new kind appears without a change here.

locals {
  region = data.aws_region.current.name

  # SEARCH over the platform's own namespace: {namespace,dimensions...} MetricName="..."
  search = {
    for name, spec in {
      succeeded = { ns = var.namespaces.pipeline, dims = "Engine,Kind,service", metric = "PipelineSucceeded", stat = "Sum" }
      curated   = { ns = var.namespaces.pipeline, dims = "Engine,Kind,service", metric = "RecordsCurated", stat = "Sum" }
      quality   = { ns = var.namespaces.pipeline, dims = "Engine,Kind,service", metric = "QualityScore", stat = "Minimum" }
      fraud     = { ns = var.namespaces.pipeline, dims = "Engine,Kind,service", metric = "FraudFlags", stat = "Sum" }
      read      = { ns = var.namespaces.validator, dims = "Kind,service", metric = "RecordsRead", stat = "Sum" }
      rejected  = { ns = var.namespaces.validator, dims = "Kind,service", metric = "RecordsRejected", stat = "Sum" }
      bytes     = { ns = var.namespaces.validator, dims = "Kind,service", metric = "BytesRead", stat = "Sum" }
      reasons   = { ns = var.namespaces.validator, dims = "Kind,Reason,service", metric = "RecordsRejectedByReason", stat = "Sum" }
      age       = { ns = var.namespaces.pipeline, dims = "Kind,service", metric = "CuratedDataAgeSeconds", stat = "Maximum" }
      errors    = { ns = "AWS/Lambda", dims = "FunctionName", metric = "Errors", stat = "Sum" }
      dlq       = { ns = "AWS/SQS", dims = "QueueName", metric = "ApproximateNumberOfMessagesVisible", stat = "Maximum" }
      dlq_age   = { ns = "AWS/SQS", dims = "QueueName", metric = "ApproximateAgeOfOldestMessage", stat = "Maximum" }
    } : name => [[{ expression = "SEARCH('{${spec.ns},${spec.dims}} MetricName=\"${spec.metric}\"', '${spec.stat}', 300)", id = name }]]
  }

  streak = [var.namespaces.pipeline, "ConsecutiveFailures", "service", local.service, "StateMachine", var.state_machine.name]
  runs   = [var.namespaces.pipeline, "ExecutionTime", "service", local.service, "StateMachine", var.state_machine.name]

  widgets = [
    { title = "Files curated, by kind and engine", metrics = local.search.succeeded },
    { title = "Pipeline failures in a row", metrics = [concat(local.streak, [{ stat = "Maximum" }])] },
    {
      title   = "Execution time p50 / p90 / p99 (ms)"
      metrics = [for p in ["p50", "p90", "p99"] : concat(local.runs, [{ stat = p, label = p }])]
    },
    { title = "Bytes validated (throughput)", metrics = local.search.bytes },
    { title = "Records read", metrics = local.search.read },
    { title = "Records rejected", metrics = local.search.rejected },
    { title = "Rejected by reason", metrics = local.search.reasons },
    { title = "Records curated", metrics = local.search.curated },
    { title = "Quality score (lowest)", metrics = local.search.quality },
    { title = "Fraud flags", metrics = local.search.fraud },
    { title = "Curated data age (s)", metrics = local.search.age },
    { title = "Function errors", metrics = local.search.errors },
    { title = "Dead-letter queue depth", metrics = local.search.dlq },
    { title = "Oldest dead letter (s)", metrics = local.search.dlq_age },
  ]
}

data "aws_region" "current" {}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({
    widgets = concat(
      [for i, w in local.widgets : {
        type   = "metric"
        x      = (i % 3) * 8
        y      = floor(i / 3) * 6
        width  = 8
        height = 6
        properties = {
          title   = w.title
          region  = local.region
          metrics = w.metrics
          period  = 300
          view    = "timeSeries"
          stacked = false
        }
      }],
      [{
        type   = "alarm"
        x      = 0
        y      = ceil(length(local.widgets) / 3) * 6
        width  = 24
        height = 4
        properties = {
          title  = "Alarms"
          alarms = concat([for a in aws_cloudwatch_metric_alarm.single : a.arn], [for a in aws_cloudwatch_metric_alarm.error_rate : a.arn])
        }
      }],
    )
  })
}
