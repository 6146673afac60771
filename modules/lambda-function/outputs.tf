output "function_arn" {
  description = "ARN of the function (unqualified)."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "role" {
  description = "The function's execution role: {name, arn}."
  value       = module.role.role
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_retention_days" {
  description = "Retention of the function's log group, in days."
  value       = aws_cloudwatch_log_group.this.retention_in_days
}

output "reserved_concurrency" {
  description = "Reserved concurrent executions of the function (-1 = unreserved)."
  value       = aws_lambda_function.this.reserved_concurrent_executions
}

output "environment" {
  description = "Environment variables the function was given, POWERTOOLS_LOG_LEVEL included."
  value       = local.environment
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue, or null when dead_letter_queue = false."
  value       = one(aws_sqs_queue.dlq[*].arn)
}

output "dlq_url" {
  description = "URL of the dead-letter queue, or null when dead_letter_queue = false."
  value       = one(aws_sqs_queue.dlq[*].url)
}

output "statements" {
  description = "What the role is allowed, as granted: the caller's statements and the module's own ({sid, actions, resources})."
  value = [for s in data.aws_iam_policy_document.this.statement : {
    sid       = s.sid
    actions   = sort(tolist(s.actions))
    resources = sort(tolist(s.resources))
  }]
}
