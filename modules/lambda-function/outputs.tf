output "function" {
  description = "The function: { name, arn (unqualified), reserved_concurrency (-1 = unreserved), ephemeral_storage_mb (/tmp) }."
  value = {
    name                 = aws_lambda_function.this.function_name
    arn                  = aws_lambda_function.this.arn
    reserved_concurrency = aws_lambda_function.this.reserved_concurrent_executions
    ephemeral_storage_mb = one(aws_lambda_function.this.ephemeral_storage).size
  }
}

output "role" {
  description = "The function's execution role: {name, arn}."
  value       = module.role.role
}

output "log_group" {
  description = "The function's log group: { name, retention_days }."
  value = {
    name           = aws_cloudwatch_log_group.this.name
    retention_days = aws_cloudwatch_log_group.this.retention_in_days
  }
}

output "environment" {
  description = "Environment variables the function was given, POWERTOOLS_LOG_LEVEL included."
  value       = local.environment
}

output "dlq" {
  description = "The dead-letter queue: { arn, url }, or null when dead_letter_queue = false."
  value       = length(aws_sqs_queue.dlq) == 0 ? null : { arn = aws_sqs_queue.dlq[0].arn, url = aws_sqs_queue.dlq[0].url }
}

output "statements" {
  description = "What the role is allowed, as granted: the caller's statements and the module's own ({sid, actions, resources})."
  value = [for s in data.aws_iam_policy_document.this.statement : {
    sid       = s.sid
    actions   = sort(tolist(s.actions))
    resources = sort(tolist(s.resources))
  }]
}
