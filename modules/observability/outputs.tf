output "topic" {
  description = "The alarms topic every alarm notifies: { name, arn }."
  value       = { name = aws_sns_topic.alarms.name, arn = aws_sns_topic.alarms.arn }
}

output "alarms" {
  description = "Alarm names by alert: consecutive_failures; data_delay and schema_drift by kind; error_rate by stage; dead_letters by queue."
  value = merge(
    { consecutive_failures = aws_cloudwatch_metric_alarm.single["consecutive-failures"].alarm_name },
    {
      for alert in ["data_delay", "schema_drift", "dead_letters"] : alert => {
        for name, spec in local.single_metric_alarms : spec.key => aws_cloudwatch_metric_alarm.single[name].alarm_name if spec.alert == alert
      }
    },
    { error_rate = { for k, a in aws_cloudwatch_metric_alarm.error_rate : k => a.alarm_name } },
  )
}

output "health" {
  description = "The health record and its functions: table { name, arn }; functions { status, freshness } as function names; the freshness schedule's rule name."
  value = {
    table     = { name = aws_dynamodb_table.health.name, arn = aws_dynamodb_table.health.arn }
    functions = { for k, f in module.function : k => f.function.name }
    schedule  = aws_cloudwatch_event_rule.freshness.name
  }
}

output "dashboard" {
  description = "The dashboard's name and its panels' titles, in order (the last is the alarms' status)."
  value = {
    name   = aws_cloudwatch_dashboard.this.dashboard_name
    panels = [for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title]
  }
}
