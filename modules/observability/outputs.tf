output "topic" {
  description = "The alarms topic every alarm notifies: { name, arn }."
  value       = { name = aws_sns_topic.alarms.name, arn = aws_sns_topic.alarms.arn }
}

output "alarms" {
  description = "Alarm names by alert: consecutive_failures; data_delay and schema_drift by kind; error_rate by stage; dead_letters by queue."
  value = {
    consecutive_failures = aws_cloudwatch_metric_alarm.consecutive_failures.alarm_name
    data_delay           = { for k, a in aws_cloudwatch_metric_alarm.data_delay : k => a.alarm_name }
    schema_drift         = { for k, a in aws_cloudwatch_metric_alarm.schema_drift : k => a.alarm_name }
    error_rate           = { for k, a in aws_cloudwatch_metric_alarm.error_rate : k => a.alarm_name }
    dead_letters         = { for k, a in aws_cloudwatch_metric_alarm.dead_letters : k => a.alarm_name }
  }
}

output "health" {
  description = "The health record and its functions: table { name, arn }; functions { status, freshness } as function names; the freshness schedule's rule name."
  value = {
    table     = { name = aws_dynamodb_table.health.name, arn = aws_dynamodb_table.health.arn }
    functions = { for k, f in module.function : k => f.function.name }
    schedule  = aws_cloudwatch_event_rule.freshness.name
  }
}
